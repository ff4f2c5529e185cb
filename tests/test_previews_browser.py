"""Previews of references in Chromium: hovering or focusing a citation, an equation
reference or a figure reference shows its target in a popup (sphinx-tippy), from the
site's own scripts, with no console error and no request to another host.

The ``page`` fixture (tests/browser.py) blocks and records every request that leaves
127.0.0.1 and records console errors and uncaught exceptions in ``page_log``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import yaml

from .browser import MATHJAX_READY_JS
from .conftest import REPO
from .test_book import page as page_of

# Every test reads the built book; all but the configuration check also drive Chromium.

PAGE = "chapters/equation1"  # cites papers, refers to its equations and to a figure
TIP = "[data-tippy-root] .tippy-box"

pytestmark = [pytest.mark.book, pytest.mark.browser]


@pytest.fixture
def equation1(page, site):  # noqa: F811 - fixtures from tests/browser.py
    page.goto(site.page_url(f"{PAGE}.html"), wait_until="load")
    page.evaluate(MATHJAX_READY_JS)
    # sphinx-tippy marks each link it gave a preview with the class of tippy_add_class.
    page.wait_for_selector("a.has-preview", state="attached", timeout=15_000)
    return page


def shown_tip(page, link):
    """The popup of ``link`` once it is visible (tippy adds it to the body on show)."""
    box = page.locator(TIP)
    box.first.wait_for(state="visible", timeout=10_000)
    assert box.count() == 1, f"{box.count()} popups shown at once"
    return box.first


def assert_clean(page_log):
    assert page_log.blocked_requests == [], f"requests to other hosts: {page_log.blocked_requests}"
    assert page_log.console_errors == [], f"console errors: {page_log.console_errors}"
    assert page_log.page_errors == [], f"uncaught errors: {page_log.page_errors}"


def test_citation_preview_shows_the_reference(equation1, page_log, built_book):
    link = equation1.locator('article a[href*="bibliography.html#"]').first
    href = link.get_attribute("href")
    target = page_of(built_book, "chapters/bibliography").find(id=href.split("#", 1)[1])
    assert target is not None, f"{href} points nowhere"
    expected = " ".join(target.find("p").get_text(" ").split())
    assert equation1.locator(TIP).count() == 0, "a popup is shown before any hover"
    link.hover()
    tip = shown_tip(equation1, link)
    shown = " ".join(tip.inner_text().split())
    assert expected[:60] in shown, f"the popup shows {shown[:200]!r}, not the reference {expected[:60]!r}"
    assert_clean(page_log)


def test_equation_preview_shows_the_typeset_equation_on_focus(equation1, page_log):
    link = equation1.locator('article a.reference.internal[href^="#equation-"]').first
    link.focus()  # keyboard readers get the preview too
    tip = shown_tip(equation1, link)
    tip.locator("mjx-container").first.wait_for(state="visible", timeout=10_000)
    assert tip.locator("mjx-merror").count() == 0, "MathJax could not typeset the previewed equation"
    assert "\\frac" not in tip.inner_text() and "\\begin" not in tip.inner_text(), "TeX source shown in the popup"
    assert_clean(page_log)


def test_figure_preview_shows_the_figure(equation1, page_log):
    link = equation1.locator('article a.reference.internal[href^="#fig-"]').first
    link.hover()
    tip = shown_tip(equation1, link)
    image = tip.locator("img").first
    image.wait_for(state="visible", timeout=10_000)
    assert image.evaluate("(img) => img.complete && img.naturalWidth > 0"), "the previewed figure did not load"
    assert "Fig." in tip.inner_text()
    assert_clean(page_log)


def test_preview_scripts_come_from_the_site(equation1, page_log):
    scripts = equation1.evaluate("() => [...document.scripts].map((s) => s.src).filter(Boolean)")
    paths = [urlsplit(src).path for src in scripts]
    assert any(path.endswith("/_static/vendor/tippy/dist/tippy-bundle.umd.min.js") for path in paths), paths
    assert any(path.endswith("/_static/vendor/popperjs/dist/umd/popper.min.js") for path in paths), paths
    assert all(urlsplit(src).hostname == "127.0.0.1" for src in scripts), scripts
    assert_clean(page_log)


def test_preview_configuration_stays_offline(built_book):
    """No preview asks a web service at build time, and the scripts are the npm copies."""
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"]
    assert "sphinx_tippy" in config["extensions"]
    assert config["tippy_enable_wikitips"] is False and config["tippy_enable_doitips"] is False
    assert config["tippy_rtd_urls"] == []
    for script in config["tippy_js"]:
        assert "://" not in script and (built_book.html / "_static" / script).is_file(), script
    # sphinx-tippy keeps what it fetched in caches beside the site: they stay empty.
    for cache in ("tippy_wiki_cache.json", "tippy_doi_cache.json", "tippy_rtd_cache.json"):
        path = built_book.html / cache
        assert not path.exists() or path.read_text(encoding="utf-8").strip() == "{}", cache
