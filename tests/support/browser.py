"""Open pages in headless Chromium (Playwright driving Debian's ``/usr/bin/chromium``).

:func:`load` opens one page and collects what a reader would see go wrong: uncaught
JavaScript exceptions, console errors, requests that failed, HTTP errors, and requests that
left the machine (aborted: the report and the site must work offline). Playwright, not
``chromium --dump-dom``: the browser's own log shows neither failed image loads nor errors
thrown after the load event.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pytest

#: Chromium as CI installs it (.ci/run: apt-get install chromium); $FEMSI_CHROMIUM overrides.
CHROMIUM = os.environ.get("FEMSI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

needs_chromium = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM} (.ci/run installs it)"
)


@dataclass
class PageLoad:
    """What happened while a page loaded."""

    url: str
    errors: list[str] = field(default_factory=list)  # exceptions, console errors, failed loads
    external: list[str] = field(default_factory=list)  # requests to other hosts (aborted)


@contextmanager
def browser() -> Iterator[object]:
    """A headless Chromium with a fresh profile."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="femsi-chromium-") as profile:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                headless=True,
                args=FLAGS,
                viewport={"width": 1400, "height": 1000},
            )
            try:
                yield context
            finally:
                context.close()


def load(context, url: str, settle_ms: int = 300, local_hosts: tuple[str, ...] = ()) -> PageLoad:
    """Open ``url`` and return what went wrong while it loaded and ran.

    Requests to ``file:``, ``data:`` and ``blob:`` URLs and to ``local_hosts`` go through;
    any other request is aborted and listed in :attr:`PageLoad.external`.
    """
    result = PageLoad(url)
    page = context.new_page()

    def route(request_route) -> None:
        target = urlparse(request_route.request.url)
        if target.scheme in ("file", "data", "blob") or target.netloc in local_hosts:
            request_route.continue_()
        else:
            result.external.append(request_route.request.url)
            request_route.abort()

    def failed(request) -> None:
        if request.url not in result.external:
            result.errors.append(f"load failed: {request.url} ({request.failure})")

    def console(message) -> None:
        if message.type == "error" and not _about_aborted(message.text, result):
            result.errors.append(f"console error: {message.text}")

    def response(answer) -> None:
        if answer.status >= 400:
            result.errors.append(f"HTTP {answer.status}: {answer.url}")

    page.route("**/*", route)
    page.on("pageerror", lambda error: result.errors.append(f"uncaught: {error}"))
    page.on("console", console)
    page.on("requestfailed", failed)
    page.on("response", response)
    page.goto(url, wait_until="load")
    page.wait_for_timeout(settle_ms)  # errors thrown by timers and promises after the load
    result.page = page  # type: ignore[attr-defined]
    return result


def _about_aborted(text: str, result: PageLoad) -> bool:
    """A console error that only reports an external request we aborted."""
    return "net::ERR_FAILED" in text and bool(result.external)
