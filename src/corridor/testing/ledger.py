"""The walk: one grant from pledge through two intermediaries and three currencies
(USD → THB → MMK) to two activities, written through the services by each side's editor.
The numbers are chosen so every figure of custody and reconciliation can be worked by hand
(src/corridor/funds/tests/test_walk.py does so)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from corridor.accounts.models import OrgRole
from corridor.aid.models import Status
from corridor.funds import services
from corridor.funds.models import (
    Grant,
    LegState,
    RateKind,
    ReportingRule,
    Spending,
    Transfer,
    TransferChannel,
)
from corridor.orgs.models import OrgKind, Visibility
from corridor.testing.factories import (
    ActivityFactory,
    MembershipFactory,
    OrganisationFactory,
    TransferFactory,
    UserFactory,
    township,
)
from corridor.testing.photos import gps_jpeg

D = Decimal

#: (date, from, to, rate) of the market rates; official ones differ (the kyat's two prices).
MARKET = [
    (dt.date(2024, 2, 1), "USD", "THB", D("36.00")),
    (dt.date(2024, 4, 1), "USD", "THB", D("35.00")),
    (dt.date(2024, 2, 1), "USD", "MMK", D("3600")),
    (dt.date(2024, 3, 1), "USD", "MMK", D("3650")),
    (dt.date(2024, 4, 1), "USD", "MMK", D("3700")),
]
OFFICIAL = [
    (dt.date(2024, 1, 1), "USD", "THB", D("35.80")),
    (dt.date(2024, 1, 1), "USD", "MMK", D("2100")),
]


@dataclass
class Walk:
    grant: Grant
    donor: Any
    first: Any  # the intermediary in Thailand
    second: Any  # the intermediary at the border
    local: Any  # the local group
    editors: dict[str, Any]
    t1: Transfer
    t2: Transfer
    t3: Transfer
    t4: Transfer
    claim: Transfer
    activities: list[Any]


def rates() -> None:
    for rows, kind in ((MARKET, RateKind.MARKET), (OFFICIAL, RateKind.OFFICIAL)):
        for on, source, target, rate in rows:
            services.rate_record(
                by=None, on=on, from_currency=source, to_currency=target, rate=rate,
                kind=kind, source=f"walk {kind}",
            )  # fmt: skip


def walk() -> Walk:
    donor = OrganisationFactory(name="Walk Donor (Oslo)", kind=OrgKind.DONOR, base_country="NO")
    first = OrganisationFactory(name="Walk Intermediary (Chiang Mai)", kind=OrgKind.INGO,
                                base_country="TH")  # fmt: skip
    second = OrganisationFactory(name="Walk Border Group (Mae Sot)", kind=OrgKind.DIASPORA,
                                 base_country="TH")  # fmt: skip
    local = OrganisationFactory(name="Walk Local Group (Hpa-an)")
    editors = {}
    for key, org in (("donor", donor), ("first", first), ("second", second), ("local", local)):
        editors[key] = UserFactory(username=f"walk-{key}")
        MembershipFactory(user=editors[key], organisation=org, role=OrgRole.EDITOR)
    rates()
    grant = services.grant_record(
        by=editors["donor"], donor=donor, recipient=local,
        title="Walk: food for displaced families",
        amount=D("10000.00"), currency="USD", pledged_on=dt.date(2024, 1, 10),
        starts_on=dt.date(2024, 2, 1), ends_on=dt.date(2024, 12, 31),
        purpose="Rice and oil for displaced families", sectors=["food_security"],
        reporting=ReportingRule.RECEIPT,
    )  # fmt: skip

    def send(by: str, sender: Any, receiver: Any, **values: Any) -> Transfer:
        return services.transfer_record(
            by=editors[by], from_organisation=sender, to_organisation=receiver, grant=grant,
            **values,
        )  # fmt: skip

    def receive(t: Transfer, amount: str, currency: str, on: dt.date, by: str) -> Transfer:
        # The donor asks for a photo of the receipt: each receiver confirms with one.
        return services.transfer_receive(
            by=editors[by], transfer=t, amount=D(amount), currency=currency, on=on,
            photos=[(f"receipt-{on}.jpg", gps_jpeg())],
        )  # fmt: skip

    t1 = send("donor", donor, first, amount=D("8000.00"), currency="USD",
              sent_on=dt.date(2024, 2, 5), fee=D("40.00"), rate=D("35.70"),
              channel=TransferChannel.BANK)  # fmt: skip
    t1 = receive(t1, "284000.00", "THB", dt.date(2024, 2, 7), "first")
    t2 = send("first", first, second, amount=D("200000.00"), currency="THB",
              sent_on=dt.date(2024, 2, 20), fee=D("1000.00"),
              channel=TransferChannel.MOBILE_MONEY)  # fmt: skip
    t2 = receive(t2, "199000.00", "THB", dt.date(2024, 2, 20), "second")
    t3 = send("second", second, local, amount=D("150000.00"), currency="THB",
              sent_on=dt.date(2024, 3, 5), fee=D("3000.00"), rate=D("98"),
              channel=TransferChannel.INFORMAL, intermediary="Agent U Ko Ko, Myawaddy",
              reference="HUNDI-0305")  # fmt: skip
    t3 = receive(t3, "14406000", "MMK", dt.date(2024, 3, 8), "local")
    t4 = send("donor", donor, first, amount=D("2000.00"), currency="USD",
              sent_on=dt.date(2024, 3, 10), fee=D("10.00"),
              channel=TransferChannel.BANK)  # fmt: skip
    # The local group says the border group sent it more; the border group has not said so.
    claim = send("local", second, local, amount=D("30000.00"), currency="THB",
                 sent_on=dt.date(2024, 3, 18), rate=D("100"),
                 channel=TransferChannel.CASH_CARRIED, received_amount=D("3000000"),
                 received_currency="MMK", received_on=dt.date(2024, 3, 20),
                 photos=[("receipt-claim.jpg", gps_jpeg())])  # fmt: skip
    activities = []
    for amount, on, women in (("6000000", dt.date(2024, 3, 15), 120),
                              ("4500000", dt.date(2024, 3, 25), 80)):  # fmt: skip
        activity = ActivityFactory(organisation=local, status=Status.COMPLETED, women=women,
                                   men=0, girls=0, boys=0)  # fmt: skip
        services.spending_record(by=editors["local"], grant=grant, activity=activity,
                                 amount=D(amount), currency="MMK", spent_on=on)  # fmt: skip
        activities.append(activity)
    return Walk(grant, donor, first, second, local, editors, t1, t2, t3, t4, claim, activities)


# --- A network for the public ledger: cells big enough to show, one too small, a claim ----------

HIDDEN_NAME = "Hidden Kachin Relief Committee"
AGENT_NAME = "Agent Daw Nang Seng, Laiza"
SMALL_AMOUNT = D("777.00")  # one informal transfer in March 2024: a cell that must be hidden
CLAIMED_AMOUNT = D("55555.00")  # a transfer only its receiver speaks for: counts nowhere
LEDGER_MONTH = dt.date(2024, 2, 1)


@dataclass
class LedgerWorld:
    receiver: Any
    hidden: Any
    senders: list[Any]


def ledger_world() -> LedgerWorld:
    """Six public donors send 1,000.00 USD each by bank and six 100.00 USD each through an
    agent in February 2024 (twelve routes); an anonymous group sends 777.00 USD through the
    same agent in March (one route: hidden); one claimed transfer of 55,555.00 USD; five
    organisations each spend 100.00 USD of a grant on food in Kachin (MMR001) in February.
    Rates: none needed (all in USD)."""
    receiver = OrganisationFactory(name="Ledger Receiving Network", kind=OrgKind.INGO)
    hidden = OrganisationFactory(name=HIDDEN_NAME, visibility=Visibility.ANONYMOUS)
    hidden.full_clean()
    hidden.save()
    senders = [OrganisationFactory(name=f"Ledger Donor {n}", kind=OrgKind.DONOR) for n in range(6)]
    for sender in senders:
        TransferFactory(from_organisation=sender, to_organisation=receiver, amount=D("1000.00"),
                        sent_on=LEDGER_MONTH, channel=TransferChannel.BANK)  # fmt: skip
        TransferFactory(from_organisation=receiver, to_organisation=sender, amount=D("100.00"),
                        sent_on=LEDGER_MONTH + dt.timedelta(days=3),
                        channel=TransferChannel.INFORMAL, intermediary=AGENT_NAME)  # fmt: skip
    TransferFactory(from_organisation=hidden, to_organisation=receiver, amount=SMALL_AMOUNT,
                    sent_on=dt.date(2024, 3, 4), channel=TransferChannel.INFORMAL,
                    intermediary=AGENT_NAME)  # fmt: skip
    TransferFactory(from_organisation=senders[0], to_organisation=hidden, amount=CLAIMED_AMOUNT,
                    sent_on=LEDGER_MONTH, channel=TransferChannel.BANK,
                    sent_state=LegState.CLAIMED)  # fmt: skip
    grant = Grant.objects.create(
        donor=senders[0], recipient=receiver, title="Ledger grant", amount=D("5000.00"),
        currency="USD", pledged_on=LEDGER_MONTH, starts_on=LEDGER_MONTH,
    )  # fmt: skip
    kachin = township("MMR001001")
    for sender in senders[1:]:
        activity = ActivityFactory(organisation=sender, admin_unit=kachin)
        Spending.objects.create(grant=grant, activity=activity, amount=D("100.00"),
                                currency="USD", spent_on=LEDGER_MONTH)  # fmt: skip
    return LedgerWorld(receiver, hidden, senders)


# --- Rates to value the walk in another currency (docs/money.md, "Reports in another currency") -

#: (kind, date, from, to, rate): euro rates for every currency the walk holds, and the baht's
#: price in kyat (no rate is crossed through a third currency: decision 0364). The official
#: kyat stays far below the market one, as after 2021.
CURRENCY_RATES = [
    (RateKind.MARKET, dt.date(2024, 2, 1), "USD", "EUR", D("0.92")),
    (RateKind.MARKET, dt.date(2024, 4, 1), "USD", "EUR", D("0.90")),
    (RateKind.MARKET, dt.date(2024, 2, 1), "EUR", "THB", D("39.00")),
    (RateKind.MARKET, dt.date(2024, 4, 1), "EUR", "THB", D("38.50")),
    (RateKind.MARKET, dt.date(2024, 2, 1), "EUR", "MMK", D("3900")),
    (RateKind.MARKET, dt.date(2024, 3, 1), "EUR", "MMK", D("3950")),
    (RateKind.MARKET, dt.date(2024, 4, 1), "EUR", "MMK", D("4100")),
    (RateKind.MARKET, dt.date(2024, 2, 1), "THB", "MMK", D("100")),
    (RateKind.MARKET, dt.date(2024, 4, 1), "THB", "MMK", D("106")),
    (RateKind.OFFICIAL, dt.date(2024, 1, 1), "USD", "EUR", D("0.91")),
    (RateKind.OFFICIAL, dt.date(2024, 1, 1), "EUR", "THB", D("39.20")),
    (RateKind.OFFICIAL, dt.date(2024, 1, 1), "EUR", "MMK", D("2280")),
    (RateKind.OFFICIAL, dt.date(2024, 1, 1), "THB", "MMK", D("58.70")),
]


def currency_rates() -> None:
    """Add ``CURRENCY_RATES`` to the table (after ``walk()``, whose own rates stay as they are)."""
    for kind, on, source, target, rate in CURRENCY_RATES:
        services.rate_record(
            by=None, on=on, from_currency=source, to_currency=target, rate=rate,
            kind=kind, source=f"walk {kind} (currencies)",
        )  # fmt: skip
