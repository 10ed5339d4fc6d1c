"""One builder per kind of table: a validated row in, the row's database values out.

A builder reads fields through ``Row.get`` and the ``Context`` helpers, and returns the values
in the order of its kind's ``columns``, or None when the row has errors. The record rules are
each record type's own (``aid.rules``, ``situation.rules``): functions of values, asked here
and by the batch path (batches.py), the model, the forms and the API alike (docs/rules.md).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext as _

from corridor.aid.models import Activity
from corridor.aid.rules import (
    activity_problems,
    reach_unspecified,
    reporting_month_of,
)
from corridor.core.rules import Problem
from corridor.exchange import values
from corridor.exchange.formats.acled import incident_type_for
from corridor.exchange.kinds.choices import (
    CHANNELS,
    INCIDENT_TYPES,
    LAT_RANGE,
    LON_RANGE,
    MODALITIES,
    SECTORS,
    STATUSES,
)
from corridor.exchange.kinds.context import Context
from corridor.exchange.table import Row
from corridor.situation.models import DisplacementFigure, Incident
from corridor.situation.rules import figure_problems, incident_problems

PLACE_FIELDS = ("adm3_code", "adm3_name", "adm2_code", "adm2_name", "adm1_code", "adm1_name")


def report(row: Row, problems: list[Problem]) -> None:
    """The record rules' problems as the row's errors, each on the column it came from.

    A field whose cell did not read has its own error already; a problem of the whole row
    (nobody reached) is reported only when its cells all read.
    """
    failed = {error.column for error in row.errors}
    any_failed = bool(row.errors)
    for problem in problems:
        if problem.field == "admin_unit":
            name = next((n for n in PLACE_FIELDS if row.get(n)), "adm3_code")
        elif problem.field == NON_FIELD_ERRORS:
            if not any_failed:
                row.error("", problem.message, "")
            continue
        else:
            name = problem.field
        if row.table.label(name) not in failed:
            row.error(name, problem.message)


def place_level(ctx: Context, pcode: str | None) -> int | None:
    unit = ctx.resolver.units.get(pcode) if pcode else None
    return unit.level if unit else None


def build_activity(row: Row, ctx: Context) -> tuple | None:
    org = ctx.org(row, required=True, model=Activity)
    sector = ctx.choice(row, "sector", SECTORS)
    modality = ctx.choice(row, "modality", MODALITIES)
    channel = ctx.choice(row, "channel", CHANNELS, default="in_country")
    status = ctx.choice(row, "status", STATUSES, default="ongoing")
    pcode = ctx.place(row, township_only=True)
    month = ctx.month(row, "reporting_month")
    start = ctx.date(row, "start_date")
    end = ctx.date(row, "end_date")
    women = ctx.count(row, "women")
    men = ctx.count(row, "men")
    girls = ctx.count(row, "girls")
    boys = ctx.count(row, "boys")
    unspecified = ctx.count(row, "unspecified")
    total = ctx.count(row, "total", default=None)
    if total is not None and not row.errors:
        unspecified, problem = reach_unspecified(
            women + men + girls + boys,  # type: ignore[operator]
            unspecified,  # type: ignore[arg-type]
            unspecified_given=bool(row.get("unspecified")),
            total=total,
        )
        if problem:
            row.error("total", problem.message)
    households = ctx.count(row, "households", default=None)
    value: Decimal | None = None
    raw_value = row.get("value")
    if raw_value:
        try:
            value = values.decimal(raw_value)
        except values.CellError as exc:
            row.error("value", str(exc), raw_value)
    currency = row.get("currency").upper()
    rule_values = {
        "admin_unit": pcode,
        "level": place_level(ctx, pcode),
        "reporting_month": month,
        "start_date": start,
        "end_date": end,
        "status": status,
        "women": women,
        "men": men,
        "girls": girls,
        "boys": boys,
        "unspecified": unspecified,
        "households": households,
        "value": value,
        "currency": currency,
    }
    report(row, activity_problems(rule_values, now=ctx.today))
    notes = values.text(row.get("notes"))
    if row.errors:
        return None
    # The key of the row as given (a re-import of an older file finds its records), the
    # month counted in as the rules put it.
    natural = f"{sector}|{modality}|{channel}|{pcode}|{month}|{start}|{end}"
    record = ctx.stable_id(row, natural, scope=org or "")
    month = reporting_month_of(month, start)
    return (
        record,
        org,
        sector,
        modality,
        channel,
        pcode,
        month,
        start,
        end,
        status,
        women,
        men,
        girls,
        boys,
        unspecified,
        households,
        value,
        currency if value is not None or currency else "",
        notes,
    )


def build_figure(row: Row, ctx: Context) -> tuple | None:
    pcode = ctx.place(row, township_only=False)
    as_of = ctx.date(row, "as_of", required=True)
    idps = ctx.count(row, "idps", default=None)
    if idps is None and not row.get("idps"):
        row.error("idps", _("the number of IDPs is required"))
    refugees = ctx.count(row, "refugees", default=None)
    pin = ctx.count(row, "people_in_need", default=None)
    org = ctx.org(row, required=False, model=DisplacementFigure)
    sources = ctx.source_ids(row, required=True)
    if len(sources) > 1:
        row.error("source_title", _("a displacement figure cites exactly one source"))
    notes = values.text(row.get("notes"))
    counts = {"idps": idps, "refugees": refugees, "people_in_need": pin}
    level = place_level(ctx, pcode)
    report(row, figure_problems({**counts, "admin_unit": pcode, "level": level, "as_of": as_of}))
    if row.errors:
        return None
    record = ctx.stable_id(row, f"{pcode}|{as_of}|{sources[0]}")
    return (record, pcode, as_of, idps, refugees, pin, sources[0], notes, org)


def build_incident(row: Row, ctx: Context) -> tuple | None:
    occurred = ctx.date(row, "occurred_on", required=True)
    fatalities = ctx.count(row, "fatalities")
    if row.get("incident_type"):
        kind = ctx.choice(row, "incident_type", INCIDENT_TYPES)
    elif row.get("acled_event_type") or row.get("acled_sub_event_type"):
        kind = incident_type_for(
            row.get("acled_event_type"),
            row.get("acled_sub_event_type"),
            fatalities=fatalities or 0,
            notes=row.get("description"),
        )
    else:
        kind = ctx.choice(row, "incident_type", INCIDENT_TYPES)
    pcode = ctx.place(row, township_only=False)
    lat = lon = None
    raw_lat, raw_lon = row.get("latitude"), row.get("longitude")
    if raw_lat or raw_lon:
        try:
            lat, lon = values.coordinate(raw_lat), values.coordinate(raw_lon)
        except values.CellError as exc:
            row.error("latitude" if not _is_float(raw_lat) else "longitude", str(exc))
        else:
            if not (LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]):
                row.error(
                    "latitude", _("%(lat)s, %(lon)s is not in Myanmar") % {"lat": lat, "lon": lon}
                )
    injuries = ctx.count(row, "injuries")
    detained = ctx.count(row, "detained")
    description = values.text(row.get("description"))
    extra = [f"Actor: {values.text(a)}" for a in row.all("acled_actors") if a]
    location = values.text(row.get("acled_location"))
    if location:
        extra.insert(0, f"Location: {location}")
    if extra:
        description = "\n".join([description, *extra]) if description else "\n".join(extra)
    org = ctx.org(row, required=False, model=Incident)
    joined = row.get("acled_sources")
    # ACLED lists several sources in one cell, separated by semicolons.
    names = [values.text(n) for n in joined.split(";") if n.strip()] if joined else None
    sources = ctx.source_ids(row, required=False, names=names)
    rule_values = {
        "admin_unit": pcode,
        "level": place_level(ctx, pcode),
        "occurred_on": occurred,
        "fatalities": fatalities,
        "injuries": injuries,
        "detained": detained,
    }
    report(row, incident_problems(rule_values))
    if row.errors:
        return None
    record = ctx.stable_id(row, f"{occurred}|{kind}|{pcode}|{lat}|{lon}")
    return (
        record,
        occurred,
        kind,
        pcode,
        lat,
        lon,
        fatalities,
        injuries,
        detained,
        description,
        org,
        tuple(sources),
    )


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
