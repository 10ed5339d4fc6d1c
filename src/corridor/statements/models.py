"""Joint statements and who stands behind them (docs/statements.md, decision 0300).

A statement has numbered versions; each version holds its text in one or more languages and
its footnotes (Corridor sources). A published version is frozen: a correction is a new version
with a note that the public page shows. Endorsers' names are stored encrypted, all of them, so
that the rows of those who asked for anonymity look like every other row.
"""

from __future__ import annotations

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


# --- Asks and responses (docs/statements.md#asks-and-responses) --------------------------------


class TargetKind(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    BLOC = "bloc", _("Bloc of states")
    UN_BODY = "un_body", _("UN body")
    COMPANY = "company", _("Company")
    ARMED_GROUP = "armed_group", _("Armed group")
    OTHER = "other", _("Other")


class ResponseStatus(models.TextChoices):
    NO_RESPONSE = "no_response", _("No response")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    PARTIAL = "partial", _("Partly met")
    MET = "met", _("Met")
    REFUSED = "refused", _("Refused")
    REVERSED = "reversed", _("Reversed")


class Ask(Record):
    """One demand of a statement, addressed to one target, tracked over time. Public with the
    statement once it is published: owners write it knowing so."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="asks")
    position = models.PositiveIntegerField(help_text=_("Its place in the list: 1, 2, 3 ..."))
    text = models.TextField(help_text=_("What is asked, as the statement puts it."))
    target = models.CharField(max_length=200, help_text=_("Who is asked: 'Government of Japan'."))
    target_kind = models.CharField(max_length=16, choices=TargetKind.choices)

    class Meta:
        ordering = ["statement", "position"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "position"], name="ask_position_unique"),
            models.CheckConstraint(condition=Q(position__gte=1), name="ask_position_positive"),
            models.CheckConstraint(condition=~Q(text=""), name="ask_text_not_empty"),
            models.CheckConstraint(condition=~Q(target=""), name="ask_target_not_empty"),
            models.CheckConstraint(
                condition=one_of("target_kind", TargetKind.values), name="ask_target_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"ask {self.position}"


class AskResponse(Record):
    """What a target did about an ask, on a date, with its evidence (a Corridor source or a
    link). The latest by date is the ask's status."""

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="responses")
    on = models.DateField(help_text=_("When it happened."))
    status = models.CharField(max_length=16, choices=ResponseStatus.choices)
    summary = models.TextField(help_text=_("What happened, in a sentence or two."))
    source = models.ForeignKey(
        "situation.Source", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    url = models.URLField(max_length=500, blank=True, help_text=_("A link to the evidence."))

    class Meta:
        ordering = ["ask", "on", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=one_of("status", ResponseStatus.values), name="response_status_valid"
            ),
            models.CheckConstraint(condition=~Q(summary=""), name="response_summary_not_empty"),
        ]

    def __str__(self) -> str:
        return f"response {self.on}"
