"""`corridor orgs import FILE`: organisations in bulk from a table, all or nothing, idempotent."""

from __future__ import annotations

import openpyxl
import pytest

from corridor.accounts.models import GlobalRole, OrgRole
from corridor.audit.models import AuditEntry
from corridor.cli.main import main
from corridor.orgs.models import Organisation, OrgKind, Visibility
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory

PARTNERS = (
    "Partners of the Sagaing food cluster, March 2024\r\n"
    "Organisation,Acronym,Org type,Country,Public\r\n"
    "Sagaing Youth Relief,SYR,NNGO,Myanmar,no\r\n"
    "Mae Sot Clinic Friends,MSCF,INGO,TH,yes\r\n"
    "ကချင်အမျိုးသမီးကွန်ရက်,KWN,CBO,,\r\n"
)


@pytest.fixture
def partners(tmp_path):
    def _write(text: str = PARTNERS, name: str = "partners.csv"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    return _write


def test_creates_each_listed_organisation_not_public_unless_asked(db, partners, capsys):
    OrganisationFactory(name="Chin Relief Network", acronym="CRN")

    assert main(["orgs", "import", partners()]) == 0

    out = capsys.readouterr().out
    assert "3 created, 0 already in Corridor" in out
    syr = Organisation.objects.get(name="Sagaing Youth Relief")
    assert (syr.acronym, syr.kind, syr.base_country) == ("SYR", OrgKind.LOCAL_CSO, "MM")
    assert syr.visibility == Visibility.PSEUDONYMOUS
    assert syr.public_label == f"Partner {str(syr.pk)[:8]}"
    friends = Organisation.objects.get(acronym="MSCF")
    assert (friends.kind, friends.base_country, friends.visibility) == (
        OrgKind.INGO,
        "TH",
        Visibility.PUBLIC,
    )
    burmese = Organisation.objects.get(acronym="KWN")
    assert burmese.name == "ကချင်အမျိုးသမီးကွန်ရက်"
    assert burmese.visibility == Visibility.PSEUDONYMOUS
    assert AuditEntry.objects.filter(action="create", object_type="orgs.organisation").count() == 3

    # Again: nothing new, every name already known.
    assert main(["orgs", "import", partners()]) == 0
    assert "0 created, 3 already in Corridor" in capsys.readouterr().out
    assert Organisation.objects.count() == 4


def test_any_error_creates_nothing_and_names_row_and_column(db, partners, capsys):
    bad = (
        "Organisation,Acronym,Org type,Country,Public\r\n"
        "Sagaing Youth Relief,SYR,NNGO,MM,no\r\n"
        "Mae Sot Clinic Friends,MSCF,Spaceship,MM,yes\r\n"
        "Third Partner,TP,NNGO,Myanmarr,maybe\r\n"
        ",NA,NNGO,MM,no\r\n"
        "sagaing youth relief,SYR,NNGO,MM,no\r\n"
    )

    assert main(["orgs", "import", partners(bad)]) == 1

    out = capsys.readouterr().out
    assert "partners.csv, row 3, column Org type: unknown organisation type 'Spaceship'" in out
    assert (
        "partners.csv, row 4, column Country: 'Myanmarr' is not a country code (two letters, "
        "e.g. MM, TH)" in out
    )
    assert "partners.csv, row 4, column Public: public is yes or no, not 'maybe'" in out
    assert "partners.csv, row 5, column Organisation: a name is required" in out
    assert (
        "partners.csv, row 6, column Organisation: 'sagaing youth relief' is listed twice "
        "(first in row 2)" in out
    )
    assert "refused: 5 errors, no organisation created" in out
    assert Organisation.objects.count() == 0


def test_an_xlsx_and_a_dry_run(db, tmp_path, capsys):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["name", "acronym", "type", "country", "public"])
    sheet.append(["Karen Health Alliance", "KHA", "Ethnic health organisation", "MM", "yes"])
    path = tmp_path / "partners.xlsx"
    book.save(path)

    assert main(["orgs", "import", str(path), "--dry-run"]) == 0
    assert "1 would be created (dry run)" in capsys.readouterr().out
    assert Organisation.objects.count() == 0

    assert main(["orgs", "import", str(path)]) == 0
    assert Organisation.objects.get().kind == OrgKind.ETHNIC


def test_coordinators_may_and_editors_may_not(db, partners, capsys):
    coordinator = UserFactory(global_role=GlobalRole.COORDINATOR, password=None)
    editor = MembershipFactory(organisation=OrganisationFactory(), role=OrgRole.EDITOR).user

    assert main(["orgs", "import", partners(), "--as", editor.username]) == 1
    assert "only coordinators and admins may create organisations" in capsys.readouterr().err
    assert Organisation.objects.count() == 1

    assert main(["orgs", "import", partners(), "--as", coordinator.username]) == 0
    assert Organisation.objects.count() == 4
