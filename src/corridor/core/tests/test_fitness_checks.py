"""The layering, "only services write" and "reads through queries" checks in scripts/check
(scripts/fitness.py)."""

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]


def _fitness(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "fitness.py"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "corridor" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return root / "corridor"


def test_scripts_check_runs_every_check():
    assert (
        ".venv/bin/python scripts/fitness.py layering writes reads\n"
        in (ROOT / "scripts" / "check").read_text()
    )


def test_the_tree_passes_every_check():
    result = _fitness("layering", "writes", "reads")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_an_upward_import_is_reported_with_file_and_line(tmp_path):
    root = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "core/__init__.py": "",
            "core/money.py": """
                from corridor.core import errors


                def label():
                    from corridor.web.views import dashboard

                    return dashboard
                """,
            "core/errors.py": "",
            "aid/__init__.py": "",
            "aid/models.py": "class Activity:\n    pass\n",
            "audit/__init__.py": "",
            "audit/rules.py": 'WATCHED = ["aid.Activity"]\n',
            "aid/services.py": "from corridor.audit.services import audited_create\n",
            "aid/tests/test_x.py": "import corridor.cli\n",
            "web/__init__.py": "",
        },
    )
    result = _fitness("--root", str(root), "layering")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "audit/rules.py:1: audit names the model 'aid.Activity': aid is a higher layer",
        "core/money.py:5: core imports corridor.web.views: web is a higher layer",
    ]


def test_a_sibling_import_is_reported(tmp_path):
    root = _tree(tmp_path, {"aid/queries.py": "from corridor.situation.models import Source\n"})
    result = _fitness("--root", str(root), "layering")
    assert result.returncode == 1
    assert result.stdout == (
        "aid/queries.py:1: aid imports corridor.situation.models: situation is a sibling\n"
    )


def test_a_save_in_a_view_is_reported_with_file_and_line(tmp_path):
    root = _tree(
        tmp_path,
        {
            "web/views/activities.py": """
                from corridor.web.views.common import router


                @router.delete("/activities/{pk}")
                def activity_edit(request, pk):
                    activity = Activity.objects.get(pk=pk)
                    activity.title = request.POST["title"]
                    activity.save()
                    Activity.objects.filter(pk=pk).update(title="")
                    counts = {}
                    counts.update(seen=1)  # keywords only: reported like QuerySet.update
                    return activity
                """,
            "aid/services.py": """
                def activity_update(*, by, activity):
                    activity.save()
                    Activity.objects.bulk_create([])
                """,
            "aid/migrations/0002_fill.py": "def fill(apps, schema):\n    Row.objects.create()\n",
            "aid/tests/test_a.py": "def test_a(activity):\n    activity.delete()\n",
            "exchange/formats/xlsform.py": "def write(book, out):\n    book.save(out)\n",
        },
    )
    result = _fitness("--root", str(root), "writes")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "web/views/activities.py:8: .save() in activity_edit writes outside a services module",
        "web/views/activities.py:9: .update() in activity_edit writes outside a services module",
        "web/views/activities.py:11: .update() in activity_edit writes outside a services module",
    ]


def test_a_bare_read_in_a_view_an_api_or_a_command_is_reported(tmp_path):
    root = _tree(
        tmp_path,
        {
            "aid/models.py": "class Activity:\n    pass\n",
            "geo/models.py": "class AdminUnit:\n    pass\n",
            "web/views/activities.py": """
                from corridor.aid.models import Activity
                from corridor.aid.queries import activities_visible_to


                def activity_list(request):
                    mine = activities_visible_to(request.user)
                    units = AdminUnit.objects.filter(level=3)  # public reference data
                    return Activity.objects.filter(pk__in=mine), units
                """,
            "aid/api.py": """
                def activity_get(request, pk):
                    return Activity._default_manager.get(pk=pk)
                """,
            "cli/activities.py": "def run(args):\n    return list(Activity._base_manager.all())\n",
            "aid/queries.py": "def activities_visible_to(u):\n    return Activity.objects.all()\n",
            "web/dashboard.py": "def rows():\n    return Activity.objects.all()\n",
            "aid/tests/test_a.py": "def test_a():\n    Activity.objects.all()\n",
        },
    )
    result = _fitness("--root", str(root), "reads")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "aid/api.py:2: Activity.objects in activity_get: read through a queries function",
        "cli/activities.py:2: Activity.objects in run: read through a queries function",
        "web/views/activities.py:8: Activity.objects in activity_list: read through a queries "
        "function",
    ]


def test_reads_through_queries_pass(tmp_path):
    root = _tree(
        tmp_path,
        {
            "aid/models.py": "class Activity:\n    pass\n",
            "web/views/activities.py": """
                from corridor.aid.queries import activities_visible_to


                def activity_list(request):
                    return activities_visible_to(request.user)
                """,
        },
    )
    result = _fitness("--root", str(root), "reads")
    assert (result.returncode, result.stdout) == (0, "")


def test_an_allow_list_entry_that_matches_nothing_is_reported(monkeypatch):
    spec = importlib.util.spec_from_file_location("fitness", ROOT / "scripts" / "fitness.py")
    fitness = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "fitness", fitness)  # dataclasses look their module up
    spec.loader.exec_module(fitness)
    monkeypatch.setitem(fitness.LAYERING_ALLOWED, ("core/money.py", "web"), "gone")
    monkeypatch.setitem(fitness.WRITES_ALLOWED, ("web/views/lists.py", "activity_list", "save"), "")
    monkeypatch.setitem(fitness.READS_ALLOWED, ("web/views/lists.py", "activity_list", "Grant"), "")
    assert [str(f) for f in fitness.check_layering()] == [
        "core/money.py:0: allow-list entry for 'web' matches nothing; remove it"
    ]
    assert [str(f) for f in fitness.check_writes()] == [
        "web/views/lists.py:0: allow-list entry for activity_list/.save() matches nothing; "
        "remove it"
    ]
    assert [str(f) for f in fitness.check_reads()] == [
        "web/views/lists.py:0: allow-list entry for activity_list/Grant matches nothing; remove it"
    ]
