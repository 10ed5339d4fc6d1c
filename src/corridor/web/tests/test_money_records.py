"""Recording and correcting grants, spending (with a photo) and exchange rates through the pages,
with Django's test client: who may open each form, what a refusal says, and that the page writes
through the same services as the API (audited, EXIF and GPS stripped, rules the same)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from corridor.accounts.models import GlobalRole, OrgRole
from corridor.audit.models import AuditEntry
from corridor.funds.models import Evidence, ExchangeRate, Grant, RateKind, Spending
from corridor.testing import factories as f
from corridor.testing.photos import MAKE, gps_jpeg, gps_of
from corridor.testing.signin import signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    donor = f.OrganisationFactory(name="Nordic Relief Fund")
    partner = f.OrganisationFactory(name="Salween Partners")
    stranger = f.OrganisationFactory(name="Other Relief")
    grant = f.GrantFactory(donor=donor, recipient=partner, title="Rice for Hpakant", currency="USD")
    activity = f.ActivityFactory(organisation=partner)
    other_activity = f.ActivityFactory(organisation=stranger)
    people = {}
    for name, org, role in (
        ("donor", donor, OrgRole.EDITOR),
        ("partner", partner, OrgRole.EDITOR),
        ("viewer", partner, OrgRole.VIEWER),
        ("stranger", stranger, OrgRole.EDITOR),
    ):
        people[name] = f.UserFactory(username=name)
        f.MembershipFactory(user=people[name], organisation=org, role=role)
    people["coordinator"] = f.UserFactory(username="coord", global_role=GlobalRole.COORDINATOR)
    return {
        "donor": donor,
        "partner": partner,
        "stranger": stranger,
        "grant": grant,
        "activity": activity,
        "other_activity": other_activity,
        "people": people,
    }


def _as(w, name):
    return signed_in_client(w["people"][name])


# --- Grants --------------------------------------------------------------------------------


def test_an_editor_records_a_grant_and_corrects_it(w):
    client = _as(w, "partner")
    assert client.get("/money/").content.decode().count("/money/grants/new/") == 1
    answer = client.post(
        "/money/grants/new/",
        {
            "donor": w["donor"].pk,
            "recipient": w["partner"].pk,
            "title": "Shelter kits for Mindat",
            "amount": "12000",
            "currency": "usd",
            "pledged_on": "2024-06-01",
            "starts_on": "2024-06-15",
            "ends_on": "2024-12-31",
            "purpose": "Tarpaulins and rope",
            "sectors": ["shelter_nfi"],
            "reporting": "receipt",
        },
    )
    grant = Grant.objects.get(title="Shelter kits for Mindat")
    assert answer.status_code == 302
    assert answer["Location"] == f"/money/grants/{grant.pk}/"
    assert (grant.amount, grant.currency, grant.sectors) == (Decimal(12000), "USD", ["shelter_nfi"])
    assert AuditEntry.objects.filter(object_id=str(grant.pk), action="create").exists()

    page = client.get(f"/money/grants/{grant.pk}/edit/")
    assert page.status_code == 200
    assert 'value="12000.00"' in page.content.decode()
    answer = client.post(
        f"/money/grants/{grant.pk}/edit/",
        {
            "title": "Shelter kits for Mindat",
            "amount": "11500",
            "currency": "USD",
            "pledged_on": "2024-06-01",
            "starts_on": "2024-06-15",
            "ends_on": "2024-12-31",
            "purpose": "Tarpaulins and rope",
            "sectors": ["shelter_nfi"],
            "reporting": "receipt",
            # A forged other donor changes nothing: the two sides are fixed.
            "donor": w["stranger"].pk,
        },
    )
    assert answer.status_code == 302
    grant.refresh_from_db()
    assert grant.amount == Decimal(11500)
    assert grant.donor == w["donor"]
    update = AuditEntry.objects.get(object_id=str(grant.pk), action="update")
    assert set(update.changes) == {"amount"}


def test_a_grant_the_rules_refuse_comes_back_with_the_reason_at_its_field(w):
    answer = _as(w, "partner").post(
        "/money/grants/new/",
        {
            "donor": w["donor"].pk,
            "recipient": w["partner"].pk,
            "title": "Backwards",
            "amount": "100",
            "currency": "USD",
            "pledged_on": "2024-06-01",
            "starts_on": "2024-06-15",
            "ends_on": "2024-06-01",
            "reporting": "none",
        },
    )
    assert answer.status_code == 400
    errors = answer.context["form"].errors
    assert "ends_on" in errors, errors
    assert not Grant.objects.filter(title="Backwards").exists()


def test_who_may_open_the_grant_forms(w):
    grant = w["grant"]
    assert _as(w, "viewer").get("/money/grants/new/").status_code == 403
    assert _as(w, "coordinator").get("/money/grants/new/").status_code == 403
    assert _as(w, "viewer").get(f"/money/grants/{grant.pk}/edit/").status_code == 403
    assert _as(w, "stranger").get(f"/money/grants/{grant.pk}/edit/").status_code == 404
    assert _as(w, "donor").get(f"/money/grants/{grant.pk}/edit/").status_code == 200
    page = _as(w, "viewer").get(f"/money/grants/{grant.pk}/").content.decode()
    assert f"/money/grants/{grant.pk}/edit/" not in page
    page = _as(w, "donor").get(f"/money/grants/{grant.pk}/").content.decode()
    assert f"/money/grants/{grant.pk}/edit/" in page


# --- Spending with a photo -----------------------------------------------------------------


def _photo(name="distribution-list.jpg", data=None):
    return SimpleUploadedFile(name, data or gps_jpeg(), content_type="image/jpeg")


def test_the_spender_records_spending_with_a_photo_stripped_of_gps(w):
    grant, activity = w["grant"], w["activity"]
    client = _as(w, "partner")
    page = client.get(f"/money/grants/{grant.pk}/spending/").content.decode()
    # Only the activities of the organisation the person edits for are offered.
    assert str(activity.pk) in page
    assert str(w["other_activity"].pk) not in page
    answer = client.post(
        f"/money/grants/{grant.pk}/spending/",
        {
            "activity": activity.pk,
            "amount": "800",
            "currency": "USD",
            "spent_on": "2024-06-20",
            "photo": _photo(),
        },
    )
    assert answer.status_code == 302
    assert answer["Location"] == f"/money/grants/{grant.pk}/"
    spending = Spending.objects.get(grant=grant)
    assert (spending.activity, spending.amount) == (activity, Decimal(800))
    evidence = Evidence.objects.get(spending=spending)
    stored = bytes(evidence.content)
    assert evidence.transfer_id is None
    assert gps_of(stored) == {}
    assert MAKE.encode() not in stored
    # The grant's donor sees the photo on the grant's page and opens it.
    page = _as(w, "donor").get(f"/money/grants/{grant.pk}/").content.decode()
    assert f"/money/evidence/{evidence.pk}/" in page
    photo = _as(w, "donor").get(f"/money/evidence/{evidence.pk}/")
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/jpeg"
    # Someone of neither side does not.
    assert _as(w, "stranger").get(f"/money/evidence/{evidence.pk}/").status_code == 404


def test_a_refused_photo_leaves_no_spending(w):
    grant = w["grant"]
    answer = _as(w, "partner").post(
        f"/money/grants/{grant.pk}/spending/",
        {
            "activity": w["activity"].pk,
            "amount": "800",
            "currency": "USD",
            "spent_on": "2024-06-20",
            "photo": SimpleUploadedFile("list.pdf", b"%PDF-1.4 not a picture"),
        },
    )
    assert answer.status_code == 400
    assert "list.pdf" in answer.content.decode()
    assert not Spending.objects.exists()
    assert not Evidence.objects.exists()


def test_spending_is_corrected_by_its_organisation_only(w):
    grant = w["grant"]
    spending = Spending.objects.create(
        grant=grant,
        activity=w["activity"],
        amount=Decimal(800),
        currency="USD",
        spent_on=dt.date(2024, 6, 20),
    )
    assert _as(w, "donor").get(f"/money/spending/{spending.pk}/edit/").status_code == 403
    assert _as(w, "viewer").get(f"/money/spending/{spending.pk}/edit/").status_code == 403
    assert _as(w, "stranger").get(f"/money/spending/{spending.pk}/edit/").status_code == 404
    client = _as(w, "partner")
    answer = client.post(
        f"/money/spending/{spending.pk}/edit/",
        {"activity": w["activity"].pk, "amount": "750", "currency": "USD",
         "spent_on": "2024-06-20"},
    )  # fmt: skip
    assert answer.status_code == 302
    spending.refresh_from_db()
    assert spending.amount == Decimal(750)
    assert set(AuditEntry.objects.get(object_id=str(spending.pk), action="update").changes) == {
        "amount"
    }
    # Another organisation's activity is not on offer.
    answer = client.post(
        f"/money/spending/{spending.pk}/edit/",
        {"activity": w["other_activity"].pk, "amount": "750", "currency": "USD",
         "spent_on": "2024-06-20"},
    )  # fmt: skip
    assert answer.status_code == 400
    assert "activity" in answer.context["form"].errors


# --- Exchange rates ------------------------------------------------------------------------


RATE = {"on": "2024-06-01", "from_currency": "usd", "to_currency": "MMK", "rate": "3650.5",
        "kind": "market", "source": "Yangon market survey"}  # fmt: skip


def test_a_coordinator_records_and_corrects_a_rate(w):
    client = _as(w, "coordinator")
    assert "/money/rates/new/" in client.get("/money/rates/").content.decode()
    answer = client.post("/money/rates/new/", RATE)
    assert answer.status_code == 302
    assert answer["Location"] == "/money/rates/"
    rate = ExchangeRate.objects.get()
    assert (rate.from_currency, rate.rate, rate.kind) == ("USD", Decimal("3650.5"), RateKind.MARKET)
    assert "3650.5" in client.get("/money/rates/").content.decode()
    # The same rate again is refused with the reason, nothing added.
    again = client.post("/money/rates/new/", RATE)
    assert again.status_code == 400
    assert "recorded already" in again.content.decode()
    assert ExchangeRate.objects.count() == 1
    answer = client.post(f"/money/rates/{rate.pk}/edit/", {**RATE, "rate": "3560.5"})
    assert answer.status_code == 302
    rate.refresh_from_db()
    assert rate.rate == Decimal("3560.5")
    assert AuditEntry.objects.filter(object_id=str(rate.pk), action="update").exists()


def test_members_read_the_rates_but_only_coordinators_write_them(w):
    rate = ExchangeRate.objects.create(
        on=dt.date(2024, 6, 1), from_currency="USD", to_currency="MMK", rate=Decimal(3650),
        kind=RateKind.OFFICIAL, source="CBM",
    )  # fmt: skip
    for name in ("viewer", "partner"):
        client = _as(w, name)
        page = client.get("/money/rates/")
        assert page.status_code == 200
        assert "3650" in page.content.decode()
        assert "/money/rates/new/" not in page.content.decode()
        assert client.get("/money/rates/new/").status_code == 403
        assert client.get(f"/money/rates/{rate.pk}/edit/").status_code == 403
        assert client.post("/money/rates/new/", RATE).status_code == 403
    assert ExchangeRate.objects.count() == 1


def test_a_rate_that_is_not_a_number_is_refused_at_its_field(w):
    answer = _as(w, "coordinator").post("/money/rates/new/", {**RATE, "rate": "3,650"})
    assert answer.status_code == 400
    assert "rate" in answer.context["form"].errors
    answer = _as(w, "coordinator").post("/money/rates/new/", {**RATE, "to_currency": "USD"})
    assert answer.status_code == 400
    assert not ExchangeRate.objects.exists()


def test_a_planned_activity_is_offered_by_its_start_month(w):
    plan = f.ActivityFactory(
        organisation=w["partner"], reporting_month=None, start_date=dt.date(2025, 2, 10)
    )
    page = _as(w, "partner").get(f"/money/grants/{w['grant'].pk}/spending/")
    assert page.status_code == 200
    label = dict(page.context["form"].fields["activity"].choices)[plan.pk]
    assert label == f"{plan.get_sector_display()} — {plan.admin_unit.name_en} — 2025-02"
