"""Money reports over HTTP, on the walk (testing/ledger.py, hand-computed in funds/tests/
test_walk.py): the donor report (page, CSV, IATI) says what custody says, with no claim, agent
or reference; the custody picture's bands are custody's numbers; a claimed-but-unconfirmed
transfer appears in no money output until its own side confirms it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from lxml import etree

from corridor.exchange.formats import iati
from corridor.funds import services
from corridor.funds.custody import custody
from corridor.testing.factories import UserFactory
from corridor.testing.ledger import walk
from corridor.testing.signin import signed_in_client
from corridor.web.flow import flows

D = Decimal
ON = dt.date(2024, 4, 15)
AGENT = "Agent U Ko Ko"
REFERENCE = "HUNDI-0305"
# The local group's claim that the border group sent it 30,000 THB, arriving as 3,000,000 MMK.
CLAIM_MARKERS = ("30000.00", "3000000")


@pytest.fixture
def w(db):
    return walk()


def _report_csv(client, w, **query):
    answer = client.get(f"/money/grants/{w.grant.pk}/report.csv", {"on": ON.isoformat(), **query})
    assert answer.status_code == 200, answer.content
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))


def test_donor_report_page_gives_the_custody_parts_and_no_agent(w):
    client = signed_in_client(w.editors["donor"])
    answer = client.get(f"/money/grants/{w.grant.pk}/report/", {"on": ON.isoformat()})
    assert answer.status_code == 200
    page = answer.content.decode()
    found = custody(w.grant, valued_on=ON)
    for key, value in found.breakdown.items():
        row = re.search(rf'<tr data-part="{re.escape(key)}"><th scope="row">[^<]*</th>'
                        rf'<td class="n">([^<]*)</td>', page)  # fmt: skip
        assert row, key
        assert D(row.group(1)) == value
    assert ">10000.00</td>" in page  # the total, exactly the grant
    assert AGENT not in page
    assert REFERENCE not in page


def test_donor_report_csv_parts_add_up_and_hops_are_only_confirmed(w):
    rows = _report_csv(signed_in_client(w.editors["local"]), w)
    header = rows[0]
    assert header[:3] == ["line", "what", "when"]
    parts = [D(r[5]) for r in rows if r and r[0] == "part"]
    assert sum(parts) == D("10000.00")
    sent = [r for r in rows if r and r[0] == "sent"]
    # Four hops the sender confirmed; the claim is not among them.
    assert sorted(D(r[5]) for r in sent) == [D("2000.00"), D("8000.00"), D("150000.00"),
                                             D("200000.00")]  # fmt: skip
    received = [r for r in rows if r and r[0] == "received"]
    assert {(D(r[5]), r[6]) for r in received} == {
        (D("284000.00"), "THB"), (D("199000.00"), "THB"), (D("14406000"), "MMK"),
    }  # fmt: skip
    families = {r[1] for r in sent}
    assert families == {"formal", "digital", "informal"}  # never the channel itself
    people = next(r for r in rows if r and r[0] == "people_reached")
    assert people[8] == "200"
    text = "\n".join(",".join(r) for r in rows)
    assert AGENT not in text
    assert REFERENCE not in text


def test_donor_report_is_for_the_grant_s_donor_and_recipient(w):
    # The first intermediary sees the grant (its money went through it) but may not take the
    # donor's report; an outsider does not see the grant at all.
    first = signed_in_client(w.editors["first"])
    assert first.get(f"/money/grants/{w.grant.pk}/report/").status_code == 403
    custody_page = first.get(f"/money/grants/{w.grant.pk}/custody/", {"on": "2024-04-15"})
    assert custody_page.status_code == 200
    assert (
        signed_in_client(UserFactory()).get(f"/money/grants/{w.grant.pk}/report/").status_code
        == 404
    )


def test_grant_iati_is_valid_and_holds_only_the_recipient_s_own_word(w):
    client = signed_in_client(w.editors["local"])
    answer = client.get(f"/money/grants/{w.grant.pk}/iati.xml")
    assert answer.status_code == 200, answer.content
    assert iati.validate(answer.content) == []
    root = etree.fromstring(answer.content)
    types = [(t.find("transaction-type").get("code"), t.find("value").text,
              t.find("value").get("currency")) for t in root.iter("transaction")]  # fmt: skip
    # The pledge (incoming commitment), what arrived from the border group (also the 3,000,000
    # MMK the local group itself says it received: its own leg, its own word, decision 0236),
    # the two spendings.
    assert types == [
        ("11", "10000.00", "USD"),
        ("1", "14406000.00", "MMK"),
        ("1", "3000000.00", "MMK"),
        ("4", "6000000.00", "MMK"),
        ("4", "4500000.00", "MMK"),
    ]
    assert AGENT.encode() not in answer.content
    assert REFERENCE.encode() not in answer.content


def test_custody_picture_bands_are_the_custody_numbers(w):
    found = custody(w.grant, valued_on=ON)
    bands = flows(found)
    into = {}
    for b in bands:
        into[b.target] = into.get(b.target, D(0)) + b.amount
    parts = found.breakdown
    for part in ("fees", "unaccounted", "in_transit", "spent_on_activities"):
        assert into[f"sink:{part}"] == parts[part], part
    held = sum(v for k, v in parts.items() if k.startswith("held_by:"))
    assert into["sink:held"] == held
    assert into["sink:exchange_differences"] == parts["exchange_differences"]
    # Every band the page draws carries its amount; the page shows the same bands.
    client = signed_in_client(w.editors["donor"])
    page = client.get(f"/money/grants/{w.grant.pk}/custody/", {"on": ON.isoformat()})
    assert page.status_code == 200
    drawn = re.findall(r'data-to="([^"]*)" data-amount="([^"]*)"', page.content.decode())
    assert len(drawn) == len(bands)
    assert sorted(D(a) for _t, a in drawn) == sorted(b.amount for b in bands)
    hop = next(h for h in found.hops if h.transfer.pk == w.t1.pk)
    assert ("Walk Intermediary (Chiang Mai)", str(hop.received_value)) in drawn
    assert "<script" not in page.content.decode().split('<svg class="flow"')[1].split("</svg>")[0]
    assert AGENT not in page.content.decode()


def _money_outputs(w):
    """Every money output but the claimant's own: the grant's donor report, CSV and custody
    (which count for anyone), the donor's IATI of the grant, and the border group's (the
    organisation the claim names as sender) custody and IATI file, as text."""
    out = {}
    for who in ("local", "donor", "second"):
        client = signed_in_client(w.editors[who])
        base = f"/money/grants/{w.grant.pk}"
        query = {"on": ON.isoformat()}
        if who != "second":
            out[f"{who} report"] = client.get(f"{base}/report/", query)
            out[f"{who} report.csv"] = client.get(f"{base}/report.csv", query)
            if who == "donor":
                out[f"{who} grant iati"] = client.get(f"{base}/iati.xml")
        out[f"{who} custody"] = client.get(f"{base}/custody/", query)
    second = signed_in_client(w.editors["second"])
    out["second iati"] = second.get(f"/api/exchange/exports/iati/{w.second.pk}.xml")
    for name, answer in out.items():
        assert answer.status_code == 200, (name, answer.content[:300])
    return {name: answer.content.decode("utf-8", "replace") for name, answer in out.items()}


def test_a_claimed_transfer_appears_in_no_money_output_until_confirmed(w):
    for name, text in _money_outputs(w).items():
        for marker in CLAIM_MARKERS:
            assert marker not in text, f"{name} shows the claim's {marker}"
    # Once the border group confirms its leg, the transfer counts: the test can fail.
    services.transfer_confirm(by=w.editors["second"], transfer=w.claim, leg="sent")
    shown = _money_outputs(w)
    assert "30000.00" in shown["donor report"]
    assert "3000000" in shown["local report.csv"]
    assert "30000.00" in shown["second iati"]


# --- A rate the table lacks: the reports say which, and leave its amounts out ---------------


def _drop_mmk_rates():
    from django.db.models import Q

    from corridor.funds.models import ExchangeRate

    ExchangeRate.objects.filter(Q(from_currency="MMK") | Q(to_currency="MMK")).delete()


def test_a_missing_rate_is_named_on_the_report_and_its_amounts_left_out(w):
    before = custody(w.grant, valued_on=ON).breakdown
    _drop_mmk_rates()
    from corridor.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="MMK"):  # the command line still refuses
        custody(w.grant, valued_on=ON)
    noted = custody(w.grant, valued_on=ON, missing_rates="note")
    assert {m["from"] + m["to"] for m in noted.missing_rates} == {"MMKUSD"}
    assert {"spent_on_activities", "exchange_differences"} <= noted.incomplete
    # What needs no MMK rate is exactly what it was with the whole table.
    for key in ("fees", "not_yet_sent", "in_transit", "disputed"):
        assert key not in noted.incomplete
        assert noted.breakdown[key] == before[key], key

    client = signed_in_client(w.editors["donor"])
    answer = client.get(f"/money/grants/{w.grant.pk}/report/", {"on": ON.isoformat()})
    assert answer.status_code == 200, answer.content
    page = answer.content.decode()
    note = re.search(r'<div class="error" role="note" id="missing-rates">(.*?)</div>', page, re.S)
    assert note
    assert "No market rate MMK→USD on or before" in note.group(1)
    spent = re.search(r'<tr data-part="spent_on_activities">.*?</tr>', page).group(0)
    assert "incomplete" in spent
    fees = re.search(r'<tr data-part="fees"><th scope="row">[^<]*</th><td class="n">([^<]*)<',
                     page)  # fmt: skip
    assert D(fees.group(1)) == before["fees"]
    assert "rate missing" in page  # the spending lines it could not convert

    rows = _report_csv(client, w)
    by_line = {}
    for row in rows[1:]:
        by_line.setdefault(row[0], []).append(row)
    assert by_line["missing_rate"][0][1:3] == ["market MMK→USD", by_line["missing_rate"][0][2]]
    assert by_line["missing_rate"][0][2] <= ON.isoformat()
    parts = {row[1]: row for row in by_line["part"]}
    assert all(row[7] == "" for row in by_line["spent"])  # not converted: left empty
    assert any(row[7] == "" for row in parts.values())  # the incomplete parts
    assert any(row[7] == str(before["fees"]) for row in parts.values())

    custody_page = client.get(f"/money/grants/{w.grant.pk}/custody/", {"on": ON.isoformat()})
    assert custody_page.status_code == 200
    assert "No market rate MMK→USD" in custody_page.content.decode()
    # IATI carries each amount in its own currency: it needs no rate, and answers as before.
    iati_file = client.get(f"/money/grants/{w.grant.pk}/iati.xml")
    assert iati_file.status_code == 200
    assert b"<iati-activities" in iati_file.content
