"""The linters as tests: ruff (lint and import order) and mypy (types of cartmodel).

Both run through the virtual environment's own executables, with the settings in
pyproject.toml ([tool.ruff], [tool.mypy]), so that `make test`, `make check` and the
pre-commit hooks agree.  A finding fails the test and is printed in full.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

BIN = Path(sys.executable).parent
LINTED = ["cartmodel", "tests", "benchmarks", "_ext"]


def run_tool(*command: str) -> subprocess.CompletedProcess:
    executable = BIN / command[0]
    if not executable.exists():
        pytest.fail(f"{executable} is missing: run `make setup` (ruff and mypy are in the test extra)")
    return subprocess.run([str(executable), *command[1:]], cwd=REPO, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing():
    result = run_tool("ruff", "check", "--no-cache", *LINTED)
    assert result.returncode == 0, f"ruff check {' '.join(LINTED)}:\n{result.stdout}{result.stderr}"


def test_mypy_finds_nothing_in_cartmodel():
    # the cache lives in .mypy_cache (git-ignored); a warm cache makes this a second or two
    result = run_tool("mypy", "cartmodel")
    assert result.returncode == 0, f"mypy cartmodel:\n{result.stdout}{result.stderr}"
    assert "Success" in result.stdout


def test_the_linters_see_a_planted_finding(tmp_path):
    """ruff is really checking (an unused import is reported), not silently skipping the files."""
    planted = tmp_path / "planted.py"
    planted.write_text("import os\n")
    result = run_tool("ruff", "check", "--no-cache", "--config", str(REPO / "pyproject.toml"), str(planted))
    assert result.returncode == 1 and "F401" in result.stdout, result.stdout + result.stderr
