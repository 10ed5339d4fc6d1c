"""Showing a held row's cells or reasons is an audited view on every face (decision 0245):
`corridor held show` and `held list`, the review page, the API's list and show each leave
exactly one audit entry naming the rows shown, through ``held_view``; and no module outside
the held package reads the decrypted cells or reasons itself, so a new face cannot skip it."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from corridor.audit.models import AuditEntry
from corridor.cli.main import main
from corridor.exchange.models import HeldRow
from corridor.testing.factories import MembershipFactory, UserFactory
from corridor.testing.signin import signed_in_client

SOURCE = Path(__file__).resolve().parents[2]  # src/corridor
HELD_PACKAGE = SOURCE / "exchange" / "held"


@pytest.fixture
def held(org, tmp_path, capsys):
    """The partial 5W of test_partial imported by an editor of CRN; row 3 ("NA" women,
    Village B in Falam) is the one looked at."""
    from corridor.exchange.tests.test_partial import HEADER, ROWS

    path = tmp_path / "5w.csv"
    path.write_text(HEADER + "\r\n".join(ROWS) + "\r\n", encoding="utf-8")
    editor = UserFactory(username="editor")
    MembershipFactory(user=editor, organisation=org, role="editor")
    args = ["import", str(path), "--quiet", "--partial", "--as", "editor", "--org", "CRN"]
    assert main(args) == 0
    capsys.readouterr()
    return editor, HeldRow.objects.get(row=3)


def _cli_show(editor: Any, row: HeldRow, capsys: Any) -> str:
    assert main(["held", "show", str(row.pk)[:8], "--as", "editor"]) == 0
    return capsys.readouterr().out


def _cli_list(editor: Any, row: HeldRow, capsys: Any) -> str:
    assert main(["held", "list", "--json", "--as", "editor"]) == 0
    return capsys.readouterr().out


def _web_page(editor: Any, row: HeldRow, capsys: Any) -> str:
    answer = signed_in_client(editor).get("/enter/held/")
    assert answer.status_code == 200
    return answer.content.decode()


def _api_list(editor: Any, row: HeldRow, capsys: Any) -> str:
    answer = signed_in_client(editor).get("/api/exchange/held/", {"run": str(row.run_id)})
    assert answer.status_code == 200
    return answer.content.decode()


def _api_show(editor: Any, row: HeldRow, capsys: Any) -> str:
    answer = signed_in_client(editor).get(f"/api/exchange/held/{row.pk}")
    assert answer.status_code == 200
    return answer.content.decode()


# Each face, and what it shows of row 3 that is only in its encrypted cells or reasons.
FACES: dict[str, tuple[Callable[..., str], str, str]] = {
    "corridor held show": (_cli_show, "cli", "Village B"),
    "corridor held list": (_cli_list, "cli", "not a whole number: 'NA'"),
    "the review page": (_web_page, "web", 'value="NA"'),
    "GET /api/exchange/held/": (_api_list, "api", "not a whole number: 'NA'"),
    "GET /api/exchange/held/{pk}": (_api_show, "api", "Village B"),
}


@pytest.mark.parametrize("face", FACES)
def test_every_face_that_shows_held_cells_leaves_one_audit_entry(held, face, capsys):
    editor, row = held
    look, where, shown = FACES[face]
    before = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()

    text = look(editor, row, capsys)

    assert shown in text  # the face did show the protected value...
    entries = list(AuditEntry.objects.filter(seq__gt=before))
    views = [e for e in entries if e.action == "view_protected"]
    assert len(views) == 1, (face, [(e.action, e.object_type) for e in entries])
    (entry,) = views  # ... and that view is in the trail, once, naming the row and the person
    assert entry.object_type == "exchange.heldrow"
    assert str(row.pk) in entry.changes["rows"]
    assert entry.changes["where"] == where
    assert entry.actor_id == str(editor.pk)
    # The entry names rows, never their values.
    assert "Village B" not in str(entry.changes)


def test_seeing_nothing_is_not_a_view(org, capsys):
    assert main(["held", "list"]) == 0
    assert "no held rows" in capsys.readouterr().out
    assert not AuditEntry.objects.filter(action="view_protected").exists()


# --- No face reads the cells itself --------------------------------------------------------

READERS = {"held_cells", "held_reasons"}
FIELDS = {"cells", "reasons"}


def _reads_held_cells(tree: ast.AST) -> list[tuple[int, str]]:
    """Uses of the decrypting readers, and ``<held>.cells`` / ``<held>.reasons`` on a name
    that says it is a held row."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in READERS:
            found.append((node.lineno, node.id))
        elif isinstance(node, ast.alias) and node.name in READERS:
            found.append((0, f"import {node.name}"))
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in FIELDS
            and isinstance(node.value, ast.Name)
            and "held" in node.value.id.lower()
        ):
            found.append((node.lineno, f"{node.value.id}.{node.attr}"))
    return found


def _outside_the_held_package() -> list[str]:
    problems = []
    for path in sorted(SOURCE.rglob("*.py")):
        if HELD_PACKAGE in path.parents or "tests" in path.parts or "migrations" in path.parts:
            continue
        for line, what in _reads_held_cells(ast.parse(path.read_text(encoding="utf-8"))):
            problems.append(f"{path.relative_to(SOURCE)}:{line}: {what}")
    return problems


def test_only_the_held_package_reads_held_cells():
    assert _outside_the_held_package() == [], (
        "show held cells through exchange.held.services.held_view (audited), not directly"
    )


def test_the_check_finds_a_face_that_reads_the_cells_itself():
    skipping = ast.parse(
        "from corridor.exchange.held.queries import held_cells\n"
        "def page(request, held):\n"
        "    return render(request, 'x.html', {'cells': held_cells(held), 'why': held.reasons})\n"
    )
    assert sorted(what for _line, what in _reads_held_cells(skipping)) == [
        "held.reasons",
        "held_cells",
        "import held_cells",
    ]
