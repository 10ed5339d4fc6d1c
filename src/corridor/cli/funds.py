"""`corridor funds`: the money ledger for the instance's operator (docs/money.md).

    corridor funds grants [--json]                       each grant: id, donor, recipient, amount
    corridor funds custody GRANT [--json] [--on DATE] [--currency XXX]
                                 [--rate-kind market|official|agent]
    corridor funds reconcile GRANT [--json] [--today DATE] [--currency XXX] [--rate-kind K]
    corridor funds rates add --date D --from USD --to THB --rate 35.5 --kind market --source S
    corridor funds rates import FILE                     CSV: date,from,to,rate,kind,source
    corridor funds rates list [--json]
    corridor funds import FILE [--as USERNAME]           grants or transfers, CSV or XLSX

Amounts are printed as decimal strings, exact to the currency's minor unit. The reports are
internal (they name organisations and, to the operator, every hop): not for sharing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from corridor.cli import django_env

NAME = "funds"
HELP = "the money ledger: grants, chain of custody, reconciliation and exchange rates"
INTERNAL_NOTE = "internal: names organisations and every hop; not for sharing"
KINDS = ["market", "official", "agent"]


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from error


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except ArithmeticError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from error
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"{text!r} is not a number")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    grants = sub.add_parser("grants", help="list the grants: id, donor, recipient, amount")
    grants.add_argument("--json", action="store_true", help="print one JSON object")

    custody = sub.add_parser(
        "custody",
        help="one grant's chain of custody: parts that add up exactly to its amount",
        description="Where a grant's money is: sent, fees, in transit, unaccounted, spent, "
        "held by each organisation and exchange differences, in the grant's currency.",
    )
    custody.add_argument("grant", help="the grant's id")
    custody.add_argument("--json", action="store_true", help="print one JSON object")
    custody.add_argument("--on", type=_date, help="value holdings on this day (default today)")
    custody.add_argument(
        "--rates", "--rate-kind", dest="rates", choices=KINDS, default="market",
        help="which reference rates convert other currencies (default market)",
    )  # fmt: skip
    custody.add_argument(
        "--currency", metavar="CODE",
        help="value in this currency (ISO 4217) rather than the grant's",
    )  # fmt: skip

    reconcile = sub.add_parser("reconcile", help="one grant's mismatches, partners and holdings")
    reconcile.add_argument("grant", help="the grant's id")
    reconcile.add_argument("--json", action="store_true", help="print one JSON object")
    reconcile.add_argument("--today", type=_date, help="count ages up to this day (default today)")
    reconcile.add_argument(
        "--currency", metavar="CODE",
        help="also value each mismatch and holding in this currency (ISO 4217)",
    )  # fmt: skip
    reconcile.add_argument(
        "--rates", "--rate-kind", dest="rates", choices=KINDS, default="market",
        help="which rates value them in --currency (default market)",
    )  # fmt: skip

    rates = sub.add_parser("rates", help="the exchange-rate table")
    rates_sub = rates.add_subparsers(dest="rates_action", metavar="ACTION", required=True)
    add = rates_sub.add_parser("add", help="record one rate: 1 FROM = RATE TO on DATE")
    add.add_argument("--date", type=_date, required=True)
    add.add_argument("--from", dest="from_currency", required=True, metavar="CODE")
    add.add_argument("--to", dest="to_currency", required=True, metavar="CODE")
    add.add_argument("--rate", type=_decimal, required=True)
    add.add_argument("--kind", choices=["official", "market", "agent"], required=True)
    add.add_argument("--source", required=True, help="where the rate comes from")
    imp = rates_sub.add_parser(
        "import", help="add the rates a CSV lists (date,from,to,rate,kind,source); all or nothing"
    )
    imp.add_argument("file", type=Path)
    ledger = sub.add_parser(
        "import",
        help="create the grants or transfers a CSV/XLSX file lists (all or nothing)",
        description="A grants file holds donor, recipient, title, amount, currency, "
        "pledged_on, starts_on (and ends_on, purpose, sectors, reporting); a transfers file "
        "from, to, amount, currency, sent_on, channel (and fee, rate, received_amount, "
        "received_currency, received_on, grant, reference, intermediary), under the headers "
        "people write (English or Burmese, 'Date sent', 'Amount (USD)'), mapped as the import "
        "pipeline maps any file. Every error names the file, row and column; one error refuses "
        "the whole file. A row that is a stored record (same sides and reference, or date, "
        "amount, currency and channel) updates it: importing an updated file adds nothing twice.",
    )
    ledger.add_argument("file", type=Path, help="CSV or XLSX file")
    ledger.add_argument(
        "--as",
        dest="as_user",
        metavar="USERNAME",
        help="import as this person (their own side's legs confirmed, the other side's "
        "claimed); default: the operator",
    )
    listing = rates_sub.add_parser("list", help="print the rate table")
    listing.add_argument("--json", action="store_true", help="print one JSON object")


def _grant(text: str) -> Any:
    from uuid import UUID

    from corridor.core.errors import InvalidInput
    from corridor.funds.models import Grant

    try:
        pk = UUID(text)
    except ValueError as error:
        raise InvalidInput(f"{text!r} is not a grant id (see `corridor funds grants`)") from error
    grant = Grant.objects.select_related("donor", "recipient").filter(pk=pk).first()
    if grant is None:
        raise InvalidInput(f"no grant {text} (see `corridor funds grants`)")
    return grant


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _grants(args: argparse.Namespace) -> int:
    from corridor.funds.models import Grant

    rows = Grant.objects.select_related("donor", "recipient").order_by("pledged_on", "id")
    grants = [
        {"id": str(g.pk), "title": g.title, "donor": g.donor.name, "recipient": g.recipient.name,
         "amount": str(g.amount), "currency": g.currency, "pledged_on": g.pledged_on.isoformat()}
        for g in rows
    ]  # fmt: skip
    if args.json:
        _print_json({"grants": grants, "note": INTERNAL_NOTE})
        return 0
    for g in grants:
        print(f"{g['id']}  {g['amount']:>16} {g['currency']}  {g['donor']} → {g['recipient']}")
    print(f"{len(grants)} grants; {INTERNAL_NOTE}")
    return 0


def _choice(args: argparse.Namespace, day: dt.date | None) -> Any:
    from corridor.core.rules import today
    from corridor.funds.rates import reporting_choice

    return reporting_choice(
        currency=args.currency, rates=args.rates, on=day, today=today(), allow_both=False
    )


def _custody(args: argparse.Namespace) -> int:
    from corridor.funds.custody import custody

    choice = _choice(args, args.on)
    # A rate the table lacks is refused, naming the pair and the day (MissingRate).
    report = custody(_grant(args.grant), valued_on=choice.on, rate_kind=choice.kind,
                     currency=choice.currency)  # fmt: skip
    data = report.as_dict()
    if args.json:
        _print_json({**data, "note": INTERNAL_NOTE})
        return 0
    grant_amount = ""
    if report.in_other_currency:
        grant_amount = f" = {data['grant_amount']} {data['grant_currency']}"
    print(f"{data['title']}: {data['amount']} {data['currency']}{grant_amount} ({data['donor']} "
          f"→ {data['recipient']}), valued on {data['valued_on']} at {args.rates} "
          "rates")  # fmt: skip
    for name, amount in data["breakdown"].items():
        print(f"  {name:<40} {amount:>16}")
    print(f"  {'total':<40} {report.total:>16}")
    for rate in data["rates"]:
        print(f"  rate used: {rate['on']} 1 {rate['from']} = {rate['rate']} {rate['to']} "
              f"({rate['kind']}, {rate['source']})")  # fmt: skip
    for claim in data["claims"]:
        print(f"  not counted: the {claim['leg']} leg of {claim['transfer']} awaits "
              f"{claim['awaiting']}")  # fmt: skip
    print(INTERNAL_NOTE)
    return 0


def _reconcile(args: argparse.Namespace) -> int:
    from corridor.funds.reconcile import grant_reconcile

    choice = _choice(args, args.today)
    data = grant_reconcile(_grant(args.grant), today=choice.on, currency=choice.currency,
                           rate_kind=choice.kind).as_dict()  # fmt: skip
    if args.json:
        _print_json({**data, "note": INTERNAL_NOTE})
        return 0
    cur = data.get("value_currency", "")
    for m in data["mismatches"]:
        value = f"  = {m['value']:>16} {cur}" if cur else ""
        print(f"  {m['kind']:<22} {m['amount']:>16} {m['currency']}{value}  {m['age_days']:>4} "
              f"days  {m['must_act']} must act  {m['note']}")  # fmt: skip
    if cur:
        print(f"  {'total':<22} {data['mismatches_value']:>16} {cur} ({args.rates} rates)")
        for rate in data["rates"]:
            print(f"  rate used: {rate['on']} 1 {rate['from']} = {rate['rate']} {rate['to']} "
                  f"({rate['kind']}, {rate['source']})")  # fmt: skip
    print(f"{len(data['mismatches'])} mismatches; {INTERNAL_NOTE}")
    return 0


def _rates(args: argparse.Namespace) -> int:
    from corridor.funds.models import ExchangeRate
    from corridor.funds.services import rate_record, rates_import

    if args.rates_action == "add":
        row = rate_record(
            by=None, on=args.date, from_currency=args.from_currency.upper(),
            to_currency=args.to_currency.upper(), rate=args.rate, kind=args.kind,
            source=args.source,
        )  # fmt: skip
        print(f"recorded: {row}")
        return 0
    if args.rates_action == "import":
        from corridor.core.errors import InvalidInput

        if not args.file.is_file():
            raise InvalidInput(f"{args.file}: no such file")
        result = rates_import(by=None, path=args.file)
        if not result.ok:
            for error in result.errors[:20]:
                print(f"  {error}")
            print(f"refused: {len(result.errors)} errors, no rate added")
            return 1
        print(f"{result.file}: {result.created} rates added")
        return 0
    rows = [
        {"on": r.on.isoformat(), "from": r.from_currency, "to": r.to_currency,
         "rate": str(r.rate), "kind": r.kind, "source": r.source}
        for r in ExchangeRate.objects.order_by("on", "from_currency", "to_currency", "kind")
    ]  # fmt: skip
    if args.json:
        _print_json({"rates": rows})
    else:
        for r in rows:
            print(f"{r['on']}  1 {r['from']} = {r['rate']} {r['to']}  {r['kind']}  {r['source']}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from corridor.cli.acting import acting_user
    from corridor.core.errors import InvalidInput
    from corridor.exchange.ledger_import import ledger_import

    if not args.file.is_file():
        raise InvalidInput(f"{args.file}: no such file")
    result = ledger_import(by=acting_user(args.as_user), path=args.file)
    if not result.ok:
        for error in result.errors[:50]:
            print(f"  {error}")
        print(f"refused: {len(result.errors)} errors, nothing imported")
        return 1
    print(f"{result.file}: {result.created} {result.kind} imported")
    if result.changed or result.unchanged:
        # A file imported again: its rows that are stored records update them (decision 0367).
        print(f"  {result.changed} updated, {result.unchanged} unchanged (already imported)")
    return 0


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    if args.action == "import":
        return _import(args)
    if args.action == "grants":
        return _grants(args)
    if args.action == "custody":
        return _custody(args)
    if args.action == "reconcile":
        return _reconcile(args)
    return _rates(args)
