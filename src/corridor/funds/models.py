"""Money moving from donors through intermediaries to the groups that reach people.

Any currency and any channel: the banking system is closed to many of these groups, so
informal value transfer and carried cash are first-class, recorded without judgement.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from corridor.core.crypto.fields import EncryptedBinaryField, EncryptedTextField
from corridor.core.models import Record, one_of
from corridor.core.money import AMOUNT_DIGITS, AMOUNT_PLACES
from corridor.funds.rules import transfer_clean


class TransferChannel(models.TextChoices):
    BANK = "bank", _("Bank")
    LICENSED_REMITTANCE = "licensed_remittance", _("Licensed remittance")
    INFORMAL = "informal", _("Informal value transfer (hundi)")
    MOBILE_MONEY = "mobile_money", _("Mobile money")
    CASH_CARRIED = "cash_carried", _("Cash carried")
    CRYPTO = "crypto", _("Crypto-asset")
    OTHER = "other", _("Other")


class TransferStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    RECEIVED = "received", _("Received")
    DISPUTED = "disputed", _("Disputed")


class Transfer(Record):
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
    status = models.CharField(
        max_length=16, choices=TransferStatus.choices, default=TransferStatus.SENT
    )
    reference = EncryptedTextField(
        max_length=120,
        blank=True,
        help_text=_("Bank or hundi code of the transfer; stored encrypted."),
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
                condition=one_of("status", TransferStatus.values), name="transfer_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}: {self.from_organisation} → {self.to_organisation}"

    def clean(self) -> None:
        transfer_clean(self)


class Evidence(Record):
    """A file backing a transfer (receipt, photo of a handover), stored encrypted in the database.

    The file name is encrypted too: it often names a person or a place. The size stays plain.
    """

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="evidence")
    filename = EncryptedTextField(max_length=200)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField()
    content = EncryptedBinaryField()

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="evidence_not_empty"),
        ]

    def __str__(self) -> str:
        return f"Evidence for transfer {self.transfer_id} ({self.size} bytes)"
