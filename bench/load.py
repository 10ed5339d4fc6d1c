"""A hub under load: the gap API for one month through `corridor serve`, at 1 and 32 connections.

Issue 18 §4 targets, on loopback: `GET /api/gaps/?month=…` at >= 10x Datasette's throughput on
the same SQLite data, p99 < 200 ms at 32 connections, no errors.

What it does, all on 127.0.0.1, and it ends by itself:
1. builds a throwaway instance (SQLite, or the PostgreSQL database in CORRIDOR_DATABASE_URL,
   dropped and made again) with bench/gaps.py's data: the shipped townships, 60 months of
   displacement figures and N activities;
2. signs one network administrator in (a session with a passed second factor, written to the
   database the way the sign-in pages leave it), so every server process reads the same session;
3. starts P `corridor serve` processes (waitress, T threads each) on free ports;
4. for each connection count C: C client threads, each with one keep-alive connection to server
   (thread number mod P), share a fixed budget of requests; prints requests/s, p50/p99 latency
   and errors (any answer but 200, or a failed connection);
5. with --datasette PATH (a `datasette` executable in a venv of its own, never the project's):
   serves the same SQLite file and asks it the same township x sector sums for the same month
   the same way, and prints Corridor's throughput as a multiple of Datasette's.

The client is a small Python load generator (threads + http.client), bounded by a request
count: wrk is not part of the project's install. It shares the CPU with the servers, so on a
2-core machine it caps what can be measured; the ratio to Datasette, measured by the same client
in the same run, is the fair figure.

6. with --baseline SRC (the src folder of another version of Corridor, e.g. main exported by
   `git archive main src | tar -x -C /tmp/base`): first serves the same instance with that code
   (PYTHONPATH=SRC) and measures it the same way, so old and new are compared in one run.

The first request to each server is timed alone: it computes the answer (decision 0271 keeps
computed answers per data version and audience, so later identical requests are served from
that cache until a write changes the data).

Run:  nice -n 10 .venv/bin/python bench/load.py --activities 100000
      nice -n 10 .venv/bin/python bench/load.py --datasette /tmp/ds/bin/datasette
      CORRIDOR_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/corridor_bench_load \\
          nice -n 10 .venv/bin/python bench/load.py --processes 2
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

CORRIDOR = str(Path(sys.executable).with_name("corridor"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

DATASETTE_SQL = """
SELECT admin_unit_id, sector,
       SUM(women + men + girls + boys + unspecified) AS reached,
       COUNT(DISTINCT organisation_id) AS organisations
FROM aid_activity
WHERE reporting_month = :month AND status IN ('ongoing', 'completed')
GROUP BY admin_unit_id, sector
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server on port {port} stopped (exit {process.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port} after {seconds} s")


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def prepare(activities: int, seed: int, out_dir: Path) -> tuple[str, str]:
    """Load the data and sign an administrator in; returns (month, session cookie value)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.settings")
    django.setup()
    from django.db import connection
    from gaps import load

    from corridor.accounts.models import GlobalRole, User
    from corridor.testing.signin import signed_in_client

    started = time.perf_counter()
    month = load(activities, seed, out_dir)
    # The rows were inserted past Corridor: build the monthly rollups the gap table reads
    # (decision 0225), as `corridor rollups rebuild` does.
    from corridor.aid.services import rollups_rebuild

    rollups_rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE aid_activity")
            cursor.execute("VACUUM ANALYZE situation_displacementfigure")
            cursor.execute("VACUUM ANALYZE aid_monthlyreach")
            cursor.execute("VACUUM ANALYZE aid_monthlyreachtotal")
    print(f"loaded {activities:,} activities in {time.perf_counter() - started:.0f} s")
    admin = User.objects.create_user(
        username="bench-admin", password=None, global_role=GlobalRole.ADMIN
    )
    session = signed_in_client(admin).cookies["sessionid"].value
    connection.close()
    return month.strftime("%Y-%m"), session


def drive(
    ports: list[int], path: str, headers: dict[str, str], connections: int, requests: int
) -> dict[str, float]:
    """``requests`` GETs of ``path`` over ``connections`` keep-alive connections."""
    budget = iter(range(requests))
    take = threading.Lock()
    latencies: list[float] = []
    errors = [0]

    def client(number: int) -> None:
        port = ports[number % len(ports)]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with take:
                if next(budget, None) is None:
                    break
            start = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                answer = connection.getresponse()
                answer.read()
                ok = answer.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            took = time.perf_counter() - start
            with take:
                latencies.append(took)
                errors[0] += not ok
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "rps": len(ordered) / elapsed,
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "errors": errors[0],
    }


def measure(
    label: str, run: Callable[[int, int], dict[str, float]], levels: list[int], requests: int
) -> dict[int, dict[str, float]]:
    results = {}
    for connections in levels:
        # Warm-up: a few requests on a few connections (threads' connections, caches, plans).
        run(min(connections, 4), min(connections, 4) * 2)
        result = run(connections, requests)
        results[connections] = result
        print(
            f"{label:<34} {connections:>3} conn  {result['rps']:>8.1f} req/s  "
            f"p50 {result['p50']:>7.1f} ms  p99 {result['p99']:>7.1f} ms  "
            f"errors {result['errors']:.0f}/{result['requests']:.0f}",
            flush=True,
        )
    return results


def serve_and_measure(
    label: str,
    env: dict[str, str],
    home: str,
    month: str,
    session: str,
    args: argparse.Namespace,
    levels: list[int],
) -> dict[int, dict[str, float]]:
    """Start the servers with ``env``, time the first answer, drive the levels, stop them."""
    ports = [free_port() for _ in range(args.processes)]
    server_log = (Path(home) / f"servers-{label}.log").open("w")
    servers = [
        subprocess.Popen(
            [CORRIDOR, "serve", "--port", str(port), "--threads", str(args.threads)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=server_log,  # waitress's "task queue depth" warnings, kept out of the table
        )
        for port in ports
    ]
    try:
        for port, server in zip(ports, servers, strict=True):
            wait_for(port, server)
        headers = {"Cookie": f"sessionid={session}", "Accept-Encoding": "gzip"}
        path = f"/api/gaps/?month={month}"
        for port in ports:
            check = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            started = time.perf_counter()
            check.request("GET", path, headers={"Cookie": headers["Cookie"]})
            answer = check.getresponse()
            body = answer.read()
            took = (time.perf_counter() - started) * 1000
            if answer.status != 200:
                raise RuntimeError(f"GET {path} answered {answer.status}")
            rows = len(json.loads(body)["rows"])
            print(f"{label}: GET {path}: {rows} rows, first answer {took:.0f} ms", flush=True)
        return measure(
            f"{label} /api/gaps/",
            lambda c, n: drive(ports, path, headers, c, n),
            levels,
            args.requests,
        )
    finally:
        stop(servers)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300, help="per connection count")
    parser.add_argument("--processes", type=int, default=1, help="`corridor serve` processes")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads per process")
    parser.add_argument("--connections", default="1,32", help="client connection counts")
    parser.add_argument("--datasette", metavar="PATH", help="a datasette executable to compare")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--baseline", metavar="SRC", help="src folder of the version to compare")
    args = parser.parse_args()
    # Stopped from outside (timeout, kill): still stop the servers this run started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    levels = [int(level) for level in args.connections.split(",")]
    url = os.environ.get("CORRIDOR_DATABASE_URL", "")
    if url:
        from gaps import ensure_pg_database

        ensure_pg_database(url)
    if args.datasette and url:
        parser.error("--datasette compares on one SQLite file: leave CORRIDOR_DATABASE_URL unset")
    with tempfile.TemporaryDirectory() as home:
        os.environ["CORRIDOR_HOME"] = home
        month, session = prepare(args.activities, args.seed, Path(home))
        database = "PostgreSQL" if url else "SQLite"
        print(
            f"{database}, {args.activities:,} activities, month {month}, "
            f"{args.processes} x `corridor serve --threads {args.threads}`, "
            f"{args.requests} requests per level, load {os.getloadavg()[0]:.1f}"
        )
        runs = [("corridor", {**os.environ, "CORRIDOR_HOME": home})]
        if args.baseline:
            base = str(Path(args.baseline).resolve())
            runs.insert(
                0,
                (
                    "baseline",
                    {
                        **os.environ,
                        "CORRIDOR_HOME": home,
                        "PYTHONPATH": base,
                        "PYTHONDONTWRITEBYTECODE": "1",
                    },
                ),
            )
        results = {}
        for label, env in runs:
            results[label] = serve_and_measure(label, env, home, month, session, args, levels)
        corridor = results["corridor"]
        if args.baseline:
            for connections in levels:
                ratio = corridor[connections]["rps"] / results["baseline"][connections]["rps"]
                print(f"corridor / baseline at {connections} connections: {ratio:.1f}x")
        if not args.datasette:
            return 0
        port = free_port()
        datasette = subprocess.Popen(
            [
                args.datasette,
                "serve",
                str(Path(home) / "corridor.sqlite3"),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--setting",
                "sql_time_limit_ms",
                "60000",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(port, datasette)
            query = urllib.parse.urlencode(
                {"sql": DATASETTE_SQL, "month": f"{month}-01", "_shape": "array"}
            )
            ds_path = f"/corridor.json?{query}"
            check = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            check.request("GET", ds_path)
            answer = check.getresponse()
            body = answer.read()
            if answer.status != 200:
                raise RuntimeError(f"datasette answered {answer.status}: {body[:200]!r}")
            print(f"datasette: {len(json.loads(body))} township x sector sums")
            other = measure(
                "datasette, same sums",
                lambda c, n: drive([port], ds_path, {"Accept-Encoding": "gzip"}, c, n),
                levels,
                args.requests,
            )
        finally:
            stop([datasette])
        for connections in levels:
            ratio = corridor[connections]["rps"] / other[connections]["rps"]
            print(f"corridor / datasette at {connections} connections: {ratio:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
