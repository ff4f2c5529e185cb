"""Browser fixtures for tests of the built site, registered once in tests/conftest.py, and
the helpers the explorer tests share.

* ``site``: the built book served on 127.0.0.1 for the session.
* ``browser`` (pytest-playwright's): Debian's ``/usr/bin/chromium``, never one downloaded by
  ``playwright install``.  Without it the browser tests are skipped, and fail in CI.
* ``page``: one tab per test process, emptied between tests rather than pytest-playwright's
  new context per test, since a tab that has loaded the site keeps its compiled scripts (1.1
  against 2.5 CPU seconds a page, ``benchmarks/bench_browser.py``).  Requests to other hosts
  are blocked and logged, with console errors and uncaught exceptions, in ``page_log``; the
  routing turns the HTTP cache off, so every load still fetches every file.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from cartmodel.parameters import PARAMETERS

# The local server, Chromium's path and its flags have one home, shared with `make pdf`.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from local_server import CHROMIUM, CHROMIUM_ARGS, LOCAL_HOST, serve  # noqa: E402

# Resolves once MathJax (where the page loads it) has typeset the page.
MATHJAX_READY_JS = """
() => (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise)
  ? window.MathJax.startup.promise.then(() => true) : false
"""

# Each display equation of the article: the width its typeset maths needs (scrollWidth) against
# its box's (clientWidth), for the MathJax container and for the block holding the number too.
MEASURE_EQUATIONS_JS = """
() => [...document.querySelectorAll('article div.math')].map((block) => {
  const container = block.querySelector('mjx-container');
  const maths = container && container.querySelector('mjx-math');
  return {
    id: block.id || '(unlabelled: ' + block.textContent.trim().slice(0, 40) + ')',
    typeset: Boolean(container),
    mathWidth: maths ? Math.ceil(maths.getBoundingClientRect().width) : 0,
    containerWidth: container ? container.clientWidth : 0,
    containerNeeds: container ? container.scrollWidth : 0,
    blockWidth: block.clientWidth,
    blockNeeds: block.scrollWidth,
  };
})
"""

# The equations readers asked to see whole, by page: the width checks must have measured
# them, typeset and with a real width (an empty or hidden equation would fit trivially).
MAIN_EQUATIONS = {
    "chapters/equation1": ["equation-eq-equation-1"],
    "chapters/equation2": ["equation-eq-equation-2"],
    "chapters/reading-burden": ["equation-eq-count-model"],
}


def equations_that_do_not_fit(name: str, measured: list[dict]) -> list[str]:
    """The display equations of page ``name`` (``MEASURE_EQUATIONS_JS``) that scroll or are left
    untypeset, and its main equations not measured."""
    problems = [
        f"{name} {eq['id']}: maths {eq['mathWidth']} px, needs {eq['containerNeeds']} px in a "
        f"{eq['containerWidth']} px box (block {eq['blockNeeds']}/{eq['blockWidth']} px)"
        for eq in measured
        if eq["containerNeeds"] > eq["containerWidth"] + 1 or eq["blockNeeds"] > eq["blockWidth"] + 1
    ]
    problems += [f"{name} {eq['id']}: not typeset by MathJax" for eq in measured if not eq["typeset"]]
    for label in MAIN_EQUATIONS.get(name, []):
        found = [eq for eq in measured if eq["id"] == label]
        if len(found) != 1:
            problems.append(f"{name} {label}: not found")
        elif not (found[0]["typeset"] and found[0]["mathWidth"] > 100):
            problems.append(f"{name} {label}: typeset {found[0]['typeset']}, {found[0]['mathWidth']} px wide")
    return problems


def require_browser() -> None:
    """Skip (developer machine) or fail (CI) when Chromium is missing."""
    if not CHROMIUM.exists():
        message = f"browser tests need {CHROMIUM} (apt-get install chromium)"
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


@pytest.fixture(scope="session")
def site(built_book) -> Iterator[Site]:
    """The built book, served on 127.0.0.1 (a free port) until the session ends."""
    root = Path(built_book.html)
    if not (root / "index.html").exists():
        pytest.fail(f"no built site at {root} (index.html missing)")
    with serve(root, name="site-server") as url:
        yield Site(root=root, url=url)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright's launch options, with Debian's Chromium and its flags."""
    require_browser()
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


def is_local(url: str) -> bool:
    """Whether a request stays in the browser or on the local server."""
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname == LOCAL_HOST


class Tab:
    """One tab of its own context, loading page after page (see ``page``), logging in whichever
    ``PageLog`` the current test gave it."""

    def __init__(self, browser) -> None:
        self.browser = browser
        self.log = PageLog()
        self.context = None
        self.page = None

    def open(self):
        """The tab, opened (again, if a test closed it or it crashed)."""
        if self.page is None or self.page.is_closed():
            self.close()
            self.context = self.browser.new_context(viewport={"width": 1280, "height": 900})
            self.context.route("**/*", self._route)
            self.page = self.context.new_page()
            self.page.on("console", lambda message: self.log.console_errors.append(message.text)
                         if message.type == "error" else None)
            self.page.on("pageerror", lambda error: self.log.page_errors.append(str(error)))
        return self.page

    def _route(self, route) -> None:
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            self.log.blocked_requests.append(url)
            route.abort()

    def empty(self) -> None:
        """Leave the tab as a new one: storage and cookies cleared, about:blank loaded."""
        if self.page is None or self.page.is_closed():
            return
        try:
            if urlsplit(self.page.url).hostname == LOCAL_HOST:
                self.page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
            self.page.goto("about:blank")
            self.context.clear_cookies()
        except Exception:
            self.close()  # a tab in a state it cannot leave: the next test gets a new one
        self.log = PageLog()

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
        self.context = self.page = None


@pytest.fixture(scope="session")
def tab(browser) -> Iterator[Tab]:
    """The test process's one tab (see ``page``)."""
    reused = Tab(browser)
    try:
        yield reused
    finally:
        reused.close()


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def page(tab, page_log):
    """The process's tab, emptied for this test, logging in ``page_log``.  A test that adds an
    event listener to it removes it before it ends."""
    new_page = tab.open()
    tab.log = page_log
    try:
        yield new_page
    finally:
        tab.empty()


@contextlib.contextmanager
def dialogs_recorded(page) -> Iterator[list[str]]:
    """The messages of every dialog the page opens meanwhile, each dismissed (a hostile link must open none)."""
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    try:
        yield dialogs
    finally:
        page.remove_listener("dialog", on_dialog)


#: A phone: 375 px wide, two device pixels to a CSS pixel, touch.
PHONE = {"viewport": {"width": 375, "height": 740}, "device_scale_factor": 2, "is_mobile": True}


@contextlib.contextmanager
def new_tab(browser, **context) -> Iterator:
    """A tab of a new context (``browser.new_context``'s options), closed afterwards.  Not pytest-playwright's
    ``context`` or ``new_context``: they pull in pytest-base-url's ``base_url`` fixture, which pytest now deprecates."""
    opened = browser.new_context(**context)
    try:
        yield opened.new_page()
    finally:
        opened.close()


def assert_fits_a_phone(page, selector: str) -> None:
    """At a phone's width the page does not scroll sideways, the element ``selector`` lies
    inside the screen, and its drawing (an SVG or a canvas) is laid out for its width: its
    text is not shrunk below 10 px (the drawings' text is 12 px at scale 1)."""
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    box = page.locator(selector).bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, selector
    chart = page.locator(f"{selector} svg[role=img], {selector} canvas").first
    ratio = chart.evaluate("n => n.getBoundingClientRect().width / (n.viewBox ? n.viewBox.baseVal.width "
                           ": n.width / Math.max(1, Math.min(3, devicePixelRatio)))")
    assert ratio * 12 >= 10, (selector, ratio)


def open_explorers(page, url: str, *selectors: str):
    """``page`` at ``url``, once each live explorer named by ``selectors`` has started (its
    script marks the element ``data-cartmodel-mounted``)."""
    page.goto(url)
    for selector in selectors:
        page.wait_for_selector(f"{selector}[data-cartmodel-mounted]", timeout=20_000)
    return page


def explorer_values(page, selector: str) -> dict:
    """The values of the explorer's controls, as its own script reads them."""
    return page.evaluate(f"document.querySelector('{selector}').cartmodelExplorer.values()")


def explorer_readouts(page, selector: str) -> dict[str, tuple[str, str]]:
    """Each readout of the explorer, by name: its number (``data-value``) and its text."""
    script = "nodes => nodes.map(n => [n.dataset.readout, n.dataset.value, n.textContent])"
    found = page.eval_on_selector_all(f"{selector} [data-readout]", script)
    return {name: (value, text) for name, value, text in found}


def press(page, selector: str, *keys: str) -> None:
    """Focus the control ``selector`` and press ``keys`` in turn, as a keyboard user would."""
    page.locator(selector).focus()
    for key in keys:
        page.keyboard.press(key)


def download_csv(page, selector: str, filename: str) -> tuple[str, str]:
    """The header line and the rest of the CSV file the explorer's download button gives, named ``filename``."""
    with page.expect_download() as info:
        page.locator(f"{selector} [data-action=download-csv]").click()
    assert info.value.suggested_filename == filename
    return tuple(Path(info.value.path()).read_text(encoding="utf-8").split("\n", 1))


def slider_label(page, selector: str, name: str) -> str:
    """Check that the explorer's slider ``name`` has the parameter table's range and step (in
    decades on a log scale) and starts at its default; return the slider's label."""
    control = page.locator(f"{selector} [name={name}]")
    row = PARAMETERS[name]
    low, high, scale, step = row.control
    shown = math.log10 if scale == "log" else float
    assert float(control.get_attribute("min")) == pytest.approx(shown(low)), name
    assert float(control.get_attribute("max")) == pytest.approx(shown(high)), name
    assert float(control.get_attribute("step")) == step, name
    assert float(control.input_value()) == pytest.approx(shown(row.default), abs=step / 2), name
    return page.locator(f"{selector} label[for='{control.get_attribute('id')}']").inner_text()


def assert_link_refused(page, selector: str, keys) -> None:
    """A hostile link left no markup in the explorer (and set no ``__cartmodelPwned``), and its
    note says it ignored each of ``keys``."""
    assert page.evaluate("window.__cartmodelPwned") is None
    assert page.locator(", ".join(f"{selector} {tag}" for tag in ("script", "img", "b", ".cm-url-note svg"))).count() == 0
    note = page.locator(f"{selector} .cm-url-note")
    assert note.is_visible()
    text = note.inner_text()
    assert text.startswith("Ignored from the link")
    for key in keys:
        assert key[:40] in text, key


def serious_accessibility_violations(page, *selectors: str) -> list[str]:
    """axe-core's serious and critical findings in the elements ``selectors`` (the whole page if
    none) as they are now.  Moderate and minor ones pass: the theme's sidebar lies outside a
    landmark (``region``, moderate) on every page."""
    from axe_playwright_python.sync_playwright import Axe

    context = {"include": [[selector] for selector in selectors]} if selectors else None
    found = Axe().run(page, context=context).response["violations"]
    return [
        f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes, e.g. {v['nodes'][0]['target']}): {v['help']}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]
