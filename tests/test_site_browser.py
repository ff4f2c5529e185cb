"""The website as readers get it: each page of ``_toc.yml`` visited once in Chromium (``visit``)
and held to what the visit recorded: no console error, failed request or request to another
host; images that load and figures that are described; maths typeset by the site's own MathJax
and numbered, no display equation scrolling at 1280 px; links inside the site that name a file
and an element of it; the site's own icon; no serious axe-core finding; the chapter's source
and notebook downloads.  Then the widget manager offline, the shared tab emptied between
tests, and, without a browser, HTML and CSS that load nothing from another host and a build
that stops without the npm packages.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote, urldefrag, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup
from sphinx.errors import ConfigError

from .browser import (
    MATHJAX_READY_JS,
    MEASURE_EQUATIONS_JS,
    PageLog,
    Tab,
    equations_that_do_not_fit,
    is_local,
    serious_accessibility_violations,
    serve,
)
from .conftest import PDF_NAME, REPO, repository_module
from .test_book import chapter_title, notebook_chapters, toc_files

PAGES = toc_files()
MATHJAX = "/_static/vendor/mathjax/es5/tex-mml-chtml.js"  # the npm copy, put there by _ext/local_assets.py

# Everything the visit collects from the page's DOM, in one round trip.
COLLECT_JS = """
() => {
  const article = document.querySelector('article') || document.querySelector('main') || document.body;
  const text = (el) => (el ? el.textContent : '').replace(/\\s+/g, ' ').trim();
  return {
    images: [...document.images].map((img) => ({
      src: img.currentSrc || img.src,
      naturalWidth: img.naturalWidth,
      alt: img.getAttribute('alt'),
      inArticle: article.contains(img),
      caption: text(img.closest('figure') && img.closest('figure').querySelector('figcaption')),
    })),
    figures: [...article.querySelectorAll('figure')].map((figure) => ({
      id: figure.id || (figure.querySelector('[id]') || {}).id || '',
      caption: text(figure.querySelector('figcaption')),
      alts: [...figure.querySelectorAll('img')].map((img) => img.getAttribute('alt') || ''),
    })),
    mathSources: article.querySelectorAll('.math').length,
    mathUntypeset: [...article.querySelectorAll('.math')]
      .filter((el) => !el.querySelector('mjx-container')).map((el) => text(el).slice(0, 80)),
    mathErrors: [...document.querySelectorAll('mjx-merror')].map((el) => text(el).slice(0, 80)),
    labelledEquations: [...article.querySelectorAll('div.math[id^="equation-"]')].map((el) => ({
      id: el.id, number: text(el.querySelector('span.eqno')).replace(/#$/, '').trim(),
    })),
    equationLinks: [...article.querySelectorAll('a[href*="#equation-"]')].map((a) => ({
      href: a.href, text: text(a),
    })),
    links: [...document.querySelectorAll('a[href]')].map((a) => a.href),
    widgetViews: document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length,
    widgetsRendered: document.querySelectorAll('.jupyter-widgets.widget-container, .jupyter-widgets.widget-inline-hbox').length,
    widgetText: text(document.querySelector('.jupyter-widgets')),
  };
}
"""

# True once each widget view of the page (if any) has been rendered by the widget manager.
WIDGETS_READY_JS = """
() => document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length
  <= document.querySelectorAll('.jupyter-widgets.widget-container, .jupyter-widgets.widget-inline-hbox').length
"""

# The page's icons, and how the server answers a request for the first (from the page, as
# the browser would ask for it).
ICON_JS = """
async () => {
  const icons = [...document.querySelectorAll('link[rel~="icon"]')];
  if (!icons.length) return {count: 0, href: null, status: null, type: null};
  const response = await fetch(icons[0].href);
  return {count: icons.length, href: icons[0].href, status: response.status,
          type: response.headers.get('content-type') || ''};
}
"""

# Loads every image now (lazy ones included) and waits until each has loaded or failed.
LOAD_IMAGES_JS = """
async () => {
  const images = [...document.images];
  images.forEach((img) => { img.loading = 'eager'; });
  await Promise.all(images.map((img) => img.decode().catch(() => null)));
}
"""


@dataclass
class Visit:
    """What one page did in the browser, and what it shows."""

    requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dom: dict = field(default_factory=dict)
    equations: list[dict] = field(default_factory=list)  # MEASURE_EQUATIONS_JS at 1280 px
    violations: list[str] = field(default_factory=list)  # axe-core's serious and critical


def run_visit(tab: Tab, url: str, *, axe: bool = True) -> Visit:
    """Open ``url`` in ``tab``, let it settle, collect, then run axe-core (whose own requests
    are not the page's); leave the tab emptied."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout  # present: require_browser() passed

    record = Visit()
    page = tab.open()
    log = tab.log = PageLog()  # the tab's routing counts the requests to other hosts

    def on_request(request) -> None:
        record.requests.append(request.url)

    def on_failed(request) -> None:
        if is_local(request.url):
            record.failed_requests.append(f"{request.url} ({request.failure})")

    def on_response(response) -> None:
        if response.status >= 400:
            record.failed_requests.append(f"{response.url} (HTTP {response.status})")

    listeners = {"request": on_request, "requestfailed": on_failed, "response": on_response}
    for event, listener in listeners.items():
        page.on(event, listener)
    try:
        page.goto(url, wait_until="load")
        page.evaluate(MATHJAX_READY_JS)
        page.evaluate(LOAD_IMAGES_JS)
        icon = page.evaluate(ICON_JS)
        page.wait_for_load_state("networkidle")
        with contextlib.suppress(PlaywrightTimeout):  # the widget test reports what did not render
            page.wait_for_function(WIDGETS_READY_JS, timeout=15_000)
        record.dom = page.evaluate(COLLECT_JS) | {"icon": icon}
        record.equations = page.evaluate(MEASURE_EQUATIONS_JS)
    finally:
        for event, listener in listeners.items():
            page.remove_listener(event, listener)
        tab.log = PageLog()
    record.external_requests = log.blocked_requests
    record.console_errors = log.console_errors + [f"uncaught: {error}" for error in log.page_errors]
    if axe:
        record.violations = serious_accessibility_violations(page)
    tab.empty()
    return record


@pytest.fixture(scope="module")
def visit(site, tab):
    """``visit(name)``: the visit of a page of the table of contents, each page once, in the
    test process's one tab (see tests/browser.py)."""
    return functools.cache(lambda name: run_visit(tab, site.page_url(f"{name}.html")))


def served_file(site, url: str) -> Path | None:
    """The file of the built site that the local server answers ``url`` with (None if there is
    none): the links are resolved on disk, which is what the server would read."""
    path = unquote(urlsplit(url).path).removeprefix(urlsplit(site.url).path)
    target = site.root / path
    if path == "" or path.endswith("/"):
        target = target / "index.html"
    return target if target.is_file() else None


@functools.cache
def parsed(path: Path) -> BeautifulSoup:
    """A built page, parsed once per test process (the tests here only read it)."""
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@functools.cache
def anchors(path: Path) -> set[str]:
    """The ids and named anchors of a page (the API reference links hundreds of its own)."""
    soup = parsed(path)
    return {tag["id"] for tag in soup.find_all(id=True)} | {a["name"] for a in soup.find_all("a", attrs={"name": True})}


def looks_like_a_file_name(alt: str) -> bool:
    """myst-nb's default alt text of a cell's image is its path: not a description."""
    return bool(re.search(r"\.(png|jpe?g|svg|gif|webp)$", alt.strip(), re.IGNORECASE))


# --- in the browser -------------------------------------------------------------------


class PageChecks:
    """The checks of one page, for each page a subclass names in ``PAGES`` (two classes, so
    that two test processes can visit pages at once)."""

    PAGES: list[str] = []

    def test_no_console_errors_and_no_failed_requests(self, visit, name):
        page = visit(name)
        assert page.requests, f"{name}: the visit recorded no request at all"
        assert page.console_errors == [], f"{name}: console errors:\n" + "\n".join(page.console_errors)
        assert page.failed_requests == [], f"{name}: failed requests:\n" + "\n".join(page.failed_requests)

    def test_no_request_leaves_the_site(self, visit, name):
        assert visit(name).external_requests == [], f"{name}: requests to other hosts"

    def test_images_load_and_figures_are_described(self, visit, name):
        dom = visit(name).dom
        broken = [image["src"] for image in dom["images"] if image["naturalWidth"] <= 0]
        assert broken == [], f"{name}: images that did not load: {broken}"
        undescribed = [
            figure["id"] or "(figure without id)"
            for figure in dom["figures"]
            if not figure["caption"] and not all(alt.strip() and not looks_like_a_file_name(alt) for alt in figure["alts"])
        ]
        assert undescribed == [], f"{name}: figures with neither a caption nor alt text: {undescribed}"
        bare = [
            image["src"].rsplit("/", 1)[-1]
            for image in dom["images"]
            if image["inArticle"] and not image["caption"]
            and (not (image["alt"] or "").strip() or looks_like_a_file_name(image["alt"]))
        ]
        assert bare == [], f"{name}: images with no caption and no real alt text (only a file name): {bare}"

    def test_maths_is_typeset_by_the_sites_own_mathjax(self, visit, name):
        page = visit(name)
        dom = page.dom
        if dom["mathSources"] == 0:
            return  # nothing to typeset (the root page loads MathJax all the same: it includes every chapter)
        mathjax = [url for url in page.requests if "tex-mml-chtml.js" in url]
        assert mathjax and {urlsplit(url).path for url in mathjax} == {MATHJAX}, f"{name}: MathJax not from {MATHJAX}: {mathjax}"
        assert dom["mathUntypeset"] == [], f"{name}: maths left as TeX source: {dom['mathUntypeset'][:5]}"
        assert dom["mathErrors"] == [], f"{name}: MathJax errors: {dom['mathErrors']}"
        unnumbered = [eq["id"] for eq in dom["labelledEquations"] if not re.fullmatch(r"\(\d+(\.\d+)*\)", eq["number"])]
        assert unnumbered == [], f"{name}: labelled equations without a number: {unnumbered}"

    def test_display_equations_fit_a_desktop_column(self, visit, name):
        """At 1280 px (test_reading_browser.py does a phone's width)."""
        problems = equations_that_do_not_fit(name, visit(name).equations)
        assert problems == [], "display equations at 1280 px:\n" + "\n".join(problems)

    def test_equation_references_show_the_number_they_point_to(self, visit, site, name):
        """An {eq} reference reads "(n)" and its target equation carries that number."""
        for link in visit(name).dom["equationLinks"]:
            target_url, fragment = urldefrag(link["href"])
            path = served_file(site, target_url)
            assert path is not None, f"{name}: equation reference to a missing page {target_url}"
            target = parsed(path).find(id=fragment)
            assert target is not None, f"{name}: equation reference to a missing #{fragment}"
            number = target.select_one("span.eqno")
            if number is not None and re.fullmatch(r"\(\d+(\.\d+)*\)", link["text"]):
                assert number.get_text().rstrip("#").strip() == link["text"], (
                    f"{name}: reference '{link['text']}' points to equation {number.get_text()!r}"
                )

    def test_widgets_are_rendered(self, visit, name):
        """Widget views saved in a chapter (none, so far) are drawn by the site's widget manager."""
        dom = visit(name).dom
        assert dom["widgetsRendered"] >= dom["widgetViews"], f"{name}: {dom['widgetViews']} widget views, {dom['widgetsRendered']} drawn"

    def test_internal_links_resolve(self, visit, site, name):
        """Every link to the site (script-made ones included) names a file of the built site and
        an element with its fragment's id; a link to the printed book, which ``make pdf`` adds
        after the build, names the site's root (test_publication.py checks the PDF is there)."""
        problems = []
        for url in sorted(set(visit(name).dom["links"])):
            if urlsplit(url).scheme not in ("http", "https") or not is_local(url):
                continue  # links out of the site are checked by the scheduled link check
            target, fragment = urldefrag(url)
            path = served_file(site, target)
            if urlsplit(target).path.endswith(f"/{PDF_NAME}"):
                if target != site.url + PDF_NAME:
                    problems.append(f"{url}: not the printed book at the site's root")
            elif path is None:
                problems.append(f"{url}: no such file in the site")
            elif fragment and path.suffix == ".html" and fragment not in anchors(path):
                problems.append(f"{url}: no element with id {fragment!r}")
        assert problems == [], f"{name}: broken links inside the site:\n" + "\n".join(problems)

    def test_no_serious_or_critical_accessibility_violation(self, visit, name):
        """axe-core on the whole page, none waived: the stock pages' two (the bibliography's list
        roles; the colour mode's console error) are fixed by _ext/accessible_citations.py and
        ``html_context.default_mode``."""
        violations = visit(name).violations
        assert violations == [], f"{name}: axe-core violations:\n" + "\n".join(violations)

    def test_chapter_downloads_as_source_and_notebook(self, visit, site, name):
        links = set(visit(name).dom["links"])
        wanted = [".md", ".ipynb"] if name in notebook_chapters() else [".md"]
        for suffix in wanted:
            matches = [url for url in links if urlsplit(url).path.endswith(f"/_sources/{name}{suffix}")]
            assert matches, f"{name}: no download link for the {suffix} file"
            path = served_file(site, matches[0])
            assert path is not None, f"{name}: the {suffix} download {matches[0]} is not in the site"
            text = path.read_text(encoding="utf-8")
            if suffix == ".ipynb":
                notebook = json.loads(text)
                assert notebook["nbformat"] == 4 and notebook["cells"], f"{name}: the .ipynb download is not a notebook"
            else:
                assert f"# {chapter_title(name)}" in text, f"{name}: the .md download is not the chapter's source"

    def test_the_page_loads_the_sites_own_icon(self, visit, name):
        """One icon, the site's own SVG, which the server gives (a missing ``/favicon.ico``
        would be a failed request of the visit)."""
        icon = visit(name).dom["icon"]
        assert icon["count"] == 1 and is_local(icon["href"]), f"{name}: icons {icon}"
        assert icon["status"] == 200 and icon["type"].startswith("image/svg"), f"{name}: icon {icon}"


API_REFERENCE = "chapters/api"  # the largest page: axe-core alone takes as long on it as on ten chapters


class TestApiReference(PageChecks):
    PAGES = [API_REFERENCE]


class TestChapters(PageChecks):
    PAGES = [name for name in toc_files() if name != API_REFERENCE]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.cls is not None and issubclass(metafunc.cls, PageChecks):
        metafunc.parametrize("name", metafunc.cls.PAGES)


def test_widget_manager_renders_a_widget_offline(tab, built_book, tmp_path):
    """The scripts the build names for ipywidgets (``nb_ipywidgets_js``) exist in the site
    and render a widget with no network: a page like the ones myst-nb writes for a
    notebook with widget state, holding a slider made by the installed ipywidgets."""
    import ipywidgets
    from ipywidgets.embed import embed_data

    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    scripts = list(config["sphinx"]["config"]["nb_ipywidgets_js"])
    assert all("://" not in script for script in scripts), f"nb_ipywidgets_js names a remote script: {scripts}"
    data = embed_data(views=[ipywidgets.IntSlider(value=7, min=0, max=10, description="Dose")])
    tags = "\n".join(f'<script src="_static/{script}"></script>' for script in scripts)
    (tmp_path / "_static").symlink_to(Path(built_book.html) / "_static", target_is_directory=True)
    (tmp_path / "widget.html").write_text(
        f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>widget</title>
{tags}
<script type="application/vnd.jupyter.widget-state+json">{json.dumps(data["manager_state"])}</script>
</head><body><main>
<script type="application/vnd.jupyter.widget-view+json">{json.dumps(data["view_specs"][0])}</script>
</main></body></html>""",
        encoding="utf-8",
    )
    with serve(tmp_path) as root_url:
        record = run_visit(tab, f"{root_url}widget.html", axe=False)
    assert record.external_requests == [], f"the widget manager reached out: {record.external_requests}"
    assert record.console_errors + record.failed_requests == [], "errors of the widget page"
    loaded = {urlsplit(url).path.lstrip("/") for url in record.requests}
    assert {f"_static/{script}" for script in scripts} <= loaded
    assert record.dom["widgetsRendered"] == 1, "the slider was not rendered"
    assert "Dose" in record.dom["widgetText"] and "7" in record.dom["widgetText"]


def test_the_accessibility_check_reports_a_page_that_fails_it(page):
    """The control of the accessibility tests: faint text and an image without alt text."""
    page.set_content('<html lang="en"><title>control</title><main><p style="color:#ccc">faint text</p>'
                     '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="10" height="10"></main>')
    found = " ".join(serious_accessibility_violations(page))
    assert "color-contrast (serious" in found and "image-alt (critical" in found, found


def test_the_reused_tab_is_emptied_between_tests(tab, site):
    """What a test leaves in the process's one tab (storage, cookies, a page still running, log
    entries) does not reach the next test."""
    page = tab.open()
    first = tab.log = PageLog()
    page.goto(site.page_url("chapters/index.html"), wait_until="load")
    page.evaluate("""() => { localStorage.setItem('left', '1'); sessionStorage.setItem('left', '1');
                            document.cookie = 'left=1; path=/'; console.error('left by the first test'); }""")
    tab.empty()
    assert page.url == "about:blank" and tab.log is not first
    second = tab.log = PageLog()
    page.goto(site.page_url("chapters/index.html"), wait_until="load")
    left = page.evaluate("() => [localStorage.getItem('left'), sessionStorage.getItem('left'), document.cookie]")
    tab.empty()
    assert left == [None, None, ""]
    assert first.console_errors == ["left by the first test"] and second.console_errors == []


# --- without a browser ----------------------------------------------------------------


def test_no_html_file_loads_anything_from_another_host(built_book):
    """Scripts, stylesheets, images and frames of every HTML file are the site's own."""
    loads = "script[src], img[src], iframe[src], source[src], audio[src], video[src], embed[src]"
    remote = []
    files = sorted(Path(built_book.html).rglob("*.html"))
    assert len(files) >= len(PAGES)
    for path in files:
        soup = parsed(path)
        remote += [f"{path.name}: <{el.name} src={el['src']}>" for el in soup.select(loads) if urlsplit(el["src"]).netloc]
        for link in soup.find_all("link", href=True):
            if set(link.get("rel", [])) & {"stylesheet", "preload", "modulepreload", "icon", "prefetch"} and urlsplit(link["href"]).netloc:
                remote.append(f"{path.name}: <link {link.get('rel')} href={link['href']}>")
        for style in soup.find_all("style"):
            remote += [f"{path.name}: <style> {url}" for url in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^)'\"]+)", style.get_text())]
    assert remote == [], "the site loads from other hosts:\n" + "\n".join(remote[:20])
    css_remote = [
        f"{path.relative_to(built_book.html)}: {url}"
        for path in Path(built_book.html).rglob("*.css")
        for url in re.findall(r"(?:url\(|@import)\s*['\"]?((?:https?:)?//[^)'\"\s]+)", path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert css_remote == [], "stylesheets load from other hosts:\n" + "\n".join(css_remote[:20])


def test_the_build_refuses_to_run_without_the_npm_packages(tmp_path):
    """Without node_modules (no `make setup`), the build stops with the remedy, not a bare site."""
    local_assets = repository_module("_ext", "local_assets")
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"]
    app = SimpleNamespace(
        builder=SimpleNamespace(format="html"), confdir=str(tmp_path), outdir=str(tmp_path / "html"),
        config=SimpleNamespace(local_assets=config["local_assets"], local_assets_node_modules="node_modules"),
    )
    with pytest.raises(ConfigError, match="make setup"):
        local_assets.copy_local_assets(app)
    (tmp_path / "node_modules" / "mathjax").mkdir(parents=True)  # a package without its files
    with pytest.raises(ConfigError, match="matches no file"):
        local_assets.copy_local_assets(app)
