"""The chapters show their work, as chapters/index.md promises: a removed (``remove-cell``) cell only
imports names, glues plain values (``is_plain``), loops gluing them over plain values (``is_walk``)
and assigns tables of labels; any other call or arithmetic belongs in a visible cell (figure drawing
in a folded, ``hide-input``, one).  No chapter removes a cell's input or defines functions.
"""

from __future__ import annotations

import ast
import re

import pytest

from .conftest import REPO

CHAPTERS = sorted(path for path in (REPO / "chapters").glob("*.md"))
CELL = re.compile(r"```\{code-cell\}[^\n]*\n(?P<body>.*?)^```", re.S | re.M)
# Calls that only change how a value is shown, not what it is.
DISPLAY_CONVERSIONS = {"float", "int", "str", "round", "len", "min", "max", "abs", "sci"}
# Ways to walk over plain values in a for-loop of glue calls.
WALKS = {"range", "zip", "enumerate"}
DICTIONARY_VIEWS = {"items", "keys", "values"}


def cells(path):
    for match in CELL.finditer(path.read_text(encoding="utf-8")):
        body = match.group("body")
        tags = re.match(r":tags: \[(?P<tags>[^\]]*)\]\n", body)
        names = {tag.strip() for tag in tags.group("tags").split(",")} if tags else set()
        yield names, body[tags.end():] if tags else body


def is_glue(node: ast.AST) -> bool:
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name) and node.value.func.id == "glue")


def is_plain(node: ast.AST | None) -> bool:
    """Whether an expression only refers to a value (or converts it for display)."""
    if node is None or isinstance(node, (ast.Name, ast.Constant)):
        return True
    if isinstance(node, ast.Attribute):
        return is_plain(node.value)
    if isinstance(node, ast.Subscript):
        return is_plain(node.value) and is_plain(node.slice)
    if isinstance(node, ast.Slice):
        return all(is_plain(part) for part in (node.lower, node.upper, node.step))
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(is_plain(element) for element in node.elts)
    if isinstance(node, ast.JoinedStr):
        return all(is_plain(value) for value in node.values)
    if isinstance(node, ast.FormattedValue):
        return is_plain(node.value) and is_plain(node.format_spec)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return is_plain(node.operand)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        # A percentage: 100 times a plain reference, either way round.
        hundred = [side for side in (node.left, node.right)
                   if isinstance(side, ast.Constant) and side.value == 100]
        return bool(hundred) and all(is_plain(side) for side in (node.left, node.right))
    if isinstance(node, ast.Call):
        return (isinstance(node.func, ast.Name) and node.func.id in DISPLAY_CONVERSIONS
                and all(is_plain(arg) for arg in node.args)
                and all(is_plain(keyword.value) for keyword in node.keywords))
    return False


def is_walk(node: ast.AST) -> bool:
    """Whether a for-loop's iterable only walks over plain values."""
    if isinstance(node, ast.Call) and not node.keywords and all(is_plain(arg) for arg in node.args):
        if isinstance(node.func, ast.Name):
            return node.func.id in WALKS
        if isinstance(node.func, ast.Attribute):
            return node.func.attr in DICTIONARY_VIEWS and not node.args and is_plain(node.func.value)
    return is_plain(node)


def is_labels(node: ast.AST) -> bool:
    """Whether an expression is a literal made of strings only (labels, not numbers)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(is_labels(element) for element in node.elts)
    if isinstance(node, ast.Dict):
        return all(part is not None and is_labels(part) for part in node.keys + node.values)
    return False


def problems(statement: ast.stmt) -> list[str]:
    """What in one statement of a removed cell is more than importing or gluing a name."""
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return []
    if is_glue(statement):
        call = statement.value
        values = list(call.args[1:]) + [keyword.value for keyword in call.keywords
                                        if keyword.arg != "display"]
        return [f"line {statement.lineno}: glue computes {ast.unparse(value)}"
                for value in values if not is_plain(value)]
    if isinstance(statement, ast.Assign) and is_labels(statement.value):
        return []
    if isinstance(statement, ast.For) and is_walk(statement.iter):
        return [problem for inner in statement.body for problem in problems(inner)]
    return [f"line {statement.lineno}: {type(statement).__name__}: {ast.unparse(statement)[:80]}"]


def found_in(source: str) -> list[str]:
    return [problem for statement in ast.parse(source).body for problem in problems(statement)]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda path: path.stem)
def test_removed_cells_only_import_or_glue_and_no_cell_defines_functions(path):
    """Helpers live in cartmodel, where they are tested; a figure's code is folded, not removed with its input."""
    for tags, source in cells(path):
        assert "remove-input" not in tags, path.name
        if "remove-cell" in tags:
            assert not found_in(source), f"{path.name}: a remove-cell does more than import or glue names: {found_in(source)}\n{source}"
        defined = [node.name for node in ast.walk(ast.parse(source))
                   if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        assert not defined, f"{path.name} defines {defined}; move them into cartmodel"


@pytest.mark.parametrize(("source", "computes"), [
    # a division, a module call, a method call or an assignment in a removed cell is caught
    ("glue('ratio', figure_1.peak / figure_1.final, display=False)", True),
    ("glue('doubling', np.log(2) / (r - q), display=False)", True),
    ("glue('share', cm.normal_cellularity_fraction(45), display=False)", True),
    ("glue('gap', run.peak - run.final, display=False)", True),
    ("glue('p', est.P(), display=False)", True),
    ("glue('x', sci(bd.marrow_nucleated_cells(70.0)), display=False)", True),
    ("for k in cm.simulate(P=1.0):\n    glue('x', k, display=False)", True),
    ("x = 1", True),
    ("keys = {'child': 1}", True),
    ("for k, v in table.items(cm):\n    glue(k, v, display=False)", True),
    ("run = cm.simulate(P=1.0)\nglue('x', 1, display=False)", True),
    # gluing a name, a field or a display conversion of one is not a computation
    ("glue('x', x, display=False)", False),
    ("import numpy as np\nfor k in range(2):\n    glue(f'x{k}', k, display=False)", False),
    ("glue('x', run.peak[0], display=False)", False),
    ("glue('x', -figure_1.final, display=False)", False),
    ("glue('pct', 100 * share, display=False)", False),
    ("glue('x', f'{value:.2f}', display=False)", False),
    ("glue('x', sci(runs.peak[i], digits=2), display=False)", False),
    ("glue('x', round(float(ratio), 1), display=False)", False),
    ("for k, v in table.items():\n    glue(k, v, display=False)", False),
    ("keys = {'child, relapse': 'cr'}\nfor case in cases:\n    glue(f'{keys[case.label]}_P', P[0], display=False)", False),
])
def test_the_check_tells_computation_from_plain_glue(source, computes):
    assert bool(found_in(source)) == computes, source
