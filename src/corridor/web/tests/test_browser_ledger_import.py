"""A ledger through the upload page in a real browser (decision 0367): a field office's
workbook of transfers with a title, Burmese headers, "NA" and thousands separators; its
mapping proposed and checked; a row with problems held, fixed on the review list and
imported; then the updated workbook imported again, which updates and adds, never doubles."""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pytest

from corridor.exchange.models import HeldRow, HeldStatus
from corridor.funds.models import LegState, Transfer, TransferChannel
from corridor.testing.factories import OrganisationFactory
from corridor.web.tests.test_browser import (  # noqa: F401 (browser_page is a fixture)
    _editor,
    _signed_in_browser,
    browser_page,
    shot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = ["ပို့သည့်နေ့", "ပေးပို့သူ", "လက်ခံသူ", "Amount (USD)", "Fee", "Channel", "Reference"]
ROWS = [
    ["05/02/2024", "Helping Hands", "Hpa-an Kitchen", "8,000.00", "NA", "Bank", "SW-1"],
    ["05/03/2024", "Helping Hands", "Hpa-an Kitchen", "1,500", "25", "pigeon post", "H-2"],
    ["18/03/2024", "Helping Hands", "Hpa-an Kitchen", "2,000", "", "KBZPay", "K-3"],
]


def _workbook(path, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Ledger"
    sheet.append(["Helping Hands — transfers to partners, 2024"])
    sheet.merge_cells("A1:G1")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _check(page, live_server, path, *, partial: bool) -> None:
    page.goto(f"{live_server.url}/enter/upload/")
    page.set_input_files("#id_file", str(path))
    page.select_option("#id_kind", "transfers")
    if partial:
        page.check("#id_partial")
    page.get_by_role("button", name="Check the file").click()
    page.locator("#upload-mapping").wait_for()
    # The proposal read the Burmese headers and "Amount (USD)".
    assert page.get_by_label("ပေးပို့သူ").input_value() == "from"
    assert page.get_by_label("လက်ခံသူ").input_value() == "to"
    assert page.get_by_label("Amount (USD)").input_value() == "amount"
    page.get_by_role("button", name="Check the file with this mapping").click()


def test_a_ledger_mapped_held_fixed_and_imported_again(live_server, browser_page, tmp_path):  # noqa: F811
    page = browser_page
    user, _org = _editor(language="en")
    OrganisationFactory(name="Hpa-an Kitchen")
    _signed_in_browser(page, live_server, user)

    _check(page, live_server, _workbook(tmp_path / "ledger.xlsx", ROWS), partial=True)
    held = page.locator("#upload-held-rows")
    held.wait_for()
    assert "'pigeon post' is not a channel" in held.inner_text()
    assert not Transfer.objects.exists()  # the check changed nothing
    shot(page, "upload-ledger-held-en")
    page.get_by_role("button", name="Import the valid rows, hold the others").click()
    page.locator("#upload-held-done").wait_for()
    assert Transfer.objects.count() == 2

    page.get_by_role("link", name="Review held rows").click()
    page.locator("#held-rows").wait_for()
    row = page.locator(".held-row", has_text="row 4")
    row.get_by_label("Channel").fill("hundi")
    row.get_by_role("button", name="Fix and import").click()
    page.get_by_text("ledger.xlsx, row 4: fixed and imported.").wait_for()
    assert HeldRow.objects.get().status == HeldStatus.APPLIED
    assert Transfer.objects.count() == 3
    hundi = Transfer.objects.get(channel=TransferChannel.INFORMAL)
    # Helping Hands sent it: its leg is its own word.
    assert (hundi.amount, hundi.fee, hundi.sent_state) == (
        Decimal("1500.00"), Decimal("25.00"), LegState.CONFIRMED)  # fmt: skip

    # The office's updated workbook: the bank's fee came in, and one more transfer.
    rows = [list(r) for r in ROWS]
    rows[0][4] = "40"
    rows[1][5] = "hundi"
    rows.append(["25/03/2024", "Helping Hands", "Hpa-an Kitchen", "300", "", "cash", "C-4"])
    _check(page, live_server, _workbook(tmp_path / "ledger.xlsx", rows), partial=False)
    page.locator("#upload-ok").wait_for()
    page.get_by_role("button", name="Import now").click()
    page.locator("#upload-done").wait_for()
    done = page.locator("#upload-done").inner_text()
    assert "Imported: 1 new, 1 changed, 0 removed, 2 unchanged." in done
    assert Transfer.objects.count() == 4
    total = sum(t.amount for t in Transfer.objects.all())
    assert total == Decimal("11800.00")  # 8,000 + 1,500 + 2,000 + 300: nothing counted twice
    assert sorted(str(t.fee) for t in Transfer.objects.exclude(fee=None)) == ["25.00", "40.00"]
