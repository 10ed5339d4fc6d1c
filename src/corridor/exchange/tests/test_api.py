"""Uploading a file through the API, with the policy applied and the error report downloadable."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from corridor.aid.models import Activity
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory
from corridor.testing.signin import signed_in_client

GOOD = (
    "#sector,#modality,#adm3+code,#date+reported,#reached+f+adults\r\n"
    "health,service,MMR004002,2024-03,9\r\n"
)


def upload(client, content, **data):
    return client.post(
        "/api/exchange/imports",
        {"file": SimpleUploadedFile("4w.csv", content.encode(), "text/csv"), **data},
    )


def test_editor_imports_for_their_organisation(org):
    editor = MembershipFactory(organisation=org, role="editor").user
    client = signed_in_client(editor)

    response = upload(client, GOOD, org="CRN")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["created"], body["error_count"]) == ("applied", 1, 0)
    assert Activity.objects.get().organisation == org


def test_rows_for_another_organisation_are_refused(org):
    mine = OrganisationFactory(name="Mine")
    editor = MembershipFactory(organisation=mine, role="editor").user
    text = "#org," + GOOD.replace("\r\nhealth", "\r\nCRN,health")
    response = upload(signed_in_client(editor), text)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "refused"
    assert body["errors"][0]["reason"] == "you may not add activities for Chin Relief Network"
    assert Activity.objects.count() == 0


def test_viewer_may_not_import(org):
    viewer = MembershipFactory(organisation=org, role="viewer").user
    response = upload(signed_in_client(viewer), GOOD, org="CRN")
    assert response.status_code == 403
    assert Activity.objects.count() == 0


def test_error_report_download_is_neutralised_and_private(org):
    editor = MembershipFactory(organisation=org, role="editor").user
    client = signed_in_client(editor)
    body = upload(client, GOOD.replace("health", "=cmd|' /C calc'!A0"), org="CRN").json()

    response = client.get(body["error_report_url"])

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    text = response.content.decode()
    assert "'=cmd|' /C calc'!A0" in text
    assert "\n=cmd" not in text
    assert ",=cmd" not in text
    stranger = signed_in_client(UserFactory())
    assert stranger.get(body["error_report_url"]).status_code == 404


def test_signed_out_is_refused(client, org):
    assert upload(client, GOOD).status_code == 401
