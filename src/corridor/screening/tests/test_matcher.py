"""Normalisation, romanisation and the matcher on synthetic names (no database)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from myanmar import converter

from corridor.core.errors import InvalidInput
from corridor.screening.formats import Delta, read_csv, read_ftm
from corridor.screening.labelled import evaluate
from corridor.screening.matcher import CLEAR, MATCH, OWNED_BY, POSSIBLE, SUBSIDIARY_OF, Index
from corridor.screening.names import normalise
from corridor.screening.romanise import romanise, syllables

DATA = Path(__file__).parent / "data"


def ftm_index() -> Index:
    with (DATA / "synthetic_ftm.jsonl").open(encoding="utf-8") as handle:
        rows = read_ftm(handle, "synthetic_ftm.jsonl")
    assert isinstance(rows, list)
    return Index(row.target("synthetic") for row in rows)


def test_normalise_sets_aside_honorifics_and_company_forms():
    name = normalise("Daw Khin Myint Trading Co., Ltd.")
    assert name.words == ("khin", "myint", "trading")
    assert name.honorifics == ("daw",)
    assert name.suffixes == ("co", "ltd")
    assert normalise("U Htun Moe").key == normalise("Oo Tun Mo").key
    # An honorific that is all the name has is the name.
    assert normalise("Ma").words == ("ma",)


def test_burmese_is_romanised_and_zawgyi_read_as_unicode():
    assert syllables("ဒေါ်ခင်မြင့်") == ["ဒေါ်", "ခင်", "မြင့်"]
    assert romanise("ဦးအောင်ကျော်မိုး") == "u aung kyaw moe"
    zawgyi = converter.convert("ဦးအောင်ကျော်မိုး", "unicode", "zawgyi")
    name = normalise(zawgyi)
    assert name.key == normalise("U Aung Kyaw Moe").key
    assert "Zawgyi read as Unicode" in name.notes
    # Marks stored in another order read the same (ု before ိ, as Zawgyi conversion leaves it).
    assert romanise("လ\u103e\u102f\u102dင\u103a") == romanise("လှိုင်") == "hlaing"


def test_match_possible_and_clear_with_reasons():
    index = ftm_index()
    hit = index.screen("AYEYAR THIRI ECONOMIC HOLDINGS PUBLIC CO., LTD")
    assert (hit.status, hit.entity) == (
        MATCH,
        "Ayeyar Thiri Economic Holdings Public Company Limited",
    )
    assert "company form 'public co ltd' set aside" in hit.reasons
    burmese = index.screen("မင်းသက်ပိုင်")
    assert (burmese.status, burmese.entity) == (MATCH, "Min Thet Paing")
    assert "Burmese script compared through its romanisation" in burmese.reasons
    weak = index.screen("Bo Paing")
    assert weak.status == POSSIBLE
    assert any("weak alias" in r for r in weak.reasons)
    assert index.screen("Min Thet Naing").status == POSSIBLE  # one letter: a person looks
    assert index.screen("Min Thet Soe").status == CLEAR  # one name word differs
    assert index.screen("Ayeyar Rice Trading").status == CLEAR
    assert index.screen("").reasons == ("nothing to compare",)


def test_owned_and_subsidiary_companies_are_flagged_through_their_listed_owner():
    index = ftm_index()
    gems = index.screen("Shwe Zabu Gems Company Limited")
    assert gems.status == MATCH
    assert "owned by listed company 'Ayeyar Thiri Economic Holdings Public Company " \
        "Limited'" in gems.reasons  # fmt: skip
    assert "not listed itself" in gems.reasons
    bank = index.screen("Ayeyar Thiri Bank")
    assert bank.status == MATCH
    assert any(r.startswith("a subsidiary of listed company") for r in bank.reasons)
    # Related to nothing listed: in the file, but not a reason to warn.
    assert index.screen("Pyinsa Fresh Water Co Ltd").status == CLEAR


def test_ftm_reads_links_programmes_and_provenance():
    with (DATA / "synthetic_ftm.jsonl").open(encoding="utf-8") as handle:
        rows = {r.key: r for r in read_ftm(handle, "f.jsonl")}  # type: ignore[union-attr]
    assert set(rows) == {"ftm:syn-holding", "ftm:syn-bank", "ftm:syn-gems", "ftm:syn-unrelated",
                         "ftm:syn-general"}  # fmt: skip
    assert rows["ftm:syn-gems"].links == ((OWNED_BY, "ftm:syn-holding"),)
    assert rows["ftm:syn-bank"].links == ((SUBSIDIARY_OF, "ftm:syn-holding"),)
    general = rows["ftm:syn-general"]
    assert general.programme == "SYNTHETIC-PERSONS-2023"
    assert general.weak_aliases == ("Bo Paing",)
    assert general.datasets == ("synthetic_sanctions",)
    assert rows["ftm:syn-holding"].listed_on == "2023-02-01"
    assert rows["ftm:syn-holding"].source == "https://example.org/synthetic-list"
    assert not rows["ftm:syn-bank"].listed


def test_ftm_delta_stream():
    stream = io.StringIO(
        '{"op": "ADD", "entity": {"id": "n1", "schema": "Person", "properties": {"name": '
        '["Zaw Lin Htet"]}}}\n{"op": "DEL", "entity": {"id": "syn-gems"}}\n'
    )
    delta = read_ftm(stream, "delta.jsonl")
    assert isinstance(delta, Delta)
    assert [r.name for r in delta.upserts] == ["Zaw Lin Htet"]
    assert delta.removals == ["ftm:syn-gems"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"id": "a", "schema": "Person", "properties": {}}\n',
         "f.jsonl, row 1, property name: Person a has no name"),
        ('\n{"schema": "Person"}\n', "f.jsonl, row 2, property id: empty"),
        ("not json\n", "f.jsonl, row 1: not JSON"),
    ],
)  # fmt: skip
def test_ftm_errors_name_the_row(text, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        read_ftm(io.StringIO(text), "f.jsonl")


def test_csv_errors_name_row_and_column_and_refuse_the_file():
    text = (
        "name,aliases,type,country,programme,source,date,owned_by\n"
        "Good Co,,company,mm,,s,2024-01-01,\n"
        ",,company,mm,,s,,\n"
        "Bad Type,,ship,mm,,s,,\n"
        "Bad Date,,person,mm,,s,1 May 2024,\n"
        "Orphan Co,,company,mm,,s,,Nobody Holdings\n"
        "good co,,company,mm,,s,,\n"
    )
    with pytest.raises(InvalidInput) as error:
        read_csv(io.StringIO(text), "list.csv")
    lines = str(error.value).splitlines()
    assert lines == [
        "list.csv, row 3, column name: empty",
        "list.csv, row 4, column type: 'ship' is not one of person, company, organization",
        "list.csv, row 5, column date: '1 May 2024' is not YYYY[-MM[-DD]]",
        "list.csv, row 6, column owned_by: 'Nobody Holdings' is not a name in this file",
        "list.csv, row 7, column name: 'good co' is on row 2 already",
    ]
    with pytest.raises(InvalidInput, match=r"list\.csv, row 1: unknown column 'alias'"):
        read_csv(io.StringIO("name,alias\nX,Y\n"), "list.csv")


def test_labelled_set_recall_and_precision():
    scores = evaluate()
    assert scores.pairs >= 300
    assert scores.recall >= 0.95, scores.mistakes
    assert scores.precision >= 0.9, scores.mistakes
