"""The dead-code check in scripts/check: vulture with the project's configuration and whitelist."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
PATHS = ["src/corridor", "conftest.py", "scripts/vulture_whitelist.py"]


def _vulture(*extra: Path) -> subprocess.CompletedProcess:
    # Run from the repository so [tool.vulture] in pyproject.toml (ignores, excludes) applies.
    return subprocess.run(
        [sys.executable, "-m", "vulture", *PATHS, *map(str, extra)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_scripts_check_runs_vulture_on_the_configured_paths():
    script = (ROOT / "scripts" / "check").read_text()
    assert ".venv/bin/vulture\n" in script
    config = (ROOT / "pyproject.toml").read_text()
    assert 'paths = ["src/corridor", "conftest.py", "scripts/vulture_whitelist.py"]' in config


def test_the_tree_has_no_dead_code():
    result = _vulture()
    assert result.returncode == 0, result.stdout


def test_an_unused_function_is_reported(tmp_path):
    module = tmp_path / "services.py"
    module.write_text(
        textwrap.dedent(
            '''
            def activity_archive(*, by, activity):
                """Written and never called."""
                return activity


            def activity_keep(*, by, activity):
                return activity


            activity_keep(by=None, activity=None)
            '''
        )
    )
    result = _vulture(module)
    assert result.returncode == 3
    reported = result.stdout.strip().splitlines()
    assert len(reported) == 1, reported
    assert "unused function 'activity_archive'" in reported[0]
    assert str(module) in reported[0]
