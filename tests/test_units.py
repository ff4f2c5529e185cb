"""One set of units: the parameter table's units reach the chapters (messages: test_model; labels: test_widgets)."""

from __future__ import annotations

import re

from cartmodel.parameters import PARAMETERS, UNITS

from .conftest import REPO


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

