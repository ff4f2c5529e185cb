"""Shared fixtures: a book built from a clean copy of the repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

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


@dataclass(frozen=True)
class BuiltBook:
    """A built site: ``html`` is its root folder, ``log`` the build's output."""

    source: Path
    html: Path
    log: str


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


def build_book(source: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(source)}  # the kernel imports the copy's cartmodel
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    return subprocess.run(
        [str(jupyter_book), "build", str(source), *BUILD_FLAGS],
        capture_output=True, text=True, env=env, timeout=3600,
    )


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> BuiltBook:
    """Build the book once per test session from a clean copy of the repository.

    For quick local iteration only, ``CARTMODEL_BOOK_HTML=path/to/_build/html``
    reuses an existing build instead; CI never sets it.
    """
    reuse = os.environ.get("CARTMODEL_BOOK_HTML")
    if reuse:
        html = Path(reuse).resolve()
        return BuiltBook(source=REPO, html=html, log="(reused build)")
    source = copy_repository(tmp_path_factory.mktemp("book-source"))
    started = time.perf_counter()
    result = build_book(source)
    _TIMINGS["book build from a clean copy"] = time.perf_counter() - started
    log = result.stdout + result.stderr
    if result.returncode != 0:
        pytest.fail(f"the book build failed (exit {result.returncode}):\n{log[-6000:]}")
    return BuiltBook(source=source, html=source / "_build" / "html", log=log)


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
