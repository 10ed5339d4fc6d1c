"""One builder per kind of table: a validated row in, the row's database values out.

A builder reads fields through ``Row.get`` and the ``Context`` helpers, and returns its kind's
``record`` (the values named by the kind's ``columns``), or None when the row has errors. The
record rules are each record type's own (``aid.rules``, ``situation.rules``): functions of
values, asked here and by the batch path (batches.py), the model, the forms and the API alike
(docs/rules.md).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext as _

from corridor.aid.models import conditionality_problem, reach_problems
from corridor.aid.rules import (
    activity_problems,
    reach_unspecified,
    reporting_month_of,
)
from corridor.core.rules import Problem
from corridor.exchange import values
from corridor.exchange.kinds.acled_events import incident_type_for, region_only
from corridor.exchange.kinds.choices import (
    CHANNELS,
    CONDITIONALITIES,
    INCIDENT_TYPES,
    LAT_RANGE,
    LON_RANGE,
    MODALITIES,
    SECTORS,
    STATUSES,
)
from corridor.exchange.kinds.columns import ACTIVITIES, FIGURES, INCIDENTS
from corridor.exchange.kinds.context import Context
from corridor.exchange.kinds.keys import content_of
from corridor.exchange.table import Row
from corridor.situation.rules import figure_problems, incident_problems

PLACE_FIELDS = ("adm3_code", "adm3_name", "adm2_code", "adm2_name", "adm1_code", "adm1_name")

# Village tract, village and donor: the model's max_length; an incident's sub-event type.
DETAIL_LENGTH = 200
SUB_EVENT_LENGTH = 64
# Said in the description of an event placed at its state or region only (decision 0168).
REGION_ONLY_NOTE = (
    "Place: only the state or region is known (geo precision 3); "
    "the township and coordinates of the source are not kept."
)


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


def elderly_in_bands(
    women: int,
    men: int,
    others: int,
    elderly_women: int | None,
    elderly_men: int | None,
    *,
    total: int | None,
) -> tuple[int, int]:
    """Women and men as stored, given a file's elderly columns (decision 0165).

    Cluster 5Ws report elderly women and men as age bands beside women and men aged 18-59,
    and their total adds all the bands; Corridor stores women and men of 18 and over with
    the elderly "of whom". So the elderly are added to women and men, unless the row's total
    is the sum without them (``others``: girls + boys + unspecified): then the file already
    counted them inside women and men.
    """
    elderly_w, elderly_m = elderly_women or 0, elderly_men or 0
    if not (elderly_w or elderly_m):
        return women, men
    if total is not None and total == women + men + others:
        return women, men
    return women + elderly_w, men + elderly_m


def build_activity(row: Row, ctx: Context) -> tuple | None:
    org = ctx.org(row, required=True)
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
    elderly_women = ctx.count(row, "elderly_women", default=None)
    elderly_men = ctx.count(row, "elderly_men", default=None)
    disabled = ctx.count(row, "disabled", default=None)
    if not row.errors:
        women, men = elderly_in_bands(
            women,  # type: ignore[arg-type]
            men,  # type: ignore[arg-type]
            girls + boys + unspecified,  # type: ignore[operator]
            elderly_women,
            elderly_men,
            total=total,
        )
    if total is not None and not row.errors:
        unspecified, problem = reach_unspecified(
            women + men + girls + boys,  # type: ignore[operator]
            unspecified,  # type: ignore[arg-type]
            unspecified_given=bool(row.get("unspecified")),
            total=total,
        )
        if problem:
            row.error("total", problem.message)
    if not row.errors:
        for name, reason in reach_problems(
            women=women,  # type: ignore[arg-type]
            men=men,  # type: ignore[arg-type]
            total=women + men + girls + boys + unspecified,  # type: ignore[operator]
            elderly_women=elderly_women,
            elderly_men=elderly_men,
            disabled=disabled,
        ):
            row.error(name, reason, row.get(name))
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
    detail = place_detail_and_donor(row)
    conditionality = ctx.choice(row, "conditionality", CONDITIONALITIES, default="")
    unconditional = conditionality_problem(modality, conditionality)
    if unconditional and modality:
        row.error("conditionality", unconditional, row.get("conditionality"))
    if row.errors:
        return None
    # The month counted in as the rules put it (a start date's month when none is given).
    month = reporting_month_of(month, start)
    stored = (
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
        elderly_women,
        elderly_men,
        disabled,
        *detail,
        conditionality,
    )
    return ACTIVITIES.record(ctx.stable_id(row, content_of(stored), scope=org or ""), *stored)


def place_detail_and_donor(row: Row) -> tuple[str, str, str]:
    """Village tract, village and donor as stored (free text, each at most 200 characters)."""
    found = []
    for name in ("village_tract", "village", "donor"):
        text = values.text(row.get(name))
        if len(text) > DETAIL_LENGTH:
            row.error(
                name,
                _("longer than %(n)s characters") % {"n": DETAIL_LENGTH},
                text[:40] + "…",
            )
        found.append(text)
    return found[0], found[1], found[2]


def build_figure(row: Row, ctx: Context) -> tuple | None:
    pcode = ctx.place(row, township_only=False)
    as_of = ctx.date(row, "as_of", required=True)
    # A sector's row gives that sector's people in need only (decision 0176).
    sector = ctx.choice(row, "sector", SECTORS) if row.get("sector") else ""
    idps = ctx.count(row, "idps", default=None)
    refugees = ctx.count(row, "refugees", default=None)
    pin = ctx.count(row, "people_in_need", default=None)
    if sector:
        if idps is not None or refugees is not None:
            row.error(
                "idps" if idps is not None else "refugees",
                _(
                    "a sector's row gives its people in need only; give IDPs on a row "
                    "without a sector"
                ),
            )
        if pin is None and not row.get("people_in_need"):
            row.error("people_in_need", _("a sector's row needs its people in need"))
    elif idps is None and not row.get("idps"):
        row.error("idps", _("the number of IDPs is required"))
    valid_from = ctx.date(row, "valid_from")
    valid_to = ctx.date(row, "valid_to")
    if (valid_from is None) != (valid_to is None) and not row.errors:
        missing = "valid_to" if valid_to is None else "valid_from"
        row.error(missing, _("a validity period needs both its first and its last day"))
    elif valid_from and valid_to and valid_to < valid_from:
        row.error("valid_to", _("the validity period ends before it starts"))
    elif valid_from and pin is None and not row.get("people_in_need"):
        row.error("people_in_need", _("a validity period is for people in need; give them"))
    org = ctx.org(row, required=False)
    sources = ctx.source_ids(row, required=True)
    if len(sources) > 1:
        row.error("source_title", _("a displacement figure cites exactly one source"))
    notes = values.text(row.get("notes"))
    counts = {"idps": idps, "refugees": refugees, "people_in_need": pin}
    level = place_level(ctx, pcode)
    report(row, figure_problems({**counts, "admin_unit": pcode, "level": level, "as_of": as_of}))
    if row.errors:
        return None
    # A figure is its place, date, source and sector (the table's unique key): no content
    # identity.
    natural = f"{pcode}|{as_of}|{sources[0]}" + (f"|{sector}" if sector else "")
    record = ctx.stable_id(row, natural)
    return FIGURES.record(
        record,
        pcode,
        as_of,
        idps,
        refugees,
        pin,
        sector,
        valid_from,
        valid_to,
        sources[0],
        notes,
        org,
    )


def build_incident(row: Row, ctx: Context) -> tuple | None:
    occurred = ctx.date(row, "occurred_on", required=True)
    fatalities = ctx.count(row, "fatalities")
    sub_event_type = values.text(row.get("sub_event_type"))
    if len(sub_event_type) > SUB_EVENT_LENGTH:
        row.error("sub_event_type", _("longer than %(n)s characters") % {"n": SUB_EVENT_LENGTH})
    if row.get("incident_type"):
        kind = ctx.choice(row, "incident_type", INCIDENT_TYPES)
    elif row.get("acled_event_type") or sub_event_type:
        kind = incident_type_for(
            row.get("acled_event_type"),
            sub_event_type,
            fatalities=fatalities or 0,
            notes=row.get("description"),
        )
    else:
        kind = ctx.choice(row, "incident_type", INCIDENT_TYPES)
    precision = geo_precision(row)
    # Known only within a larger part of a region: the state or region, no point (0168).
    vague = region_only(precision)
    pcode = ctx.place(row, township_only=False, up_to=1 if vague else 3)
    lat = lon = None
    raw_lat, raw_lon = ("", "") if vague else (row.get("latitude"), row.get("longitude"))
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
    if vague and REGION_ONLY_NOTE not in description:  # an exported file says it already
        extra.insert(0, REGION_ONLY_NOTE)
    if extra:
        description = "\n".join([description, *extra]) if description else "\n".join(extra)
    org = ctx.org(row, required=False)
    joined = row.get("acled_sources")
    # ACLED lists several sources in one cell, separated by semicolons.
    names = [values.text(n) for n in joined.split(";") if n.strip()] if joined else None
    sources = ctx.source_ids(row, required=False, names=names)
    rule_values = {
        "admin_unit": pcode,
        "level": place_level(ctx, pcode),
        "geo_precision": precision,
        "occurred_on": occurred,
        "fatalities": fatalities,
        "injuries": injuries,
        "detained": detained,
    }
    report(row, incident_problems(rule_values))
    if row.errors:
        return None
    stored = (
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
        sub_event_type,
        precision,
        tuple(sources),
    )
    return INCIDENTS.record(ctx.stable_id(row, content_of(stored)), *stored)


def geo_precision(row: Row) -> int | None:
    """How well the place is known: 1, 2 or 3 (ACLED's codes), None when not said."""
    raw = row.get("geo_precision")
    if not raw:
        return None
    found = raw.strip().removesuffix(".0")
    if found not in ("1", "2", "3"):
        row.error("geo_precision", _("a place precision is 1, 2 or 3 (ACLED's codes)"))
        return None
    return int(found)


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
