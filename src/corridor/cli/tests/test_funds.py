"""`corridor funds`: grants, custody, reconciliation and rates, in-process and through the
real entry point."""

from __future__ import annotations

import json
from decimal import Decimal

from corridor.cli.main import main
from corridor.funds.models import ExchangeRate
from corridor.funds.tests.test_walk import HAND
from corridor.testing.factories import TEST_PASSWORD
from corridor.testing.ledger import walk

SEED_WALK = "from corridor.testing.ledger import walk; walk()"


def _json(capsys) -> dict:
    return json.loads(capsys.readouterr().out)


def test_grants_custody_and_reconcile_in_process(db, capsys):
    w = walk()
    assert main(["funds", "grants", "--json"]) == 0
    assert _json(capsys)["grants"] == [
        {"id": str(w.grant.pk), "title": w.grant.title, "donor": "Walk Donor (Oslo)",
         "recipient": "Walk Local Group (Hpa-an)", "amount": "10000.00", "currency": "USD",
         "pledged_on": "2024-01-10"}
    ]  # fmt: skip
    assert main(["funds", "custody", str(w.grant.pk), "--json", "--on", "2024-04-15"]) == 0
    report = _json(capsys)
    assert (report["amount"], report["currency"]) == ("10000.00", "USD")
    assert report["breakdown"] == {name: f"{value:.2f}" for name, value in HAND.items()}
    assert sum(Decimal(v) for v in report["breakdown"].values()) == Decimal(report["amount"])
    assert main(["funds", "custody", str(w.grant.pk), "--on", "2024-04-15"]) == 0
    text = capsys.readouterr().out
    assert "exchange_differences" in text
    assert "111.71" in text
    assert "rate used: 2024-04-01 1 USD = 3700 MMK (market, walk market)" in text
    assert main(["funds", "reconcile", str(w.grant.pk), "--json", "--today", "2024-04-15"]) == 0
    kinds = sorted(m["kind"] for m in _json(capsys)["mismatches"])
    assert kinds == ["claimed_leg", "not_received", "received_short"]
    assert main(["funds", "custody", "not-an-id"]) == 1
    assert "is not a grant id" in capsys.readouterr().err


def test_rates_import_all_or_nothing_with_file_row_and_column(db, tmp_path, capsys):
    bad = tmp_path / "rates.csv"
    bad.write_text(
        "date,from,to,rate,kind,source\n"
        "2024-05-01,USD,MMK,3750,market,Bank A\n"
        "2024-05-01,USD,THB,abc,market,Bank A\n"
        "2024-05-01,USD,MMK,2100,street,Bank A\n"
    )
    assert main(["funds", "rates", "import", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "rates.csv, row 3, column rate: 'abc' is not a number" in out
    assert "rates.csv, row 4, column kind: 'street' is not one of official, market, agent" in out
    assert ExchangeRate.objects.count() == 0
    bad.write_text("date,from,to,rate,kind,source\n2024-05-01,USD,XYZ,1,market,Bank A\n")
    assert main(["funds", "rates", "import", str(bad)]) == 1
    assert "rates.csv, row 2, column to:" in capsys.readouterr().out
    good = tmp_path / "good.csv"
    good.write_text(
        "date,from,to,rate,kind,source\n"
        "2024-05-01,USD,MMK,3750,market,Bank A\n"
        "2024-05-01,USD,MMK,2100,official,Central Bank of Myanmar\n"
    )
    assert main(["funds", "rates", "import", str(good)]) == 0
    assert "2 rates added" in capsys.readouterr().out
    assert main(["funds", "rates", "list", "--json"]) == 0
    assert {(r["kind"], r["rate"]) for r in _json(capsys)["rates"]} == {
        ("market", "3750.0000000000"), ("official", "2100.0000000000")
    }  # fmt: skip


def test_through_the_entry_point(cli_instance):
    init = cli_instance.init_copied(
        "--no-input", "--admin-username", "admin", env={"CORRIDOR_ADMIN_PASSWORD": TEST_PASSWORD}
    )
    assert init.returncode == 0, init.stderr
    seeded = cli_instance.run("manage", "shell", "-v", "0", "-c", SEED_WALK)
    assert seeded.returncode == 0, seeded.stderr
    listed = cli_instance.run("funds", "grants", "--json")
    assert listed.returncode == 0, listed.stderr
    (grant,) = json.loads(listed.stdout)["grants"]
    assert (grant["donor"], grant["amount"], grant["currency"]) == (
        "Walk Donor (Oslo)", "10000.00", "USD"
    )  # fmt: skip
    shown = cli_instance.run("funds", "custody", grant["id"], "--json", "--on", "2024-04-15")
    assert shown.returncode == 0, shown.stderr
    report = json.loads(shown.stdout)
    assert sum(Decimal(v) for v in report["breakdown"].values()) == Decimal("10000.00")
    assert report["breakdown"]["exchange_differences"] == "111.71"
    added = cli_instance.run(
        "funds", "rates", "add", "--date", "2024-05-01", "--from", "usd", "--to", "mmk",
        "--rate", "3800", "--kind", "market", "--source", "Yangon money changer",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "1 USD = 3800" in added.stdout
