"""The upload page for a file with its own headers: the proposed mapping in a form, a preview,
a column changed by the person, the check through the mapping, then the import."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from corridor.accounts.models import OrgRole
from corridor.aid.models import Activity
from corridor.exchange.mapping.propose import propose
from corridor.exchange.mapping.services import mapping_save
from corridor.exchange.models import SavedMapping
from corridor.testing.factories import MembershipFactory
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


def _mapping_step(client, org, text: str = UNTAGGED, name: str = "5w.csv", **extra) -> str:
    page = client.post(
        "/enter/upload/",
        {
            "file": SimpleUploadedFile(name, text.encode(), "text/csv"),
            "organisation": str(org.pk),
            **extra,
        },
    ).content.decode()
    assert 'id="upload-mapping"' in page
    return page


def propose_for(text: str):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "5w.csv"
        path.write_text(text, encoding="utf-8")
        return propose(path, name="5w.csv")


def _hold(page: str) -> str:
    return re.search(r'name="hold" value="([^"]+)"', page)[1]


def _run(page: str) -> str:
    return re.search(r'name="run" value="([^"]+)"', page)[1]


def test_this_file_replaces_what_it_covers_is_kept_through_the_mapping_step(client, editor, data):
    page = _mapping_step(client, data["org"])
    checked = client.post("/enter/upload/map/", {"hold": _hold(page)}).content.decode()
    client.post("/enter/upload/apply/", {"run": _run(checked)})
    first = Activity.objects.filter(reporting_month="2024-04-01").count()
    assert first == 2

    # The same header again, unsaved, so through the mapping step; one row gone, replacing.
    shorter = UNTAGGED.rsplit("\r\n", 2)[0] + "\r\n"
    page = _mapping_step(client, data["org"], shorter, "5w-may.csv", replace="on")
    checked = client.post("/enter/upload/map/", {"hold": _hold(page)}).content.decode()
    assert "If you import it: 0 new, 0 changed, 1 removed, 1 unchanged." in checked
    done = client.post("/enter/upload/apply/", {"run": _run(checked)}).content.decode()
    assert "Imported: 0 new, 0 changed, 1 removed, 1 unchanged." in done
    assert Activity.objects.filter(reporting_month="2024-04-01").count() == 1


def test_a_mapping_refused_in_the_mapping_step_is_said_on_the_page(client, editor, data):
    page = _mapping_step(client, data["org"])
    at = re.search(r'<label for="field-(\d+)">Col X</label>', page)[1]

    answer = client.post("/enter/upload/map/", {"hold": _hold(page), f"field-{at}": "sector"})

    assert answer.status_code == 400
    again = answer.content.decode()
    assert "sector is given to several columns (&#x27;Cluster&#x27;, &#x27;Col X&#x27;)" in again
    assert 'id="upload-mapping"' in again  # the file is still held, to choose again
    assert not Activity.objects.filter(reporting_month="2024-04-01").exists()


def test_a_mapping_that_cannot_be_saved_leaves_the_import_reported(client, editor, data):
    # Another person's mapping, for another header, already has the name.
    other = MembershipFactory(organisation=data["org"], role=OrgRole.EDITOR).user
    another = f"Partner,Cluster,Tsp Pcode,Month,Female\r\nHH,Health,{TOWNSHIP},2024-04,3\r\n"
    mapping_save(by=other, name="Health 5W", mapping=propose_for(another))
    page = _mapping_step(client, data["org"])
    checked = client.post(
        "/enter/upload/map/", {"hold": _hold(page), "save_as": "Health 5W"}
    ).content.decode()

    done = client.post("/enter/upload/apply/", {"run": _run(checked)})

    assert done.status_code == 200
    page = done.content.decode()
    assert "Imported: 2 new, 0 changed, 0 removed, 0 unchanged." in page
    assert "The mapping was not saved as Health 5W: the mapping" in page
    assert SavedMapping.objects.get(name="Health 5W").created_by == other
    assert Activity.objects.filter(reporting_month="2024-04-01").count() == 2


def test_a_coordinator_may_save_a_mapping(client, coordinator, data):
    page = client.post(
        "/enter/upload/",
        {"file": SimpleUploadedFile("5w.csv", UNTAGGED.encode(), "text/csv")},
    ).content.decode()
    checked = client.post(
        "/enter/upload/map/", {"hold": _hold(page), "save_as": "Cluster 5W"}
    ).content.decode()

    done = client.post("/enter/upload/apply/", {"run": _run(checked)}).content.decode()

    assert "Imported: 2 new" in done
    assert "Mapping saved as Cluster 5W" in done
    assert SavedMapping.objects.get().created_by == coordinator
