"""`corridor import` and `corridor export` through the real entry point, and kill -9 mid-import."""

from __future__ import annotations

import csv
import io
import os
import signal
import sqlite3
import subprocess
import time

import dj_database_url
import psycopg
import pytest

from corridor.aid.models import Activity
from corridor.cli.main import main
from corridor.testing.cli import CORRIDOR

INCIDENT_HEADER = "#meta+id,#date+occurred,#event+type,#adm3+code,#affected+killed\r\n"


def test_import_in_process_and_error_report(org, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text(
        "#org,#sector,#modality,#adm3+code,#date+reported,#reached+f+adults\r\n"
        "CRN,health,service,MMR004002,2024-03,9\r\n",
        encoding="utf-8",
    )
    assert main(["import", str(good), "--quiet"]) == 0
    assert "imported: 1 created, 0 changed, 0 removed, 0 unchanged" in capsys.readouterr().out
    assert Activity.objects.get().women == 9

    bad = tmp_path / "bad.csv"
    bad.write_text(good.read_text().replace(",9\n", ",nine\n"), encoding="utf-8")
    report = tmp_path / "errors.csv"
    assert main(["import", str(bad), "--quiet", "--report", str(report)]) == 1
    out = capsys.readouterr().out
    assert "bad.csv, row 2, column #reached+f+adults: not a whole number: 'nine'" in out
    assert report.read_text().splitlines()[1] == (
        "bad.csv,2,#reached+f+adults,nine,not a whole number: 'nine'"
    )
    assert Activity.objects.get().women == 9


def _incidents(path, rows, start=0):
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(INCIDENT_HEADER)
        for n in range(start, start + rows):
            out.write(f"INC-{n},2024-03-{1 + n % 28:02d},airstrike,MMR004002,{n % 3}\r\n")


def _count(instance, sql):
    url = instance.env.get("CORRIDOR_DATABASE_URL")
    if url:
        config = dj_database_url.parse(url)
        with psycopg.connect(
            host=config["HOST"],
            port=config["PORT"] or None,
            user=config["USER"],
            dbname=config["NAME"],
        ) as conn:
            return conn.execute(sql).fetchone()[0]
    with sqlite3.connect(instance.home / "corridor.sqlite3", timeout=10) as conn:
        return conn.execute(sql).fetchone()[0]


def test_entry_point_import_export_and_kill_minus_nine(cli_instance, tmp_path):
    assert cli_instance.init_copied("--no-input", timeout=300).returncode in (0, 1)
    big = tmp_path / "incidents.csv"
    _incidents(big, 40_000)
    proc = subprocess.Popen(
        [CORRIDOR, "import", str(big), "--resumable", "--batch-size", "500", "--quiet"],
        env=cli_instance.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 240
    batches = 0
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            batches = _count(cli_instance, "SELECT count(*) FROM exchange_importbatch")
        except (sqlite3.Error, psycopg.Error):
            batches = 0
        if batches >= 3:
            break
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.fail(f"import ended before it could be killed: {proc.communicate()}")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    committed = _count(cli_instance, "SELECT coalesce(sum(rows), 0) FROM exchange_importbatch")
    incidents = _count(cli_instance, "SELECT count(*) FROM situation_incident")
    assert committed >= 1500
    assert incidents == committed  # no partial batch, no lost batch
    assert committed < 40_000

    again = cli_instance.run("import", str(big), "--resumable", "--batch-size", "500", "--quiet")
    assert again.returncode == 0, again.stderr
    assert f"{committed // 500} batches already committed" in again.stdout
    assert _count(cli_instance, "SELECT count(*) FROM situation_incident") == 40_000

    exported = cli_instance.run("export", "hxl", "--kind", "incidents", "--internal")
    assert exported.returncode == 0, exported.stderr
    lines = exported.stdout.splitlines()
    assert len(lines) == 3 + 40_000  # the title row saying it is internal, header, hashtags
    assert lines[0].startswith("INTERNAL - ")
    assert lines[2].startswith("#meta+id,#date+occurred,#event+type")

    # Without --internal: the table for sharing, counts per township, type and month.
    shared = cli_instance.run("export", "hxl", "--kind", "incidents")
    assert shared.returncode == 0, shared.stderr
    title, _header, tags, *rows = list(csv.reader(io.StringIO(shared.stdout)))
    assert title[0].startswith("Corridor incidents for sharing")
    assert "#meta+id" not in tags
    killed = sum(n % 3 for n in range(40_000))
    assert [r[4:] for r in rows] == [
        ["MMR004002", rows[0][5], "airstrike", "2024-03", "40000", str(killed), "0", "0"]
    ]
