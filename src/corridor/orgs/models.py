"""Organisations and the coalitions they form.

Visibility is the organisation's own decision about how it may appear outside Corridor:
public (named), pseudonymous (shown only by alias) or anonymous (counted, never named).

An anonymous organisation's real name is kept only in ``protected_name``, encrypted; its
``name`` holds a neutral label, so lists, logs and audit entries never carry the real name
(docs/security/encryption.md).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from corridor.accounts.models import OrgRole
from corridor.core.crypto.fields import EncryptedTextField
from corridor.core.models import Record, one_of

ANONYMOUS_LABEL = "Anonymous organisation"


class OrgKind(models.TextChoices):
    LOCAL_CSO = "local_cso", _("Local civil-society organisation")
    ETHNIC = "ethnic", _("Ethnic organisation")
    RESISTANCE_ADMIN = "resistance_admin", _("Resistance-area administration")
    DIASPORA = "diaspora", _("Diaspora group")
    NUG_NUCC = "nug_nucc", _("NUG/NUCC body")
    INGO = "ingo", _("International NGO")
    UN = "un", _("UN agency")
    DONOR = "donor", _("Donor")
    OTHER = "other", _("Other")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    PSEUDONYMOUS = "pseudonymous", _("Pseudonymous (alias only)")
    ANONYMOUS = "anonymous", _("Anonymous (counted, never named)")


def public_label(visibility: str, name: str, alias: str) -> str | None:
    """The one rule for naming an organisation to whoever may not see it: a public one by its
    name, a pseudonymous one by its alias, an anonymous one not at all (None).

    Takes the three fields rather than the model so that a ``values()`` query can use it too;
    ``Organisation.public_label``, ``OrganisationNames`` and the disclosure gate's
    ``public_org_label`` all come here.
    """
    if visibility == Visibility.PUBLIC:
        return name
    if visibility == Visibility.PSEUDONYMOUS:
        return alias
    return None


class Organisation(Record):
    name = models.CharField(max_length=200)
    name_my = models.CharField(max_length=200, blank=True, help_text=_("Name in Burmese."))
    acronym = models.CharField(max_length=32, blank=True)
    kind = models.CharField(max_length=24, choices=OrgKind.choices)
    base_country = models.CharField(
        max_length=2, help_text=_("ISO 3166-1 alpha-2 code of the country it works from.")
    )
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    alias = models.CharField(
        max_length=120, blank=True, help_text=_("Name shown outside when pseudonymous.")
    )
    protected_name = EncryptedTextField(
        max_length=200,
        blank=True,
        help_text=_("Real name of an anonymous organisation, stored encrypted."),
    )
    contact = EncryptedTextField(
        blank=True, help_text=_("Contact details (people, phones, channels), stored encrypted.")
    )

    @property
    def audit_redacted(self) -> tuple[str, ...]:
        """Plain fields the audit trail keeps only as keyed hashes (encrypted ones always are):
        the names of an organisation that is not public (docs/security/audit.md)."""
        return () if self.visibility == Visibility.PUBLIC else ("name", "name_my", "acronym")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=one_of("kind", OrgKind.values), name="organisation_kind_valid"
            ),
            models.CheckConstraint(
                condition=one_of("visibility", Visibility.values),
                name="organisation_visibility_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(visibility=Visibility.PSEUDONYMOUS, alias=""),
                name="organisation_pseudonym_has_alias",
            ),
            models.CheckConstraint(
                condition=models.Q(base_country__capital_letters=2),
                name="organisation_country_iso2",
            ),
            models.CheckConstraint(
                condition=~models.Q(name=""), name="organisation_name_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def neutral_label(self) -> str:
        return f"{ANONYMOUS_LABEL} {str(self.pk)[:8]}"

    def clean(self) -> None:
        # Keep an anonymous organisation's real name out of every plain column.
        if self.visibility == Visibility.ANONYMOUS:
            if not self.name.startswith(ANONYMOUS_LABEL):
                # A name typed for an anonymous organisation is its (new) real name; the
                # Burmese name and acronym identify it as surely, so they move along.
                acronym = f"({self.acronym})" if self.acronym else ""
                real = " ".join(x for x in (self.name, acronym) if x)
                real = " / ".join(x for x in (real, self.name_my) if x)
                if real:
                    self.protected_name = real
                self.name = self.neutral_label()
            extra = [x for x in (self.acronym, self.name_my) if x and x not in self.protected_name]
            if extra:
                self.protected_name = " / ".join([self.protected_name, *extra]).strip(" /")
            self.name_my = self.acronym = ""
        elif self.protected_name and self.name.startswith(ANONYMOUS_LABEL):
            # Leaving anonymity is the organisation's decision: its name comes back.
            self.name, self.protected_name = self.protected_name, ""

    @property
    def public_label(self) -> str | None:
        """How the organisation may be named outside Corridor; None means: do not name it."""
        return public_label(self.visibility, self.name, self.alias)


class Coalition(Record):
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(
        Organisation, through="CoalitionMembership", related_name="coalitions"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CoalitionMembership(Record):
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    joined_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["coalition", "organisation"], name="coalition_membership_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.coalition}"


class Invitation(models.Model):
    """A single-use link that makes whoever holds it a member of an organisation.

    An organisation admin makes one for a role and passes the link on through a channel they
    trust; Corridor keeps only the SHA-256 of its secret (``digest``), so the stored row cannot
    be turned back into a link (decision 0190). It stops working when used, revoked or expired.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(max_length=16, choices=OrgRole.choices, default=OrgRole.VIEWER)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=one_of("role", OrgRole.values), name="invitation_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"invitation to {self.organisation_id} as {self.role}"

    def is_open(self, now: Any) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > now
