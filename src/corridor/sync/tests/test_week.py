"""A week of field work carried by file, end to end: a hub on PostgreSQL and two field
instances on embedded SQLite, each a separate instance folder driven through the real
`corridor` entry point (docs/sync.md, decisions 0275-0278, 0295-0296).

Two field teams (Karen Relief in Kalay, Chin Aid in Hakha) record activities, incidents with
their sources, displacement figures and a transfer received against a grant; they correct and
remove records, carry bundles to the hub (one split into chunks, one lost in the post and
delivered late, one tampered with on the way), the hub answers, and a coordinator at the hub
corrects a record that the Kalay team changed the same day: a conflict, settled at the hub by
taking the hub's side, which then reaches Kalay. At the end every instance holds the same
version of every record it may hold, and no team holds the other's records.

The hub needs a PostgreSQL server: the lane's (``CORRIDOR_DATABASE_URL``), else
``CORRIDOR_TEST_PG_URL`` (as scripts/test). Unreachable, the test is skipped — and fails in CI.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import dj_database_url
import psycopg
import pytest
from django_otp.oath import TOTP

from corridor.cli.tests.test_serve_processes import free_port
from corridor.keys.tests.test_atrest import start_server
from corridor.testing.browser import chromium_browser
from corridor.testing.cli import Instance, throwaway_instance

# The hub is always on PostgreSQL and the field instances always on SQLite, whatever the lane:
# the PostgreSQL lane runs it, the SQLite lane would run the same thing again (decision 0381).
pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.own_databases]

KALAY, HAKHA = "field-kalay", "field-hakha"

SETUP_HUB = """
import datetime
from corridor.orgs.services import organisation_create
from corridor.funds.models import Grant
kr = organisation_create(by=None, name="Karen Relief", acronym="KR", kind="local_cso")
organisation_create(by=None, name="Chin Aid", acronym="CA", kind="local_cso")
fund = organisation_create(by=None, name="Pooled Fund", acronym="PF", kind="donor")
Grant.objects.create(donor=fund, recipient=kr, title="Winter response", amount=20000,
    currency="USD", pledged_on=datetime.date(2026, 11, 1), starts_on=datetime.date(2026, 11, 1))
"""

# One day of a field team's work: activities in villages, an incident with its source, a
# displacement figure. ``{org}``, ``{day}`` and ``{team}`` are filled per team and day.
FIELD_DAY = """
import datetime
import uuid
from corridor.aid.models import Activity
from corridor.geo.models import AdminUnit
from corridor.orgs.models import Organisation
from corridor.situation.models import DisplacementFigure, Incident, Source
org = Organisation.objects.get(acronym="{org}")
places = list(AdminUnit.objects.filter(level=3).order_by("pk")[{offset}:{offset} + 6])
day = datetime.date(2026, 11, {day})
for n, place in enumerate(places):
    for sector in ("health", "wash", "shelter_nfi", "food_security"):
        Activity.objects.create(organisation=org, sector=sector, modality="in_kind",
            admin_unit=place, reporting_month=datetime.date(2026, 11, 1),
            women=10 * {day} + n, men=5 + n,
            village="{team} village d{day}-" + str(n) + " " + sector,
            notes="{team} distribution, " + sector + ", KoBo submission " + str(uuid.uuid4()))
source = Source.objects.create(title="{team} field report, day {day}")
incident = Incident.objects.create(occurred_on=day, incident_type="airstrike",
    admin_unit=places[0], fatalities={day}, latitude=22.9 + {day} / 1000, longitude=94.1,
    witnesses="{team} witness d{day}", reporting_organisation=org)
incident.sources.set([source])
DisplacementFigure.objects.create(admin_unit=places[1], as_of=day, idps=100 * {day},
    source=source, reporting_organisation=org)
"""

TRANSFER_RECEIVED = """
import datetime
from corridor.funds.models import Grant, Transfer
from corridor.orgs.models import Organisation
grant = Grant.objects.get(title="Winter response")
Transfer.objects.create(from_organisation=grant.donor, to_organisation=grant.recipient,
    amount=5000, currency="USD", sent_on=datetime.date(2026, 11, 4), channel="informal",
    grant=grant, received_amount=4900, received_currency="USD",
    received_on=datetime.date(2026, 11, 6), received_state="confirmed",
    reference="HUNDI-KALAY-0042", intermediary="Kalay agent")
"""

# A person's correction of one activity, found by its village (stored encrypted, so compared
# in Python), written as the edit form would.
EDIT = """
import datetime
from corridor.aid.models import Activity
(row,) = [a for a in Activity._base_manager.all() if a.village == "{village}"]
Activity._base_manager.filter(pk=row.pk).update({changes})
"""

# Every synced record with its version and owning organisations' acronyms, as one JSON line.
DUMP = """
import json
from corridor.orgs.models import Organisation
from corridor.sync import records
from corridor.sync.models import Version
acronyms = dict(Organisation.objects.values_list("pk", "acronym"))
versions = {(v.kind, v.record_id): v.hlc for v in Version.objects.all()}
out = {}
for kind in records.KINDS:
    for row in records.rows(kind):
        owners = sorted(acronyms[o] for o in records.organisations_of(kind, row))
        out[kind.label + " " + str(row.pk)] = [
            versions.get((kind.label, row.pk)), owners, records.serialise(kind, row)]
print("DUMP" + json.dumps(out, sort_keys=True))
"""


def hub_server() -> str:
    """The PostgreSQL server the hub runs on, checked reachable."""
    url = os.environ.get("CORRIDOR_DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = os.environ.get(
            "CORRIDOR_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/corridor"
        )
    config = dj_database_url.parse(url)
    try:
        psycopg.connect(
            host=config["HOST"] or None,
            port=config["PORT"] or None,
            user=config["USER"] or None,
            password=config["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=5,
        ).close()
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL for the hub is unreachable at {config['HOST']}:{config['PORT']}"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: {exc}")
        pytest.skip(message)
    return url


def ok(instance: Instance, *args: str) -> str:
    result = instance.run(*args, timeout=300)
    assert result.returncode == 0, f"corridor {' '.join(args)}:\n{result.stderr}{result.stdout}"
    return result.stdout


def shell(instance: Instance, code: str) -> str:
    return ok(instance, "manage", "shell", "-c", code)


def dump(instance: Instance) -> dict:
    (line,) = [x for x in shell(instance, DUMP).splitlines() if x.startswith("DUMP")]
    return json.loads(line[4:])


def carry(sender: Instance, to: str, recipient: Instance, path: Path, *more: str) -> str:
    """Write a bundle at ``sender`` for ``to`` and import it at ``recipient``; the import's
    line."""
    ok(sender, "sync", "export", "--to", to, "-o", str(path), *more)
    files = sorted(path.parent.glob(path.name + "*"))
    return ok(recipient, "sync", "import", *map(str, files)).strip()


@pytest.fixture
def network(tmp_path):
    server = hub_server()
    with (
        throwaway_instance(tmp_path / "hub", server=server) as hub,
        throwaway_instance(tmp_path / "kalay", server="") as kalay,
        throwaway_instance(tmp_path / "hakha", server="") as hakha,
    ):
        assert hub.env["CORRIDOR_DATABASE_URL"].startswith("postgres")
        assert "CORRIDOR_DATABASE_URL" not in kalay.env
        assert "CORRIDOR_DATABASE_URL" not in hakha.env
        for instance in (hub, kalay, hakha):
            assert instance.run("init", "--no-input", timeout=600).returncode in (0, 1)
        yield hub, kalay, hakha


def register(tmp_path: Path, hub: Instance, field: Instance, name: str, org: str) -> None:
    ok(field, "sync", "identity", "-o", str(tmp_path / f"{name}.json"), "--name", name)
    printed = json.loads((tmp_path / f"{name}.json").read_text())["fingerprint"]
    ok(hub, "sync", "peer", "add", str(tmp_path / f"{name}.json"), "--role", "field",
       "--org", org, "--fingerprint", printed)  # fmt: skip
    hub_print = json.loads((tmp_path / "hub.json").read_text())["fingerprint"]
    ok(field, "sync", "peer", "add", str(tmp_path / "hub.json"), "--role", "hub",
       "--fingerprint", hub_print)  # fmt: skip


REVIEWER = """
from django_otp.plugins.otp_totp.models import TOTPDevice
from corridor.accounts.models import GlobalRole, User
user = User(username="hub-reviewer", global_role=GlobalRole.ADMIN, language="en")
user.set_password({password!r})
user.save()
device = TOTPDevice.objects.create(user=user, name="reviewer's phone", confirmed=True)
print("TOTPKEY" + device.key)
"""
REVIEWER_PASSWORD = "a long reviewer passphrase 3"


@pytest.fixture(scope="module")
def chromium():
    with chromium_browser() as browser:
        yield browser


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def settle_in_the_browser(hub: Instance, tmp_path: Path, page, record_id: str) -> None:
    """The hub's reviewer signs in (password, then an authenticator code) on the hub's own
    server, opens Sync from the menu, the conflict, and takes the version that lost."""
    (line,) = [x for x in shell(hub, REVIEWER.format(password=REVIEWER_PASSWORD)).splitlines()
               if x.startswith("TOTPKEY")]  # fmt: skip
    authenticator = TOTP(bytes.fromhex(line[7:]))
    port = free_port()
    log = tmp_path / "hub-server.log"
    server = start_server(hub, port, log)
    try:
        url = f"http://127.0.0.1:{port}"
        page.goto(f"{url}/")
        page.wait_for_url(re.compile(r"/accounts/login/"))
        page.fill("#id_username", "hub-reviewer")
        page.fill("#id_password", REVIEWER_PASSWORD)
        page.press("#id_password", "Enter")
        page.wait_for_url(re.compile(r"/accounts/verify/"))
        authenticator.time = time.time()
        page.fill("#id_code", f"{authenticator.token():06d}")
        page.press("#id_code", "Enter")
        page.wait_for_url(re.compile(r"/$"))
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Sync").click()
        page.get_by_role("heading", name="Sync by file").wait_for()
        assert "field instance" in page.locator(f"tr[data-peer='{KALAY}']").inner_text()
        page.get_by_role("link", name=f"aid.activity {record_id[:8]}").click()
        page.get_by_role("heading", name="Conflict to review").wait_for()
        # The record holds Kalay's edit (women 63, men 6); the hub's correction lost.
        men = page.locator("tr[data-field='men']")
        assert "differs" in men.inner_text()
        assert men.locator("td").all_inner_texts() == ["6", "8"]
        notes = page.locator("tr[data-field='notes'] td").all_inner_texts()
        assert notes[1] == "hub correction", notes
        page.get_by_role("button", name="Take the version that lost").click()
        page.get_by_text("The version that lost is now the record's").wait_for()
        assert "No conflicts to review." in page.content()
    finally:
        server.terminate()
        server.wait(timeout=30)


def owned_by(state: dict, acronym: str) -> dict:
    return {key: value for key, value in state.items() if acronym in value[1]}


def test_a_week_of_field_work_by_file_with_a_conflict(network, tmp_path: Path, browser_page):
    hub, kalay, hakha = network
    shell(hub, SETUP_HUB)
    ok(hub, "sync", "identity", "-o", str(tmp_path / "hub.json"), "--name", "hub")
    register(tmp_path, hub, kalay, KALAY, "KR")
    register(tmp_path, hub, hakha, HAKHA, "CA")
    # The first bundles set the teams up: their organisation, and Kalay the grant it received.
    assert "applied 1 (bundle 1 from hub)" in carry(hub, KALAY, kalay, tmp_path / "k0.bundle")
    assert "applied 0 (bundle 1 from hub)" in carry(hub, HAKHA, hakha, tmp_path / "h0.bundle")

    # Monday to Wednesday: both teams record their work offline.
    for day in (2, 3, 4):
        shell(kalay, FIELD_DAY.format(org="KR", day=day, team="Kalay", offset=0))
        shell(hakha, FIELD_DAY.format(org="CA", day=day, team="Hakha", offset=6))
    shell(kalay, TRANSFER_RECEIVED)
    shell(kalay, EDIT.format(village="Kalay village d2-0 health", changes="women=99"))
    removal = (
        "removed_at=datetime.datetime(2026, 11, 4, 9, tzinfo=datetime.UTC), "
        "removal_reason='entered twice'"
    )
    shell(kalay, EDIT.format(village="Kalay village d3-2 wash", changes=removal))

    # Wednesday evening: Kalay's bundle travels through a chat in 4 KB chunks, Hakha's whole.
    ok(kalay, "sync", "export", "--to", "hub", "-o", str(tmp_path / "kalay-1.bundle"),
       "--chunk-size", "4K")  # fmt: skip
    chunks = sorted(tmp_path.glob("kalay-1.bundle.*"), reverse=True)  # any order will do
    assert len(chunks) >= 2, [p.stat().st_size for p in tmp_path.glob("kalay-1.bundle*")]
    line = ok(hub, "sync", "import", *map(str, chunks))
    # 72 activities, 3 incidents, 3 sources, 3 figures and the transfer (and the grant it
    # names, carried along but already at the hub).
    assert f"(+{len(chunks) - 1} chunks): applied 82 (bundle 1 from field-kalay)" in line, line
    assert "applied 81 (bundle 1 from field-hakha)" in carry(
        hakha, "hub", hub, tmp_path / "hakha-1.bundle"
    )
    # A file altered on the way is refused, changes nothing and is audited.
    ok(hakha, "sync", "export", "--to", "hub", "-o", str(tmp_path / "hakha-x.bundle"))
    altered = bytearray((tmp_path / "hakha-x.bundle").read_bytes())
    altered[len(altered) // 2] ^= 0x20
    (tmp_path / "hakha-x.bundle").write_bytes(bytes(altered))
    refused = hub.run("sync", "import", str(tmp_path / "hakha-x.bundle"))
    assert refused.returncode == 1
    assert "refused: bad signature" in refused.stdout, refused.stdout

    # The hub answers: acknowledgements, and each team receives only its own organisation's
    # records (Hakha's sources travel to Kalay: sources are shared reading).
    assert "(bundle 2 from hub)" in carry(hub, KALAY, kalay, tmp_path / "to-kalay-1.bundle")
    assert "(bundle 2 from hub)" in carry(hub, HAKHA, hakha, tmp_path / "to-hakha-1.bundle")
    state = {name: dump(i) for name, i in (("hub", hub), ("kalay", kalay), ("hakha", hakha))}
    assert not owned_by(state["kalay"], "CA")
    assert not owned_by(state["hakha"], "KR")
    assert owned_by(state["kalay"], "KR") == owned_by(state["hub"], "KR")
    assert owned_by(state["hakha"], "CA") == owned_by(state["hub"], "CA")
    transfers = [v for k, v in state["hub"].items() if k.startswith("funds.transfer")]
    assert [t[2]["reference"] for t in transfers] == ["HUNDI-KALAY-0042"]
    assert not any(k.startswith("funds.") for k in state["hakha"])

    # Thursday: a coordinator at the hub corrects a Kalay activity (men 6 -> 8) while the Kalay
    # team changes the same record (women 41 -> 63), neither seeing the other.
    record = "Kalay village d4-1 health"
    shell(hub, EDIT.format(village=record, changes="men=8, notes='hub correction'"))
    ok(hub, "sync", "export", "--to", KALAY, "-o", str(tmp_path / "to-kalay-2.bundle"))
    shell(kalay, EDIT.format(village=record, changes="women=63"))
    # Hakha's Thursday bundle (its third: the second was the altered one) is lost in the post;
    # Friday's carries its records again.
    shell(hakha, FIELD_DAY.format(org="CA", day=5, team="Hakha", offset=6))
    ok(hakha, "sync", "export", "--to", "hub", "-o", str(tmp_path / "hakha-lost.bundle"))
    shell(hakha, EDIT.format(village="Hakha village d5-1 wash", changes="women=55"))

    # Friday: Kalay's bundle reaches the hub; its edit is the later one and wins, the hub's
    # correction is kept for review.
    line = carry(kalay, "hub", hub, tmp_path / "kalay-2.bundle")
    assert "1 conflicts to review" in line, line
    assert "1 conflicts to review" in ok(
        kalay, "sync", "import", str(tmp_path / "to-kalay-2.bundle")
    )
    assert "applied 27 (bundle 4 from field-hakha)" in carry(
        hakha, "hub", hub, tmp_path / "hakha-2.bundle"
    )
    late = ok(hub, "sync", "import", str(tmp_path / "hakha-lost.bundle"))
    assert "applied 0 (bundle 3 from field-hakha)" in late, late  # late and harmless

    # The reviewer at the hub opens the sync page in a browser, compares the two versions and
    # takes the hub's correction.
    (listed,) = ok(hub, "sync", "conflicts").splitlines()
    assert '"notes": "hub correction"' in listed
    record_id = listed.split()[2].rstrip(":")
    settle_in_the_browser(hub, tmp_path, browser_page, record_id)
    assert json.loads(ok(hub, "sync", "status", "--json"))["conflicts_to_review"] == 0
    assert ok(hub, "sync", "conflicts").strip() == ""

    # Saturday: the answers travel; Kalay's own conflict entry aside, nobody logs a new one.
    carry(hub, KALAY, kalay, tmp_path / "to-kalay-3.bundle")
    carry(hub, HAKHA, hakha, tmp_path / "to-hakha-2.bundle")
    # Sunday: one more round; nothing is left to send.
    for field, name in ((kalay, KALAY), (hakha, HAKHA)):
        carry(field, "hub", hub, tmp_path / f"{name}-final.bundle")
        carry(hub, name, field, tmp_path / f"to-{name}-final.bundle")
    for field, name in ((kalay, KALAY), (hakha, HAKHA)):
        again = carry(field, "hub", hub, tmp_path / f"{name}-quiet.bundle")
        assert "applied 0" in again, again

    state = {name: dump(i) for name, i in (("hub", hub), ("kalay", kalay), ("hakha", hakha))}
    assert owned_by(state["kalay"], "KR") == owned_by(state["hub"], "KR")
    assert owned_by(state["hakha"], "CA") == owned_by(state["hub"], "CA")
    sources = {k: v for k, v in state["hub"].items() if k.startswith("situation.source")}
    assert len(sources) == 7
    for name in ("kalay", "hakha"):
        assert {k: v for k, v in state[name].items() if k.startswith("situation.source")} == (
            sources
        )
    assert not owned_by(state["kalay"], "CA")
    assert not owned_by(state["hakha"], "KR")
    (settled,) = [v[2] for v in state["kalay"].values() if v[2].get("village") == record]
    # The hub's side was taken whole: its correction, and the women count it had.
    assert (settled["men"], settled["notes"], settled["women"]) == (8, "hub correction", 41)
    removed = [
        v[2] for v in state["hub"].values() if v[2].get("village") == "Kalay village d3-2 wash"
    ]
    assert len(removed) == 1
    assert removed[0]["removal_reason"] == "entered twice"
    assert removed[0]["removed_at"].startswith("2026-11-04T09:00")

    # The hub's audit trail says what came from where, and what was refused and why.
    audit = shell(hub, AUDIT)
    (line,) = [x for x in audit.splitlines() if x.startswith("AUDIT")]
    entries = json.loads(line[5:])
    imports = [e for e in entries if e["action"] == "import"]
    assert {e["changes"]["from"] for e in imports} == {KALAY, HAKHA}
    first = next(e for e in imports if e["object_id"] == f"{KALAY}#1")
    assert first["changes"]["rows"]["funds.transfer"] == 1
    (denied,) = [e for e in entries if e["action"] == "denied"]
    assert denied["changes"]["claimed_sender"] == HAKHA
    assert denied["changes"]["refused"].startswith("bad signature")
    assert "HUNDI" not in json.dumps(entries)


AUDIT = """
import json
from corridor.audit.models import AuditEntry
rows = AuditEntry.objects.filter(object_type="sync.bundle").order_by("seq")
print("AUDIT" + json.dumps([
    {"action": e.action, "object_id": e.object_id, "changes": e.changes} for e in rows]))
"""
