"""The demo through the real `corridor` entry point, as a person or a script runs it."""

import csv
import io
import json
import stat

import pytest
from lxml import etree
from pyxform.xls2xform import convert

from corridor.demo.plan import SIZE
from corridor.demo.real_figures import REAL_INDICATORS
from corridor.exchange.formats import iati
from corridor.testing.cli import throwaway_instance

PASSWORD = "a long admin passphrase 7"


@pytest.fixture(scope="module")
def prepared_demo(tmp_path_factory):
    """One `corridor demo --no-serve` and what it printed, shared by the tests that only read
    the demo instance (decision 0363): exports add audit entries, which no test here counts."""
    with throwaway_instance(tmp_path_factory.mktemp("demo") / "instance") as instance:
        yield instance, instance.run("demo", "--no-serve")


def status_counts(instance):
    result = instance.run("status", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["counts"]


def assert_demo_counts(counts, *, admins):
    assert counts["orgs.Organisation"] == SIZE.organisation_count
    assert counts["orgs.Coalition"] == len(SIZE.coalition_sizes)
    assert counts["aid.Activity"] == SIZE.activities
    assert counts["situation.DisplacementFigure"] == SIZE.figures
    assert counts["situation.Incident"] == SIZE.incidents
    assert counts["situation.Indicator"] == len(REAL_INDICATORS)
    assert counts["funds.Transfer"] == SIZE.transfers
    assert counts["accounts.User"] == len(SIZE.users) + admins
    assert counts["accounts.Membership"] == SIZE.memberships


def test_load_demo_twice_gives_the_same_counts(cli_instance):
    init = cli_instance.init_copied(
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


def test_demo_without_serving_prepares_a_full_instance(prepared_demo):
    instance, result = prepared_demo
    assert result.returncode == 0, result.stderr
    assert "Demo ready" in result.stdout
    assert_demo_counts(status_counts(instance), admins=1)
    secret = instance.home / "demo-admin-password"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    # Demo users' passwords are never printed: only the demo admin's is.
    assert secret.read_text().strip() in result.stdout
    assert "demo-viewer" not in result.stdout


def test_demo_instance_exports_iati_and_xlsform_through_the_entry_point(prepared_demo, tmp_path):
    instance, prepared = prepared_demo
    assert prepared.returncode == 0, prepared.stderr
    # An organisation as a person finds it: its id from the internal HXL export.
    table = instance.run("export", "hxl", "--kind", "activities", "--internal")
    assert table.returncode == 0, table.stderr
    rows = list(csv.reader(io.StringIO(table.stdout)))  # a title row, header, hashtags, rows
    org_at = rows[2].index("#org+code")
    org = rows[3][org_at]

    target = tmp_path / "org.xml"
    result = instance.run("export", "iati", "--org", org, "-o", str(target))
    assert result.returncode == 0, result.stderr
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    schema = etree.XMLSchema(etree.parse(str(iati.DATA / "iati-activities-schema.xsd"), parser))
    document = etree.parse(str(target), parser)
    assert schema.validate(document), schema.error_log
    activities, _, _, transactions = result.stderr.split()[:4]
    assert int(activities) > 0
    # Each 4W row is an iati-activity; transfers are the transactions of one more.
    extra = 1 if int(transactions) else 0
    assert len(document.findall("iati-activity")) == int(activities) + extra

    form = tmp_path / "displacement.xlsx"
    result = instance.run("export", "xlsform", "--form", "displacement", "-o", str(form))
    assert result.returncode == 0, result.stderr
    assert "<h:title>" in convert(xlsform=str(form)).xform
