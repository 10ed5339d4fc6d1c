"""Django's admin log (django_admin_log: history pages, "Recent actions") names records by kind
and id, never by the name a pseudonymous organisation or a person must keep hidden (issue 16).

Each test works the admin pages over HTTP as an administrator does, then reads every admin log
row as one text, as someone reading a dump of the table would.
"""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from corridor.accounts.models import GlobalRole, Membership, OrgRole
from corridor.audit.admin import admin_log_label
from corridor.audit.tests.test_protected import (
    add_pseudonymous_organisation_in_admin,
    admin_form_data,
    change_memberships_in_admin,
)
from corridor.orgs.models import Organisation
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory
from corridor.testing.signin import signed_in_client

pytestmark = pytest.mark.django_db

HIDDEN = ("Salween", "SMA", "River Friends", "+66 555")


@pytest.fixture
def superuser():
    return UserFactory(is_staff=True, is_superuser=True, global_role=GlobalRole.ADMIN)


@pytest.fixture
def superuser_client(superuser):
    return signed_in_client(superuser)


def admin_log() -> str:
    return json.dumps(
        list(LogEntry.objects.values_list("object_repr", "change_message")), ensure_ascii=False
    )


def test_an_organisation_added_and_changed_in_the_admin_is_logged_by_kind_and_id(
    superuser_client,
):
    org = add_pseudonymous_organisation_in_admin(superuser_client)
    url = f"/admin/orgs/organisation/{org.pk}/change/"
    data = admin_form_data(superuser_client.get(url))
    data["acronym"] = "SMA2"
    assert superuser_client.post(url, data).status_code == 302

    entries = list(LogEntry.objects.filter(object_id=str(org.pk)).order_by("action_time", "pk"))
    assert [(e.action_flag, e.object_repr) for e in entries] == [
        (ADDITION, f"Organisation #{org.pk}"),
        (CHANGE, f"Organisation #{org.pk}"),
    ]
    assert entries[1].get_change_message() == "Changed Acronym."
    written = admin_log()
    for hidden in HIDDEN:
        assert hidden not in written
    # The history page still tells what happened, by whom and when.
    history = superuser_client.get(f"/admin/orgs/organisation/{org.pk}/history/")
    assert history.status_code == 200
    assert "Changed Acronym." in history.content.decode()


def test_inline_memberships_are_named_by_kind_and_id_in_the_change_message(superuser_client):
    user = UserFactory(username="u-thura")
    hidden_org = OrganisationFactory(name="Salween Mutual Aid")
    kept = MembershipFactory(user=user, organisation=hidden_org, role=OrgRole.VIEWER)
    dropped = MembershipFactory(user=user, role=OrgRole.EDITOR)
    added_org = OrganisationFactory(name="River Friends Network")
    change_memberships_in_admin(
        superuser_client, user, promote=kept, drop=dropped, add_to=added_org
    )
    added = Membership.objects.get(user=user, organisation=added_org)

    (entry,) = LogEntry.objects.filter(object_id=str(user.pk), action_flag=CHANGE)
    assert entry.object_repr == f"User #{user.pk}"
    # Added, changed, deleted: each inline record by its label (a deleted one has no id left).
    inline = [
        part
        for part in json.loads(entry.change_message)
        if any("name" in detail for detail in part.values())
    ]
    assert inline == [
        {"added": {"name": "membership", "object": f"Membership #{added.pk}"}},
        {
            "changed": {
                "name": "membership",
                "object": f"Membership #{kept.pk}",
                "fields": ["Role"],
            }
        },
        {"deleted": {"name": "membership", "object": "Membership"}},
    ]
    written = admin_log()
    for hidden in ("u-thura", "Salween", "River Friends"):
        assert hidden not in written


def test_deleting_in_the_admin_logs_kind_and_id(superuser_client):
    one = OrganisationFactory(name="Salween Mutual Aid")
    two = OrganisationFactory(name="River Friends Network")
    answer = superuser_client.post(
        f"/admin/orgs/organisation/{one.pk}/delete/", {"post": "yes"}, follow=True
    )
    assert answer.status_code == 200
    answer = superuser_client.post(
        "/admin/orgs/organisation/",
        {"action": "delete_selected", "_selected_action": [str(two.pk)], "post": "yes"},
    )
    assert answer.status_code == 302
    assert not Organisation.objects.filter(pk__in=[one.pk, two.pk]).exists()
    deleted = {(e.object_id, e.object_repr) for e in LogEntry.objects.filter(action_flag=DELETION)}
    assert deleted == {
        (str(one.pk), f"Organisation #{one.pk}"),
        (str(two.pk), f"Organisation #{two.pk}"),
    }
    assert "Salween" not in admin_log()
    assert "River Friends" not in admin_log()


def test_the_label_is_english_and_has_no_id_once_deleted():
    org = OrganisationFactory.build(name="Salween Mutual Aid")
    org.pk = None
    assert admin_log_label(org) == "Organisation"
    member = MembershipFactory()
    with translation.override("my"):
        assert admin_log_label(member) == f"Membership #{member.pk}"


def test_the_migration_relabels_what_was_logged_before(superuser):
    """Entries written before this change held the names; the migration rewrites them."""
    org = OrganisationFactory(name="Salween Mutual Aid")
    kind = ContentType.objects.get_for_model(Organisation)
    old = LogEntry.objects.create(
        user=superuser,
        content_type=kind,
        object_id=str(org.pk),
        object_repr="Salween Mutual Aid",
        action_flag=CHANGE,
        change_message=json.dumps(
            [
                {"changed": {"fields": ["Acronym"]}},
                {"added": {"name": "membership", "object": "u-thura — Salween Mutual Aid"}},
            ]
        ),
    )
    plain = LogEntry.objects.create(
        user=superuser,
        content_type=kind,
        object_id="",
        object_repr="River Friends",
        action_flag=DELETION,
        change_message='Deleted membership "u-thura — River Friends".',
    )
    migration = importlib.import_module(
        "corridor.core.tests.before_squash.migrations.audit.0003_admin_log_neutral_labels"
    )
    migration.neutral_labels(apps, None)

    old.refresh_from_db()
    assert old.object_repr == f"Organisation #{org.pk}"
    assert json.loads(old.change_message) == [
        {"changed": {"fields": ["Acronym"]}},
        {"added": {"name": "membership", "object": "membership"}},
    ]
    plain.refresh_from_db()
    assert (plain.object_repr, plain.change_message) == ("Organisation", "")
    for hidden in ("Salween", "River Friends", "u-thura"):
        assert hidden not in admin_log()
