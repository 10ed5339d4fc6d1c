"""Reads of situation data that depend on who is asking (rules: corridor.accounts.policy).

Incidents, displacement figures and sources are shared reading across the network: every
member of any organisation sees them. Protected fields (exact coordinates) are a separate
decision, ``policy.can(user, "view_protected", incident)``, made where the fields are shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

from corridor.accounts import policy
from corridor.core.ids import dashed
from corridor.core.sectors import Sector
from corridor.geo.models import AdminUnit, Level
from corridor.situation.models import ALL_SECTORS, DisplacementFigure, Incident, Source


def incidents_visible_to(user: Any) -> QuerySet[Incident]:
    if not policy.reads_situation(user):
        return Incident.objects.none()
    return Incident.objects.all()


def figures_visible_to(user: Any) -> QuerySet[DisplacementFigure]:
    return figures_for(policy.reads_situation(user))


def figures_for(reads_situation: bool) -> QuerySet[DisplacementFigure]:
    """Every figure or none: whether the person reads situation data is all that scopes
    them (``policy.reads_situation``; the gap API keys its kept answers by it)."""
    if not reads_situation:
        return DisplacementFigure.objects.none()
    return DisplacementFigure.objects.all()


def sources_visible_to(user: Any) -> QuerySet[Source]:
    if not policy.reads_situation(user):
        return Source.objects.none()
    return Source.objects.all()


# --- The one rule for "the figure that counts" (decision 0177) -------------------------------
# Used by the gap table, the dashboard, the township page and their APIs alike.


@dataclass(frozen=True)
class FigureRef:
    """A township figure as the rule picked it, with what a page shows beside it."""

    pcode: str
    as_of: dt.date
    idps: int | None
    refugees: int | None
    people_in_need: int | None
    sector: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    source_id: str
    source: str  # "publisher: title", or the title
    reliability: str
    created_at: dt.datetime
    id: str

    @property
    def period(self) -> str:
        """The validity period as a page shows it ("2026-01-01 to 2026-12-31"), or ""."""
        if self.valid_from is None or self.valid_to is None:
            return ""
        return f"{self.valid_from:%Y-%m-%d} to {self.valid_to:%Y-%m-%d}"


_COLUMNS = (
    "admin_unit_id",
    "as_of",
    "idps",
    "refugees",
    "people_in_need",
    "sector",
    "valid_from",
    "valid_to",
    "source_id",
    "source__publisher",
    "source__title",
    "source__reliability",
    "created_at",
    "id",
)
# Admiralty scale: A (completely reliable) ranks above F (cannot be judged).
_RELIABILITY_RANK = {letter: 5 - n for n, letter in enumerate("ABCDEF")}


def figure_rank(ref: FigureRef) -> tuple:
    """The order in which figures replace each other; the larger counts.

    The later ``as_of``; on the same day the more reliable source (A before F); then the
    larger IDP count, then the larger people in need; then the one recorded later; last the
    record id, so that the choice never depends on the order rows come from the database.
    """
    return (
        ref.as_of,
        _RELIABILITY_RANK.get(ref.reliability, -1),
        ref.idps if ref.idps is not None else -1,
        ref.people_in_need if ref.people_in_need is not None else -1,
        ref.created_at,
        ref.id,
    )


def _refs(rows: Iterable[tuple]) -> Iterator[FigureRef]:
    for pcode, as_of, idps, ref, pin, sec, vf, vt, sid, pub, title, rel, created, pk in rows:
        yield FigureRef(
            pcode=pcode,
            as_of=as_of,
            idps=idps,
            refugees=ref,
            people_in_need=pin,
            sector=sec,
            valid_from=vf,
            valid_to=vt,
            source_id=str(sid),
            source=f"{pub}: {title}" if pub else title,
            reliability=rel,
            created_at=created,
            id=str(pk),
        )


def figures_ranked(figures: QuerySet[DisplacementFigure]) -> list[FigureRef]:
    """The figures in ``figure_rank`` order, the one that counts last (for outputs that pick
    the latest figure of each month themselves, e.g. the sharing table)."""
    return sorted(_refs(figures.order_by().values_list(*_COLUMNS)), key=figure_rank)


def _townships(figures: QuerySet[DisplacementFigure]) -> QuerySet[DisplacementFigure]:
    return figures.filter(admin_unit__level=Level.TOWNSHIP).order_by()


def latest_figures(figures: QuerySet[DisplacementFigure], on: dt.date) -> dict[str, FigureRef]:
    """Per township, the displacement figure that counts on ``on``: the all-sector figure
    with the latest ``as_of`` on or before ``on``, ties broken by ``figure_rank``.

    ``figures`` is the caller's scoped queryset (and state filter).
    """
    counted = figures.filter(sector=ALL_SECTORS, as_of__lte=on)
    chosen: dict[str, FigureRef] = {}
    for ref in _refs(_newest_rows(counted, [ALL_SECTORS])):
        held = chosen.get(ref.pcode)
        if held is None or figure_rank(ref) > figure_rank(held):
            chosen[ref.pcode] = ref
    return chosen


def _newest_rows(figures: QuerySet[DisplacementFigure], sectors: Iterable[str]) -> list[tuple]:
    """The townships' rows (``_COLUMNS``, the ids as text) of ``sectors`` dated on the latest
    ``as_of`` of their township and sector: the only ones the rule can pick.

    Driven by the townships, not by the figures: each township's latest date per sector is
    one index seek in ``figure_latest_idx`` however long the history (decision 0361), and the
    rows of that date one more. ``figures`` need not be limited to townships: the seeks are
    made for townships only (decision 0376).

    One fixed statement (decision 0389): the caller's scoped queryset is compiled as it is, a
    plain filter, and put in the statement as a named subquery that both databases inline;
    the rest of the statement is text, so nothing else is built or compiled per call, and the
    rows come back as tuples with only the conversions the rule needs.
    """
    sectors = list(sectors)
    scope = _scope_sql(figures)
    if scope is None or not sectors:
        return []
    scope_sql, scope_params = scope
    wanted = ", ".join(["(%s)"] * len(sectors))
    connection = connections[figures.db]
    sql = _NEWEST_SQL.format(scope=scope_sql, wanted=wanted)
    with connection.cursor() as cursor:
        cursor.execute(sql, (*scope_params, *sectors, Level.TOWNSHIP))
        return _plain_rows(cursor.fetchall(), connection)


# The columns the scope subquery gives the fixed statements, in this order: the figure's own
# columns of ``_COLUMNS`` (the source's come from the join in ``_ROWS_SELECT``).
_SCOPE_COLUMNS = tuple(column for column in _COLUMNS if "__" not in column)
_SCOPE_NAMES = ", ".join(_SCOPE_COLUMNS)
_SOURCE = Source._meta.db_table
_UNIT = AdminUnit._meta.db_table
# The rows of ``_COLUMNS`` from the scope ``f`` joined to their source.
_ROWS_SELECT = (
    "SELECT f.admin_unit_id, f.as_of, f.idps, f.refugees, f.people_in_need, f.sector, "
    "f.valid_from, f.valid_to, f.source_id, s.publisher, s.title, s.reliability, f.created_at, f.id"
)

# Only the sectors the scope has any figure of, one index probe each, so that townships
# are not sought in sectors nobody has figures for (on PostgreSQL 3,916 seeks become 356 on
# the bench's data, 8 ms of the server's time to 3). ``admin_unit_id > ''`` holds for every
# figure; it is there so that SQLite probes ``figure_latest_idx`` by sector and p-code: without
# it SQLite's planner, finding from its statistics that most figures share one sector, went
# through the dates index instead and read every figure per missing sector. ``column1`` is
# VALUES' column name in both databases.
_SECTOR_PROBE = (
    " WHERE EXISTS (SELECT 1 FROM f WHERE f.sector = v.column1 AND f.admin_unit_id > '')"
)

# ``{scope}`` is the compiled scoped queryset (its values go first), ``{wanted}`` one
# ``(%s)`` per sector; the last value is the township level. Braces are doubled for format.
# Only table and column names of this module are put in the text; every value is a parameter.
_NEWEST_SQL = (
    f"WITH f({_SCOPE_NAMES}) AS NOT MATERIALIZED ({{scope}}), "  # noqa: S608
    f"wanted(sector) AS MATERIALIZED "
    f"(SELECT column1 FROM (VALUES {{wanted}}) v{_SECTOR_PROBE}), "
    f"newest(pcode, sector, day) AS ("
    f"SELECT t.pcode, w.sector, (SELECT f.as_of FROM f WHERE f.admin_unit_id = t.pcode "
    f"AND f.sector = w.sector ORDER BY f.as_of DESC LIMIT 1) "
    f"FROM {_UNIT} t CROSS JOIN wanted w WHERE t.level = %s) "
    f"{_ROWS_SELECT} FROM newest n "
    f"JOIN f ON f.admin_unit_id = n.pcode AND f.sector = n.sector AND f.as_of = n.day "
    f"JOIN {_SOURCE} s ON s.id = f.source_id"
)


def _scope_sql(figures: QuerySet[DisplacementFigure]) -> tuple[str, tuple] | None:
    """The caller's scoped queryset as SQL of ``_SCOPE_COLUMNS`` and its values; None when
    it can have no rows (``.none()``, a person who does not read situation data)."""
    query = figures.order_by().values_list(*_SCOPE_COLUMNS).query
    try:
        sql, params = query.get_compiler(using=figures.db).as_sql()
    except EmptyResultSet:
        return None
    return sql, tuple(params)


def _plain_rows(rows: list[tuple], connection: Any) -> list[tuple]:
    """Rows of ``_COLUMNS`` as a queryset's ``values_list`` gives them, but with the two ids
    (the source's and the row's) as text, converted cheaply. PostgreSQL gives UUIDs; SQLite
    gives the dates already (by their declared types) but a UUID as 32 hex digits and the
    recorded time without its zone (UTC, as Django stores it)."""
    if connection.vendor != "sqlite":
        return [(*row[:8], str(row[8]), *row[9:13], str(row[13])) for row in rows]
    zone = connection.timezone
    return [
        (
            *row[:8],
            dashed(row[8]),
            *row[9:12],
            row[12].replace(tzinfo=zone),
            dashed(row[13]),
        )
        for row in rows
    ]


def latest_figures_each(
    figures: QuerySet[DisplacementFigure], days: list[dt.date]
) -> dict[dt.date, dict[str, FigureRef]]:
    """``latest_figures`` for each of ``days``, in one pass over the figures."""
    if not days:
        return {}
    ordered = sorted(days)
    counted = figures.filter(sector=ALL_SECTORS, as_of__lte=ordered[-1])
    # Of the history up to the first day only each township's newest rows can count; every
    # row after it may count on a later day. So the years before a period are not read.
    rows = _newest_rows(counted.filter(as_of__lte=ordered[0]), [ALL_SECTORS]) + list(
        _townships(counted).filter(as_of__gt=ordered[0]).values_list(*_COLUMNS)
    )
    refs = sorted(_refs(rows), key=lambda r: r.as_of)
    out: dict[dt.date, dict[str, FigureRef]] = {}
    chosen: dict[str, FigureRef] = {}
    at = 0
    for day in ordered:
        while at < len(refs) and refs[at].as_of <= day:
            ref = refs[at]
            held = chosen.get(ref.pcode)
            if held is None or figure_rank(ref) > figure_rank(held):
                chosen[ref.pcode] = ref
            at += 1
        out[day] = dict(chosen)
    return out


def needs_valid(
    figures: QuerySet[DisplacementFigure], first: dt.date, last: dt.date
) -> dict[tuple[str, str], FigureRef]:
    """Per (township, sector or ALL_SECTORS), the people-in-need figure valid for the days
    ``first``..``last`` (a month): one whose validity period overlaps them, or, without a
    period, one dated on or before ``last``; of several, the one ``figure_rank`` puts first.
    """
    with_need = figures.filter(people_in_need__isnull=False)
    points = with_need.filter(valid_from__isnull=True, as_of__lte=last)
    rows = _in_period_rows(with_need, first, last) + _newest_rows(
        points, [ALL_SECTORS, *Sector.values]
    )
    chosen: dict[tuple[str, str], FigureRef] = {}
    for ref in _refs(rows):
        key = (ref.pcode, ref.sector)
        held = chosen.get(key)
        if held is None or figure_rank(ref) > figure_rank(held):
            chosen[key] = ref
    return chosen


def _in_period_rows(
    figures: QuerySet[DisplacementFigure], first: dt.date, last: dt.date
) -> list[tuple]:
    """The townships' rows (``_COLUMNS``, the ids as text) whose validity period overlaps
    ``first``..``last``: a fixed statement over the caller's scope, like ``_newest_rows``."""
    scope = _scope_sql(figures)
    if scope is None:
        return []
    scope_sql, scope_params = scope
    connection = connections[figures.db]
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            _IN_PERIOD_SQL.format(scope=scope_sql),
            (*scope_params, Level.TOWNSHIP, adapt(last), adapt(first)),
        )
        return _plain_rows(cursor.fetchall(), connection)


_IN_PERIOD_SQL = (
    f"WITH f({_SCOPE_NAMES}) AS NOT MATERIALIZED ({{scope}}) "
    f"{_ROWS_SELECT} FROM f JOIN {_UNIT} t ON t.pcode = f.admin_unit_id "
    f"JOIN {_SOURCE} s ON s.id = f.source_id "
    f"WHERE t.level = %s AND f.valid_from <= %s AND f.valid_to >= %s"
)


def need_for(needs: dict[tuple[str, str], FigureRef], pcode: str, sector: str) -> FigureRef | None:
    """The sector's own need figure, else the all-sector one, else None."""
    return needs.get((pcode, sector)) or needs.get((pcode, ALL_SECTORS))


def incident_removed_for(user: Any, pk: Any) -> Incident | None:
    """A removed incident, for a person who may restore it; None for everyone else."""
    incident = (
        Incident.all_objects.filter(pk=pk, removed_at__isnull=False)
        .select_related("admin_unit", "reporting_organisation")
        .first()
    )
    if incident is None or not policy.can(user, policy.DELETE, incident):
        return None
    return incident


def figure_removed_for(user: Any, pk: Any) -> DisplacementFigure | None:
    """A removed displacement figure, for a person who may restore it; None for everyone else."""
    figure = (
        DisplacementFigure.all_objects.filter(pk=pk, removed_at__isnull=False)
        .select_related("admin_unit", "reporting_organisation", "source")
        .first()
    )
    if figure is None or not policy.can(user, policy.DELETE, figure):
        return None
    return figure
