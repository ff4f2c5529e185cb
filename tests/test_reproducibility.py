"""Two clean builds of the book give the same glued numbers and the same figures,
and (in CI) the suite runs with the network cut."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest


def executed_outputs(build_root: Path) -> dict[str, object]:
    """Glued values and every cell output of every executed chapter, minus run metadata."""
    executed = build_root / "_build" / "jupyter_execute"
    found: dict[str, object] = {}
    for path in sorted(executed.rglob("*.glue.json")):
        found[str(path.relative_to(executed))] = json.loads(path.read_text())
    for path in sorted(executed.rglob("*.ipynb")):
        notebook = json.loads(path.read_text())
        cells = []
        for cell in notebook["cells"]:
            for output in cell.get("outputs", []):
                cells.append({key: output.get(key) for key in ("output_type", "name", "text", "data")})
        found[str(path.relative_to(executed))] = cells
    return found


@pytest.mark.book
def test_two_clean_builds_are_identical(built_book, second_built_book):
    if built_book.log == "(reused build)":
        pytest.fail("CARTMODEL_BOOK_HTML is set: this test needs two clean builds")
    first = executed_outputs(built_book.source)
    second = executed_outputs(second_built_book.source)
    assert first.keys() == second.keys()
    assert any(name.endswith(".glue.json") for name in first), "no glued values found"
    pngs = sum(json.dumps(value).count('"image/png"') for value in first.values())
    assert pngs >= 2, "no figures found in the executed chapters"
    for name in first:
        assert first[name] == second[name], f"{name} differs between two clean builds"


def test_network_is_really_cut():
    """.ci/run runs the suite in a namespace without network: prove that it is."""
    if os.environ.get("CARTMODEL_EXPECT_OFFLINE") != "1":
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the tests offline, through .ci/run")
        pytest.skip("the network is cut only inside .ci/run's namespace (CARTMODEL_EXPECT_OFFLINE=1)")
    with pytest.raises(OSError):
        socket.create_connection(("pypi.org", 443), timeout=5)
