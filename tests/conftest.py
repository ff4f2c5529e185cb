"""Shared fixtures: a book built from a clean copy of the repository."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from .builds import PDF_NAME, REPO, Builds, BuiltBook, repository_files

__all__ = ["PDF_NAME", "REPO", "count_generated_call", "examples", "repository_files"]

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

_GENERATED_CALLS = [0]


def count_generated_call() -> None:
    """Count one generated call of a property test (reported at the end of the run)."""
    _GENERATED_CALLS[0] += 1


def pytest_terminal_summary(terminalreporter) -> None:
    builds = _RUN.get("builds")
    calls = _GENERATED_CALLS[0]
    if builds is not None:  # the workers' counts, when pytest-xdist ran the tests
        calls += sum(int(path.read_text()) for path in builds.folder.glob("calls-*.txt"))
    if calls:
        terminalreporter.write_line(f"cartmodel: {calls} generated calls in property tests")
    if builds is not None:
        for what, seconds in builds.timings().items():
            terminalreporter.write_line(f"cartmodel: {what}: {seconds:.1f} s")


# The run's builds (tests/builds.py): the controlling process creates their folder and
# removes it at the end; with pytest-xdist (`make test`) it hands the folder to each worker.
_BUILD_FIXTURES = {"built_book": "first", "second_built_book": "second"}
_RUN: dict[str, Builds] = {}


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    if _is_worker(config):
        _RUN["builds"] = Builds(Path(config.workerinput["cartmodel_builds"]))
    else:
        _RUN["builds"] = Builds(Path(tempfile.mkdtemp(prefix="cartmodel-builds-")))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:  # pytest-xdist: a worker is about to start
    node.workerinput["cartmodel_builds"] = str(_RUN["builds"].folder)


def _needs(item: pytest.Item) -> set[str]:
    return set(getattr(item, "fixturenames", ())) & set(_BUILD_FIXTURES)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the builds the collected tests need, in the background."""
    wanted = set().union(*(_needs(item) for item in session.items)) if session.items else set()
    if os.environ.get("CARTMODEL_BOOK_HTML"):
        wanted.discard("built_book")
    for fixture in sorted(wanted):
        _RUN["builds"].start(_BUILD_FIXTURES[fixture])


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _is_worker(session.config) and _GENERATED_CALLS[0]:
        worker = session.config.workerinput["workerid"]
        (_RUN["builds"].folder / f"calls-{worker}.txt").write_text(str(_GENERATED_CALLS[0]))


def pytest_unconfigure(config: pytest.Config) -> None:
    if not _is_worker(config) and "builds" in _RUN:
        _RUN.pop("builds").discard()


@pytest.fixture(scope="session")
def built_book() -> BuiltBook:
    """The book, built once per test run from a clean copy of the repository.

    For quick local iteration only, ``CARTMODEL_BOOK_HTML=path/to/_build/html``
    reuses an existing build instead; CI never sets it.
    """
    reuse = os.environ.get("CARTMODEL_BOOK_HTML")
    if reuse:
        html = Path(reuse).resolve()
        pdf = html / PDF_NAME
        return BuiltBook(source=REPO, html=html, log="(reused build)", pdf=pdf if pdf.exists() else None)
    return _RUN["builds"].wait("first")


@pytest.fixture(scope="session")
def second_built_book() -> BuiltBook:
    """A second, independent clean build (for the determinism check only): every chapter
    executed and read, no HTML written."""
    return _RUN["builds"].wait("second")


# Browser fixtures, registered here once: imported into each test module, a session
# fixture would be set up once per module, and a second Playwright session in the same
# thread fails ("Sync API inside the asyncio loop").
from .browser import chromium, page, page_log, site, tab  # noqa: E402,F401

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
    # The builds start when collection ends and run in the background: the test files that
    # need no build go first, so that the tests work while the book is built (instead of
    # waiting for it at the first file that reads a page); then those that read the first
    # build: the browser's first, as they take the longest, each group the largest first
    # (so that no long one is left for the end, when the other process may have nothing
    # to do); last, the file of the one test that needs the second build. Files stay
    # whole: `make test` sends each file (each class, in a file that has them) to one
    # process, in this order (--dist loadscope --no-loadscope-reorder).
    files: dict[str, list[pytest.Item]] = {}
    for item in items:
        files.setdefault(item.nodeid.split("::")[0], []).append(item)

    def place(tests: list[pytest.Item]) -> tuple[bool, bool, bool, int]:
        needs = set().union(*(_needs(item) for item in tests))
        browser = any(item.get_closest_marker("browser") for item in tests)
        return "second_built_book" in needs, "built_book" in needs, not browser, -len(tests) if needs else 0

    items[:] = [item for tests in sorted(files.values(), key=place) for item in tests]
