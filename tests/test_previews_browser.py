"""Previews of references in Chromium: hovering or focusing a citation, an equation
reference or a figure reference shows its target in a popup (sphinx-tippy), from the
site's own scripts, with no console error and no request to another host (``page_log``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import yaml

from .browser import MATHJAX_READY_JS
from .conftest import REPO
from .test_book import page as page_of

PAGE = "chapters/equation1"  # cites papers, refers to its equations and to a figure
TIP = "[data-tippy-root] .tippy-box"


@pytest.fixture
def equation1(page, site):
    page.goto(site.page_url(f"{PAGE}.html"), wait_until="load")
    page.evaluate(MATHJAX_READY_JS)
    # sphinx-tippy marks each link it gave a preview with the class of tippy_add_class.
    page.wait_for_selector("a.has-preview", state="attached", timeout=15_000)
    return page


def shown_tip(page):
    """The popup of ``link`` once it is visible (tippy adds it to the body on show)."""
    box = page.locator(TIP)
    box.first.wait_for(state="visible", timeout=10_000)
    assert box.count() == 1, f"{box.count()} popups shown at once"
    return box.first


def citation_checks(link, tip, built_book):
    href = link.get_attribute("href")
    target = page_of(built_book, "chapters/bibliography").find(id=href.split("#", 1)[1])
    assert target is not None, f"{href} points nowhere"
    expected = " ".join(target.find("p").get_text(" ").split())[:60]
    assert expected in " ".join(tip.inner_text().split()), f"the popup shows {tip.inner_text()[:200]!r}, not {expected!r}"


def equation_checks(link, tip, built_book):
    tip.locator("mjx-container").first.wait_for(state="visible", timeout=10_000)
    assert tip.locator("mjx-merror").count() == 0, "MathJax could not typeset the previewed equation"
    assert "\\frac" not in tip.inner_text() and "\\begin" not in tip.inner_text(), "TeX source shown in the popup"


def figure_checks(link, tip, built_book):
    image = tip.locator("img").first
    image.wait_for(state="visible", timeout=10_000)
    assert image.evaluate("(img) => img.complete && img.naturalWidth > 0"), "the previewed figure did not load"
    assert "Fig." in tip.inner_text()


@pytest.mark.parametrize(("selector", "show", "checks"), [
    ('article a[href*="bibliography.html#"]', "hover", citation_checks),
    ('article a.reference.internal[href^="#equation-"]', "focus", equation_checks),  # keyboard readers get it too
    ('article a.reference.internal[href^="#fig-"]', "hover", figure_checks),
], ids=["citation", "equation", "figure"])
def test_a_reference_previews_its_target(equation1, page_log, built_book, selector, show, checks):
    """A popup shows the cited reference, the typeset equation or the figure, from the site's own scripts."""
    link = equation1.locator(selector).first
    assert equation1.locator(TIP).count() == 0, "a popup is shown before any hover"
    getattr(link, show)()
    checks(link, shown_tip(equation1), built_book)
    scripts = equation1.evaluate("() => [...document.scripts].map((s) => s.src).filter(Boolean)")
    paths = [urlsplit(src).path for src in scripts]
    for script in ("tippy/dist/tippy-bundle.umd.min.js", "popperjs/dist/umd/popper.min.js"):
        assert any(path.endswith("/_static/vendor/" + script) for path in paths), paths
    assert all(urlsplit(src).hostname == "127.0.0.1" for src in scripts), scripts
    assert page_log.blocked_requests == [], f"requests to other hosts: {page_log.blocked_requests}"
    assert page_log.console_errors == [], f"console errors: {page_log.console_errors}"
    assert page_log.page_errors == [], f"uncaught errors: {page_log.page_errors}"


def test_preview_configuration_stays_offline(built_book):
    """No preview asks a web service at build time: sphinx-tippy's caches of what it fetched stay empty
    (the popups' scripts, the npm copies, are checked above)."""
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"]
    assert config["tippy_enable_wikitips"] is False and config["tippy_enable_doitips"] is False and config["tippy_rtd_urls"] == []
    for cache in ("tippy_wiki_cache.json", "tippy_doi_cache.json", "tippy_rtd_cache.json"):
        path = built_book.html / cache
        assert not path.exists() or path.read_text(encoding="utf-8").strip() == "{}", cache
