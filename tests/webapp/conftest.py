"""Browser fixtures for the web app: Debian's Chromium driven by Playwright (async API).

Playwright is only the driver: the browser is the system's ``/usr/bin/chromium`` (installed
by ``scripts/test.sh``), never one that ``playwright install`` downloads. Every page opens in
a context whose network is loopback only: Telegram's ``telegram-web-app.js`` is answered with
the sandbox's stand-in (``bot.sandbox.web_app_script()``), any other request that would leave
127.0.0.1 is aborted and recorded, and a test fails if its page tried one, threw a JavaScript
error or broke the Content-Security-Policy.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    Route,
    async_playwright,
)
from webapp_stack import NewPage

from bot.sandbox import web_app_script

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})

Viewport = Literal["phone", "desktop"]
VIEWPORTS: dict[str, dict[str, object]] = {
    "phone": {
        "viewport": {"width": 360, "height": 740},
        "has_touch": True,
        "is_mobile": True,
        "device_scale_factor": 2,
    },
    "desktop": {
        "viewport": {"width": 1280, "height": 800},
        "has_touch": False,
        "device_scale_factor": 1,
    },
}


@dataclass
class BrowserLog:
    """What the pages of one test did that they should not have."""

    blocked: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.csp_violations.append(message.text)

    def problems(self) -> list[str]:
        return [
            *(f"request left the machine: {url}" for url in self.blocked),
            *(f"JavaScript error: {text}" for text in self.page_errors),
            *(f"CSP violation: {text}" for text in self.csp_violations),
        ]


async def _loopback_only(route: Route, log: BrowserLog) -> None:
    url = route.request.url
    if url.split("#")[0].split("?")[0] == TELEGRAM_SCRIPT:
        await route.fulfill(
            status=200, content_type="application/javascript", body=web_app_script()
        )
        return
    parts = urlsplit(url)
    if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname in LOOPBACK:
        await route.continue_()
        return
    log.blocked.append(url)
    await route.abort("blockedbyclient")


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium "
            "(scripts/test.sh installs it as root: apt-get install -y chromium)"
        )
    return CHROMIUM


@pytest.fixture
async def browser(chromium_path: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(chromium_path), args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
async def new_page(browser: Browser, browser_log: BrowserLog) -> AsyncIterator[NewPage]:
    """``await new_page("phone" | "desktop")``: a fresh page in a context of its own (its own
    sessionStorage, as a fresh Mini App window), network loopback only. Fails the test at the
    end if any page sent a request off the machine, threw, or broke the CSP."""
    contexts: list[BrowserContext] = []

    async def make(viewport: Viewport = "phone") -> Page:
        context = await browser.new_context(
            **VIEWPORTS[viewport],  # type: ignore[arg-type]
            service_workers="block",
            locale="en-US",
        )
        contexts.append(context)

        async def route(route: Route) -> None:
            await _loopback_only(route, browser_log)

        await context.route("**/*", route)
        page = await context.new_page()
        page.on("console", browser_log.on_console)
        page.on("pageerror", lambda error: browser_log.page_errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        with contextlib.suppress(Error):  # the browser may have gone away first
            await context.close()
    problems = browser_log.problems()
    assert not problems, "\n".join(problems)


@pytest.fixture
async def page(new_page: NewPage) -> Page:
    """A page at phone size (360x740, touch)."""
    return await new_page("phone")


@pytest.fixture
async def desktop_page(new_page: NewPage) -> Page:
    """A page at desktop size (1280x800, mouse)."""
    return await new_page("desktop")
