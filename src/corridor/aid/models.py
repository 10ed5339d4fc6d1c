"""Who does what, where, when: the 4W activity row.

People reached are disaggregated by sex and age because protection needs differ; "unspecified"
holds what a report could not split, so totals are never invented. Elderly people and people
with disabilities are "of whom" counts inside those five (decision 0165): they are never added
to the total, and an empty one means "not reported", not zero.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from corridor.aid.rules import activity_clean
from corridor.core.crypto.fields import EncryptedTextField
from corridor.core.ids import uuid7
from corridor.core.models import Removable, one_of
from corridor.core.money import AMOUNT_DIGITS, AMOUNT_PLACES
from corridor.core.sectors import Sector


class Modality(models.TextChoices):
    IN_KIND = "in_kind", _("In-kind")
    CASH = "cash", _("Cash")
    VOUCHER = "voucher", _("Voucher")
    SERVICE = "service", _("Service")


# Cash and vouchers are conditional (people must do something: attend training, work) or not;
# the Cash Working Group's 5W asks it of every cash and voucher row (decision 0166).
CASH_MODALITIES = (Modality.CASH, Modality.VOUCHER)


class Conditionality(models.TextChoices):
    CONDITIONAL = "conditional", _("Conditional")
    UNCONDITIONAL = "unconditional", _("Unconditional")


class Channel(models.TextChoices):
    IN_COUNTRY = "in_country", _("In-country")
    CROSS_BORDER_TH = "cross_border_th", _("Cross-border via Thailand")
    CROSS_BORDER_IN = "cross_border_in", _("Cross-border via India")
    CROSS_BORDER_CN = "cross_border_cn", _("Cross-border via China")
    CROSS_BORDER_BD = "cross_border_bd", _("Cross-border via Bangladesh")


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


#: The columns whose sum is an activity row's people (reached, or to be reached when planned).
#: The one home of that sum: ``Activity.people_reached`` and ``aid.queries.PEOPLE`` use it.
PEOPLE_FIELDS = ("women", "men", "girls", "boys", "unspecified")

#: Statuses whose people count as reached (decision 0175): a planned row is reach to come,
#: shown apart as "planned"; a cancelled row counts nowhere.
REACHED_STATUSES = (Status.ONGOING, Status.COMPLETED)


def _author(**kwargs) -> models.ForeignKey:
    """created_by / updated_by / removed_by as Record and Removable define them, without the
    index a foreign key gets by default (decision 0220): no query reads activities by author
    (users are deactivated, never deleted), and each index is one more B-tree insert a row."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        db_index=False,
        **kwargs,
    )


class Activity(Removable):
    # The lean activity table (decision 0220): a time-ordered key, so rows made in the app
    # append to the primary key's B-tree, and only the indexes a measured query needs.
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    created_by = _author()
    updated_by = _author()
    removed_by = _author()
    # Reads by organisation use (organisation, reporting_month) below.
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="activities", db_index=False
    )
    sector = models.CharField(max_length=24, choices=Sector.choices)
    modality = models.CharField(max_length=16, choices=Modality.choices)
    channel = models.CharField(max_length=24, choices=Channel.choices, default=Channel.IN_COUNTRY)
    admin_unit = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        related_name="activities",
        help_text=_("Township where people were reached."),
    )
    reporting_month = models.DateField(
        null=True, blank=True, help_text=_("First day of the month reported on.")
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ONGOING)
    women = models.PositiveIntegerField(default=0)
    men = models.PositiveIntegerField(default=0)
    girls = models.PositiveIntegerField(default=0)
    boys = models.PositiveIntegerField(default=0)
    unspecified = models.PositiveIntegerField(
        default=0, help_text=_("People reached whose sex and age were not reported.")
    )
    # "Of whom" counts (decision 0165): inside women, men and the total, never added to them.
    elderly_women = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Of the women, how many are 60 or older.")
    )
    elderly_men = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Of the men, how many are 60 or older.")
    )
    disabled = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Of the people reached, how many have a disability.")
    )
    households = models.PositiveIntegerField(null=True, blank=True)
    # Below the township: puts people at risk, so stored encrypted and left out of every
    # shared output, like an incident's exact site (decision 0167).
    village_tract = EncryptedTextField(
        blank=True, max_length=200, help_text=_("Village tract or ward; stored encrypted.")
    )
    village = EncryptedTextField(
        blank=True, max_length=200, help_text=_("Village; stored encrypted.")
    )
    donor = models.CharField(
        max_length=200, blank=True, help_text=_("Who funds the activity, as the report names it.")
    )
    conditionality = models.CharField(
        max_length=16,
        choices=Conditionality.choices,
        blank=True,
        help_text=_("Cash and vouchers only."),
    )
    value = models.DecimalField(
        max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES, null=True, blank=True
    )
    currency = models.CharField(max_length=3, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["-reporting_month", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=one_of("sector", Sector.values), name="activity_sector_valid"
            ),
            models.CheckConstraint(
                condition=one_of("modality", Modality.values), name="activity_modality_valid"
            ),
            models.CheckConstraint(
                condition=one_of("channel", Channel.values), name="activity_channel_valid"
            ),
            models.CheckConstraint(
                condition=one_of("status", Status.values), name="activity_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(women__gte=0)
                & Q(men__gte=0)
                & Q(girls__gte=0)
                & Q(boys__gte=0)
                & Q(unspecified__gte=0)
                & (Q(households__isnull=True) | Q(households__gte=0)),
                name="activity_reach_not_negative",
            ),
            models.CheckConstraint(
                condition=(Q(elderly_women__isnull=True) | Q(elderly_women__lte=F("women")))
                & (Q(elderly_men__isnull=True) | Q(elderly_men__lte=F("men"))),
                name="activity_elderly_within_adults",
            ),
            models.CheckConstraint(
                condition=Q(disabled__isnull=True)
                | Q(
                    disabled__lte=F("women") + F("men") + F("girls") + F("boys") + F("unspecified")
                ),
                name="activity_disabled_within_reached",
            ),
            models.CheckConstraint(
                condition=Q(conditionality="")
                | (
                    one_of("conditionality", Conditionality.values)
                    & one_of("modality", [m.value for m in CASH_MODALITIES])
                ),
                name="activity_conditionality_valid",
            ),
            models.CheckConstraint(
                condition=Q(reporting_month__isnull=False) | Q(start_date__isnull=False),
                name="activity_has_when",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="activity_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True)
                | (Q(value__gte=0) & Q(currency__capital_letters=3)),
                name="activity_value_has_currency",
            ),
        ]
        # Each index is named in decision 0220 with the query that needs it and its plan on
        # both databases; the township's foreign-key index (admin_unit) serves the township
        # page. (reporting_month, sector, admin_unit) went: the gap index below starts with
        # the month and serves the same reads.
        indexes = [
            models.Index(fields=["organisation", "reporting_month"]),
            # Covers the monthly sums (the rollup refresh of decision 0225, bench/gaps.py): the
            # month's rows are read from the index alone, already grouped by township and
            # sector; status last, so that reached and planned are told apart from the index
            # too. ``removed_at`` (decision 0273): every read of the sums leaves removed rows
            # out, and without it in the index each row was looked up in the table. (A partial
            # index of live rows is not covering in SQLite: it still reads the column.)
            models.Index(
                fields=[
                    "reporting_month",
                    "admin_unit",
                    "sector",
                    "organisation",
                    "women",
                    "men",
                    "girls",
                    "boys",
                    "unspecified",
                    "status",
                    "removed_at",
                ],
                name="activity_gap_cover_idx",
            ),
            # Removed rows alone, few in any table (decision 0393): a replacing import's
            # records held again (``Scope.held_again``) are sought here, not among every row
            # of the file's organisations and months. Live rows are not in it, so an insert
            # pays nothing for it.
            models.Index(
                fields=["organisation", "reporting_month"],
                condition=Q(removed_at__isnull=False),
                name="activity_removed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.get_sector_display()} in {self.admin_unit_id}"

    def clean(self) -> None:
        activity_clean(self)
        # The "of whom" counts (decision 0165), of the row's people whatever its status.
        problems = reach_problems(
            women=self.women,
            men=self.men,
            total=self.people,
            elderly_women=self.elderly_women,
            elderly_men=self.elderly_men,
            disabled=self.disabled,
        )
        problem = conditionality_problem(self.modality, self.conditionality)
        if problem:
            problems.append(("conditionality", problem))
        if problems:
            raise ValidationError(dict(problems))

    @property
    def people(self) -> int:
        """The row's people, whatever its status (reached, or to be reached when planned)."""
        return sum(getattr(self, name) for name in PEOPLE_FIELDS)

    @property
    def counts_as_reached(self) -> bool:
        return self.status in REACHED_STATUSES

    @property
    def people_reached(self) -> int:
        """People reached: the row's people when ongoing or completed, else 0 (decision 0175;
        sums over many rows use ``aid.queries.people_reached_sum``)."""
        return self.people if self.counts_as_reached else 0

    @property
    def people_planned(self) -> int:
        return self.people if self.status == Status.PLANNED else 0


def reach_problems(
    *,
    women: int,
    men: int,
    total: int,
    elderly_women: int | None,
    elderly_men: int | None,
    disabled: int | None,
) -> list[tuple[str, str]]:
    """(field, reason) for "of whom" counts larger than what they are part of (decision 0165).

    The database checks the same (``activity_elderly_within_adults``,
    ``activity_disabled_within_reached``); this gives the reason in words, for forms, the API
    and the importer.
    """
    problems = []
    for name, part, whole, of in (
        ("elderly_women", elderly_women, women, _("women")),
        ("elderly_men", elderly_men, men, _("men")),
        ("disabled", disabled, total, _("people reached")),
    ):
        if part is not None and part > whole:
            problems.append(
                (
                    name,
                    _("%(part)s is more than the %(whole)s %(of)s they are part of")
                    % {"part": part, "whole": whole, "of": of},
                )
            )
    return problems


def conditionality_problem(modality: str, conditionality: str) -> str | None:
    if conditionality and modality not in CASH_MODALITIES:
        return _("conditional or unconditional is said of cash and vouchers only")
    return None


class MonthlyReach(models.Model):
    """Rollup of the activity rows (decision 0225): per reporting month, township, sector and
    organisation, the people reached (ongoing and completed rows), the people planned and how
    many rows reached people. Removed and cancelled rows count nowhere. Kept exact on every
    write by ``aid.services.rollups_refresh``; read by the gap table for a viewer's
    organisations, so it scopes like the activities."""

    month = models.DateField()
    admin_unit = models.ForeignKey("geo.AdminUnit", on_delete=models.CASCADE, related_name="+")
    sector = models.CharField(max_length=24)
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    reached = models.BigIntegerField(default=0)
    planned = models.BigIntegerField(default=0)
    reached_rows = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "admin_unit", "sector", "organisation"],
                name="monthly_reach_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.admin_unit_id} {self.sector} {self.organisation_id}"


#: ``MonthlyReachTotal.sector`` of the row that holds a township's month over all sectors.
ALL_SECTORS_TOTAL = ""


class MonthlyReachTotal(models.Model):
    """``MonthlyReach`` summed over organisations (decision 0225): per month, township and
    sector, people reached, people planned and the organisations that reached people; the row
    with sector ``ALL_SECTORS_TOTAL`` counts the township's organisations over every sector.
    The operator's gap table (every row) reads it: a month is one township × sector row each."""

    month = models.DateField()
    admin_unit = models.ForeignKey("geo.AdminUnit", on_delete=models.CASCADE, related_name="+")
    sector = models.CharField(max_length=24, blank=True)
    reached = models.BigIntegerField(default=0)
    planned = models.BigIntegerField(default=0)
    organisations = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "admin_unit", "sector"], name="monthly_reach_total_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.admin_unit_id} {self.sector or 'all sectors'}"


class DataVersion(models.Model):
    """One row whose ``token`` changes, in the same transaction, with every write of the rows
    the gap table is computed from (decision 0271): the monthly reach rollup, displacement
    figures, their sources, organisations and admin units. Database triggers change it
    (``aid`` migration 0010), so every path that writes, the importer's raw statements and
    tests' factories included, changes it too; a rolled-back write restores it with the rows.
    A computed answer cached under a token is therefore the answer for the data of that
    token. No row (after a flush): nothing may be cached."""

    token = models.CharField(max_length=32, blank=True)

    def __str__(self) -> str:
        return self.token or "(initial)"
