"""Joint statements and who stands behind them (docs/statements.md, decision 0300).

A statement has numbered versions; each version holds its text in one or more languages and
its footnotes (Corridor sources). A published version is frozen: a correction is a new version
with a note that the public page shows. Endorsers' names are stored encrypted, all of them, so
that the rows of those who asked for anonymity look like every other row.
"""

from __future__ import annotations

import hashlib
import re

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from corridor.core.crypto.fields import EncryptedTextField
from corridor.core.models import Record, one_of

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")


class EndorserKind(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    INDIVIDUAL = "individual", _("Individual, in a personal capacity")


class ListedAs(models.TextChoices):
    NAME = "name", _("By name")
    DISPLAY_NAME = "display_name", _("By a display name")
    ANONYMOUS = "anonymous", _("Anonymously (counted, never named)")


class Statement(Record):
    owner = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="statements"
    )
    coalitions = models.ManyToManyField("orgs.Coalition", blank=True, related_name="statements")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    group_order = models.CharField(
        max_length=500,
        blank=True,
        help_text=_("Endorser group headings in the order they are listed, comma-separated."),
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=one_of("status", Status.values), name="statement_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"statement {self.pk}"


class StatementVersion(Record):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    note = models.TextField(blank=True, help_text=_("What this version corrects."))
    published_on = models.DateField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # The public endorser list as published (labels and anonymous counts): what the disclosure
    # gate compares the next version with.
    snapshot = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["statement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "number"], name="version_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_number_positive"),
            models.CheckConstraint(
                condition=Q(number=1) | ~Q(note=""), name="version_correction_has_note"
            ),
        ]

    def __str__(self) -> str:
        return f"version {self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.published_at is not None


class StatementText(Record):
    version = models.ForeignKey(StatementVersion, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(max_length=3, help_text=_("ISO 639-1 code: en, my, ja ..."))
    title = models.CharField(max_length=300)
    body = models.TextField(help_text=_("Markdown; [^1] marks footnote 1."))

    class Meta:
        ordering = ["version", "language"]
        constraints = [
            models.UniqueConstraint(fields=["version", "language"], name="text_language_unique"),
            models.CheckConstraint(condition=~Q(title=""), name="text_title_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.language}: {self.title}"


class Footnote(Record):
    version = models.ForeignKey(
        StatementVersion, on_delete=models.CASCADE, related_name="footnotes"
    )
    number = models.PositiveIntegerField()
    source = models.ForeignKey("situation.Source", on_delete=models.PROTECT, related_name="+")
    detail = models.CharField(max_length=300, blank=True, help_text=_("Page, table or quote."))

    class Meta:
        ordering = ["version", "number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="footnote_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="footnote_number_positive"),
        ]

    def __str__(self) -> str:
        return f"footnote {self.number}"


class Invitation(Record):
    """A single-use link to endorse one statement; only the SHA-256 of its secret is kept."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="invitations")
    kind = models.CharField(max_length=16, choices=EndorserKind.choices)
    invitee = EncryptedTextField(help_text=_("Who the link was sent to (owners only)."))
    group = models.CharField(max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=one_of("kind", EndorserKind.values), name="invitation_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk}"

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()


class Endorsement(Record):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="endorsements")
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="endorsement"
    )
    kind = models.CharField(max_length=16, choices=EndorserKind.choices)
    name = EncryptedTextField(help_text=_("The endorser's name: shown to the owners only."))
    listed_as = models.CharField(max_length=16, choices=ListedAs.choices)
    display_name = models.CharField(max_length=200, blank=True)
    group = models.CharField(max_length=100)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["statement", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=one_of("kind", EndorserKind.values), name="endorsement_kind_valid"
            ),
            models.CheckConstraint(
                condition=one_of("listed_as", ListedAs.values), name="endorsement_listed_valid"
            ),
            models.CheckConstraint(condition=~Q(group=""), name="endorsement_group_not_empty"),
            models.CheckConstraint(
                condition=~Q(listed_as=ListedAs.DISPLAY_NAME) | ~Q(display_name=""),
                name="endorsement_display_name_given",
            ),
        ]

    def __str__(self) -> str:
        return f"endorsement {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None
