"""Test-wide setup: every test run gets a throwaway instance folder."""

import os
import tempfile

import pytest

# Must happen before Django reads settings: tests never touch a real instance folder.
os.environ.setdefault("CORRIDOR_HOME", tempfile.mkdtemp(prefix="corridor-test-"))


@pytest.fixture
def cli_instance(tmp_path):
    """A fresh instance folder (and, on the PostgreSQL lane, a fresh database) for the real CLI."""
    from corridor.testing.cli import throwaway_instance

    with throwaway_instance(tmp_path / "instance") as instance:
        yield instance
