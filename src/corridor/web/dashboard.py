"""What the dashboard shows, computed from the viewer's scoped querysets.

Views render it, the CSV downloads write it: one computation, so the table under a chart and
its CSV can never disagree with the chart.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from corridor.aid.queries import activities_visible_to
from corridor.disclosure import PublishedTable, latest_public_month, publish_table
from corridor.gaps.queries import REACH, gap_table, month_start, next_month
from corridor.gaps.shared import shared_gap_table
from corridor.situation.models import Indicator
from corridor.situation.queries import figures_visible_to, incidents_visible_to
from corridor.web.numbers import number

NATIONAL_IDPS = "idps_total"


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date  # first day of the last month included
    state: str | None = None
    sector: str | None = None

    @property
    def until(self) -> dt.date:
        return next_month(self.end)

    def months(self) -> list[dt.date]:
        months, day = [], self.start
        while day <= self.end:
            months.append(day)
            day = next_month(day)
        return months


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    value: int | None
    source: str
    as_of: dt.date | None


@dataclass
class Series:
    key: str
    title: str
    points: list[tuple[dt.date, int | None]] = field(default_factory=list)


def _in_state(queryset: Any, state: str | None, field_name: str = "admin_unit__pcode") -> Any:
    return queryset.filter(**{f"{field_name}__startswith": state}) if state else queryset


def scoped(user: Any, filters: Filters) -> dict[str, Any]:
    activities = _in_state(activities_visible_to(user), filters.state)
    if filters.sector:
        activities = activities.filter(sector=filters.sector)
    return {
        "activities": activities,
        "figures": _in_state(figures_visible_to(user), filters.state),
        "incidents": _in_state(incidents_visible_to(user), filters.state),
    }


def latest_figures(figures: Any, before: dt.date) -> dict[str, tuple[dt.date, int]]:
    """Per township, the latest IDP figure dated before ``before`` (ties: the larger)."""
    latest: dict[str, tuple[dt.date, int]] = {}
    rows = figures.filter(as_of__lt=before, admin_unit__level=3).order_by()
    for pcode, as_of, idps in rows.values_list("admin_unit_id", "as_of", "idps"):
        held = latest.get(pcode)
        if held is None or (as_of, idps) > held:
            latest[pcode] = (as_of, idps)
    return latest


def headlines(user: Any, filters: Filters) -> list[Headline]:
    data = scoped(user, filters)
    out = []
    # National headline figures are published numbers, the same for every viewer.
    national = (
        Indicator.objects.filter(
            code=NATIONAL_IDPS, admin_unit__isnull=True, as_of__lt=filters.until
        )
        .select_related("source")
        .order_by("-as_of", "-value")
        .first()
        if not filters.state
        else None
    )
    if national:
        source = national.source.title
        if national.source.publisher:
            source = f"{national.source.publisher}: {source}"
        out.append(
            Headline(
                "idps", _("Internally displaced people"), national.value, source, national.as_of
            )
        )
    else:
        latest = latest_figures(data["figures"], filters.until)
        out.append(
            Headline(
                "idps",
                _("Internally displaced people"),
                sum(idps for _, idps in latest.values()) if latest else None,
                _("Sum of the latest township figures (%(count)s townships)")
                % {"count": number(len(latest))},
                max((as_of for as_of, _ in latest.values()), default=None),
            )
        )
    incidents = data["incidents"].filter(
        occurred_on__gte=filters.start, occurred_on__lt=filters.until
    )
    summary = incidents.aggregate(n=Count("id"), last=Max("occurred_on"))
    sources = incidents.values("sources").exclude(sources=None).distinct().count()
    out.append(
        Headline(
            "incidents",
            _("Incidents recorded"),
            summary["n"],
            _("Corridor incident records citing %(count)s sources") % {"count": number(sources)},
            summary["last"],
        )
    )
    activities = data["activities"].filter(
        reporting_month__gte=filters.start, reporting_month__lt=filters.until
    )
    reach = activities.aggregate(
        reached=Sum(REACH),
        orgs=Count("organisation_id", distinct=True),
        last=Max("reporting_month"),
    )
    out.append(
        Headline(
            "reached",
            _("People reached (sum of monthly reports)"),
            reach["reached"] or 0,
            _("4W reports from %(count)s organisations") % {"count": number(reach["orgs"])},
            reach["last"],
        )
    )
    out.append(
        Headline(
            "organisations",
            _("Organisations active"),
            reach["orgs"],
            _("Organisations with a 4W report in the period"),
            reach["last"],
        )
    )
    return out


def trends(user: Any, filters: Filters) -> list[Series]:
    data = scoped(user, filters)
    months = filters.months()
    idps = Series("idps", _("IDPs (latest township figures) by month"))
    by_month: dict[dt.date, dict[str, tuple[dt.date, int]]] = defaultdict(dict)
    rows = data["figures"].filter(
        as_of__gte=filters.start, as_of__lt=filters.until, admin_unit__level=3
    )
    for pcode, as_of, value in rows.order_by().values_list("admin_unit_id", "as_of", "idps"):
        bucket = by_month[month_start(as_of)]
        if pcode not in bucket or (as_of, value) > bucket[pcode]:
            bucket[pcode] = (as_of, value)
    for month in months:
        bucket = by_month.get(month)
        idps.points.append((month, sum(v for _, v in bucket.values()) if bucket else None))

    incidents = Series("incidents", _("Incidents by month"))
    counts = dict(
        data["incidents"]
        .filter(occurred_on__gte=filters.start, occurred_on__lt=filters.until)
        .annotate(month=TruncMonth("occurred_on"))
        .order_by()
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    incidents.points = [(m, counts.get(m, 0)) for m in months]

    reached = Series("reached", _("People reached by month"))
    sums = dict(
        data["activities"]
        .filter(reporting_month__gte=filters.start, reporting_month__lt=filters.until)
        .order_by()
        .values("reporting_month")
        .annotate(n=Sum(REACH))
        .values_list("reporting_month", "n")
    )
    reached.points = [(m, sums.get(m, 0) or 0) for m in months]
    return [idps, incidents, reached]


def map_values(user: Any, filters: Filters, layer: str) -> dict[str, float | None]:
    """Per township p-code, the value the map layer colours by."""
    data = scoped(user, filters)
    if layer == "incidents":
        return dict(
            data["incidents"]
            .filter(occurred_on__gte=filters.start, occurred_on__lt=filters.until)
            .order_by()
            .values("admin_unit_id")
            .annotate(n=Count("id"))
            .values_list("admin_unit_id", "n")
        )
    if layer == "coverage":
        table = gap_table(
            filters.end,
            activities=activities_visible_to(user),
            figures=figures_visible_to(user),
            sector=filters.sector,
            state=filters.state,
        )
        return {item.pcode: item.coverage for item in table.ranking}
    return {pcode: v for pcode, (_, v) in latest_figures(data["figures"], filters.until).items()}


# --- What the CSV downloads and the page API give: through the disclosure gate --------------
# One table per kind of count, over every state (and sector) and every month that may be
# published, suppressed once; each download cuts it. Cutting one table never lets two cuts be
# subtracted to recover a hidden figure: a state's month is a cell, the country's its column
# total, and a sum of cells is shown only when every cell in it is published.


@dataclass
class SharedSeries:
    key: str
    title: str
    # (month, value): an int, None when suppressed; months with no figure at all are left out.
    points: list[tuple[dt.date, int | None]] = field(default_factory=list)


def _state(pcode: str) -> str:
    return pcode[:6]


def _months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, day = [], first
    while day <= last:
        months.append(day)
        day = next_month(day)
    return months


def _published(table: PublishedTable, rows: list, month: dt.date, wanted: list) -> int | None:
    """The sum of the cells of ``wanted`` rows in ``month``: a figure when every cell is one."""
    if month not in table.columns:
        return 0
    values = [table.cell(row, month) if row in table.rows else 0 for row in wanted]
    if len(wanted) == len(rows) and set(wanted) == set(rows):
        return table.column_total(month)
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def shared_trends(user: Any, filters: Filters, today: dt.date) -> list[SharedSeries]:
    """The three trend series as they may be passed on: months up to the publication cutoff,
    counts through ``publish_table``; scoped to what ``user`` may see."""
    last = latest_public_month(today)
    months = [m for m in filters.months() if m <= last]
    everything = scoped(user, Filters(filters.start, filters.end))
    out = []

    # IDPs: per state and month, the sum of the latest figure of each township that month.
    latest: dict[tuple[str, dt.date], tuple[dt.date, int]] = {}
    rows = everything["figures"].filter(as_of__lt=next_month(last), admin_unit__level=3)
    for pcode, as_of, value in rows.order_by().values_list("admin_unit_id", "as_of", "idps"):
        key = (pcode, month_start(as_of))
        if key not in latest or (as_of, value) > latest[key]:
            latest[key] = (as_of, value)
    idps: dict[tuple[str, dt.date], int] = defaultdict(int)
    for (pcode, month), (_as_of, value) in latest.items():
        idps[(_state(pcode), month)] += value
    out.append(
        _shared_series(
            Series("idps", _("IDPs (latest township figures) by month")),
            idps,
            months,
            filters.state,
            last,
            only_with_data=True,
        )
    )

    incidents = (
        everything["incidents"]
        .filter(occurred_on__lt=next_month(last))
        .annotate(month=TruncMonth("occurred_on"))
        .order_by()
        .values("admin_unit_id", "month")
        .annotate(n=Count("id"))
        .values_list("admin_unit_id", "month", "n")
    )
    counts: dict[tuple[str, dt.date], int] = defaultdict(int)
    for pcode, month, n in incidents:
        counts[(_state(pcode), month_start(month))] += n
    out.append(
        _shared_series(
            Series("incidents", _("Incidents by month")), counts, months, filters.state, last
        )
    )

    reach = (
        everything["activities"]
        .filter(reporting_month__lt=next_month(last))
        .order_by()
        .values("admin_unit_id", "sector", "reporting_month")
        .annotate(n=Sum(REACH))
        .values_list("admin_unit_id", "sector", "reporting_month", "n")
    )
    sums: dict[tuple[tuple[str, str], dt.date], int] = defaultdict(int)
    for pcode, sector, month, n in reach:
        sums[((_state(pcode), sector), month_start(month))] += n or 0
    out.append(
        _shared_series(
            Series("reached", _("People reached by month")),
            sums,
            months,
            filters.state,
            last,
            sector=filters.sector,
        )
    )
    return out


def _shared_series(
    series: Series,
    counts: dict[tuple[Any, dt.date], int],
    months: list[dt.date],
    state: str | None,
    last: dt.date,
    *,
    sector: str | None = None,
    only_with_data: bool = False,
) -> SharedSeries:
    rows = sorted({row for row, _month in counts})
    first = min((month for _row, month in counts), default=last)
    by_sector = bool(rows) and isinstance(rows[0], tuple)
    table = publish_table(
        counts,
        rows=rows,
        columns=_months_between(first, last),
        groups={row: row[0] for row in rows} if by_sector else None,
    )
    if by_sector:
        wanted = [
            r for r in rows if (not state or r[0] == state) and (not sector or r[1] == sector)
        ]
    else:
        wanted = [r for r in rows if not state or r == state]
    has_data = {month for row, month in counts if row in wanted}
    shared = SharedSeries(series.key, series.title)
    for month in months:
        if only_with_data and month not in has_data:
            continue
        if by_sector and state and not sector and month in table.columns and state in table.groups:
            value = table.group_cell(state, month)
        else:
            value = _published(table, rows, month, wanted)
        shared.points.append((month, value))
    return shared


def shared_map_values(
    user: Any, filters: Filters, layer: str, today: dt.date
) -> dict[str, int | float | None]:
    """Per township, the map layer's value as it may be passed on (None: suppressed).

    Incidents: the count over the period's months up to the cutoff, shown only when every
    month's count is published. IDPs: the latest figure before the period's last month that
    may be published. Coverage: from the shared gap table of that month.
    """
    last = min(filters.end, latest_public_month(today))
    everything = scoped(user, Filters(filters.start, filters.end))
    if layer == "coverage":
        table = shared_gap_table(
            last,
            today=today,
            activities=activities_visible_to(user),
            figures=figures_visible_to(user),
            sector=filters.sector,
            state=filters.state,
        )
        return {item.pcode: item.coverage for item in table.ranking}
    if layer == "incidents":
        rows = (
            everything["incidents"]
            .filter(admin_unit__level=3, occurred_on__lt=next_month(latest_public_month(today)))
            .annotate(month=TruncMonth("occurred_on"))
            .order_by()
            .values("admin_unit_id", "month")
            .annotate(n=Count("id"))
            .values_list("admin_unit_id", "month", "n")
        )
        counts = {(pcode, month_start(month)): n for pcode, month, n in rows}
        townships = sorted({pcode for pcode, _month in counts})
        first = min((month for _pcode, month in counts), default=last)
        table = publish_table(
            counts,
            rows=townships,
            columns=_months_between(first, latest_public_month(today)),
            groups={pcode: _state(pcode) for pcode in townships},
        )
        months = [m for m in filters.months() if m <= last and m in table.columns]
        values: dict[str, int | float | None] = {}
        for pcode in townships:
            if filters.state and _state(pcode) != filters.state:
                continue
            cells = [table.cell(pcode, m) for m in months]
            if any(cells):
                values[pcode] = None if None in cells else sum(c for c in cells if c is not None)
            elif None in cells:
                values[pcode] = None
        return values
    latest = latest_figures(everything["figures"], next_month(last))
    table = publish_table(
        {(pcode, "idps"): idps for pcode, (_as_of, idps) in latest.items()},
        rows=sorted(latest),
        columns=["idps"],
        groups={pcode: _state(pcode) for pcode in latest},
    )
    return {
        pcode: table.cell(pcode, "idps")
        for pcode in sorted(latest)
        if not filters.state or _state(pcode) == filters.state
    }
