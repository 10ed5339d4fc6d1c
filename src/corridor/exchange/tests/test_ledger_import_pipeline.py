"""A ledger through the one import pipeline (decision 0367): a field office's workbook with a
title, a merged group row, Burmese headers, "NA" and thousands separators, mapped by the
proposal; all or nothing through `corridor funds import`; held rows fixed; import runs kept;
a file imported again updates rather than duplicates; only an editor of one of a row's sides
may import it; the API takes a ledger like any other file."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from openpyxl import Workbook

from corridor.accounts.models import GlobalRole, OrgRole
from corridor.cli.main import main
from corridor.core.errors import InvalidInput
from corridor.exchange.formats.ledger import propose_ledger
from corridor.exchange.held.services import held_fix
from corridor.exchange.ledger_import import ledger_import
from corridor.exchange.models import HeldRow, HeldStatus, ImportRun, RunStatus
from corridor.exchange.services import file_import
from corridor.funds.models import Grant, LegState, Transfer, TransferChannel
from corridor.funds.services import transfer_confirm
from corridor.orgs.models import OrgKind
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory
from corridor.testing.signin import signed_in_client

D = Decimal
HEADER = [
    "ပို့သည့်နေ့",  # Corridor's own Burmese label of "Sent on"
    "ပေးပို့သူ",  # From
    "လက်ခံသူ",  # To
    "Amount (USD)",
    "Fee",
    "Channel",
    "Date received",
    "Amount received",
    "Reference",
    "Remarks",
]
ROWS = [
    ["05/02/2024", "Thai Border Partners", "Hpa-an Community Kitchen", "8,000.00", "NA",
     "Bank wire", "NA", "NA", "SW-0205", "first tranche"],
    ["05/03/2024", "Thai Border Partners", "Hpa-an Community Kitchen", "1,500", "25",
     "Hundi", "07/03/2024", "1,450", "", "agent in Myawaddy"],
    ["18/03/2024", "Nordic Relief Fund", "Thai Border Partners", "20,000.00", "n/a",
     "SWIFT", "", "", "SW-0318", ""],
]  # fmt: skip


def workbook(path, rows=ROWS):
    """The office's sheet: a merged title, a merged group row above the header, then rows."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Transfers 2024"
    sheet.append(["Mae Sot office — money sent and received, 2024"])
    sheet.merge_cells("A1:J1")
    sheet.append(["Sent", "", "", "", "", "", "Arrived", "", "", ""])
    sheet.merge_cells("A2:F2")
    sheet.merge_cells("G2:H2")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def office(db):
    donor = OrganisationFactory(name="Nordic Relief Fund", kind=OrgKind.DONOR)
    partner = OrganisationFactory(name="Thai Border Partners", kind=OrgKind.INGO)
    kitchen = OrganisationFactory(name="Hpa-an Community Kitchen")
    editor = UserFactory(username="maesot-office")
    MembershipFactory(user=editor, organisation=partner, role=OrgRole.EDITOR)
    cook = UserFactory(username="kitchen-editor")
    MembershipFactory(user=cook, organisation=kitchen, role=OrgRole.EDITOR)
    return {"donor": donor, "partner": partner, "kitchen": kitchen, "editor": editor,
            "cook": cook}  # fmt: skip


def test_a_field_workbook_through_the_command_line(office, tmp_path, capsys):
    path = workbook(tmp_path / "ledger.xlsx")
    assert main(["funds", "import", str(path), "--as", "maesot-office"]) == 0
    assert "ledger.xlsx: 3 transfers imported" in capsys.readouterr().out
    first, second, third = Transfer.objects.order_by("sent_on")
    # "Amount (USD)": the header names the currency; "NA" is nothing; day-first dates.
    assert (first.amount, first.currency, first.fee, first.channel) == (
        D("8000.00"), "USD", None, TransferChannel.BANK)  # fmt: skip
    assert first.received_state == ""
    assert (second.received_amount, second.received_on) == (D("1450"), dt.date(2024, 3, 7))
    # The partner's own legs are its word; the kitchen's and the donor's are claims.
    assert (second.sent_state, second.received_state) == (LegState.CONFIRMED, LegState.CLAIMED)
    assert (third.sent_state, third.received_state) == (LegState.CLAIMED, "")
    run = ImportRun.objects.get(status=RunStatus.APPLIED)
    assert (run.kind, run.format, run.rows, run.created) == ("transfers", "ledger", 3, 3)
    assert "ignored column: Remarks" in run.notes


def test_any_error_refuses_the_whole_file_naming_file_row_and_column(office, tmp_path, capsys):
    rows = [list(r) for r in ROWS]
    rows[1][5] = "pigeon post"
    rows[2][3] = "-20"
    path = workbook(tmp_path / "ledger.xlsx", rows)
    assert main(["funds", "import", str(path), "--as", "maesot-office"]) == 1
    out = capsys.readouterr().out
    assert "ledger.xlsx, row 5, column Channel: 'pigeon post' is not a channel" in out
    assert "row 6, column Amount (USD): the amount must be more than 0, not -20" in out
    assert "refused: 2 errors, nothing imported" in out
    assert Transfer.objects.count() == 0
    assert ImportRun.objects.get().status == RunStatus.REFUSED


def test_an_editor_imports_only_rows_of_an_organisation_they_edit_for(office, tmp_path):
    """The adversary case: an editor may not file money between two others, and neither may
    an administrator of the network (by hand they correct; a file does not record)."""
    elsewhere = OrganisationFactory(name="Some Other Group")
    path = tmp_path / "t.csv"
    path.write_text(
        "Date sent,From,To,Amount,Currency,Channel\r\n"
        "05/02/2024,Some Other Group,Hpa-an Community Kitchen,100,USD,bank\r\n",
        encoding="utf-8",
    )
    admin = UserFactory(username="network-admin", global_role=GlobalRole.ADMIN)
    for person in (office["editor"], admin):
        result = ledger_import(by=person, path=path)
        assert result.created == 0
        assert result.errors == [
            "t.csv, row 2: you may import only the grants and transfers of an organisation you "
            "edit for; this row is between two others"
        ]
    assert Transfer.objects.count() == 0
    # An editor of either side may.
    theirs = UserFactory(username="other-group")
    MembershipFactory(user=theirs, organisation=elsewhere, role=OrgRole.EDITOR)
    assert ledger_import(by=theirs, path=path).created == 1
    assert elsewhere.transfers_out.count() == 1


def test_importing_an_updated_file_updates_and_never_doubles(office, tmp_path):
    path = workbook(tmp_path / "ledger.xlsx")
    assert ledger_import(by=office["editor"], path=path).created == 3
    rows = [list(r) for r in ROWS]
    rows[0][4] = "40"  # the bank's fee came in: same reference, so the same transfer
    rows.append(["20/03/2024", "Thai Border Partners", "Hpa-an Community Kitchen", "300",
                 "", "cash", "", "", "", ""])  # fmt: skip
    again = ledger_import(by=office["editor"], path=workbook(tmp_path / "ledger.xlsx", rows))
    assert again.errors == []
    assert (again.created, again.changed, again.unchanged) == (1, 1, 2)
    assert Transfer.objects.count() == 4
    fees = sorted(str(t.fee) for t in Transfer.objects.all() if t.fee is not None)
    assert fees == ["25.00", "40.00"]
    total = sum(t.amount for t in Transfer.objects.filter(currency="USD"))
    assert total == D("29800.00")
    # The same file a third time: nothing changes.
    third = ledger_import(by=office["editor"], path=tmp_path / "ledger.xlsx")
    assert (third.created, third.changed, third.unchanged) == (0, 0, 4)


def test_two_equal_rows_are_two_transfers_the_second_time_too(office, tmp_path):
    path = tmp_path / "t.csv"
    line = "05/02/2024,Thai Border Partners,Hpa-an Community Kitchen,100,THB,hundi\r\n"
    path.write_text("Date sent,From,To,Amount,Currency,Channel\r\n" + line * 2, encoding="utf-8")
    assert ledger_import(by=office["editor"], path=path).created == 2
    again = ledger_import(by=office["editor"], path=path)
    assert (again.created, again.unchanged) == (0, 2)
    assert Transfer.objects.count() == 2


def test_only_the_receiver_confirms_what_arrived(office, tmp_path):
    path = workbook(tmp_path / "ledger.xlsx")
    ledger_import(by=office["editor"], path=path)
    hundi = Transfer.objects.get(channel=TransferChannel.INFORMAL)
    assert hundi.received_state == LegState.CLAIMED
    # The kitchen imports the same file: its rows are the stored transfers; the same figures
    # are not a confirmation (that is its own act), and the rows it is no side of are refused.
    result = ledger_import(by=office["cook"], path=path)
    assert [e.split(": ", 1)[0] for e in result.errors] == ["ledger.xlsx, row 6"]
    rows = [list(r) for r in ROWS[:2]]
    rows[1][7] = "1,440"  # what the kitchen counted
    mine = ledger_import(by=office["cook"], path=workbook(tmp_path / "kitchen.xlsx", rows))
    assert (mine.changed, mine.unchanged) == (1, 1)
    hundi.refresh_from_db()
    assert (hundi.received_amount, hundi.received_state) == (D("1440"), LegState.CONFIRMED)
    # The sender's figures stay the sender's: its leg is untouched by the kitchen's file.
    assert hundi.sent_state == LegState.CONFIRMED
    transfer_confirm(by=office["cook"], transfer=hundi, leg="received")


def test_a_grants_file_and_its_reimport(office, tmp_path):
    path = tmp_path / "grants.csv"
    path.write_text(
        "Grant agreements\r\n\r\n"
        "Funder,Grantee,Project,Budget,Currency,Date signed,Start date,End date\r\n"
        'Nordic Relief Fund,Thai Border Partners,Winter food 2024,"25,000",USD,10/01/2024,'
        "01/02/2024,31/12/2024\r\n",
        encoding="utf-8",
    )
    result = ledger_import(by=office["editor"], path=path)
    assert (result.kind, result.created) == ("grants", 1)
    text = path.read_text(encoding="utf-8").replace('"25,000"', '"27,500"')
    path.write_text(text, encoding="utf-8")
    again = ledger_import(by=office["editor"], path=path)
    assert (again.created, again.changed) == (0, 1)
    assert Grant.objects.get().amount == D("27500.00")


def test_held_rows_are_fixed_and_applied(office, tmp_path):
    rows = [list(r) for r in ROWS]
    rows[1][5] = "pigeon post"
    path = workbook(tmp_path / "ledger.xlsx", rows)
    result = file_import(
        by=office["editor"], path=path, kind="transfers", organisation=office["partner"],
        partial=True,
    )  # fmt: skip
    assert (result.ok, result.created, result.held) == (True, 2, 1)
    held = HeldRow.objects.get()
    assert (held.row, held.status) == (5, HeldStatus.HELD)
    fixed = held_fix(by=office["editor"], held=held, values={"Channel": "hundi"})
    assert fixed.ok, fixed.errors
    held.refresh_from_db()
    assert held.status == HeldStatus.APPLIED
    assert Transfer.objects.filter(channel=TransferChannel.INFORMAL).count() == 1
    assert Transfer.objects.count() == 3


def test_the_api_takes_a_ledger_like_any_file(office, tmp_path):
    path = workbook(tmp_path / "ledger.xlsx")
    client = signed_in_client(office["editor"])
    with path.open("rb") as handle:
        response = client.post(
            "/api/exchange/imports",
            {"file": handle, "kind": "transfers", "org": str(office["partner"].pk)},
        )
    assert response.status_code == 200, response.content
    body = json.loads(response.content)
    assert (body["kind"], body["format"], body["created"]) == ("transfers", "ledger", 3)
    assert Transfer.objects.count() == 3


def test_other_tools_headers_are_proposed(tmp_path):
    """ "Partner", "Sender", "Amount (USD)", "Date sent", "Agent": what a spreadsheet template
    or another tool calls the columns; the header's currency stands for a currency column."""
    path = tmp_path / "export.csv"
    path.write_text(
        "Payments export\r\n"
        "Date sent,Sender,Partner,Amount (USD),Payment method,Agent,Notes\r\n"
        "2024-02-05,Thai Border Partners,Hpa-an Community Kitchen,100,bank,,\r\n",
        encoding="utf-8",
    )
    mapping = propose_ledger(path, name="export.csv")
    assert mapping.kind == "transfers"
    assert mapping.header_rows == [2]
    fields = {c.header: c.field for c in mapping.columns}
    assert fields == {
        "Date sent": "sent_on",
        "Sender": "from",
        "Partner": "to",
        "Amount (USD)": "amount",
        "Payment method": "channel",
        "Agent": "intermediary",
        "Notes": None,
    }


def test_a_ledger_takes_no_key_and_replaces_nothing(office, tmp_path):
    path = workbook(tmp_path / "ledger.xlsx")
    for asked in ({"replace": True}, {"key": ["Reference"]}):
        with pytest.raises(InvalidInput, match="without a key and without replacing"):
            file_import(by=office["editor"], path=path, kind="transfers", **asked)
    assert not ImportRun.objects.exists()
