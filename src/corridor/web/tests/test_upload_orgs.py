"""The upload page for a cluster-wide 5W: no organisation needed, new partners reviewed and
created with the import (decision 0160). Over HTTP with a signed-in coordinator."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from corridor.aid.models import Activity
from corridor.exchange.models import HeldRow, HeldStatus
from corridor.orgs.models import Organisation, OrgKind, Visibility
from corridor.testing.factories import ActivityFactory
from corridor.web.tests.conftest import TOWNSHIP

pytestmark = pytest.mark.django_db

CLUSTER = (
    "Organisation,Acronym,Org type,Sector,Modality,Township Pcode,Month,Women reached\r\n"
    "#org+name,#org+acronym,#org+type,#sector,#modality,#adm3+code,#date+reported,"
    "#reached+f+adults\r\n"
    f"Helping Hands,HH,NNGO,health,service,{TOWNSHIP},2024-04,9\r\n"
    f"Sagaing Youth Relief,SYR,NNGO,health,service,{TOWNSHIP},2024-04,7\r\n"
    f"Delta Women Network,,,wash,in_kind,{TOWNSHIP},2024-04,5\r\n"
)


@pytest.fixture(autouse=True)
def private_home(settings, tmp_path):
    settings.HOME = tmp_path


def _check(client, text: str = CLUSTER, **extra):
    return client.post(
        "/enter/upload/",
        {"file": SimpleUploadedFile("5w.csv", text.encode(), "text/csv"), **extra},
    )


def test_a_coordinator_reviews_the_new_partners_then_imports(client, coordinator, data):
    before = Activity.objects.count()
    assert (
        "Optional when the file has an organisation column"
        in client.get("/enter/upload/").content.decode()
    )

    checked = _check(client)
    page = checked.content.decode()
    assert checked.status_code == 200, page
    assert 'id="new-organisations"' in page
    assert 'name="new-0-name" value="Sagaing Youth Relief"' in page
    assert 'name="new-0-acronym" value="SYR"' in page
    assert '<option value="local_cso" selected>' in page
    assert 'name="new-1-name" value="Delta Women Network"' in page
    assert "Create the ticked organisations and import" in page
    assert not Organisation.objects.filter(name="Sagaing Youth Relief").exists()
    run_id = re.search(r'name="run" value="([^"]+)"', page).group(1)

    applied = client.post(
        "/enter/upload/apply/",
        {
            "run": run_id,
            "new-count": "2",
            "new-0-name": "Sagaing Youth Relief",
            "new-0-create": "on",
            "new-0-acronym": "SYRN",
            "new-0-type": "local_cso",
            "new-1-name": "Delta Women Network",
            "new-1-create": "on",
            "new-1-acronym": "DWN",
            "new-1-type": "ethnic",
        },
    )
    page = applied.content.decode()
    assert 'id="upload-done"' in page, page
    assert "Imported: 3 new" in page
    assert "Organisations created (not public): Sagaing Youth Relief, Delta Women Network" in page
    syr = Organisation.objects.get(name="Sagaing Youth Relief")
    dwn = Organisation.objects.get(name="Delta Women Network")
    assert (syr.acronym, syr.kind, syr.visibility) == ("SYRN", OrgKind.LOCAL_CSO, "pseudonymous")
    assert (dwn.acronym, dwn.kind, dwn.visibility) == ("DWN", OrgKind.ETHNIC, "pseudonymous")
    assert Activity.objects.count() == before + 3
    assert Activity.objects.filter(organisation=data["org"]).count() == 3  # 2 seeded + 1
    assert Activity.objects.filter(organisation=dwn).count() == 1


def test_an_unticked_partner_is_not_created_and_its_rows_refuse_the_file(client, coordinator, data):
    page = _check(client).content.decode()
    run_id = re.search(r'name="run" value="([^"]+)"', page).group(1)

    applied = client.post(
        "/enter/upload/apply/",
        {
            "run": run_id,
            "new-count": "2",
            "new-0-name": "Sagaing Youth Relief",
            "new-0-create": "on",
            "new-1-name": "Delta Women Network",
        },
    )

    page = applied.content.decode()
    assert "unknown organisation &#x27;Delta Women Network&#x27;" in page
    assert (
        Organisation.objects.filter(
            name__in=["Sagaing Youth Relief", "Delta Women Network"]
        ).count()
        == 0
    )
    assert (
        Activity.objects.filter(reporting_month__year=2024, reporting_month__month=4).count() == 0
    )


def test_an_editor_still_chooses_an_organisation_and_sees_no_review(client, editor, data):
    refused = _check(client)
    assert refused.status_code == 400
    assert "This field is required." in refused.content.decode()

    page = _check(client, organisation=str(data["org"].pk)).content.decode()
    assert 'id="new-organisations"' not in page
    assert "a coordinator can create it (--create-orgs)" in page
    assert 'id="unknown-organisations"' in page
    assert not Organisation.objects.filter(visibility=Visibility.PSEUDONYMOUS).exists()


def test_the_check_says_which_records_a_coordinator_leaves_alone(client, coordinator, data):
    """Decision 0240: the partner's own record of the month is not the coordinator's to
    remove; the check says so rather than counting it silently."""
    theirs = ActivityFactory(
        organisation=data["org"],
        admin_unit=data["township"],
        reporting_month=dt.date(2024, 4, 1),
        sector="education",
    )
    only_hh = "\r\n".join(CLUSTER.split("\r\n")[:3]) + "\r\n"

    page = _check(client, only_hh, replace="on").content.decode()

    assert "If you import it: 1 new, 0 changed, 0 removed, 0 unchanged." in page
    kept = page[page.index('id="upload-scope-kept"') :]
    assert "Helping Hands: activities of 2024-04: records others entered or changed" in kept
    run_id = re.search(r'name="run" value="([^"]+)"', page).group(1)
    client.post("/enter/upload/apply/", {"run": run_id})
    assert Activity.objects.filter(pk=theirs.pk).exists()


def test_in_a_partial_import_an_unticked_partners_rows_are_held(client, coordinator, data):
    with_a_bad_row = CLUSTER + f"Helping Hands,HH,NNGO,rocketry,service,{TOWNSHIP},2024-04,3\r\n"
    page = _check(client, with_a_bad_row, partial="on").content.decode()
    assert "its rows are held for review with the others" in page
    run_id = re.search(r'name="run" value="([^"]+)"', page).group(1)

    applied = client.post(
        "/enter/upload/apply/",
        {
            "run": run_id,
            "new-count": "2",
            "new-0-name": "Sagaing Youth Relief",
            "new-0-create": "on",
            "new-1-name": "Delta Women Network",
        },
    ).content.decode()

    assert "Imported: 2 new" in applied
    assert not Organisation.objects.filter(name="Delta Women Network").exists()
    held = {h.row: h for h in HeldRow.objects.filter(status=HeldStatus.HELD)}
    assert sorted(held) == [5, 6]  # Delta's row and the rocketry row
    assert "unknown organisation 'Delta Women Network'" in held[5].reasons
