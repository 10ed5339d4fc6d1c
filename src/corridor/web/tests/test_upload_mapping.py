"""The upload page for a file with its own headers: the proposed mapping in a form, a preview,
a column changed by the person, the check through the mapping, then the import."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from corridor.aid.models import Activity
from corridor.exchange.models import SavedMapping
from corridor.web.tests.conftest import TOWNSHIP

pytestmark = pytest.mark.django_db

# A partner's 5W: a title row, its own headers, "NA", a column Corridor cannot place by name.
UNTAGGED = (
    "Health Cluster 5W - April 2024\r\n"
    "Partner,Cluster,Tsp Pcode,Assistance Type,Reporting Month,Female (18-59),Female (60+),"
    "Male (18-59),Comments,Col X\r\n"
    f"Helping Hands,Health,{TOWNSHIP},Services,2024-04,9,1,NA,first round,3\r\n"
    f"Helping Hands,WASH,{TOWNSHIP},In-kind distribution,2024-04,20,-,11,,12\r\n"
)


@pytest.fixture(autouse=True)
def private_home(settings, tmp_path):
    settings.HOME = tmp_path


def test_untagged_file_mapped_checked_and_imported(client, editor, data):
    before = Activity.objects.count()
    page = client.post(
        "/enter/upload/",
        {
            "file": SimpleUploadedFile("5w.csv", UNTAGGED.encode(), "text/csv"),
            "organisation": str(data["org"].pk),
        },
    ).content.decode()
    assert 'id="upload-mapping"' in page
    assert '<option value="women" selected>' in page
    assert '<option value="modality" selected>' in page
    hold = re.search(r'name="hold" value="([^"]+)"', page)[1]
    # The preview shows rows as they will be read: recoded, added up, "NA" empty.
    preview = page[page.index('id="mapping-preview"') :]
    assert "<td>In-kind distribution</td>" in preview  # the importer knows it: no recoding
    assert "<td>10</td>" in preview
    # "Col X" holds households in fact: the person says so.
    at = re.search(r'<label for="field-(\d+)">Col X</label>', page)[1]
    checked = client.post(
        "/enter/upload/map/",
        {"hold": hold, f"field-{at}": "households", "save_as": "Health 5W"},
    )
    page = checked.content.decode()
    assert checked.status_code == 200, page
    assert 'id="upload-ok"' in page
    assert Activity.objects.count() == before  # a check writes nothing
    run = re.search(r'name="run" value="([^"]+)"', page)[1]
    done = client.post("/enter/upload/apply/", {"run": run}).content.decode()
    assert 'id="upload-done"' in done
    row = Activity.objects.get(sector="health", notes="first round")
    assert (row.women, row.men, row.households, row.modality) == (10, 0, 3, "service")
    assert Activity.objects.get(sector="wash").households == 12
    assert SavedMapping.objects.get().name == "Health 5W"
    # The next file of this shape goes straight to the check, through the saved mapping.
    again = client.post(
        "/enter/upload/",
        {
            "file": SimpleUploadedFile("5w-may.csv", UNTAGGED.encode(), "text/csv"),
            "organisation": str(data["org"].pk),
        },
    ).content.decode()
    assert 'id="upload-mapping"' not in again
    assert 'id="upload-ok"' in again
