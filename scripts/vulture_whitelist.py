"""Names that look unused to vulture but that a framework or the database uses.

Read by the dead-code check in scripts/check (configured under [tool.vulture] in pyproject.toml,
which also ignores the names Django, django-ninja and pytest use by convention). Never run. Add a
name here only with the reason it is used; a name nothing uses is deleted, not listed.
"""

# Model fields and enum members: written and read through the ORM, forms, admin and templates.
last_refused_at  # accounts.ApiToken
token_id  # accounts: a foreign key's column, annotated for mypy
updated_by  # core.Record
committed_at  # exchange.ImportRun
decided_at  # geo.PlaceReview
contact  # orgs.Organisation
joined_on  # orgs.CoalitionMember
empty_strings_allowed  # Django Field option, core.crypto.fields
MOBILE_MONEY, CASH_CARRIED, CRYPTO  # funds.TransferChannel choices
NOTE, PARTNER, AGENT  # funds.ReportingRule and funds.RateKind choices
starts_on, ends_on, purpose  # funds.Grant fields, shown in the admin and custody
DISTRICT  # geo.Level choice
ROMANISATION, OLD_NAME, BURMESE, ABBREVIATION  # geo.PlaceAlias kinds
A, C, D, E  # situation.Source reliability grades
CONDITIONAL, UNCONDITIONAL  # aid.Conditionality choices (decision 0166)
EXPLOSIVE_DEVICE, ATTACK_ON_CIVILIANS, ABDUCTION, SEXUAL_VIOLENCE, LOOTING  # IncidentType (0168)
TOWN, NEAR_TOWN, REGION  # situation.GeoPrecision: ACLED's codes 1-3 (decision 0168)
reached_rows  # aid.MonthlyReach: filled by INSERT … SELECT, read as reached_rows__gt (0225)

# Schema, form and dataclass fields: serialised by django-ninja, bound by Django forms.
help  # config.Setting: the line of help declared beside each setting, for the reader
figure_as_of, figure_source_id  # gaps rows and their API schema
has_boundary  # geo API schema
error_report_url, hidden_organisations, source_title, source_publisher  # API schemas
source_reliability  # web forms
_.initial  # Django form field's initial value
_.help_text  # Django form field's help text, read by the field template
_.clean_file, _.clean_old_password  # Django form clean_<field> hooks

# Hooks a library calls by name.
_.auser  # Django's async user on the request
_.get_throttle_factor  # django-otp ThrottlingMixin
_.get_user  # Django's auth backend (accounts.backends.UserBackend)
_._get_session_from_db  # Django's database SessionStore (accounts.session_store)
_._device_from_persistent_id  # django-otp's OTPMiddleware (accounts.middleware)
DenylistPasswordValidator  # named in AUTH_PASSWORD_VALIDATORS
UserBackend  # accounts.backends: named in AUTHENTICATION_BACKENDS (decision 0388)
HashedStorage  # core.staticfiles: named in STORAGES["staticfiles"] (decision 0395)
HashedNameFinder  # core.staticfiles: named in STATICFILES_FINDERS (decision 0395)
_._session_key  # Django's SessionBase: accounts.session_store forgets an unknown key, as db's
_.get_help_text  # Django password validator
_._ninja_csrf_exempt  # django-ninja's CSRF marker
_.get_prep_value, _.value_to_string  # Django Field
expression  # Django Field.from_db_value argument
_.as_sql, _.as_sqlite  # Django lookup
_.__signature__  # inspect, for wrapped output functions
_.readable  # io.RawIOBase
_.site_header, _.site_title  # Django admin site
_.LANGUAGE_CODE  # Django's request language
may  # web template tag {% may %}, called by name from templates
need_from  # web template filter {{ row|need_from }}, called by name from templates
DJANGO_WORDS_TRANSLATED_HERE  # accounts.passwords: keeps Django's words for makemessages
skip_postgeneration_save, _save, extracted  # factory_boy hooks and their arguments

# pytest: fixtures requested for their side effect, and the database setup override.
situation  # gaps tests: a fixture that creates the figures
django_db_setup  # pytest-django
fingerprint  # web.map: the lru_cache key, unused inside on purpose
before_period  # web.dashboard Headline: read by the dashboard template and the API schema
render_page  # api.LocalSwagger: django-ninja calls it to render /api/docs

# Known gap, kept visible rather than deleted: core.money says an unknown currency code is
# refused, but no field or form uses these choices yet (reported on issue 16).
CURRENCY_CHOICES

used_by  # orgs.Invitation: who joined by the link, kept with the row for whoever reads it later
confirm_shown  # web.forms.ConfirmMixin: asked by web/entry.html (decision 0215)
VERIFIED  # situation.models.Verification: a choice people make on the incident form (0216)
last_figure  # core tests: a fixture that stores the township's last figure
suggestions  # web.views.place_review Item: read by the review page's template

# sync: fields read through ORM lookups (exclude(came_from=...), reviewed_at__isnull, order_by).
came_from, found_at, reviewed_at  # sync.Version, sync.Conflict
revoked_by, reviewed_by  # sync.Peer, sync.Conflict: who revoked or reviewed, kept for the record
model_config  # gaps.api._Plain: pydantic reads it (from_attributes)
township_name  # exchange.ledger_reports ReportSpending: read by the donor report's template
organisations_not_named  # exchange.ledger_reports DonorReport: read by the donor report's template
label_from_instance  # web.funds_forms.ActivityChoice: Django's ModelChoiceField calls it
screening_warnings  # web.templatetags.screening_web: the transfer page's template tag
log_addition, log_change, log_deletions  # audit.admin.AuditedAdmin: Django's admin calls them
get_new_connection, create_cursor  # core.sqlcipher DatabaseWrapper: Django's backend calls them

# statements asks: choices people pick on the statement page's forms; read by the tracker template.
GOVERNMENT, BLOC, UN_BODY, COMPANY, ARMED_GROUP  # statements.models.TargetKind
ACKNOWLEDGED, PARTIAL, MET, REVERSED  # statements.models.ResponseStatus
status_label, target_kind_label  # statements.tracker PublicAsk/PublicResponse: template fields
withdrawn_on, page_url  # statements.api schemas: fields of the JSON answers (pydantic reads them)

# pytest hooks: pytest calls them by name.
pytest_collection_modifyitems  # conftest.py: the longest test modules first (decision 0372)
pytest_report_header  # conftest.py: the SQLite lane says which tests it leaves out (decision 0381)
