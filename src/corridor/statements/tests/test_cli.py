"""`corridor statements` through the real entry point."""

from __future__ import annotations

import json

from corridor.statements.tests.test_publication import EXPECTED_MD, EXPECTED_TXT
from corridor.testing.factories import TEST_PASSWORD

SEED = "from corridor.testing.statements import endorsed_statement; endorsed_statement()"


def test_list_show_and_export_through_the_entry_point(cli_instance, tmp_path):
    init = cli_instance.init_copied(
        "--no-input", "--admin-username", "admin", env={"CORRIDOR_ADMIN_PASSWORD": TEST_PASSWORD}
    )
    assert init.returncode == 0, init.stderr
    seeded = cli_instance.run("manage", "shell", "-v", "0", "-c", SEED)
    assert seeded.returncode == 0, seeded.stderr

    listed = cli_instance.run("statements", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    (row,) = json.loads(listed.stdout)["statements"]
    assert row == {
        "id": row["id"],
        "title": "Joint statement on the fifth anniversary",
        "status": "published",
        "version": 1,
        "public_url": f"/s/{row['id']}/",
    }

    shown = cli_instance.run("statements", "show", row["id"], "--json")
    assert shown.returncode == 0, shown.stderr
    endorsers = sorted(
        (e["group"], e["name"], e["listed_as"]) for e in json.loads(shown.stdout)["endorsers"]
    )
    assert endorsers == [
        ("International", "Border Clinic Network", "display_name"),
        ("Japan", "Aiko Tanaka", "name"),
        ("Japan", "Hidden Hands Anonz4k8", "anonymous"),
        ("Japan", "Sakura Relief Japan", "name"),
        ("Norway", "Fjord Solidarity", "name"),
        ("Norway", "Quiet Rivers Anonx2m9", "anonymous"),
    ]

    for fmt, expected in (("md", EXPECTED_MD), ("txt", EXPECTED_TXT)):
        out = tmp_path / f"statement.{fmt}"
        export = cli_instance.run(
            "statements", "export", row["id"], "--format", fmt, "-o", str(out)
        )
        assert export.returncode == 0, export.stderr
        assert out.read_text(encoding="utf-8") == expected
    html = cli_instance.run("statements", "export", row["id"], "--format", "html")
    assert html.returncode == 0, html.stderr
    assert "2 organisations have requested anonymity." in html.stdout
    assert "Anonz4k8" not in html.stdout

    missing = cli_instance.run("statements", "show", "not-an-id")
    assert missing.returncode == 1
    assert "'not-an-id' is not a statement you may read" in missing.stderr
