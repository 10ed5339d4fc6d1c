"""Places over time: retired, split and doubled MIMU p-codes, names decided in review, and
names of larger areas asked as townships (docs/gazetteer.md "Places over time")."""

from __future__ import annotations

import csv

import pytest

from corridor.geo.resolver import (
    CHANGES_CSV,
    AliasEntry,
    PcodeChange,
    Resolver,
    Unit,
    read_alias_file,
    read_change_file,
)
from corridor.geo.services import UNITS_CSV

# A test-only crosswalk entry: the shipped file holds no one-to-one replacement, so this
# made-up retired code (not a MIMU code) stands in for one.
TEST_ONLY = PcodeChange("MMR004999", "Old Hakha", "replaced", ("MMR004002",), "test", "test")


def shipped_units() -> list[Unit]:
    with UNITS_CSV.open(encoding="utf-8", newline="") as handle:
        return [
            Unit(r["pcode"], int(r["level"]), r["parent_pcode"] or None, r["name_en"], r["name_my"])
            for r in csv.DictReader(handle)
        ]


@pytest.fixture(scope="module")
def units():
    return shipped_units()


@pytest.fixture(scope="module")
def resolver(units):
    return Resolver(units, read_alias_file(), [*read_change_file(), TEST_ONLY])


def test_the_shipped_crosswalk_is_sourced_and_points_at_known_units(units):
    known = {u.pcode for u in units}
    changes = read_change_file(CHANGES_CSV)
    assert {c.old_pcode for c in changes} >= {"MMR013008", "MMR013045"}
    for change in changes:
        assert change.source, change
        assert set(change.successors) <= known, change
        # A retired code is no unit any more; a doubled one still is.
        assert (change.old_pcode in known) == (change.change == "same_place"), change


def test_a_split_code_is_ambiguous_naming_its_successors(resolver):
    result = resolver.resolve("MMR013008")
    assert (result.status, result.method, result.accepted) == ("ambiguous", "crosswalk", False)
    assert [c.pcode for c in result.candidates] == ["MMR013046", "MMR013047"]
    assert "MMR013008 Hlaingtharya was retired" in result.note
    assert "MMR013046 Hlaingtharya (East) and MMR013047 Hlaingtharya (West)" in result.note
    seikkan = resolver.resolve("Seikkan", level=3)  # the retired township's name
    assert {c.pcode for c in seikkan.candidates} == {"MMR013035", "MMR013017"}
    assert "retired" in seikkan.note


def test_a_replaced_code_resolves_to_its_successor_with_a_note(resolver):
    result = resolver.resolve("mmr004999")
    assert (result.status, result.pcode, result.method) == ("matched", "MMR004002", "crosswalk")
    assert result.accepted
    assert result.note == "MMR004999 Old Hakha was retired (test); it became MMR004002 Hakha"


@pytest.mark.parametrize(
    ("given", "pcode"),
    [
        ("MMR015202", "MMR015022"),
        ("Laukkaing (Kokang SAZ)", "MMR015022"),
        ("Laukkaing", "MMR015022"),
        ("လောက်ကိုင်", "MMR015022"),
        ("MMR015201", "MMR015023"),
        ("Konkyan (Kokang SAZ)", "MMR015023"),
        ("Konkyan", "MMR015023"),
        ("MMR015203", "MMR015203"),  # Chinshwehaw: no other code, stays itself
        ("Mong Pawk", "MMR016321"),  # the Wa township, not the Wa SAD district of that name
        ("Pang Hkam", "MMR015317"),
        ("Pangsang", "MMR015005"),
    ],
)
def test_kokang_and_wa_places_give_one_code_whatever_the_level_asked(resolver, given, pcode):
    # Need (figures) and reach (activities) both ask for a township (level 3); an import that
    # reads a place without a level must agree with them.
    assert resolver.resolve(given, level=3).pcode == pcode
    assert resolver.resolve(given).pcode == pcode


@pytest.mark.parametrize(
    ("given", "inside"),
    [
        ("Kokang SAZ", {"MMR015022", "MMR015023"}),
        ("Kokang Self-Administered Zone", {"MMR015022", "MMR015023"}),
        ("Wa SAD", {"MMR015301", "MMR015302"}),
        ("ဝအထူးဒေသ (၂)", {"MMR015301"}),
    ],
)
def test_a_self_administered_area_asked_as_a_township_lists_its_townships(resolver, given, inside):
    result = resolver.resolve(given, level=3)
    assert (result.status, result.accepted) == ("not_found", False)
    assert inside <= {c.pcode for c in result.candidates}
    assert all(c.level == 3 for c in result.candidates)
    assert "not a township" in result.note


def test_a_review_decision_settles_what_names_and_aliases_leave_ambiguous(units):
    decided = [
        AliasEntry("Htantabin", "MMR013006", "review"),
        AliasEntry("Hlaing Thar Yar", "MMR013047", "review"),
        AliasEntry("MMR013008", "MMR013046", "review"),
    ]
    before = Resolver(units, read_alias_file(), read_change_file())
    after = Resolver(units, [*read_alias_file(), *decided], read_change_file())
    for name, pcode in [
        ("Htantabin", "MMR013006"),
        ("Hlaing Thar Yar", "MMR013047"),
        ("MMR013008", "MMR013046"),
    ]:
        assert before.resolve(name, level=3).status == "ambiguous"
        result = after.resolve(name, level=3)
        assert (result.pcode, result.method, result.accepted) == (pcode, "alias", True)
    # A decision never leaves the parent the row gives: Bago's Htantabin stays Bago's.
    assert after.resolve("Htantabin", parent="Bago (East)").pcode == "MMR007014"
    # Two people deciding the same name differently: ambiguous again, never a silent pick.
    torn = Resolver(
        units,
        [*read_alias_file(), *decided, AliasEntry("Htantabin", "MMR007014", "review")],
        read_change_file(),
    )
    assert torn.resolve("Htantabin").status == "ambiguous"
