"""The linters as tests: ruff and mypy, the virtual environment's own, with pyproject.toml's
settings, so that `make test`, `make check` and the pre-commit hooks agree.
"""

from __future__ import annotations

import ast
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


def test_ruff_finds_nothing_and_sees_a_planted_finding(tmp_path):
    result = run_tool("ruff", "check", "--no-cache", *LINTED)
    assert result.returncode == 0, f"ruff check {' '.join(LINTED)}:\n{result.stdout}{result.stderr}"
    # ruff is really checking (an unused import is reported), not silently skipping the files
    planted = tmp_path / "planted.py"
    planted.write_text("import os\n")
    result = run_tool("ruff", "check", "--no-cache", "--config", str(REPO / "pyproject.toml"), str(planted))
    assert result.returncode == 1 and "F401" in result.stdout, result.stdout + result.stderr


def test_mypy_finds_nothing_in_cartmodel():
    # the cache lives in .mypy_cache (git-ignored); a warm cache makes this a second or two
    result = run_tool("mypy", "cartmodel")
    assert result.returncode == 0, f"mypy cartmodel:\n{result.stdout}{result.stderr}"
    assert "Success" in result.stdout


def private_names_used_across_modules(path: Path) -> list[str]:
    """``from m import _x`` and ``m._x`` in ``path``, where ``m`` is another cartmodel module (a
    private module such as ``cartmodel/_validation.py`` may be imported from; a private name not)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = path.relative_to(REPO) if path.is_relative_to(REPO) else path
    found = []
    module_aliases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{where}:{node.lineno} imports {alias.name} from {node.module}")
                elif (node.module or "").startswith("cartmodel") or node.level:
                    module_aliases.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            module_aliases.update(alias.asname or alias.name for alias in node.names
                                  if alias.name.startswith("cartmodel"))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in module_aliases
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            found.append(f"{where}:{node.lineno} uses {node.value.id}.{node.attr}")
    return found


def test_no_module_uses_another_modules_private_names(tmp_path):
    files = [path for folder in LINTED for path in sorted((REPO / folder).rglob("*.py"))]
    assert len(files) > 20
    offenders = [finding for path in files for finding in private_names_used_across_modules(path)]
    assert not offenders, "private names used across modules:\n" + "\n".join(offenders)
    # the check catches both forms
    planted = tmp_path / "planted.py"
    planted.write_text("from cartmodel.equation2 import _expand\nimport cartmodel.burden as bd\nbd._OUTPUTS\n")
    found = private_names_used_across_modules(planted)
    assert len(found) == 2 and "_expand" in found[0] and "bd._OUTPUTS" in found[1], found
