"""A copied instance (``Instance.init_copied``, decision 0371) is the one `corridor init` made."""

import json

from corridor.backup.tests.test_backup import CHECKSUMS, shell_json
from corridor.testing.cli import Instance

PASSWORD = "a long admin passphrase 7"
ANCHOR = "audit-anchor.json"


def files(home):
    """Every file and folder under ``home`` (itself included): its mode and its bytes."""
    found = {".": (home.stat().st_mode, None)}
    for path in sorted(home.rglob("*")):
        found[str(path.relative_to(home))] = (
            path.stat().st_mode,
            path.read_bytes() if path.is_file() else None,
        )
    return found


def test_a_copy_is_the_instance_init_made_with_its_own_database(cli_instance, cli_templates):
    init = cli_instance.init_copied(
        "--no-input", "--admin-username", "admin", env={"CORRIDOR_ADMIN_PASSWORD": PASSWORD}
    )
    assert init.returncode == 0, init.stderr
    assert "Administrator 'admin' created." in init.stdout  # a real init's own output
    template = cli_templates.copied_from[cli_instance.home]
    copied, made = files(cli_instance.home), files(template)

    # Same files, modes (the secret key and keyring stay 0600) and bytes, the SQLite file too;
    # only the audit anchor differs, and only in the database it names.
    assert copied.keys() == made.keys()
    assert {k: v for k, v in copied.items() if k != ANCHOR} == {
        k: v for k, v in made.items() if k != ANCHOR
    }
    anchor, original = (json.loads(found[ANCHOR][1]) for found in (copied, made))
    assert anchor.pop("database") != original.pop("database")
    assert anchor == original
    assert copied[ANCHOR][0] == made[ANCHOR][0]

    # The anchor names this instance's own database: the trail verifies here, not moved.
    verified = cli_instance.run("audit", "verify")
    assert verified.returncode == 0, verified.stderr + verified.stdout
    assert "Audit trail intact" in verified.stdout

    # On PostgreSQL the database is the template's, row for row, under the copy's own name.
    url = cli_instance.env.get("CORRIDOR_DATABASE_URL")
    if url:
        # The template's anchor names the template database; only it is read, never changed.
        name = json.loads((template / ANCHOR).read_text())["database"].rsplit("/", 1)[1]
        on_template = {
            **cli_instance.env,
            "CORRIDOR_DATABASE_URL": f"{url.rsplit('/', 1)[0]}/{name}",
        }
        original_rows = shell_json(Instance(cli_instance.home, on_template), CHECKSUMS)
        assert name != url.rsplit("/", 1)[1]
        assert shell_json(cli_instance, CHECKSUMS) == original_rows


def test_the_next_test_copies_the_same_template(cli_instance, cli_templates, tmp_path):
    """pytest names the running test in the environment; a later test with the same init
    arguments and settings takes a copy of the same template, not a new init."""
    cli_instance.env.pop("CORRIDOR_DATABASE_URL", None)  # two copies, one lane's database each
    args = ("--no-input", "--admin-username", "admin")
    env = {"CORRIDOR_ADMIN_PASSWORD": PASSWORD}
    first = cli_instance.init_copied(*args, env=env)
    assert first.returncode == 0, first.stderr
    later = Instance(
        tmp_path / "later",
        {**cli_instance.env, "PYTEST_CURRENT_TEST": "test_later.py::test_later (setup)"},
        cli_templates,
    )
    assert later.env["PYTEST_CURRENT_TEST"] != cli_instance.env.get("PYTEST_CURRENT_TEST")
    assert later.init_copied(*args, env=env) is first
    assert cli_templates.copied_from[later.home] == cli_templates.copied_from[cli_instance.home]
    # Any other setting is still a different init.
    other = Instance(tmp_path / "other", {**cli_instance.env, "CORRIDOR_LOG_LEVEL": "DEBUG"},
                     cli_templates)  # fmt: skip
    assert other.init_copied(*args, env=env) is not first
