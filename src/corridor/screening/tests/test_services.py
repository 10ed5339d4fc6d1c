"""Loading lists (idempotent, what changed reported, all or nothing) and decisions on matches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corridor.accounts.models import GlobalRole, OrgRole
from corridor.audit.models import AuditEntry
from corridor.core.errors import InvalidInput, NotAllowed
from corridor.screening.models import EntityList, ListedEntity, ScreeningDecision
from corridor.screening.queries import screen_names
from corridor.screening.services import decision_record, list_import, list_import_bytes
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory

DATA = Path(__file__).parent / "data"
HEADER = "name,aliases,type,country,programme,source,date\n"


def load(text: str, name: str = "test list", by=None):
    return list_import_bytes(by=by, data=text.encode(), file_name="list.csv", name=name)


def test_reload_reports_added_changed_removed_and_is_idempotent(db):
    first = load(HEADER + "Nawarat Steel Co Ltd,NSC,company,mm,SYN-1,synthetic,2024-01\n"
                 "U Kyaw Zin Htet,ဦးကျော်ဇင်ထက်,person,mm,SYN-1,synthetic,2024\n")  # fmt: skip
    assert (first.added, first.changed, first.removed, first.version) == (2, 0, 0, 1)
    again = load(HEADER + "Nawarat Steel Co Ltd,NSC,company,mm,SYN-1,synthetic,2024-01\n"
                 "U Kyaw Zin Htet,ဦးကျော်ဇင်ထက်,person,mm,SYN-1,synthetic,2024\n")  # fmt: skip
    assert (again.added, again.changed, again.removed, again.unchanged) == (0, 0, 0, 2)
    assert again.version == 1  # nothing changed: the same version
    third = load(HEADER + "Nawarat Steel Co Ltd,NSC;Nawarat Steel,company,mm,SYN-2,s,2024-01\n"
                 "Daw Hnin Wai,,person,mm,SYN-2,synthetic,2025\n")  # fmt: skip
    assert (third.added, third.changed, third.removed, third.unchanged) == (1, 1, 1, 0)
    assert third.version == 2
    assert sorted(ListedEntity.objects.values_list("name", flat=True)) == [
        "Daw Hnin Wai", "Nawarat Steel Co Ltd"]  # fmt: skip
    steel = ListedEntity.objects.get(name="Nawarat Steel Co Ltd")
    assert (steel.aliases, steel.programme, steel.loaded_version) == (
        ["NSC", "Nawarat Steel"], "SYN-2", 2)  # fmt: skip
    loads = AuditEntry.objects.filter(action="screening.list_load").order_by("seq")
    assert [(e.changes["added"], e.changes["changed"], e.changes["removed"]) for e in loads] == [
        (2, 0, 0), (0, 0, 0), (1, 1, 1)]  # fmt: skip
    assert loads.last().changes["removed_keys"] == ["csv:u kyaw zin htet"]


def test_a_bad_file_changes_nothing(db):
    load(HEADER + "Nawarat Steel Co Ltd,,company,mm,,s,\n")
    with pytest.raises(InvalidInput, match=r"list\.csv, row 3, column type"):
        load(HEADER + "Another Co,,company,mm,,s,\nBad,,boat,mm,,s,\n")
    assert list(ListedEntity.objects.values_list("name", flat=True)) == ["Nawarat Steel Co Ltd"]
    assert EntityList.objects.get().version == 1


def test_ftm_file_then_delta_stream(db, tmp_path):
    loaded = list_import(by=None, path=DATA / "synthetic_ftm.jsonl", name="synthetic",
                         source="synthetic test list")  # fmt: skip
    assert (loaded.format, loaded.added, loaded.total) == ("ftm", 5, 5)
    delta = tmp_path / "delta.jsonl"
    delta.write_text(
        json.dumps({"op": "DEL", "entity": {"id": "syn-unrelated"}}) + "\n"
        + json.dumps({"op": "MOD", "entity": {"id": "syn-general", "schema": "Person",
                      "properties": {"name": ["Min Thet Paing"], "alias": ["Bo Min Thet"]}}})
        + "\n"
    )  # fmt: skip
    changed = list_import(by=None, path=delta, name="synthetic")
    assert (changed.added, changed.changed, changed.removed, changed.total) == (0, 1, 1, 4)
    with pytest.raises(InvalidInput, match="a delta stream changes a list; load 'other' first"):
        list_import(by=None, path=delta, name="other")


def test_only_coordinators_and_admins_load_lists(db):
    editor = MembershipFactory(role=OrgRole.EDITOR).user
    with pytest.raises(NotAllowed):
        load(HEADER + "X Co,,company,mm,,s,\n", by=editor)
    coordinator = UserFactory(global_role=GlobalRole.COORDINATOR)
    assert load(HEADER + "X Co,,company,mm,,s,\n", by=coordinator).added == 1


def test_a_dismissal_holds_until_the_list_changes_the_entity(db):
    load(HEADER + "Nawarat Steel Co Ltd,,company,mm,SYN-1,s,\n")
    member = MembershipFactory(role=OrgRole.EDITOR)
    org, editor = member.organisation, member.user
    (answer,) = screen_names(editor, ["NAWARAT STEEL COMPANY LIMITED"], organisation=org)
    assert answer.hit.status == "match"
    assert answer.warns
    entity = ListedEntity.objects.get()
    with pytest.raises(InvalidInput, match="reason: say why"):
        decision_record(by=editor, organisation=org, name="Nawarat Steel Company Limited",
                        entity=entity, verdict="dismissed", reason=" ")  # fmt: skip
    decision_record(by=editor, organisation=org, name="Nawarat Steel Company Limited",
                    entity=entity, verdict="dismissed",
                    reason="a different firm: registration 123 in Mawlamyine")  # fmt: skip
    (answer,) = screen_names(editor, ["Nawarat Steel Co., Ltd"], organisation=org)
    assert not answer.warns
    assert (
        answer.as_dict()["decision"]["reason"] == "a different firm: registration 123 in Mawlamyine"
    )
    # Another organisation has not decided: it is still warned.
    other = OrganisationFactory()
    (answer,) = screen_names(None, ["Nawarat Steel Co., Ltd"], organisation=other)
    assert answer.warns
    # The list changes the entity: the dismissal no longer holds.
    load(HEADER + "Nawarat Steel Co Ltd,NSC,company,mm,SYN-2,s,\n")
    (answer,) = screen_names(editor, ["Nawarat Steel Co., Ltd"], organisation=org)
    assert answer.stale
    assert answer.warns
    assert answer.notes == ("the list changed this entity since the decision: decide again",)
    # A viewer of the organisation may not decide.
    viewer = MembershipFactory(organisation=org, role=OrgRole.VIEWER).user
    with pytest.raises(NotAllowed):
        decision_record(by=viewer, organisation=org, name="Nawarat Steel Company Limited",
                        entity=entity, verdict="confirmed", reason="seen the papers")  # fmt: skip
    decision = ScreeningDecision.objects.get()
    entries = AuditEntry.objects.filter(object_id=str(decision.pk)).order_by("seq")
    assert [e.action for e in entries] == ["create"]
    assert entries[0].changes["reason"] == "a different firm: registration 123 in Mawlamyine"
