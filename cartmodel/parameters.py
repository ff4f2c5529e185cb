"""The parameter table: every model quantity's name, unit, valid range, default and label.

Input checks (and so error messages), widget sliders, axis labels and the
in-browser explorers all read this table, so a unit or a range is stated once.

Units of the book
-----------------
* **Model cells** for CAR T counts (``N``, the dose ``n0``, ``K``, the peak
  ceiling).  The model's cell unit is not tied to a number of real CAR T cells:
  the paper's Figure 1 starts from one cell and settles near ``6 x 10**5``,
  whereas clinical products infuse ``10**6`` to ``10**8`` cells.  Only ratios
  (dose to dose, peak to ceiling) carry over to the clinic.
* **Antigen units (AU)** for the burden ``P`` and the tumour term
  ``P exp((q - r) t)``.  One AU is the CD19 carried by ``10**9`` normal B cells
  (about ``2.2 x 10**13`` molecules, :data:`cartmodel.burden.estimate.REFERENCE_ANTIGEN_MOLECULES`),
  which at that antigen density is ``10**9`` blasts.
* **The affinity factor** ``B = (1 nM) / IC50`` is dimensionless: the scFv's
  IC50 relative to a 1 nM reference binder, so that ``K * B`` is in model cells
  whatever concentration unit the IC50 was measured in.  With the 1 nM
  reference its value equals ``1 / IC50`` in nM (0.625 for the paper's 1.6 nM).
* Rates ``r`` and ``q`` are per day; time is in days, one iteration of
  Equation 1 being one day unless ``dt`` says otherwise.

Patient quantities
------------------
The inputs of the ALL burden estimate (:mod:`cartmodel.burden`) are measured on
real patients, in real cells (kg, years, 10^9 cells/L, fractions in [0, 1],
mL/kg, cells, molecules).  Each range covers every patient the book can mean
and refuses what no patient has (a weight in grams passed as kg, a count in
cells/uL passed as 10^9 cells/L).  The bounds are the book's assumptions, chosen
wide, not published limits (marrow cells per kg: Harrison's mean is about 10^10;
a normal cellularity of 5%: the age rule of thumb at 95 years); those on blasts
and antigen lie just above what the other ranges can produce, so that every
patient inside them has an estimate.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from ._validation import as_real_array
from .paper import FIGURE_1, FIGURE_1_DAYS, FIGURE_1_IC50_NM
from .published import ALL_BURDEN_INPUTS

__all__ = [
    "AFFINITY_REFERENCE_IC50_NM",
    "DEFAULT_DAYS",
    "PARAMETERS",
    "UNITS",
    "Parameter",
    "check",
    "label",
    "table_for_browser",
]

#: IC50 of the reference binder that makes the affinity factor dimensionless:
#: ``B = AFFINITY_REFERENCE_IC50_NM / IC50``.
AFFINITY_REFERENCE_IC50_NM = 1.0

#: The book's units, by kind of quantity (used in labels and messages).
UNITS = MappingProxyType({
    "cells": "model cells",
    "antigen": "AU",
    "affinity": "dimensionless",
    "rate": "per day",
    "time": "days",
    "concentration": "nM",
    # patient quantities (cartmodel.burden): real cells and measurements
    "mass": "kg",
    "age": "years",
    "height": "m",
    "blood count": "10^9 cells/L",
    "blood count per uL": "cells/uL",
    "fraction": "fraction",
    "volume": "mL",
    "blood volume per kg": "mL/kg",
    "cells per kg": "cells/kg",
    "real cells": "cells",
    "molecules": "molecules",
    "molecules per cell": "molecules/cell",
})


@dataclass(frozen=True)
class Parameter:
    """One row of the parameter table.

    ``name`` is the keyword of :mod:`cartmodel`'s functions (and of explorer
    links), ``symbol`` the paper's or the book's (plain text), ``meaning`` a few
    words, ``unit`` from :data:`UNITS`.  The valid range runs from ``low`` to
    ``high`` (``None``: unbounded; ``low_open``, ``high_open``: the end is
    excluded), whole numbers only if ``integer``.  ``default`` is the book's
    (the paper's Figure 1 where it gives one); ``control`` is an explorer
    slider's ``(min, max, scale, step)``, ``scale`` ``"log"`` (``step`` in
    decades) or ``"linear"``.
    """

    name: str
    symbol: str
    meaning: str
    unit: str
    low: float | None
    high: float | None
    low_open: bool
    high_open: bool
    default: float
    control: tuple[float, float, Literal["log", "linear"], float]
    integer: bool = False

    @property
    def label(self) -> str:
        """Label for axes and controls, with meaning, symbol and unit."""
        unit = "" if self.unit == UNITS["affinity"] else f" ({self.unit})"
        symbol = f" {self.symbol}" if self.symbol else ""
        return f"{self.meaning}{symbol}{unit}"

    @property
    def limits(self) -> dict[str, Any]:
        """The row's range and unit as keyword arguments of the input checks."""
        return dict(low=self.low, high=self.high, low_open=self.low_open, high_open=self.high_open, unit=self.unit)


def _row(name: str, symbol: str, meaning: str, unit: str, low: float | None, default: float,
         control: tuple[float, float, Literal["log", "linear"], float], *, high: float | None = None,
         low_open: bool = False, high_open: bool = False, integer: bool = False) -> Parameter:
    return Parameter(name, symbol, meaning, unit, low, high, low_open, high_open, default, control, integer)


_CELLS, _AU, _RATE, _DAYS = UNITS["cells"], UNITS["antigen"], UNITS["rate"], UNITS["time"]

#: The table, by name.  Defaults are the paper's Figure 1 (``r = 1.5``, ``q = 1.2``,
#: IC50 = 1.6 nM, ``n0 = 1``, ``P = 1000``, ``K = 10**6``) and the book's examples.
PARAMETERS: MappingProxyType[str, Parameter] = MappingProxyType({row.name: row for row in (
    _row("n0", "N\u2080", "dose", _CELLS, 0.0, FIGURE_1["n0"], (1.0, 1e7, "log", 0.05), low_open=True),
    _row("total_n0", "", "total dose", _CELLS, 0.0, 1e5, (1.0, 1e7, "log", 0.05), low_open=True),
    _row("P", "P", "antigen burden", _AU, 0.0, FIGURE_1["P"], (1e-3, 1e4, "log", 0.05)),
    _row("ic50", "", "scFv IC50", UNITS["concentration"], 0.0, FIGURE_1_IC50_NM, (0.1, 100.0, "log", 0.02),
         low_open=True),
    _row("B", "B", "affinity factor (1 nM / IC50)", UNITS["affinity"], 0.0, FIGURE_1["B"], (0.01, 10.0, "log", 0.02),
         low_open=True),
    _row("r", "r", "CAR T growth rate", _RATE, 0.0, FIGURE_1["r"], (0.1, 3.0, "linear", 0.05), low_open=True),
    _row("q", "q", "tumour growth rate", _RATE, 0.0, FIGURE_1["q"], (0.0, 2.5, "linear", 0.05)),
    _row("K", "K", "capacity scale", _CELLS, 0.0, FIGURE_1["K"], (1e3, 1e9, "log", 0.05), low_open=True),
    _row("kill_rate", "\u03b3", "killing rate", _RATE, 0.0, 0.0, (0.0, 3.0, "linear", 0.05)),
    _row("kill_saturation", "k", "killing half-saturation", _CELLS, 0.0, 10.0, (0.1, 1e4, "log", 0.05),
         low_open=True),
    _row("ceiling", "", "peak ceiling", _CELLS, 0.0, 1e8, (1e5, 1e11, "log", 0.05), low_open=True),
    _row("clearance_level", "", "clearance level", _AU, 0.0, 1.0, (1e-9, 1.0, "log", 0.1), low_open=True),
    _row("clear_by_day", "", "clear by day", _DAYS, 0.0, 42.0, (5.0, 60.0, "linear", 1.0), low_open=True),
    _row("days", "", "horizon", _DAYS, 0.0, float(FIGURE_1_DAYS), (10.0, 120.0, "linear", 1.0), low_open=True),
    _row("dt", "\u0394t", "step length", _DAYS, 0.0, 1.0, (0.05, 1.0, "linear", 0.05), low_open=True),
    _row("infusions", "", "infusions", "count", 1.0, 3.0, (1.0, 6.0, "linear", 1.0), integer=True),
    _row("interval_days", "", "interval between infusions", _DAYS, 0.0, 2.0, (1.0, 10.0, "linear", 1.0)),
    # patient quantities of the burden estimate; defaults: the book's adult at relapse
    # (cartmodel.burden.EXAMPLE_PATIENTS), bounds: see "Patient quantities" above
    _row("weight_kg", "", "body weight", UNITS["mass"], 0.0, 75.0, (2.0, 200.0, "linear", 1.0), high=300.0,
         low_open=True),
    _row("age_years", "", "age", UNITS["age"], 0.0, 45.0, (0.0, 95.0, "linear", 1.0), high=100.0),
    _row("height_m", "", "height", UNITS["height"], 0.0, 1.75, (0.5, 2.2, "linear", 0.01), high=3.0,
         low_open=True),
    _row("wbc_giga_per_l", "WBC", "white-cell count", UNITS["blood count"], 0.0, 25.0,
         (0.1, 1000.0, "log", 0.02), high=2000.0, low_open=True),
    _row("wbc_cells_per_ul", "", "white-cell count", UNITS["blood count per uL"], 0.0, 25_000.0,
         (100.0, 1e6, "log", 0.02), high=2e6, low_open=True),
    _row("blood_blast_fraction", "", "blasts among the white cells", UNITS["fraction"], 0.0, 0.6,
         (0.0, 1.0, "linear", 0.01), high=1.0),
    _row("marrow_infiltration_fraction", "", "blasts among the marrow cells", UNITS["fraction"], 0.0, 0.7,
         (1e-4, 1.0, "log", 0.01), high=1.0),
    _row("marrow_cellularity_fraction", "", "biopsy cellularity", UNITS["fraction"], 0.0, 0.9,
         (0.0, 1.0, "linear", 0.01), high=1.0),
    _row("normal_cellularity_fraction", "", "normal cellularity for age", UNITS["fraction"], 0.05, 0.55,
         (0.05, 1.0, "linear", 0.01), high=1.0),
    _row("blood_volume_ml_per_kg", "", "blood volume per kg", UNITS["blood volume per kg"], 30.0, 70.0,
         (40.0, 120.0, "linear", 1.0), high=150.0),
    _row("blood_volume_ml", "", "blood volume", UNITS["volume"], 0.0, 5250.0, (100.0, 45_000.0, "log", 0.02),
         high=45_000.0, low_open=True),
    _row("marrow_cells_per_kg", "", "marrow nucleated cells per kg", UNITS["cells per kg"], 1e9,
         ALL_BURDEN_INPUTS["marrow_nucleated_cells_per_kg"].value,
         (1e9, 1e11, "log", 0.02), high=1e11),
    _row("antigen_molecules_per_blast", "", "antigen molecules per blast", UNITS["molecules per cell"], 0.0,
         ALL_BURDEN_INPUTS["cd19_molecules_per_b_cell"].value,
         (100.0, 1e6, "log", 0.02), high=1e6),
    _row("blasts", "", "blasts", UNITS["real cells"], 0.0, 1e11, (1e3, 1e15, "log", 0.1), high=1e15),
    _row("antigen_molecules", "", "antigen burden", UNITS["molecules"], 0.0, 2.2e15, (1e6, 1e21, "log", 0.1),
         high=1e21),
)})


#: The horizon of a simulation when none is given, in days (the book's Figures 1 and 2).
DEFAULT_DAYS: float = PARAMETERS["days"].default


def label(name: str) -> str:
    """Axis or control label of the parameter ``name`` (for example ``"antigen burden P (AU)"``)."""
    try:
        return PARAMETERS[name].label
    except KeyError:
        raise ValueError(f"name must be one of {', '.join(map(repr, PARAMETERS))}; got {name!r}") from None


def check(name: str, value: Any, *, as_name: str | None = None) -> NDArray[np.float64]:
    """Check ``value`` against the range of the parameter ``name`` in the table.

    ``value`` (a real number or array_like) is returned as a float64 array;
    ``as_name`` is the name to print in error messages (``"doses[2] cells"``)
    instead of ``name``, a key of :data:`PARAMETERS`.

    Examples
    --------
    >>> float(check("r", 1.5))
    1.5
    >>> check("r", -1.0)
    Traceback (most recent call last):
    ...
    ValueError: r (per day) must be a finite real number > 0; got -1.0
    """
    return as_real_array(as_name or name, value, **PARAMETERS[name].limits)


def table_for_browser(names: tuple[str, ...] | None = None) -> dict[str, dict[str, Any]]:
    """The table as plain JSON-ready dictionaries, for the in-browser explorers.

    Each entry holds the fields of :class:`Parameter` plus its ``label``; the
    slider range is split into ``min``, ``max``, ``scale`` and ``step`` (log
    sliders keep their limits in the parameter's own unit).
    """
    chosen = PARAMETERS if names is None else {name: PARAMETERS[name] for name in names}
    table = {}
    for name, row in chosen.items():
        entry = asdict(row)
        low, high, scale, step = entry.pop("control")
        entry.update(label=row.label, min=low, max=high, scale=scale, step=step)
        for key in ("low", "high"):
            if entry[key] is not None and not math.isfinite(entry[key]):
                entry[key] = None
        table[name] = entry
    return table

