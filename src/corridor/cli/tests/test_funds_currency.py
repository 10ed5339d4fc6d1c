"""`corridor funds custody|reconcile --currency XXX --rate-kind K` through the real entry point:
the walk valued in kyat at official rates by hand, and a missing rate refused naming the pair
and the day (docs/money.md, "Reports in another currency")."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from corridor.cli.main import main
from corridor.funds.tests.test_currency import HAND_IN
from corridor.testing.factories import TEST_PASSWORD
from corridor.testing.ledger import currency_rates, walk

SEED = "from corridor.testing.ledger import walk, currency_rates; walk(); currency_rates()"


def test_custody_and_reconcile_in_kyat_through_the_entry_point(cli_instance):
    init = cli_instance.init_copied(
        "--no-input", "--admin-username", "admin", env={"CORRIDOR_ADMIN_PASSWORD": TEST_PASSWORD}
    )
    assert init.returncode == 0, init.stderr
    seeded = cli_instance.run("manage", "shell", "-v", "0", "-c", SEED)
    assert seeded.returncode == 0, seeded.stderr
    (grant,) = json.loads(cli_instance.run("funds", "grants", "--json").stdout)["grants"]
    shown = cli_instance.run(
        "funds", "custody", grant["id"], "--json", "--on", "2024-04-15", "--currency", "MMK",
        "--rate-kind", "official",
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    report = json.loads(shown.stdout)
    amount, hand = HAND_IN[("MMK", "official")]
    assert (report["amount"], report["currency"]) == (str(amount), "MMK")
    assert report["breakdown"] == {key: str(value) for key, value in hand.items()}
    assert sum(Decimal(v) for v in report["breakdown"].values()) == amount
    reconciled = cli_instance.run(
        "funds", "reconcile", grant["id"], "--today", "2024-04-15", "--currency", "MMK",
    )  # fmt: skip
    assert reconciled.returncode == 0, reconciled.stderr
    assert "10280700 MMK (market rates)" in reconciled.stdout
    assert "rate used: 2024-02-01 1 THB = 100 MMK (market, walk market (currencies))" in (
        reconciled.stdout
    )
    refused = cli_instance.run(
        "funds", "custody", grant["id"], "--on", "2024-04-15", "--currency", "EUR",
        "--rate-kind", "agent",
    )  # fmt: skip
    assert refused.returncode == 1
    assert "no agent rate USD→EUR (or EUR→USD) on or before 2024-02-05" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_custody_text_in_euro_in_process(db, capsys):
    w = walk()
    currency_rates()
    args = ["funds", "custody", str(w.grant.pk), "--on", "2024-04-15", "--currency", "EUR"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "9000.00 EUR = 10000.00 USD" in out
    assert "exchange_differences" in out
    assert "-49.23" in out
    with pytest.raises(SystemExit):  # one kind at a time here: argparse refuses "both"
        main([*args, "--rates", "both"])
    assert "invalid choice: 'both'" in capsys.readouterr().err
    assert main(["funds", "custody", str(w.grant.pk), "--currency", "XYZ"]) == 1
    assert "XYZ is not a currency Corridor knows" in capsys.readouterr().err
