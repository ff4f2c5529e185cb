"""Print the whole book to one PDF, offline, without TeX (``make pdf``).

1. Build the book as one HTML page: ``jupyter-book build . --builder singlehtml`` with
   the flags of ``make book`` (warnings are errors). The notebooks' outputs come from
   the execution cache in ``_build/.jupyter_cache`` when ``make book`` filled it, so
   nothing is executed twice.
2. Serve that page on 127.0.0.1 and open it in Debian's Chromium (``/usr/bin/chromium``,
   driven by Playwright, the browser of the test suite; never a downloaded one). Any
   request to another host is blocked and stops the script: the PDF must need nothing
   from the network.
3. Wait until MathJax (the site's own copy) has typeset every equation and every image
   has loaded, then print with the print style sheet (``_static/book.css``: no
   navigation, buttons or live explorers; an explorer's static figure prints instead).

The PDF is written to ``_build/pdf/`` and copied next to the site (``_build/html/``,
where the landing page links it) when the site has been built.

    python tools/make_pdf.py [--source DIR] [--skip-build]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

PDF_NAME = "cartmodel-companion.pdf"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
LOCAL_HOST = "127.0.0.1"
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


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


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


def print_page(folder: Path, pdf: Path, page_name: str) -> PrintReport:
    """Serve ``folder`` on 127.0.0.1 and print its page ``page_name`` to ``pdf`` with Chromium."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")
    report = PrintReport(pdf=pdf)
    started = time.perf_counter()
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer((LOCAL_HOST, 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="pdf-server", daemon=True)
    thread.start()

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

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            try:
                context = browser.new_context(viewport={"width": 1000, "height": 1400})
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
                url = f"http://{LOCAL_HOST}:{server.server_address[1]}/{page_name}"
                page.goto(url, wait_until="load")
                page.emulate_media(media="print")
                report.ready = page.evaluate(READY_JS)
                # READY_JS waited for what the print needs (maths, images, fonts); waiting
                # for a quiet network as well is only a courtesy to late stragglers.
                try:
                    page.wait_for_load_state("networkidle", timeout=15_000)
                except PlaywrightTimeout:
                    report.console_errors.append(f"network not idle before printing; pending: {sorted(pending.values())[:5]}")
                pdf.parent.mkdir(parents=True, exist_ok=True)
                page.pdf(
                    path=str(pdf), format="A4", print_background=True, outline=True, tagged=True,
                    margin={"top": "16mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
                    display_header_footer=True, header_template="<span></span>", footer_template=FOOTER,
                )
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    report.seconds = time.perf_counter() - started
    return report


def make_pdf(source: Path, *, build: bool = True) -> PrintReport:
    """Build the single page (unless ``build`` is false), print it, place the PDF."""
    folder = build_single_page(source) if build else source / "_build" / "singlehtml"
    pdf = source / "_build" / "pdf" / PDF_NAME
    report = print_page(folder, pdf, single_page(folder))
    problems = []
    if report.external_requests:
        problems.append(f"requests to other hosts (blocked): {report.external_requests[:5]}")
    if report.ready.get("broken"):
        problems.append(f"images that did not load: {report.ready['broken'][:5]}")
    if report.ready.get("untypeset") or report.ready.get("mathErrors"):
        problems.append(f"maths not typeset: {report.ready}")
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
    print(f"{report.pdf} ({size:.1f} MB): built and printed in {total:.0f} s (printing {report.seconds:.0f} s)")
    if report.console_errors or report.failed_requests:
        print("the page reported, while printing:", *report.console_errors, *report.failed_requests, sep="\n  ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
