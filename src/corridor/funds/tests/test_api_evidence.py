"""Evidence photos over HTTP (multipart), and corrections of spending and rates through the API:
the same checks as the pages (size, type, EXIF and GPS stripped, who may), answered in JSON."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from corridor.accounts.models import GlobalRole, OrgRole
from corridor.audit.models import AuditEntry
from corridor.funds.models import Evidence, ExchangeRate, RateKind, Spending
from corridor.testing import factories as f
from corridor.testing.photos import MAKE, SERIAL, gps_jpeg, gps_of
from corridor.testing.signin import signed_in_client

API = "/api/funds"


def _client(organisation=None, role=OrgRole.EDITOR, **user_fields):
    user = f.UserFactory(password=None, **user_fields)
    if organisation is not None:
        f.MembershipFactory(user=user, organisation=organisation, role=role)
    return signed_in_client(user)


@pytest.fixture
def w(db):
    donor, partner, stranger = (f.OrganisationFactory() for _ in range(3))
    grant = f.GrantFactory(donor=donor, recipient=partner)
    transfer = f.TransferFactory(from_organisation=donor, to_organisation=partner, grant=grant)
    spending = Spending.objects.create(
        grant=grant,
        activity=f.ActivityFactory(organisation=partner),
        amount=Decimal(300),
        currency="USD",
        spent_on=dt.date(2024, 6, 1),
    )
    return {
        "transfer": transfer,
        "spending": spending,
        "partner": partner,
        "donor_editor": _client(donor),
        "partner_editor": _client(partner),
        "partner_viewer": _client(partner, OrgRole.VIEWER),
        "stranger": _client(stranger),
        "coordinator": _client(global_role=GlobalRole.COORDINATOR),
    }


def _file(data: bytes, name: str = "IMG_0042.jpg", kind: str = "image/jpeg"):
    return {"file": SimpleUploadedFile(name, data, content_type=kind)}


def test_a_side_uploads_a_photo_of_a_transfer_without_its_gps(w):
    url = f"{API}/transfers/{w['transfer'].pk}/evidence"
    answer = w["partner_editor"].post(url, _file(gps_jpeg(size=(800, 600))))
    assert answer.status_code == 201, answer.content
    body = answer.json()
    evidence = Evidence.objects.get(pk=body["id"])
    assert body["transfer"] == str(w["transfer"].pk)
    assert body["spending"] is None
    assert (body["filename"], body["content_type"]) == ("IMG_0042.jpg", "image/jpeg")
    stored = bytes(evidence.content)
    assert body["size"] == len(stored) == evidence.size
    assert gps_of(stored) == {}
    assert MAKE.encode() not in stored
    assert SERIAL.encode() not in stored
    assert Image.open(io.BytesIO(stored)).size == (800, 600)
    assert AuditEntry.objects.filter(object_id=str(evidence.pk), action="create").exists()


def test_the_spender_uploads_a_photo_of_its_spending(w):
    url = f"{API}/spending/{w['spending'].pk}/evidence"
    answer = w["partner_editor"].post(url, _file(gps_jpeg(), name="list.jpeg"))
    assert answer.status_code == 201, answer.content
    evidence = Evidence.objects.get(pk=answer.json()["id"])
    assert evidence.spending == w["spending"]
    assert evidence.transfer_id is None
    assert gps_of(bytes(evidence.content)) == {}
    # The donor reads it (a grant party) but adds none: the spender's word, not the donor's.
    assert w["donor_editor"].get(f"/money/evidence/{evidence.pk}/").status_code == 200
    assert w["donor_editor"].post(url, _file(gps_jpeg())).status_code == 403


def test_who_may_not_upload(w):
    transfer_url = f"{API}/transfers/{w['transfer'].pk}/evidence"
    spending_url = f"{API}/spending/{w['spending'].pk}/evidence"
    assert w["partner_viewer"].post(transfer_url, _file(gps_jpeg())).status_code == 403
    assert w["partner_viewer"].post(spending_url, _file(gps_jpeg())).status_code == 403
    assert w["stranger"].post(transfer_url, _file(gps_jpeg())).status_code == 404
    assert w["stranger"].post(spending_url, _file(gps_jpeg())).status_code == 404
    signed_out = signed_in_client(f.UserFactory(password=None))
    signed_out.logout()
    assert signed_out.post(transfer_url, _file(gps_jpeg())).status_code == 401
    assert not Evidence.objects.exists()


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        (b"%PDF-1.4 a scanned receipt", "receipt.pdf", "receipt.pdf: not a picture"),
        (b"", "empty.jpg", "empty.jpg: the file is empty"),
        (_gif(), "anim.gif", "anim.gif: a GIF file is not a photo"),
    ],
)
def test_what_is_not_a_photo_is_refused_with_its_name(w, data, name, says):
    url = f"{API}/transfers/{w['transfer'].pk}/evidence"
    answer = w["partner_editor"].post(url, _file(data, name=name))
    assert answer.status_code == 400, answer.content
    assert answer.json()["detail"].startswith(says), answer.json()
    assert not Evidence.objects.exists()


def test_a_file_over_the_limit_is_refused_before_it_is_read(w, monkeypatch):
    monkeypatch.setattr("corridor.funds.services.MAX_UPLOAD_BYTES", 1024 * 1024)
    big = gps_jpeg() + b"\0" * (1024 * 1024)
    answer = w["partner_editor"].post(
        f"{API}/transfers/{w['transfer'].pk}/evidence", _file(big, name="huge.jpg")
    )
    assert answer.status_code == 400
    assert answer.json()["detail"] == "huge.jpg: more than 1 MB"
    assert not Evidence.objects.exists()


def test_spending_corrected_over_the_api_by_its_organisation_only(w):
    url = f"{API}/spending/{w['spending'].pk}/"
    assert w["donor_editor"].patch(url, {"amount": "250"}, "application/json").status_code == 403
    answer = w["partner_editor"].patch(url, {"amount": "250"}, "application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["amount"] == "250.00"
    w["spending"].refresh_from_db()
    assert w["spending"].amount == Decimal(250)
    assert w["partner_editor"].patch(url, {"currency": None}, "application/json").status_code == 400


def test_a_rate_corrected_over_the_api_by_a_coordinator_only(w):
    row = ExchangeRate.objects.create(
        on=dt.date(2024, 6, 1), from_currency="USD", to_currency="MMK", rate=Decimal(3650),
        kind=RateKind.MARKET, source="Yangon market",
    )  # fmt: skip
    url = f"{API}/rates/{row.pk}/"
    assert w["partner_editor"].patch(url, {"rate": "3560"}, "application/json").status_code == 403
    answer = w["coordinator"].patch(url, {"rate": "3560"}, "application/json")
    assert answer.status_code == 200, answer.content
    row.refresh_from_db()
    assert row.rate == Decimal(3560)
    # Onto another row's key: refused with the reason.
    ExchangeRate.objects.create(
        on=dt.date(2024, 6, 2), from_currency="USD", to_currency="MMK", rate=Decimal(3600),
        kind=RateKind.MARKET, source="Yangon market",
    )  # fmt: skip
    clash = w["coordinator"].patch(url, {"on": "2024-06-02"}, "application/json")
    assert clash.status_code == 400
    assert "recorded already" in clash.json()["detail"]
