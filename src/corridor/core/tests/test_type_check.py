"""The type check in scripts/check covers services and sees through audited writes."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]


def test_scripts_check_types_every_services_and_queries_module():
    script = (ROOT / "scripts" / "check").read_text()
    assert "-name services.py -o -name queries.py" in script
    assert (
        ".venv/bin/mypy src/corridor/exchange src/corridor/web src/corridor/cli "
        'src/corridor/demo \\\n  "${layers[@]}"' in script
    )


def test_a_type_error_in_a_service_is_reported(tmp_path):
    # audited_create returns the model it is given, so a wrong return type is caught.
    module = tmp_path / "services.py"
    module.write_text(
        textwrap.dedent(
            """
            from corridor.aid.models import Activity
            from corridor.audit.services import audited_create


            def activity_copy(*, by: object, activity: Activity) -> str:
                return audited_create(activity, by=by)
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache"), str(module)],
        cwd=ROOT,
        env={**os.environ, "MYPYPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stdout
    assert 'Incompatible return value type (got "Activity", expected "str")' in result.stdout
