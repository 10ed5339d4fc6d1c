"""Every setting is documented: docs/settings.md names each one declared in config.py."""

from pathlib import Path

import pytest

from corridor import config

DOCS = Path(__file__).resolve().parents[4] / "docs" / "settings.md"


@pytest.mark.parametrize("name", sorted(config.SETTINGS))
def test_setting_is_documented(name):
    assert f"`{name}`" in DOCS.read_text(encoding="utf-8"), f"add {name} to docs/settings.md"


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("yes", True), ("0", False), ("off", False)]
)
def test_yes_no_values(monkeypatch, raw, expected):
    monkeypatch.setenv("CORRIDOR_DEBUG", raw)
    assert config.value("CORRIDOR_DEBUG") is expected


def test_unusable_value_is_named(monkeypatch):
    monkeypatch.setenv("CORRIDOR_DEBUG", "maybe")
    with pytest.raises(config.ConfigError, match="CORRIDOR_DEBUG"):
        config.value("CORRIDOR_DEBUG")
