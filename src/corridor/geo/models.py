"""Myanmar's administrative units, keyed by MIMU p-code.

Every place in Corridor points at one of these; nothing below township level is stored, so a
record can never pin a village or a camp.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from corridor.core.coordinates import LATITUDE_RANGE, LONGITUDE_RANGE
from corridor.core.models import Record, one_of


class Level(models.IntegerChoices):
    STATE = 1, _("State/Region")
    DISTRICT = 2, _("District")
    TOWNSHIP = 3, _("Township")


class AdminUnit(models.Model):
    pcode = models.CharField(primary_key=True, max_length=16)
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name_en = models.CharField(max_length=128)
    name_my = models.CharField(max_length=128, blank=True)
    centroid_lon = models.FloatField(null=True, blank=True)
    centroid_lat = models.FloatField(null=True, blank=True)
    boundary = models.JSONField(
        null=True, blank=True, help_text=_("Simplified GeoJSON geometry (WGS84).")
    )

    class Meta:
        ordering = ["pcode"]
        constraints = [
            models.CheckConstraint(
                condition=one_of("level", [1, 2, 3]), name="adminunit_level_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(pcode__startswith="MMR"), name="adminunit_pcode_mmr"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(level=1, parent__isnull=True)
                    | models.Q(level__gt=1, parent__isnull=False)
                ),
                name="adminunit_parent_by_level",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(centroid_lon__isnull=True, centroid_lat__isnull=True)
                    | models.Q(
                        centroid_lon__gte=LONGITUDE_RANGE[0],
                        centroid_lon__lte=LONGITUDE_RANGE[1],
                        centroid_lat__gte=LATITUDE_RANGE[0],
                        centroid_lat__lte=LATITUDE_RANGE[1],
                    )
                ),
                name="adminunit_centroid_in_myanmar",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_en} ({self.pcode})"


class AliasKind(models.TextChoices):
    SPELLING = "spelling", _("Spelling variant")
    ROMANISATION = "romanisation", _("Romanisation variant")
    OLD_NAME = "old_name", _("Old name")
    BURMESE = "burmese", _("Burmese spelling")
    ABBREVIATION = "abbreviation", _("Abbreviation")
    REVIEW = "review", _("Decided in the review queue")


class PlaceAlias(Record):
    """Another name for an admin unit, added by a person (curated ones ship in data/aliases.csv)."""

    alias = models.CharField(max_length=200)
    admin_unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="aliases")
    kind = models.CharField(max_length=16, choices=AliasKind.choices, default=AliasKind.SPELLING)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["alias"]
        constraints = [
            models.UniqueConstraint(fields=["alias", "admin_unit"], name="placealias_unique"),
            models.CheckConstraint(
                condition=~models.Q(alias=""), name="placealias_alias_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.alias} -> {self.admin_unit_id}"


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")
    REJECTED = "rejected", _("Rejected")


class PlaceReview(Record):
    """A place name the resolver could not settle, waiting for a person's decision."""

    query = models.CharField(max_length=200)
    context = models.CharField(max_length=300, blank=True, help_text=_("e.g. file and row"))
    level = models.PositiveSmallIntegerField(choices=Level.choices, null=True, blank=True)
    parent = models.CharField(max_length=200, blank=True)
    candidates = models.JSONField(default=list, blank=True)
    # What the gazetteer knows about the name beyond the candidates (a retired or split
    # p-code and what it became), in English.
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    chosen = models.ForeignKey(
        AdminUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(status="open", chosen__isnull=True, decided_at__isnull=True)
                    | models.Q(status="resolved", chosen__isnull=False, decided_at__isnull=False)
                    | models.Q(status="rejected", chosen__isnull=True, decided_at__isnull=False)
                ),
                name="placereview_decision_matches_status",
            ),
            models.CheckConstraint(
                condition=~models.Q(query=""), name="placereview_query_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.query!r} ({self.status})"
