"""A first import pays for what a first import needs (decision 0373): the scope of an
organisation that had no current activity before the file is not read back to find missing
records, and the file's memory of duplicate keys keeps one id per key, not a set."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from corridor.core.rules import InFile, in_file_earlier
from corridor.exchange import replay
from corridor.exchange import scope as scope_module
from corridor.exchange.services import file_import
from corridor.testing.factories import OrganisationFactory

HEADER = (
    "Id,Organisation,Sector,Modality,Township,Month,Status,Women,Men\r\n"
    "#meta+id,#org,#sector,#modality,#adm3+code,#date+reported,#status,"
    "#reached+f+adults,#reached+m+adults\r\n"
)
TOWNSHIPS = ("MMR004001", "MMR004002", "MMR005011")


def lines(acronym: str, ids: range, month: str = "2024-03") -> str:
    return "".join(
        f"R{n},{acronym},health,in_kind,{TOWNSHIPS[n % 3]},{month},ongoing,{10 + n},2\r\n"
        for n in ids
    )


def reading(monkeypatch) -> list[list[str]]:
    """The scope parts read back by ``Scope.stored``, call by call (as their text)."""
    calls: list[list[str]] = []
    stored = scope_module.Scope.stored

    def spy(self, parts):
        calls.append([part.text for part in parts])
        return stored(self, parts)

    monkeypatch.setattr(scope_module.Scope, "stored", spy)
    return calls


def test_a_first_import_reads_no_stored_id_back(org, write, monkeypatch):
    calls = reading(monkeypatch)
    path = write("first.csv", HEADER + lines("CRN", range(12)))
    result = file_import(by=None, path=path, organisation=org)
    assert result.ok, result.errors
    assert (result.created, result.missing, result.unchanged) == (12, 0, 0)
    assert calls == [[]], "the ids of a first import were read back"


def test_an_organisation_with_stored_activities_is_still_compared(org, write, monkeypatch):
    """Another month of the organisation is stored: its part is read, and a record of the
    scope that the new file no longer holds is found missing (and removed with replace)."""
    first = write("first.csv", HEADER + lines("CRN", range(6)))
    assert file_import(by=None, path=first, organisation=org).ok
    other = OrganisationFactory(name="Kachin Aid", acronym="KAD")
    calls = reading(monkeypatch)
    # The same organisation and month without R5; a new organisation alongside it.
    path = write("second.csv", HEADER + lines("CRN", range(5)) + lines("KAD", range(10, 14)))
    result = file_import(by=None, path=path, organisation=org, replace=True)
    assert result.ok, result.errors
    assert (result.created, result.unchanged, result.missing, result.removed) == (4, 5, 1, 1)
    # One read, of the stored organisation's part only: the new organisation's is not read.
    assert len(calls) == 1
    assert [text.split(":")[0] for text in calls[0]] == ["Chin Relief Network"]
    assert other.name not in " ".join(calls[0])


def test_the_file_memory_keeps_one_id_until_a_key_comes_again():
    in_file = InFile()
    key = ("org", "MMR004001", "2024-03-01", "health")
    assert in_file_earlier(in_file, key, 2, "a") == (None, frozenset())
    assert in_file[key] == (2, "a")
    assert in_file.ids(key) == {"a"}
    assert in_file_earlier(in_file, key, 5, "b") == (2, {"a"})
    assert in_file_earlier(in_file, key, 9, None) == (2, {"a", "b"})
    assert in_file.ids(key) == {"a", "b", ""}
    assert in_file.ids(("another",)) == set()


# -- What a first import keeps for its replay, and the records held again (decision 0393) ------


def records_read(monkeypatch) -> list[list]:
    """The spans ``replay._records`` read the scope's numbers of, call by call."""
    calls: list[list] = []
    records = replay._records

    def spy(spans, started):
        calls.append(spans)
        return records(spans, started)

    monkeypatch.setattr(replay, "_records", spy)
    return calls


def test_a_first_import_keeps_its_replay_numbers_without_reading_its_scope(org, write, monkeypatch):
    calls = records_read(monkeypatch)
    path = write(
        "first.csv", HEADER + lines("CRN", range(12)) + lines("CRN", range(12, 15), "2024-05")
    )
    result = file_import(by=None, path=path, organisation=org)
    assert result.ok, result.errors
    assert calls == [], "a first import read its scope back for the replay"
    kept = result.replay
    assert kept is not None
    # Reading the scope now gives what was kept, so an unchanged re-import is answered.
    read = replay._records(kept["spans"], kept["started"])
    assert read == {name: kept[name] for name in ("records", "latest", "since")}
    assert read["records"] == 15
    again = file_import(by=None, path=path, organisation=org)
    assert again.replayed_from == str(result.run_id)


def test_an_organisation_with_records_has_its_scope_read_for_the_replay(org, write, monkeypatch):
    first = write("first.csv", HEADER + lines("CRN", range(6)))
    assert file_import(by=None, path=first, organisation=org).ok
    calls = records_read(monkeypatch)
    path = write("second.csv", HEADER + lines("CRN", range(6, 12), "2024-04"))
    result = file_import(by=None, path=path, organisation=org)
    assert result.ok, result.errors
    assert result.created == 6
    assert len(calls) == 1
    assert result.replay is not None
    assert result.replay["records"] == 6


def test_records_held_again_are_sought_among_the_removed_rows_alone(org, write):
    """A replacing import removes R5; the next file holds R5 again and restores it. The query
    that finds it reads the removed rows' own index (SQLite's plan), which holds no live row
    (its definition on PostgreSQL)."""
    assert file_import(
        by=None, path=write("a.csv", HEADER + lines("CRN", range(6))), organisation=org
    ).ok
    replaced = file_import(
        by=None,
        path=write("b.csv", HEADER + lines("CRN", range(5))),
        organisation=org,
        replace=True,
    )
    assert replaced.removed == 1
    with CaptureQueriesContext(connection) as queries:
        back = file_import(
            by=None, path=write("c.csv", HEADER + lines("CRN", range(6))), organisation=org
        )
    assert back.ok, back.errors
    assert back.restored == 1
    sought = [
        q["sql"]
        for q in queries.captured_queries
        if "removed_via" in q["sql"] and q["sql"].startswith("SELECT")
    ]
    assert sought, "no query sought the removed records"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sought[0])
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "activity_removed_idx" in plan, plan
        else:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'activity_removed_idx'"
            )
            (definition,) = cursor.fetchone()
            assert definition.endswith("WHERE (removed_at IS NOT NULL)"), definition
