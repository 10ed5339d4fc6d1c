"""`--as USERNAME` names an active user in every command that takes it (one lookup:
cli/acting.py), and an unknown or inactive name is refused before anything is read."""

from __future__ import annotations

import pytest

from corridor.cli.main import main
from corridor.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "command",
    [["import", "{file}"], ["held", "list"], ["orgs", "import", "{file}"]],
    ids=["import", "held", "orgs-import"],
)
@pytest.mark.parametrize("who", ["nobody", "gone"])
def test_as_names_an_active_user(command, who, tmp_path, capsys):
    UserFactory(username="gone", is_active=False)
    path = tmp_path / "rows.csv"
    path.write_text("name\nSomething\n", encoding="utf-8")
    argv = [part.format(file=path) for part in command] + ["--as", who]
    assert main(argv) != 0
    assert f"no active user named '{who}'" in capsys.readouterr().err
