"""`corridor statements brief` through the real entry point: a draft statement of the editor's
organisation, with the brief's text and footnotes."""

from __future__ import annotations

import json

from corridor.testing.factories import TEST_PASSWORD

SEED = "from corridor.testing.briefs import brief_world; brief_world('brief-editor')"
SECOND_ORGANISATION = (
    "from corridor.accounts.models import User; from corridor.testing import factories as f; "
    "f.MembershipFactory(user=User.objects.get(username='brief-editor'), "
    "organisation=f.OrganisationFactory(name='Second Relief'))"
)


def test_brief_through_the_entry_point(cli_instance):
    init = cli_instance.init_copied(
        "--no-input", "--admin-username", "admin", env={"CORRIDOR_ADMIN_PASSWORD": TEST_PASSWORD}
    )
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

    # An editor of two organisations names the one the draft belongs to.
    second = cli_instance.run("manage", "shell", "-v", "0", "-c", SECOND_ORGANISATION)
    assert second.returncode == 0, second.stderr
    args = ("statements", "brief", "--state", "MMR005", "--from", "2024-01", "--to", "2024-03")
    unnamed = cli_instance.run(*args, "--as", "brief-editor")
    assert unnamed.returncode == 1
    assert "brief-editor edits for 2 organisations; name the one" in unnamed.stderr
    named = cli_instance.run(*args, "--as", "brief-editor", "--owner", "Second Relief")
    assert named.returncode == 0, named.stderr
    shown = cli_instance.run("statements", "--as", "brief-editor", "list", "--json")
    ids = {row["id"] for row in json.loads(shown.stdout)["statements"]}
    assert ids == {statement_id, named.stdout.strip()}
