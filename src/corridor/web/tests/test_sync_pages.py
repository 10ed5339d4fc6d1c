"""The sync page over HTTP: an administrator sees the peers, the bundles in and out, what is
pending and the conflicts; settling a conflict keeps one side, is audited, and taking the lost
side makes a new version above both (decision 0296). Who may open the pages at all is in the
authorisation matrix; the browser test of a person settling one is test_browser_sync.py."""

from __future__ import annotations

import json

import pytest

from corridor.accounts.models import GlobalRole, OrgRole
from corridor.aid.models import Activity
from corridor.audit.models import AuditEntry
from corridor.core.ids import uuid7
from corridor.sync import envelope, hlc, records
from corridor.sync.models import Conflict, Version
from corridor.sync.services.merge import changes_stamp
from corridor.sync.services.peers import (
    PeerIdentity,
    identity_ensure,
    peer_add,
)
from corridor.testing import factories as f
from corridor.testing.signin import signed_in_client

pytestmark = pytest.mark.django_db

LOST_VILLAGE = "Lost-side village 4417"


def sync_state() -> Conflict:
    """This instance as a hub with one field peer and one conflict over an activity: a field
    instance's concurrent edit (women 77, another village) lost to the version here."""
    identity_ensure(by=None, name="hub")
    keys = envelope.new_keys()
    peer_identity = PeerIdentity(
        id=uuid7(),
        name="field-kalay",
        signing_public=envelope.b64(keys.signing_public),
        box_public=envelope.b64(keys.box_public),
        fingerprint=envelope.fingerprint(keys.signing_public, keys.box_public),
    )
    activity = Activity.objects.order_by("id").first() or f.ActivityFactory()
    peer_add(
        by=None,
        identity=peer_identity,
        role="field",
        fingerprint=peer_identity.fingerprint,
        organisations=[activity.organisation],
    )
    changes_stamp(by=None)
    version = Version.objects.get(kind="aid.activity", record_id=activity.pk)
    kind = records.BY_LABEL["aid.activity"]
    lost = records.serialise(kind, activity) | {"women": 77, "village": LOST_VILLAGE}
    lost_hlc = str(hlc.Stamp(hlc.parse(version.hlc).wall - 1, 0, peer_identity.id.hex))
    version.superseded = [lost_hlc, *version.superseded]
    version.save(update_fields=["superseded"])
    return Conflict.objects.create(
        kind=kind.label,
        record_id=activity.pk,
        kept_hlc=version.hlc,
        lost_hlc=lost_hlc,
        lost=json.dumps(lost),
    )


@pytest.fixture
def admin_client():
    admin = f.UserFactory(global_role=GlobalRole.ADMIN, language="en")
    return admin, signed_in_client(admin)


def test_the_page_shows_peers_pending_changes_and_conflicts(admin_client):
    conflict = sync_state()
    _, client = admin_client
    page = client.get("/sync/").content.decode()
    assert "field-kalay" in page
    assert "field instance" in page
    assert "none yet" in page  # no bundle in or out yet
    assert f"/sync/conflicts/{conflict.pk}/" in page
    assert "0 edits made here are not yet versioned" in page
    # An edit made here shows as pending until the next bundle versions it.
    Activity.objects.filter(pk=conflict.record_id).update(women=3)
    assert "1 edit made here is not yet versioned" in client.get("/sync/").content.decode()


def test_the_conflict_page_shows_both_sides_and_what_differs(admin_client):
    conflict = sync_state()
    _, client = admin_client
    page = client.get(f"/sync/conflicts/{conflict.pk}/").content.decode()
    assert LOST_VILLAGE in page
    assert 'class="differs" data-field="women"' in page
    assert 'class="differs" data-field="village"' in page
    assert 'data-field="sector"' in page
    assert 'class="differs" data-field="sector"' not in page


def test_taking_the_lost_side_writes_it_as_a_new_version_above_both_and_audits(admin_client):
    conflict = sync_state()
    admin, client = admin_client
    answer = client.post(f"/sync/conflicts/{conflict.pk}/", {"take": "took_lost"}, follow=True)
    assert "The version that lost is now the record&#x27;s" in answer.content.decode()
    activity = Activity.objects.get(pk=conflict.record_id)
    assert (activity.women, activity.village) == (77, LOST_VILLAGE)
    version = Version.objects.get(kind="aid.activity", record_id=conflict.record_id)
    assert version.hlc > conflict.kept_hlc
    assert {conflict.kept_hlc, conflict.lost_hlc} <= set(version.superseded)
    assert version.came_from is None  # a local edit: it goes to every peer
    conflict.refresh_from_db()
    assert (conflict.resolution, conflict.reviewed_by) == ("took_lost", admin)
    entry = AuditEntry.objects.filter(object_type="sync.conflict").latest("seq")
    assert entry.actor_label == admin.username
    assert entry.changes["resolution"] == "took_lost"
    assert entry.changes["fields_taken"] == ["village", "women"]
    assert LOST_VILLAGE not in json.dumps(entry.changes)  # names fields, never values
    assert f"/sync/conflicts/{conflict.pk}/" not in client.get("/sync/").content.decode()
    # Settled once: a second answer is refused with a message, nothing changes.
    again = client.post(f"/sync/conflicts/{conflict.pk}/", {"take": "kept"}, follow=True)
    assert "settled already" in again.content.decode()
    conflict.refresh_from_db()
    assert conflict.resolution == "took_lost"


def test_keeping_the_winner_leaves_the_record_and_a_bad_answer_is_refused(admin_client):
    conflict = sync_state()
    _, client = admin_client
    before = Activity.objects.get(pk=conflict.record_id)
    bad = client.post(f"/sync/conflicts/{conflict.pk}/", {"take": "both"}, follow=True)
    assert "take must be one of kept, took_lost" in bad.content.decode()
    client.post(f"/sync/conflicts/{conflict.pk}/", {"take": "kept"})
    after = Activity.objects.get(pk=conflict.record_id)
    assert (after.women, after.village) == (before.women, before.village)
    conflict.refresh_from_db()
    assert conflict.resolution == "kept"


def test_only_administrators_see_the_menu_entry_and_may_settle(admin_client):
    conflict = sync_state()
    _, client = admin_client
    assert 'href="/sync/"' in client.get("/").content.decode()
    editor = f.UserFactory(language="en")
    f.MembershipFactory(user=editor, organisation=f.OrganisationFactory(), role=OrgRole.ORG_ADMIN)
    other = signed_in_client(editor)
    assert 'href="/sync/"' not in other.get("/").content.decode()
    assert other.post(f"/sync/conflicts/{conflict.pk}/", {"take": "took_lost"}).status_code == 403
    conflict.refresh_from_db()
    assert conflict.reviewed_at is None
