"""The chapters show their work: a cell removed from the page only imports or glues.

chapters/index.md promises that only the cells handing numbers to the text (and the
imports) are left out of the pages; computation is shown, and figure drawing is folded
(``hide-input``).  This reads every chapter's source and checks that promise.
"""

from __future__ import annotations

import ast
import re

import pytest

from .conftest import REPO

CHAPTERS = sorted(path for path in (REPO / "chapters").glob("*.md"))
CELL = re.compile(r"```\{code-cell\}[^\n]*\n(?P<body>.*?)^```", re.S | re.M)
# Names of the modules whose calls compute something a reader should be able to check.
COMPUTING = {"cm", "bd", "plt"}
DRAWING = {"plt", "fig", "ax", "axes", "left", "right"}


def cells(path):
    for match in CELL.finditer(path.read_text(encoding="utf-8")):
        body = match.group("body")
        tags = re.match(r":tags: \[(?P<tags>[^\]]*)\]\n", body)
        names = {tag.strip() for tag in tags.group("tags").split(",")} if tags else set()
        yield names, body[tags.end():] if tags else body


def is_glue(node: ast.AST) -> bool:
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name) and node.value.func.id == "glue")


def problems(statement: ast.stmt) -> list[str]:
    """What in one statement of a removed cell is more than importing or gluing."""
    if isinstance(statement, (ast.Import, ast.ImportFrom)) or is_glue(statement):
        return []
    if isinstance(statement, ast.For):
        return [problem for inner in statement.body for problem in problems(inner)]
    if isinstance(statement, (ast.FunctionDef, ast.ClassDef, ast.Assert)):
        return [f"line {statement.lineno}: {type(statement).__name__}"]
    found = []
    for node in ast.walk(statement):
        if isinstance(node, ast.Name) and node.id in DRAWING:
            found.append(f"line {statement.lineno}: draws ({node.id})")
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id in COMPUTING):
            found.append(f"line {statement.lineno}: computes ({node.func.value.id}.{node.func.attr})")
    return found


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda path: path.stem)
def test_removed_cells_only_import_or_glue(path):
    for tags, source in cells(path):
        if "remove-cell" not in tags:
            continue
        found = [problem for statement in ast.parse(source).body for problem in problems(statement)]
        assert not found, f"{path.name}: a remove-cell does more than import or glue: {found}\n{source}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda path: path.stem)
def test_no_chapter_defines_functions(path):
    """Helpers live in cartmodel, where they are tested; chapters call them."""
    for _, source in cells(path):
        defined = [node.name for node in ast.walk(ast.parse(source))
                   if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        assert not defined, f"{path.name} defines {defined}; move them into cartmodel"


def test_removed_input_is_not_used():
    """A figure's code is folded (hide-input), not removed with its input."""
    for path in CHAPTERS:
        for tags, _ in cells(path):
            assert "remove-input" not in tags, path.name


def test_the_test_sees_removed_computation():
    """The check itself: a removed cell that simulates is caught, one that only glues is not."""
    bad = ast.parse("run = cm.simulate(P=1.0)\nglue('x', 1, display=False)").body
    good = ast.parse("import numpy as np\nfor k in range(2):\n    glue(f'x{k}', k, display=False)").body
    assert problems(bad[0]) and not problems(bad[1])
    assert not [problem for statement in good for problem in problems(statement)]
