"""Lists of sanctioned and military-linked entities, and what people decided about a match.

A list is loaded from a file (``services.list_import``) and replaced by loading it again; each
entity keeps where it came from (the list's source and file, its own programme, source and
datasets). A decision (confirmed or dismissed, with a reason) is an organisation's word about
one name and one listed entity; it holds while the entity reads as it did when decided
(``fingerprint``), so a list that changes the entity asks again (decision 0312).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from corridor.core.models import Record


class ListFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    FTM = "ftm", _("FollowTheMoney JSON lines")


class Verdict(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed: it is the listed entity")
    DISMISSED = "dismissed", _("Dismissed: not the listed entity")


class EntityList(Record):
    """One loaded list, by the name it was loaded under."""

    name = models.CharField(max_length=100, unique=True)
    format = models.CharField(max_length=8, choices=ListFormat.choices)
    source = models.CharField(
        max_length=500, blank=True, help_text=_("Where the list comes from (publisher, URL).")
    )
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField()
    version = models.PositiveIntegerField(
        default=1, help_text=_("Goes up by one each time a load changes the list.")
    )
    entity_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(format__in=ListFormat.values), name="entitylist_format_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ListedEntity(Record):
    """A person, company or organisation on a list (or related to one listed: ``listed``
    false, e.g. a subsidiary named in an ownership record)."""

    entity_list = models.ForeignKey(EntityList, on_delete=models.CASCADE, related_name="entities")
    key = models.CharField(max_length=300, help_text=_("The entity's id in its list."))
    schema = models.CharField(max_length=40)
    name = models.CharField(max_length=500)
    aliases = models.JSONField(default=list, blank=True)
    weak_aliases = models.JSONField(default=list, blank=True)
    country = models.CharField(max_length=100, blank=True)
    programme = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=1000, blank=True)
    listed_on = models.CharField(max_length=10, blank=True)
    listed = models.BooleanField(default=True)
    links = models.JSONField(default=list, blank=True)
    datasets = models.JSONField(default=list, blank=True)
    fingerprint = models.CharField(max_length=64)
    loaded_version = models.PositiveIntegerField(
        help_text=_("The list's version that added or last changed this entity.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "listed entities"
        constraints = [
            models.UniqueConstraint(fields=["entity_list", "key"], name="listedentity_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.entity_list_id})"


class ScreeningDecision(Record):
    """An organisation's word on one counterparty name against one listed entity."""

    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="screening_decisions"
    )
    name = models.CharField(max_length=500, help_text=_("The name as it was screened."))
    name_key = models.CharField(max_length=500)
    entity = models.ForeignKey(
        ListedEntity, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    list_name = models.CharField(max_length=100)
    entity_key = models.CharField(max_length=300)
    entity_name = models.CharField(max_length=500)
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    reason = models.TextField()
    fingerprint = models.CharField(
        max_length=64, help_text=_("The entity as it read when decided.")
    )

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name_key", "list_name", "entity_key"],
                name="screeningdecision_one_per_pair",
            ),
            models.CheckConstraint(
                condition=Q(verdict__in=Verdict.values), name="screeningdecision_verdict_valid"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="screeningdecision_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.verdict}: {self.name} ~ {self.entity_name}"
