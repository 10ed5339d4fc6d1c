"""Currencies and amounts. Money is a Decimal with an ISO 4217 code, never a float."""

from __future__ import annotations

# ISO 4217 codes most used by Myanmar aid flows first, then other common ones. A full list is not
# needed: an unknown code is refused, and adding one is a one-line change reviewed by a person.
CURRENCIES: dict[str, str] = {
    "MMK": "Myanmar kyat",
    "USD": "US dollar",
    "THB": "Thai baht",
    "INR": "Indian rupee",
    "CNY": "Chinese yuan",
    "BDT": "Bangladeshi taka",
    "JPY": "Japanese yen",
    "NOK": "Norwegian krone",
    "EUR": "Euro",
    "GBP": "Pound sterling",
    "AUD": "Australian dollar",
    "CAD": "Canadian dollar",
    "CHF": "Swiss franc",
    "SEK": "Swedish krona",
    "DKK": "Danish krone",
    "KRW": "South Korean won",
    "SGD": "Singapore dollar",
    "MYR": "Malaysian ringgit",
    "NZD": "New Zealand dollar",
    "TWD": "New Taiwan dollar",
    "HKD": "Hong Kong dollar",
}

CURRENCY_CHOICES = [(code, f"{code} — {name}") for code, name in CURRENCIES.items()]

AMOUNT_DIGITS = 18
AMOUNT_PLACES = 2
