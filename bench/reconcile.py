"""Reconciliation and chain of custody of 10 grants holding 100,000 transfers between them.

Issue 13's target: reconciliation of 100,000 transfers and 10 grants in under 5 s, on SQLite and
PostgreSQL. Each grant (USD, JPY, NOK or EUR) goes from its donor through two intermediaries
(THB) to local groups (MMK) and has 10,000 transfers: donor → first intermediary, first →
second, second → local groups, with fees, the channel's own rates, received legs mostly
confirmed (some claimed, some short, some not yet received), an open dispute now and then, and
spending on activities. Rows are loaded past the services (bulk inserts); then, timed in one
run: ``grant_reconcile(grant)`` for all 10 grants (the function `corridor funds reconcile`
calls) and ``custody(grant)`` for all 10 (`corridor funds custody`), each with a fresh rate book.

Run (SQLite):      CORRIDOR_HOME=$(mktemp -d) .venv/bin/python bench/reconcile.py
Run (PostgreSQL):  CORRIDOR_HOME=$(mktemp -d) \
    CORRIDOR_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/corridor_bench_reconcile \
    .venv/bin/python bench/reconcile.py
(the PostgreSQL database is dropped and created afresh.) Options: --transfers N (100,000),
--grants G (10), --repeat R (3), --seed S.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
import uuid
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.settings")

D = Decimal
CURRENCIES = ("USD", "JPY", "NOK", "EUR")
PER_USD = {"USD": D(1), "JPY": D(145), "NOK": D("10.5"), "EUR": D("0.92"), "THB": D(35),
           "MMK": D(3600)}  # fmt: skip
START = dt.date(2024, 1, 1)


def ensure_pg_database(url: str) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    admin = psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(config["NAME"])))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


def load(n_transfers: int, n_grants: int, seed: int) -> list:
    from django.core.management import call_command

    from corridor.aid.models import Activity
    from corridor.core.money import quantize
    from corridor.funds.models import Dispute, ExchangeRate, Grant, Spending, Transfer
    from corridor.orgs.models import Organisation
    from corridor.testing.factories import township

    call_command("migrate", verbosity=0)
    rng = random.Random(seed)
    unit = township("MMR005022")
    rates = []
    for month in range(24):
        on = (START + dt.timedelta(days=31 * month)).replace(day=1)
        # Every grant currency to the two it is passed on in (a custody converts directly).
        for code in CURRENCIES:
            for local in ("THB", "MMK"):
                drift = D(100 + rng.randint(-5, 5)) / 100
                rate = (PER_USD[local] / PER_USD[code] * drift).quantize(D("0.000001"))
                rates.append(ExchangeRate(on=on, from_currency=code, to_currency=local,
                                          rate=rate, kind="market", source="bench"))  # fmt: skip
    ExchangeRate.objects.bulk_create(rates)
    per_grant = n_transfers // n_grants
    grants = []
    for g in range(n_grants):
        donor, first, second = Organisation.objects.bulk_create([
            Organisation(name=f"Bench donor {g}", kind="donor", base_country="NO"),
            Organisation(name=f"Bench intermediary {g}", kind="ingo", base_country="TH"),
            Organisation(name=f"Bench border group {g}", kind="diaspora", base_country="TH"),
        ])  # fmt: skip
        locals_ = Organisation.objects.bulk_create(
            Organisation(name=f"Bench local {g}.{n}", kind="local_cso", base_country="MM")
            for n in range(20)
        )
        code = CURRENCIES[g % len(CURRENCIES)]
        grant = Grant.objects.create(
            donor=donor, recipient=locals_[0], title=f"Bench grant {g}",
            amount=quantize(PER_USD[code] * per_grant * 1000, code), currency=code,
            pledged_on=START, starts_on=START,
        )  # fmt: skip
        grants.append(grant)
        rows = []
        for n in range(per_grant):
            stage = n % 3
            sender, receiver, cur, to_cur, rate = (
                (donor, first, code, "THB", PER_USD["THB"] / PER_USD[code]),
                (first, second, "THB", "THB", None),
                (second, locals_[n % len(locals_)], "THB", "MMK", D(102)),
            )[stage]
            amount = quantize(D(rng.randint(100, 5000)) * PER_USD[cur], cur)
            fee = quantize(amount * rng.randint(0, 300) / 10000, cur)
            sent_on = START + dt.timedelta(days=rng.randrange(600))
            roll = rng.randrange(100)
            received = "" if roll < 5 else ("claimed" if roll < 10 else "confirmed")
            expected = (amount - fee) * (rate or 1)
            short = D(rng.randint(0, 3)) / 100 if roll % 7 == 0 else D(0)
            rows.append(Transfer(
                id=uuid.UUID(int=rng.getrandbits(128), version=4), grant=grant,
                from_organisation=sender, to_organisation=receiver, amount=amount, currency=cur,
                fee=fee, sent_on=sent_on, channel="informal" if stage == 2 else "bank",
                sent_state="claimed" if roll == 99 else "confirmed", rate=rate,
                received_state=received,
                received_amount=quantize(expected * (1 - short), to_cur) if received else None,
                received_currency=to_cur if received else "",
                received_on=sent_on + dt.timedelta(days=2) if received else None,
            ))  # fmt: skip
        Transfer.objects.bulk_create(rows, batch_size=2000)
        Dispute.objects.bulk_create(
            Dispute(transfer=t, opened_by=t.to_organisation, opened_on=t.sent_on, note="bench")
            for t in rows[:: max(per_grant // 20, 1)]
        )
        activities = Activity.objects.bulk_create(
            Activity(organisation=locals_[n], admin_unit=unit, sector="food_security",
                     modality="in_kind", reporting_month=START, status="completed", women=50)
            for n in range(len(locals_))
        )  # fmt: skip
        Spending.objects.bulk_create(
            Spending(grant=grant, activity=activities[n % len(activities)],
                     amount=quantize(D(rng.randint(1, 50)) * 100000, "MMK"), currency="MMK",
                     spent_on=START + dt.timedelta(days=rng.randrange(600)))
            for n in range(200)
        )  # fmt: skip
    return grants


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transfers", type=int, default=100_000)
    parser.add_argument("--grants", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    url = os.environ.get("CORRIDOR_DATABASE_URL", "")
    if url:
        ensure_pg_database(url)
    django.setup()
    from django.db import connection

    from corridor.funds.custody import custody
    from corridor.funds.reconcile import grant_reconcile

    started = time.perf_counter()
    grants = load(args.transfers, args.grants, args.seed)
    print(f"loaded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    today = dt.date(2025, 9, 1)
    timings: dict[str, list[float]] = {"reconcile": [], "custody": []}
    # This process's CPU time too: on a shared machine the wall time mostly measures the others.
    cpu: dict[str, list[float]] = {"reconcile": [], "custody": []}
    mismatches = parts_ok = 0
    for _ in range(args.repeat):
        begun, used = time.perf_counter(), time.process_time()
        found = [grant_reconcile(g, today=today) for g in grants]
        timings["reconcile"].append(time.perf_counter() - begun)
        cpu["reconcile"].append(time.process_time() - used)
        mismatches = sum(len(r.mismatches) for r in found)
        begun, used = time.perf_counter(), time.process_time()
        reports = [custody(g, valued_on=today) for g in grants]
        timings["custody"].append(time.perf_counter() - begun)
        cpu["custody"].append(time.process_time() - used)
        parts_ok = sum(1 for r in reports if sum(r.breakdown.values()) == r.grant.amount)
    print(f"database: {connection.vendor}; {args.transfers} transfers in {args.grants} grants")
    for name, values in timings.items():
        print(f"{name} of all grants: median {statistics.median(values):.2f} s, "
              f"best {min(values):.2f} s over {len(values)} runs; this process's CPU: median "
              f"{statistics.median(cpu[name]):.2f} s")  # fmt: skip
    print(f"mismatches listed: {mismatches}; custody reports adding up exactly: {parts_ok}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
