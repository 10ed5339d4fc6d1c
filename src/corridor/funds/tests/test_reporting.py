"""The donor's reporting rule asks for something (decision 0366): a note on what arrived, a photo
of the receipt, or the sending side's confirmation of the receipt. Each rule through the
services every face calls, the partner's step in reconciliation, the ledger import, and the
rule's one home (``funds.rules.reporting_problems``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from corridor.accounts.models import OrgRole
from corridor.audit.models import AuditEntry
from corridor.core.errors import InvalidInput, NotAllowed
from corridor.exchange.ledger_import import ledger_import
from corridor.funds import services
from corridor.funds.models import Evidence, LegState, ReportingRule, Transfer
from corridor.funds.queries import received_note_for, reporting_missing
from corridor.funds.reconcile import AWAITING_PARTNER, grant_reconcile
from corridor.funds.rules import (
    NOTE_MISSING,
    PARTNER_MISSING,
    PHOTO_MISSING,
    RULE_ASKS,
    reporting_problems,
)
from corridor.testing import factories as f
from corridor.testing.photos import gps_jpeg, gps_of

pytestmark = pytest.mark.django_db
D = Decimal


class World:
    """A donor, a receiving partner, a stranger; an editor of each; a grant per rule."""

    def __init__(self) -> None:
        self.donor = f.OrganisationFactory(name="Nordic Relief Fund")
        self.partner = f.OrganisationFactory(name="Salween Partners")
        self.stranger = f.OrganisationFactory(name="Other Relief")
        self.editors = {}
        for key, org in (("donor", self.donor), ("partner", self.partner),
                         ("stranger", self.stranger)):  # fmt: skip
            self.editors[key] = f.UserFactory(username=f"rule-{key}")
            f.MembershipFactory(user=self.editors[key], organisation=org, role=OrgRole.EDITOR)
        self.grants = {
            rule: f.GrantFactory(
                donor=self.donor, recipient=self.partner, title=f"Rule {rule}", reporting=rule
            )
            for rule in ReportingRule.values
        }

    def claim(self, rule: str, **values) -> Transfer:
        """The donor's transfer with what the donor thinks arrived: the partner's claim."""
        fields = {"amount": D(5000), "currency": "USD", "fee": D(50),
                  "sent_on": dt.date(2024, 5, 1), "received_amount": D(4950),
                  "received_state": LegState.CLAIMED,
                  "received_on": dt.date(2024, 5, 2)}  # fmt: skip
        fields.update(values)
        return f.TransferFactory(from_organisation=self.donor, to_organisation=self.partner,
                                 grant=self.grants[rule], **fields)  # fmt: skip


@pytest.fixture
def w():
    return World()


def _fresh(t: Transfer) -> Transfer:
    return Transfer.objects.select_related("grant").get(pk=t.pk)


def test_every_rule_but_none_asks_something():
    assert set(RULE_ASKS) == set(ReportingRule.values) - {ReportingRule.NONE}
    assert set(RULE_ASKS.values()) == {NOTE_MISSING, PHOTO_MISSING, PARTNER_MISSING}


def test_the_rule_lists_what_is_missing(w):
    arrived = {rule: w.claim(rule, received_state=LegState.CONFIRMED) for rule in RULE_ASKS}
    assert reporting_problems(w.claim(ReportingRule.NONE), photos=0) == []
    assert [p.code for p in reporting_problems(arrived["note"], photos=0)] == [NOTE_MISSING]
    assert [p.code for p in reporting_problems(arrived["receipt"], photos=0)] == [PHOTO_MISSING]
    assert reporting_problems(arrived["receipt"], photos=1) == []
    partner = reporting_problems(arrived["partner_confirmation"], photos=0)
    assert [p.code for p in partner] == [PARTNER_MISSING]
    assert "Nordic Relief Fund" in partner[0].message  # who must act
    # Nothing arrived yet, or the partner's step before the receiver's: nothing asked.
    assert reporting_problems(w.claim("note", received_state="", received_amount=None,
                                      received_on=None, received_currency=""),
                              photos=0) == []  # fmt: skip
    assert reporting_problems(w.claim("partner_confirmation"), photos=0) == []
    arrived["note"].received_note = "Counted at the office"
    assert reporting_problems(arrived["note"], photos=0) == []


# --- A note ---------------------------------------------------------------------------------


def test_a_note_is_asked_when_the_receiver_confirms_and_kept_encrypted(w):
    claim = w.claim("note")
    receiver = w.editors["partner"]
    with pytest.raises(ValidationError) as refused:
        services.transfer_confirm(by=receiver, transfer=claim, leg=services.RECEIVED)
    assert "received_note" in refused.value.message_dict
    assert "asks for a note" in str(refused.value)
    assert _fresh(claim).received_state == LegState.CLAIMED  # nothing written
    services.transfer_confirm(by=receiver, transfer=_fresh(claim), leg=services.RECEIVED,
                              note="4,950 USD counted at the Mae Sot office")  # fmt: skip
    stored = _fresh(claim)
    assert stored.received_state == LegState.CONFIRMED
    assert stored.received_note == "4,950 USD counted at the Mae Sot office"
    assert reporting_missing(stored) == []
    # Stored encrypted: the column does not hold the words, nor does the audit trail.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT received_note FROM funds_transfer WHERE id = %s", [claim.pk.hex]
            if connection.vendor == "sqlite" else [claim.pk]
        )  # fmt: skip
        column = cursor.fetchone()[0]
    assert column
    assert "Mae Sot" not in str(column)
    trail = AuditEntry.objects.filter(object_id=str(claim.pk)).order_by("-seq").first()
    assert "Mae Sot" not in str(trail.changes)


def test_the_note_is_seen_only_by_the_grants_parties(w):
    claim = w.claim("note")
    services.transfer_confirm(by=w.editors["partner"], transfer=claim, leg=services.RECEIVED,
                              note="All arrived")  # fmt: skip
    stored = _fresh(claim)
    assert received_note_for(w.editors["donor"], stored) == "All arrived"
    assert received_note_for(w.editors["partner"], stored) == "All arrived"
    assert received_note_for(w.editors["stranger"], stored) == ""
    coordinator = f.UserFactory(global_role="coordinator")
    assert received_note_for(coordinator, stored) == ""


def test_only_the_receiver_writes_its_note(w):
    claim = w.claim("none")
    with pytest.raises(NotAllowed):
        services.transfer_update(by=w.editors["donor"], transfer=claim, received_note="I say so")
    with pytest.raises(NotAllowed):
        services.transfer_record(by=w.editors["donor"], from_organisation=w.donor,
                                 to_organisation=w.partner, amount=D(10), currency="USD",
                                 sent_on=dt.date(2024, 5, 1), channel="bank",
                                 received_note="I say so")  # fmt: skip


def test_the_receiver_writing_its_own_figures_gives_the_note_too(w):
    claim = w.claim("note")
    receiver = w.editors["partner"]
    with pytest.raises(ValidationError):
        services.transfer_receive(by=receiver, transfer=claim, amount=D(4900), currency="USD",
                                  on=dt.date(2024, 5, 3))  # fmt: skip
    assert _fresh(claim).received_amount == D(4950)
    services.transfer_receive(by=receiver, transfer=_fresh(claim), amount=D(4900),
                              currency="USD", on=dt.date(2024, 5, 3),
                              note="50 short: the agent's cut")  # fmt: skip
    assert (_fresh(claim).received_state, _fresh(claim).received_amount) == ("confirmed", D(4900))
    # Clearing the note of a confirmed receipt the donor asks a note for is refused.
    with pytest.raises(ValidationError):
        services.transfer_update(by=receiver, transfer=_fresh(claim), received_note="")


def test_a_claim_by_the_sender_asks_nothing(w):
    # The sender writes what it thinks arrived: a claim, which needs no note until confirmed.
    t = services.transfer_record(by=w.editors["donor"], from_organisation=w.donor,
                                 to_organisation=w.partner, grant=w.grants["note"],
                                 amount=D(100), currency="USD", sent_on=dt.date(2024, 5, 1),
                                 channel="bank", received_amount=D(100),
                                 received_currency="USD",
                                 received_on=dt.date(2024, 5, 2))  # fmt: skip
    assert t.received_state == LegState.CLAIMED


# --- A photo of the receipt ---------------------------------------------------------------


def test_a_photo_is_asked_and_kept_in_the_same_transaction(w):
    claim = w.claim("receipt")
    receiver = w.editors["partner"]
    with pytest.raises(ValidationError) as refused:
        services.transfer_receipt(by=receiver, transfer=claim)
    assert "photo" in refused.value.message_dict
    assert _fresh(claim).received_state == LegState.CLAIMED
    # A photo the rule refuses (not a picture) leaves the leg as it was.
    with pytest.raises(InvalidInput):
        services.transfer_receipt(by=receiver, transfer=_fresh(claim),
                                  photos=[("receipt.jpg", b"not a picture")])  # fmt: skip
    assert _fresh(claim).received_state == LegState.CLAIMED
    assert not Evidence.objects.filter(transfer=claim).exists()
    services.transfer_receipt(by=receiver, transfer=_fresh(claim),
                              photos=[("IMG_2041.jpg", gps_jpeg())])  # fmt: skip
    assert _fresh(claim).received_state == LegState.CONFIRMED
    kept = Evidence.objects.get(transfer=claim)
    assert gps_of(bytes(kept.content)) == {}


def test_a_photo_uploaded_before_confirming_counts(w):
    claim = w.claim("receipt")
    receiver = w.editors["partner"]
    services.evidence_add(by=receiver, transfer=claim, filename="r.jpg", data=gps_jpeg())
    services.transfer_confirm(by=receiver, transfer=claim, leg=services.RECEIVED)
    assert _fresh(claim).received_state == LegState.CONFIRMED


def test_a_removed_photo_does_not_count(w):
    claim = w.claim("receipt")
    receiver = w.editors["partner"]
    photo = services.evidence_add(by=receiver, transfer=claim, filename="r.jpg", data=gps_jpeg())
    services.evidence_remove(by=receiver, evidence=photo, reason="the wrong receipt")
    with pytest.raises(ValidationError):
        services.transfer_confirm(by=receiver, transfer=claim, leg=services.RECEIVED)


def test_recording_a_confirmed_receipt_asks_the_photo_too(w):
    values = {"from_organisation": w.donor, "to_organisation": w.partner,
              "grant": w.grants["receipt"], "amount": D(100), "currency": "USD",
              "sent_on": dt.date(2024, 5, 1), "channel": "bank", "received_amount": D(100),
              "received_currency": "USD", "received_on": dt.date(2024, 5, 2)}  # fmt: skip
    receiver = w.editors["partner"]
    with pytest.raises(ValidationError):
        services.transfer_record(by=receiver, **values)
    assert not Transfer.objects.filter(amount=D(100)).exists()
    t = services.transfer_record(by=receiver, photos=[("r.jpg", gps_jpeg())], **values)
    assert (t.received_state, Evidence.objects.filter(transfer=t).count()) == ("confirmed", 1)


# --- A partner's confirmation -------------------------------------------------------------


def test_the_sending_side_confirms_the_receipt_and_reconciliation_says_who_must_act(w):
    claim = w.claim("partner_confirmation")
    grant = w.grants["partner_confirmation"]
    # The receiver confirms with nothing more to give: the partner's step comes after.
    services.transfer_receipt(by=w.editors["partner"], transfer=claim)
    stored = _fresh(claim)
    assert stored.received_state == LegState.CONFIRMED
    today = dt.date(2024, 5, 12)
    waiting = [m for m in grant_reconcile(grant, today=today).mismatches
               if m.kind == AWAITING_PARTNER]  # fmt: skip
    assert len(waiting) == 1
    m = waiting[0]
    assert (m.must_act, m.amount, m.currency) == ("Nordic Relief Fund", D(4950), "USD")
    assert (m.since, m.age_days, m.transfer) == (dt.date(2024, 5, 2), 10, str(claim.pk))
    # The legs count as before: the received leg is the receiver's word (decision 0236).
    assert stored in Transfer.objects.filter(received_state=LegState.CONFIRMED)

    for who in ("partner", "stranger"):
        with pytest.raises(NotAllowed):
            services.transfer_partner_confirm(by=w.editors[who], transfer=stored)
    services.transfer_partner_confirm(by=w.editors["donor"], transfer=stored)
    assert _fresh(claim).partner_confirmed_on is not None
    kinds = {m.kind for m in grant_reconcile(grant, today=today).mismatches}
    assert AWAITING_PARTNER not in kinds
    assert reporting_missing(_fresh(claim)) == []
    with pytest.raises(InvalidInput, match="already"):
        services.transfer_partner_confirm(by=w.editors["donor"], transfer=_fresh(claim))
    entry = AuditEntry.objects.filter(object_id=str(claim.pk)).order_by("-seq").first()
    assert "partner_confirmed_on" in entry.changes

    # New figures from the receiver: the partner is asked again.
    services.transfer_receive(by=w.editors["partner"], transfer=_fresh(claim), amount=D(4900),
                              currency="USD", on=dt.date(2024, 5, 3))  # fmt: skip
    assert _fresh(claim).partner_confirmed_on is None
    kinds = {m.kind for m in grant_reconcile(grant, today=today).mismatches}
    assert AWAITING_PARTNER in kinds


def test_the_partner_confirms_only_a_confirmed_receipt_of_a_grant_that_asks(w):
    claim = w.claim("partner_confirmation")
    with pytest.raises(InvalidInput, match="not confirmed"):
        services.transfer_partner_confirm(by=w.editors["donor"], transfer=claim)
    other = w.claim("none", received_state=LegState.CONFIRMED)
    with pytest.raises(InvalidInput, match="no partner"):
        services.transfer_partner_confirm(by=w.editors["donor"], transfer=other)
    assert not {m.kind for m in grant_reconcile(w.grants["none"], today=dt.date(2024, 6, 1))
                .mismatches} & {AWAITING_PARTNER}  # fmt: skip


# --- The ledger import --------------------------------------------------------------------


def test_the_ledger_import_refuses_a_receipt_without_what_the_rule_asks(w, tmp_path):
    path = tmp_path / "transfers.csv"
    path.write_text(
        "from,to,amount,currency,sent_on,channel,received_amount,received_currency,"
        "received_on,grant\r\n"
        "Nordic Relief Fund,Salween Partners,100,USD,2024-05-01,bank,100,USD,2024-05-02,"
        "Rule receipt\r\n",
        encoding="utf-8",
    )
    result = ledger_import(by=w.editors["partner"], path=path)
    assert result.created == 0
    assert result.errors == [
        "transfers.csv, row 2, column received_amount: the donor of Rule receipt asks for a "
        "photo of the receipt or the signed distribution list: add one"
    ]
    assert not Transfer.objects.filter(amount=D(100)).exists()
