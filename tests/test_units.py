"""One set of units: the parameter table's units reach the chapters (messages: test_model; labels: test_widgets)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

import cartmodel as cm
from cartmodel.paper import FIGURE_1
from cartmodel.parameters import PARAMETERS, UNITS

REPO = Path(__file__).resolve().parents[1]


def test_every_parameter_has_one_of_the_books_units():
    allowed = set(UNITS.values()) | {"count"}
    assert {row.unit for row in PARAMETERS.values()} <= allowed


def test_no_source_calls_the_burden_cells_or_the_affinity_per_nanomolar():
    """The old, inconsistent wording is gone from the package, the chapters and the browser script."""
    stale = re.compile(r"burden P \(cells\)|1/nM|nM\^-1|recommended dose|Recommended single dose")
    files = [*REPO.glob("cartmodel/*.py"), *REPO.glob("chapters/*.md"), *REPO.glob("assets/**/*.js")]
    offenders = [f"{path.relative_to(REPO)}:{number}" for path in files
                 for number, line in enumerate(path.read_text().splitlines(), 1) if stale.search(line)]
    assert not offenders, offenders


def test_clearance_level_in_antigen_units_moves_the_clearance_day_as_the_logarithm_says():
    """Counted to the antigen of one blast (1e-9 AU), clearance takes ln(P / level) / (r - q), by hand."""
    for level in (1.0, 1e-3, 1e-9):
        run = cm.simulate(**FIGURE_1, days=200, clearance_level=level)
        by_hand = math.log(FIGURE_1["P"] / level) / (FIGURE_1["r"] - FIGURE_1["q"])
        assert float(run.clearance_day) == math.ceil(by_hand - 1e-12)
        analytic = cm.tumour_clearance_day(P=FIGURE_1["P"], r=FIGURE_1["r"], q=FIGURE_1["q"], clearance_level=level)
        assert float(analytic) == pytest.approx(by_hand, rel=1e-14)
