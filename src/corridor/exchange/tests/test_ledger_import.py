"""Importing a ledger from a field office's file: headers as people write them, day-first
dates, thousands separators, channels by their everyday names, an agent column; all or nothing,
every error naming file, row and column; each row through the ledger's services (the importer's
own side's legs confirmed, the other side's claimed)."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import Workbook

from corridor.accounts.models import OrgRole
from corridor.cli.main import main
from corridor.exchange.ledger_import import ledger_import
from corridor.funds.models import Grant, LegState, Transfer, TransferChannel
from corridor.orgs.models import OrgKind
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory

D = Decimal

GRANTS = (
    "Donor,Recipient,Title,Amount,Currency,Pledged,Start,End,Sector,Reporting\r\n"
    'Nordic Relief Fund,Thai Border Partners,Winter food 2024,"25,000.00",USD,'
    "10/01/2024,01/02/2024,31/12/2024,food_security;health,none\r\n"
)
# As a Mae Sot office keeps it: its own sheet's headers, day-first dates, baht with commas.
TRANSFERS = (
    "Date sent,From,To,Amount,Currency,Fee,Channel,Rate,Received amount,Received currency,"
    "Date received,Grant,Agent,Reference\r\n"
    '05/02/2024,Nordic Relief Fund,Thai Border Partners,"8,000.00",USD,40,Bank wire,35.70,'
    '"284,000.00",THB,07/02/2024,Winter food 2024,,SW-2024-0205\r\n'
    '05/03/2024,Thai Border Partners,Hpa-an Community Kitchen,"150,000.00",THB,"3,000",Hundi,'
    '98,,,,Winter food 2024,"U Ko Ko, Myawaddy",H-0305\r\n'
    '18/03/2024,Thai Border Partners,Hpa-an Community Kitchen,"20,000.00",THB,,KBZPay,,,,,'
    ",,\r\n"
)


@pytest.fixture
def office(db):
    donor = OrganisationFactory(name="Nordic Relief Fund", kind=OrgKind.DONOR)
    partner = OrganisationFactory(name="Thai Border Partners", kind=OrgKind.INGO)
    local = OrganisationFactory(name="Hpa-an Community Kitchen")
    editor = UserFactory(username="maesot-office")
    MembershipFactory(user=editor, organisation=partner, role=OrgRole.EDITOR)
    return {"donor": donor, "partner": partner, "local": local, "editor": editor}


def test_a_field_office_file_of_grants_then_transfers(office, tmp_path):
    grants = tmp_path / "grants.csv"
    grants.write_text(GRANTS, encoding="utf-8")
    result = ledger_import(by=office["editor"], path=grants)
    assert (result.ok, result.kind, result.created) == (True, "grants", 1)
    grant = Grant.objects.get()
    assert (grant.amount, grant.currency, grant.pledged_on) == (D("25000.00"), "USD",
                                                               dt.date(2024, 1, 10))  # fmt: skip
    assert grant.sectors == ["food_security", "health"]

    transfers = tmp_path / "transfers.csv"
    transfers.write_text(TRANSFERS, encoding="utf-8")
    result = ledger_import(by=office["editor"], path=transfers)
    assert result.errors == []
    assert (result.kind, result.rows, result.created) == ("transfers", 3, 3)
    first, second, third = Transfer.objects.order_by("sent_on")
    # The donor's leg, written by the border partner: a claim until the donor confirms it;
    # what arrived is the partner's own word.
    assert (first.sent_state, first.received_state) == (LegState.CLAIMED, LegState.CONFIRMED)
    assert (first.amount, first.fee, first.rate) == (D("8000.00"), D("40.00"), D("35.70"))
    assert (first.received_amount, first.received_currency) == (D("284000.00"), "THB")
    assert first.channel == TransferChannel.BANK
    assert first.grant == grant
    assert second.channel == TransferChannel.INFORMAL
    assert (second.fee, second.sent_state) == (D("3000.00"), LegState.CONFIRMED)
    assert second.intermediary == "U Ko Ko, Myawaddy"  # kept, encrypted (funds.models)
    assert second.received_state == ""
    assert third.channel == TransferChannel.MOBILE_MONEY
    assert third.grant is None


def test_any_error_refuses_the_whole_file_naming_row_and_column(office, tmp_path):
    bad = tmp_path / "transfers.csv"
    bad.write_text(
        TRANSFERS.replace("05/03/2024", "31/02/2024")
        .replace("Hundi", "pigeon post")
        .replace("KBZPay,,,,,", "KBZPay,,,,,No such grant"),
        encoding="utf-8",
    )
    result = ledger_import(by=office["editor"], path=bad)
    assert result.created == 0
    assert Transfer.objects.count() == 0
    assert any(e.startswith("transfers.csv, row 3, column Date sent: ") for e in result.errors)
    assert any(e.startswith("transfers.csv, row 3, column Channel: 'pigeon post'")
               for e in result.errors)  # fmt: skip
    assert "transfers.csv, row 4, column Grant: no grant 'No such grant'" in result.errors
    # The grant column of row 2 names a grant nobody recorded either.
    assert "transfers.csv, row 2, column Grant: no grant 'Winter food 2024'" in result.errors


def test_a_row_the_services_refuse_rolls_back_the_rows_before_it(office, tmp_path):
    # An organisation the office does not edit for: the service refuses the row.
    OrganisationFactory(name="Some Other Group")
    rows = [
        *TRANSFERS.splitlines()[:2],
        "20/03/2024,Some Other Group,Hpa-an Community Kitchen,100,USD,,bank,,,,,,,",
    ]
    path = tmp_path / "transfers.csv"
    path.write_text("\r\n".join(rows).replace("Winter food 2024", ""), encoding="utf-8")
    result = ledger_import(by=office["editor"], path=path)
    assert result.created == 0
    assert Transfer.objects.count() == 0
    assert len(result.errors) == 1
    assert result.errors[0].startswith("transfers.csv, row 3: ")


def test_an_xlsx_workbook_and_the_command_line(office, tmp_path, capsys):
    book = Workbook()
    sheet = book.active
    sheet.title = "Ledger"
    for line in TRANSFERS.replace("Winter food 2024", "").splitlines():
        sheet.append(next(csv.reader([line])))
    path = tmp_path / "ledger.xlsx"
    book.save(path)
    assert main(["funds", "import", str(path), "--as", "maesot-office"]) == 0
    assert "ledger.xlsx: 3 transfers imported" in capsys.readouterr().out
    assert Transfer.objects.filter(sent_state=LegState.CLAIMED).count() == 1
    again = tmp_path / "bad.csv"
    again.write_text("From,To,Amount\r\nA,B,1\r\n", encoding="utf-8")
    assert main(["funds", "import", str(again)]) == 1
    assert "missing column(s) currency, sent_on, channel" in capsys.readouterr().err


def test_the_ledger_rules_judge_each_row_in_the_columns_as_written(office, tmp_path):
    """A cell is only read; the ledger's rules refuse it, in their words, on the file's own
    column names (core/tests/test_rules.py runs the same cases through the form and the API)."""
    path = tmp_path / "transfers.csv"
    path.write_text(
        "Date sent,From,To,Amount,Currency,Fee,Channel\r\n"
        "05/02/2024,Thai Border Partners,Hpa-an Community Kitchen,-20,usd,,hundi\r\n"
        "05/02/2024,Thai Border Partners,Hpa-an Community Kitchen,100,XYZ,-5,hundi\r\n"
        "05/02/1924,Thai Border Partners,Thai Border Partners,100,USD,,hundi\r\n",
        encoding="utf-8",
    )
    result = ledger_import(by=office["editor"], path=path)
    assert result.created == 0
    assert Transfer.objects.count() == 0
    assert sorted(result.errors) == [
        "transfers.csv, row 2, column Amount: the amount must be more than 0, not -20",
        "transfers.csv, row 3, column Currency: give an ISO 4217 currency code Corridor knows "
        "(e.g. MMK, THB, USD), not XYZ",
        "transfers.csv, row 3, column Fee: must be 0 or more, not -5",
        "transfers.csv, row 4, column Date sent: 1924-02-05 is before 2021-01-01, the earliest "
        "date Corridor takes",
        "transfers.csv, row 4, column To: a transfer goes between two different organisations",
    ]
