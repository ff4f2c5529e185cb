"""Shared fixtures: the book built as ``make book`` does, from a copy of the repository as a clone
would have it, once per run (``built_book``; ``book_pdf``, ``make pdf``'s PDF of it); and a second
clean build with Sphinx's ``dummy`` builder, for the check that two builds give the same numbers.

Under pytest-xdist each build is made once for all processes, by the recipe of its documentation
("Making session-scoped fixtures execute only once"): the first process to need it builds it
under a file lock in the run's temporary folder, the others wait and read the result.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import matplotlib
import pytest
from filelock import FileLock
from hypothesis import HealthCheck, settings

# Figures are drawn off screen in every test process. Not through the environment
# (MPLBACKEND), which the book builds' kernels would inherit: they would draw no figures.
matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[1]
PDF_NAME = "cartmodel-companion.pdf"  # what tools/make_pdf.py writes (`make pdf`)
BUILD_FLAGS = ["--warningiserror", "--keep-going"]  # those of `make book`

# The shared helpers of the property tests assert too: rewrite them as pytest rewrites test modules.
pytest.register_assert_rewrite("tests.strategies")

# Reproducible property tests: the same examples on every run, no example database.
settings.register_profile(
    "cartmodel", derandomize=True, database=None, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# The fast lane (`make check` sets CARTMODEL_HYPOTHESIS_PROFILE=fast) runs a tenth of the
# examples; `make test` and CI run every one.
settings.register_profile("fast", parent=settings.get_profile("cartmodel"), max_examples=10)
FAST = os.environ.get("CARTMODEL_HYPOTHESIS_PROFILE") == "fast"
settings.load_profile("fast" if FAST else "cartmodel")


def examples(n: int) -> int:
    """``max_examples`` for a property test: ``n``, or a tenth of it (at least 10) in the fast lane."""
    return min(n, max(10, n // 10)) if FAST else n


@dataclass(frozen=True)
class BuiltBook:
    """A built site: ``source`` the copy it was built from, ``html`` its root, ``log`` the build's output."""

    source: Path
    html: Path
    log: str


def repository_module(folder: str, name: str) -> ModuleType:
    """The module ``name`` of the repository's folder ``folder`` (``_ext``, ``tools``), imported with
    the folder on the path for the while, as Sphinx and the scripts import it."""
    sys.path.insert(0, str(REPO / folder))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(REPO / folder))


def repository_files() -> list[str]:
    """Files git would put in a clone: tracked ones plus new, non-ignored ones."""
    listing = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO, capture_output=True, check=True,
    ).stdout.decode()
    return [name for name in listing.split("\0") if name and (REPO / name).is_file()]


def copy_repository(destination: Path) -> Path:
    """A clean copy of the repository, as a clone would have it, ready to build."""
    for name in repository_files():
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target)
    # Like .venv, node_modules comes from `make setup` (npm ci), not from git: the copy
    # shares the repository's, from which the build copies the scripts the site serves.
    if (REPO / "node_modules").is_dir():
        (destination / "node_modules").symlink_to(REPO / "node_modules", target_is_directory=True)
    return destination


def run_once(tmp_path_factory: pytest.TempPathFactory, label: str, produce) -> dict:
    """``produce(folder)``'s result (a JSON-ready dict), made once per run by whichever test
    process asks first, under a file lock; the other processes read what it wrote."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's folder, shared by its processes
    result_path = shared / f"{label}.json"
    with FileLock(f"{result_path}.lock"):
        if not result_path.exists():
            folder = shared / label
            folder.mkdir(exist_ok=True)
            result_path.write_text(json.dumps(produce(folder)))
    return json.loads(result_path.read_text())


def build(source: Path, *builder: str) -> dict:
    """``jupyter-book build`` of ``source`` with ``make book``'s flags: exit code, output, time."""
    env = {**os.environ, "PYTHONPATH": str(source)}  # the kernels import the copy's cartmodel
    started = time.perf_counter()
    done = subprocess.run(
        [str(Path(sys.executable).with_name("jupyter-book")), "build", str(source), *BUILD_FLAGS, *builder],
        env=env, capture_output=True, text=True,
    )
    return {"source": str(source), "code": done.returncode, "log": done.stdout + done.stderr,
            "seconds": time.perf_counter() - started}


def built(result: dict, what: str) -> BuiltBook:
    if result["code"] != 0:
        pytest.fail(f"{what} failed (exit {result['code']}):\n{result['log'][-6000:]}")
    source = Path(result["source"])
    return BuiltBook(source=source, html=source / "_build" / "html", log=result["log"])


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> BuiltBook:
    """The book, built once per test run from a clean copy of the repository (for quick local
    iteration only, ``CARTMODEL_BOOK_HTML=path/to/_build/html`` reuses a build; CI never sets it)."""
    reuse = os.environ.get("CARTMODEL_BOOK_HTML")
    if reuse:
        html = Path(reuse).resolve()
        return BuiltBook(source=REPO, html=html, log="(reused build)")
    result = run_once(tmp_path_factory, "first", lambda folder: build(copy_repository(folder / "book")))
    return built(result, "the book build")


@pytest.fixture(scope="session")
def book_pdf(built_book, tmp_path_factory) -> Path:
    """The whole book printed by ``make pdf``'s script from the built copy (and copied into its site)."""
    if built_book.log == "(reused build)":
        pdf = built_book.html / PDF_NAME
        if not pdf.exists():
            pytest.fail(f"no PDF next to the reused build {built_book.html}: run `make pdf`")
        return pdf

    def make_pdf(_folder: Path) -> dict:
        source = built_book.source
        done = subprocess.run(
            [sys.executable, str(source / "tools" / "make_pdf.py"), "--source", str(source)],
            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(source)}, timeout=1800,
        )
        return {"source": str(source), "code": done.returncode, "log": done.stdout + done.stderr}

    result = run_once(tmp_path_factory, "pdf", make_pdf)
    return built(result, "make pdf").source / "_build" / "pdf" / PDF_NAME


@pytest.fixture(scope="session")
def pdf_pages(book_pdf, tmp_path_factory) -> list[str]:
    """The text of each page of the printed book (pypdf), extracted once per run (it takes a while)."""
    def extract(_folder: Path) -> dict:
        from pypdf import PdfReader

        return {"pages": [printed.extract_text() or "" for printed in PdfReader(book_pdf).pages]}

    return run_once(tmp_path_factory, "pdf-text", extract)["pages"]


@pytest.fixture(scope="session")
def second_built_book(built_book, tmp_path_factory) -> BuiltBook:
    """A second, independent clean build (for the determinism check only), no HTML written. Made
    after the first, which most tests wait for (started together on two cores, they took 122 s;
    the first alone, 75 s)."""
    result = run_once(tmp_path_factory, "second", lambda folder: build(
        copy_repository(folder / "book"), "--builder", "custom", "--custom-builder", "dummy"))
    return built(result, "the second book build")


# Browser fixtures, registered here once (imported into each module, a session fixture would be set up per module).
from .browser import browser_type_launch_args, page, page_log, site, tab  # noqa: E402,F401

# `make check` leaves out the tests that build the book or drive a browser
# (-m "not book and not browser"): a test that uses these fixtures gets the marker.
_MARKER_OF_FIXTURE = {"built_book": "book", "browser": "browser"}


@pytest.hookimpl(tryfirst=True)  # before `-m` selects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for fixture, marker in _MARKER_OF_FIXTURE.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(marker)
