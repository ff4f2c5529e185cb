"""Write the parameter table into the site for the in-browser explorers.

The explorers of ``chapters/interactive-dosing.md`` and the burden explorer of
``chapters/antigen-burden.md`` (``assets/explorer/explorers.js``) hold only the mathematics
and the drawing. Names, units, labels, valid ranges,
slider ranges and defaults of their controls come from ``cartmodel`` itself, as
the ipywidgets explorers' do:

* :func:`cartmodel.parameters.table_for_browser` (the parameter table);
* :data:`cartmodel.widgets.EXPLORER_CONTROLS` (which parameters each explorer
  shows), plus the controls only the browser offers (the reading of Equation 1
  and the placement of ``B`` in the dosing explorer, the growth rates in the
  nomogram explorer), and the nomogram explorer's choice of model with the controls of
  Equation 1 with killing (:mod:`cartmodel.killing`), shown only when that model is chosen;
* :data:`cartmodel.engine.READINGS` and :data:`cartmodel.engine.B_PLACEMENTS`,
  with the defaults of :func:`cartmodel.simulate`;
* the fixed values of each explorer (``K``, horizon, step, the nomogram's grid),
  read from the signatures of the ipywidgets explorers.
* for the burden explorer, the conventions of :mod:`cartmodel.burden` (blood volume per kg
  by age group and sex, marrow cells per kg, the reference antigen burden, the ranges of
  the tornado analysis), so that the script copies none of its numbers.

When the HTML builder finishes, this extension writes ``explorer/parameters.js``
into the built site: a classic script that sets ``globalThis.cartmodelParameters``,
so that the page also works when opened from a ``file://`` copy of the site.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Where the script goes, relative to the site's root (next to explorers.js).
TARGET = Path("explorer") / "parameters.js"

# Controls the browser explorers show beyond the ipywidgets ones, by explorer.
EXTRA_CONTROLS = {
    "dosing": ("reading", "b_placement"),
    "nomogram": ("r", "q", "model", "kill_rate", "kill_saturation", "killing"),
    "schedule": (),
}
# The nomogram explorer's models: Equation 1, and Equation 1 with killing (cartmodel.killing),
# whose own controls it shows only when that model is chosen.
NOMOGRAM_MODELS = ("Equation 1", "with killing")
KILLING_CONTROLS = ("kill_rate", "kill_saturation", "killing")
# Doses and burdens of the killing model's map in the browser. Its runs cannot share a tumour term
# (the tumour depends on the dose) and its window is searched run by run, so on the widgets' grid
# of 120 x 120 one update took a median 33 ms in Chromium against 5 ms for Equation 1; on 60 x 60,
# 11 ms, within one frame (benchmarks/bench_explorers.py). The bounds themselves are bisections,
# as precise on either grid.
NOMOGRAM_KILLING_N = 60
# The burden explorer's controls: what a clinic measures (cartmodel.burden.patient_from_measurements).
BURDEN_CONTROLS = ("weight_kg", "age_years", "sex", "wbc_giga_per_l", "blood_blast_fraction",
                   "marrow_infiltration_fraction", "marrow_cellularity_fraction", "antigen_molecules_per_blast")
# Labels of the choices (the parameter table holds numbers only).
CHOICE_LABELS = {"reading": "reading of Equation 1", "b_placement": "placement of B",
                 "sex": "sex (adult blood volume per kg)", "model": "model",
                 "killing": "form of the killing term"}
# Where the burden explorer sends its P: the dosing explorer's page, relative to the burden
# explorer's page (both in chapters/), and the dosing explorer's element.
DOSING_PAGE, DOSING_ANCHOR = "interactive-dosing.html", "live-dosing-explorer"


def _defaults(function: Any, *names: str) -> dict[str, Any]:
    signature = inspect.signature(function)
    return {name: signature.parameters[name].default for name in names}


def explorer_configuration() -> dict[str, Any]:
    """The table and the explorers' set-up, as JSON-ready data (see the module docstring)."""
    from cartmodel import burden
    from cartmodel.dosing import EXAMPLE_N0_RANGE
    from cartmodel.engine import B_PLACEMENTS, READINGS
    from cartmodel.killing import KILLING_FORMS, dose_window
    from cartmodel.model import simulate
    from cartmodel.parameters import PARAMETERS, table_for_browser
    from cartmodel.widgets import EXPLORER_CONTROLS, NOMOGRAM_LOG10_P, DosingExplorer, NomogramExplorer, ScheduleExplorer

    simulate_defaults = _defaults(simulate, "reading", "b_placement")
    choices = {
        "reading": {"name": "reading", "label": CHOICE_LABELS["reading"], "options": list(READINGS),
                    "default": simulate_defaults["reading"]},
        "b_placement": {"name": "b_placement", "label": CHOICE_LABELS["b_placement"],
                        "options": list(B_PLACEMENTS), "default": simulate_defaults["b_placement"]},
        "sex": {"name": "sex", "label": CHOICE_LABELS["sex"], "options": ["man", "woman"], "default": "man"},
        "model": {"name": "model", "label": CHOICE_LABELS["model"], "options": list(NOMOGRAM_MODELS),
                  "default": NOMOGRAM_MODELS[0]},
        "killing": {"name": "killing", "label": CHOICE_LABELS["killing"], "options": list(KILLING_FORMS),
                    "default": _defaults(dose_window, "killing")["killing"]},
    }
    level = PARAMETERS["clearance_level"].default
    nomogram = _defaults(NomogramExplorer, "n", "K", "days", "rtol")
    schedule = _defaults(ScheduleExplorer, "r", "q", "ic50", "K", "days")
    explorers = {
        "dosing": {
            "controls": [*EXPLORER_CONTROLS["dosing"], *EXTRA_CONTROLS["dosing"]],
            "fixed": {**_defaults(DosingExplorer, "K", "days", "dt"), "clearance_level": level},
        },
        "nomogram": {
            "controls": [*EXPLORER_CONTROLS["nomogram"], *EXTRA_CONTROLS["nomogram"]],
            "fixed": {"K": nomogram["K"], "days": nomogram["days"], "dt": 1.0, "rtol": nomogram["rtol"],
                      "clearance_level": level},
            "grid": {"n": nomogram["n"], "log10_P": list(NOMOGRAM_LOG10_P),
                     "n0_range": [float(x) for x in EXAMPLE_N0_RANGE],
                     # the killing model's window: dose_window's grid of doses before bisection
                     "window_points": _defaults(dose_window, "grid_points")["grid_points"],
                     "killing_n": NOMOGRAM_KILLING_N},
            "shown_when": {name: ["model", NOMOGRAM_MODELS[1]] for name in KILLING_CONTROLS},
        },
        "schedule": {
            "controls": [*EXPLORER_CONTROLS["schedule"], *EXTRA_CONTROLS["schedule"]],
            "fixed": {**schedule, "dt": 1.0, "clearance_level": level},
        },
        "burden": {
            "controls": list(BURDEN_CONTROLS),
            "fixed": {"marrow_cells_per_kg": burden.MARROW_NUCLEATED_CELLS_PER_KG,
                      "reference_antigen_molecules": burden.REFERENCE_ANTIGEN_MOLECULES,
                      "adult_age_years": burden.ADULT_AGE_YEARS},
            "conventions": burden_conventions(),
        },
    }
    return {"parameters": table_for_browser(), "choices": choices, "explorers": explorers}


def burden_conventions() -> dict[str, Any]:
    """What cartmodel.burden decides beyond the patient's measurements, for the burden explorer."""
    from cartmodel import burden

    states = list(burden.STATE_RANGES)
    return {
        "blood_volume_ml_per_kg": dict(burden.BLOOD_VOLUME_ML_PER_KG),
        "adult_age_years": burden.ADULT_AGE_YEARS,
        "marrow_cells_per_kg": burden.MARROW_NUCLEATED_CELLS_PER_KG,
        "reference_antigen_molecules": burden.REFERENCE_ANTIGEN_MOLECULES,
        "count_spread": burden.COUNT_SPREAD,
        "states": states,
        "state_ranges": {state: {name: list(ends) for name, ends in burden.STATE_RANGES[state].items()}
                         for state in states},
        "fixed_ranges": {group: {state: {name: list(ends) for name, ends in burden.fixed_tornado_ranges(group, state).items()}
                                 for state in states} for group in ("child", "adult")},
        "dosing_page": DOSING_PAGE,
        "dosing_anchor": DOSING_ANCHOR,
    }


def script_text(configuration: dict[str, Any]) -> str:
    """The classic script that sets ``globalThis.cartmodelParameters``."""
    # ensure_ascii escapes U+2028/U+2029 too, so the JSON is also valid JavaScript
    data = json.dumps(configuration, ensure_ascii=True, sort_keys=True, allow_nan=False, indent=1)
    return (
        "/* Written by _ext/explorer_parameters.py from cartmodel's parameter table when the book\n"
        "   was built; do not edit. Read by explorers.js. */\n"
        f"globalThis.cartmodelParameters = Object.freeze({data});\n"
    )


def is_current(target: Path, extension: str = __file__) -> bool:
    """Whether ``target`` was written after the last change to cartmodel's sources and to
    the ``extension`` that writes it (this one, or social_image.py): a rebuild then keeps it,
    without importing cartmodel (most of the time of a rebuild that has nothing to do)."""
    package = importlib.util.find_spec("cartmodel")  # finds the package without running it
    if not target.exists() or package is None or not package.submodule_search_locations:
        return False
    sources = [Path(extension), *Path(list(package.submodule_search_locations)[0]).rglob("*.py")]
    return target.stat().st_mtime >= max(source.stat().st_mtime for source in sources)


def write_parameters(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / TARGET
    if is_current(target):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(script_text(explorer_configuration()), encoding="utf-8")
    logger.info(f"explorer_parameters: wrote {target}")


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", write_parameters)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
