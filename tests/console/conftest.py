"""A real browser for the console: Debian's Chromium driven headless by Playwright, never
a downloaded browser. Under CI (CI=true) a missing Chromium or Playwright FAILS these
tests (scripts/prepare-browser.sh installs Chromium); elsewhere they skip, saying why.

Screenshots of the main screens are kept as test artefacts in `artifacts/console/`
(or $ECSD_ARTIFACTS/console/), to be looked at."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import ARGS, CHROMIUM

ARTIFACTS = (
    Path(os.environ.get("ECSD_ARTIFACTS", Path(__file__).parents[2] / "artifacts")) / "console"
)


def _missing() -> str | None:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        return f"{CHROMIUM} is missing (scripts/prepare-browser.sh installs it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing (pip install -e '.[test]')"
    return None


# Package scope, not session: while Playwright's sync API is open it keeps an event loop
# running in the main thread, and every later test calling asyncio.run would fail.
@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    why = _missing()
    if why is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Chromium and Playwright are required under CI: {why}")
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, ecsd: Any) -> Iterator[Any]:
    """A fresh browser context on a reset ecsd; page errors fail the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.set_default_timeout(15_000)
    pg.base_url = ecsd.url  # type: ignore[attr-defined]
    yield pg
    context.close()
    assert not errors, f"errors in the page: {errors}"


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
