"""What is happening: displacement figures and incidents, each tied to its sources.

Every figure and incident cites a Source so that needs can be argued and crimes documented;
an unsourced number is a rumour.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from corridor.core.crypto.fields import EncryptedFloatField, EncryptedTextField
from corridor.core.models import Record, Removable, one_of
from corridor.core.sectors import Sector
from corridor.situation.rules import figure_clean, incident_clean

#: A need figure's sector when it counts for every sector (the stored value of "all sectors").
ALL_SECTORS = ""


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


class DisplacementFigure(Removable):
    """A township's displacement and need as a source gives it (decision 0176).

    All-sector figures (``sector`` empty) count IDPs as of ``as_of`` and may give the people
    in need. A sector figure gives only that sector's people in need (e.g. a cluster's line of
    the humanitarian needs overview). People in need may carry a validity period
    (``valid_from``..``valid_to``, e.g. the HNO's year): then they count for every month it
    overlaps; without one they count from ``as_of`` until a later figure replaces them.
    """

    admin_unit = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="displacement_figures"
    )
    as_of = models.DateField()
    idps = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Internally displaced people (empty only on a sector's need figure)."),
    )
    refugees = models.PositiveIntegerField(null=True, blank=True)
    people_in_need = models.PositiveIntegerField(null=True, blank=True)
    sector = models.CharField(
        max_length=24,
        choices=Sector.choices,
        blank=True,
        default=ALL_SECTORS,
        help_text=_("The sector the people in need are counted for; empty: all sectors."),
    )
    valid_from = models.DateField(
        null=True, blank=True, help_text=_("First day the people in need count for.")
    )
    valid_to = models.DateField(
        null=True, blank=True, help_text=_("Last day the people in need count for.")
    )
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
                fields=["admin_unit", "as_of", "source", "sector"],
                name="displacement_unique_per_source_sector",
            ),
            models.CheckConstraint(
                condition=(Q(idps__isnull=True) | Q(idps__gte=0))
                & (Q(refugees__isnull=True) | Q(refugees__gte=0))
                & (Q(people_in_need__isnull=True) | Q(people_in_need__gte=0)),
                name="displacement_counts_not_negative",
            ),
            models.CheckConstraint(
                condition=one_of("sector", [ALL_SECTORS, *Sector.values]),
                name="displacement_sector_valid",
            ),
            # All sectors: IDPs always. A sector: its people in need only.
            models.CheckConstraint(
                condition=(Q(sector=ALL_SECTORS) & Q(idps__isnull=False))
                | (
                    ~Q(sector=ALL_SECTORS)
                    & Q(idps__isnull=True)
                    & Q(refugees__isnull=True)
                    & Q(people_in_need__isnull=False)
                ),
                name="displacement_sector_is_need_only",
            ),
            models.CheckConstraint(
                condition=(Q(valid_from__isnull=True) & Q(valid_to__isnull=True))
                | (
                    Q(valid_from__isnull=False)
                    & Q(valid_to__isnull=False)
                    & Q(valid_to__gte=F("valid_from"))
                    & Q(people_in_need__isnull=False)
                ),
                name="displacement_validity_period",
            ),
        ]
        indexes = [
            models.Index(fields=["as_of", "admin_unit"]),
            # The latest-figure rule (situation.queries): each township's and sector's latest
            # date is read from an index, not the table; need figures with a validity period
            # and dated need figures without one have small indexes of their own.
            models.Index(fields=["sector", "admin_unit", "as_of"], name="figure_latest_idx"),
            models.Index(
                fields=["sector", "admin_unit", "as_of"],
                condition=Q(people_in_need__isnull=False, valid_from__isnull=True),
                name="figure_need_latest_idx",
            ),
            models.Index(
                fields=["valid_from", "valid_to"],
                condition=Q(valid_from__isnull=False),
                name="figure_need_period_idx",
            ),
        ]

    def __str__(self) -> str:
        if self.sector:
            return (
                f"{self.admin_unit_id} {self.as_of}: {self.people_in_need} in need ({self.sector})"
            )
        return f"{self.admin_unit_id} {self.as_of}: {self.idps} IDPs"

    def clean(self) -> None:
        figure_clean(self)


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


class Verification(models.TextChoices):
    # How far an incident has been checked (decision 0216), shown beside it on its page.
    UNVERIFIED = "unverified", _("Not verified: reported, not yet checked")
    CORROBORATED = "corroborated", _("Corroborated: more than one independent source")
    VERIFIED = "verified", _("Verified: checked first-hand by the reporting organisation")
    DISPUTED = "disputed", _("Disputed: sources disagree, or it is being corrected")


class Incident(Removable):
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
    verification = models.CharField(
        max_length=16,
        choices=Verification.choices,
        default=Verification.UNVERIFIED,
        # Also the database's own default: the importer's raw inserts leave it out.
        db_default=Verification.UNVERIFIED,
        help_text=_("How far the report has been checked."),
    )

    class Meta:
        ordering = ["-occurred_on"]
        constraints = [
            models.CheckConstraint(
                condition=one_of("incident_type", IncidentType.values), name="incident_type_valid"
            ),
            models.CheckConstraint(
                condition=one_of("verification", Verification.values),
                name="incident_verification_valid",
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
        incident_clean(self)
