"""Browser fixtures: Debian's Chromium driven by Playwright against the suite's live
server (the app runs in the test event loop on a loopback port).

Playwright's own browser download is never used (`playwright install` does not work
here): the tests launch ``/usr/bin/chromium``, and skip with the reason when it or the
playwright package is missing. Every request a page makes is recorded, and a test fails
if any goes to another host than the app.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / ".artifacts"


def _chromium_missing() -> bool:
    return not CHROMIUM.exists()


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[Browser]:
    if _chromium_missing():
        pytest.skip(
            f"browser tests need Chromium at {CHROMIUM} (apt-get install -y chromium); "
            f"found {shutil.which('chromium') or 'none'}"
        )
    try:
        from playwright.async_api import async_playwright  # optional: the test extra
    except ImportError:
        pytest.skip("browser tests need the playwright package (pip install -e '.[test]')")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        await browser.close()


class Visit:
    """A browser context on the app that records every request its pages make."""

    def __init__(self, context: BrowserContext, base_url: str) -> None:
        self.context = context
        self.base_url = base_url
        self.requested: list[str] = []
        context.on("request", lambda request: self.requested.append(request.url))

    def foreign_requests(self) -> list[str]:
        app = urlsplit(self.base_url).netloc
        return [
            url
            for url in self.requested
            if urlsplit(url).scheme not in ("data", "about") and urlsplit(url).netloc != app
        ]


@pytest.fixture
async def open_browser(chromium: Browser, live_server: str) -> AsyncIterator[Any]:
    """``await open_browser(**context_options)``: a new context; closed after the test,
    which then checks that no page asked another host for anything."""
    visits: list[Visit] = []

    async def open_context(**options: Any) -> Visit:
        context = await chromium.new_context(base_url=live_server, **options)
        visit = Visit(context, live_server)
        visits.append(visit)
        return visit

    yield open_context
    for visit in visits:
        await visit.context.close()
    for visit in visits:
        assert visit.foreign_requests() == []
        assert visit.requested, "the browser made no request at all"


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name
