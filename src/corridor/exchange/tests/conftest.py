"""Shared set-up for exchange tests: the real gazetteer and a couple of organisations."""

from __future__ import annotations

import openpyxl
import pytest
from django.utils import translation

from corridor.geo.resolver import invalidate_resolver
from corridor.geo.services import admin_units_load
from corridor.testing.factories import OrganisationFactory


@pytest.fixture(autouse=True)
def english():
    """Reasons are asserted in English whatever ran before on this worker.

    A page request for a Burmese user (web/tests/test_upload.py) leaves Burmese active on the
    thread: web/middleware.py activates the user's language and nothing resets it, so under
    ``-n 2`` the ZIP refusals of test_safety.py came out in Burmese.
    """
    with translation.override("en"):
        yield


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


@pytest.fixture
def workbook(tmp_path):
    """Write an XLSX file of (sheet title, rows) pairs, in order, and return its path."""

    def _workbook(name: str, sheets: list[tuple[str, list[list]]]):
        book = openpyxl.Workbook()
        book.remove(book.active)
        for title, rows in sheets:
            sheet = book.create_sheet(title)
            for cells in rows:
                sheet.append(cells)
        path = tmp_path / name
        book.save(path)
        return path

    return _workbook
