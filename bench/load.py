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
4. for each connection count C: with wrk (found on PATH, or --wrk PATH), C keep-alive
   connections for --seconds, each wrk thread on one server process (a Lua script); without it,
   C client threads of the bench's own Python client (threads + http.client), each with one
   keep-alive connection to server (thread number mod P), share a fixed budget of requests.
   Prints requests/s, p50/p99 latency, errors (any answer but 200, or a failed connection),
   and the CPU time per answered request of the servers (/proc: utime + stime of the processes
   and their children) and of the client;
5. with --datasette PATH (a `datasette` executable in a venv of its own, never the project's):
   serves the same SQLite file and asks it the same township x sector sums for the same month
   the same way, and prints Corridor's throughput as a multiple of Datasette's.

wrk is not part of the project's install (Debian: `apt-get install wrk`); the Python client is
the fallback (--python-client forces it). Either shares the CPU with the servers, so on a
2-core machine it caps what can be measured; the ratio to Datasette, measured by the same client
in the same run, is the fair figure.

6. with --granian: also serves the same instance through granian's WSGI interface (one worker
   and T blocking threads per process, P processes), the candidate server of issue 18 §4;
7. with --baseline SRC (the src folder of another version of Corridor, e.g. main exported by
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
import resource
import shutil
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
    """Load the data and sign an administrator in; returns (month, session cookie values: the
    sign-in of this version, and the same for a version from before decision 0388)."""
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
    # The same person's second session names Django's own ModelBackend, the one a --baseline
    # from before decision 0388 knows (this version's names accounts.backends.UserBackend).
    from django.contrib.sessions.backends.db import SessionStore

    legacy = SessionStore()
    legacy.update(SessionStore(session_key=session).load())
    legacy["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    legacy.save()
    connection.close()
    return month.strftime("%Y-%m"), (session, legacy.session_key)


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
    cpu = time.process_time()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    client_cpu = time.process_time() - cpu
    ordered = sorted(latencies)
    return {
        "client_cpu": client_cpu,
        "requests": len(ordered),
        "rps": len(ordered) / elapsed,
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "errors": errors[0],
    }


# wrk's Lua hooks: each wrk thread connects to one server process (round robin over the ports),
# every answer but a 200 counts as an error, and done() prints one JSON line for the bench.
WRK_SCRIPT = """
local ports = {%(ports)s}
local threads = {}
local started = 0
function setup(thread)
  started = started + 1
  thread.addr = wrk.lookup("127.0.0.1", tostring(ports[(started - 1) %% #ports + 1]))[1]
  table.insert(threads, thread)
end
function init(args)
  bad = 0
end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("bad") end
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %%d, "micros": %%d, "p50": %%d, "p99": %%d, "socket": %%d, "bad": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, bad))
end
"""


def drive_wrk(
    wrk: str, ports: list[int], path: str, headers: dict[str, str], connections: int, seconds: int
) -> dict[str, float]:
    """wrk for ``seconds`` over ``connections`` keep-alive connections, spread over ``ports``."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT % {"ports": ", ".join(map(str, ports))})
        script.flush()
        threads = min(connections, max(2, len(ports)))
        command = [wrk, "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s"]
        command += ["--timeout", "60s", "-s", script.name]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            [*command, f"http://127.0.0.1:{ports[0]}{path}"],
            capture_output=True,
            text=True,
            check=True,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next(line for line in done.stdout.splitlines() if line.startswith("WRK "))
    figures = json.loads(line[4:])
    return {
        "client_cpu": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
        "requests": figures["requests"],
        "rps": figures["requests"] / (figures["micros"] / 1e6),
        "p50": figures["p50"] / 1000,
        "p99": figures["p99"] / 1000,
        "errors": figures["socket"] + figures["bad"],
    }


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time so far of these processes and their living children (Linux /proc)."""
    parent_of, used = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # it ended while we looked
            continue
        # After the name: state, ppid, ..., utime and stime (fields 14 and 15 of proc(5)).
        parent_of[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = int(fields[11]) + int(fields[12])
    tree = set(pids)
    while True:
        more = {pid for pid, parent in parent_of.items() if parent in tree} - tree
        if not more:
            break
        tree |= more
    return sum(used.get(pid, 0) for pid in tree) / os.sysconf("SC_CLK_TCK")


Run = Callable[[int, int], dict[str, float]]


def measure(
    label: str, run: Run, warm: Run, levels: list[int], requests: int, servers: list[int]
) -> dict[int, dict[str, float]]:
    """Each level after a light warm-up; with the servers' CPU time per answered request."""
    results = {}
    for connections in levels:
        # Warm-up: a few requests on a few connections (threads' connections, caches, plans).
        warm(min(connections, 4), min(connections, 4) * 2)
        before = cpu_seconds(servers)
        result = run(connections, requests)
        result["server_cpu"] = cpu_seconds(servers) - before
        results[connections] = result
        answered = max(result["requests"], 1)
        print(
            f"{label:<34} {connections:>3} conn  {result['rps']:>8.1f} req/s  "
            f"p50 {result['p50']:>7.1f} ms  p99 {result['p99']:>7.1f} ms  "
            f"errors {result['errors']:.0f}/{result['requests']:.0f}  "
            f"CPU/req server {result['server_cpu'] / answered * 1000:.2f} ms, "
            f"client {result['client_cpu'] / answered * 1000:.2f} ms  "
            f"load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    return results


def drivers(args: argparse.Namespace, ports: list[int], path: str, headers: dict[str, str]):
    """(run, warm-up) for these servers: wrk for a fixed time if we have it, else the Python one."""

    def python(connections: int, requests: int) -> dict[str, float]:
        return drive(ports, path, headers, connections, requests)

    if not args.wrk:
        return python, python

    def wrk(connections: int, _requests: int) -> dict[str, float]:
        return drive_wrk(args.wrk, ports, path, headers, connections, args.seconds)

    return wrk, python


def server_command(server: str, port: int, threads: int) -> list[str]:
    if server == "granian":
        # The candidate: granian's WSGI interface, one worker process, `threads` blocking threads.
        return [
            sys.executable, "-m", "granian", "--interface", "wsgi", "--workers", "1",
            "--blocking-threads", str(threads), "--host", "127.0.0.1", "--port", str(port),
            "--no-ws", "--log-level", "warning", "corridor.wsgi:application",
        ]  # fmt: skip
    return [CORRIDOR, "serve", "--port", str(port), "--threads", str(threads)]


def serve_and_measure(
    label: str,
    server: str,
    env: dict[str, str],
    home: str,
    month: str,
    sessions: tuple[str, ...],
    args: argparse.Namespace,
    levels: list[int],
) -> dict[int, dict[str, float]]:
    """Start the servers with ``env``, time the first answer, drive the levels, stop them.
    The first of ``sessions`` that the servers' code accepts is used (a refused one is gone:
    the sign-in middleware flushes it)."""
    ports = [free_port() for _ in range(args.processes)]
    server_log = (Path(home) / f"servers-{label}.log").open("w")
    servers = [
        subprocess.Popen(
            server_command(server, port, args.threads),
            env={**env, "DJANGO_SETTINGS_MODULE": "corridor.settings"},
            stdout=subprocess.DEVNULL,
            stderr=server_log,  # waitress's "task queue depth" warnings, kept out of the table
        )
        for port in ports
    ]
    try:
        for port, process in zip(ports, servers, strict=True):
            wait_for(port, process)
        path = f"/api/gaps/?month={month}"
        for port in ports:
            for session in sessions:
                check = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                started = time.perf_counter()
                check.request("GET", path, headers={"Cookie": f"sessionid={session}"})
                answer = check.getresponse()
                body = answer.read()
                took = (time.perf_counter() - started) * 1000
                if answer.status == 401 and session != sessions[-1]:
                    continue  # signed in through a backend this version does not know
                if answer.status != 200:
                    raise RuntimeError(f"GET {path} answered {answer.status}")
                sessions = (session,)
                break
            rows = len(json.loads(body)["rows"])
            print(f"{label}: GET {path}: {rows} rows, first answer {took:.0f} ms", flush=True)
        headers = {"Cookie": f"sessionid={sessions[0]}", "Accept-Encoding": "gzip"}
        run, warm = drivers(args, ports, path, headers)
        pids = [process.pid for process in servers]
        return measure(f"{label} /api/gaps/", run, warm, levels, args.requests, pids)
    finally:
        stop(servers)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300, help="per level (Python client)")
    parser.add_argument("--processes", type=int, default=1, help="server processes")
    parser.add_argument("--threads", type=int, default=8, help="server threads per process")
    parser.add_argument("--connections", default="1,32", help="client connection counts")
    parser.add_argument("--datasette", metavar="PATH", help="a datasette executable to compare")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--baseline", metavar="SRC", help="src folder of the version to compare")
    parser.add_argument(
        "--wrk",
        metavar="PATH",
        default=shutil.which("wrk"),
        help="the load tool (default: wrk on PATH; without it, the bench's Python client)",
    )
    parser.add_argument("--python-client", action="store_true", help="do not use wrk")
    parser.add_argument("--seconds", type=int, default=10, help="per level, with wrk")
    parser.add_argument(
        "--granian",
        action="store_true",
        help="also serve through granian's WSGI interface, the candidate server (needs granian "
        "in this venv: `.venv/bin/uv pip install granian`; it is not in the project's lock)",
    )
    args = parser.parse_args()
    if args.python_client:
        args.wrk = None
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
        month, sessions = prepare(args.activities, args.seed, Path(home))
        database = "PostgreSQL" if url else "SQLite"
        client = f"wrk ({args.wrk}), {args.seconds} s" if args.wrk else f"{args.requests} requests"
        print(
            f"{database}, {args.activities:,} activities, month {month}, "
            f"{args.processes} processes x {args.threads} threads, "
            f"client: {client} per level, load {os.getloadavg()[0]:.1f}"
        )
        env = {**os.environ, "CORRIDOR_HOME": home}
        runs = [("corridor", "corridor", env)]
        if args.granian:
            runs.append(("granian", "granian", env))
        if args.baseline:
            base = str(Path(args.baseline).resolve())
            old = {**env, "PYTHONPATH": base, "PYTHONDONTWRITEBYTECODE": "1"}
            runs.insert(0, ("baseline", "corridor", old))
        results = {}
        for label, server, run_env in runs:
            # A refused session is flushed: the baseline tries the old backend's first, so
            # this version's session is left for the runs after it.
            tries = sessions[::-1] if label == "baseline" else sessions[:1]
            results[label] = serve_and_measure(
                label, server, run_env, home, month, tries, args, levels
            )
        corridor = results["corridor"]
        for other_label in ("baseline", "granian"):
            if other_label in results:
                for connections in levels:
                    other = results[other_label][connections]["rps"]
                    ratio = other / corridor[connections]["rps"]
                    print(f"{other_label} / corridor at {connections} connections: {ratio:.2f}x")
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
            run, warm = drivers(args, [port], ds_path, {"Accept-Encoding": "gzip"})
            datasette_results = measure(
                "datasette, same sums", run, warm, levels, args.requests, [datasette.pid]
            )
        finally:
            stop([datasette])
        for label, result in results.items():
            for connections in levels:
                ratio = result[connections]["rps"] / datasette_results[connections]["rps"]
                print(f"{label} / datasette at {connections} connections: {ratio:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
