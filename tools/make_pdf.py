"""Print the whole book to one PDF, offline, without TeX (``make pdf``).

1. Build the book as one HTML page: ``jupyter-book build . --builder singlehtml`` with
   the flags of ``make book`` (warnings are errors). The notebooks' outputs come from
   the execution cache in ``_build/.jupyter_cache`` when ``make book`` filled it, so
   nothing is executed twice.
2. Serve that page on 127.0.0.1 and open it in Debian's Chromium (``/usr/bin/chromium``,
   driven by Playwright, the browser of the test suite; never a downloaded one). Any
   request to another host is blocked and stops the script: the PDF must need nothing
   from the network.
3. Before printing, take a picture of each live explorer at its starting values and put
   it, with the address of the live page, where the explorer stands (the explorers
   themselves need a browser and stay off paper).
4. Wait until MathJax (the site's own copy) has typeset every equation and every image
   has loaded, then print with the print style sheet (``_static/book.css``: no
   navigation, buttons or live explorers).
5. Write each chapter's page number (that of its bookmark) into the contents and print
   again, until the numbers are those of the print. Then mend the last print's bookmarks
   (Chromium drops the space where a heading wraps on the page): each takes the text of
   its heading in the page.

The PDF is written to ``_build/pdf/`` and copied next to the site (``_build/html/``,
where the landing page links it) when the site has been built.

    python tools/make_pdf.py [--source DIR] [--skip-build]
"""

from __future__ import annotations

import argparse
import base64
import difflib
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from local_server import CHROMIUM, CHROMIUM_ARGS, LOCAL_HOST, serve

PDF_NAME = "cartmodel-companion.pdf"
BUILD_FLAGS = ["--warningiserror", "--keep-going"]  # those of `make book`

# Resolves once the page is ready to print: MathJax has typeset everything (it is loaded
# on the single page) and every image, lazy ones included, has loaded or failed.
READY_JS = """
async () => {
  document.documentElement.classList.add('book-pdf');  // the print style's single-page rules
  if (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise) {
    await window.MathJax.startup.promise;
  }
  const images = [...document.images];
  images.forEach((img) => { img.loading = 'eager'; });
  await Promise.all(images.map((img) => img.decode().catch(() => null)));
  await document.fonts.ready;
  return {
    images: images.length,
    broken: images.filter((img) => img.naturalWidth === 0).map((img) => img.currentSrc || img.src),
    untypeset: [...document.querySelectorAll('.math')].filter((el) => !el.querySelector('mjx-container')).length,
    mathErrors: document.querySelectorAll('mjx-merror').length,
  };
}
"""

# Each live explorer of the page (mounted by its script), with its title, in page order.
EXPLORERS_JS = """
() => [...document.querySelectorAll('[data-cartmodel-explorer]')].map((node) => ({
  id: node.id, kind: node.dataset.cartmodelExplorer, mounted: node.hasAttribute('data-cartmodel-mounted'),
  error: node.hasAttribute('data-cartmodel-error'),
}))
"""

# Put a picture of an explorer (a data: URL) and its caption after it; printed in its place.
PLACE_PICTURE_JS = """
([id, source, alt, caption, address]) => {
  const node = document.getElementById(id);
  const figure = document.createElement('figure');
  figure.className = 'cm-print-explorer';
  const img = document.createElement('img');
  img.src = source; img.alt = alt; img.style.maxWidth = '100%';
  const text = document.createElement('figcaption');
  text.append(caption + ' ');
  const link = document.createElement('a');
  link.href = address; link.textContent = address;
  text.append(link, '.');
  figure.append(img, text);
  node.after(figure);
  return img.decode().then(() => img.naturalWidth);
}
"""

# The headings Chromium turns into bookmarks, in page order, as the page spells them.
HEADINGS_JS = """
() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6, [role=heading]')]
  .filter((el) => el.getClientRects().length > 0)
  .map((el) => { const copy = el.cloneNode(true); copy.querySelectorAll('.headerlink').forEach((n) => n.remove());
                 return copy.textContent.replace(/\\s+/g, ' ').trim(); })
"""

# The entries of the printed contents: the chapters' titles as the table of contents gives them.
CONTENTS_JS = """
() => [...document.querySelectorAll('#jb-print-toc nav a')].map((a) =>
  (a.querySelector('.cm-toc-text') || a).textContent.replace(/\\s+/g, ' ').trim())
"""

# Write page numbers into the printed contents (entries without a number get none).
NUMBER_CONTENTS_JS = """
(numbers) => {
  [...document.querySelectorAll('#jb-print-toc nav a')].forEach((a, i) => {
    if (!a.querySelector('.cm-toc-text')) {
      const title = document.createElement('span');
      title.className = 'cm-toc-text';
      title.append(...a.childNodes);
      a.append(title);
      a.style.display = 'flex'; a.style.gap = '0.5em';
    }
    let number = a.querySelector('.cm-toc-page');
    if (!number) {
      const leader = document.createElement('span');
      leader.style.flex = '1'; leader.style.borderBottom = '1px dotted #999'; leader.style.margin = '0 0 0.35em';
      number = document.createElement('span');
      number.className = 'cm-toc-page';
      a.append(leader, number);
    }
    number.textContent = numbers[i] === null ? '' : String(numbers[i]);
  });
}
"""

FOOTER = """
<div style="width:100%; font-size:8px; color:#555; padding:0 16mm; display:flex; justify-content:space-between;">
  <span class="title"></span><span><span class="pageNumber"></span> / <span class="totalPages"></span></span>
</div>
"""


@dataclass
class PrintReport:
    """What the print run saw: refused requests, console errors, page state."""

    pdf: Path
    seconds: float = 0.0
    external_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    ready: dict = field(default_factory=dict)
    explorers: list[str] = field(default_factory=list)  # the explorers pictured for print
    unmatched_bookmarks: list[str] = field(default_factory=list)
    contents_pages: dict[str, int | None] = field(default_factory=dict)


def jupyter_book() -> str:
    """The jupyter-book of the Python running this script (the project's .venv)."""
    return str(Path(sys.executable).with_name("jupyter-book"))


def build_single_page(source: Path) -> Path:
    """Build the book as one HTML page; returns the folder of the page."""
    env = {**os.environ, "PYTHONPATH": str(source)}  # the kernel imports this source's cartmodel
    result = subprocess.run(
        [jupyter_book(), "build", str(source), "--builder", "singlehtml", *BUILD_FLAGS],
        capture_output=True, text=True, env=env,
    )
    if result.returncode != 0:
        raise SystemExit(f"the single-page build failed (exit {result.returncode}):\n"
                         + (result.stdout + result.stderr)[-6000:])
    return source / "_build" / "singlehtml"


def single_page(folder: Path) -> str:
    """The single page, placed at the root of ``folder``; returns its name.

    Sphinx writes the page as the root chapter (``chapters/index.html``) but makes every
    address in it relative to the folder's root (``_static/``, ``_images/``), so it is
    printed from a copy at the root. The copy does not load the search index, which
    the single-page builder does not write (paper has no search box).
    """
    root_chapter = folder / "chapters" / "index.html"
    if not root_chapter.exists():
        raise SystemExit(f"no single-page book at {root_chapter}")
    text = root_chapter.read_text(encoding="utf-8")
    if not (folder / "searchindex.js").exists():
        text = text.replace('<script src="searchindex.js"></script>', "")
    (folder / "book.html").write_text(text, encoding="utf-8")
    return "book.html"


def squeezed(text: str) -> str:
    """Text without any white space: how a bookmark and its heading are compared."""
    return re.sub(r"\s+", "", text)


def same_heading(bookmark: str, heading: str) -> bool:
    """Whether a bookmark's text (without white space) is Chromium's rendering of a heading's:
    nearly all of the heading, in order (a formula may be missing, part of it doubled),
    and not much else (at most the heading twice over)."""
    if not heading:
        return False
    if bookmark == heading:
        return True
    common = sum(block.size for block in difflib.SequenceMatcher(None, bookmark, heading, autojunk=False).get_matching_blocks())
    return common >= 0.9 * len(heading) and len(bookmark) <= 2 * len(heading) + 8 and common >= 0.45 * len(bookmark)


def outline_items(node):
    """The outline items under ``node`` (a pypdf dictionary), depth first, in page order."""
    child = node.get("/First")
    while child is not None:
        item = child.get_object()
        yield item
        yield from outline_items(item)
        child = item.get("/Next")


def mend_outline(raw: Path, pdf: Path, headings: list[str]) -> list[str]:
    """Copy ``raw`` to ``pdf``, each bookmark titled as its heading in the page.

    Chromium makes a bookmark of each heading but loses the space where the heading
    wraps on paper ("antigenburden"), and doubles a few. The bookmarks follow the
    headings in page order, so each is matched to the next heading whose text, without
    white space, it holds. Returns the titles that matched no heading (left as they were).
    """
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter(clone_from=str(raw))
    outlines = writer.root_object.get("/Outlines")
    unmatched = []
    position = 0
    for item in outline_items(outlines.get_object()) if outlines is not None else []:
        title = str(item.get("/Title", ""))
        key = squeezed(title)
        for offset, heading in enumerate(headings[position:position + 8]):
            if same_heading(key, squeezed(heading)):
                item[NameObject("/Title")] = TextStringObject(heading)
                position += offset + 1
                break
        else:
            unmatched.append(title)
    with pdf.open("wb") as out:
        writer.write(out)
    return unmatched


def outline(pdf: Path) -> list[tuple[int, str, int]]:
    """The bookmarks of ``pdf``: (depth, title, page number from 1), in order."""
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    found: list[tuple[int, str, int]] = []

    def walk(items, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, str(item.title), reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return found


def chapter_pages(pdf: Path, contents: list[str]) -> list[int | None]:
    """The page on which each entry of the contents starts (its bookmark's page), or None.

    The entries are looked for in order, each after the one before: a section of an
    earlier chapter may share a chapter's title (the landing page's "How to cite"). The
    bookmarks may be Chromium's own, not yet mended: they are compared as
    :func:`mend_outline` compares them with the headings."""
    marks = outline(pdf)
    pages: list[int | None] = []
    position = 0
    for entry in contents:
        key = squeezed(entry)
        found = next((i for i in range(position, len(marks)) if same_heading(squeezed(marks[i][1]), key)), None)
        pages.append(None if found is None else marks[found][2])
        position = position if found is None else found + 1
    return pages


def explorer_addresses(source: Path) -> dict[str, str]:
    """The address of the live page of each explorer, by its element's id: the site's address
    (``ogp_site_url`` in _config.yml) and the chapter that holds it."""
    import yaml

    config = yaml.safe_load((source / "_config.yml").read_text(encoding="utf-8"))
    site = config["sphinx"]["config"]["ogp_site_url"]
    addresses = {}
    for chapter in sorted((source / "chapters").glob("*.md")):
        for element in re.findall(r'id="([\w-]+)"\s+data-cartmodel-explorer=', chapter.read_text(encoding="utf-8")):
            addresses[element] = f"{site}chapters/{chapter.stem}.html#{element}"
    return addresses


def place_explorer_pictures(page, source: Path | None) -> list[str]:
    """Each live explorer, pictured at its starting values, with the address of its live page,
    placed after it (the print style hides the explorer itself). Returns the explorers' ids."""
    addresses = explorer_addresses(source) if source is not None else {}
    placed = []
    try:
        page.wait_for_function("() => (" + EXPLORERS_JS.strip() + ")().every((e) => e.mounted || e.error)", timeout=30_000)
    except Exception:
        pass  # reported below
    for explorer in page.evaluate(EXPLORERS_JS):
        if not explorer["mounted"] or explorer["id"] not in addresses:
            raise SystemExit(f"the explorer {explorer} did not start, or its page is unknown: no picture to print")
        picture = page.locator(f"#{explorer['id']}").screenshot(animations="disabled")
        title = explorer["kind"].capitalize() + " explorer"
        source_url = "data:image/png;base64," + base64.b64encode(picture).decode("ascii")
        page.evaluate(PLACE_PICTURE_JS, [explorer["id"], source_url, f"The live {title.lower()} at its starting values",
                                         f"The live {title.lower()}, at its starting values. On paper it cannot move; "
                                                       "it runs at", addresses[explorer["id"]]])
        placed.append(explorer["id"])
    return placed


def print_page(folder: Path, pdf: Path, page_name: str, source: Path | None = None) -> PrintReport:
    """Serve ``folder`` on 127.0.0.1 and print its page ``page_name`` to ``pdf`` with Chromium.

    ``source`` is the book's folder, where the addresses of the live explorers come from
    (a page without explorers needs none)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")
    report = PrintReport(pdf=pdf)
    started = time.perf_counter()

    def route(route_request):
        url = route_request.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob") or parts.hostname == LOCAL_HOST:
            route_request.continue_()
        else:
            report.external_requests.append(url)
            route_request.abort()

    pending: dict[object, str] = {}  # requests started and not yet finished or failed

    def on_response(response):
        if response.status >= 400:
            report.failed_requests.append(f"{response.url} (HTTP {response.status})")

    with serve(folder, name="pdf-server") as root_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            # twice the pixels: the explorers' pictures stay sharp on paper
            context = browser.new_context(viewport={"width": 1000, "height": 1400}, device_scale_factor=2)
            # Generous: on a loaded 2-core machine typesetting a whole book takes a while.
            context.set_default_timeout(180_000)
            context.route("**/*", route)
            page = context.new_page()
            page.on("response", on_response)
            page.on("request", lambda request: pending.__setitem__(request, request.url))
            page.on("requestfinished", lambda request: pending.pop(request, None))
            page.on("requestfailed", lambda request: pending.pop(request, None))
            page.on("console", lambda message: report.console_errors.append(message.text)
                    if message.type == "error" else None)
            page.on("pageerror", lambda error: report.console_errors.append(f"uncaught: {error}"))
            url = f"{root_url}{page_name}"
            page.goto(url, wait_until="load")
            report.explorers = place_explorer_pictures(page, source)
            page.emulate_media(media="print")
            report.ready = page.evaluate(READY_JS)
            # READY_JS waited for what the print needs (maths, images, fonts); waiting
            # for a quiet network as well is only a courtesy to late stragglers.
            try:
                page.wait_for_load_state("networkidle", timeout=15_000)
            except PlaywrightTimeout:
                report.console_errors.append(f"network not idle before printing; pending: {sorted(pending.values())[:5]}")
            pdf.parent.mkdir(parents=True, exist_ok=True)
            headings = page.evaluate(HEADINGS_JS)
            contents = page.evaluate(CONTENTS_JS)
            numbers: list[int | None] | None = None
            raw = pdf.with_suffix(".raw.pdf")
            for _ in range(3):  # the numbers make no page longer as a rule: two prints suffice
                page.pdf(
                    path=str(raw), format="A4", print_background=True, outline=True, tagged=True,
                    margin={"top": "16mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
                    display_header_footer=True, header_template="<span></span>", footer_template=FOOTER,
                )
                found = chapter_pages(raw, contents)
                if found == numbers:
                    break
                numbers = found
                page.evaluate(NUMBER_CONTENTS_JS, numbers)
            else:
                report.console_errors.append("the contents' page numbers did not settle in three prints")
            # once, on the last print: pypdf copies the whole PDF to mend it (4 s of 24)
            report.unmatched_bookmarks = mend_outline(raw, pdf, headings)
            raw.unlink()
            report.contents_pages = dict(zip(contents, numbers or [], strict=False))
        finally:
            browser.close()
    report.seconds = time.perf_counter() - started
    return report


def make_pdf(source: Path, *, build: bool = True) -> PrintReport:
    """Build the single page (unless ``build`` is false), print it, place the PDF."""
    folder = build_single_page(source) if build else source / "_build" / "singlehtml"
    pdf = source / "_build" / "pdf" / PDF_NAME
    report = print_page(folder, pdf, single_page(folder), source)
    problems = []
    if report.external_requests:
        problems.append(f"requests to other hosts (blocked): {report.external_requests[:5]}")
    if report.ready.get("broken"):
        problems.append(f"images that did not load: {report.ready['broken'][:5]}")
    if report.ready.get("untypeset") or report.ready.get("mathErrors"):
        problems.append(f"maths not typeset: {report.ready}")
    if report.unmatched_bookmarks:
        problems.append(f"bookmarks that match no heading: {report.unmatched_bookmarks[:5]}")
    if problems:
        raise SystemExit("the PDF would not be the book:\n" + "\n".join(problems))
    site = source / "_build" / "html"
    if site.is_dir():
        shutil.copyfile(pdf, site / PDF_NAME)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=Path(__file__).resolve().parents[1],
                        help="the book's folder (with _config.yml); default: this repository")
    parser.add_argument("--skip-build", action="store_true",
                        help="print the existing _build/singlehtml instead of building it")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    report = make_pdf(args.source.resolve(), build=not args.skip_build)
    total = time.perf_counter() - started
    size = report.pdf.stat().st_size / 1e6
    print(f"{report.pdf} ({size:.1f} MB): built and printed in {total:.0f} s (printing {report.seconds:.0f} s); "
          f"{len(outline(report.pdf))} bookmarks, explorers pictured: {', '.join(report.explorers) or 'none'}")
    if report.console_errors or report.failed_requests:
        print("the page reported, while printing:", *report.console_errors, *report.failed_requests, sep="\n  ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
