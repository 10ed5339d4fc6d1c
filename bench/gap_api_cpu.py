"""The CPU time of one kept answer of the gap API, in-process (no server, no load generator).

`bench/load.py` measures throughput through `corridor serve`, but on a shared 2-core machine its
numbers move with the load. This measures the work a server process does per kept request:
the whole Django request (middleware, session, sign-in, the view), by the Django test client,
`--requests` times after one request that computes the answer. It prints the median process
CPU time and wall time per request for an administrator, a coordinator and a member of one
organisation, and the SQL statements one kept request runs.

It runs on an instance that bench/gaps.py kept (`--keep DIR`), with the same CORRIDOR_HOME and
CORRIDOR_DATABASE_URL. It adds three users (and one membership), reused on a second run; no row
the gap table is computed from is written, so the data version does not change. To compare two
versions of the code in the same minute, run it twice with PYTHONPATH set to each version's
src folder (e.g. main exported by `git archive main src | tar -x -C /tmp/base`):

    CORRIDOR_HOME=/tmp/g/home nice -n 10 .venv/bin/python bench/gap_api_cpu.py --month 2024-12
    PYTHONPATH=/tmp/base/src CORRIDOR_HOME=/tmp/g/home \
        nice -n 10 .venv/bin/python bench/gap_api_cpu.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", default="2024-12")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from corridor.accounts.models import GlobalRole, Membership, User
    from corridor.orgs.models import Organisation
    from corridor.testing.signin import sign_in

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    organisation = Organisation.objects.order_by("pk").first()
    if organisation is None:
        raise SystemExit("no organisation: run bench/gaps.py --keep DIR first")

    def person(name: str, role: str) -> User:
        user = User.objects.filter(username=name).first()
        if user is None:
            user = User.objects.create_user(username=name, password=None, global_role=role)
        return user

    member = person("bench-cpu-member", GlobalRole.NONE)
    Membership.objects.get_or_create(user=member, organisation=organisation)
    people = {
        "administrator": person("bench-cpu-admin", GlobalRole.ADMIN),
        "coordinator": person("bench-cpu-coordinator", GlobalRole.COORDINATOR),
        "member": member,
    }
    path = "/api/gaps/"
    query = {"month": args.month}
    headers = {"HTTP_ACCEPT_ENCODING": "gzip"}
    print(f"{connection.vendor}, GET {path}?month={args.month}, {args.requests} kept requests")
    for label, user in people.items():
        client = sign_in(Client(), user)
        started = time.perf_counter()
        first = client.get(path, query, **headers)
        if first.status_code != 200:
            raise SystemExit(f"{label}: {path} answered {first.status_code}")
        computed_ms = (time.perf_counter() - started) * 1000
        queries: list[str] = []
        with connection.execute_wrapper(_noting(queries)):
            client.get(path, query, **headers)
        cpu, wall = [], []
        for _ in range(args.requests):
            started_cpu, started_wall = time.process_time(), time.perf_counter()
            answer = client.get(path, query, **headers)
            cpu.append(time.process_time() - started_cpu)
            wall.append(time.perf_counter() - started_wall)
            if answer.status_code != 200:
                raise SystemExit(f"{label}: {path} answered {answer.status_code}")
        print(
            f"{label:>13}: first (computed) {computed_ms:,.0f} ms; kept: CPU median "
            f"{statistics.median(cpu) * 1000:.2f} ms, wall median "
            f"{statistics.median(wall) * 1000:.2f} ms, {len(queries)} queries, "
            f"{len(first.content):,} bytes gzipped; load {os.getloadavg()[0]:.1f}"
        )
    return 0


def _noting(queries: list[str]):
    """A database execute wrapper that notes each SQL statement in ``queries``."""

    def note(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    return note


if __name__ == "__main__":
    sys.exit(main())
