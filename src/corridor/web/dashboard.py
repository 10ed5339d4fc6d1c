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
from corridor.gaps.queries import REACH, gap_table, month_start, next_month
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
