"""Single records and names in public outputs: organisations, places and the fields of a record.

Public record lists carry categories, a township, an ISO week and an organisation's public label;
never coordinates, free text, sources, people's names or counts. Counts reach the public only in
tables that passed ``publish_table``: a count in a record list could be subtracted from a
published table total to recover a suppressed cell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from corridor.disclosure.dates import (
    is_publishable,
    month_is_publishable,
    public_date,
    public_month,
)
from corridor.disclosure.gate import gate_passed
from corridor.disclosure.tables import DisclosureError
from corridor.geo.models import AdminUnit, Level
from corridor.orgs.models import Organisation, Visibility

#: How an organisation that may not be named is labelled where a label is unavoidable (a row
#: of a table by organisation that pools every unnamed organisation).
NOT_NAMED = "Organisations not named"

# Field rules. A field not listed in either place makes public_record refuse the record, so a
# new model field is never published before someone has decided it is safe.
CATEGORY = "category"  # a code from a closed list: shown as it is
PLACE = "place"  # an admin unit: its p-code, township level or coarser
ORGANISATION = "organisation"  # an Organisation: its public label, or NOT_NAMED
WEEK = "week"  # a date: its ISO week; the record is withheld when after the cutoff
MONTH = "month"  # a reporting month: YYYY-MM; withheld when the month ends after the cutoff

PUBLIC_FIELDS: dict[str, str] = {
    "incident_type": CATEGORY,
    "sector": CATEGORY,
    "modality": CATEGORY,
    "channel": CATEGORY,
    "status": CATEGORY,
    "kind": CATEGORY,
    "code": CATEGORY,
    "admin_unit": PLACE,
    "township": PLACE,
    "state": PLACE,
    "organisation": ORGANISATION,
    "reporting_organisation": ORGANISATION,
    "occurred_on": WEEK,
    "start_date": WEEK,
    "end_date": WEEK,
    "as_of": WEEK,
    "reporting_month": MONTH,
}

#: Fields dropped from every public record, with the reason they may never be public.
FORBIDDEN_FIELDS: dict[str, str] = {
    "id": "internal keys link a public row back to seized or leaked internal data",
    "pk": "internal keys link a public row back to seized or leaked internal data",
    "created_at": "entry times are finer than a week",
    "updated_at": "entry times are finer than a week",
    "created_by": "names the person who entered it",
    "updated_by": "names the person who changed it",
    "removed_at": "a removed record is not published; when it was removed is internal",
    "removed_by": "names the person who removed it",
    "removal_reason": "why a record was removed is internal, free text",
    "removed_via": "how a record was removed (by a person, by an import) is internal",
    "latitude": "exact site",
    "longitude": "exact site",
    "lat": "exact site",
    "lon": "exact site",
    "centroid_lat": "coordinates",
    "centroid_lon": "coordinates",
    "boundary": "coordinates",
    "geometry": "coordinates",
    "coordinates": "coordinates",
    "description": "free text can name people and places",
    "notes": "free text can name people and places",
    "label": "free text",
    "title": "free text",
    "sources": "incident sources are protected",
    "source": "incident sources are protected",
    "witnesses": "identifies people",
    "verification": "'verified' says the reporting organisation was on site (decision 0216)",
    "evidence": "identifies people and sites",
    "contact": "identifies people",
    "phone": "identifies people",
    "email": "identifies people",
    "fatalities": "counts only in suppressed tables",
    "injuries": "counts only in suppressed tables",
    "detained": "counts only in suppressed tables",
    "women": "counts only in suppressed tables",
    "men": "counts only in suppressed tables",
    "girls": "counts only in suppressed tables",
    "boys": "counts only in suppressed tables",
    "unspecified": "counts only in suppressed tables",
    "households": "counts only in suppressed tables",
    "idps": "counts only in suppressed tables",
    "refugees": "counts only in suppressed tables",
    "people_in_need": "counts only in suppressed tables",
    "valid_from": "goes with people in need (the shared gap table gives it in months)",
    "valid_to": "goes with people in need (the shared gap table gives it in months)",
    "value": "amounts only in suppressed tables; money routes are protected",
    "currency": "goes with the amount",
    "elderly_women": "counts only in suppressed tables",
    "elderly_men": "counts only in suppressed tables",
    "disabled": "counts only in suppressed tables",
    "village_tract": "below the township: points at a community (decision 0167)",
    "village": "below the township: points at a community (decision 0167)",
    "donor": "funders may not want to be named outside the network (decision 0167)",
    "sub_event_type": "free text as the source wrote it",
    "geo_precision": "not needed where places are township or coarser; kept internal",
    "conditionality": "programme detail for cash coordination; kept internal (decision 0166)",
}


def public_org_label(organisation: Organisation) -> str | None:
    """The name an organisation may carry in public: its name, its alias, or None (anonymous).

    None means: do not name it, and do not show it alone; count it (``public_organisations``)
    or pool it under NOT_NAMED.
    """
    if not isinstance(organisation, Organisation):
        raise DisclosureError(f"{organisation!r} is not an Organisation")
    if organisation.visibility == Visibility.PSEUDONYMOUS and not organisation.alias:
        raise DisclosureError("a pseudonymous organisation has no alias")
    return organisation.public_label


@dataclass(frozen=True)
class PublicOrganisations:
    """Organisations as they may be shown: labels of the nameable, a count of the others.

    ``not_named`` is None when it is between 1 and k-1: a small count says too much about who
    works where. Show no total of named + not named beside it, or the count comes back.
    """

    labels: tuple[str, ...]
    not_named: int | None


def public_organisations(
    organisations: Iterable[Organisation], *, k: int | None = None
) -> PublicOrganisations:
    """Split organisations into public labels (sorted, distinct) and a count of unnamed ones."""
    gate_passed("public_organisations")
    if k is None:
        from django.conf import settings

        k = settings.DISCLOSURE_K
    labels: set[str] = set()
    unnamed = 0
    seen: set = set()
    for organisation in organisations:
        if organisation.pk in seen:
            continue
        seen.add(organisation.pk)
        label = public_org_label(organisation)
        if label is None:
            unnamed += 1
        else:
            labels.add(label)
    return PublicOrganisations(
        labels=tuple(sorted(labels)), not_named=None if 0 < unnamed < k else unnamed
    )


def public_place(unit: AdminUnit | str) -> str:
    """The p-code a public output may carry for a place: township level or coarser."""
    if isinstance(unit, AdminUnit):
        if unit.level > Level.TOWNSHIP:
            raise DisclosureError(f"{unit.pcode} is finer than a township")
        return unit.pcode
    if isinstance(unit, str) and unit.startswith("MMR"):
        return unit
    raise DisclosureError(f"{unit!r} is not an admin unit or p-code")


def public_record(
    record: Mapping[str, Any], *, today: dt.date, delay_days: int | None = None
) -> dict[str, Any] | None:
    """A record reduced to what may be public, or None when it is too recent to publish.

    Takes a mapping of field name to value (e.g. ``model_to_dict`` output, with Organisation and
    AdminUnit objects in place of their ids). Forbidden fields are dropped; dates become ISO
    weeks (or months); places become p-codes; organisations become their public label or
    NOT_NAMED. A field with no rule raises DisclosureError: decide first, then add it to
    PUBLIC_FIELDS or FORBIDDEN_FIELDS.
    """
    gate_passed("public_record")
    public: dict[str, Any] = {}
    for name, value in record.items():
        if name in FORBIDDEN_FIELDS:
            continue
        rule = PUBLIC_FIELDS.get(name)
        if rule is None:
            raise DisclosureError(
                f"field {name!r} has no disclosure rule; add it to PUBLIC_FIELDS or "
                "FORBIDDEN_FIELDS in corridor/disclosure/records.py"
            )
        if value is None:
            public[name] = None
        elif rule == CATEGORY:
            if not isinstance(value, str):
                raise DisclosureError(f"field {name!r} holds {value!r}, not a code")
            public[name] = value
        elif rule == PLACE:
            public[name] = public_place(value)
        elif rule == ORGANISATION:
            if not isinstance(value, Organisation):
                raise DisclosureError(
                    f"field {name!r} holds {value!r}; pass the Organisation, not its id"
                )
            public[name] = public_org_label(value) or NOT_NAMED
        elif rule == WEEK:
            if not is_publishable(value, today, delay_days):
                return None
            public[name] = public_date(value)
        else:  # MONTH
            if not month_is_publishable(value, today, delay_days):
                return None
            public[name] = public_month(value)
    return public
