"""The policy table: every role x own/other organisation's object x action.

Each expectation is written out as the set of actions the role may take; everything else
must be refused. The scoped queries are checked against the same table for ``view``.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corridor.accounts import policy
from corridor.accounts.models import GlobalRole, Membership, OrgRole
from corridor.aid.access import activity_rule
from corridor.aid.models import Activity
from corridor.aid.queries import activities_visible_to
from corridor.audit.models import AuditEntry
from corridor.core.errors import NotAllowed
from corridor.funds.queries import transfers_visible_to
from corridor.orgs.models import Organisation, Visibility
from corridor.orgs.queries import organisations_visible_to
from corridor.situation.queries import (
    figures_visible_to,
    incidents_visible_to,
    sources_visible_to,
)
from corridor.testing.factories import (
    ActivityFactory,
    DisplacementFigureFactory,
    IncidentFactory,
    MembershipFactory,
    OrganisationFactory,
    SourceFactory,
    TransferFactory,
    UserFactory,
)

ALL = set(policy.ACTIONS)
NONE: set[str] = set()
READ = {"view", "export"}
MEMBER = {"view", "export", "view_protected"}
EDIT = MEMBER | {"add", "change", "delete"}
ROLES = [
    "anonymous",
    "no_role",
    "disabled",
    "viewer",
    "editor",
    "org_admin",
    "coordinator",
    "admin",
    "superuser",
]


def _user(**fields):
    # No password: hashing one with Argon2 for every user of every test would dominate the run.
    return UserFactory(password=None, **fields)


@pytest.fixture
def world(db):
    own = OrganisationFactory(name="Own")
    other = OrganisationFactory(name="Other")
    anonymous_org = OrganisationFactory(name="Hidden", visibility=Visibility.ANONYMOUS)
    pseudonymous = OrganisationFactory(
        name="Masked", visibility=Visibility.PSEUDONYMOUS, alias="Group M"
    )
    users = {
        "anonymous": AnonymousUser(),
        "no_role": _user(),
        "disabled": _user(is_active=False),
        "viewer": _user(),
        "editor": _user(),
        "org_admin": _user(),
        "coordinator": _user(global_role=GlobalRole.COORDINATOR),
        "admin": _user(global_role=GlobalRole.ADMIN),
        "superuser": _user(is_superuser=True),
    }
    for role in ("viewer", "editor", "org_admin"):
        MembershipFactory(user=users[role], organisation=own, role=role)
    MembershipFactory(user=users["disabled"], organisation=own, role=OrgRole.EDITOR)
    outsider = _user()
    objects = {
        "org:own": own,
        "org:other": other,
        "org:anonymous": anonymous_org,
        "org:pseudonymous": pseudonymous,
        "activity:own": ActivityFactory(organisation=own),
        "activity:other": ActivityFactory(organisation=other),
        "activity:anonymous": ActivityFactory(organisation=anonymous_org),
        "transfer:own-other": TransferFactory(from_organisation=other, to_organisation=own),
        "transfer:other-pseudonymous": TransferFactory(
            from_organisation=other, to_organisation=pseudonymous
        ),
        "transfer:other-anonymous": TransferFactory(
            from_organisation=other, to_organisation=anonymous_org
        ),
        "incident:own": IncidentFactory(reporting_organisation=own, latitude=20.1, longitude=96.1),
        "incident:other": IncidentFactory(reporting_organisation=other),
        "incident:anonymous": IncidentFactory(reporting_organisation=anonymous_org),
        "incident:unattributed": IncidentFactory(),
        "figure:own": DisplacementFigureFactory(reporting_organisation=own),
        "figure:other": DisplacementFigureFactory(reporting_organisation=other),
        "source:by-editor": SourceFactory(created_by=users["editor"]),
        "source:by-outsider": SourceFactory(created_by=outsider),
        "membership:own": MembershipFactory(user=_user(), organisation=own, role=OrgRole.VIEWER),
        "membership:other": MembershipFactory(
            user=_user(), organisation=other, role=OrgRole.ORG_ADMIN
        ),
    }
    return users, objects


# role -> object -> allowed actions. Roles not named for an object may do nothing with it,
# except admin and superuser, who may do everything.
EXPECTED: dict[str, dict[str, set[str]]] = {
    "org:own": {
        "viewer": {"view", "export", "view_protected"},
        "editor": {"view", "export", "view_protected", "add", "import_for"},
        "org_admin": {
            "view",
            "export",
            "view_protected",
            "add",
            "change",
            "administer",
            "import_for",
        },
        "coordinator": {"view", "import_for"},
    },
    "org:other": {
        "viewer": {"view"},
        "editor": {"view"},
        "org_admin": {"view"},
        "coordinator": {"view", "import_for"},
    },
    "org:anonymous": {},
    "org:pseudonymous": {"coordinator": {"view", "import_for"}},
    "activity:own": {"viewer": MEMBER, "editor": EDIT, "org_admin": EDIT, "coordinator": READ},
    "activity:other": {"coordinator": READ},
    "activity:anonymous": {},
    "transfer:own-other": {
        "viewer": MEMBER,
        "editor": EDIT,
        "org_admin": EDIT,
        "coordinator": READ,
    },
    "transfer:other-pseudonymous": {"coordinator": READ},
    "transfer:other-anonymous": {},
    "incident:own": {"viewer": MEMBER, "editor": EDIT, "org_admin": EDIT, "coordinator": READ},
    "incident:other": {"viewer": READ, "editor": READ, "org_admin": READ, "coordinator": READ},
    "incident:anonymous": {"viewer": READ, "editor": READ, "org_admin": READ, "coordinator": READ},
    "incident:unattributed": {
        "viewer": READ,
        "editor": READ,
        "org_admin": READ,
        "coordinator": READ,
    },
    "figure:own": {"viewer": MEMBER, "editor": EDIT, "org_admin": EDIT, "coordinator": READ},
    "figure:other": {"viewer": READ, "editor": READ, "org_admin": READ, "coordinator": READ},
    "source:by-editor": {
        "viewer": READ,
        "editor": READ | {"add", "change", "delete"},
        "org_admin": READ | {"add"},
        "coordinator": READ,
    },
    "source:by-outsider": {
        "viewer": READ,
        "editor": READ | {"add"},
        "org_admin": READ | {"add"},
        "coordinator": READ,
    },
    "membership:own": {"org_admin": {"view", "add", "change", "delete", "administer"}},
    "membership:other": {},
}


def _expected(role: str, key: str) -> set[str]:
    if role in ("admin", "superuser"):
        return ALL
    return EXPECTED[key].get(role, NONE)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_policy_table(world, key):
    users, objects = world
    wrong = []
    for role in ROLES:
        allowed = {a for a in policy.ACTIONS if policy.can(users[role], a, objects[key])}
        if allowed != _expected(role, key):
            wrong.append(f"{role}: got {sorted(allowed)}, expected {sorted(_expected(role, key))}")
    assert not wrong, f"{key}:\n" + "\n".join(wrong)


QUERIES = {
    "org": organisations_visible_to,
    "activity": activities_visible_to,
    "transfer": transfers_visible_to,
    "incident": incidents_visible_to,
    "figure": figures_visible_to,
    "source": sources_visible_to,
}


@pytest.mark.parametrize("role", ROLES)
def test_scoped_queries_agree_with_view(world, role):
    users, objects = world
    user = users[role]
    for key, obj in objects.items():
        kind = key.split(":")[0]
        if kind not in QUERIES:
            continue
        listed = QUERIES[kind](user).filter(pk=obj.pk).exists()
        assert listed == ("view" in _expected(role, key)), (role, key, listed)


def test_everyone_can_see_own_membership_only(world):
    users, _ = world
    mine = Membership.objects.get(user=users["viewer"])
    theirs = Membership.objects.get(user=users["editor"])
    assert policy.can(users["viewer"], "view", mine)
    assert not policy.can(users["viewer"], "view", theirs)
    assert not policy.can(users["viewer"], "change", mine)


def test_users_are_administered_by_admins_only(world):
    users, _ = world
    assert policy.can(users["viewer"], "view", users["viewer"])
    assert not policy.can(users["viewer"], "view", users["editor"])
    assert not policy.can(users["org_admin"], "change", users["viewer"])
    assert policy.can(users["admin"], "change", users["viewer"])


@pytest.mark.parametrize(
    ("role", "add_anything", "administer"),
    [
        ("anonymous", False, False),
        ("no_role", False, False),
        ("disabled", False, False),
        ("viewer", False, False),
        ("editor", True, False),
        ("org_admin", True, False),
        ("coordinator", False, False),
        ("admin", True, True),
        ("superuser", True, True),
    ],
)
def test_actions_without_an_object(world, role, add_anything, administer):
    users, _ = world
    user = users[role]
    assert policy.can(user, "add") is add_anything
    assert policy.can(user, "add", Activity) is add_anything
    assert policy.can(user, "administer") is administer
    assert not policy.can(user, "change") or role in ("admin", "superuser")


@pytest.mark.parametrize(
    ("role", "imports", "creates"),
    [
        ("anonymous", False, False),
        ("viewer", False, False),
        ("editor", True, False),
        ("org_admin", True, False),
        ("coordinator", True, True),
        ("admin", True, True),
    ],
)
def test_who_imports_for_others_and_creates_organisations(world, role, imports, creates):
    """A cluster-wide import (decision 0160): coordinators file for any organisation they may
    see and create the new ones a file names; editors import only for their own."""
    users, _ = world
    user = users[role]
    assert policy.can(user, "import_for") is imports
    assert policy.can(user, "add", Organisation) is creates


def test_add_checks_the_new_rows_organisation(world):
    users, objects = world
    own, other = objects["org:own"], objects["org:other"]
    editor = users["editor"]
    assert policy.can(editor, "add", Activity(organisation=own))
    assert not policy.can(editor, "add", Activity(organisation=other))
    assert not policy.can(users["viewer"], "add", Activity(organisation=own))
    assert not policy.can(editor, "add", Activity())


def test_unknown_action_is_a_programming_error(world):
    users, objects = world
    with pytest.raises(ValueError, match="unknown action"):
        policy.can(users["admin"], "edit", objects["org:own"])


def test_require_refuses_and_audits_the_denial(world):
    users, objects = world
    activity = objects["activity:other"]
    before = AuditEntry.objects.count()
    with pytest.raises(NotAllowed):
        policy.require(users["viewer"], "change", activity)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == before + 1
    assert entry.action == "denied"
    assert entry.actor_id == str(users["viewer"].pk)
    assert entry.object_type == "aid.activity"
    assert entry.object_id == str(activity.pk)
    assert entry.changes == {"wanted": "change"}


def test_require_audits_anonymous_denials(world):
    users, objects = world
    with pytest.raises(NotAllowed):
        policy.require(users["anonymous"], "view", objects["incident:own"])
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.actor_label == "system"
    assert entry.changes == {"wanted": "view", "actor": "anonymous"}


def test_require_allows_silently(world):
    users, objects = world
    before = AuditEntry.objects.count()
    policy.require(users["editor"], "change", objects["activity:own"])
    assert AuditEntry.objects.count() == before


def test_each_domain_app_registers_the_rules_for_its_models():
    """The rules live beside their models (``<app>/access.py``) and join the policy at start-up;
    accounts itself names no model of a higher layer (scripts/fitness.py checks that)."""
    assert policy.registered() >= {
        "orgs.organisation",
        "aid.activity",
        "funds.transfer",
        "situation.incident",
        "situation.displacementfigure",
        "situation.source",
        "accounts.membership",
        "accounts.user",
        "accounts.apitoken",
    }


def test_a_second_rule_for_the_same_model_is_refused():
    policy.register("aid.activity", activity_rule, editors_add=True)  # the same: harmless
    with pytest.raises(ImproperlyConfigured, match=r"aid\.activity"):
        policy.register("aid.activity", lambda user, action, obj: True)


# --- allowed: can for many objects, the memberships read once ----------------------------------


def test_allowed_answers_as_can_for_every_role_action_and_object(world):
    users, objects = world
    every = list(objects.values())
    for role, user in users.items():
        for action in policy.ACTIONS:
            asked_each = [obj for obj in every if policy.can(user, action, obj)]
            assert policy.allowed(user, action, every) == asked_each, (role, action)


def _membership_reads(queries) -> int:
    return sum('FROM "accounts_membership"' in q["sql"] for q in queries)


def test_allowed_reads_the_memberships_once_not_once_per_object(world):
    users, objects = world
    own = objects["org:own"]
    rows = [ActivityFactory(organisation=own) for _ in range(12)] + [objects["activity:other"]]
    editor = users["editor"]
    with CaptureQueriesContext(connection) as each:
        asked_each = [a for a in rows if policy.can(editor, policy.CHANGE, a)]
    with CaptureQueriesContext(connection) as once:
        assert policy.allowed(editor, policy.CHANGE, rows) == asked_each == rows[:12]
    assert _membership_reads(each.captured_queries) == len(rows)
    assert _membership_reads(once.captured_queries) == 1
    # After it, each question reads them again (a membership may change between requests).
    with CaptureQueriesContext(connection) as after:
        policy.organisation_ids(editor)
    assert _membership_reads(after.captured_queries) == 1


def test_a_set_of_organisations_handed_out_is_the_callers_to_change(world):
    users, objects = world
    viewer = users["viewer"]
    seen = []

    def rule(user, action, obj):
        ids = policy.organisation_ids(user)
        seen.append(set(ids))
        ids.add("not an organisation")  # a caller that changes what it got
        return True

    with policy._memberships_read_once(viewer):
        rule(viewer, policy.VIEW, None)
        rule(viewer, policy.VIEW, None)
        # Another person's memberships are read for them, not taken from the viewer's.
        assert policy.organisation_ids(users["editor"]) == {objects["org:own"].pk}
        assert policy.organisation_ids(users["no_role"]) == set()
    assert seen == [{objects["org:own"].pk}, {objects["org:own"].pk}]
