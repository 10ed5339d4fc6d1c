"""Users and their memberships of organisations.

A user's power comes from two places: a global role (coordinator or admin of the whole
network) and a role in each organisation they belong to. Least privilege: a new user has
neither until someone grants it.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

from corridor.core.models import one_of


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
    # Not a field: set only on the user an API request acts as, when it came with a token.
    # The access policy then sees one organisation and no global role (accounts/tokens.py).
    token_grant: TokenGrant | None = None

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=one_of("global_role", GlobalRole.values),
                name="user_global_role_valid",
            ),
        ]

    @property
    def is_coordinator(self) -> bool:
        if self.token_grant is not None:
            return False
        return self.global_role in (GlobalRole.COORDINATOR, GlobalRole.ADMIN)

    @property
    def is_network_admin(self) -> bool:
        if self.token_grant is not None:
            return False
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
                condition=one_of("role", OrgRole.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation} ({self.role})"


class RecoveryDevice(TimestampMixin, ThrottlingMixin, Device):
    """A user's single-use recovery codes, as a django-otp device.

    django-otp's own static device stores its codes in clear text; this one keeps only a
    SHA-256 digest of each (docs/decisions/0041-recovery-codes.md). The codes carry 80 random
    bits, so a fast digest is enough: nobody can guess back from the digest.
    """

    # An integer key, not a UUID: django-otp's persistent_id ("label/<id>") parses it as int.

    class Meta(Device.Meta):
        verbose_name = _("recovery codes")

    def get_throttle_factor(self) -> int:
        return 1

    def verify_token(self, token: object) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed or not isinstance(token, str):
            return False
        used = self.codes.filter(digest=RecoveryCode.digest_of(token), used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if used:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
            return True
        self.throttle_increment(commit=True)
        return False


class RecoveryCode(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    device = models.ForeignKey(RecoveryDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "digest"], name="recovery_code_unique"),
        ]

    def __str__(self) -> str:
        return f"recovery code of {self.device.user} ({'used' if self.used_at else 'unused'})"

    @staticmethod
    def digest_of(code: str) -> str:
        """Digest of a code as typed: case, spaces and dashes do not matter."""
        plain = "".join(ch for ch in code.lower() if ch.isalnum())
        return hashlib.sha256(plain.encode()).hexdigest()


class SignInFailure(models.Model):
    """One failed sign-in, kept for throttling only (accounts/throttle.py).

    Neither the typed user name nor the address is stored: only keyed digests of them, enough
    to count failures per account and per address without keeping who tried from where.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    at = models.DateTimeField(default=timezone.now)
    account_key = models.CharField(max_length=64)
    address_key = models.CharField(max_length=64)

    class Meta:
        indexes = [
            models.Index(fields=["account_key", "at"], name="signin_failure_account"),
            models.Index(fields=["address_key", "at"], name="signin_failure_address"),
        ]

    def __str__(self) -> str:
        return f"failed sign-in at {self.at:%Y-%m-%d %H:%M:%S}"


class TokenScope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Read and write")


class ApiToken(models.Model):
    """A personal API token: one user, one organisation, read or write, until it expires.

    The token is ``crd_<prefix>_<secret>``. The prefix is not secret: it finds the row and
    names the token in lists and the audit trail. Of the secret (256 random bits) only a
    SHA-256 digest is kept, so the database cannot give a token back; it is shown once, when
    made (docs/security/api-tokens.md, docs/decisions/0125-api-tokens.md).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text=_("What the token is for."))
    scope = models.CharField(max_length=8, choices=TokenScope.choices, default=TokenScope.READ)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Coarse on purpose (the hour): one write per token per hour, not one per request.
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_refused_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=one_of("scope", TokenScope.values), name="api_token_scope_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"API token {self.prefix} of {self.user} ({self.scope})"

    def state(self, now: Any) -> str:
        """The token's state at ``now``: revoked, expired or active."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "active"


@dataclass(frozen=True)
class TokenGrant:
    """What a token lets its owner do during one API request (set on ``User.token_grant``).

    ``role`` is the organisation role the request acts with: never more than the owner holds
    there now, at most editor for a write token and viewer for a read one (policy.token_role).
    """

    token_id: Any
    organisation_id: Any
    role: str
    write: bool
