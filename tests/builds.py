"""The suite's two clean builds of the book, built once per run and shared by every process.

A test run needs the book built from a clean copy of the repository (the pages its tests
read, and the PDF that ``make pdf`` prints from it) and, for the determinism check only, a
second clean build. Both are started as soon as the tests are collected and run in the
background while the tests that need no build run.

``make test`` runs the tests in two processes (pytest-xdist), each of which may need the
builds: the first process to claim a build starts it, and every process waits for the same
result. The build runs in a process of its own (``python -m tests.builds``), not in the
process that started it, which may finish its own tests first. The folder that holds the
builds belongs to the run (the controlling process creates it and removes it, with any
build still running, when the run ends).

The second build executes and reads every chapter as the first does, but with Sphinx's
``dummy`` builder (no HTML written): the determinism check compares the executed
chapters' outputs and glued values, which the reading phase writes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# The flags of `make book`: execute every chapter, fail on any warning.
BUILD_FLAGS = ["--warningiserror", "--keep-going"]
# What each build runs, by label: the first as `make book` (then `make pdf`, as the deploy
# workflow does); the second reads every chapter without writing HTML.
BUILDERS = {"first": [], "second": ["--builder", "custom", "--custom-builder", "dummy"]}
PDF_NAME = "cartmodel-companion.pdf"  # what tools/make_pdf.py writes (`make pdf`)
WAIT_SECONDS = 3600
# Starts the command after the first argument in a session of its own, writes its process
# id (that of its group) to the file the first argument names, and returns.
DETACH = (
    "import subprocess, sys; "
    "runner = subprocess.Popen(sys.argv[2:], start_new_session=True); "
    "open(sys.argv[1], 'w').write(str(runner.pid))"
)


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


class Builds:
    """The run's folder of builds: ``<label>/book`` (the copy), ``<label>.log``,
    ``<label>.json`` (the result, written last) and ``<label>.pid`` (the runner's group)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def start(self, label: str) -> None:
        """Start the ``label`` build in the background, unless a process of the run has."""
        try:
            claim = os.open(self.folder / f"{label}.claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return
        os.close(claim)
        source = copy_repository(self.folder / label / "book")
        # Started through a launcher that exits at once, so that the runner is no child of
        # this process: a test process may end while the build it started still runs.
        with open(self.folder / f"{label}.log", "w", encoding="utf-8") as log:
            subprocess.run(
                [sys.executable, "-c", DETACH, str(self.folder / f"{label}.pid"),
                 sys.executable, "-m", "tests.builds", label, str(source), str(self.folder)],
                cwd=REPO, stdout=log, stderr=subprocess.STDOUT, check=True,
            )

    def wait(self, label: str) -> BuiltBook:
        """The ``label`` build once it has finished; fails the test if it failed."""
        import pytest

        self.start(label)  # if no process of the run started it (requested outside collection)
        result_path = self.folder / f"{label}.json"
        deadline = time.monotonic() + WAIT_SECONDS
        while not result_path.exists():
            if time.monotonic() > deadline:
                pytest.fail(f"the {label} book build did not finish within an hour")
            if not self.running(label) and not result_path.exists():
                log = (self.folder / f"{label}.log").read_text(encoding="utf-8", errors="replace")
                pytest.fail(f"the {label} book build stopped without a result:\n{log[-6000:]}")
            time.sleep(0.2)
        result = json.loads(result_path.read_text())
        log = (self.folder / f"{label}.log").read_text(encoding="utf-8", errors="replace")
        if result["build"] != 0:
            pytest.fail(f"the {label} book build failed (exit {result['build']}):\n{log[-6000:]}")
        if result.get("pdf", 0) != 0:
            pytest.fail(f"make pdf failed (exit {result['pdf']}):\n{log[-6000:]}")
        source = Path(result["source"])
        pdf = source / "_build" / "pdf" / PDF_NAME if "pdf" in result else None
        return BuiltBook(source=source, html=source / "_build" / "html", log=log, pdf=pdf)

    def running(self, label: str) -> bool:
        """Whether the ``label`` runner is alive (a process that has exited but has not been
        reaped by its new parent counts as stopped)."""
        try:
            pid = int((self.folder / f"{label}.pid").read_text())
        except (FileNotFoundError, ValueError):
            return True  # being started by another process of the run
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return False
        except OSError:  # no /proc: ask the kernel
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return False
            return True
        return state not in ("Z", "X")

    def timings(self) -> dict[str, float]:
        """How long each finished build (and the PDF) took, by what it was."""
        found = {}
        for label in BUILDERS:
            path = self.folder / f"{label}.json"
            if path.exists():
                result = json.loads(path.read_text())
                found[f"{label} book build from a clean copy"] = result["build_seconds"]
                if "pdf_seconds" in result:
                    found["PDF of the book (make pdf: single-page build and print)"] = result["pdf_seconds"]
        return found

    def discard(self) -> None:
        """Stop any build still running and remove the folder."""
        for pid_file in self.folder.glob("*.pid"):
            try:
                os.killpg(int(pid_file.read_text()), signal.SIGKILL)
            except (ProcessLookupError, PermissionError, ValueError):
                pass
        shutil.rmtree(self.folder, ignore_errors=True)


def run(label: str, source: Path, folder: Path) -> int:
    """Build (then, for the first build, print the PDF) and write the result, last."""
    if label == "second" and (folder / "first.claim").exists():
        # The first build is the one the tests wait for: give it the CPUs, then build again.
        while not (folder / "first.json").exists():
            time.sleep(0.5)
    env = {**os.environ, "PYTHONPATH": str(source)}  # the kernel imports the copy's cartmodel
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    result: dict[str, object] = {"source": str(source)}
    started = time.perf_counter()
    result["build"] = subprocess.run(
        [str(jupyter_book), "build", str(source), *BUILD_FLAGS, *BUILDERS[label]], env=env,
    ).returncode
    result["build_seconds"] = time.perf_counter() - started
    if label == "first" and result["build"] == 0:
        started = time.perf_counter()
        printed = make_pdf(source)
        print(printed.stdout + printed.stderr, flush=True)
        result["pdf"] = printed.returncode
        result["pdf_seconds"] = time.perf_counter() - started
    write_result(folder, label, result)
    return 0


def write_result(folder: Path, label: str, result: dict[str, object]) -> None:
    """Write the result where the tests wait for it, at once (never half a file)."""
    written = folder / f"{label}.json.part"
    written.write_text(json.dumps(result))
    written.rename(folder / f"{label}.json")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="one clean build of the book for the test run")
    parser.add_argument("label", choices=sorted(BUILDERS))
    parser.add_argument("source", type=Path)
    parser.add_argument("folder", type=Path)
    arguments = parser.parse_args()
    try:
        sys.exit(run(arguments.label, arguments.source, arguments.folder))
    except Exception:
        import traceback

        traceback.print_exc()
        write_result(arguments.folder, arguments.label, {"source": str(arguments.source), "build": -1,
                                                         "build_seconds": 0.0})
        sys.exit(1)
