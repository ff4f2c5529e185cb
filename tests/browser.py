"""Browser helpers for tests of the built site: a local server and a Chromium page.

tests/conftest.py registers them once for the whole session: a second Playwright
session in the same thread would fail ("Sync API inside the asyncio loop").

* ``site``: the built book (``built_book.html``) served on 127.0.0.1 by
  ``http.server`` from a background thread, for the whole session.
* ``chromium``: Debian's ``/usr/bin/chromium`` driven by Playwright for Python
  (never a browser downloaded by ``playwright install``).
* ``page``: a fresh page in its own context.  Every request that does not go to
  the local server is blocked and recorded, so a page that needs the network
  (a CDN) fails visibly; console errors and uncaught exceptions are recorded in
  ``page_log``.

Without ``/usr/bin/chromium`` (or Playwright) the browser tests are skipped on
a developer's machine, with the reason, and fail in CI (``CI=true``).
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
LOCAL_HOST = "127.0.0.1"


def require_browser() -> None:
    """Skip (developer machine) or fail (CI) when Chromium or Playwright is missing."""
    problems = []
    if not CHROMIUM.exists():
        problems.append(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("Playwright for Python is missing (pip install -e '.[test]')")
    if problems:
        message = "browser tests need " + "; ".join(problems)
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@dataclass(frozen=True)
class Site:
    """A built site served over HTTP: ``root`` on disk, ``url`` ending in a slash."""

    root: Path
    url: str

    def page_url(self, name: str) -> str:
        """URL of a page given by its path in the site, e.g. ``chapters/interactive-dosing.html``."""
        return self.url + name.lstrip("/")


@dataclass
class PageLog:
    """What a page did that a test may want to refuse."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    blocked_requests: list[str] = field(default_factory=list)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="session")
def site(built_book) -> Iterator[Site]:
    """The built book, served on 127.0.0.1 (a free port) until the session ends."""
    root = Path(built_book.html)
    if not (root / "index.html").exists():
        pytest.fail(f"no built site at {root} (index.html missing)")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer((LOCAL_HOST, 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield Site(root=root, url=f"http://{LOCAL_HOST}:{server.server_address[1]}/")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, launched headless once per session through Playwright."""
    require_browser()
    from playwright.sync_api import sync_playwright

    manager = sync_playwright().start()
    try:
        browser = manager.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    except Exception:
        manager.stop()
        raise
    try:
        yield browser
    finally:
        browser.close()
        manager.stop()


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def page(chromium, page_log):
    """A new page; requests to anything but 127.0.0.1 are blocked and logged in ``page_log``."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})

    def route(route_request):
        url = route_request.request.url
        scheme = urlsplit(url).scheme
        if scheme in ("data", "blob") or urlsplit(url).hostname == LOCAL_HOST:
            route_request.continue_()
        else:
            page_log.blocked_requests.append(url)
            route_request.abort()

    context.route("**/*", route)
    new_page = context.new_page()
    new_page.on("console", lambda message: page_log.console_errors.append(message.text) if message.type == "error" else None)
    new_page.on("pageerror", lambda error: page_log.page_errors.append(str(error)))
    try:
        yield new_page
    finally:
        context.close()
