"""Forms of the money pages (web/views/funds.py, web/views/funds_records.py): a transfer, what
arrived, a dispute, a photo; a grant, a spending with its photo, an exchange rate.

They check the shape of what was typed (a number, a date); whether the value is allowed — an
amount above 0, a fee not negative — is the ledger's rules' word (``funds/rules.py``), asked by
``funds.services`` with the access policy: the same calls, and words, as the API and the ledger
import (core/tests/test_rules.py). So no field here carries its own ``min_value``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.core.money import AMOUNT_DIGITS, AMOUNT_PLACES, RATE_DIGITS, RATE_PLACES
from corridor.core.sectors import Sector
from corridor.funds.models import RateKind, ReportingRule, TransferChannel

if TYPE_CHECKING:
    from corridor.funds.models import Grant
    from corridor.orgs.models import Organisation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _amount(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=AMOUNT_DIGITS,
        decimal_places=AMOUNT_PLACES,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class CurrencyField(forms.CharField):
    """An ISO 4217 code, typed in either case (a phone keyboard starts in lower case)."""

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).upper()


def _currency(label: Any, *, required: bool = True) -> forms.CharField:
    return CurrencyField(
        label=label,
        required=required,
        max_length=3,
        help_text=_("ISO 4217 code, e.g. MMK, THB, USD."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "size": 4}),
    )


class TransferForm(forms.Form):
    """Record or correct a transfer: the two sides, the sent leg and, if known, what arrived."""

    from_organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("From"), queryset=None
    )
    to_organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("To"), queryset=None
    )
    grant: forms.ModelChoiceField[Grant] = forms.ModelChoiceField(
        label=_("Grant"), queryset=None, required=False
    )
    amount = _amount(_("Amount sent"), help_text=_("What the sender paid, the fee included."))
    currency = _currency(_("Currency sent"))
    sent_on = forms.DateField(label=_("Sent on"), widget=DATE)
    fee = _amount(_("Fee"), required=False, help_text=_("In the currency sent."))
    channel = forms.ChoiceField(label=_("Channel"), choices=TransferChannel.choices)
    rate = forms.DecimalField(
        label=_("Exchange rate the channel used"),
        required=False,
        max_digits=RATE_DIGITS,
        decimal_places=RATE_PLACES,
        help_text=_("Units received for one unit sent."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    received_amount = _amount(_("Amount received"), required=False)
    received_currency = _currency(_("Currency received"), required=False)
    received_on = forms.DateField(label=_("Received on"), required=False, widget=DATE)
    reference = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=120,
        help_text=_("Bank or hundi code; stored encrypted, shown only to the two sides."),
    )
    intermediary = forms.CharField(
        label=_("Agent or carrier"),
        required=False,
        max_length=200,
        help_text=_("Stored encrypted, shown only to the two sides."),
    )
    # Shown once a counterparty screened as a possible match or a match (decision 0340).
    confirm = forms.BooleanField(
        label=_("I have read the screening warning: record it anyway"), required=False
    )

    def __init__(
        self, *args: Any, organisations: Any, grants: Any, fixed_sides: bool = False, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        #: The counterparties that warn, set by the view before it saves.
        self.screening: list[Any] = []
        for name in ("from_organisation", "to_organisation"):
            field = self.fields[name]
            field.queryset = organisations  # type: ignore[attr-defined]
            if fixed_sides:
                # The sides are fixed: a transfer between others is a new record.
                field.disabled = True
                field.required = False
        self.fields["grant"].queryset = grants  # type: ignore[attr-defined]

    def confirm_shown(self) -> bool:
        """A screening warning to confirm, or confirmed already."""
        return bool(self.screening) or bool(self.is_bound and self.data.get("confirm"))

    def values(self) -> dict[str, Any]:
        """The service's keywords; a received leg only when an amount was given."""
        data = dict(self.cleaned_data)
        data.pop("confirm", None)
        data.pop("from_organisation", None)
        data.pop("to_organisation", None)
        if data.get("received_amount") is None and data.get("received_on") is None:
            data["received_amount"] = data["received_on"] = None
            data["received_currency"] = ""
        elif not data.get("received_currency"):
            data["received_currency"] = data.get("currency") or ""
        return data


class PhotoField(forms.FileField):
    """A photo from the phone's camera or gallery (``capture`` opens the camera on a phone)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
        )
        super().__init__(**kwargs)


class ReceiveForm(forms.Form):
    """The receiver says what arrived (or confirms the other side's claim), with a photo and a
    note; each required when the grant's donor asks for it (decision 0366)."""

    received_amount = _amount(_("Amount received"))
    received_currency = _currency(_("Currency received"))
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    photo = PhotoField(
        label=_("Photo of the receipt or distribution list"),
        required=False,
        help_text=_("Where and when it was taken, and the phone's details, are removed."),
    )
    received_note = forms.CharField(
        label=_("Note on what arrived"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen only by the two sides and the grant's donor and recipient."),
    )

    def __init__(
        self, *args: Any, photo_required: bool = False, note_required: bool = False, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["photo"].required = photo_required
        self.fields["received_note"].required = note_required


class EvidenceForm(forms.Form):
    photo = PhotoField(
        label=_("Photo of the receipt or distribution list"),
        help_text=_("Where and when it was taken, and the phone's details, are removed."),
    )


class DisputeForm(forms.Form):
    note = forms.CharField(
        label=_("What is wrong?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("How was it resolved?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- Grants, spending, rates (web/views/funds_records.py) ----------------------------------


class GrantForm(forms.Form):
    """Record or correct a grant: who pledged what to whom, for when and what, and the
    evidence the donor asks for."""

    donor: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("Donor"), queryset=None
    )
    recipient: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("Recipient"), queryset=None
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    amount = _amount(_("Amount pledged"))
    currency = _currency(_("Currency"))
    pledged_on = forms.DateField(label=_("Pledged on"), widget=DATE)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DATE)
    purpose = forms.CharField(
        label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    sectors = forms.MultipleChoiceField(
        label=_("Sectors"),
        required=False,
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    reporting = forms.ChoiceField(
        label=_("Evidence the donor asks"),
        choices=ReportingRule.choices,
        initial=ReportingRule.NONE,
    )

    def __init__(
        self, *args: Any, organisations: Any, fixed_sides: bool = False, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        for name in ("donor", "recipient"):
            field = self.fields[name]
            field.queryset = organisations  # type: ignore[attr-defined]
            if fixed_sides:
                # The two sides are fixed: a pledge between others is a new grant.
                field.disabled = True
                field.required = False

    def values(self) -> dict[str, Any]:
        """The service's keywords, without the two sides."""
        data = dict(self.cleaned_data)
        data.pop("donor", None)
        data.pop("recipient", None)
        data["sectors"] = list(data.get("sectors") or [])
        return data


class ActivityChoice(forms.ModelChoiceField):
    """A 4W activity by what a person recognises: sector, township and month."""

    def label_from_instance(self, obj: Any) -> str:
        # A planned activity may have a start date and no reporting month yet.
        when = obj.reporting_month or obj.start_date
        return f"{obj.get_sector_display()} — {obj.admin_unit.name_en} — {when:%Y-%m}"


class SpendingForm(forms.Form):
    """Money of a grant spent on one 4W activity, with a photo of the receipt or the signed
    distribution list."""

    activity = ActivityChoice(label=_("Activity"), queryset=None)
    amount = _amount(_("Amount spent"))
    currency = _currency(_("Currency"))
    spent_on = forms.DateField(label=_("Spent on"), widget=DATE)
    photo = PhotoField(
        label=_("Photo of the receipt or distribution list"),
        required=False,
        help_text=_("Where and when it was taken, and the phone's details, are removed."),
    )

    def __init__(self, *args: Any, activities: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["activity"].queryset = activities  # type: ignore[attr-defined]


class RateForm(forms.Form):
    """One exchange rate: on a day, one unit of a currency bought so many of another."""

    on = forms.DateField(label=_("Day"), widget=DATE)
    from_currency = _currency(_("From currency"))
    to_currency = _currency(_("To currency"))
    rate = forms.DecimalField(
        label=_("Rate"),
        min_value=0,
        max_digits=RATE_DIGITS,
        decimal_places=RATE_PLACES,
        help_text=_("Units of the second currency for one unit of the first."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=RateKind.choices)
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        help_text=_("Where the rate comes from, e.g. the central bank, a market survey, an agent."),
    )
