"""Exports over HTTP: HXL, IATI and the field forms, with the access policy applied."""

from __future__ import annotations

import io

import hxl
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from corridor.aid.models import Activity
from corridor.audit.models import AuditEntry
from corridor.exchange.formats import iati
from corridor.exchange.services import file_import
from corridor.orgs.models import Visibility
from corridor.testing.factories import (
    ActivityFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from corridor.testing.signin import signed_in_client

TOWNSHIP = "MMR004002"


def _activities(org, hidden):
    ActivityFactory(
        organisation=org, admin_unit_id=TOWNSHIP, sector="health", women=12, notes="clinic day"
    )
    ActivityFactory(organisation=hidden, admin_unit_id=TOWNSHIP, sector="wash", women=7)


def test_hxl_for_sharing_and_internal_round_trip(org, tmp_path):
    hidden = OrganisationFactory(
        name="Hidden Helpers", visibility=Visibility.ANONYMOUS, alias="Group 7"
    )
    _activities(org, hidden)
    editor = MembershipFactory(organisation=org, role="editor").user
    client = signed_in_client(editor)

    shared = client.get("/api/exchange/exports/hxl/activities.csv")

    assert shared.status_code == 200
    assert shared["Content-Type"] == "text/csv; charset=utf-8"
    assert shared["Content-Disposition"] == (
        'attachment; filename="corridor-activities-shared.csv"'
    )
    text = shared.content.decode("utf-8-sig")
    # libhxl reads the file as HXL; an editor of CRN exports CRN's counts only, by month.
    dataset = hxl.data(io.BytesIO(shared.content))
    rows = list(dataset)
    assert [
        (r.get("#org+name"), r.get("#sector"), r.get("#date+reported"), r.get("#reached+f+adults"))
        for r in rows
    ] == [("Chin Relief Network", "health", "2024-03", "12")]
    assert "#meta+id" not in text
    assert "Hidden Helpers" not in text

    internal = client.get("/api/exchange/exports/hxl-internal/activities.csv")
    assert internal.status_code == 200
    path = tmp_path / "internal.csv"
    path.write_bytes(internal.content)
    assert "#meta+id" in internal.content.decode("utf-8-sig")
    again = file_import(by=None, path=path)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 1)
    assert AuditEntry.objects.filter(action="export", actor_id=editor.pk).count() == 2


def test_hxl_for_one_organisation_needs_membership(org):
    other = OrganisationFactory(name="Other Org")
    ActivityFactory(organisation=other, admin_unit_id=TOWNSHIP)
    viewer = MembershipFactory(organisation=org, role="viewer").user
    client = signed_in_client(viewer)
    assert client.get(f"/api/exchange/exports/hxl/activities.csv?org={org.pk}").status_code == 200
    assert client.get(f"/api/exchange/exports/hxl/activities.csv?org={other.pk}").status_code == 403
    assert client.get("/api/exchange/exports/hxl/people.csv").status_code == 404


def test_iati_for_a_member_validates_and_others_get_404(org):
    _activities(org, OrganisationFactory(name="Else"))
    member = MembershipFactory(organisation=org, role="viewer").user
    response = signed_in_client(member).get(f"/api/exchange/exports/iati/{org.pk}.xml")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert iati.validate(response.content) == []
    assert response.content.count(b"<iati-activity ") == 1
    assert b"clinic day" not in response.content  # notes are never published

    stranger = signed_in_client(MembershipFactory(role="editor").user)
    assert stranger.get(f"/api/exchange/exports/iati/{org.pk}.xml").status_code == 404
    bad = signed_in_client(member).get(
        f"/api/exchange/exports/iati/{org.pk}.xml?identifier=not%20an%20id"
    )
    assert bad.status_code == 400


def test_field_form_download_is_an_xlsform_pyxform_accepts(places, tmp_path):
    client = signed_in_client(UserFactory())
    response = client.get("/api/exchange/forms/activity.xlsx")

    assert response.status_code == 200
    assert response["Content-Disposition"] == ('attachment; filename="corridor-activity-form.xlsx"')
    path = tmp_path / "activity.xlsx"
    path.write_bytes(response.content)
    assert load_workbook(path).sheetnames[:2] == ["survey", "choices"]
    assert "<h:title>" in convert(xlsform=str(path)).xform
    assert client.get("/api/exchange/forms/census.xlsx").status_code == 404


def test_exports_need_signing_in(client, org):
    assert client.get("/api/exchange/exports/hxl/activities.csv").status_code == 401
    assert client.get(f"/api/exchange/exports/iati/{org.pk}.xml").status_code == 401
    assert client.get("/api/exchange/forms/activity.xlsx").status_code == 401
    assert Activity.objects.count() == 0
