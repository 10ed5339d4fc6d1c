"""The walk: a grant from pledge through two intermediaries and three currencies (USD → THB →
MMK) to activities; every number of custody and reconciliation against a hand computation.

The hand computation (market rates; grant 10,000.00 USD; valued 2024-04-15):

hop 1  8,000.00 USD, fee 40.00 USD, rate 35.70: expected (8,000 − 40) × 35.70 = 284,172.00 THB,
       received 284,000.00 THB → short 172.00 THB; at 36.00 THB/USD (2024-02-01): 4.78 USD
hop 2  200,000.00 THB, fee 1,000.00 THB (/36 = 27.78 USD), received 199,000.00 THB: no gap
hop 3  150,000.00 THB, fee 3,000.00 THB (/36 = 83.33 USD), rate 98: 147,000 × 98 = 14,406,000
       MMK, received 14,406,000 MMK: no gap
hop 4  2,000.00 USD, fee 10.00 USD, not yet received: 1,990.00 USD in transit
claim  the local group says it got 3,000,000 MMK more; the border group has not confirmed
spent  6,000,000 + 4,500,000 MMK at 3,650 MMK/USD (2024-03-01): 1,643.84 + 1,232.88 = 2,876.72
held   Chiang Mai 84,000.00 THB / 35.00 (2024-04-01) = 2,400.00; Mae Sot 49,000.00 / 35 =
       1,400.00; Hpa-an 3,906,000 MMK / 3,700 (2024-04-01) = 1,055.68
fees   40.00 + 27.78 + 83.33 + 10.00 = 161.11
exchange differences = 10,000.00 − (1,990.00 + 161.11 + 4.78 + 2,876.72 + 2,400.00 + 1,400.00 +
       1,055.68) = 111.71
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from corridor.audit.models import AuditEntry
from corridor.core.errors import NotAllowed
from corridor.funds import services
from corridor.funds.custody import custody
from corridor.funds.models import LegState
from corridor.funds.reconcile import grant_reconcile
from corridor.testing.ledger import walk

D = Decimal
ON = dt.date(2024, 4, 15)
CHIANG_MAI = "held_by:Walk Intermediary (Chiang Mai)"
MAE_SOT = "held_by:Walk Border Group (Mae Sot)"
HPA_AN = "held_by:Walk Local Group (Hpa-an)"
HAND = {
    "not_yet_sent": D("0.00"),
    "in_transit": D("1990.00"),
    "fees": D("161.11"),
    "unaccounted": D("4.78"),
    "disputed": D("0"),
    "spent_on_activities": D("2876.72"),
    MAE_SOT: D("1400.00"),
    CHIANG_MAI: D("2400.00"),
    HPA_AN: D("1055.68"),
    "exchange_differences": D("111.71"),
}


@pytest.fixture
def w(db):
    return walk()


def test_custody_every_number_by_hand(w):
    report = custody(w.grant, valued_on=ON)
    assert report.breakdown == HAND
    assert sum(report.breakdown.values()) == w.grant.amount == D("10000.00")
    hops = {hop.transfer.pk: hop for hop in report.hops}
    assert hops[w.t1.pk].expected_received == D("284172.00")
    assert hops[w.t1.pk].shortfall == D("172.00")
    assert hops[w.t1.pk].received_value == D("7888.89")
    assert hops[w.t2.pk].fee_value == D("27.78")
    assert hops[w.t2.pk].sent_value == D("5555.56")
    assert hops[w.t3.pk].expected_received == D("14406000")
    assert hops[w.t3.pk].shortfall == D("0")
    assert hops[w.t4.pk].in_transit_value == D("1990.00")
    assert not hops[w.claim.pk].counted
    assert report.claims == [
        {"transfer": str(w.claim.pk), "leg": "sent", "awaiting": "Walk Border Group (Mae Sot)"}
    ]
    assert report.holdings["Walk Local Group (Hpa-an)"] == {"MMK": D("3906000")}
    assert report.people_reached == 200
    # The rates it used, each named: the market ones it needed, never the official ones.
    used = {(r["on"], r["from"], r["to"], r["rate"]) for r in report.rates}
    assert used == {
        ("2024-02-01", "USD", "THB", "36"),
        ("2024-04-01", "USD", "THB", "35"),
        ("2024-03-01", "USD", "MMK", "3650"),
        ("2024-04-01", "USD", "MMK", "3700"),
    }
    assert all(r["inverse"] for r in report.rates)


def test_exchange_differences_are_the_rate_and_holding_differences(w):
    """The rest is not a blind plug: worked out hop by hop without rounding it is the agent
    rates' losses less the holdings' revaluation, within the parts' rounding (9 parts × ½ cent)."""
    rate_losses = (D(7960) - D(284172) / 36) + (D(147000) / 36 - D(14406000) / 3650)
    revaluation = (
        (D(84000) / 35 - D(84000) / 36)  # Chiang Mai's baht gained against the dollar
        + (D(49000) / 35 - D(49000) / 36)
        - (D(3906000) / 3650 - D(3906000) / 3700)  # the kyat fell
    )
    worked = rate_losses - revaluation
    plug = custody(w.grant, valued_on=ON).breakdown["exchange_differences"]
    assert abs(plug - worked) <= D("0.045")


def test_official_rates_give_another_valuation_that_also_adds_up(w):
    report = custody(w.grant, valued_on=ON, rate_kind="official")
    assert sum(report.breakdown.values()) == D("10000.00")
    # 3,906,000 MMK at the official 2,100 is worth far more dollars than at the market's 3,700.
    assert report.breakdown[HPA_AN] == D("1860.00")
    assert {r["kind"] for r in report.rates} == {"official"}


def test_reconciliation_every_mismatch_by_hand(w):
    result = grant_reconcile(w.grant, today=ON)
    found = {(m.kind, m.transfer): m for m in result.mismatches}
    assert set(found) == {
        ("received_short", str(w.t1.pk)),
        ("not_received", str(w.t4.pk)),
        ("claimed_leg", str(w.claim.pk)),
    }
    short = found[("received_short", str(w.t1.pk))]
    assert (short.amount, short.currency, short.age_days, short.must_act) == (
        D("172.00"), "THB", 68, "Walk Donor (Oslo)"
    )  # fmt: skip
    transit = found[("not_received", str(w.t4.pk))]
    assert (transit.amount, transit.currency, transit.age_days, transit.must_act) == (
        D("1990.00"), "USD", 36, "Walk Intermediary (Chiang Mai)"
    )  # fmt: skip
    claim = found[("claimed_leg", str(w.claim.pk))]
    assert (claim.amount, claim.currency, claim.age_days, claim.must_act) == (
        D("30000.00"), "THB", 28, "Walk Border Group (Mae Sot)"
    )  # fmt: skip
    lines = {(o["organisation"], o["currency"]): o for o in result.organisations}
    assert lines[("Walk Intermediary (Chiang Mai)", "THB")] == {
        "organisation": "Walk Intermediary (Chiang Mai)", "currency": "THB", "held": "84000.00",
        "received": "284000.00", "passed_on": "200000.00", "spent": "0.00",
    }  # fmt: skip
    assert lines[("Walk Border Group (Mae Sot)", "THB")]["held"] == "49000.00"
    assert lines[("Walk Local Group (Hpa-an)", "MMK")]["received"] == "14406000"
    assert lines[("Walk Local Group (Hpa-an)", "MMK")]["spent"] == "10500000"
    assert lines[("Walk Local Group (Hpa-an)", "MMK")]["held"] == "3906000"
    partners = {(p.sender, p.receiver, p.currency, p.received_currency): p for p in result.partners}
    first = partners[("Walk Donor (Oslo)", "Walk Intermediary (Chiang Mai)", "USD", "THB")]
    assert (first.sent, first.fees, first.expected, first.received) == (
        D("8000.00"), D("40.00"), D("284172.00"), D("284000.00")
    )  # fmt: skip


def test_confirming_the_claim_moves_it_into_custody(w):
    with pytest.raises(NotAllowed):  # the local group cannot confirm the border group's leg
        services.transfer_confirm(by=w.editors["local"], transfer=w.claim, leg="sent")
    services.transfer_confirm(by=w.editors["second"], transfer=w.claim, leg="sent")
    report = custody(w.grant, valued_on=ON)
    assert report.claims == []
    # Mae Sot passed on 30,000 THB more; Hpa-an holds 3,000,000 MMK more.
    assert report.breakdown[MAE_SOT] == D("542.86")  # 19,000 THB / 35
    assert report.breakdown[HPA_AN] == D("1866.49")  # 6,906,000 MMK / 3,700
    assert sum(report.breakdown.values()) == D("10000.00")


def test_a_dispute_takes_a_hop_out_until_resolved_and_is_audited(w):
    dispute = services.dispute_open(
        by=w.editors["second"], transfer=w.t2, note="199,000 arrived, not 200,000 less 1,000",
        on=dt.date(2024, 3, 1),
    )  # fmt: skip
    report = custody(w.grant, valued_on=ON)
    assert report.breakdown["disputed"] == D("5555.56")  # 200,000 THB / 36
    assert sum(report.breakdown.values()) == D("10000.00")
    mismatch = next(
        m for m in grant_reconcile(w.grant, today=ON).mismatches if m.kind == "disputed"
    )
    assert (mismatch.must_act, mismatch.age_days) == ("Walk Intermediary (Chiang Mai)", 45)
    services.dispute_resolve(by=w.editors["first"], dispute=dispute, resolution="agent's fee",
                             on=dt.date(2024, 3, 2))  # fmt: skip
    assert custody(w.grant, valued_on=ON).breakdown == HAND
    trail = AuditEntry.objects.filter(object_type="funds.dispute", object_id=str(dispute.pk))
    assert list(trail.order_by("seq").values_list("action", flat=True)) == ["create", "update"]


def test_legs_are_confirmed_only_by_their_own_side(w):
    assert (w.t1.sent_state, w.t1.received_state) == (LegState.CONFIRMED, LegState.CONFIRMED)
    assert (w.t4.sent_state, w.t4.received_state) == (LegState.CONFIRMED, "")
    assert (w.claim.sent_state, w.claim.received_state) == (LegState.CLAIMED, LegState.CONFIRMED)
    # The sender correcting the amount keeps its leg confirmed; the receiver doing so makes it
    # the receiver's claim again.
    services.transfer_update(by=w.editors["first"], transfer=w.t2, fee=D("1500.00"))
    w.t2.refresh_from_db()
    assert w.t2.sent_state == LegState.CONFIRMED
    services.transfer_update(by=w.editors["second"], transfer=w.t2, fee=D("1000.00"))
    w.t2.refresh_from_db()
    assert w.t2.sent_state == LegState.CLAIMED
