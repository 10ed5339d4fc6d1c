"""The figures the latest-figure rule may pick (decision 0361): ``_newest_rows`` reads them by
one seek per township and sector and one query for the rows of those dates; here it is checked
against the plainest statement of the same thing (a subquery per figure row, what it did before
decision 0270), and ``latest_figures`` / ``needs_valid`` against the rule applied to every
figure in Python, on random histories with ties, several sources, sectors, validity periods,
removed rows, a township outside the scope and a district's figures, which no township rule
counts (``_newest_rows`` is given figures of every level and reads townships' only, decision
0376)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from corridor.core.sectors import Sector
from corridor.situation import queries
from corridor.situation.models import ALL_SECTORS, DisplacementFigure
from corridor.testing import factories as f

pytestmark = pytest.mark.django_db

TOWNSHIPS = ("MMR005022", "MMR005023", "MMR005024", "MMR013001")
SECTORS = (Sector.FOOD_SECURITY, Sector.HEALTH, Sector.WASH)


def _newest_rows_plainly(figures, _sectors) -> list[tuple]:
    """Every township figure row whose date is the newest of its township and sector (and
    sector in the figures asked for): a subquery per row. Its ids (the source's and the
    row's) as text, as ``_newest_rows`` gives them."""
    figures = queries._townships(figures)
    newest = (
        figures.filter(admin_unit=OuterRef("admin_unit"), sector=OuterRef("sector"))
        .order_by("-as_of")
        .values("as_of")[:1]
    )
    return [
        (*row[:8], str(row[8]), *row[9:13], str(row[13]))
        for row in figures.filter(as_of=Subquery(newest)).values_list(*queries._COLUMNS)
    ]


def _in_period_plainly(figures, first, last) -> list[tuple]:
    """The township figure rows whose validity period overlaps first..last, as a queryset
    (what ``needs_valid`` read before decision 0389), ids as text."""
    rows = queries._townships(figures).filter(valid_from__lte=last, valid_to__gte=first)
    return [
        (*row[:8], str(row[8]), *row[9:13], str(row[13]))
        for row in rows.values_list(*queries._COLUMNS)
    ]


def _by_id(rows: list[tuple]) -> dict:
    by_id = {row[-1]: row for row in rows}  # the id is the last column
    assert len(by_id) == len(rows)
    return by_id


def _history(seed: int) -> None:
    rng = random.Random(seed)
    places = [f.township(pcode) for pcode in TOWNSHIPS]
    places.append(places[0].parent)  # a district: its figures are never a township's
    sources = [
        f.SourceFactory(reliability=rng.choice("ABCDEF"), publisher=rng.choice(["", "P"]))
        for _ in range(3)
    ]
    days = [dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(0, 700)) for _ in range(6)]
    seen = set()
    for _ in range(60):
        place, day, source = rng.choice(places), rng.choice(days), rng.choice(sources)
        sector = rng.choice((ALL_SECTORS, ALL_SECTORS, *SECTORS))
        if (place.pcode, day, source.pk, sector) in seen:
            continue
        seen.add((place.pcode, day, source.pk, sector))
        period = {}
        if sector != ALL_SECTORS and rng.random() < 0.3:
            start = day.replace(day=1)
            period = {
                "valid_from": start,
                "valid_to": start + dt.timedelta(days=rng.choice([27, 90])),
            }
        figure = f.DisplacementFigureFactory(
            admin_unit=place,
            as_of=day,
            source=source,
            sector=sector,
            idps=rng.choice([100, 200]) if sector == ALL_SECTORS else None,
            people_in_need=rng.choice([None, 500, 900])
            if sector == ALL_SECTORS
            else rng.choice([500, 900]),
            **period,
        )
        if rng.random() < 0.1:
            DisplacementFigure.objects.filter(pk=figure.pk).update(removed_at=timezone.now())


@pytest.mark.parametrize("seed", range(6))
def test_newest_rows_are_the_plain_subquerys(seed, monkeypatch):
    _history(seed)
    everyone = DisplacementFigure.objects.all()
    one_state = everyone.filter(admin_unit__pcode__startswith="MMR005")
    for scope in (everyone, one_state, DisplacementFigure.objects.none()):
        for last in (dt.date(2023, 6, 30), dt.date(2024, 2, 29), dt.date(2025, 12, 31)):
            counted = scope.filter(sector=ALL_SECTORS, as_of__lte=last)
            points = scope.filter(
                people_in_need__isnull=False, valid_from__isnull=True, as_of__lte=last
            )
            for figures, sectors in (
                (counted, [ALL_SECTORS]),
                (points, [ALL_SECTORS, *Sector.values]),
            ):
                assert _by_id(queries._newest_rows(figures, sectors)) == _by_id(
                    _newest_rows_plainly(figures, sectors)
                )
            first = last.replace(day=1)
            for start in (first, dt.date(2023, 1, 1)):  # a month, and a longer span
                with_need = scope.filter(people_in_need__isnull=False)
                assert _by_id(queries._in_period_rows(with_need, start, last)) == _by_id(
                    _in_period_plainly(with_need, start, last)
                )
            latest = queries.latest_figures(scope, last)
            needs = queries.needs_valid(scope, first, last)
            with monkeypatch.context() as patch:
                patch.setattr(queries, "_newest_rows", _newest_rows_plainly)
                assert queries.latest_figures(scope, last) == latest
                assert queries.needs_valid(scope, first, last) == needs
    # The histories are not trivial: several figures count, some on tied dates, and the
    # district has figures that the rule leaves out.
    assert everyone.filter(admin_unit__level=2).exists()
    assert len(queries.latest_figures(everyone, dt.date(2025, 12, 31))) >= 3
    assert everyone.filter(valid_from__isnull=False).exists()
