"""Benchmark: a sync bundle of 10,000 changed records, exported and imported (bench/README.md,
"Sync").

Two real instance folders (a field instance and a hub, each its own SQLite database, or each
its own PostgreSQL database when CORRIDOR_DATABASE_URL names a server: this script creates and
drops them), set up with the `corridor` command as docs/sync.md says. Then, in a child process
per instance so that each has its own Django and database:

1. the field instance records ``--records`` activities (bulk insert, not timed), then
   `bundle_export` to the hub is timed (versioning the new records, reading, encrypting);
2. the hub's `bundle_import` of that bundle is timed (verification, inserts, rollups);
3. the field instance edits every one of them (one UPDATE, not timed) and both steps are timed
   again: a bundle of changed records applied as updates.

Usage:
    .venv/bin/python bench/sync.py [--records 10000] [--profile DIR]

``--profile DIR`` writes each timed step's cProfile statistics to DIR (``new-export.prof``,
``new-import.prof``, ...; read them with ``python -m pstats``).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORRIDOR = str(Path(sys.executable).with_name("corridor"))
MAKE_ORGANISATION = (
    "from corridor.orgs.services import organisation_create; "
    "organisation_create(by=None, name='Karen Relief', acronym='KR', kind='local_cso')"
)


def corridor(home: Path, *args: str) -> str:
    env = {**os.environ, "CORRIDOR_HOME": str(home)}
    done = subprocess.run([CORRIDOR, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode not in (0,) and args[0] != "init":
        raise SystemExit(f"corridor {' '.join(args)}: {done.stderr}{done.stdout}")
    return done.stdout


def child(home: Path, *args: str) -> dict:
    env = {**os.environ, "CORRIDOR_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- in a child process, as one instance ---------------------------------------------------


def _setup():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.settings")
    django.setup()


def record(count: int) -> dict:
    _setup()
    import datetime as dt

    from corridor.aid.models import Activity
    from corridor.geo.models import AdminUnit
    from corridor.orgs.models import Organisation

    org = Organisation.objects.get(acronym="KR")
    places = list(AdminUnit.objects.filter(level=3).order_by("pk")[:300])
    rows = [
        Activity(
            organisation=org,
            sector="health",
            modality="in_kind",
            admin_unit=places[i % len(places)],
            reporting_month=dt.date(2026, 1 + i % 11, 1),
            women=i % 97,
            men=i % 89,
            girls=i % 13,
            boys=i % 11,
            village=f"village {i}",
            notes="distribution at the monastery",
        )
        for i in range(count)
    ]
    Activity.objects.bulk_create(rows, batch_size=1000)
    return {"recorded": count}


def edit() -> dict:
    _setup()
    from django.db.models import F

    from corridor.aid.models import Activity

    return {"edited": Activity.objects.update(women=F("women") + 1)}


def _timed(call, profile: str):
    """(the call's result, seconds), profiled into the file ``profile`` when one is named."""
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    result = call()
    if profiler is not None:
        profiler.disable()
    seconds = time.perf_counter() - started
    if profiler is not None:
        profiler.dump_stats(profile)
    return result, seconds


def export(to: str, out: str, profile: str = "") -> dict:
    _setup()
    from corridor.sync.services.bundles import bundle_export

    result, seconds = _timed(lambda: bundle_export(by=None, to=to), profile)
    Path(out).write_bytes(result.pieces[0])
    return {"seconds": seconds, "rows": result.rows, "bytes": len(result.pieces[0])}


def apply(path: str, profile: str = "") -> dict:
    _setup()
    from corridor.sync.services.bundles import bundle_import

    data = Path(path).read_bytes()
    (outcome,), seconds = _timed(lambda: bundle_import(by=None, files=[(path, data)]), profile)
    if outcome.applied is None:
        raise SystemExit(outcome.line)
    return {"seconds": seconds, "applied": outcome.applied}


# --- the orchestration ---------------------------------------------------------------------


def _databases(names: list[str]):
    """Fresh PostgreSQL databases for the instances when CORRIDOR_DATABASE_URL is set."""
    base = os.environ.get("CORRIDOR_DATABASE_URL", "")
    if not base:
        return {}, lambda: None
    import psycopg

    admin_url = base.rsplit("/", 1)[0] + "/postgres"
    urls = {}
    with psycopg.connect(admin_url, autocommit=True) as admin:
        for name in names:
            db = f"corridor_bench_sync_{name}"
            admin.execute(f'DROP DATABASE IF EXISTS "{db}"')
            admin.execute(f'CREATE DATABASE "{db}"')
            urls[name] = base.rsplit("/", 1)[0] + "/" + db

    def drop():
        with psycopg.connect(admin_url, autocommit=True) as admin:
            for url in urls.values():
                admin.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')

    return urls, drop


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--profile", metavar="DIR", default="")
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        what, *rest = args.child
        handler = {"record": record, "edit": edit, "export": export, "apply": apply}[what]
        values = [int(v) if v.isdigit() else v for v in rest]
        print(json.dumps(handler(*values)))
        return
    folder = Path(tempfile.mkdtemp(prefix="corridor-bench-sync-"))
    urls, drop = _databases(["hub", "field"])
    try:
        homes = {name: folder / name for name in ("hub", "field")}
        for name, home in homes.items():
            if name in urls:
                os.environ["CORRIDOR_DATABASE_URL"] = urls[name]
            corridor(home, "init", "--no-input")
            corridor(home, "sync", "identity", "--name", name, "-o", str(folder / f"{name}.json"))
        # Each child reads its database from the environment: keep one per instance.
        run_as = {name: urls.get(name, "") for name in homes}

        def on(name: str):
            if run_as[name]:
                os.environ["CORRIDOR_DATABASE_URL"] = run_as[name]
            return homes[name]

        prints = {n: json.loads((folder / f"{n}.json").read_text())["fingerprint"] for n in homes}
        corridor(on("hub"), "manage", "shell", "-c", MAKE_ORGANISATION)
        corridor(on("hub"), "sync", "peer", "add", str(folder / "field.json"), "--role", "field",
                 "--org", "KR", "--fingerprint", prints["field"])  # fmt: skip
        corridor(on("field"), "sync", "peer", "add", str(folder / "hub.json"), "--role", "hub",
                 "--fingerprint", prints["hub"])  # fmt: skip
        corridor(on("hub"), "sync", "export", "--to", "field", "-o", str(folder / "setup.bundle"))
        corridor(on("field"), "sync", "import", str(folder / "setup.bundle"))

        print(f"load average before: {os.getloadavg()[0]:.1f}")
        child(on("field"), "record", str(args.records))
        results = []
        for label, step in (("new records", None), ("edited records", "edit")):
            if step:
                child(on("field"), step)
            bundle = str(folder / f"{step or 'new'}.bundle")
            profiles = ["", ""]
            if args.profile:
                Path(args.profile).mkdir(parents=True, exist_ok=True)
                stem = str(Path(args.profile).resolve() / (step or "new"))
                profiles = [f"{stem}-export.prof", f"{stem}-import.prof"]
            out = child(on("field"), "export", "hub", bundle, *profiles[:1] if args.profile else ())
            into = child(on("hub"), "apply", bundle, *profiles[1:] if args.profile else ())
            results.append((label, out, into))
        engine = "PostgreSQL" if urls else "SQLite"
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        print("| database | bundle | records | export | import | bundle size | bytes per record |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for label, out, into in results:
            print(
                f"| {engine} | {label} | {out['rows']:,} | {out['seconds']:.1f} s | "
                f"{into['seconds']:.1f} s | {out['bytes'] / 1e6:.2f} MB | "
                f"{out['bytes'] / max(out['rows'], 1):.0f} |"
            )
    finally:
        drop()


if __name__ == "__main__":
    main()
