"""`corridor --help` starts without Django; commands start Django without django-ninja (issue 18).

Checked through what a fresh interpreter has imported, not by timing: bench/startup.py times it.
"""

import json
import subprocess
import sys

# Imported by a command that needs them, never by the parser that lists the commands.
HEAVY = ("django", "ninja", "pydantic", "rich", "polars", "openpyxl", "psycopg", "cryptography")


def imported_after(code: str, env: dict[str, str]) -> set[str]:
    """Top-level packages a fresh interpreter has imported after running ``code``."""
    report = "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    probe = f"{code}\nimport json, sys\n{report}"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_help_imports_no_heavy_library(cli_instance):
    run_help = (
        "from corridor.cli.main import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    )
    loaded = imported_after(run_help, cli_instance.env)
    assert "corridor" in loaded  # the probe did run the parser
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_a_usage_error_imports_no_heavy_library(cli_instance):
    bad_flag = (
        "from corridor.cli.main import main\n"
        "try:\n    main(['status', '--no-such-flag'])\nexcept SystemExit as exit:\n"
        "    assert exit.code == 2"
    )
    assert imported_after(bad_flag, cli_instance.env).isdisjoint(HEAVY)


def test_django_starts_without_the_api_framework(cli_instance):
    """django-ninja and pydantic were a third of every command's start; only the API needs them."""
    setup = "from corridor.cli import django_env\ndjango_env.setup()"
    loaded = imported_after(setup, cli_instance.env)
    assert "django" in loaded
    assert loaded.isdisjoint({"ninja", "pydantic", "rich"}), sorted(loaded)
