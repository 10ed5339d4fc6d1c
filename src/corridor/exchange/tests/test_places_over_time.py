"""Places over time through the importer: an old need table with a retired, a split and a
doubled p-code; a 4W name decided on the review page and read so by the next import."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from corridor.accounts.models import GlobalRole
from corridor.aid.models import Activity
from corridor.audit.models import AuditEntry
from corridor.cli.main import main
from corridor.exchange.services import file_import
from corridor.geo import resolver as resolver_module
from corridor.geo.models import PlaceAlias, PlaceReview
from corridor.geo.resolver import invalidate_resolver
from corridor.situation.models import DisplacementFigure
from corridor.testing.factories import MembershipFactory, UserFactory
from corridor.testing.signin import signed_in_client

# A need table from before MIMU 9.6: Hlaingtharya's old code (split into East and West), a
# Kokang SAZ code that MIMU 9.6 doubles with another, and a retired code with one successor.
OLD_NEED = (
    "#adm3+code,#date,#affected+idps,#meta+source\r\n"
    "MMR004999,2022-06-30,1200,OCHA 2022\r\n"
    "MMR013008,2022-06-30,3400,OCHA 2022\r\n"
    "MMR015202,2022-06-30,800,OCHA 2022\r\n"
)
# The shipped crosswalk has no one-to-one replacement; this test-only row (a made-up code,
# not MIMU's) stands in for one.
TEST_ONLY_ROW = "MMR004999,Old Hakha,replaced,MMR004002,test,test-only fixture\n"


@pytest.fixture
def crosswalk(places, tmp_path, monkeypatch):
    path = tmp_path / "pcode_changes.csv"
    path.write_text(resolver_module.CHANGES_CSV.read_text(encoding="utf-8") + TEST_ONLY_ROW)
    monkeypatch.setattr(resolver_module, "CHANGES_CSV", path)
    invalidate_resolver()
    yield path
    invalidate_resolver()


@pytest.mark.usefixtures("crosswalk")
def test_old_need_table_imports_with_notes_after_the_split_is_decided(write, capsys):
    need = write("need-2022.csv", OLD_NEED)
    assert main(["import", str(need), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert (
        "need-2022.csv, row 3, column #adm3+code: 'MMR013008' names a retired place (MMR013008 "
        "Hlaingtharya); its ground is now Hlaingtharya (East) (MMR013046), Hlaingtharya (West) "
        "(MMR013047): sent to the gazetteer review queue to pick one"
    ) in out
    assert "unknown p-code" not in out
    assert not DisplacementFigure.objects.exists()  # all or nothing

    # The review names the successors, with scores, and says why.
    review = PlaceReview.objects.get()
    assert (review.query, review.level, review.context) == ("MMR013008", 3, "need-2022.csv row 3")
    assert [(c["pcode"], c["score"]) for c in review.candidates] == [
        ("MMR013046", 100.0),
        ("MMR013047", 100.0),
    ]
    assert "MMR013008 Hlaingtharya was retired" in review.note
    assert main(["geo", "review", "list"]) == 0
    listed = capsys.readouterr().out
    assert "note: MMR013008 Hlaingtharya was retired" in listed
    assert "suggestion: MMR013047   Hlaingtharya (West) (township) 100" in listed

    assert main(["geo", "review", "resolve", str(review.pk)[:8], "MMR013047"]) == 0
    capsys.readouterr()
    assert main(["import", str(need), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert (
        "place: MMR004999 Old Hakha was retired (test); it became MMR004002 Hakha (1 rows: 2)"
        in out
    )
    assert (
        "place: MMR013008 Hlaingtharya was retired; filed under MMR013047 as decided in review "
        "(1 rows: 3)"
    ) in out
    assert (
        "place: MMR015202 Laukkaing (Kokang SAZ) is the same place as MMR015022 Laukkaing "
        "(both active in MIMU 9.6); filed under MMR015022 (1 rows: 4)"
    ) in out
    stored = dict(DisplacementFigure.objects.values_list("admin_unit_id", "idps"))
    assert stored == {"MMR004002": 1200, "MMR013047": 3400, "MMR015022": 800}


def test_kokang_need_and_reach_meet_on_one_township(org, write):
    """A need table by MIMU 9.6 code and a 4W by name land on the same township."""
    need = write(
        "need.csv",
        "#adm3+code,#date,#affected+idps,#meta+source\r\n"
        "MMR015202,2024-02-28,900,CCCM\r\n"
        "MMR015201,2024-02-28,400,CCCM\r\n",
    )
    reach = write(
        "4w.csv",
        "#org,#sector,#modality,#adm3+name,#date+reported,#reached+f+adults\r\n"
        "CRN,health,service,Laukkaing,2024-03,9\r\n"
        "CRN,health,service,Konkyan (Kokang SAZ),2024-03,7\r\n",
    )
    assert file_import(path=need, by=None).ok
    assert file_import(path=reach, by=None).ok
    needed = set(DisplacementFigure.objects.values_list("admin_unit_id", flat=True))
    reached = set(Activity.objects.values_list("admin_unit_id", flat=True))
    assert needed == reached == {"MMR015022", "MMR015023"}


def test_a_self_administered_area_in_the_township_column_is_refused_alike(org, write):
    need = write(
        "need.csv",
        "#adm3+name,#date,#affected+idps,#meta+source\r\nWa SAD,2024-02-28,900,CCCM\r\n",
    )
    reach = write(
        "4w.csv",
        "#org,#sector,#modality,#adm3+name,#date+reported,#reached+f+adults\r\n"
        "CRN,health,service,Wa SAD,2024-03,9\r\n",
    )
    reasons = []
    for path in (need, reach):
        result = file_import(path=path, by=None, dry_run=True)
        assert not result.ok
        reasons.append(result.errors[0].reason)
    assert reasons[0] == reasons[1]
    assert reasons[0].startswith(
        "place 'Wa SAD' is Mong Maw (Wa SAD) (MMR015D331), Wein Kawng (Wein Kao) (Wa SAD) "
        "(MMR015D332), Mong Pawk (Wa SAD) (MMR016D333), not a township"
    )


def test_4w_name_decided_on_the_review_page_is_read_so_by_the_next_import(org, write):
    fourw = write(
        "4w-yangon.csv",
        "#org,#sector,#modality,#adm1+name,#adm3+name,#date+reported,#reached+f+adults\r\n"
        "CRN,health,service,Yangon,Hlaing Thar Yar,2024-03,9\r\n",
    )
    first = file_import(path=fourw, by=None)
    assert not first.ok
    assert "is ambiguous" in first.errors[0].reason
    review = PlaceReview.objects.get()
    assert {c["pcode"] for c in review.candidates} == {"MMR013046", "MMR013047"}

    coordinator = UserFactory(global_role=GlobalRole.COORDINATOR)
    client = signed_in_client(coordinator)
    page = client.get("/places/review/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Hlaing Thar Yar" in html
    assert "4w-yangon.csv row 2" in html
    assert 'name="pcode" value="MMR013047"' in html
    assert "score 100" in html
    answer = client.post("/places/review/", {"review": str(review.pk), "pcode": "MMR013047"})
    assert answer.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.chosen_id, review.decided_by) == (
        "resolved",
        "MMR013047",
        coordinator,
    )
    alias = PlaceAlias.objects.get(alias="Hlaing Thar Yar")
    assert (alias.admin_unit_id, alias.kind, alias.created_by) == (
        "MMR013047",
        "review",
        coordinator,
    )
    assert AuditEntry.objects.filter(object_type="geo.placealias", object_id=str(alias.pk)).exists()
    assert "No place names are waiting" in client.get("/places/review/").content.decode()

    # The very next import reads the name so; nothing new is queued.
    again = file_import(path=fourw, by=None)
    assert again.ok, [e.line() for e in again.errors]
    assert Activity.objects.get().admin_unit_id == "MMR013047"
    assert PlaceReview.objects.count() == 1


def test_only_coordinators_and_admins_decide_on_the_review_page(org):
    editor = UserFactory(global_role=GlobalRole.NONE)
    assert signed_in_client(editor).get("/places/review/").status_code == 403


def test_geo_resolve_names_what_a_retired_code_became(places, capsys):
    assert main(["geo", "resolve", "MMR013045", "Kokang SAZ", "--level", "3"]) == 0
    out = capsys.readouterr().out
    assert "MMR013045: ambiguous" in out
    assert "note: MMR013045 Seikkan was retired (abolished 2020; inactive in MIMU 9.6)" in out
    assert "MMR013035   Lanmadaw (township) 100" in out
    assert "note: 'Kokang SAZ' names MMR015S002 Kokang Self-Administered Zone (district)" in out
    assert "MMR015022   Laukkaing (township) 0" in out


def test_the_upload_page_lists_the_old_codes_it_read(org, settings, tmp_path):
    settings.HOME = tmp_path
    editor = MembershipFactory(organisation=org, role="editor").user
    text = (
        "#org,#sector,#modality,#adm3+code,#date+reported,#reached+f+adults\r\n"
        "CRN,health,service,MMR015202,2024-03,9\r\n"
    )
    page = signed_in_client(editor).post(
        "/enter/upload/",
        {
            "file": SimpleUploadedFile("4w.csv", text.encode(), "text/csv"),
            "organisation": str(org.pk),
        },
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="upload-place-notes"' in html
    assert "MMR015202 Laukkaing (Kokang SAZ) is the same place as MMR015022 Laukkaing" in html
    assert 'id="upload-ok"' in html
