"""The held rows over HTTP (/api/exchange/held): a 5W uploaded partially through the API, its
held rows listed, shown, fixed and dropped by the uploader's organisation; a viewer of it may
look but not settle; a member of another organisation finds nothing (decision 0205)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from corridor.aid.models import Activity
from corridor.audit.models import AuditEntry
from corridor.exchange.models import HeldRow, HeldStatus
from corridor.exchange.tests.test_partial import HEADER, ROWS
from corridor.testing.factories import MembershipFactory, OrganisationFactory
from corridor.testing.signin import signed_in_client


@pytest.fixture
def upload(org):
    """The 5W imported partially by an editor of CRN over the API: rows 3, 4, 5 held."""
    editor = MembershipFactory(organisation=org, role="editor").user
    client = signed_in_client(editor)
    text = HEADER + "\r\n".join(ROWS) + "\r\n"
    answer = client.post(
        "/api/exchange/imports",
        {
            "file": SimpleUploadedFile("5w.csv", text.encode(), "text/csv"),
            "partial": "true",
            "org": "CRN",
        },
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["held"] == 3
    return client, answer.json()["run_id"]


def _row(number: int) -> HeldRow:
    return HeldRow.objects.get(row=number)


def _views() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type="exchange.heldrow", action="view_protected"))


def test_the_uploader_lists_shows_fixes_and_drops_held_rows_over_http(upload):
    client, run_id = upload
    listed = client.get("/api/exchange/held/", {"run": run_id})
    assert listed.status_code == 200, listed.content
    body = listed.json()
    assert body["count"] == 3
    assert [(i["row"], i["status"], i["file"]) for i in body["items"]] == [
        (3, "held", "5w.csv"),
        (4, "held", "5w.csv"),
        (5, "held", "5w.csv"),
    ]
    first = body["items"][0]
    assert first["reasons"] == [
        {"column": "#reached+f+adults", "value": "NA", "reason": "not a whole number: 'NA'"}
    ]
    assert [t["pcode"] for t in body["items"][1]["townships"]] == ["MMR013046", "MMR013047"]
    # One audited view for the answer, naming the three rows it showed.
    (entry,) = _views()
    assert sorted(entry.changes["rows"]) == sorted(str(i["id"]) for i in body["items"])
    assert entry.changes["where"] == "api"

    shown = client.get(f"/api/exchange/held/{first['id']}")
    assert shown.status_code == 200
    cells = {c["column"]: c["value"] for c in shown.json()["cells"]}
    assert cells["#adm3+name"] == "Falam"
    assert cells["#loc+village"] == "Village B"
    assert len(_views()) == 2

    # A fix that is still wrong: 200, not applied, the reason given, the row still held.
    five = str(_row(5).pk)
    wrong = client.patch(
        f"/api/exchange/held/{five}", {"cells": {"sector": "rockets"}}, "application/json"
    )
    assert wrong.status_code == 200, wrong.content
    assert (wrong.json()["applied"], wrong.json()["status"]) == (False, "held")
    assert "unknown sector 'rockets'" in wrong.json()["errors"][0]["reason"]
    assert _row(5).status == HeldStatus.HELD

    # A good fix applies through the pipeline, as `corridor held fix` does.
    fixed = client.patch(
        f"/api/exchange/held/{first['id']}",
        {"cells": {"#reached+f+adults": "0"}},
        "application/json",
    )
    assert fixed.status_code == 200, fixed.content
    assert (fixed.json()["applied"], fixed.json()["created"]) == (True, 1)
    falam = Activity.objects.get(admin_unit__name_en="Falam")
    assert (falam.women, falam.men, falam.village) == (0, 5, "Village B")
    # The township among the candidates.
    four = str(_row(4).pk)
    picked = client.patch(
        f"/api/exchange/held/{four}", {"township": "MMR013047"}, "application/json"
    )
    assert picked.json()["applied"] is True
    assert Activity.objects.get(admin_unit_id="MMR013047").people == 10

    # Dropping needs a reason, which goes to the audit trail.
    assert client.post(f"/api/exchange/held/{five}/drop", {}, "application/json").status_code == 422
    dropped = client.post(
        f"/api/exchange/held/{five}/drop",
        {"reason": "rocketry is not a sector"},
        "application/json",
    )
    assert dropped.status_code == 200, dropped.content
    assert dropped.json()["status"] == "dropped"
    assert _row(5).status == HeldStatus.DROPPED
    entry = AuditEntry.objects.get(object_type="exchange.heldrow", action="delete")
    assert entry.changes == {"status": "dropped", "reason": "rocketry is not a sector"}
    # Settled rows cannot be settled again.
    again = client.post(f"/api/exchange/held/{five}/drop", {"reason": "twice"}, "application/json")
    assert again.status_code == 400
    assert "no longer held" in again.json()["detail"]

    assert client.get("/api/exchange/held/", {"run": run_id}).json()["count"] == 0
    every = client.get("/api/exchange/held/", {"run": run_id, "status": "all"}).json()
    assert sorted(i["status"] for i in every["items"]) == ["applied", "applied", "dropped"]


def test_a_viewer_may_look_but_not_fix_or_drop(upload, org):
    _client, run_id = upload
    viewer = signed_in_client(MembershipFactory(organisation=org, role="viewer").user)
    five = str(_row(5).pk)
    assert viewer.get("/api/exchange/held/", {"run": run_id}).json()["count"] == 3
    assert viewer.get(f"/api/exchange/held/{five}").status_code == 200
    fix = viewer.patch(
        f"/api/exchange/held/{five}", {"cells": {"sector": "wash"}}, "application/json"
    )
    assert fix.status_code == 403, fix.content
    drop = viewer.post(f"/api/exchange/held/{five}/drop", {"reason": "no"}, "application/json")
    assert drop.status_code == 403, drop.content
    assert _row(5).status == HeldStatus.HELD
    assert not Activity.objects.filter(admin_unit__name_en="Tedim").exists()


def test_another_organisations_member_finds_nothing(upload):
    _client, run_id = upload
    other = OrganisationFactory(name="Other Aid")
    for role in ("viewer", "editor", "org_admin"):
        outsider = signed_in_client(MembershipFactory(organisation=other, role=role).user)
        five = str(_row(5).pk)
        assert outsider.get("/api/exchange/held/").json() == {"count": 0, "items": []}
        assert outsider.get("/api/exchange/held/", {"run": run_id}).status_code == 404
        assert outsider.get(f"/api/exchange/held/{five}").status_code == 404
        fix = outsider.patch(
            f"/api/exchange/held/{five}", {"cells": {"sector": "wash"}}, "application/json"
        )
        assert fix.status_code == 404
        drop = outsider.post(f"/api/exchange/held/{five}/drop", {"reason": "x"}, "application/json")
        assert drop.status_code == 404
    assert _row(5).status == HeldStatus.HELD
    assert not _views()  # nothing was shown, so no view was audited
    assert outsider.get("/api/exchange/held/", {"limit": 0}).status_code == 400
