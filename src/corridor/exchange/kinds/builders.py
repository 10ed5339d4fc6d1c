"""One builder per kind of table: a validated row in, the row's database values out.

A builder reads fields through ``Row.get`` and the ``Context`` helpers, and returns the values
in the order of its kind's ``columns``, or None when the row has errors. The 4W rules that span
several cells (``period_problems``, ``reach_unspecified``, ``currency_problem``) are functions of
values, so the batch path (batches.py) applies the very same rules.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from corridor.aid.models import Activity, conditionality_problem, reach_problems
from corridor.exchange import values
from corridor.exchange.formats.acled import incident_type_for, region_only
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
from corridor.exchange.kinds.context import Context
from corridor.exchange.table import Row
from corridor.situation.models import DisplacementFigure, Incident

# Village tract, village and donor: the model's max_length; an incident's sub-event type.
DETAIL_LENGTH = 200
SUB_EVENT_LENGTH = 64
# Said in the description of an event placed at its state or region only (decision 0168).
REGION_ONLY_NOTE = (
    "Place: only the state or region is known (geo precision 3); "
    "the township and coordinates of the source are not kept."
)


def period_problems(
    month: dt.date | None, start: dt.date | None, end: dt.date | None
) -> list[tuple[str, str]]:
    """(field, reason) for a 4W row's dates that do not make a period."""
    problems = []
    if month is None and start is None:
        problems.append(("reporting_month", _("a reporting month or a start date is required")))
    if start and end and end < start:
        problems.append(
            (
                "end_date",
                _("ends %(end)s before it starts %(start)s") % {"end": end, "start": start},
            )
        )
    return problems


def reach_unspecified(
    known: int, unspecified: int, *, unspecified_given: bool, total: int | None
) -> tuple[int, str | None]:
    """People reached without sex and age, squared with a total column: (count, problem).

    ``known`` is women + men + girls + boys. A total alone fills the people not broken down;
    a total beside a given "unspecified" must add up.
    """
    if total is None:
        return unspecified, None
    if not unspecified_given and total >= known:
        return total - known, None
    if total != known + unspecified:
        return unspecified, _("total %(total)s is not the sum of the columns (%(sum)s)") % {
            "total": total,
            "sum": known + unspecified,
        }
    return unspecified, None


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


def currency_problem(value: Decimal | None, currency: str) -> str | None:
    if value is not None and not (len(currency) == 3 and currency.isalpha() and currency.isascii()):
        return _("a value needs its ISO 4217 currency code (e.g. MMK, THB, USD)")
    return None


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
    for name, reason in period_problems(month, start, end):
        # A month that was given but unreadable has its own error already.
        if not (name == "reporting_month" and row.get("reporting_month")):
            row.error(name, reason)
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
            row.error("total", problem)
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
    problem = currency_problem(value, currency)
    if problem:
        row.error("currency", problem)
    notes = values.text(row.get("notes"))
    detail = place_detail_and_donor(row)
    conditionality = ctx.choice(row, "conditionality", CONDITIONALITIES, default="")
    problem = conditionality_problem(modality, conditionality)
    if problem and modality:
        row.error("conditionality", problem, row.get("conditionality"))
    if row.errors:
        return None
    natural = f"{sector}|{modality}|{channel}|{pcode}|{month}|{start}|{end}"
    record = ctx.stable_id(row, natural, scope=org or "")
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
        elderly_women,
        elderly_men,
        disabled,
        *detail,
        conditionality,
    )


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
    if row.errors:
        return None
    record = ctx.stable_id(row, f"{pcode}|{as_of}|{sources[0]}")
    return (record, pcode, as_of, idps, refugees, pin, sources[0], notes, org)


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
    org = ctx.org(row, required=False, model=Incident)
    joined = row.get("acled_sources")
    # ACLED lists several sources in one cell, separated by semicolons.
    names = [values.text(n) for n in joined.split(";") if n.strip()] if joined else None
    sources = ctx.source_ids(row, required=False, names=names)
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
        sub_event_type,
        precision,
        tuple(sources),
    )


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
