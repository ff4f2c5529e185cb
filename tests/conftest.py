"""Shared fixtures: a book built from a clean copy of the repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# The shared helpers of the property tests assert too: rewrite them as pytest rewrites test modules.
pytest.register_assert_rewrite("tests.strategies")

REPO = Path(__file__).resolve().parents[1]

# The flags of `make book`: execute every chapter, fail on any warning.
BUILD_FLAGS = ["--warningiserror", "--keep-going"]


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

_GENERATED_CALLS = [0]
_TIMINGS: dict[str, float] = {}


def count_generated_call() -> None:
    """Count one generated call of a property test (reported at the end of the run)."""
    _GENERATED_CALLS[0] += 1


def pytest_terminal_summary(terminalreporter) -> None:
    if _GENERATED_CALLS[0]:
        terminalreporter.write_line(f"cartmodel: {_GENERATED_CALLS[0]} generated calls in property tests")
    for what, seconds in _TIMINGS.items():
        terminalreporter.write_line(f"cartmodel: {what}: {seconds:.1f} s")


PDF_NAME = "cartmodel-companion.pdf"  # what tools/make_pdf.py writes (`make pdf`)


@dataclass(frozen=True)
class BuiltBook:
    """A built site: ``html`` is its root folder, ``log`` the build's output, ``pdf``
    the whole book printed by ``make pdf``'s script (also copied into the site)."""

    source: Path
    html: Path
    log: str
    pdf: Path | None = None


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


def make_pdf(source: Path) -> subprocess.CompletedProcess:
    """``make pdf`` on a copy: the single-page build and its print, offline."""
    env = {**os.environ, "PYTHONPATH": str(source)}
    return subprocess.run(
        [sys.executable, str(source / "tools" / "make_pdf.py"), "--source", str(source)],
        capture_output=True, text=True, env=env, timeout=1800,
    )


class _BackgroundBuild:
    """A clean copy of the repository being built in a subprocess (the flags of ``make book``)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.root = Path(tempfile.mkdtemp(prefix=f"cartmodel-{label}-"))
        self.source = copy_repository(self.root / "book")
        self.log_path = self.root / "build.log"
        env = {**os.environ, "PYTHONPATH": str(self.source)}  # the kernel imports the copy's cartmodel
        jupyter_book = Path(sys.executable).with_name("jupyter-book")
        self.started = time.perf_counter()
        with open(self.log_path, "w", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                [str(jupyter_book), "build", str(self.source), *BUILD_FLAGS],
                stdout=log, stderr=subprocess.STDOUT, env=env, text=True,
            )
        self._result: BuiltBook | None = None

    def wait(self) -> BuiltBook:
        if self._result is None:
            try:
                code = self.process.wait(timeout=3600)
            except subprocess.TimeoutExpired:
                self.process.kill()
                pytest.fail(f"the {self.label} book build did not finish within an hour")
            _TIMINGS[f"{self.label} book build from a clean copy"] = time.perf_counter() - self.started
            log = self.log_path.read_text(encoding="utf-8", errors="replace")
            if code != 0:
                pytest.fail(f"the {self.label} book build failed (exit {code}):\n{log[-6000:]}")
            pdf = None
            if self.label == "first":  # as the deploy workflow does: make book, then make pdf
                started = time.perf_counter()
                printed = make_pdf(self.source)
                _TIMINGS["PDF of the book (make pdf: single-page build and print)"] = time.perf_counter() - started
                if printed.returncode != 0:
                    pytest.fail(f"make pdf failed (exit {printed.returncode}):\n"
                                f"{(printed.stdout + printed.stderr)[-6000:]}")
                pdf = self.source / "_build" / "pdf" / PDF_NAME
            self._result = BuiltBook(source=self.source, html=self.source / "_build" / "html", log=log, pdf=pdf)
        return self._result

    def discard(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


# The two clean builds of the session, by fixture name.  Both start as soon as the tests
# are collected (only if a collected test needs them) and run while the other tests do:
# the session's one build serves every test that reads pages, the second only the
# determinism check.
_BUILD_FIXTURES = {"built_book": "first", "second_built_book": "second"}
_BUILDS: dict[str, _BackgroundBuild] = {}


def _needs(item: pytest.Item) -> set[str]:
    return set(getattr(item, "fixturenames", ())) & set(_BUILD_FIXTURES)


def pytest_collection_finish(session: pytest.Session) -> None:
    wanted = set().union(*(_needs(item) for item in session.items)) if session.items else set()
    if os.environ.get("CARTMODEL_BOOK_HTML"):
        wanted.discard("built_book")
    for fixture in sorted(wanted):
        _BUILDS[fixture] = _BackgroundBuild(_BUILD_FIXTURES[fixture])


def pytest_unconfigure(config: pytest.Config) -> None:
    for build in _BUILDS.values():
        build.discard()
    _BUILDS.clear()


def _session_build(fixture: str) -> BuiltBook:
    if fixture not in _BUILDS:  # requested outside the collected tests (e.g. by another fixture)
        _BUILDS[fixture] = _BackgroundBuild(_BUILD_FIXTURES[fixture])
    return _BUILDS[fixture].wait()


@pytest.fixture(scope="session")
def built_book() -> BuiltBook:
    """The book, built once per test session from a clean copy of the repository.

    For quick local iteration only, ``CARTMODEL_BOOK_HTML=path/to/_build/html``
    reuses an existing build instead; CI never sets it.
    """
    reuse = os.environ.get("CARTMODEL_BOOK_HTML")
    if reuse:
        html = Path(reuse).resolve()
        pdf = html / PDF_NAME
        return BuiltBook(source=REPO, html=html, log="(reused build)", pdf=pdf if pdf.exists() else None)
    return _session_build("built_book")


@pytest.fixture(scope="session")
def second_built_book() -> BuiltBook:
    """A second, independent clean build (for the determinism check only)."""
    return _session_build("second_built_book")


# Browser fixtures, registered here once: imported into each test module, a session
# fixture would be set up once per module, and a second Playwright session in the same
# thread fails ("Sync API inside the asyncio loop").
from .browser import chromium, page, page_log, site  # noqa: E402,F401

# `make check` leaves out the tests that build the book or drive a browser
# (-m "not book and not browser"), so each such test must carry its marker; one that
# forgets would silently slow the fast lane or fail there for want of a build.
_NEEDS_MARKER = {"built_book": "book", "chromium": "browser"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unmarked = [
        f"{item.nodeid} uses the {fixture} fixture but is not marked @pytest.mark.{marker}"
        for item in items
        for fixture, marker in _NEEDS_MARKER.items()
        if fixture in getattr(item, "fixturenames", ()) and item.get_closest_marker(marker) is None
    ]
    if unmarked:
        raise pytest.UsageError("\n".join(unmarked))
