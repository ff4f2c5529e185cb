"""What a page load of the built site costs Chromium: in a new tab, and in a tab reused.

Run from the repository root after `make book`:

    .venv/bin/python benchmarks/bench_browser.py [--rounds 2]

It serves ``_build/html`` on 127.0.0.1 and loads every page of the table of contents
until MathJax has typeset it, in Debian's Chromium (``/usr/bin/chromium``, the
browser of the test suite), two ways, with the routing of the tests (requests to
other hosts refused, which turns the HTTP cache off):

* a new tab in a new context for each page, as the browser tests once did;
* one tab that loads the pages one after another, as ``tests/browser.py`` (``Tab``)
  and the site visit of ``tests/test_site_browser.py`` (``run_visit``) do now.

For each it prints the CPU seconds of Chromium's processes and of this script per
page, the wall time per page, and the ratio of the two ways' CPU.  The suite runs on
two cores with every core busy, so its time follows its CPU.  Nothing is asserted:
the numbers depend on the machine and its load (printed too).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import psutil
import yaml

REPO = Path(__file__).resolve().parents[1]
SITE = REPO / "_build" / "html"
sys.path.insert(0, str(REPO))

# the browser, its flags and the routing rule of the test suite, so the two ways measured
# here are the suite's
from tests.browser import CHROMIUM, CHROMIUM_ARGS, MATHJAX_READY_JS, is_local, serve  # noqa: E402


def pages_of_toc() -> list[str]:
    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    return [toc["root"]] + [chapter["file"] for part in toc.get("parts", []) for chapter in part["chapters"]]


def cpu_seconds() -> float:
    """CPU time of this process and every process under it (Playwright's driver, Chromium)."""
    total = 0.0
    for process in [psutil.Process(), *psutil.Process().children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


def local_only(route) -> None:
    if is_local(route.request.url):
        route.continue_()
    else:
        route.abort()


def load_all(browser, urls: list[str], reuse: bool) -> tuple[float, float]:
    """CPU seconds and wall seconds to load every URL once."""
    started, cpu = time.perf_counter(), cpu_seconds()
    context = page = None
    for url in urls:
        if context is None or not reuse:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.route("**/*", local_only)
            page = context.new_page()
        page.goto(url, wait_until="load")
        page.evaluate(MATHJAX_READY_JS)
        if not reuse:
            context.close()
    if reuse and context is not None:
        context.close()
    time.sleep(0.5)  # let the closed renderers' CPU time be counted
    return cpu_seconds() - cpu, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="times each way loads every page")
    arguments = parser.parse_args()
    if not (SITE / "index.html").exists():
        sys.exit(f"no built site in {SITE}: run `make book` first")
    from playwright.sync_api import sync_playwright

    with serve(SITE) as root_url:
        urls = [f"{root_url}{name}.html" for name in pages_of_toc()]
        print(f"{len(urls)} pages, {arguments.rounds} round(s) each way; load average {os.getloadavg()[0]:.2f}")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            load_all(browser, urls[:2], reuse=True)  # start-up costs out of the measurement
            totals = {False: [0.0, 0.0], True: [0.0, 0.0]}
            for _ in range(arguments.rounds):
                for reuse in (False, True):  # alternated, so a change of load hits both ways
                    cpu, wall = load_all(browser, urls, reuse)
                    totals[reuse][0] += cpu
                    totals[reuse][1] += wall
            browser.close()
    loads = len(urls) * arguments.rounds
    for reuse, label in ((False, "a new tab per page"), (True, "one tab reused")):
        cpu, wall = totals[reuse]
        print(f"{label:>20}: {cpu / loads:.2f} CPU s and {wall / loads:.2f} s wall per page")
    print(f"a new tab costs {totals[False][0] / totals[True][0]:.1f} times the CPU of a reused one, "
          f"{(totals[False][0] - totals[True][0]) / loads:.2f} CPU s more per page")


if __name__ == "__main__":
    main()
