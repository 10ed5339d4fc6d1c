"""Forms for filters and 4W entry. Every label is translatable; free text is made Unicode."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from corridor.aid.models import (
    Channel,
    Conditionality,
    Modality,
    Sector,
    Status,
    conditionality_problem,
    reach_problems,
)
from corridor.aid.rules import COUNTS, activity_problems
from corridor.core.rules import CONFIRMABLE, Problem
from corridor.exchange import values
from corridor.geo.models import AdminUnit, Level
from corridor.geo.resolver import get_resolver
from corridor.situation.models import IncidentType, Reliability, Verification
from corridor.situation.rules import (
    FIGURE_COUNTS,
    INCIDENT_COUNTS,
    figure_problems,
    incident_problems,
)
from corridor.web.burmese import unicode_text

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django_stubs_ext import StrOrPromise

    from corridor.orgs.models import Organisation
    from corridor.situation.models import Source

FieldT = TypeVar("FieldT", bound=forms.Field)
ModelT = TypeVar("ModelT", bound=models.Model)

PCODE_AT_END = re.compile(r"\b(MMR[0-9A-Z]{3,13})\s*$")
MAP_LAYERS = [
    ("idps", _("IDPs")),
    ("incidents", _("Incidents")),
    ("coverage", _("Coverage")),
]


def form_field(form: forms.BaseForm, name: str, kind: type[FieldT]) -> FieldT:
    """A form's own copy of one of its fields as the class it is (``form.fields`` holds plain
    fields to a type checker), to give it the choices or records of this request."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is not a {kind.__name__}")
    return field


def chosen(form: forms.BaseForm) -> dict[str, Any]:
    """What a page's filter form chose: nothing when it does not validate (the pages then show
    their defaults; the API refuses it)."""
    return form.cleaned_data if form.is_bound and form.is_valid() else {}


def offer_organisations(form: forms.BaseForm, organisations: QuerySet[Organisation]) -> None:
    """The organisations the person may report for, in the form's ``organisation`` field; the
    only one chosen already."""
    field = form_field(form, "organisation", forms.ModelChoiceField)
    field.queryset = organisations
    if organisations.count() == 1:
        field.initial = organisations.get().pk


def township_label(unit: AdminUnit) -> str:
    """The picker's text for a township: English · Burmese · p-code, searchable by any part."""
    names = [unit.name_en] + ([unit.name_my] if unit.name_my else []) + [unit.pcode]
    return " · ".join(names)


def township_options() -> list[str]:
    units = AdminUnit.objects.filter(level=Level.TOWNSHIP).order_by("name_en")
    return [township_label(unit) for unit in units.only("pcode", "name_en", "name_my")]


def find_township(text: str) -> AdminUnit:
    text = unicode_text(" ".join(text.split()))
    if not text:
        raise ValidationError(_("Choose a township."))
    match = PCODE_AT_END.search(text.upper())
    if match:
        # A state or district p-code is taken too: the record rules refuse it in their words
        # (geo/rules.py), the same the API and the importer use.
        unit = AdminUnit.objects.filter(pcode=match.group(1)).first()
        if unit:
            return unit
    exact = AdminUnit.objects.filter(level=Level.TOWNSHIP).filter(
        Q(name_en__iexact=text) | Q(name_my=text) | Q(pcode__iexact=text)
    )
    if exact.count() == 1:
        return exact.get()
    resolution = get_resolver().resolve(text, level=3)
    if resolution.accepted and resolution.pcode:
        unit = AdminUnit.objects.filter(pcode=resolution.pcode).first()
        if unit:
            return unit
    raise ValidationError(
        _("No single township matches “%(text)s”. Pick one from the list."),
        params={"text": text},
    )


# With JavaScript, htmx asks the server as the person types and lists the matches under the
# box (townships_matching) as an ARIA listbox the arrow keys move through (static/web/picker.js);
# without it, the <datalist> of every township does the same job.
PICKER_ATTRS = {
    "list": "townships",
    "autocomplete": "off",
    "role": "combobox",
    "aria-autocomplete": "list",
    "aria-expanded": "false",
    "aria-controls": "township-listbox",
    "hx-get": reverse_lazy("web:township_search"),
    "hx-trigger": "input changed delay:300ms, search",
    "hx-target": "#township-results",
    "hx-sync": "this:replace",
}


class TownshipField(forms.CharField):
    widget = forms.TextInput(attrs=PICKER_ATTRS)

    def clean(self, value: Any) -> AdminUnit | None:
        value = super().clean(value)
        if not value:
            return None
        return find_township(value)


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})

    def clean(self, value: Any) -> dt.date | None:
        value = super().clean(value)
        if not value:
            return None
        # Whatever a person types for a month lands in that month: 2026-05, May 2026,
        # 17/05/2026 — read as the importer reads it; the record rules bound the year.
        try:
            return values.month(value, window=False)
        except values.CellError:
            raise ValidationError(_("Enter a month as YYYY-MM.")) from None


def validate_on_change(form: forms.Form, url: str) -> forms.Form:
    """Have htmx post the form to ``url`` when a field changes and show that field's errors.

    The township picker is left out: its own live search already says what matches.
    """
    for field in form.fields.values():
        if isinstance(field, TownshipField):
            continue
        field.widget.attrs.update(
            {
                "hx-post": url,
                "hx-trigger": "change",
                "hx-target": "closest .field",
                "hx-swap": "outerHTML",
                "hx-sync": "closest form:queue last",
            }
        )
    return form


def add_problems(form: forms.Form, problems: list[Problem]) -> None:
    """The record rules' problems as the form's errors, each on its field (the township's on
    the picker). A field that already failed to read keeps its own error only."""
    for problem in problems:
        name = "township" if problem.field == "admin_unit" else problem.field
        error = ValidationError(problem.message, code=problem.code)
        if name == NON_FIELD_ERRORS or name not in form.fields:
            if not form.errors:
                form.add_error(None, error)
        elif name not in form.errors:
            form.add_error(name, error)


def rule_values(data: dict, names: tuple[str, ...]) -> dict[str, Any]:
    """A form's cleaned data as the rules read it: the township as its p-code and level."""
    unit = data.get("township")
    found = {name: data.get(name) for name in names}
    found["admin_unit"] = unit.pcode if unit else None
    found["level"] = unit.level if unit else None
    return found


class ConfirmField(forms.BooleanField):
    """ "Save it anyway": shown once the record was refused for a problem the person may
    confirm, a likely duplicate or a jump against the last figure (decision 0215)."""

    def __init__(self) -> None:
        super().__init__(
            label=_("I have checked: the numbers are right, save it anyway"), required=False
        )


class ConfirmMixin:
    """A form with a ``confirm = ConfirmField()``: the page shows the box only when needed."""

    def confirm_shown(self) -> bool:
        """Refused for a problem the person may confirm, or confirmed already."""
        form: Any = self
        if form.is_bound and form.data.get("confirm"):
            return True
        return any(
            error.code in CONFIRMABLE
            for errors in form.errors.as_data().values()
            for error in errors
        )


class UnicodeTextMixin:
    """Runs every free-text field through the Zawgyi check."""

    text_fields: tuple[str, ...] = ()

    def clean(self) -> dict:
        data = super().clean()  # type: ignore[misc]
        for name in self.text_fields:
            if data.get(name):
                try:
                    data[name] = unicode_text(data[name])
                except ValidationError as exc:
                    self.add_error(name, exc)  # type: ignore[attr-defined]
        return data


def state_choices() -> list[tuple[str, StrOrPromise]]:
    # Not the boundaries: decoding the states' GeoJSON took half a second of every list page.
    states = AdminUnit.objects.filter(level=Level.STATE).order_by("name_en")
    states = states.only("pcode", "name_en", "name_my")
    return [("", _("All states/regions"))] + [
        (s.pcode, f"{s.name_en} {s.name_my}".strip()) for s in states
    ]


def sector_choices(blank: Any = None) -> list[tuple[str, Any]]:
    return [("", blank or _("All sectors")), *Sector.choices]


class FilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State/region"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    start = MonthField(label=_("From month"), required=False)
    end = MonthField(label=_("To month"), required=False)
    map = forms.ChoiceField(label=_("Map shows"), choices=MAP_LAYERS, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "state", forms.ChoiceField).choices = state_choices()
        form_field(self, "sector", forms.ChoiceField).choices = sector_choices()


class GapFilterForm(forms.Form):
    month = MonthField(label=_("Month"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    state = forms.ChoiceField(label=_("State/region"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "state", forms.ChoiceField).choices = state_choices()
        form_field(self, "sector", forms.ChoiceField).choices = sector_choices()


class ListFilterForm(forms.Form):
    """A list page's filters: each field chosen narrows the rows by its lookup in ``lookups``."""

    lookups: ClassVar[dict[str, str]] = {}

    def narrow(self, rows: QuerySet[ModelT]) -> QuerySet[ModelT]:
        """The rows the filters chose (all of them when the form does not validate)."""
        data = chosen(self)
        return rows.filter(
            **{lookup: data[name] for name, lookup in self.lookups.items() if data.get(name)}
        )


class IncidentFilterForm(ListFilterForm):
    lookups: ClassVar[dict[str, str]] = {
        "state": "admin_unit__pcode__startswith",
        "incident_type": "incident_type",
        "start": "occurred_on__gte",
        "end": "occurred_on__lte",
    }

    state = forms.ChoiceField(label=_("State/region"), required=False)
    incident_type = forms.ChoiceField(label=_("Type"), required=False)
    start = forms.DateField(
        label=_("From date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "state", forms.ChoiceField).choices = state_choices()
        form_field(self, "incident_type", forms.ChoiceField).choices = [
            ("", _("All types")),
            *IncidentType.choices,
        ]


class ActivityFilterForm(ListFilterForm):
    lookups: ClassVar[dict[str, str]] = {
        "state": "admin_unit__pcode__startswith",
        "sector": "sector",
        "month": "reporting_month",
    }

    state = forms.ChoiceField(label=_("State/region"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    month = MonthField(label=_("Month"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "state", forms.ChoiceField).choices = state_choices()
        form_field(self, "sector", forms.ChoiceField).choices = sector_choices()


class ActivityForm(ConfirmMixin, UnicodeTextMixin, forms.Form):
    text_fields = ("notes", "village_tract", "village", "donor")

    organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("Organisation"), queryset=None
    )
    township = TownshipField(label=_("Township"), help_text=_("Type in English or Burmese."))
    reporting_month = MonthField(
        label=_("Reporting month"),
        required=False,
        help_text=_("Leave empty to count the activity in the month it started."),
    )
    start_date = forms.DateField(
        label=_("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    # Not required: a form posted without it (an older page, a script) records "ongoing".
    status = forms.ChoiceField(
        label=_("Status"), choices=Status.choices, initial=Status.ONGOING, required=False
    )
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    modality = forms.ChoiceField(label=_("Modality"), choices=Modality.choices)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=Channel.choices, initial=Channel.IN_COUNTRY
    )
    women = forms.IntegerField(label=_("Women"), min_value=0, initial=0)
    men = forms.IntegerField(label=_("Men"), min_value=0, initial=0)
    girls = forms.IntegerField(label=_("Girls"), min_value=0, initial=0)
    boys = forms.IntegerField(label=_("Boys"), min_value=0, initial=0)
    unspecified = forms.IntegerField(
        label=_("Sex and age not known"), min_value=0, initial=0, required=False
    )
    elderly_women = forms.IntegerField(
        label=_("Of the women: aged 60 or older"),
        min_value=0,
        required=False,
        help_text=_("Leave empty if not reported."),
    )
    elderly_men = forms.IntegerField(
        label=_("Of the men: aged 60 or older"),
        min_value=0,
        required=False,
        help_text=_("Leave empty if not reported."),
    )
    disabled = forms.IntegerField(
        label=_("Of all reached: people with disabilities"),
        min_value=0,
        required=False,
        help_text=_("Leave empty if not reported."),
    )
    households = forms.IntegerField(label=_("Households"), min_value=0, required=False)
    conditionality = forms.ChoiceField(
        label=_("Cash or voucher: conditional?"),
        choices=[("", _("Not cash or voucher / not known")), *Conditionality.choices],
        required=False,
    )
    donor = forms.CharField(label=_("Donor"), max_length=200, required=False)
    village_tract = forms.CharField(
        label=_("Village tract or ward"),
        max_length=200,
        required=False,
        help_text=_("Protected: stored encrypted, never shared outside your organisation."),
    )
    village = forms.CharField(
        label=_("Village"),
        max_length=200,
        required=False,
        help_text=_("Protected: stored encrypted, never shared outside your organisation."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirm = ConfirmField()

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_organisations(self, organisations)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("unspecified") is None:
            data["unspecified"] = 0
        data["status"] = data.get("status") or Status.ONGOING
        names = (*COUNTS, "reporting_month", "start_date", "end_date", "status")
        add_problems(self, activity_problems(rule_values(data, names)))
        if not self.errors:
            total = sum(data.get(k) or 0 for k in ("women", "men", "girls", "boys", "unspecified"))
            for name, reason in reach_problems(
                women=data.get("women") or 0,
                men=data.get("men") or 0,
                total=total,
                elderly_women=data.get("elderly_women"),
                elderly_men=data.get("elderly_men"),
                disabled=data.get("disabled"),
            ):
                self.add_error(name, reason)
            problem = conditionality_problem(
                data.get("modality", ""), data.get("conditionality", "")
            )
            if problem:
                self.add_error("conditionality", problem)
        return data


class SourceFields(forms.Form):
    source: forms.ModelChoiceField[Source] = forms.ModelChoiceField(
        label=_("Source"), queryset=None, required=False
    )
    source_title = forms.CharField(label=_("Or a new source: title"), required=False)
    source_publisher = forms.CharField(label=_("Publisher"), required=False)
    source_reliability = forms.ChoiceField(
        label=_("Reliability"), choices=Reliability.choices, initial=Reliability.F
    )

    organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("Reporting organisation"), queryset=None
    )

    def __init__(self, *args: Any, sources: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "source", forms.ModelChoiceField).queryset = sources
        offer_organisations(self, organisations)

    def clean(self) -> dict:
        data = super().clean() or {}
        for name in ("source_title", "source_publisher"):
            if data.get(name):
                data[name] = unicode_text(data[name])
        if not data.get("source") and not data.get("source_title"):
            self.add_error("source", _("Choose a source or give a new one's title."))
        return data


class FigureForm(ConfirmMixin, UnicodeTextMixin, SourceFields):
    text_fields = ("notes",)

    township = TownshipField(label=_("Township"), help_text=_("Type in English or Burmese."))
    as_of = forms.DateField(label=_("As of"), widget=forms.DateInput(attrs={"type": "date"}))
    idps = forms.IntegerField(label=_("IDPs"), min_value=0)
    people_in_need = forms.IntegerField(label=_("People in need"), min_value=0, required=False)
    refugees = forms.IntegerField(label=_("Refugees"), min_value=0, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirm = ConfirmField()
    field_order = [
        "organisation",
        "township",
        "as_of",
        "idps",
        "people_in_need",
        "refugees",
        "source",
        "source_title",
        "source_publisher",
        "source_reliability",
        "notes",
    ]

    def clean(self) -> dict:
        data = super().clean()
        add_problems(self, figure_problems(rule_values(data, (*FIGURE_COUNTS, "as_of"))))
        return data


class IncidentForm(UnicodeTextMixin, SourceFields):
    text_fields = ("description",)

    occurred_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    incident_type = forms.ChoiceField(label=_("Type"), choices=IncidentType.choices)
    township = TownshipField(label=_("Township"), help_text=_("Type in English or Burmese."))
    fatalities = forms.IntegerField(label=_("Killed"), min_value=0, initial=0)
    injuries = forms.IntegerField(label=_("Injured"), min_value=0, initial=0)
    detained = forms.IntegerField(label=_("Detained"), min_value=0, initial=0)
    description = forms.CharField(
        label=_("What happened"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    verification = forms.ChoiceField(
        label=_("Verification"),
        choices=Verification.choices,
        initial=Verification.UNVERIFIED,
        required=False,
    )
    field_order = [
        "organisation",
        "occurred_on",
        "incident_type",
        "township",
        "fatalities",
        "injuries",
        "detained",
        "description",
        "verification",
        "source",
        "source_title",
        "source_publisher",
        "source_reliability",
    ]

    def clean(self) -> dict:
        data = super().clean()
        add_problems(self, incident_problems(rule_values(data, (*INCIDENT_COUNTS, "occurred_on"))))
        data["verification"] = data.get("verification") or Verification.UNVERIFIED
        return data


UPLOAD_FORMATS = [
    ("", _("Tell from the file")),
    ("hxl", _("HXL-tagged CSV or XLSX")),
    ("kobo-csv", _("KoBoToolbox/ODK submissions, CSV")),
    ("kobo-json", _("KoBoToolbox/ODK submissions, JSON")),
    ("acled", _("ACLED event CSV")),
]
UPLOAD_KINDS = [
    ("", _("Tell from the file")),
    ("activities", _("4W activities")),
    ("figures", _("Displacement figures")),
    ("incidents", _("Incidents")),
    ("grants", _("Grants (ledger)")),
    ("transfers", _("Transfers (ledger)")),
]
# The page holds a checked file until it is imported (web/uploads.py); bigger files go
# through `corridor import` or the API.
UPLOAD_MAX_BYTES = 50 * 1024 * 1024
# From this many rows the upload applies the valid rows and holds the others for review
# (decision 0205); smaller files are all or nothing unless the person asks.
WEB_PARTIAL_ROWS = 100


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "HXL, ACLED or KoBoToolbox files as CSV or XLSX, KoBoToolbox JSON, or a sheet with "
            "its own headers (you say which column holds what on the next step); at most 50 MB."
        ),
    )
    format = forms.ChoiceField(label=_("Format"), choices=UPLOAD_FORMATS, required=False)
    kind = forms.ChoiceField(label=_("What the rows are"), choices=UPLOAD_KINDS, required=False)
    organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=None,
        help_text=_(
            "Rows that name no organisation are recorded for this one; a row naming another "
            "is recorded for that one, if you may report for it."
        ),
    )
    key = forms.CharField(
        label=_("Columns that identify a record"),
        required=False,
        max_length=500,
        help_text=_(
            "Optional, separated by commas (e.g. Village, Activity, Month). Without them a "
            "row is told apart by its record id column, or else by all of its values."
        ),
    )
    replace = forms.BooleanField(
        label=_("This file replaces what it covers"),
        required=False,
        help_text=_(
            "Records of the organisation and months this file covers that it no longer "
            "contains are removed. The check shows them before anything changes."
        ),
    )
    partial = forms.BooleanField(
        label=_("Hold rows with problems for review"),
        required=False,
        help_text=format_lazy(
            _(
                "The valid rows are imported and the others wait in the review list, where "
                "you fix or drop them. Files of {rows} rows or more are always imported this "
                "way; otherwise any problem and nothing is imported."
            ),
            rows=WEB_PARTIAL_ROWS,
        ),
    )

    def __init__(
        self, *args: Any, organisations: Any, organisation_required: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if organisation_required:
            offer_organisations(self, organisations)
        else:
            form_field(self, "organisation", forms.ModelChoiceField).queryset = organisations
            # Coordinators: a cluster-wide file names each row's organisation (decision 0160).
            self.fields["organisation"].required = False
            self.fields["organisation"].help_text = _(
                "Optional when the file has an organisation column: each row is recorded for "
                "the organisation it names. Rows that name none are recorded for this one."
            )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise ValidationError(
                _("The file is larger than 50 MB. Import it with `corridor import` instead.")
            )
        return upload
