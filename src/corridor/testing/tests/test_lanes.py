"""Each lane leaves out the tests that choose their own databases on the other lane's engine
(decisions 0381, 0391): they run once, in the lane of their databases, with the same databases
they would have had in the other."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
WEEK = "src/corridor/sync/tests/test_week.py"
ATREST = "src/corridor/keys/tests/test_atrest.py"


def collected(lane: str | None, *paths: str) -> tuple[set[str], str]:
    """The test ids pytest collects from ``paths`` with ``CORRIDOR_TEST_LANE=lane``, and its
    closing line."""
    env = {k: v for k, v in os.environ.items() if k != "CORRIDOR_TEST_LANE"}
    if lane is not None:
        env["CORRIDOR_TEST_LANE"] = lane
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "-p", "no:xdist", *paths],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    return {line for line in lines if "::" in line}, lines[-1]


@pytest.mark.slow
def test_the_sqlite_lane_deselects_only_the_tests_with_their_own_databases():
    other = "src/corridor/testing/tests/test_lanes.py"
    on_sqlite, said = collected("sqlite", WEEK, other)
    assert not any(test.startswith(WEEK) for test in on_sqlite), on_sqlite
    assert re.search(r"\b1 deselected\b", said), said
    assert f"{other}::test_scripts_test_names_each_lane" in on_sqlite
    # pytest run by hand (no lane named) collects everything.
    everywhere, said = collected(None, WEEK, other)
    assert everywhere - on_sqlite == {f"{WEEK}::test_a_week_of_field_work_by_file_with_a_conflict"}
    assert "deselected" not in said


def test_scripts_test_names_each_lane():
    script = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    assert 'CORRIDOR_TEST_LANE="$lane"' in script
    assert re.search(r"^run_lane sqlite ", script, re.MULTILINE)
    assert re.search(r"^\s*run_lane postgresql ", script, re.MULTILINE)


@pytest.mark.slow
def test_the_postgresql_lane_deselects_only_the_tests_on_sqlite_alone():
    other = "src/corridor/testing/tests/test_lanes.py"
    on_postgresql, said = collected("postgresql", ATREST, WEEK, other)
    assert not any(test.startswith(ATREST) for test in on_postgresql), on_postgresql
    assert f"{WEEK}::test_a_week_of_field_work_by_file_with_a_conflict" in on_postgresql
    assert f"{other}::test_scripts_test_names_each_lane" in on_postgresql
    everywhere, _ = collected(None, ATREST, WEEK, other)
    left = {test.split("::", 1)[0] for test in everywhere - on_postgresql}
    assert left == {ATREST}
    assert re.search(rf"\b{len(everywhere - on_postgresql)} deselected\b", said), said
    assert len(everywhere - on_postgresql) >= 7  # every test of the module, none lost
    # The SQLite lane keeps them.
    on_sqlite, _ = collected("sqlite", ATREST)
    assert on_sqlite == {test for test in everywhere if test.startswith(ATREST)}
