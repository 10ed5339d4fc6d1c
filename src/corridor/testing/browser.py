"""Debian's chromium driven by Playwright, for every test that uses a real browser.

``chromium_browser()`` is what the ``chromium`` fixtures yield (web/tests/conftest.py, and the
sync week test, which runs its own server in another process). Without /usr/bin/chromium the
test skips with a message; in CI (CI=true) a missing browser is a failure, never a skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")


@contextmanager
def chromium_browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = "browser tests need Debian's chromium: apt-get install -y chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the ORM calls a test makes
    # between browser steps are ordinary blocking calls, not run inside that loop.
    with pytest.MonkeyPatch.context() as patch, sync_api.sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            yield browser
        finally:
            browser.close()
