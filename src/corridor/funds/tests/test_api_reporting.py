"""The reporting rules over HTTP (decision 0366): confirming what arrived asks for the note and
the photo the grant's donor asks for (JSON ``…/confirm`` and multipart ``…/receipt``, the photo
stripped of EXIF and GPS as on the page); the sending side confirms the receipt
(``…/partner-confirm``); the note only for the grant's parties; and removed spending and rates
restored through the services the pages call (policy, audit)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from corridor.accounts.models import GlobalRole, OrgRole
from corridor.audit.models import AuditEntry
from corridor.funds import services
from corridor.funds.models import (
    Evidence,
    ExchangeRate,
    LegState,
    ReportingRule,
    Spending,
    Transfer,
)
from corridor.testing import factories as f
from corridor.testing.photos import MAKE, gps_jpeg, gps_of
from corridor.testing.signin import signed_in_client

pytestmark = pytest.mark.django_db
API = "/api/funds"
D = Decimal


def _user(organisation=None, role=OrgRole.EDITOR, **fields):
    user = f.UserFactory(password=None, **fields)
    if organisation is not None:
        f.MembershipFactory(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def w():
    donor = f.OrganisationFactory(name="Nordic Relief Fund")
    partner = f.OrganisationFactory(name="Salween Partners")
    stranger = f.OrganisationFactory(name="Other Relief")
    users = {
        "donor": _user(donor),
        "partner": _user(partner),
        "viewer": _user(partner, OrgRole.VIEWER),
        "stranger": _user(stranger),
        "coordinator": _user(global_role=GlobalRole.COORDINATOR),
        "admin": _user(global_role=GlobalRole.ADMIN, is_staff=True, is_superuser=True),
    }
    grants = {
        rule: f.GrantFactory(donor=donor, recipient=partner, title=f"Rule {rule}", reporting=rule)
        for rule in ReportingRule.values
    }

    def claim(rule: str) -> Transfer:
        return f.TransferFactory(
            from_organisation=donor, to_organisation=partner, grant=grants[rule],
            amount=D(5000), fee=D(50), currency="USD", sent_on=dt.date(2024, 5, 1),
            received_amount=D(4950), received_state=LegState.CLAIMED,
            received_on=dt.date(2024, 5, 2),
        )  # fmt: skip

    return {"users": users, "grants": grants, "claim": claim, "partner": partner}


def _as(w, name):
    return signed_in_client(w["users"][name])


def _confirm(client, t, **body):
    return client.post(
        f"{API}/transfers/{t.pk}/confirm",
        {"leg": "received", **body},
        content_type="application/json",
    )


def test_confirm_over_the_api_asks_for_the_photo_the_donor_asks_for(w):
    t = w["claim"]("receipt")
    client = _as(w, "partner")
    refused = _confirm(client, t)
    assert refused.status_code == 400
    body = refused.json()
    assert "photo" in body["errors"]
    assert "asks for a photo of the receipt" in body["detail"]
    assert Transfer.objects.get(pk=t.pk).received_state == LegState.CLAIMED
    # The photo first (the evidence upload), then the confirmation.
    upload = SimpleUploadedFile("IMG_1.jpg", gps_jpeg(), content_type="image/jpeg")
    assert client.post(f"{API}/transfers/{t.pk}/evidence", {"file": upload}).status_code == 201
    answer = _confirm(client, t)
    assert answer.status_code == 200, answer.content
    assert answer.json()["received_state"] == "confirmed"


def test_confirm_over_the_api_takes_the_note(w):
    t = w["claim"]("note")
    client = _as(w, "partner")
    refused = _confirm(client, t)
    assert refused.status_code == 400
    assert "received_note" in refused.json()["errors"]
    answer = _confirm(client, t, note="Counted at the office: 4,950 USD")
    assert answer.status_code == 200, answer.content
    assert answer.json()["received_note"] == "Counted at the office: 4,950 USD"
    # The note for the grant's parties only; a coordinator does not see it.
    detail = f"{API}/transfers/{t.pk}/"
    assert _as(w, "donor").get(detail).json()["received_note"] == "Counted at the office: 4,950 USD"
    assert (
        _as(w, "viewer").get(detail).json()["received_note"] == "Counted at the office: 4,950 USD"
    )
    assert _as(w, "coordinator").get(detail).json()["received_note"] is None
    assert _as(w, "stranger").get(detail).status_code == 404
    # The sending side cannot put words in the receiver's note.
    refused = _as(w, "donor").post(
        f"{API}/transfers/{t.pk}/confirm", {"leg": "sent", "note": "x"},
        content_type="application/json",
    )  # fmt: skip
    assert refused.status_code == 400


def test_the_receipt_in_one_multipart_request_strips_the_photo(w):
    t = w["claim"]("receipt")
    client = _as(w, "partner")
    url = f"{API}/transfers/{t.pk}/receipt"
    # Without the photo: refused, nothing written.
    refused = client.post(url, {"received_amount": "4900", "note": "50 short"})
    assert refused.status_code == 400
    assert "photo" in refused.json()["errors"]
    assert Transfer.objects.get(pk=t.pk).received_amount == D(4950)
    photo = gps_jpeg()
    assert gps_of(photo)
    upload = SimpleUploadedFile("IMG_20240502.jpg", photo, content_type="image/jpeg")
    answer = client.post(
        url,
        {
            "received_amount": "4900",
            "received_on": "2024-05-03",
            "note": "50 short",
            "file": upload,
        },
    )
    assert answer.status_code == 200, answer.content
    out = answer.json()
    assert (out["received_amount"], out["received_state"], out["received_note"]) == (
        "4900.00", "confirmed", "50 short"
    )  # fmt: skip
    stored = Transfer.objects.get(pk=t.pk)
    assert (stored.received_on, stored.received_currency) == (dt.date(2024, 5, 3), "USD")
    kept = bytes(Evidence.objects.get(transfer=t).content)
    assert gps_of(kept) == {}
    assert MAKE.encode() not in kept


def test_the_receipt_is_the_receivers_and_refuses_what_is_not_a_photo(w):
    t = w["claim"]("receipt")
    url = f"{API}/transfers/{t.pk}/receipt"
    upload = SimpleUploadedFile("IMG.jpg", gps_jpeg(), content_type="image/jpeg")
    assert _as(w, "donor").post(url, {"file": upload}).status_code == 403
    assert _as(w, "viewer").post(url, {}).status_code == 403
    assert _as(w, "stranger").post(url, {}).status_code == 404
    fake = SimpleUploadedFile("list.pdf", b"%PDF-1.4 nothing", content_type="application/pdf")
    refused = _as(w, "partner").post(url, {"file": fake})
    assert refused.status_code == 400
    assert "list.pdf" in refused.json()["detail"]
    assert Transfer.objects.get(pk=t.pk).received_state == LegState.CLAIMED
    assert not Evidence.objects.filter(transfer=t).exists()


def test_the_sending_side_confirms_the_receipt_over_the_api(w):
    t = w["claim"]("partner_confirmation")
    url = f"{API}/transfers/{t.pk}/partner-confirm"
    # Not before the receiver has confirmed what arrived.
    assert _as(w, "donor").post(url).status_code == 400
    answer = _as(w, "partner").post(f"{API}/transfers/{t.pk}/receipt", {})
    assert answer.status_code == 200, answer.content
    assert answer.json()["partner_confirmed_on"] is None
    for name in ("partner", "viewer", "coordinator", "admin"):
        assert _as(w, name).post(url).status_code == 403, name
    assert _as(w, "stranger").post(url).status_code == 404
    answer = _as(w, "donor").post(url)
    assert answer.status_code == 200, answer.content
    assert answer.json()["partner_confirmed_on"] is not None
    assert _as(w, "donor").post(url).status_code == 400  # confirmed already


# --- Restoring removed spending and rates -------------------------------------------------


def test_a_removed_spending_is_restored_over_the_api_by_who_may_remove_it(w):
    grant = w["grants"]["none"]
    spending = Spending.objects.create(
        grant=grant, activity=f.ActivityFactory(organisation=w["partner"]), amount=D(300),
        currency="USD", spent_on=dt.date(2024, 6, 1),
    )  # fmt: skip
    services.spending_remove(by=w["users"]["partner"], spending=spending, reason="typed twice")
    url = f"{API}/spending/{spending.pk}/restore"
    for name in ("donor", "viewer", "stranger", "coordinator"):
        assert _as(w, name).post(url).status_code == 404, name
    assert not Spending.objects.filter(pk=spending.pk).exists()
    answer = _as(w, "partner").post(url)
    assert answer.status_code == 200, answer.content
    assert answer.json()["id"] == str(spending.pk)
    assert Spending.objects.filter(pk=spending.pk).exists()
    entry = AuditEntry.objects.filter(object_id=str(spending.pk)).order_by("-seq").first()
    assert (entry.action, entry.changes) == ("restore", {"removed_for": "typed twice"})
    # Not removed (any more): nothing to restore.
    assert _as(w, "partner").post(url).status_code == 404


def test_a_removed_rate_is_restored_over_the_api_by_coordinators_and_admins(w):
    row = services.rate_record(
        by=None, on=dt.date(2024, 5, 1), from_currency="USD", to_currency="MMK",
        rate=D(3750), kind="market", source="Yangon money changers",
    )  # fmt: skip
    services.rate_remove(by=w["users"]["coordinator"], row=row, reason="wrong day")
    url = f"{API}/rates/{row.pk}/restore"
    for name in ("partner", "viewer", "stranger"):
        assert _as(w, name).post(url).status_code == 404, name
    answer = _as(w, "coordinator").post(url)
    assert answer.status_code == 200, answer.content
    assert D(answer.json()["rate"]) == D(3750)
    assert answer.json()["source"] == "Yangon money changers"
    entry = AuditEntry.objects.filter(object_id=str(row.pk)).order_by("-seq").first()
    assert entry.action == "restore"
    # Recorded again since its removal: the old one is not restored beside it.
    services.rate_remove(by=w["users"]["admin"], row=ExchangeRate.objects.get(pk=row.pk),
                         reason="typed again")  # fmt: skip
    services.rate_record(
        by=None, on=dt.date(2024, 5, 1), from_currency="USD", to_currency="MMK",
        rate=D(3760), kind="market", source="Yangon money changers",
    )  # fmt: skip
    refused = _as(w, "admin").post(url)
    assert refused.status_code == 400
    assert "recorded again" in refused.json()["detail"]
