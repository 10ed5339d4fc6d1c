"""An import's duplicate check reads back only what can be a twin from before the file
(decision 0320): organisations without a current activity are not looked up, and the
warnings are the same as when every key is sought."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corridor.accounts.models import GlobalRole
from corridor.aid import checks
from corridor.aid.checks import activity_duplicates
from corridor.aid.models import Activity
from corridor.aid.services import activity_record
from corridor.core.rules import InFile
from corridor.geo.models import AdminUnit
from corridor.geo.services import admin_units_load
from corridor.testing.factories import OrganisationFactory, UserFactory

MONTH = dt.date(2024, 5, 1)
TOWNSHIP = "MMR004001"


@pytest.fixture
def world(db):
    admin_units_load(by=None)
    admin = UserFactory(password=None, global_role=GlobalRole.ADMIN, is_superuser=True)
    known = OrganisationFactory(name="Chin Relief Network", acronym="CRN")
    new = OrganisationFactory(name="Karen Aid Group", acronym="KAG")
    stored = activity_record(
        by=admin,
        organisation=known,
        admin_unit=AdminUnit.objects.get(pcode=TOWNSHIP),
        reporting_month=MONTH,
        sector="health",
        modality="service",
        women=10,
        men=5,
    )
    return known, new, stored


def _row(pk: str, organisation, women: int = 10) -> tuple[str, dict]:
    return pk, {
        "organisation": organisation.pk,
        "admin_unit": TOWNSHIP,
        "reporting_month": MONTH,
        "sector": "health",
        "modality": "service",
        "women": women,
        "men": 5,
    }


def _messages(found: list[list]) -> list[list[str]]:
    return [[problem.message for problem in problems] for problems in found]


def _twin_seeks(queries: list[dict]) -> list[str]:
    """The twin seeks among the queries (each key seeks its non-zero women and men)."""
    return [q["sql"] for q in queries if '"women" =' in q["sql"]]


def test_a_new_organisations_rows_are_not_looked_up_and_say_the_same(world):
    known, new, stored = world
    rows = [_row("a" * 32, new), _row("b" * 32, new), _row("c" * 32, known)]
    in_file = InFile()
    with CaptureQueriesContext(connection) as seen:
        found = activity_duplicates(rows, numbers=[2, 3, 4], in_file=in_file)
    # The stored organisation's key is sought; the new one's is not (one seek, one key).
    assert in_file.fresh == {str(new.pk): True, str(known.pk): False}
    assert len(_twin_seeks(seen.captured_queries)) == 1
    # Every key sought, as before decision 0320: the same warnings, word for word.
    always = InFile()
    always.fresh = {str(new.pk): False, str(known.pk): False}
    with CaptureQueriesContext(connection) as seen:
        sought = activity_duplicates(rows, numbers=[2, 3, 4], in_file=always)
    assert len(_twin_seeks(seen.captured_queries)) == 1  # both keys in one query
    assert _messages(found) == _messages(sought)
    messages = _messages(found)
    assert messages[0] == []
    assert "row 2 of this file" in messages[1][0]
    assert str(stored.pk)[:8] in messages[2][0]


def test_a_new_organisation_stays_new_for_the_rest_of_its_file(world):
    """Its rows written with an earlier batch are the file's own: still not looked up, and a
    later row repeating one of them names that row, not a stored activity."""
    _known, new, _stored = world
    in_file = InFile()
    first = [_row("a" * 32, new)]
    assert _messages(activity_duplicates(first, numbers=[2], in_file=in_file)) == [[]]
    Activity.objects.create(
        id="a" * 32,
        organisation=new,
        admin_unit_id=TOWNSHIP,
        reporting_month=MONTH,
        sector="health",
        modality="service",
        women=10,
        men=5,
    )
    with CaptureQueriesContext(connection) as seen:
        later = activity_duplicates([_row("d" * 32, new)], numbers=[9], in_file=in_file)
    assert _twin_seeks(seen.captured_queries) == []
    assert len(seen.captured_queries) == 0  # the organisation was asked about once, before
    assert "row 2 of this file" in _messages(later)[0][0]


def test_ids_in_hex_and_in_text_name_the_same_record():
    value = "0123456789ABCDEF0123456789abcdef"
    assert checks._id(value) == "01234567-89ab-cdef-0123-456789abcdef"
    assert checks._id("01234567-89ab-cdef-0123-456789abcdef") == checks._id(value)
    assert checks._id(None) is None


def test_postgresql_statistics_are_refreshed_once_per_file_before_seeking(world):
    """PostgreSQL: the first seek of a file refreshes the table's statistics (a plan made on
    an empty table's read every row of the organisation for every batch); never again in
    the same file, and never for a file that seeks nothing. SQLite plans without them."""
    known, new, _stored = world
    in_file = InFile()

    def analyses(rows: list) -> int:
        with CaptureQueriesContext(connection) as seen:
            activity_duplicates(rows, numbers=list(range(len(rows))), in_file=in_file)
        return sum(q["sql"].startswith("ANALYZE") for q in seen.captured_queries)

    assert analyses([_row("a" * 32, new)]) == 0  # nothing sought
    expected = 1 if connection.vendor == "postgresql" else 0
    assert analyses([_row("b" * 32, known)]) == expected
    assert analyses([_row("c" * 32, known, women=12)]) == 0


def test_twin_keys_of_tuples_are_the_twin_keys_of_their_values():
    """The importer's keys, made from each row's tuple, are ``twin_key`` of its values: ids as
    text, an empty count as 0; with a twin field missing from the names, it reads as None."""
    import uuid

    from corridor.aid.rules import TWIN_FIELDS, twin_key, twin_keys

    org = uuid.UUID("12345678123456781234567812345678")
    names = ["id", "notes", *reversed(TWIN_FIELDS)]
    rows = [
        ("a" * 32, "", *reversed((org, TOWNSHIP, MONTH, "health", "cash", 1, None, 0, 3, None, 2))),
        ("b" * 32, "x", *reversed((None, None, None, "", "", None, None, None, None, None, None))),
    ]
    expected = [twin_key(dict(zip(names, row, strict=True))) for row in rows]
    assert twin_keys(names, rows) == expected
    assert expected[0][:2] == (str(org), TOWNSHIP)
    assert expected[0][5:] == (1, 0, 0, 3, 0, 2)
    short = [name for name in names if name != "households"]
    cut = [row[:2] + row[3:] for row in rows]  # households is the first twin field listed
    assert twin_keys(short, cut) == [twin_key(dict(zip(short, row, strict=True))) for row in cut]
    assert twin_keys(short, cut)[0][-1] == 0


def test_rows_stored_under_their_own_id_are_looked_up_by_id_and_say_the_same(world, monkeypatch):
    """A re-imported row already stored under its id with the same key (decision 0359) is not
    sought by key; a key whose rows are not all so, or whose id comes twice, still is; and
    the warnings are word for word those of seeking every key."""
    known, _new, stored = world
    own = stored.pk.hex
    same = _row(own, known)
    other = _row("e" * 32, known)  # the stored activity's twin under another id
    moved = _row(own, known, women=11)  # the stored id with other people: not its own twin

    def check(rows: list, seeks: int) -> list:
        numbers = list(range(2, 2 + len(rows)))
        with CaptureQueriesContext(connection) as seen:
            found = activity_duplicates(rows, numbers=numbers, in_file=InFile())
        assert len(_twin_seeks(seen.captured_queries)) == seeks, rows
        with monkeypatch.context() as patched:
            patched.setattr(checks, "_own_twins", lambda *args: {})
            assert _messages(found) == _messages(
                activity_duplicates(rows, numbers=numbers, in_file=InFile())
            )
        return _messages(found)

    assert check([same], seeks=0) == [[]]
    assert check([same, moved], seeks=1) == [[], []]
    flagged = check([same, other], seeks=1)  # one key, not every row of it stored as itself
    assert flagged[0] == []
    assert "row 2 of this file" in flagged[1][0]
    assert check([same, same], seeks=1)[0] == []  # the id twice: sought
    assert str(stored.pk)[:8] in check([other], seeks=1)[0][0]
