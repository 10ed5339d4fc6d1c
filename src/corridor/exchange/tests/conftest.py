"""Shared set-up for exchange tests: the real gazetteer and a couple of organisations."""

from __future__ import annotations

import pytest

from corridor.geo.resolver import invalidate_resolver
from corridor.geo.services import admin_units_load
from corridor.testing.factories import OrganisationFactory


@pytest.fixture
def places(db):
    admin_units_load(by=None)
    invalidate_resolver()
    yield
    invalidate_resolver()


@pytest.fixture
def org(places):
    return OrganisationFactory(name="Chin Relief Network", acronym="CRN")


@pytest.fixture
def write(tmp_path):
    """Write text (or bytes) to a file in tmp_path and return its path."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8"):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding=encoding, newline="")
        return path

    return _write
