"""Users and their memberships of organisations.

A user's power comes from two places: a global role (coordinator or admin of the whole
network) and a role in each organisation they belong to. Least privilege: a new user has
neither until someone grants it.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class GlobalRole(models.TextChoices):
    NONE = "none", _("None")
    COORDINATOR = "coordinator", _("Coordinator")
    ADMIN = "admin", _("Administrator")


class OrgRole(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    EDITOR = "editor", _("Editor")
    ORG_ADMIN = "org_admin", _("Organisation admin")


class User(AbstractUser):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    global_role = models.CharField(
        max_length=16, choices=GlobalRole.choices, default=GlobalRole.NONE
    )
    language = models.CharField(
        max_length=8, blank=True, default="", help_text=_("Preferred interface language.")
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(global_role__in=GlobalRole.values),
                name="user_global_role_valid",
            ),
        ]

    @property
    def is_coordinator(self) -> bool:
        return self.global_role in (GlobalRole.COORDINATOR, GlobalRole.ADMIN)

    @property
    def is_network_admin(self) -> bool:
        return self.global_role == GlobalRole.ADMIN or self.is_superuser


class Membership(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=OrgRole.choices, default=OrgRole.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=OrgRole.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation} ({self.role})"
