"""A grant's screening report and the decisions page, as a member of the paying side sees them."""

from __future__ import annotations

from corridor.accounts.models import OrgRole
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
