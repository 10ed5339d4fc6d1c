"""`corridor keys`, `corridor backup` and `corridor db` through the real entry point."""

import json

PASSWORD = "a long admin passphrase 7"
KEY_PASSPHRASE = "keys passphrase for the laptop"
BACKUP_PASSPHRASE = "a long backup passphrase 9"


def test_protect_rotate_retire_and_back_up_from_the_command_line(cli_instance, tmp_path):
    run = cli_instance.run
    init = run(
        "init", "--no-input", "--admin-username", "admin", env={"CORRIDOR_ADMIN_PASSWORD": PASSWORD}
    )
    assert init.returncode == 0, init.stderr
    assert "Encryption keys:" in init.stdout
    keyring_file = cli_instance.home / "keys" / "keyring.json"
    first_key = json.loads(keyring_file.read_text())["current"]
    seeded = run(
        "manage",
        "shell",
        "-c",
        "from corridor.testing.factories import IncidentFactory; "
        "[IncidentFactory(witnesses=f'w{i}', latitude=20.0, longitude=96.0) for i in range(3)]",
    )
    assert seeded.returncode == 0, seeded.stderr

    protected = run("keys", "protect", input=KEY_PASSPHRASE + "\n")
    assert protected.returncode == 0, protected.stderr
    assert first_key not in keyring_file.read_text()
    locked = run("keys", "status")
    assert locked.returncode == 1
    assert "CORRIDOR_KEY_PASSPHRASE" in locked.stderr

    unlocked = {"CORRIDOR_KEY_PASSPHRASE": KEY_PASSPHRASE}
    rotated = run("keys", "rotate", env=unlocked)
    assert rotated.returncode == 0, rotated.stderr
    assert "Re-encrypted 9 values" in rotated.stdout
    status = run("keys", "status", env=unlocked)
    assert "(protected by a passphrase)" in status.stdout
    assert "situation.incident.witnesses: " in status.stdout
    assert f"{first_key} " not in status.stdout.split("Encrypted values")[1]
    retired = run("keys", "retire", first_key, env=unlocked)
    assert retired.returncode == 0, retired.stderr
    assert first_key not in run("keys", "status", env=unlocked).stdout

    backup = tmp_path / "cli.corridor-backup"
    env = {**unlocked, "CORRIDOR_BACKUP_PASSPHRASE": BACKUP_PASSPHRASE}
    written = run("backup", str(backup), env=env)
    assert written.returncode == 0, written.stderr
    checked = run("backup", "--check", str(backup), env=env)
    assert checked.returncode == 0, checked.stderr
    assert "is intact" in checked.stdout
    wrong = run(
        "backup", "--check", str(backup), env={"CORRIDOR_BACKUP_PASSPHRASE": "x" * 20, **unlocked}
    )
    assert wrong.returncode == 1
    assert wrong.stderr.startswith("corridor backup: error: wrong passphrase")
    audit = run("audit", "list", "--limit", "5", env=unlocked)
    assert "key_change" in audit.stdout
    assert "export  backup" in audit.stdout


def test_new_key_line_fits_the_environment_variable(cli_instance):
    assert cli_instance.run("manage", "migrate", "-v0").returncode == 0
    made = cli_instance.run("keys", "new")
    assert made.returncode == 0, made.stderr
    line = made.stdout.strip()
    status = cli_instance.run("keys", "status", env={"CORRIDOR_ENCRYPTION_KEYS": line})
    assert status.returncode == 0, status.stderr
    assert "Keys from: CORRIDOR_ENCRYPTION_KEYS" in status.stdout
    assert not (cli_instance.home / "keys" / "keyring.json").exists()


def test_grant_app_role_on_sqlite_says_why_not(cli_instance):
    if "CORRIDOR_DATABASE_URL" in cli_instance.env:
        return  # the PostgreSQL lane runs the real grant in audit/tests/test_cli.py
    result = cli_instance.run("db", "grant-app-role", "corridor_app")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "corridor db: error: database roles exist only on PostgreSQL; this instance uses SQLite"
    )
