"""Test-wide setup: every test run gets a throwaway instance folder."""

import atexit
import os
import shutil
import tempfile

import pytest

# Must happen before Django reads settings: tests never touch a real instance folder. One made
# here goes when the run ends; a run given CORRIDOR_HOME (scripts/test, xdist's workers, which
# inherit this process's) makes none.
if not os.environ.get("CORRIDOR_HOME"):
    os.environ["CORRIDOR_HOME"] = tempfile.mkdtemp(prefix="corridor-test-")
    atexit.register(shutil.rmtree, os.environ["CORRIDOR_HOME"], ignore_errors=True)

# Argon2 as configured costs about a third of a second and 100 MiB per password: tests create
# users by the hundred, so they hash with MD5 instead (Django's advice for test runs, decision
# 0200). Tests about how passwords are stored or checked carry @pytest.mark.real_hasher and run
# with the settings' own hashers. Subprocesses (the real `corridor` CLI) always use the settings.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher():
    """Yields the settings' own hashers while every test hashes with FAST_HASHERS."""
    from django.conf import settings
    from django.test.utils import override_settings

    configured = list(settings.PASSWORD_HASHERS)
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        yield configured


@pytest.fixture(autouse=True)
def _real_password_hasher(request, _fast_password_hasher):
    """The settings' own hashers for a test marked real_hasher (it checks them)."""
    if request.node.get_closest_marker("real_hasher") is None:
        yield
        return
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=_fast_password_hasher):
        yield


@pytest.fixture(scope="session", autouse=True)
def _gazetteer_shapes_parsed_once():
    """Parse the shipped boundary GeoJSON (2.8 MB) once per worker, not in every test.

    Hundreds of tests load the gazetteer (``admin_units_load``); decoding the boundaries was
    most of its cost. The files are read-only package data, the rows are still written to each
    test's database, and a changed file (by size or time) is read again (decision 0200).
    """
    from corridor.geo import services

    parse = services._boundaries
    parsed: dict[tuple, dict] = {}

    def boundaries_once():
        stamp = tuple((p, p.stat().st_mtime_ns, p.stat().st_size) for p in services.BOUNDARY_FILES)
        if stamp not in parsed:
            parsed.clear()
            parsed[stamp] = parse()
        return parsed[stamp]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "_boundaries", boundaries_once)
        yield


@pytest.fixture(scope="session")
def cli_templates(tmp_path_factory):
    """Instances a real `corridor init` made once per worker, for ``Instance.init_copied``
    (decision 0371); their PostgreSQL databases are dropped at the end."""
    from corridor.testing.cli import InstanceTemplates

    templates = InstanceTemplates(tmp_path_factory.mktemp("init-templates"))
    yield templates
    templates.close()


@pytest.fixture
def cli_instance(tmp_path, cli_templates):
    """A fresh instance folder (and, on the PostgreSQL lane, a fresh database) for the real CLI."""
    from corridor.testing.cli import throwaway_instance

    with throwaway_instance(tmp_path / "instance", templates=cli_templates) as instance:
        yield instance


# The lanes hand xdist whole modules (`--dist loadscope`, decision 0372), so a lane ends when
# its last module does. These modules take longest (the PostgreSQL lane's durations, 5 December
# 2026, longest first): they run first, and the lane ends on short modules instead of one
# worker finishing a long one alone.
LONGEST_FIRST = (
    "src/corridor/sync/tests/test_week.py",
    "src/corridor/web/tests/test_every_page.py",
    "src/corridor/sync/tests/test_cli.py",
    "src/corridor/accounts/tests/test_api_robustness.py",
    "src/corridor/cli/tests/test_cli.py",
    "src/corridor/sync/tests/test_merge.py",
    "src/corridor/accounts/tests/test_authz_matrix.py",
    "src/corridor/web/tests/test_browser.py",
    "src/corridor/backup/tests/test_backup.py",
    "src/corridor/core/tests/test_migrations.py",
    "src/corridor/demo/tests/test_cli.py",
    "src/corridor/keys/tests/test_atrest.py",
    "src/corridor/exchange/tests/test_cli.py",
    "src/corridor/keys/tests/test_cli.py",
    "src/corridor/demo/tests/test_services.py",
    "src/corridor/web/tests/test_pages.py",
    "src/corridor/exchange/tests/test_org_lookup.py",
    "src/corridor/disclosure/tests/test_canary.py",
    "src/corridor/web/tests/test_browser_statements.py",
)


def pytest_report_header(config):
    """Says, at the head of a lane, which tests it leaves to the other lane (under xdist the
    workers deselect them, and pytest's summary does not count them)."""
    lane = os.environ.get("CORRIDOR_TEST_LANE")
    if lane in LANES:
        other = next(name for name in LANES if name != lane)
        return f"lane {lane}: tests marked own_databases({other!r}) run in the {other} lane only"
    return None


# A test marked own_databases chooses every database it uses, whatever the lane's; it runs in
# the lane of its databases' engine only (decisions 0381, 0391). Without a lane named (pytest
# run by hand), it runs.
LANES = ("sqlite", "postgresql")


def own_lane(item) -> str | None:
    """The lane a test marked own_databases runs in; None for any other test."""
    marker = item.get_closest_marker("own_databases")
    if marker is None:
        return None
    lane = marker.args[0] if marker.args else "postgresql"
    if lane not in LANES:
        raise pytest.UsageError(f"{item.nodeid}: own_databases({lane!r}) names no lane")
    return lane


def pytest_collection_modifyitems(session, config, items):
    """Puts LONGEST_FIRST's modules first, in that order; the rest keep theirs (stable sort).

    A listed module that no longer exists stops the run: a renamed module would otherwise
    drop out of the order without anyone noticing."""
    gone = [path for path in LONGEST_FIRST if not (config.rootpath / path).is_file()]
    if gone:
        raise pytest.UsageError(f"conftest.LONGEST_FIRST lists missing modules: {gone}")
    lane = os.environ.get("CORRIDOR_TEST_LANE")
    if lane in LANES:
        # The same test in the other lane runs with the same databases (decisions 0381, 0391).
        elsewhere = [item for item in items if own_lane(item) not in (None, lane)]
        if elsewhere:
            config.hook.pytest_deselected(items=elsewhere)
            items[:] = [item for item in items if own_lane(item) in (None, lane)]
    rank = {path: place for place, path in enumerate(LONGEST_FIRST)}
    last = len(rank)
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], last))
