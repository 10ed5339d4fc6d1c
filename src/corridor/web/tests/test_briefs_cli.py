"""`corridor statements brief` through the real entry point: a draft statement of the editor's
organisation, with the brief's text and footnotes."""

from __future__ import annotations

import json

from corridor.testing.factories import TEST_PASSWORD

SEED = "from corridor.testing.briefs import brief_world; brief_world('brief-editor')"


def test_brief_through_the_entry_point(cli_instance):
    init = cli_instance.run(
        "init", "--no-input", "--admin-username", "admin",
        env={"CORRIDOR_ADMIN_PASSWORD": TEST_PASSWORD},
    )  # fmt: skip
    assert init.returncode == 0, init.stderr
    seeded = cli_instance.run("manage", "shell", "-v", "0", "-c", SEED)
    assert seeded.returncode == 0, seeded.stderr

    made = cli_instance.run(
        "statements", "brief", "--state", "MMR005", "--from", "2024-01", "--to", "2024-03",
        "--as", "brief-editor",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    statement_id = made.stdout.strip()

    listed = cli_instance.run("statements", "--as", "brief-editor", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    (row,) = json.loads(listed.stdout)["statements"]
    assert (row["id"], row["status"], row["version"]) == (statement_id, "draft", 1)
    assert (
        row["title"] == "Situation brief: Sagaing, January 2024 to March 2024"
    )  # the gazetteer's name

    without_editor = cli_instance.run(
        "statements", "brief", "--state", "MMR005", "--from", "2024-01", "--to", "2024-03"
    )
    assert without_editor.returncode == 1
    assert "name the editor with --as USERNAME" in without_editor.stderr
    unknown = cli_instance.run(
        "statements", "brief", "--state", "MMR999", "--from", "2024-01", "--to", "2024-03",
        "--as", "brief-editor",
    )  # fmt: skip
    assert unknown.returncode == 1
    assert "state 'MMR999' is not a state/region p-code" in unknown.stderr
