from django.urls import path

from corridor.web.views import (
    dashboard,
    entry,
    exchange,
    funds,
    funds_records,
    funds_reports,
    gaps,
    held,
    language,
    lists,
    members,
    organisations,
    place_review,
    places,
    printmap,
    records,
    screening,
    statements,
    sync,
    upload,
)

app_name = "web"

urlpatterns = [
    path("", dashboard.dashboard_page, name="dashboard"),
    path("data/<slug:name>.csv", dashboard.dashboard_csv, name="dashboard_csv"),
    path("map/print/", printmap.map_print_page, name="map_print"),
    path("map/print.svg", printmap.map_print_svg, name="map_print_svg"),
    path("gaps/", gaps.gaps_page, name="gaps"),
    path("gaps.csv", gaps.gaps_csv, name="gaps_csv"),
    path("townships/<str:pcode>/", places.township_page, name="township"),
    path("organisations/", organisations.organisations_page, name="organisations"),
    path("organisations/<uuid:pk>/", places.organisation_page, name="organisation"),
    path("organisations/<uuid:pk>/members/", members.members_page, name="members"),
    path("join/<str:secret>/", members.join_page, name="join"),
    path("incidents/", lists.incidents_page, name="incidents"),
    path("activities/", lists.activities_page, name="activities"),
    path("activities/status/", lists.activities_status, name="activities_status"),
    # Correcting a record: its page (with history), edit, soft removal and restore.
    path("activities/<uuid:pk>/", records.activity_page, name="activity"),
    path("activities/<uuid:pk>/edit/", records.activity_edit, name="activity_edit"),
    path("activities/<uuid:pk>/remove/", records.activity_remove_page, name="activity_remove"),
    path("activities/<uuid:pk>/restore/", records.activity_restore_page, name="activity_restore"),
    path("incidents/<uuid:pk>/", records.incident_page, name="incident"),
    path("incidents/<uuid:pk>/edit/", records.incident_edit, name="incident_edit"),
    path("incidents/<uuid:pk>/remove/", records.incident_remove_page, name="incident_remove"),
    path("incidents/<uuid:pk>/restore/", records.incident_restore_page, name="incident_restore"),
    path("figures/<uuid:pk>/", records.figure_page, name="figure"),
    path("figures/<uuid:pk>/edit/", records.figure_edit, name="figure_edit"),
    path("figures/<uuid:pk>/remove/", records.figure_remove_page, name="figure_remove"),
    path("figures/<uuid:pk>/restore/", records.figure_restore_page, name="figure_restore"),
    path("enter/activity/", entry.activity_entry, name="enter_activity"),
    path("enter/figure/", entry.figure_entry, name="enter_figure"),
    path("enter/incident/", entry.incident_entry, name="enter_incident"),
    path("enter/townships/", entry.township_search, name="township_search"),
    path("enter/upload/", upload.upload_page, name="upload"),
    path("enter/upload/apply/", upload.upload_apply, name="upload_apply"),
    path("enter/upload/map/", upload.upload_map, name="upload_map"),
    path("enter/held/", held.held_page, name="held"),
    path("enter/held/<uuid:pk>/fix/", held.held_fix_page, name="held_fix"),
    path("enter/held/<uuid:pk>/drop/", held.held_drop_page, name="held_drop"),
    path("exchange/", exchange.exchange_page, name="exchange"),
    path("places/review/", place_review.place_review_page, name="place_review"),
    path("language/", language.language_switch, name="language"),
    # Money reports (web/views/funds_reports.py; docs/money.md)
    path("money/grants/<uuid:pk>/report/", funds_reports.grant_report_page, name="grant_report"),
    path(
        "money/grants/<uuid:pk>/report.csv", funds_reports.grant_report_csv, name="grant_report_csv"
    ),
    path("money/grants/<uuid:pk>/iati.xml", funds_reports.grant_iati, name="grant_iati"),
    path("money/grants/<uuid:pk>/custody/", funds_reports.grant_custody_page, name="grant_custody"),
    path("ledger/", funds_reports.ledger_page, name="ledger"),
    path("ledger.csv", funds_reports.ledger_csv, name="ledger_csv"),
    # Money (web/views/funds.py): grants, transfers and their legs, disputes, evidence photos.
    path("money/", funds.money_page, name="money"),
    path("money/grants/<uuid:pk>/", funds.grant_page, name="grant"),
    path("money/transfers/new/", funds.transfer_new, name="transfer_new"),
    path("money/transfers/<uuid:pk>/", funds.transfer_page, name="transfer"),
    path("money/transfers/<uuid:pk>/edit/", funds.transfer_edit, name="transfer_edit"),
    path(
        "money/transfers/<uuid:pk>/confirm/", funds.transfer_confirm_page, name="transfer_confirm"
    ),
    path("money/transfers/<uuid:pk>/photo/", funds.evidence_add_page, name="evidence_add"),
    path("money/transfers/<uuid:pk>/dispute/", funds.dispute_open_page, name="dispute_open"),
    path("money/transfers/<uuid:pk>/remove/", funds.transfer_remove_page, name="transfer_remove"),
    path(
        "money/transfers/<uuid:pk>/restore/", funds.transfer_restore_page, name="transfer_restore"
    ),
    path("money/disputes/<uuid:pk>/resolve/", funds.dispute_resolve_page, name="dispute_resolve"),
    path("money/evidence/<uuid:pk>/", funds.evidence_file, name="evidence"),
    # Recording grants, spending and rates (web/views/funds_records.py)
    path("money/grants/new/", funds_records.grant_new, name="grant_new"),
    path("money/grants/<uuid:pk>/edit/", funds_records.grant_edit, name="grant_edit"),
    path("money/grants/<uuid:pk>/spending/", funds_records.spending_new, name="spending_new"),
    path("money/spending/<uuid:pk>/edit/", funds_records.spending_edit, name="spending_edit"),
    path("money/rates/", funds_records.rates_page, name="rates"),
    path("money/rates/new/", funds_records.rate_new, name="rate_new"),
    path("money/rates/<uuid:pk>/edit/", funds_records.rate_edit, name="rate_edit"),
    path(
        "money/spending/<uuid:pk>/remove/",
        funds_records.spending_remove_page,
        name="spending_remove",
    ),
    path(
        "money/spending/<uuid:pk>/restore/",
        funds_records.spending_restore_page,
        name="spending_restore",
    ),
    path("money/rates/<uuid:pk>/remove/", funds_records.rate_remove_page, name="rate_remove"),
    path("money/rates/<uuid:pk>/restore/", funds_records.rate_restore_page, name="rate_restore"),
    # Screening counterparties against entity lists (web/views/screening.py; docs/screening.md)
    path("money/screening/", screening.decisions_page, name="screening_decisions"),
    path("money/screening/decide/", screening.decision_page, name="screening_decide"),
    path(
        "money/grants/<uuid:pk>/screening/", screening.grant_screening_page, name="grant_screening"
    ),
    # Joint statements (web/views/statements.py; docs/statements.md)
    path("statements/", statements.statements_page, name="statements"),
    path("statements/<uuid:pk>/", statements.statement_page, name="statement"),
    path("endorse/<str:secret>/", statements.endorse_page, name="endorse"),
    path("s/<uuid:pk>/", statements.statement_public_page, name="statement_public"),
    path(
        "s/<uuid:pk>/statement.html",
        statements.statement_public_export,
        {"fmt": "html"},
        name="statement_html",
    ),
    path(
        "s/<uuid:pk>/statement.md",
        statements.statement_public_export,
        {"fmt": "md"},
        name="statement_md",
    ),
    path(
        "s/<uuid:pk>/statement.txt",
        statements.statement_public_export,
        {"fmt": "txt"},
        name="statement_txt",
    ),
    # Asks and responses of published statements (docs/statements.md#asks-and-responses)
    path("s/<uuid:pk>/asks/", statements.statement_asks_public_page, name="statement_asks"),
    path("asks/", statements.asks_public_page, name="asks"),
    # Sync by file (web/views/sync.py; docs/sync.md): administrators only.
    path("sync/", sync.sync_page, name="sync"),
    path("sync/conflicts/<uuid:pk>/", sync.sync_conflict_page, name="sync_conflict"),
]
