"""The tables the sharing HXL exports are made of: aggregates passed through the disclosure gate.

A sharing export never holds a record. It holds counts per township and month (decision 0100):

- activities: people reached per (township, sector, month, organisation's public label), by sex
  and age and in total. Each row is suppressed on its own (one ``publish_table`` of one row: the
  five sex/age cells and the row total), so a row reads the same in every download, whoever
  makes it and whichever organisation it is limited to: two downloads cannot be subtracted.
  The "of whom" counts (elderly women and men, people with disabilities; decision 0165) follow,
  each suppressed with the rest of what it is part of (``part_published``), and empty where a
  record of the row did not report it. Never the village tract, village or donor (0167).
- incidents: the number of incidents per (township, incident type) and month, one suppressed
  table (its hidden cells are also protected against township, township-type and month totals
  that other outputs may show); the killed, injured and detained are summed only where that
  number is published and not zero, each measure a suppressed table of its own.
- figures: the latest IDP, refugee and people-in-need figure per township and month, each
  value suppressed on its own (nothing in the file adds them up).

Only whole months on or before the publication cutoff are included. No free text, sources,
record ids, coordinates, money, channels or exact dates. Rows come from the records the person
may export (for these kinds the export rule is the view rule: the scoped queries).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from corridor.aid.models import PEOPLE_FIELDS, Activity
from corridor.aid.queries import activities_reached, activities_visible_to
from corridor.disclosure import (
    NOT_NAMED,
    month_is_publishable,
    public_month,
    public_org_label,
    public_place,
    publication_cutoff,
    publish_table,
)
from corridor.exchange.internal_export import Places
from corridor.orgs.models import Organisation
from corridor.situation.models import ALL_SECTORS, DisplacementFigure, Incident
from corridor.situation.queries import figures_ranked, figures_visible_to, incidents_visible_to

#: How a suppressed figure is written: never 0, never an empty cell (which reads as 0 or as
#: "not reported"). The legend is in the file's header row and in docs/exchange.md.
SUPPRESSED = "•"

PLACE_COLUMNS = (
    ("State/Region p-code", "#adm1+code"),
    ("State/Region", "#adm1+name"),
    ("District p-code", "#adm2+code"),
    ("District", "#adm2+name"),
    ("Township p-code", "#adm3+code"),
    ("Township", "#adm3+name"),
)
PARTS = ("code", "name")
REACH = PEOPLE_FIELDS
REACH_COLUMNS = (
    ("Women reached", "#reached+f+adults"),
    ("Men reached", "#reached+m+adults"),
    ("Girls reached", "#reached+f+children"),
    ("Boys reached", "#reached+m+children"),
    ("Reached, sex and age not reported", "#reached+unspecified"),
    ("People reached (total)", "#reached+total"),
)
# "Of whom" counts (decision 0165), each with what it is part of: its own cell in the row.
OF_WHOM = (("elderly_women", 0), ("elderly_men", 1), ("disabled", None))
OF_WHOM_COLUMNS = (
    ("Of the women reached: 60 or older", "#reached+f+elderly"),
    ("Of the men reached: 60 or older", "#reached+m+elderly"),
    ("Of all reached: people with disabilities", "#reached+disabled"),
)
CASUALTIES = ("fatalities", "injuries", "detained")
FIGURES = ("idps", "refugees", "people_in_need")

K = TypeVar("K", bound=Hashable)
Cell = int | str  # a published count, or SUPPRESSED; "" only where nothing was reported


@dataclass(frozen=True)
class SharedTable:
    """A sharing table: (header, hashtag) per column and rows of cells, ready to write."""

    kind: str
    columns: tuple[tuple[str, str], ...]
    rows: list[list[Cell]]


def _shown(value: int | None) -> Cell:
    return SUPPRESSED if value is None else value


class _Places:
    """A place as the columns of a sharing row: township level at most (``public_place``)."""

    def __init__(self) -> None:
        self.places = Places()

    def cells(self, pcode: str) -> list[Cell]:
        found = self.places.columns(public_place(pcode))
        return [found.get(f"adm{level}_{part}", "") for level in (1, 2, 3) for part in PARTS]

    def sort_key(self, pcode: str) -> tuple[str, ...]:
        return tuple(str(c) for c in self.cells(pcode)[0::2])


def suppress_rows(
    counts: Mapping[K, Mapping[str, int]], columns: tuple[str, ...]
) -> dict[K, tuple[list[int | None], int | None]]:
    """Each row suppressed as a table of its own: its cells and its total.

    A row is published alone (no column or grand totals are written), so its own total is the
    only sum it must be protected against; suppressing it alone keeps it the same in every
    download. An empty table still passes the gate, so the output's mark sees it.
    """
    if not counts:
        publish_table({}, rows=(), columns=columns)
        return {}
    published: dict[K, tuple[list[int | None], int | None]] = {}
    for key, values in counts.items():
        table = publish_table(
            {("row", c): values[c] for c in columns}, rows=("row",), columns=columns
        )
        published[key] = ([table.cell("row", c) for c in columns], table.row_total("row"))
    return published


def last_month(today: dt.date) -> str:
    """The last month sharing files made on ``today`` include (it ends on or before the cutoff)."""
    cutoff = publication_cutoff(today)
    if month_is_publishable(cutoff, today):
        return public_month(cutoff)
    return public_month(cutoff.replace(day=1) - dt.timedelta(days=1))


def _publishable_month(day: dt.date | None, today: dt.date) -> str | None:
    if day is None or not month_is_publishable(day, today):
        return None
    return public_month(day)


def activities_table(*, by: Any, organisation: Organisation | None, today: dt.date) -> SharedTable:
    """People reached per township, sector, month and organisation label (see the module)."""
    # People reached only: planned and cancelled rows are not reach (decision 0175).
    query = activities_reached(
        Activity.objects.all() if by is None else activities_visible_to(by)
    ).select_related("organisation")
    counts: dict[tuple[str, str, str, str], dict[str, int]] = {}
    of_whom: dict[tuple[str, str, str, str], dict[str, int | None]] = {}
    labels: dict[Any, str] = {}
    for a in query.iterator(chunk_size=2000):
        month = _publishable_month(a.reporting_month or a.start_date, today)
        if month is None:
            continue
        label = labels.get(a.organisation_id)
        if label is None:
            label = labels[a.organisation_id] = public_org_label(a.organisation) or NOT_NAMED
        key = (a.admin_unit_id, a.sector, month, label)
        row = counts.setdefault(key, dict.fromkeys(REACH, 0))
        for field in REACH:
            row[field] += getattr(a, field)
        parts = of_whom.setdefault(key, {})
        for field, _within in OF_WHOM:
            value = getattr(a, field)
            # One record that did not report it makes the sum a guess: "not reported".
            parts[field] = (
                None
                if value is None or parts.get(field, 0) is None
                else (parts.get(field, 0) + value)
            )
    published = suppress_rows(counts, REACH)
    # Limited to one organisation: its rows, selected after suppression (each row is
    # suppressed alone, so they read as they do in the whole table).
    wanted = None
    if organisation is not None:
        wanted = public_org_label(organisation) or NOT_NAMED
    places = _Places()
    rows = []
    for key in sorted(published, key=lambda k: (k[2], places.sort_key(k[0]), k[1], k[3])):
        pcode, sector, month, label = key
        if wanted is not None and label != wanted:
            continue
        cells, total = published[key]
        shown_parts = [
            part_published(of_whom[key][field], counts[key], cells, total, within)
            for field, within in OF_WHOM
        ]
        rows.append(
            [
                *places.cells(pcode),
                sector,
                month,
                label,
                *map(_shown, cells),
                _shown(total),
                *shown_parts,
            ]
        )
    columns = (
        *PLACE_COLUMNS,
        ("Sector", "#sector"),
        ("Month", "#date+reported"),
        ("Organisation", "#org+name"),
        *REACH_COLUMNS,
        *OF_WHOM_COLUMNS,
    )
    return SharedTable("activities", columns, rows)


def part_published(
    part: int | None,
    counts: Mapping[str, int],
    cells: list[int | None],
    total: int | None,
    within: int | None,
) -> Cell:
    """An "of whom" count of a row as published: "" when not reported, else suppressed or not.

    ``within``: the position in REACH of what it is part of (women, men), None for the row's
    total. The part and the rest of its whole are a table of their own whose total is that
    whole: a small part is hidden, and so is a part whose rest is small (the whole minus the
    part would give it away). When the whole itself is hidden, so is the part.
    """
    if part is None:
        return ""
    whole = sum(counts[c] for c in REACH) if within is None else counts[REACH[within]]
    shown_whole = total if within is None else cells[within]
    if shown_whole is None:
        return SUPPRESSED
    table = publish_table(
        {("row", "part"): part, ("row", "rest"): whole - part},
        rows=("row",),
        columns=("part", "rest"),
    )
    return _shown(table.cell("row", "part"))


def incidents_table(*, by: Any, today: dt.date) -> SharedTable:
    """Incidents per township, type and month, with the people killed, injured and detained."""
    query = Incident.objects.all() if by is None else incidents_visible_to(by)
    numbers: dict[tuple[tuple[str, str], str], int] = defaultdict(int)
    sums: dict[str, dict[tuple[tuple[str, str], str], int]] = {
        m: defaultdict(int) for m in CASUALTIES
    }
    for pcode, kind, day, *casualties in query.values_list(
        "admin_unit_id", "incident_type", "occurred_on", *CASUALTIES
    ).iterator(chunk_size=5000):
        month = _publishable_month(day, today)
        if month is None:
            continue
        cell = ((pcode, kind), month)
        numbers[cell] += 1
        for measure, value in zip(CASUALTIES, casualties, strict=True):
            sums[measure][cell] += value
    places = _Places()
    rows = sorted({r for r, _ in numbers}, key=lambda r: (places.sort_key(r[0]), r[1]))
    months = sorted({m for _, m in numbers})
    # Township groups: a hidden cell stays hidden under the township totals other outputs show.
    counted = publish_table(numbers, rows=rows, columns=months, groups={r: r[0] for r in rows})
    # Casualties only where the number of incidents is published and not zero: where it is 0
    # they are 0 too, which would undo any suppression that leaned on them.
    shown = [c for c in numbers if counted.cell(*c)]
    measured = {
        measure: (
            publish_table(
                {(c, measure): sums[measure][c] for c in shown},
                rows=shown,
                columns=(measure,),
            )
            if shown
            else None
        )
        for measure in CASUALTIES
    }
    out = []
    for month in months:
        for row in rows:
            number = counted.cell(row, month)
            if number == 0:
                continue  # no incident recorded (published zeros are left out of the list)
            cells: list[Cell] = [*places.cells(row[0]), row[1], month, _shown(number)]
            for measure in CASUALTIES:
                table = measured[measure]
                value = table.cell((row, month), measure) if number and table else None
                cells.append(_shown(value))
            out.append(cells)
    columns = (
        *PLACE_COLUMNS,
        ("Incident type", "#event+type"),
        ("Month", "#date+occurred"),
        ("Incidents", "#event+num"),
        ("Killed", "#affected+killed"),
        ("Injured", "#affected+injured"),
        ("Detained", "#affected+detained"),
    )
    return SharedTable("incidents", columns, out)


def figures_table(*, by: Any, today: dt.date) -> SharedTable:
    """The latest displacement figures per township and month, each value suppressed alone."""
    query = DisplacementFigure.objects.all() if by is None else figures_visible_to(by)
    latest: dict[tuple[str, str], tuple[int | None, ...]] = {}
    # All-sector figures; of a month's figures the one the latest-figure rule picks (decision
    # 0177) is the last in rank order.
    for ref in figures_ranked(query.filter(sector=ALL_SECTORS)):
        month = _publishable_month(ref.as_of, today)
        if month is not None:
            latest[(ref.pcode, month)] = tuple(getattr(ref, measure) for measure in FIGURES)
    # Nothing adds these up (they are stocks, not counts of records), so each value is a table
    # of its own: primary suppression only.
    reported = {
        (key, measure): value
        for key, values in latest.items()
        for measure, value in zip(FIGURES, values, strict=True)
        if value is not None
    }
    published = suppress_rows({c: {"value": v} for c, v in reported.items()}, ("value",))
    places = _Places()
    rows = []
    for pcode, month in sorted(latest, key=lambda k: (k[1], places.sort_key(k[0]))):
        cells: list[Cell] = [*places.cells(pcode), month]
        for measure in FIGURES:
            found = published.get(((pcode, month), measure))
            cells.append("" if found is None else _shown(found[0][0]))
        rows.append(cells)
    columns = (
        *PLACE_COLUMNS,
        ("Month (latest figure)", "#date+reported"),
        ("IDPs", "#affected+idps"),
        ("Refugees", "#affected+refugees"),
        ("People in need", "#inneed+ind"),
    )
    return SharedTable("figures", columns, rows)


def shared_table(
    kind: str, *, by: Any, organisation: Organisation | None, today: dt.date
) -> SharedTable:
    """The sharing table of one kind (``organisation``: activities only)."""
    if kind == "activities":
        return activities_table(by=by, organisation=organisation, today=today)
    if kind == "incidents":
        return incidents_table(by=by, today=today)
    return figures_table(by=by, today=today)
