"""A first import pays for what a first import needs (decision 0373): the scope of an
organisation that had no current activity before the file is not read back to find missing
records, and the file's memory of duplicate keys keeps one id per key, not a set."""

from __future__ import annotations

from corridor.core.rules import InFile, in_file_earlier
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
