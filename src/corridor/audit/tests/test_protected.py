"""No protected value reaches the audit trail in clear; every admin change reaches it (issue 10).

Each test does what a person does (the API, the admin pages over HTTP) and then reads every
entry's changes as one text, as someone reading the trail (or a dump of it) would.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.forms import MultiWidget
from django_otp.plugins.otp_totp.models import TOTPDevice

from corridor.accounts.models import GlobalRole, Membership, OrgRole, User
from corridor.accounts.services import user_create
from corridor.audit.models import AuditEntry
from corridor.audit.protected import CHANGED, SET, keyed_hash
from corridor.audit.services import audited_create
from corridor.funds.models import Transfer
from corridor.orgs.models import Organisation, Visibility
from corridor.testing.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from corridor.testing.signin import signed_in_client

pytestmark = pytest.mark.django_db

PASSWORD = "a long admin passphrase 7"


def trail() -> str:
    return json.dumps(
        list(AuditEntry.objects.values_list("changes", flat=True)), ensure_ascii=False
    )


def entries_for(obj) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_id=str(obj.pk)).order_by("seq"))


def org_admin_client(organisation):
    user = UserFactory()
    MembershipFactory(user=user, organisation=organisation, role=OrgRole.ORG_ADMIN)
    return signed_in_client(user)


@pytest.fixture
def superuser_client():
    admin = UserFactory(is_staff=True, is_superuser=True, global_role=GlobalRole.ADMIN)
    return signed_in_client(admin)


def admin_form_data(response) -> dict:
    """What the browser would post back from an admin change page, unchanged."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data: dict = {}
    for form in forms:
        for field in form:
            if field.field.disabled:
                continue
            value, widget = field.value(), field.field.widget
            if isinstance(widget, MultiWidget):
                parts = value if isinstance(value, list) else widget.decompress(value)
                for i, (part_widget, part) in enumerate(zip(widget.widgets, parts, strict=True)):
                    data[f"{field.html_name}_{i}"] = part_widget.format_value(part) or ""
            elif isinstance(value, bool):
                if value:
                    data[field.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[field.html_name] = [str(v) for v in value]
            elif value is not None:
                data[field.html_name] = str(value)
    return data


def change_memberships_in_admin(client, user, *, promote, drop, add_to) -> None:
    """On the user's admin page, as a person does: make one membership org admin, delete
    another and add one (editor) in ``add_to``; the page must accept it."""
    url = f"/admin/accounts/user/{user.pk}/change/"
    data = admin_form_data(client.get(url))
    prefix = "memberships"
    forms = {data[f"{prefix}-{i}-id"]: i for i in range(int(data[f"{prefix}-TOTAL_FORMS"]))}
    data[f"{prefix}-{forms[str(promote.pk)]}-role"] = OrgRole.ORG_ADMIN
    data[f"{prefix}-{forms[str(drop.pk)]}-DELETE"] = "on"
    new = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(new + 1)
    data.update(
        {
            f"{prefix}-{new}-organisation": str(add_to.pk),
            f"{prefix}-{new}-role": OrgRole.EDITOR,
            f"{prefix}-{new}-user": str(user.pk),
        }
    )
    answer = client.post(url, data)
    assert answer.status_code == 302, answer.context and answer.context.get("errors")


# --- Finding 3: real names of organisations that are not public --------------------------------


def test_making_an_organisation_anonymous_keeps_its_real_name_out_of_the_trail():
    org = audited_create(
        Organisation(
            name="Thanlwin Relief Network",
            acronym="TRN",
            kind="local_cso",
            base_country="MM",
            name_my="သံလွင်",
        ),
        by=None,
    )
    before = trail()
    answer = org_admin_client(org).patch(
        f"/api/orgs/organisations/{org.pk}/",
        {"visibility": Visibility.ANONYMOUS},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    org.refresh_from_db()
    assert org.protected_name.startswith("Thanlwin Relief Network")
    entry = entries_for(org)[-1]
    written = json.dumps(entry.changes, ensure_ascii=False)
    for real in ("Thanlwin", "TRN", "သံလွင်"):
        assert real not in written
    assert entry.changes["visibility"] == ["public", "anonymous"]
    # The change still shows, as keyed hashes of the old and new values.
    old, new = entry.changes["name"]
    assert old == keyed_hash("orgs.organisation.name", "Thanlwin Relief Network")
    assert new == keyed_hash("orgs.organisation.name", org.name)
    # Nothing but the create entry (written while it was public) ever held the name.
    assert "Thanlwin" in before
    assert trail().count("Thanlwin") == before.count("Thanlwin")


def add_pseudonymous_organisation_in_admin(client) -> Organisation:
    """Salween Mutual Aid (SMA), known outside as "River Friends", added on the admin page."""
    answer = client.post(
        "/admin/orgs/organisation/add/",
        {
            "name": "Salween Mutual Aid",
            "name_my": "",
            "acronym": "SMA",
            "kind": "local_cso",
            "base_country": "MM",
            "visibility": Visibility.PSEUDONYMOUS,
            "alias": "River Friends",
            "protected_name": "",
            "contact": "Signal +66 555 0101",
        },
    )
    assert answer.status_code == 302, answer.content
    return Organisation.objects.get(alias="River Friends")


def test_a_pseudonymous_organisation_is_named_in_the_trail_only_by_its_alias(superuser_client):
    org = add_pseudonymous_organisation_in_admin(superuser_client)
    (entry,) = entries_for(org)
    assert entry.action == "create"
    written = trail()
    for secret in ("Salween", "SMA", "+66 555"):
        assert secret not in written
    assert entry.changes["alias"] == "River Friends"
    assert entry.changes["contact"] == keyed_hash(
        "orgs.organisation.contact", "Signal +66 555 0101"
    )


# --- Finding 3: transfer references, stored and audited -----------------------------------------


def test_transfer_references_are_encrypted_at_rest_and_hashed_in_the_trail():
    donor, partner = OrganisationFactory(), OrganisationFactory()
    client = org_admin_client(donor)
    created = client.post(
        "/api/funds/transfers/",
        {
            "from_organisation": str(donor.pk),
            "to_organisation": str(partner.pk),
            "amount": "500",
            "currency": "USD",
            "sent_on": "2026-11-02",
            "channel": "informal",
            "reference": "HUNDI-7731-KYAW",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    changed = client.patch(
        f"/api/funds/transfers/{pk}/",
        {"reference": "HUNDI-7732-KYAW"},
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["reference"] == "HUNDI-7732-KYAW"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reference FROM funds_transfer WHERE id = %s",
            [pk.replace("-", "") if connection.vendor == "sqlite" else pk],
        )
        (stored,) = cursor.fetchone()
    assert stored.startswith("c1:")
    assert "HUNDI" not in stored
    assert "HUNDI" not in trail()
    update = entries_for(Transfer.objects.get(pk=pk))[-1]
    assert update.changes == {
        "reference": [
            keyed_hash("funds.transfer.reference", "HUNDI-7731-KYAW"),
            keyed_hash("funds.transfer.reference", "HUNDI-7732-KYAW"),
        ]
    }


# --- Finding 3: password hashes, and admin changes that left no entry ---------------------------


@pytest.mark.real_hasher
def test_a_user_created_in_the_admin_is_audited_without_the_password_hash(superuser_client):
    answer = superuser_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "new-field-officer",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert answer.status_code == 302, answer.context["adminform"].form.errors
    user = User.objects.get(username="new-field-officer")
    (entry,) = entries_for(user)
    assert entry.changes["password"] == SET
    assert entry.changes["username"] == "new-field-officer"
    stored_hash = user.password
    assert stored_hash.startswith("argon2")
    written = trail()
    assert stored_hash not in written
    assert stored_hash.split("$")[-1] not in written  # not even the digest part


def test_an_admin_password_change_is_audited_as_changed_only(superuser_client):
    user = UserFactory()
    old_hash = user.password
    url = f"/admin/accounts/user/{user.pk}/password/"
    answer = superuser_client.post(
        url, {"password1": PASSWORD + "x", "password2": PASSWORD + "x", "usable_password": "true"}
    )
    assert answer.status_code == 302, answer.content
    user.refresh_from_db()
    assert user.check_password(PASSWORD + "x")
    (entry,) = entries_for(user)
    assert (entry.action, entry.changes) == ("update", {"password": CHANGED})
    assert old_hash not in trail()
    assert user.password not in trail()
    # A refused form changes nothing and writes nothing.
    refused = superuser_client.post(url, {"password1": "a", "password2": "b"})
    assert refused.status_code == 200
    assert len(entries_for(user)) == 1


def test_inline_membership_changes_in_the_admin_are_audited(superuser_client):
    user = UserFactory()
    kept = MembershipFactory(user=user, role=OrgRole.VIEWER)
    dropped = MembershipFactory(user=user, role=OrgRole.EDITOR)
    added_org = OrganisationFactory()
    change_memberships_in_admin(
        superuser_client, user, promote=kept, drop=dropped, add_to=added_org
    )
    added = Membership.objects.get(user=user, organisation=added_org)
    assert [(e.action, e.changes) for e in entries_for(kept)] == [
        ("update", {"role": [OrgRole.VIEWER, OrgRole.ORG_ADMIN]})
    ]
    (gone,) = entries_for(dropped)
    assert (gone.action, gone.changes["role"]) == ("delete", OrgRole.EDITOR)
    (made,) = entries_for(added)
    assert (made.action, made.changes["organisation"]) == ("create", str(added_org.pk))
    # The user form was saved as it stood: its password is not in the entry.
    assert all("password" not in e.changes for e in entries_for(user))


def test_a_users_groups_changed_in_the_admin_are_audited(superuser_client):
    user = UserFactory()
    group = Group.objects.create(name="field leads")
    url = f"/admin/accounts/user/{user.pk}/change/"
    data = admin_form_data(superuser_client.get(url))
    data["groups"] = [str(group.pk)]
    answer = superuser_client.post(url, data)
    assert answer.status_code == 302, answer.context and answer.context.get("errors")
    assert {"groups": [[], [str(group.pk)]]} in [e.changes for e in entries_for(user)]


def test_an_authenticator_added_in_the_admin_is_audited_without_its_seed(superuser_client):
    user = UserFactory()
    seed = "3132333435363738393031323334353637383930"
    answer = superuser_client.post(
        "/admin/otp_totp/totpdevice/add/",
        {
            "user": str(user.pk),
            "name": "spare phone",
            "confirmed": "on",
            "key": seed,
            "step": "30",
            "t0": "0",
            "digits": "6",
            "tolerance": "1",
            "drift": "0",
            "throttling_failure_count": "0",
        },
    )
    assert answer.status_code == 302, answer.context and answer.context["adminform"].form.errors
    device = TOTPDevice.objects.get(user=user, name="spare phone")
    (entry,) = entries_for(device)
    assert entry.changes["key"] == SET
    assert seed not in trail()


def test_a_user_created_by_the_service_has_its_password_only_as_set():
    user = user_create(by=None, username="cli-made", password=PASSWORD)
    (entry,) = entries_for(user)
    assert entry.changes["password"] == SET
    assert user.password not in trail()
