"""Money moving from donors through intermediaries to the groups that reach people.

Any currency and any channel: the banking system is closed to many of these groups, so
informal value transfer and carried cash are first-class, recorded without judgement.

A grant is a donor's pledge to a recipient. A transfer has two legs: *sent* (the amount the
sender paid, fee included, recorded by the sender) and *received* (what arrived, confirmed by the
receiver). A leg written by the other side is only *claimed* until its own side confirms it, and
only confirmed legs count in anyone else's reports (decision 0236, docs/money.md).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from corridor.core.crypto.fields import EncryptedBinaryField, EncryptedTextField
from corridor.core.models import Record, Removable, one_of
from corridor.core.money import AMOUNT_DIGITS, AMOUNT_PLACES, RATE_DIGITS, RATE_PLACES
from corridor.funds.rules import (
    dispute_clean,
    grant_clean,
    rate_clean,
    spending_clean,
    transfer_clean,
)


class TransferChannel(models.TextChoices):
    BANK = "bank", _("Bank")
    LICENSED_REMITTANCE = "licensed_remittance", _("Licensed remittance")
    INFORMAL = "informal", _("Informal value transfer (hundi)")
    MOBILE_MONEY = "mobile_money", _("Mobile money")
    CASH_CARRIED = "cash_carried", _("Cash carried")
    CRYPTO = "crypto", _("Crypto-asset")
    OTHER = "other", _("Other")


class LegState(models.TextChoices):
    #: Written by the other side (or by someone of neither side): not yet the leg's own word.
    CLAIMED = "claimed", _("Claimed")
    #: Written or confirmed by an editor of the leg's own organisation.
    CONFIRMED = "confirmed", _("Confirmed")


class ReportingRule(models.TextChoices):
    """What the donor asks as evidence that the money reached people (the "flexible rules")."""

    NONE = "none", _("Nothing")
    NOTE = "note", _("A note")
    RECEIPT = "receipt", _("A photo of a receipt or a signed distribution list")
    PARTNER = "partner_confirmation", _("A partner's confirmation")


class RateKind(models.TextChoices):
    OFFICIAL = "official", _("Official")
    MARKET = "market", _("Market")
    AGENT = "agent", _("Agent")


def _amount(**kwargs: object) -> models.DecimalField:
    return models.DecimalField(max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES, **kwargs)  # type: ignore[arg-type]


class Grant(Record):
    """A donor's pledge of an amount to a recipient, for a period, purpose and sectors."""

    donor = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="grants_given"
    )
    recipient = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="grants_received"
    )
    title = models.CharField(max_length=200)
    amount = _amount()
    currency = models.CharField(max_length=3, help_text=_("ISO 4217 code."))
    pledged_on = models.DateField()
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    purpose = models.TextField(blank=True)
    sectors = models.JSONField(default=list, blank=True, help_text=_("Sector codes."))
    reporting = models.CharField(
        max_length=24, choices=ReportingRule.choices, default=ReportingRule.NONE
    )

    class Meta:
        ordering = ["-pledged_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="grant_amount_positive"),
            models.CheckConstraint(
                condition=Q(currency__capital_letters=3), name="grant_currency_iso"
            ),
            models.CheckConstraint(
                condition=~Q(donor=F("recipient")), name="grant_between_two_organisations"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="grant_ends_after_start",
            ),
            models.CheckConstraint(
                condition=one_of("reporting", ReportingRule.values), name="grant_reporting_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}: {self.amount} {self.currency}"

    def clean(self) -> None:
        grant_clean(self)

    @property
    def wants_photo(self) -> bool:
        """The donor asks for a photo of a receipt or a signed distribution list: the page
        that confirms what arrived asks for one, and the grant's page marks a hop without."""
        return self.reporting == ReportingRule.RECEIPT

    @property
    def wants_note(self) -> bool:
        """The donor asks for the receiver's note on what arrived (``Transfer.received_note``)."""
        return self.reporting == ReportingRule.NOTE

    @property
    def wants_partner(self) -> bool:
        """The donor asks the sending side of each hop to confirm the receipt too (decision
        0366): until it does, reconciliation lists the hop as awaiting the partner."""
        return self.reporting == ReportingRule.PARTNER


class Transfer(Removable):
    """Money from one organisation to another. Removed softly with a reason, like a 4W row
    (decision 0180): a removed transfer leaves custody, reconciliation, lists and the API."""

    from_organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="transfers_in"
    )
    amount = models.DecimalField(max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)
    currency = models.CharField(max_length=3, help_text=_("ISO 4217 code."))
    sent_on = models.DateField()
    channel = models.CharField(max_length=24, choices=TransferChannel.choices)
    fee = models.DecimalField(
        max_digits=AMOUNT_DIGITS,
        decimal_places=AMOUNT_PLACES,
        null=True,
        blank=True,
        help_text=_("Fee in the transfer's currency."),
    )
    sent_state = models.CharField(max_length=10, choices=LegState.choices, default=LegState.CLAIMED)
    received_amount = _amount(null=True, blank=True)
    received_currency = models.CharField(max_length=3, blank=True)
    received_on = models.DateField(null=True, blank=True)
    received_state = models.CharField(
        max_length=10,
        choices=LegState.choices,
        blank=True,
        help_text=_("Empty while nobody has recorded the money arriving."),
    )
    rate = models.DecimalField(
        max_digits=RATE_DIGITS,
        decimal_places=RATE_PLACES,
        null=True,
        blank=True,
        help_text=_("The exchange rate the channel used: received units per sent unit."),
    )
    grant = models.ForeignKey(
        Grant, on_delete=models.PROTECT, null=True, blank=True, related_name="transfers"
    )
    reference = EncryptedTextField(
        max_length=120,
        blank=True,
        help_text=_("Bank or hundi code of the transfer; stored encrypted."),
    )
    intermediary = EncryptedTextField(
        max_length=200,
        blank=True,
        help_text=_(
            "The agent or carrier the money went through; stored encrypted, shown only to "
            "the two organisations."
        ),
    )
    received_note = EncryptedTextField(
        max_length=2000,
        blank=True,
        help_text=_(
            "The receiver's note on what arrived; stored encrypted, shown only to the grant's "
            "parties."
        ),
    )
    partner_confirmed_on = models.DateField(
        null=True,
        blank=True,
        help_text=_(
            "When the sending side confirmed the receipt, where the donor asks for a partner's "
            "confirmation (decision 0366)."
        ),
    )

    class Meta:
        ordering = ["-sent_on"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="transfer_amount_positive"),
            models.CheckConstraint(
                condition=Q(fee__isnull=True) | Q(fee__gte=0), name="transfer_fee_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(currency__capital_letters=3), name="transfer_currency_iso"
            ),
            models.CheckConstraint(
                condition=~Q(from_organisation=F("to_organisation")),
                name="transfer_between_two_organisations",
            ),
            models.CheckConstraint(
                condition=one_of("channel", TransferChannel.values), name="transfer_channel_valid"
            ),
            models.CheckConstraint(
                condition=one_of("sent_state", LegState.values), name="transfer_sent_state_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(received_state="")
                    & Q(received_amount__isnull=True)
                    & Q(received_on__isnull=True)
                    & Q(received_currency="")
                )
                | (
                    one_of("received_state", LegState.values)
                    & Q(received_amount__gt=0)
                    & Q(received_on__isnull=False)
                    & Q(received_currency__capital_letters=3)
                ),
                name="transfer_received_leg_whole",
            ),
            models.CheckConstraint(
                condition=Q(rate__isnull=True) | Q(rate__gt=0), name="transfer_rate_positive"
            ),
            # The partner confirms a receipt the receiver confirmed, never a claim or nothing.
            models.CheckConstraint(
                condition=Q(partner_confirmed_on__isnull=True)
                | Q(received_state=LegState.CONFIRMED),
                name="transfer_partner_confirms_a_confirmed_receipt",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}: {self.from_organisation} → {self.to_organisation}"

    def clean(self) -> None:
        transfer_clean(self)

    @property
    def net_sent(self) -> Decimal:
        """What the channel passed on, in the sent currency: the amount less the fee."""
        return self.amount - (self.fee or Decimal(0))


class Dispute(Removable):
    """One side says a transfer is wrong; open until resolved with a note (both audited)."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="disputes")
    opened_by = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    opened_on = models.DateField()
    note = EncryptedTextField(max_length=2000)
    resolved_on = models.DateField(null=True, blank=True)
    resolution = EncryptedTextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["opened_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=F("opened_on")),
                name="dispute_resolved_after_opened",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"Dispute on transfer {self.transfer_id} ({'resolved' if self.resolved_on else 'open'})"
        )

    def clean(self) -> None:
        dispute_clean(self)


class Spending(Removable):
    """Money of a grant spent on one 4W activity, by the activity's organisation. Removed
    softly with a reason, like a transfer: a removed spending leaves custody, reconciliation,
    reports, lists and the API."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="spending")
    activity = models.ForeignKey("aid.Activity", on_delete=models.PROTECT, related_name="spending")
    amount = _amount()
    currency = models.CharField(max_length=3)
    spent_on = models.DateField()

    class Meta:
        ordering = ["spent_on", "id"]
        verbose_name_plural = "spending"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="spending_amount_positive"),
            models.CheckConstraint(
                condition=Q(currency__capital_letters=3), name="spending_currency_iso"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} of {self.grant_id} on {self.activity_id}"

    def clean(self) -> None:
        spending_clean(self)


class ExchangeRate(Removable):
    """One rate on one day: units of ``to_currency`` for one unit of ``from_currency``.

    Myanmar's official and market rates parted widely after 2021; both are kept, with the
    source of each, and every conversion names the row it used. Removed softly with a reason
    (a rate typed twice, a source found wrong): no report converts with a removed rate, and
    the same rate may be recorded again.
    """

    on = models.DateField()
    from_currency = models.CharField(max_length=3)
    to_currency = models.CharField(max_length=3)
    rate = models.DecimalField(max_digits=RATE_DIGITS, decimal_places=RATE_PLACES)
    kind = models.CharField(max_length=10, choices=RateKind.choices)
    source = models.CharField(max_length=200)

    class Meta:
        ordering = ["-on", "from_currency", "to_currency", "kind"]
        constraints = [
            models.CheckConstraint(condition=Q(rate__gt=0), name="rate_positive"),
            models.CheckConstraint(
                condition=~Q(from_currency=F("to_currency")), name="rate_two_currencies"
            ),
            models.CheckConstraint(
                condition=one_of("kind", RateKind.values), name="rate_kind_valid"
            ),
            models.UniqueConstraint(
                fields=["on", "from_currency", "to_currency", "kind", "source"],
                condition=Q(removed_at__isnull=True),
                name="rate_once_per_day_kind_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.on} 1 {self.from_currency} = {self.rate} {self.to_currency} ({self.kind})"

    def clean(self) -> None:
        rate_clean(self)


class Evidence(Removable):
    """A file backing a transfer (receipt, photo of a handover) or a spending (a signed
    distribution list), stored encrypted in the database; it backs exactly one of the two.

    The file name is encrypted too: it often names a person or a place. The size stays plain.
    """

    transfer = models.ForeignKey(
        Transfer, on_delete=models.CASCADE, related_name="evidence", null=True, blank=True
    )
    spending = models.ForeignKey(
        Spending, on_delete=models.CASCADE, related_name="evidence", null=True, blank=True
    )
    filename = EncryptedTextField(max_length=200)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField()
    content = EncryptedBinaryField()

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="evidence_not_empty"),
            models.CheckConstraint(
                condition=(Q(transfer__isnull=False) & Q(spending__isnull=True))
                | (Q(transfer__isnull=True) & Q(spending__isnull=False)),
                name="evidence_backs_one_record",
            ),
        ]

    def __str__(self) -> str:
        if self.spending_id is not None:
            return f"Evidence for spending {self.spending_id} ({self.size} bytes)"
        return f"Evidence for transfer {self.transfer_id} ({self.size} bytes)"
