"""Money is exact: the currency table, quantising to the minor unit, and no float anywhere on
the money code paths (an AST scan that fails on any)."""

from __future__ import annotations

import ast
import csv
from decimal import Decimal
from pathlib import Path

import pytest

from corridor.core import money
from corridor.core.errors import InvalidInput

SRC = Path(money.__file__).resolve().parents[1]
#: The code that touches money: the ledger app, the money module, its command and its demo, the
#: money reports, the ledger import (its format, kind and run) and the custody picture.
MONEY_PATHS = [
    SRC / "funds",
    SRC / "core" / "money.py",
    SRC / "cli" / "funds.py",
    SRC / "demo" / "ledger.py",
    SRC / "demo" / "money.py",
    SRC / "exchange" / "ledger_reports.py",
    SRC / "exchange" / "ledger_import.py",
    SRC / "exchange" / "formats" / "ledger.py",
    SRC / "exchange" / "kinds" / "ledger.py",
    SRC / "exchange" / "kinds" / "ledger_run.py",
    SRC / "web" / "flow.py",
]


def money_files() -> list[Path]:
    found = []
    for path in MONEY_PATHS:
        files = [path] if path.is_file() else sorted(path.rglob("*.py"))
        found += [f for f in files if "migrations" not in f.parts]
    return found


def float_uses(path: Path) -> list[str]:
    """Every float literal, use of the name ``float`` (a call, an annotation) and ``math.fsum``
    in ``path``, as ``file:line: what``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, float):
            found.append(f"{path.name}:{node.lineno}: float literal {node.value!r}")
        elif isinstance(node, ast.Name) and node.id == "float":
            found.append(f"{path.name}:{node.lineno}: the name float")
        elif isinstance(node, ast.Attribute) and node.attr in ("fsum", "float_info"):
            found.append(f"{path.name}:{node.lineno}: math.{node.attr}")
    return found


def allowed(line: str, path: Path) -> bool:
    """``isinstance(x, float)`` is how the code refuses a float: that use is the guard."""
    number = int(line.split(":")[1])
    text = path.read_text(encoding="utf-8").splitlines()[number - 1]
    return "isinstance(" in text and "float)" in text


def test_no_float_on_the_money_paths():
    files = money_files()
    assert len(files) >= 8, files  # the scan sees the ledger's modules
    problems = [u for f in files for u in float_uses(f) if not allowed(u, f)]
    assert problems == []


def test_the_scan_finds_floats(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("a = 0.1\nb = float('2')\ndef f(x: float) -> None: ...\n")
    assert [u.split(": ", 1)[1] for u in float_uses(sample)] == [
        "float literal 0.1", "the name float", "the name float",
    ]  # fmt: skip


def test_currency_table_is_data_with_provenance():
    with money.TABLE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["code"] for r in rows] == list(money.CURRENCIES)
    for row in rows:
        assert len(row["code"]) == 3
        assert row["code"].isupper()
        # Every currency fits the database's places; a difference from ISO says why.
        assert int(row["minor_units"]) <= money.AMOUNT_PLACES
        assert row["minor_units"] == row["iso_minor_units"] or row["note"]
    assert (money.TABLE.parent / "currencies.md").read_text().count("ISO 4217") >= 1
    assert money.currency("MMK").minor_units == 0
    assert money.currency("MMK").iso_minor_units == 2
    assert money.currency("JPY").quantum == Decimal("1")
    assert money.currency("USD").quantum == Decimal("0.01")


@pytest.mark.parametrize(
    ("amount", "code", "expected"),
    [
        ("1500.5", "MMK", "1500"),  # half to even
        ("1501.5", "MMK", "1502"),
        ("10.005", "USD", "10.00"),
        ("10.015", "USD", "10.02"),
        ("99.5", "JPY", "100"),
        (7, "THB", "7.00"),
    ],
)
def test_quantize_to_the_minor_unit(amount, code, expected):
    assert str(money.quantize(amount, code)) == expected


def test_floats_and_unknown_currencies_are_refused():
    with pytest.raises(TypeError, match="never a float"):
        money.quantize(0.1, "USD")
    with pytest.raises(InvalidInput, match="unknown currency 'XYZ'"):
        money.quantize(Decimal(1), "XYZ")
    with pytest.raises(InvalidInput, match="not an amount"):
        money.as_decimal("1,000")
    assert not money.is_exact(Decimal("1500.50"), "MMK")
    assert money.is_exact(Decimal("1500.00"), "MMK")
    assert money.text(Decimal("14406000.00"), "MMK") == "14406000"
    assert money.rate_text(Decimal("3650.0000000000")) == "3650"
    assert money.rate_text(Decimal("35.7000000000")) == "35.7"
