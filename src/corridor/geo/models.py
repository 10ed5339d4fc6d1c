"""Myanmar's administrative units, keyed by MIMU p-code.

Every place in Corridor points at one of these; nothing below township level is stored, so a
record can never pin a village or a camp.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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
                condition=models.Q(level__in=[1, 2, 3]), name="adminunit_level_valid"
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
                        centroid_lon__gte=92,
                        centroid_lon__lte=102,
                        centroid_lat__gte=9,
                        centroid_lat__lte=29,
                    )
                ),
                name="adminunit_centroid_in_myanmar",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_en} ({self.pcode})"
