"""Records as rows for the internal export: field name -> value, in the exchange fields' words.

Internal files only: sharing files hold no records (exchange/sharing.py). Who asks decides
what is in a row: rows the user may not export are left out; an organisation that is not
public is named, with its id, only for people who may see its protected fields (others get
its public label, disclosure.public_org_label); exact coordinates and an activity's village
tract and village follow the same rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from corridor.accounts import policy
from corridor.aid.models import Activity
from corridor.disclosure.records import NOT_NAMED, public_org_label
from corridor.geo.models import AdminUnit
from corridor.orgs.models import Organisation
from corridor.situation.models import DisplacementFigure, Incident


class Places:
    """State, district and township p-codes and names of places, read once."""

    def __init__(self) -> None:
        self.units = {
            p: (lv, parent, name)
            for p, lv, parent, name in AdminUnit.objects.values_list(
                "pcode", "level", "parent_id", "name_en"
            )
        }

    def columns(self, pcode: str) -> dict[str, str]:
        found: dict[str, str] = {}
        current: str | None = pcode
        while current and current in self.units:
            level, parent, name = self.units[current]
            found[f"adm{level}_code"] = current
            found[f"adm{level}_name"] = name
            current = parent
        return found


class _Labels:
    def __init__(self, by: Any) -> None:
        self.by = by
        self.cache: dict[Any, tuple[str, str]] = {}

    def org(self, org: Organisation | None) -> dict[str, str]:
        if org is None:
            return {}
        found = self.cache.get(org.pk)
        if found is None:
            protected_ok = self.by is None or policy.can(self.by, policy.VIEW_PROTECTED, org)
            if org.visibility == "public" or protected_ok:
                found = (org.name, str(org.pk))
            else:
                found = (public_org_label(org) or NOT_NAMED, "")
            self.cache[org.pk] = found
        name, code = found
        return {"org": name, **({"org_code": code} if code else {})}


def _allowed(by: Any, obj: Any) -> bool:
    return by is None or policy.can(by, policy.EXPORT, obj)


def _sources(obj_sources: list[Any]) -> dict[str, list[Any]]:
    return {
        "source_title": [s.title for s in obj_sources],
        "source_publisher": [s.publisher for s in obj_sources],
        "source_url": [s.url for s in obj_sources],
        "source_date": [s.published_on.isoformat() if s.published_on else "" for s in obj_sources],
        "source_reliability": [s.reliability for s in obj_sources],
    }


def _date(value: Any) -> str:
    return value.isoformat() if value else ""


def _activity_rows(
    by: Any, organisation: Organisation | None, places: Places, labels: _Labels
) -> Iterator[dict[str, Any]]:
    query = Activity.objects.select_related("organisation").order_by(
        "reporting_month", "start_date", "admin_unit_id", "id"
    )
    if organisation:
        query = query.filter(organisation=organisation)
    for a in query:
        if not _allowed(by, a):
            continue
        yield {
            "id": str(a.pk),
            **labels.org(a.organisation),
            "sector": a.sector,
            "modality": a.modality,
            "channel": a.channel,
            "status": a.status,
            **places.columns(a.admin_unit_id),
            "reporting_month": a.reporting_month.strftime("%Y-%m") if a.reporting_month else "",
            "start_date": _date(a.start_date),
            "end_date": _date(a.end_date),
            "women": a.women,
            "men": a.men,
            "girls": a.girls,
            "boys": a.boys,
            "unspecified": a.unspecified,
            "total": a.people_reached,
            "households": a.households,
            "value": str(a.value) if a.value is not None else "",
            "currency": a.currency,
            "notes": a.notes,
            "elderly_women": a.elderly_women,
            "elderly_men": a.elderly_men,
            "disabled": a.disabled,
            "donor": a.donor,
            "conditionality": a.conditionality,
            # Below the township: only for members of the activity's organisation (0167).
            **(
                {"village_tract": a.village_tract, "village": a.village}
                if by is None or policy.can(by, policy.VIEW_PROTECTED, a)
                else {}
            ),
        }


def _figure_rows(
    by: Any, organisation: Organisation | None, places: Places, labels: _Labels
) -> Iterator[dict[str, Any]]:
    query = DisplacementFigure.objects.select_related("source", "reporting_organisation").order_by(
        "as_of", "admin_unit_id", "id"
    )
    if organisation:
        query = query.filter(reporting_organisation=organisation)
    for f in query:
        if not _allowed(by, f):
            continue
        yield {
            "id": str(f.pk),
            **places.columns(f.admin_unit_id),
            "as_of": _date(f.as_of),
            "idps": f.idps,
            "refugees": f.refugees,
            "people_in_need": f.people_in_need,
            "sector": f.sector,
            "valid_from": _date(f.valid_from),
            "valid_to": _date(f.valid_to),
            **_sources([f.source]),
            **labels.org(f.reporting_organisation),
            "notes": f.notes,
        }


def _incident_rows(
    by: Any, organisation: Organisation | None, places: Places, labels: _Labels
) -> Iterator[dict[str, Any]]:
    query = (
        Incident.objects.select_related("reporting_organisation")
        .prefetch_related("sources")
        .order_by("occurred_on", "admin_unit_id", "id")
    )
    if organisation:
        query = query.filter(reporting_organisation=organisation)
    for i in query:
        if not _allowed(by, i):
            continue
        exact = by is None or policy.can(by, policy.VIEW_PROTECTED, i)
        sources = sorted(i.sources.all(), key=lambda s: (s.title, s.publisher, s.url))
        yield {
            "id": str(i.pk),
            "occurred_on": _date(i.occurred_on),
            "incident_type": i.incident_type,
            **places.columns(i.admin_unit_id),
            "latitude": i.latitude if exact else None,
            "longitude": i.longitude if exact else None,
            "fatalities": i.fatalities,
            "injuries": i.injuries,
            "detained": i.detained,
            "description": i.description,
            "sub_event_type": i.sub_event_type,
            "geo_precision": i.geo_precision,
            **_sources(sources),
            **labels.org(i.reporting_organisation),
        }


_ROWS = {"activities": _activity_rows, "figures": _figure_rows, "incidents": _incident_rows}


def export_records(
    kind: str, *, by: Any, organisation: Organisation | None
) -> list[dict[str, Any]]:
    """The rows of one table the user may export, as field name -> value."""
    return list(_ROWS[kind](by, organisation, Places(), _Labels(by)))
