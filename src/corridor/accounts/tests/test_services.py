import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from corridor.accounts.models import GlobalRole
from corridor.accounts.services import password_change, user_disable
from corridor.audit.models import AuditEntry
from corridor.audit.services import Action
from corridor.core.errors import InvalidInput, NotAllowed
from corridor.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_user_disable_ends_every_session_of_that_user_only():
    target, other, admin = UserFactory(), UserFactory(), UserFactory()
    phones = [Client(), Client()]
    for phone in phones:
        phone.force_login(target)
    bystander = Client()
    bystander.force_login(other)

    ended = user_disable(by=admin, user=target)

    assert ended == 2
    target.refresh_from_db()
    assert target.is_active is False
    remaining = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert remaining == [str(other.pk)]
    entry = AuditEntry.objects.filter(action=Action.PERMISSION_CHANGE).latest("seq")
    assert entry.object_id == str(target.pk)
    assert entry.actor_id == str(admin.pk)
    assert entry.changes == {"is_active": [True, False], "sessions_ended": 2}


def test_only_the_user_or_an_admin_changes_a_password():
    user = UserFactory()
    other = UserFactory()
    with pytest.raises(NotAllowed):
        password_change(by=other, user=user, password="lantern-monsoon-ferry-41")
    with pytest.raises(InvalidInput, match="too short"):
        password_change(by=user, user=user, password="short")
    admin = UserFactory(global_role=GlobalRole.ADMIN)
    assert password_change(by=admin, user=user, password="lantern-monsoon-ferry-41") == 0
    user.refresh_from_db()
    assert user.check_password("lantern-monsoon-ferry-41")
