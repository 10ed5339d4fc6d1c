"""`corridor sync` through the real entry point: a hub and a field instance, each its own
instance folder (and database on the PostgreSQL lane), exchanging files as a field team does
(docs/sync.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corridor.testing.cli import throwaway_instance

MARKER = "MARKER-VILLAGE-7781"
MAKE_ORGANISATION = """
from corridor.orgs.services import organisation_create
organisation_create(by=None, name="Karen Relief", acronym="KR", kind="local_cso")
"""
RECORD_ACTIVITY = f"""
import datetime
from corridor.aid.models import Activity
from corridor.geo.models import AdminUnit
from corridor.orgs.models import Organisation
Activity.objects.create(
    organisation=Organisation.objects.get(acronym="KR"), sector="health", modality="in_kind",
    admin_unit=AdminUnit.objects.filter(level=3).order_by("pk").first(),
    reporting_month=datetime.date(2026, 11, 1), women=12, village="{MARKER}",
)
"""
COUNT_ACTIVITIES = """
from corridor.aid.models import Activity
print("activities", sum(a.village == "MARKER-VILLAGE-7781" for a in Activity.objects.all()))
"""


@pytest.fixture
def pair(tmp_path):
    with (
        throwaway_instance(tmp_path / "hub") as hub,
        throwaway_instance(tmp_path / "field") as field,
    ):
        for instance in (hub, field):
            assert instance.run("init", "--no-input", timeout=300).returncode in (0, 1)
        yield hub, field


def ok(instance, *args: str) -> str:
    result = instance.run(*args)
    assert result.returncode == 0, result.stderr + result.stdout
    return result.stdout


def test_a_field_instance_and_its_hub_exchange_records_by_file(pair, tmp_path: Path):
    hub, field = pair
    ok(hub, "manage", "shell", "-c", MAKE_ORGANISATION)
    out = ok(hub, "sync", "identity", "-o", str(tmp_path / "hub.json"), "--name", "hub")
    hub_identity = json.loads((tmp_path / "hub.json").read_text())
    assert hub_identity["fingerprint"] in out
    assert set(hub_identity) == {
        "format", "version", "id", "name", "signing_key", "encryption_key", "fingerprint"
    }  # fmt: skip
    ok(field, "sync", "identity", "-o", str(tmp_path / "field.json"), "--name", "field-kr")
    field_print = json.loads((tmp_path / "field.json").read_text())["fingerprint"]

    # The fingerprint is checked out of band: a wrong one, or none without a terminal, stops.
    wrong = field.run("sync", "peer", "add", str(tmp_path / "hub.json"), "--role", "hub",
                      "--fingerprint", "0000 1111")  # fmt: skip
    assert wrong.returncode == 1
    assert "do not register it" in wrong.stderr
    unasked = field.run("sync", "peer", "add", str(tmp_path / "hub.json"), "--role", "hub")
    assert unasked.returncode == 1
    assert "--fingerprint" in unasked.stderr
    ok(field, "sync", "peer", "add", str(tmp_path / "hub.json"), "--role", "hub",
       "--fingerprint", hub_identity["fingerprint"].replace(" ", "").upper())  # fmt: skip
    ok(hub, "sync", "peer", "add", str(tmp_path / "field.json"), "--role", "field",
       "--org", "KR", "--fingerprint", field_print)  # fmt: skip

    # The hub's first bundle sets the field instance up with its organisation.
    ok(hub, "sync", "export", "--to", "field-kr", "-o", str(tmp_path / "setup.bundle"))
    assert "applied 0 (bundle 1 from hub)" in ok(
        field, "sync", "import", str(tmp_path / "setup.bundle")
    )

    ok(field, "manage", "shell", "-c", RECORD_ACTIVITY)
    status = json.loads(ok(field, "sync", "status", "--json"))
    assert status["unversioned_edits"] == 1
    assert status["peers"][0]["name"] == "hub"

    out = ok(field, "sync", "export", "--to", "hub", "-o", str(tmp_path / "week.bundle"),
             "--chunk-size", "4K")  # fmt: skip
    assert "Bundle 1 for hub: 1 records" in out
    files = sorted(tmp_path.glob("week.bundle*"))
    assert files
    assert all(MARKER.encode() not in f.read_bytes() for f in files)

    result = hub.run("sync", "import", *map(str, reversed(files)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1
    assert "applied 1 (bundle 1 from field-kr)" in result.stdout
    assert "activities 1" in ok(hub, "manage", "shell", "-c", COUNT_ACTIVITIES)
    again = hub.run("sync", "import", *map(str, files))
    assert again.returncode == 1
    assert "refused: replayed: bundle 1 from field-kr" in again.stdout
    peer = json.loads(ok(hub, "sync", "status", "--json"))["peers"][0]
    assert (peer["name"], peer["last_bundle_in"], peer["revoked"]) == ("field-kr", 1, False)

    # Both sides change the record before they meet again: the later version is kept at both,
    # and the other is listed for review.
    edit = "from corridor.aid.models import Activity; Activity.objects.update(women={})"
    ok(hub, "manage", "shell", "-c", edit.format(30))
    ok(hub, "sync", "export", "--to", "field-kr", "-o", str(tmp_path / "hub-2.bundle"))
    ok(field, "manage", "shell", "-c", edit.format(40))
    ok(field, "sync", "export", "--to", "hub", "-o", str(tmp_path / "field-2.bundle"))
    assert "1 conflicts to review" in ok(field, "sync", "import", str(tmp_path / "hub-2.bundle"))
    assert "1 conflicts to review" in ok(hub, "sync", "import", str(tmp_path / "field-2.bundle"))
    women = "from corridor.aid.models import Activity; print('women', Activity.objects.get().women)"
    assert "women 40" in ok(hub, "manage", "shell", "-c", women)
    (listed,) = ok(hub, "sync", "conflicts").splitlines()
    assert '"women": 30' in listed
    ok(hub, "sync", "conflicts", "--reviewed", listed.split()[0])
    assert json.loads(ok(hub, "sync", "status", "--json"))["conflicts_to_review"] == 0

    ok(hub, "sync", "peer", "revoke", "field-kr")
    ok(field, "sync", "export", "--to", "hub", "-o", str(tmp_path / "late.bundle"))
    late = hub.run("sync", "import", str(tmp_path / "late.bundle"))
    assert late.returncode == 1
    assert "refused: sender 'field-kr' is revoked" in late.stdout


def test_export_and_import_draw_bars_on_stderr_only_and_not_with_no_progress(pair, tmp_path: Path):
    """Issue 14: progress bars on a terminal's stderr; stdout keeps its lines; --no-progress
    (or no terminal) draws none."""
    hub, field = pair
    ok(hub, "manage", "shell", "-c", MAKE_ORGANISATION)
    ok(hub, "sync", "identity", "-o", str(tmp_path / "hub.json"), "--name", "hub")
    ok(field, "sync", "identity", "-o", str(tmp_path / "field.json"), "--name", "field-kr")
    hub_print = json.loads((tmp_path / "hub.json").read_text())["fingerprint"]
    field_print = json.loads((tmp_path / "field.json").read_text())["fingerprint"]
    ok(field, "sync", "peer", "add", str(tmp_path / "hub.json"), "--role", "hub",
       "--fingerprint", hub_print)  # fmt: skip
    ok(hub, "sync", "peer", "add", str(tmp_path / "field.json"), "--role", "field",
       "--org", "KR", "--fingerprint", field_print)  # fmt: skip
    # rich (15) draws as on a terminal: the test's stderr is a pipe.
    terminal = {"TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1", "COLUMNS": "100"}

    def run(instance, *args: str, env: dict | None = None):
        result = instance.run(*args, env=env)
        assert result.returncode == 0, result.stderr + result.stdout
        return result

    # On a terminal: the bars, on stderr only.
    drawn = run(hub, "sync", "export", "--to", "field-kr", "-o", str(tmp_path / "1.bundle"),
                env=terminal)  # fmt: skip
    assert (
        drawn.stdout == f"Bundle 1 for field-kr: 0 records, written to {tmp_path / '1.bundle'}.\n"
    )
    for stage in ("Finding local edits", "Collecting changes", "Writing files"):
        assert stage in drawn.stderr
    applied = run(field, "sync", "import", str(tmp_path / "1.bundle"), env=terminal)
    assert "Reading files" in applied.stderr
    assert "Merging records" in applied.stderr
    assert "━" in applied.stderr  # a bar, not only its label
    assert applied.stdout.count("\n") == 1  # one line per bundle, as without bars
    assert "applied 0 (bundle 1 from hub)" in applied.stdout
    assert "\x1b[" not in applied.stdout

    # --no-progress on a terminal, and no terminal at all: no bars, the same stdout lines.
    ok(field, "manage", "shell", "-c", RECORD_ACTIVITY)
    quiet = run(field, "sync", "export", "--to", "hub", "-o", str(tmp_path / "2.bundle"),
                "--no-progress", env=terminal)  # fmt: skip
    assert quiet.stdout == f"Bundle 1 for hub: 1 records, written to {tmp_path / '2.bundle'}.\n"
    assert quiet.stderr == ""
    plain = run(hub, "sync", "import", str(tmp_path / "2.bundle"))
    assert plain.stderr == ""
    assert "applied 1 (bundle 1 from field-kr)" in plain.stdout
    again = hub.run("sync", "import", str(tmp_path / "2.bundle"), "--no-progress", env=terminal)
    assert again.returncode == 1
    assert again.stderr == ""
    assert "refused: replayed: bundle 1 from field-kr" in again.stdout
