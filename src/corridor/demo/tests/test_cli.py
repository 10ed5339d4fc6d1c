"""The demo through the real `corridor` entry point, as a person or a script runs it."""

import json
import stat

from corridor.demo.plan import SIZE
from corridor.demo.real_figures import REAL_INDICATORS

PASSWORD = "a long admin passphrase 7"


def status_counts(instance):
    result = instance.run("status", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["counts"]


def assert_demo_counts(counts, *, admins):
    assert counts["orgs.Organisation"] == SIZE.organisation_count
    assert counts["orgs.Coalition"] == len(SIZE.coalition_sizes)
    assert counts["aid.Activity"] == SIZE.activities
    assert counts["situation.DisplacementFigure"] == SIZE.townships * len(SIZE.reported_months)
    assert counts["situation.Incident"] == SIZE.incidents
    assert counts["situation.Indicator"] == len(REAL_INDICATORS)
    assert counts["funds.Transfer"] == SIZE.transfers
    assert counts["accounts.User"] == len(SIZE.users) + admins
    assert counts["accounts.Membership"] == SIZE.memberships


def test_load_demo_twice_gives_the_same_counts(cli_instance):
    init = cli_instance.run(
        "init",
        "--no-input",
        "--admin-username",
        "a",
        env={"CORRIDOR_ADMIN_PASSWORD": PASSWORD},
    )
    assert init.returncode == 0, init.stderr
    first = cli_instance.run("load-demo")
    assert first.returncode == 0, first.stderr
    assert f"activities: {SIZE.activities}" in first.stdout
    counts = status_counts(cli_instance)
    assert_demo_counts(counts, admins=1)

    second = cli_instance.run("load-demo")
    assert second.returncode == 0, second.stderr
    again = status_counts(cli_instance)
    # Only the audit trail grows: the second load is recorded, and adds no data.
    assert again.pop("audit.AuditEntry") > counts.pop("audit.AuditEntry")
    assert again == counts
    audit = cli_instance.run("manage", "shell", "-c", VERIFY_AUDIT)
    assert audit.stdout.strip().endswith("True"), audit.stderr


VERIFY_AUDIT = "from corridor.audit.services import audit_verify; print(audit_verify().ok)"


def test_demo_without_serving_prepares_a_full_instance(cli_instance):
    result = cli_instance.run("demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    assert "Demo ready" in result.stdout
    assert_demo_counts(status_counts(cli_instance), admins=1)
    secret = cli_instance.home / "demo-admin-password"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    # Demo users' passwords are never printed: only the demo admin's is.
    assert secret.read_text().strip() in result.stdout
    assert "demo-viewer" not in result.stdout
