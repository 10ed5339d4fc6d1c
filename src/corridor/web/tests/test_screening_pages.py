"""A grant's screening report and the decisions page, as a member of the paying side sees them."""

from __future__ import annotations

from corridor.accounts.models import OrgRole
from corridor.funds.models import Transfer
from corridor.screening.models import ListedEntity
from corridor.screening.services import decision_record, list_import_bytes
from corridor.testing.factories import (
    GrantFactory,
    MembershipFactory,
    OrganisationFactory,
    TransferFactory,
)
from corridor.testing.signin import signed_in_client

LIST = (
    "name,aliases,type,country,programme,source,date\n"
    "Yoma Cement Public Co. Ltd.,,company,mm,SYN-CONGLOMERATE,synthetic,2023\n"
)


def test_grant_report_and_decisions_page(db):
    list_import_bytes(by=None, data=LIST.encode(), file_name="syn.csv", name="syn")
    donor, partner = OrganisationFactory(name="Nordic Relief Fund"), OrganisationFactory()
    grant = GrantFactory(donor=donor, recipient=partner, title="Shelter for Hpakant")
    TransferFactory(from_organisation=donor, to_organisation=partner, grant=grant,
                    intermediary="Yoma Cement Co Ltd")  # fmt: skip
    editor = MembershipFactory(organisation=donor, role=OrgRole.EDITOR).user
    client = signed_in_client(editor)
    page = client.get(f"/money/grants/{grant.pk}/screening/").content.decode()
    assert "3 counterparties screened; 1 need a decision." in page
    assert "Yoma Cement Co Ltd" in page
    assert "Confirm or dismiss" in page
    assert (
        f"/money/grants/{grant.pk}/screening/"
        in client.get(f"/money/grants/{grant.pk}/").content.decode()
    )
    decision_record(by=editor, organisation=donor, name="Yoma Cement Co Ltd",
                    entity=ListedEntity.objects.get(), verdict="confirmed",
                    reason="the invoice names the conglomerate")  # fmt: skip
    page = client.get(f"/money/grants/{grant.pk}/screening/").content.decode()
    assert "0 need a decision" not in page  # a confirmed match still warns
    assert "1 need a decision." in page
    assert "the invoice names the conglomerate" in page
    decisions = client.get("/money/screening/").content.decode()
    assert "Yoma Cement Co Ltd ~ Yoma Cement Public Co. Ltd." in decisions
    assert editor.username in decisions
    # A member of another organisation sees none of it.
    outsider = signed_in_client(MembershipFactory().user)
    assert outsider.get(f"/money/grants/{grant.pk}/screening/").status_code == 404
    assert "Yoma Cement" not in outsider.get("/money/screening/").content.decode()


def _transfer_body(donor, partner, **extra):
    return {
        "from_organisation": str(donor.pk),
        "to_organisation": str(partner.pk),
        "amount": "1200",
        "currency": "USD",
        "sent_on": "2024-06-03",
        "channel": "informal",
        "received_amount": "1200",
        "received_on": "2024-06-04",
        **extra,
    }


def test_the_transfer_form_warns_before_saving_and_records_once_confirmed(db):
    """Issue 17 (decision 0340): the warning comes before the money is written, not after."""
    list_import_bytes(by=None, data=LIST.encode(), file_name="syn.csv", name="syn")
    donor, partner = OrganisationFactory(name="Nordic Relief Fund"), OrganisationFactory()
    editor = MembershipFactory(organisation=donor, role=OrgRole.EDITOR).user
    client = signed_in_client(editor)
    body = _transfer_body(donor, partner, intermediary="YOMA CEMENT COMPANY LIMITED")

    held = client.post("/money/transfers/new/", body)
    assert held.status_code == 400
    page = held.content.decode()
    section = page.split('<section aria-labelledby="screening-heading"')[1].split("</section>")[0]
    assert 'role="alert"' in section
    warning = section
    assert "YOMA CEMENT COMPANY LIMITED" in warning
    assert "Yoma Cement Public Co. Ltd." in warning  # the listed entity
    assert "score" in warning
    assert "Confirm or dismiss" not in warning  # decided on the transfer's page, once saved
    assert 'name="confirm"' in page
    assert not Transfer.objects.exists()

    # Confirmed: recorded, and its page warns still until someone decides.
    saved = client.post("/money/transfers/new/", {**body, "confirm": "on"})
    assert saved.status_code == 302, saved.content.decode()[:2000]
    t = Transfer.objects.get()
    assert t.intermediary == "YOMA CEMENT COMPANY LIMITED"
    assert "Confirm or dismiss" in client.get(f"/money/transfers/{t.pk}/").content.decode()

    # A dismissal by the paying organisation clears the name: no warning the next time.
    decision_record(by=editor, organisation=donor, name="YOMA CEMENT COMPANY LIMITED",
                    entity=ListedEntity.objects.get(), verdict="dismissed",
                    reason="a namesake registered in Hpa-an")  # fmt: skip
    again = client.post("/money/transfers/new/", body)
    assert again.status_code == 302
    assert Transfer.objects.count() == 2


def test_clear_names_save_at_once_and_a_correction_is_held_only_for_a_new_agent(db):
    list_import_bytes(by=None, data=LIST.encode(), file_name="syn.csv", name="syn")
    donor, partner = OrganisationFactory(name="Nordic Relief Fund"), OrganisationFactory()
    editor = MembershipFactory(organisation=donor, role=OrgRole.EDITOR).user
    client = signed_in_client(editor)
    body = _transfer_body(donor, partner, intermediary="Ko Aung's boat, Myawaddy")
    saved = client.post("/money/transfers/new/", body)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    t = Transfer.objects.get()

    edit = f"/money/transfers/{t.pk}/edit/"
    held = client.post(edit, {**body, "intermediary": "Yoma Cement Co Ltd"})
    assert held.status_code == 400
    assert 'id="screening"' in held.content.decode()
    t.refresh_from_db()
    assert t.intermediary == "Ko Aung's boat, Myawaddy"
    fixed = client.post(edit, {**body, "intermediary": "Yoma Cement Co Ltd", "confirm": "on"})
    assert fixed.status_code == 302
    t.refresh_from_db()
    assert t.intermediary == "Yoma Cement Co Ltd"
    # A correction of something else is not held again for the same agent.
    assert client.post(edit, {**body, "intermediary": "Yoma Cement Co Ltd",
                              "channel": "mobile_money"}).status_code == 302  # fmt: skip
