"""What is happening: displacement figures and incidents, each tied to its sources.

Every figure and incident cites a Source so that needs can be argued and crimes documented;
an unsourced number is a rumour.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from corridor.core.coordinates import LATITUDE_RANGE, LONGITUDE_RANGE
from corridor.core.crypto.fields import EncryptedFloatField, EncryptedTextField
from corridor.core.models import Record, one_of


class Reliability(models.TextChoices):
    # The "admiralty" source-reliability scale used in humanitarian and human-rights documentation.
    A = "A", _("A — completely reliable")
    B = "B", _("B — usually reliable")
    C = "C", _("C — fairly reliable")
    D = "D", _("D — not usually reliable")
    E = "E", _("E — unreliable")
    F = "F", _("F — reliability cannot be judged")


class Source(Record):
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200, blank=True)
    published_on = models.DateField(null=True, blank=True)
    url = models.URLField(
        max_length=500, blank=True, help_text=_("Leave empty for an offline source.")
    )
    reliability = models.CharField(max_length=1, choices=Reliability.choices, default=Reliability.F)

    class Meta:
        ordering = ["-published_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=one_of("reliability", Reliability.values), name="source_reliability_valid"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="source_title_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title


class DisplacementFigure(Record):
    admin_unit = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="displacement_figures"
    )
    as_of = models.DateField()
    idps = models.PositiveIntegerField(help_text=_("Internally displaced people."))
    refugees = models.PositiveIntegerField(null=True, blank=True)
    people_in_need = models.PositiveIntegerField(null=True, blank=True)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="figures")
    notes = models.TextField(blank=True)
    reporting_organisation = models.ForeignKey(
        "orgs.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Organisation that reported it; its members may edit it."),
    )

    class Meta:
        ordering = ["-as_of", "admin_unit_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["admin_unit", "as_of", "source"], name="displacement_unique_per_source"
            ),
            models.CheckConstraint(
                condition=Q(idps__gte=0)
                & (Q(refugees__isnull=True) | Q(refugees__gte=0))
                & (Q(people_in_need__isnull=True) | Q(people_in_need__gte=0)),
                name="displacement_counts_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["as_of", "admin_unit"])]

    def __str__(self) -> str:
        return f"{self.admin_unit_id} {self.as_of}: {self.idps} IDPs"


class Indicator(Record):
    """A headline figure that is not tied to one admin unit (e.g. national totals)."""

    code = models.SlugField(max_length=64, help_text=_("e.g. idps_total, detained_total"))
    label = models.CharField(max_length=200)
    value = models.BigIntegerField()
    admin_unit = models.ForeignKey(
        "geo.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Empty for the whole country."),
    )
    as_of = models.DateField()
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="indicators")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["code", "-as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "as_of", "source"], name="indicator_unique_per_source"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="indicator_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.value} ({self.as_of})"


class IncidentType(models.TextChoices):
    AIRSTRIKE = "airstrike", _("Airstrike")
    SHELLING = "shelling", _("Shelling")
    ARSON = "arson", _("Arson")
    ARMED_CLASH = "armed_clash", _("Armed clash")
    ARREST = "arrest", _("Arrest/detention")
    KILLING = "killing", _("Killing")
    ATTACK_ON_AID = "attack_on_aid", _("Attack on aid or health workers")
    FORCED_DISPLACEMENT = "forced_displacement", _("Forced displacement")
    # From ACLED's sub-event types, which had no home before (decision 0168).
    EXPLOSIVE_DEVICE = "explosive_device", _("Landmine, IED or other explosive")
    ATTACK_ON_CIVILIANS = "attack_on_civilians", _("Attack on civilians")
    ABDUCTION = "abduction", _("Abduction or forced disappearance")
    SEXUAL_VIOLENCE = "sexual_violence", _("Sexual violence")
    LOOTING = "looting", _("Looting or property destruction")
    OTHER = "other", _("Other")


class GeoPrecision(models.IntegerChoices):
    # ACLED's geo_precision codes (codebook): how well the place of an event is known.
    TOWN = 1, _("The town or village is known")
    NEAR_TOWN = 2, _("Near a town, or a small part of a region")
    REGION = 3, _("Only a larger part of the region is known")


class Incident(Record):
    occurred_on = models.DateField()
    incident_type = models.CharField(max_length=24, choices=IncidentType.choices)
    admin_unit = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="incidents"
    )
    # Exact coordinates put witnesses and survivors at risk: stored only for documentation,
    # encrypted, never shown in public outputs (docs/security/encryption.md). Ciphertext
    # cannot be range-checked by the database, so clean() checks the range.
    latitude = EncryptedFloatField(null=True, blank=True)
    longitude = EncryptedFloatField(null=True, blank=True)
    fatalities = models.PositiveIntegerField(default=0)
    injuries = models.PositiveIntegerField(default=0)
    detained = models.PositiveIntegerField(default=0)
    description = models.TextField(blank=True)
    sub_event_type = models.CharField(
        max_length=64,
        blank=True,
        help_text=_("The source's own finer type, e.g. ACLED's 'Remote explosive/landmine/IED'."),
    )
    geo_precision = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=GeoPrecision.choices,
        help_text=_("How well the place is known (ACLED's 1-3); empty when not said."),
    )
    witnesses = EncryptedTextField(
        blank=True, help_text=_("Who saw it and how to reach them; stored encrypted.")
    )
    sources = models.ManyToManyField(Source, related_name="incidents")
    reporting_organisation = models.ForeignKey(
        "orgs.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Organisation that reported it; its members may edit it."),
    )

    class Meta:
        ordering = ["-occurred_on"]
        constraints = [
            models.CheckConstraint(
                condition=one_of("incident_type", IncidentType.values), name="incident_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(fatalities__gte=0) & Q(injuries__gte=0) & Q(detained__gte=0),
                name="incident_counts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(geo_precision__isnull=True)
                | one_of("geo_precision", GeoPrecision.values),
                name="incident_geo_precision_valid",
            ),
        ]
        indexes = [models.Index(fields=["occurred_on", "admin_unit"])]

    audit_redacted = ("latitude", "longitude", "witnesses")

    def __str__(self) -> str:
        return f"{self.get_incident_type_display()} {self.admin_unit_id} {self.occurred_on}"

    def clean(self) -> None:
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))
        if self.latitude is None:
            return
        errors = {}
        if not LATITUDE_RANGE[0] <= self.latitude <= LATITUDE_RANGE[1]:
            errors["latitude"] = _("Latitude must be between 9 and 29 (Myanmar).")
        if not LONGITUDE_RANGE[0] <= self.longitude <= LONGITUDE_RANGE[1]:
            errors["longitude"] = _("Longitude must be between 92 and 102 (Myanmar).")
        if errors:
            raise ValidationError(errors)
