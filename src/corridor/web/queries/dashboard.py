"""What the dashboard shows, computed from the viewer's scoped querysets.

Views render it, the CSV downloads write it: one computation, so the table under a chart and
its CSV can never disagree with the chart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from corridor.aid.queries import (
    reach_visible_to,
)
from corridor.disclosure import (
    PublishedTable,
    latest_public_month,
    publication_cutoff,
    publish_table,
)
from corridor.gaps.queries import gap_table, month_start, next_month
from corridor.gaps.shared import shared_gap_table
from corridor.geo.models import AdminUnit, Level
from corridor.situation.models import Indicator
from corridor.situation.queries import (
    figures_visible_to,
    incidents_visible_to,
    latest_figures,
    latest_figures_each,
)
from corridor.web.numbers import month_label, number

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

    @property
    def last_day(self) -> dt.date:
        return self.until - dt.timedelta(days=1)

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
    # The period the figure covers, as the card says it ("Jan 2026 to Dec 2026", "as of ...").
    period: str = ""
    # The figure is dated before the period shown: the card says so.
    before_period: bool = False


@dataclass
class Series:
    key: str
    title: str
    points: list[tuple[dt.date, int | None]] = field(default_factory=list)


def _in_state(queryset: Any, state: str | None, field_name: str = "admin_unit__pcode") -> Any:
    return queryset.filter(**{f"{field_name}__startswith": state}) if state else queryset


def scoped(user: Any, filters: Filters) -> dict[str, Any]:
    # Activities are read through their monthly reach rollup (decision 0225): the period's
    # sums without reading every row.
    reach = _in_state(reach_visible_to(user), filters.state).filter(
        month__gte=filters.start, month__lt=filters.until
    )
    if filters.sector:
        reach = reach.filter(sector=filters.sector)
    return {
        "reach": reach,
        "figures": _in_state(figures_visible_to(user), filters.state),
        "incidents": _in_state(incidents_visible_to(user), filters.state),
    }


def _period_text(filters: Filters) -> str:
    return _("%(start)s to %(end)s") % {
        "start": month_label(filters.start),
        "end": month_label(filters.end),
    }


def _national_headline(
    national: Indicator, label: str, note: str, *, before_period: bool
) -> Headline:
    """The national IDP figure as the card shows it, ``note`` saying its day."""
    source = national.source.title
    if national.source.publisher:
        source = f"{national.source.publisher}: {source}"
    return Headline(
        "idps",
        label,
        national.value,
        source,
        national.as_of,
        note % {"day": national.as_of.isoformat()},
        before_period=before_period,
    )


def _idps_headline(data: dict[str, Any], filters: Filters) -> Headline:
    """IDPs at the end of the period (decision 0177): the national figure when one is dated
    within the period, else the sum of the townships' latest figures on the period's last day,
    else an older national figure, marked as dated before the period."""
    label = _("Internally displaced people")
    national = (
        Indicator.objects.filter(
            code=NATIONAL_IDPS, admin_unit__isnull=True, as_of__lte=filters.last_day
        )
        .select_related("source")
        .order_by("-as_of", "-value")
        .first()
        if not filters.state
        else None
    )

    if national and national.as_of >= filters.start:
        return _national_headline(national, label, _("as of %(day)s"), before_period=False)
    latest = latest_figures(data["figures"], filters.last_day)
    if latest or national is None:
        newest = max((ref.as_of for ref in latest.values()), default=None)
        return Headline(
            "idps",
            label,
            sum(ref.idps or 0 for ref in latest.values()) if latest else None,
            _("Sum of the latest township figures (%(count)s townships)")
            % {"count": number(len(latest))},
            newest,
            _("latest figure of each township on %(day)s") % {"day": filters.last_day.isoformat()},
            before_period=newest is not None and newest < filters.start,
        )
    return _national_headline(
        national, label, _("as of %(day)s, before this period"), before_period=True
    )


def headlines(user: Any, filters: Filters) -> list[Headline]:
    data = scoped(user, filters)
    period = _period_text(filters)
    out = [_idps_headline(data, filters)]
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
            period,
        )
    )
    reaching = Q(reached_rows__gt=0)
    reach = data["reach"].aggregate(
        reached=Sum("reached", default=0),
        planned=Sum("planned", default=0),
        orgs=Count("organisation_id", filter=reaching, distinct=True),
        last=Max("month", filter=reaching),
    )
    out.append(
        Headline(
            "reached",
            _("People reached (sum of monthly reports)"),
            reach["reached"],
            _("Ongoing and completed 4W reports from %(count)s organisations")
            % {"count": number(reach["orgs"])},
            reach["last"],
            period,
        )
    )
    out.append(
        Headline(
            "planned",
            _("People planned to reach (not yet reached)"),
            reach["planned"],
            _("Planned 4W activities; not counted as reached"),
            None,
            period,
        )
    )
    out.append(
        Headline(
            "organisations",
            _("Organisations active"),
            reach["orgs"],
            _("Organisations with an ongoing or completed 4W report in the period"),
            reach["last"],
            period,
        )
    )
    return out


def trends(user: Any, filters: Filters) -> list[Series]:
    data = scoped(user, filters)
    months = filters.months()
    idps = Series("idps", _("IDPs (latest township figures) by month"))
    last_days = {month: next_month(month) - dt.timedelta(days=1) for month in months}
    by_day = latest_figures_each(data["figures"], list(last_days.values()))
    for month in months:
        bucket = by_day.get(last_days[month])
        idps.points.append(
            (month, sum(ref.idps or 0 for ref in bucket.values()) if bucket else None)
        )

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
        data["reach"]
        .order_by()
        .values("month")
        .annotate(n=Sum("reached", default=0))
        .values_list("month", "n")
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
            reach_rows=reach_visible_to(user),
            figures=figures_visible_to(user),
            sector=filters.sector,
            state=filters.state,
        )
        return {item.pcode: item.coverage for item in table.ranking}
    return {
        pcode: ref.idps for pcode, ref in latest_figures(data["figures"], filters.last_day).items()
    }


# --- What the CSV downloads and the page API give: through the disclosure gate --------------
# Every value is a figure of a suppressed table that other shared outputs show too, so no two
# of them can be played against each other: people reached and IDPs come from the gap table of
# each month (gaps/shared.py: a state's reach in a sector is its group cell there), incidents
# from one table of every place × month. A sum is shown only when every figure in it is.


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


def _shared_gaps(user: Any, months: list[dt.date], today: dt.date) -> dict[dt.date, Any]:
    return {
        month: shared_gap_table(
            month,
            today=today,
            reach_rows=reach_visible_to(user),
            figures=figures_visible_to(user),
            tables_only=True,
        )
        for month in months
    }


def _incident_table(user: Any, today: dt.date) -> PublishedTable:
    """Incidents per place (township, or the coarser unit recorded) × month, grouped by state,
    from the first month with one to the last month that may be published."""
    last = latest_public_month(today)
    rows = (
        incidents_visible_to(user)
        .filter(occurred_on__lt=next_month(last))
        .annotate(month=TruncMonth("occurred_on"))
        .order_by()
        .values("admin_unit_id", "month")
        .annotate(n=Count("id"))
        .values_list("admin_unit_id", "month", "n")
    )
    counts = {(pcode, month_start(month)): n for pcode, month, n in rows}
    places = sorted({pcode for pcode, _month in counts})
    first = min((month for _pcode, month in counts), default=last)
    return publish_table(
        counts,
        rows=places,
        columns=_months_between(first, last),
        groups={pcode: _state(pcode) for pcode in places},
    )


def _figure(table: PublishedTable | None, state: str | None, column: Any) -> int | None:
    """A state's group figure in ``column`` (or the column total): 0 when nothing was counted."""
    if table is None or not table.rows or column not in table.columns:
        return 0
    if state:
        return table.group_cell(state, column) if state in table.groups else 0
    return table.column_total(column)


def _reached(table: PublishedTable | None, state: str | None, sector: str | None) -> int | None:
    if table is None or not table.rows:
        return 0
    if state and state not in table.groups:
        return 0
    if state and sector:
        return table.group_cell(state, sector)
    if state:
        return table.group_total(state)
    return table.column_total(sector) if sector else table.total()


def shared_trends(user: Any, filters: Filters, today: dt.date) -> list[SharedSeries]:
    """The three trend series as they may be passed on: months up to the publication cutoff,
    each value a figure of a suppressed table; scoped to what ``user`` may see."""
    last = latest_public_month(today)
    months = [m for m in filters.months() if m <= last]
    gaps = _shared_gaps(user, months, today)
    idps = SharedSeries("idps", _("IDPs (latest township figures) by month"))
    for month in months:
        table = gaps[month].idps
        if table is None or not any(
            not filters.state or _state(pcode) == filters.state for pcode in table.rows
        ):
            continue  # no figure that month: no data, not zero
        idps.points.append((month, _figure(table, filters.state, "idps")))
    incidents = SharedSeries("incidents", _("Incidents by month"))
    table = _incident_table(user, today)
    incidents.points = [(m, _figure(table, filters.state, m)) for m in months]
    reached = SharedSeries("reached", _("People reached by month"))
    reached.points = [(m, _reached(gaps[m].reached, filters.state, filters.sector)) for m in months]
    return [idps, incidents, reached]


def shared_map_values(
    user: Any, filters: Filters, layer: str, today: dt.date
) -> dict[str, int | float | None]:
    """Per township, the map layer's value as it may be passed on (None: suppressed).

    Incidents: the count over the period's months up to the cutoff, shown only when every
    month's count is published. IDPs: each township's latest figure by the period's end, as
    the gap table of the period's last month publishes it. Coverage: the shared gap table of
    the last month that may be shared.
    """
    last = min(filters.end, latest_public_month(today))
    in_state = (lambda pcode: _state(pcode) == filters.state) if filters.state else bool
    if layer == "coverage":
        table = shared_gap_table(
            last,
            today=today,
            reach_rows=reach_visible_to(user),
            figures=figures_visible_to(user),
            sector=filters.sector,
            state=filters.state,
        )
        return {item.pcode: item.coverage for item in table.ranking}
    months = [m for m in filters.months() if m <= last]
    values: dict[str, int | float | None] = {}
    if layer == "incidents":
        incidents = _incident_table(user, today)
        months = [m for m in months if m in incidents.columns]
        townships = set(
            AdminUnit.objects.filter(pcode__in=incidents.rows, level=Level.TOWNSHIP).values_list(
                "pcode", flat=True
            )
        )
        for pcode in incidents.rows:
            if not in_state(pcode) or pcode not in townships:
                continue  # the map shows townships
            cells = [incidents.cell(pcode, m) for m in months]
            if any(cells) or None in cells:
                values[pcode] = None if None in cells else sum(c for c in cells if c is not None)
        return values
    # IDPs: each township's latest figure by the period's end, as the gap table of the
    # period's last month publishes it. A figure counts from its date until a later one
    # replaces it (decision 0177), so that table holds every township an earlier month's
    # table holds, each with its latest figure: one gap table, not one a month.
    if not months:
        return values
    table = _shared_gaps(user, months[-1:], today)[months[-1]].idps
    for pcode in table.rows if table is not None else ():
        if in_state(pcode):
            values[pcode] = table.cell(pcode, "idps")
    return values


@dataclass(frozen=True)
class SharedMapRow:
    pcode: str
    township: str
    township_my: str
    value: int | float | None  # None: suppressed


@dataclass(frozen=True)
class SharedMap:
    """One map layer as it may be passed on, computed once; its CSV (/data/map.csv) and its
    JSON (/api/web/map) are two renderings of it."""

    layer: str
    filters: Filters
    cutoff: dt.date
    rows: list[SharedMapRow]  # in p-code order


def shared_map(user: Any, filters: Filters, layer: str, today: dt.date) -> SharedMap:
    """``shared_map_values`` with each township's names, in p-code order."""
    values = shared_map_values(user, filters, layer, today)
    names = {
        pcode: (en, my)
        for pcode, en, my in AdminUnit.objects.filter(level=Level.TOWNSHIP).values_list(
            "pcode", "name_en", "name_my"
        )
    }
    return SharedMap(
        layer=layer,
        filters=filters,
        cutoff=publication_cutoff(today),
        rows=[
            SharedMapRow(pcode, *names.get(pcode, ("", "")), value)
            for pcode, value in sorted(values.items())
        ],
    )
