"""Situation briefs: a state/region and a run of months, told from Corridor's own data.

Every number comes from the dashboard's shared series and the shared gap table (the same
suppressed tables the dashboard's downloads and ``/gaps.csv`` show), never from a query of its
own, so a brief can never say more than those outputs already pass on. Each number carries
footnotes to the Corridor sources it rests on. ``brief_draft_create`` turns a brief into a
draft joint statement (``statements.services.statement_create_draft``), which people then edit
and take through the statement workflow (docs/statements.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from corridor.aid.queries import reach_visible_to
from corridor.core.errors import InvalidInput
from corridor.disclosure import latest_public_month, shared_output
from corridor.gaps.queries import GapInputError, check_filters, month_start
from corridor.gaps.shared import shared_gap_table
from corridor.geo.models import AdminUnit
from corridor.situation.models import ALL_SECTORS, Source
from corridor.situation.queries import (
    figures_visible_to,
    latest_figures,
    needs_valid,
    sources_visible_to,
)
from corridor.situation.services import source_record
from corridor.statements.services import statement_create_draft
from corridor.web.numbers import month_label, number
from corridor.web.queries.dashboard import Filters, scoped, shared_trends

#: The source a brief cites for what rests on Corridor's own records (4W reports, incidents).
OWN_SOURCE_TITLE = "Corridor records: 4W activity reports and incidents"
OWN_SOURCE_PUBLISHER = "Corridor"
#: How many of the least-covered townships the gaps section names.
GAP_TOWNSHIPS = 3
#: The mark written for a figure the disclosure gate hides.
HIDDEN = "not shown (fewer than the smallest count Corridor passes on, or hiding another)"

Footnote = tuple[Source, str]


@dataclass(frozen=True)
class BriefFigure:
    """One number of a brief: ``value`` None when the gate hides it (or there is none)."""

    key: str  # "idps", "incidents", "reached", or "gap:<pcode>:need" / "gap:<pcode>:reached"
    label: str
    value: int | None
    footnotes: tuple[int, ...] = ()  # numbers of the brief's footnotes it cites


@dataclass
class Brief:
    title: str
    body: str  # Markdown, footnote n marked [^n]
    footnotes: list[Footnote] = field(default_factory=list)
    figures: list[BriefFigure] = field(default_factory=list)


class _Notes:
    """Numbered footnotes, one per (source, detail), in the order first cited."""

    def __init__(self) -> None:
        self.items: list[Footnote] = []

    def cite(self, items: list[Footnote]) -> tuple[int, ...]:
        numbers = []
        for source, detail in items:
            key = (source.pk, detail)
            found = [n for n, (s, d) in enumerate(self.items, 1) if (s.pk, d) == key]
            if not found:
                self.items.append((source, detail[:300]))
                found = [len(self.items)]
            numbers.append(found[0])
        return tuple(numbers)


def _marks(numbers: tuple[int, ...]) -> str:
    return "".join(f"[^{n}]" for n in numbers)


def _sum(values: list[int | None]) -> int | None:
    """A total shown only when every figure in it is."""
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def own_source(user: Any) -> Source:
    """The Source standing for Corridor's own 4W reports, recorded the first time it is cited."""
    found = (
        sources_visible_to(user)
        .filter(title=OWN_SOURCE_TITLE, publisher=OWN_SOURCE_PUBLISHER)
        .first()
    )
    if found is not None:
        return found
    return source_record(by=user, title=OWN_SOURCE_TITLE, publisher=OWN_SOURCE_PUBLISHER)


def _period(first_month: str | dt.date, last_month: str | dt.date, today: dt.date) -> Filters:
    try:
        first, last = month_start(first_month), month_start(last_month)
    except GapInputError as error:
        raise InvalidInput(str(error)) from None
    if last < first:
        raise InvalidInput(f"the period ends ({last:%Y-%m}) before it starts ({first:%Y-%m})")
    public = latest_public_month(today)
    if last > public:
        raise InvalidInput(
            f"month {last:%Y-%m} cannot be shared yet; the latest month a brief may cover is "
            f"{public:%Y-%m}"
        )
    return Filters(start=first, end=last)


@shared_output(
    "web.situation_brief",
    what="a situation brief of one state/region and period: IDPs, incidents, people reached "
    "and the least-covered townships, each with footnotes; `corridor statements brief`",
)
def brief_for(
    user: Any,
    state_pcode: str,
    first_month: str | dt.date,
    last_month: str | dt.date,
    *,
    today: dt.date | None = None,
    source: Source | None = None,
) -> Brief:
    """The brief of ``state_pcode`` over ``first_month``..``last_month`` (YYYY-MM or dates) as
    ``user`` may see the data. ``source`` stands for Corridor's 4W reports (default
    ``own_source(user)``). Raises InvalidInput for an unknown state or a period that cannot be
    shared yet."""
    today = today or timezone.localdate()
    try:
        check_filters(None, state_pcode)
    except GapInputError as error:
        raise InvalidInput(str(error)) from None
    period = _period(first_month, last_month, today)
    filters = Filters(start=period.start, end=period.end, state=state_pcode)
    state = AdminUnit.objects.get(pcode=state_pcode)
    reports = source or own_source(user)
    span = f"{month_label(filters.start)} to {month_label(filters.end)}"
    where = f"{state.name_en} ({state_pcode})"
    notes = _Notes()
    figures: list[BriefFigure] = []
    lines: list[str] = []

    def say(key: str, label: str, value: int | None, cited: list[Footnote], text: str) -> str:
        numbers = notes.cite(cited) if value is not None else ()
        figures.append(BriefFigure(key, label, value, numbers))
        shown = HIDDEN if value is None else f"{number(value)}{_marks(numbers)}"
        return text.format(shown)

    series = {s.key: s for s in shared_trends(user, filters, today)}
    data = scoped(user, filters)

    # Displacement: the state's IDPs in the gap table of the period's last month.
    idp_points = dict(series["idps"].points)
    if filters.end in idp_points:
        latest = latest_figures(data["figures"], filters.last_day)
        ids = {ref.source_id for ref in latest.values()}
        cited = [
            (s, f"IDPs in {state.name_en}: latest figure of each township by {filters.last_day}")
            for s in sources_visible_to(user).filter(pk__in=ids)
        ]
        lines.append(
            say(
                "idps", "Internally displaced people", idp_points[filters.end], cited,
                f"- **Internally displaced people** on {filters.last_day}: {{}} (the latest "
                "figure of each township)",
            )
        )  # fmt: skip
    else:
        figures.append(BriefFigure("idps", "Internally displaced people", None))
        lines.append(f"- **Internally displaced people**: no figure by {filters.last_day}")

    # Incidents: the months' counts of the dashboard's incident table.
    incidents = _sum([value for _month, value in series["incidents"].points])
    in_period = data["incidents"].filter(
        occurred_on__gte=filters.start, occurred_on__lt=filters.until
    )
    cited = [
        (s, f"incidents in {state.name_en}, {span}")
        for s in sources_visible_to(user).filter(incidents__in=in_period).distinct()
    ]
    lines.append(
        say(
            "incidents", "Incidents recorded", incidents,
            cited or [(reports, f"incident records, {state.name_en}, {span}")],
            "- **Incidents recorded**: {}",
        )
    )  # fmt: skip

    # People reached: the months' figures of each month's gap table.
    reached = _sum([value for _month, value in series["reached"].points])
    lines.append(
        say(
            "reached", "People reached", reached,
            [(reports, f"ongoing and completed 4W reports, {state.name_en}, {span}")],
            "- **People reached** (sum of the monthly 4W reports): {}",
        )
    )  # fmt: skip

    # Gaps: the least-covered townships of the shared gap table of the last month.
    gaps: list[str] = []
    table = shared_gap_table(
        filters.end,
        today=today,
        reach_rows=reach_visible_to(user),
        figures=figures_visible_to(user),
        state=state_pcode,
    )
    needs = needs_valid(data["figures"], filters.end, filters.last_day)
    latest = latest_figures(data["figures"], filters.last_day)
    for place in table.ranking[:GAP_TOWNSHIPS]:
        pin = needs.get((place.pcode, ALL_SECTORS))
        ref = pin or latest.get(place.pcode)
        what = (
            f"people in need (all sectors) valid for {filters.end:%Y-%m}"
            if pin
            else f"IDPs, figure of {ref.as_of:%Y-%m}"
            if ref
            else "need"
        )
        need_notes = [
            (s, f"{place.township}: {what}")
            for s in sources_visible_to(user).filter(pk__in=[ref.source_id] if ref else [])
        ] or [(reports, f"{place.township}: {what}")]
        reached_line = say(
            f"gap:{place.pcode}:reached", f"People reached in {place.township}",
            place.people_reached,
            [(reports, f"4W reports, {place.township}, {filters.end:%Y-%m}; the sector that "
              "reached most")],
            "{}",
        )  # fmt: skip
        need_line = say(
            f"gap:{place.pcode}:need", f"Need in {place.township}", place.need, need_notes, "{}"
        )
        gaps.append(
            f"1. **{place.township}** ({place.pcode}): {reached_line} people reached of "
            f"{need_line} in need ({place.coverage:.0%})"
        )
    if not gaps:
        gaps.append("No township's need and reach can both be shown for this month.")

    body = "\n".join(
        [
            f"# Situation brief: {where}, {span}",
            "",
            f"Figures from Corridor for {where}, {span}, as Corridor passes them on: a count "
            "too small to share is not shown. Dates and sources are in the notes.",
            "",
            "## Headline figures",
            "",
            *lines,
            "",
            f"## Gaps in {month_label(filters.end)}",
            "",
            *gaps,
        ]
    )
    return Brief(
        title=f"Situation brief: {state.name_en}, {span}",
        body=body + "\n",
        footnotes=notes.items,
        figures=figures,
    )


def brief_draft_create(
    *,
    by: Any,
    state_pcode: str,
    first_month: str | dt.date,
    last_month: str | dt.date,
    today: dt.date | None = None,
    owner: Any = None,
) -> Any:
    """Make the brief and keep it as a draft joint statement of ``by``'s organisation, with
    its footnotes (``owner``: the organisation, when ``by`` edits for several); people then
    edit it and take it through review and publication."""
    with transaction.atomic():
        brief = brief_for(by, state_pcode, first_month, last_month, today=today)
        return statement_create_draft(
            by=by, title=brief.title, body=brief.body, footnotes=brief.footnotes, owner=owner
        )
