"""Property-based tests (hypothesis) over the rest of cartmodel's public API.

tests/test_properties.py fuzzes Equation 1 (cartmodel.model); this file fuzzes every other
public callable: the burden estimate, Equation 2 repertoires, DLI response probabilities,
burden fitting, dosing, and the plotting, widget and reporting helpers.

* Inside the ranges that the chapters and widgets reach (with margin), outputs are finite,
  cell counts and probabilities are non-negative, and cheap documented invariants hold
  (round trips, sums, monotonicity, agreement with :func:`cartmodel.simulate`).
* Outside them, the only exceptions are ValueError and TypeError, and the message names the
  offending parameter.  pytest runs with ``filterwarnings = error``, so any warning on the
  way (overflow, division by zero, a matplotlib complaint) fails the property too.
* A registry (``COVERAGE``) says which property covers each public callable; a meta-test
  fails when a public name has none, so that a function added later needs its fuzz test.
"""

from __future__ import annotations

import inspect
import json
import math
import re
import typing
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import cartmodel as cm  # noqa: E402
from cartmodel import burden as bd  # noqa: E402
from cartmodel import (  # noqa: E402
    calibration,
    dosing,
    engine,
    fitting,
    plotting,
    population,
    reporting,
    response,
    widgets,
)
from cartmodel import repertoire as rp  # noqa: E402
from cartmodel.paper import FIGURE_1  # noqa: E402
from cartmodel.parameters import PARAMETERS, Parameter, check, label, table_for_browser  # noqa: E402
from cartmodel.published import TISAGENLECLEUCEL_B_ALL  # noqa: E402

from . import test_properties as equation_1  # noqa: E402  (the lead's properties of cartmodel.model)
from .conftest import count_generated_call, examples  # noqa: E402

# --------------------------------------------------------------------------
# helpers


def names_parameter(message: str, name: str) -> bool:
    """Whether ``name`` appears in ``message`` as a word (``P`` in "P (cells) must ...")."""
    return re.search(r"(?<![A-Za-z0-9_])" + re.escape(name) + r"(?![A-Za-z0-9_])", message) is not None


def assert_refused(call: Callable[[], Any], name: str) -> None:
    """``call()`` raises ValueError or TypeError whose message names ``name`` (and nothing else escapes)."""
    with pytest.raises((ValueError, TypeError)) as caught:
        call()
    message = str(caught.value)
    assert names_parameter(message, name), f"{type(caught.value).__name__} does not name {name!r}: {message}"


def assert_counts(name: str, values: Any) -> None:
    """Finite and non-negative (cell counts, probabilities, days)."""
    values = np.asarray(values, dtype=float)
    assert np.all(np.isfinite(values)), f"{name} is not finite: {values}"
    assert np.all(values >= 0), f"{name} is negative: {values}"


def log_uniform(low: float, high: float) -> st.SearchStrategy[float]:
    """Values spread over the decades from ``low`` to ``high``, ends included."""
    exponent = st.floats(math.log10(low), math.log10(high))
    return st.one_of(st.sampled_from([low, high]), exponent.map(lambda e: min(max(10.0**e, low), high)))


def new_axes(**figure: Any) -> Axes:
    """Axes on a small Agg figure outside pyplot (no global state to clean up)."""
    fig = Figure(figsize=figure.get("figsize", (3.0, 2.0)), dpi=40)
    FigureCanvasAgg(fig)
    return fig.add_subplot()


def draw(fig: Any) -> None:
    fig.canvas.draw()


# --------------------------------------------------------------------------
# bad values


WRONG_TYPES = ("1.0", None, True, np.bool_(False), 1 + 1j, object(), [1.0, "x"], {"a": 1.0})
NOT_NONE_WRONG_TYPES = tuple(value for value in WRONG_TYPES if value is not None)


def outside(low: float | None = None, high: float | None = None, *, low_open: bool = False,
            high_open: bool = False, none_ok: bool = False) -> st.SearchStrategy[Any]:
    """Reals outside ``low .. high`` (NaN and infinities included) and values of the wrong type."""
    options: list[st.SearchStrategy[Any]] = [st.sampled_from([math.nan, math.inf, -math.inf])]
    if low is not None:
        below = low if low_open else math.nextafter(low, -math.inf)
        options += [st.just(below), st.floats(max_value=below, allow_nan=False, allow_infinity=False)]
    if high is not None:
        above = high if high_open else math.nextafter(high, math.inf)
        options += [st.just(above), st.floats(min_value=above, allow_nan=False, allow_infinity=False)]
    options.append(st.sampled_from(NOT_NONE_WRONG_TYPES if none_ok else WRONG_TYPES))
    return st.one_of(*options)


POSITIVE = outside(0.0, low_open=True)
NON_NEGATIVE = outside(0.0)
FRACTION = outside(0.0, 1.0)
BAD_INT = st.sampled_from([0, -1, 1.5, 2.0, "3", None, True, math.nan, 1 + 0j, object()])
BAD_SEED = st.sampled_from([-1, 1.5, "1", None, True, object(), [1, 2]])
BAD_CHOICE = st.sampled_from(["nonsense", "", 1, None, b"exact", ("exact",)])
BAD_BOOL = st.sampled_from(["yes", 1, 0.0, None, "True"])
BAD_OBJECT = st.sampled_from(["x", None, 1.0, object(), {"a": 1}])
BAD_VECTOR = st.one_of(outside(0.0, low_open=True),
                       st.sampled_from([[], [[1.0, 2.0]], [1.0, -1.0], [1.0, math.nan], 5.0]))
BAD_PAIR = st.sampled_from([(0.0, 1.0), ([1.0, 2.0], 500.0), (1.0, [2.0, 3.0]), (-1.0, 2.0), (5.0, 1.0), (1.0,), "ab",
                            None, (math.nan, 2.0), (1.0, math.inf), (1.0, "x"), (True, 2.0), 3.0])
BAD_DAYS_GRID = st.one_of(outside(0.0), st.sampled_from([[3.0, 1.0], [1.0, 1.0], [0.5, 1.0], [-1.0, 2.0], [],
                                                        [[1.0, 2.0]], [1.0, math.nan], 2.5]))


def bad_horizon() -> st.SearchStrategy[Any]:
    return st.one_of(outside(0.0, low_open=True), st.sampled_from([1.5, 2e6]))


# --------------------------------------------------------------------------
# shared valid inputs


RATES = dict(r=FIGURE_1["r"], q=FIGURE_1["q"], K=FIGURE_1["K"])
EQ1 = dict(r=FIGURE_1["r"], q=FIGURE_1["q"], B=FIGURE_1["B"], P=FIGURE_1["P"], K=FIGURE_1["K"])
PATIENT = cm.AllPatient(weight_kg=70.0, wbc_giga_per_l=20.0, blood_blast_fraction=0.5,
                        marrow_cellularity_fraction=0.9, marrow_infiltration_fraction=0.7,
                        normal_cellularity_fraction=0.6)
LIBRARY = cm.draw_peptides(20, seed=7, tumour_fraction=0.25)
REPERTOIRE = cm.draw_repertoire(40, seed=7, peptides=LIBRARY)
TWO_PEPTIDES = cm.PeptideLibrary(ic50_nm=[1.0, 10.0], expression=[1.0, 2.0], tumour=[True, False])
STANDARD_DAYS = (1.0, 3.0, 7.0, 10.0, 14.0, 21.0, 28.0)
STANDARD_COUNTS = tuple(float(x) for x in cm.sample_counts(STANDARD_DAYS, **EQ1, noise_sd=0.3,
                                                           rng=np.random.default_rng(1)))
COHORT_FIT = cm.fit_cohort(STANDARD_DAYS, (STANDARD_COUNTS, STANDARD_COUNTS), B=EQ1["B"], K=EQ1["K"], r=EQ1["r"],
                           q=EQ1["q"], noise_sd=0.3)
PATIENT_FIELD_RANGES = {  # the chapters' ranges, with margin
    "weight_kg": (2.0, 200.0),
    "wbc_giga_per_l": (1e-3, 1e3),
    "blood_blast_fraction": (0.0, 1.0),
    "marrow_cellularity_fraction": (0.0, 1.0),
    "marrow_infiltration_fraction": (0.0, 1.0),
    "normal_cellularity_fraction": (0.05, 1.0),
    "blood_volume_ml_per_kg": (40.0, 120.0),
    "marrow_cells_per_kg": (1e9, 1e11),
    "antigen_molecules_per_blast": (0.0, 1e6),
}
PATIENT_BAD = {
    "weight_kg": POSITIVE, "wbc_giga_per_l": POSITIVE, "blood_blast_fraction": FRACTION,
    "marrow_cellularity_fraction": FRACTION, "marrow_infiltration_fraction": FRACTION,
    "normal_cellularity_fraction": outside(0.0, 1.0, low_open=True),
    "blood_volume_ml_per_kg": POSITIVE, "marrow_cells_per_kg": POSITIVE, "antigen_molecules_per_blast": NON_NEGATIVE,
    "antigen": st.sampled_from([1, None, b"CD19"]), "label": st.sampled_from([1, None, b"x"]),
}


@dataclass(frozen=True)
class Refusal:
    """How to call one public callable with valid arguments, and what is bad for each parameter."""

    call: Callable[..., Any]
    valid: dict[str, Any]
    bad: dict[str, st.SearchStrategy[Any]]
    arrays: frozenset[str] = field(default_factory=frozenset)  # parameters that broadcast arrays
    scalars: frozenset[str] = field(default_factory=frozenset)  # numeric parameters that must be scalars


def refusal(call: Callable[..., Any], valid: dict[str, Any], bad: dict[str, Any], *, arrays: str = "",
            scalars: str = "") -> Refusal:
    return Refusal(call, valid, bad, frozenset(arrays.split()), frozenset(scalars.split()))


EQ1_BAD = {"r": POSITIVE, "q": NON_NEGATIVE, "B": POSITIVE, "P": NON_NEGATIVE, "K": POSITIVE}
REP_SETTINGS = dict(K=FIGURE_1["K"], r=FIGURE_1["r"], q=FIGURE_1["q"], days=10.0, dt=1.0, tumour_term=True,
                    reading="exact")
REP_SETTINGS_BAD = {"K": POSITIVE, "r": POSITIVE, "q": NON_NEGATIVE, "days": bad_horizon(),
                    "dt": st.one_of(POSITIVE, st.just(0.7)), "tumour_term": BAD_BOOL, "reading": BAD_CHOICE}
HORIZON = dict(days=60.0, dt=1.0, reading="exact", b_placement="capacity")
HORIZON_BAD = {"days": bad_horizon(), "dt": st.one_of(POSITIVE, st.just(0.7)), "reading": BAD_CHOICE,
               "b_placement": BAD_CHOICE}

REFUSALS: dict[str, Refusal] = {
    # the burden estimate
    "wbc_cells_per_ul_from_giga_per_l": refusal(
        cm.wbc_cells_per_ul_from_giga_per_l, {"wbc_giga_per_l": 4.5}, {"wbc_giga_per_l": NON_NEGATIVE},
        arrays="wbc_giga_per_l"),
    "wbc_giga_per_l_from_cells_per_ul": refusal(
        cm.wbc_giga_per_l_from_cells_per_ul, {"wbc_cells_per_ul": 4500.0}, {"wbc_cells_per_ul": NON_NEGATIVE},
        arrays="wbc_cells_per_ul"),
    "blood_volume_ml": refusal(
        cm.blood_volume_ml, {"weight_kg": 70.0, "group": "man", "ml_per_kg": None},
        {"weight_kg": POSITIVE, "group": BAD_CHOICE, "ml_per_kg": outside(0.0, low_open=True, none_ok=True)},
        arrays="weight_kg"),
    "nadler_blood_volume_ml": refusal(
        cm.nadler_blood_volume_ml, {"height_m": 1.75, "weight_kg": 75.0, "sex": "man"},
        {"height_m": outside(0.0, 3.0, low_open=True), "weight_kg": POSITIVE, "sex": BAD_CHOICE},
        arrays="height_m weight_kg"),
    "normal_cellularity_fraction": refusal(
        cm.normal_cellularity_fraction, {"age_years": 40.0}, {"age_years": outside(0.0, 100.0)}, arrays="age_years"),
    "circulating_blasts": refusal(
        cm.circulating_blasts, {"blast_fraction": 0.5, "blood_volume_ml": 5000.0, "wbc_giga_per_l": 10.0},
        {"blast_fraction": FRACTION, "blood_volume_ml": POSITIVE, "wbc_giga_per_l": POSITIVE,
         "wbc_cells_per_ul": st.sampled_from([10.0, -1.0, "x", math.nan])},  # a second count is refused
        arrays="blast_fraction blood_volume_ml wbc_giga_per_l"),
    "marrow_nucleated_cells": refusal(
        cm.marrow_nucleated_cells, {"weight_kg": 70.0, "cells_per_kg": 1e10},
        {"weight_kg": POSITIVE, "cells_per_kg": POSITIVE}, arrays="weight_kg cells_per_kg"),
    "marrow_blasts": refusal(
        cm.marrow_blasts, {"weight_kg": 70.0, "cellularity_fraction": 0.9, "infiltration_fraction": 0.7,
                           "normal_cellularity_fraction": 0.6, "cells_per_kg": 1e10},
        {"weight_kg": POSITIVE, "cellularity_fraction": FRACTION, "infiltration_fraction": FRACTION,
         "normal_cellularity_fraction": outside(0.0, 1.0, low_open=True), "cells_per_kg": POSITIVE},
        arrays="weight_kg cellularity_fraction infiltration_fraction normal_cellularity_fraction cells_per_kg"),
    "total_blasts": refusal(
        cm.total_blasts, {"circulating_blasts": 1e9, "marrow_blasts": 1e11},
        {"circulating_blasts": NON_NEGATIVE, "marrow_blasts": NON_NEGATIVE}, arrays="circulating_blasts marrow_blasts"),
    "antigen_burden_molecules": refusal(
        cm.antigen_burden_molecules, {"blasts": 1e10, "molecules_per_blast": 2.2e4},
        {"blasts": NON_NEGATIVE, "molecules_per_blast": NON_NEGATIVE}, arrays="blasts molecules_per_blast"),
    "p_from_antigen": refusal(
        cm.p_from_antigen, {"antigen_molecules": 1e15, "reference_antigen_molecules": 2.2e13},
        {"antigen_molecules": NON_NEGATIVE, "reference_antigen_molecules": POSITIVE},
        arrays="antigen_molecules reference_antigen_molecules"),
    "antigen_from_p": refusal(
        cm.antigen_from_p, {"P": 10.0, "reference_antigen_molecules": 2.2e13},
        {"P": NON_NEGATIVE, "reference_antigen_molecules": POSITIVE}, arrays="P reference_antigen_molecules"),
    "AllPatient": refusal(
        cm.AllPatient, {name: getattr(PATIENT, name) for name in PATIENT_BAD}, PATIENT_BAD,
        arrays=" ".join(PATIENT_FIELD_RANGES)),
    "estimate_burden": refusal(cm.estimate_burden, {"patient": PATIENT}, {"patient": BAD_OBJECT}),
    "one_at_a_time_sensitivity": refusal(
        cm.one_at_a_time_sensitivity,
        {"patient": PATIENT, "ranges": {"weight_kg": (50.0, 90.0)}, "output": "antigen_molecules"},
        {"patient": st.one_of(BAD_OBJECT, st.just(PATIENT.replace(weight_kg=[60.0, 70.0]))),
         "ranges": st.sampled_from([None, {}, "weight_kg", [("weight_kg", (1.0, 2.0))], {"nope": (1.0, 2.0)},
                                    {"weight_kg": (1.0,)}, {"weight_kg": (-1.0, 2.0)}, {"weight_kg": (math.nan, 2.0)},
                                    {"weight_kg": ("a", 2.0)}, {"blood_blast_fraction": (0.5, 1.5)},
                                    {"weight_kg": 3.0}, {"weight_kg": ([1.0, 2.0], 3.0)}]),
         "output": BAD_CHOICE}),
    "tornado_ranges": refusal(
        bd.tornado_ranges, {"patient": PATIENT, "group": "adult", "state": "relapse"},
        {"patient": st.one_of(BAD_OBJECT, st.just(PATIENT.replace(wbc_giga_per_l=[10.0, 20.0]))),
         "group": BAD_CHOICE, "state": BAD_CHOICE}),
    "marrow_blast_share": refusal(
        bd.marrow_blast_share, {"patient": PATIENT, "net_decline": 0.3, "day": 28.0},
        {"patient": BAD_OBJECT, "net_decline": NON_NEGATIVE, "day": NON_NEGATIVE}, arrays="net_decline day"),
    # Equation 2
    "PeptideLibrary": refusal(
        cm.PeptideLibrary, {"ic50_nm": [1.0, 10.0], "expression": [1.0, 2.0], "tumour": [True, False]},
        {"ic50_nm": BAD_VECTOR, "expression": BAD_VECTOR,
         "tumour": st.sampled_from(["x", [1, 0], [1.0, 0.0], [True], [[True, False]], None])}),
    "Repertoire": refusal(
        cm.Repertoire, {"sizes": [1.0, 2.0], "affinity": [0.1, 0.2], "peptide": [0, 1], "peptides": TWO_PEPTIDES},
        {"sizes": BAD_VECTOR, "affinity": BAD_VECTOR,
         "peptide": st.sampled_from([[0.0, 1.0], [0, 5], [-1, 0], ["a", "b"], [0], [True, False], None]),
         "peptides": BAD_OBJECT}),
    "draw_peptides": refusal(
        cm.draw_peptides, {"n_peptides": 10, "seed": 1, "ic50_range_nm": (1.0, 500.0), "expression_range": (0.1, 10.0),
                           "tumour_fraction": 0.02},
        {"n_peptides": BAD_INT, "seed": BAD_SEED, "ic50_range_nm": BAD_PAIR, "expression_range": BAD_PAIR,
         "tumour_fraction": FRACTION}, scalars="tumour_fraction"),
    "draw_repertoire": refusal(
        cm.draw_repertoire, {"n_clones": 10, "seed": 1, "size_exponent": 2.5, "min_size_cells": 1.0,
                             "affinity_exponent": 2.5, "min_affinity": 1e-3, "peptides": None, "n_peptides": 20},
        {"n_clones": BAD_INT, "seed": BAD_SEED, "size_exponent": st.one_of(outside(1.1), st.just(1.0)),
         "affinity_exponent": st.one_of(outside(1.1), st.just(1.05)), "min_size_cells": POSITIVE,
         "min_affinity": POSITIVE, "peptides": st.sampled_from(["x", 1.0, object(), REPERTOIRE]),
         "n_peptides": BAD_INT}, scalars="size_exponent affinity_exponent min_size_cells min_affinity"),
    "clone_capacity": refusal(
        cm.clone_capacity, {"repertoire": REPERTOIRE, "t_days": [0.0, 1.0], **{k: REP_SETTINGS[k] for k in RATES},
                            "tumour_term": True},
        {"repertoire": st.one_of(BAD_OBJECT, st.just(LIBRARY)),
         "t_days": st.one_of(NON_NEGATIVE, st.just([[0.0, 1.0]])), "tumour_term": BAD_BOOL,
         **{k: REP_SETTINGS_BAD[k] for k in RATES}}, arrays="t_days", scalars="r q K"),
    "expand_repertoire": refusal(
        cm.expand_repertoire, {"repertoire": REPERTOIRE, **REP_SETTINGS},
        {"repertoire": st.one_of(BAD_OBJECT, st.just(LIBRARY)), **REP_SETTINGS_BAD}, scalars="r q K days dt"),
    "expand_clones": refusal(
        cm.expand_clones, {"repertoire": REPERTOIRE, "clones": [0, 1], "n0": [1.0, 2.0], "presented": [True, False],
                           **REP_SETTINGS},
        {"repertoire": st.one_of(BAD_OBJECT, st.just(LIBRARY)),
         "clones": st.sampled_from([[0.0, 1.0], [-1, 0], [0, 10**6], [], [[0, 1]], ["a", "b"], [True, False], None,
                                    [[0], [1, 2]], 0]),
         "n0": st.one_of(POSITIVE, st.sampled_from([[1.0, 2.0, 3.0], [[1.0, 2.0]]])),
         "presented": st.sampled_from([1, [1, 0], "yes", None, [True], [[True, False]], [True, None]]),
         **REP_SETTINGS_BAD}, scalars="r q K days dt"),
    "sweep_tumour_fraction": refusal(
        cm.sweep_tumour_fraction, {"repertoire": REPERTOIRE, "tumour_fractions": [0.0, 0.5], "seed": 1, **REP_SETTINGS},
        {"repertoire": st.one_of(BAD_OBJECT, st.just(LIBRARY)),
         "tumour_fractions": st.one_of(FRACTION, st.sampled_from([[], [[0.1, 0.2]], [0.1, 1.5]])), "seed": BAD_SEED,
         **REP_SETTINGS_BAD}, scalars="r q K days dt"),
    "rank_frequency": refusal(cm.rank_frequency, {"sizes": [1.0, 2.0, 3.0]}, {"sizes": BAD_VECTOR}),
    "fit_power_law_exponent": refusal(
        cm.fit_power_law_exponent, {"values": [1.0, 2.0, 3.0, 4.0], "minimum": 1.0},
        {"values": st.one_of(BAD_VECTOR, st.sampled_from([[1.0, 1.0, 1.0], [2.0]])),
         "minimum": st.one_of(POSITIVE, st.sampled_from([3.5, 10.0]))}, scalars="minimum"),
    # the response to donor lymphocyte infusions
    "response_probability": refusal(
        cm.response_probability, {"rho_p": 0.2, "rho_t": 0.2}, {"rho_p": FRACTION, "rho_t": FRACTION},
        arrays="rho_p rho_t"),
    "cumulative_response_probability": refusal(
        cm.cumulative_response_probability, {"rho_r": 0.04, "infusions": 3},
        {"rho_r": FRACTION, "infusions": st.one_of(NON_NEGATIVE, st.sampled_from([1.5, 0.25]))},
        arrays="rho_r infusions"),
    "capture_probability": refusal(
        cm.capture_probability, {"frequency": 1e-3, "dose_cells": 100.0},
        {"frequency": FRACTION, "dose_cells": NON_NEGATIVE}, arrays="frequency dose_cells"),
    "dose_for_capture": refusal(
        cm.dose_for_capture, {"frequency": 1e-3, "rho_t": 0.2},
        {"frequency": outside(0.0, 1.0, low_open=True, high_open=True), "rho_t": outside(0.0, 1.0, high_open=True)},
        arrays="frequency rho_t"),
    "relevant_clones": refusal(
        cm.relevant_clones, {"repertoire": REPERTOIRE, "response_cells": 1e3, **REP_SETTINGS},
        {"repertoire": BAD_OBJECT, "response_cells": POSITIVE, **REP_SETTINGS_BAD},
        scalars="response_cells r q K days dt"),
    "simulate_dli_trial": refusal(
        cm.simulate_dli_trial,
        {"repertoire": REPERTOIRE, "dose_cells": 100, "rho_p": 0.2, "patients": 5, "seed": 1, "infusions": 1,
         "presentation": "per_infusion", "response_cells": 1e3, **REP_SETTINGS},
        {"repertoire": BAD_OBJECT, "dose_cells": BAD_INT, "rho_p": FRACTION, "patients": BAD_INT, "seed": BAD_SEED,
         "infusions": BAD_INT, "presentation": BAD_CHOICE, "response_cells": POSITIVE, **REP_SETTINGS_BAD},
        scalars="rho_p response_cells r q K days dt"),
    # reading the burden from counts
    "sample_counts": refusal(
        cm.sample_counts,
        {"days": [1.0, 3.0, 7.0], **EQ1, "n0": 1.0, "scale": 1.0, "noise_sd": 0.3, "rng": np.random.default_rng(0),
         "dt": 1.0, "reading": "exact", "b_placement": "capacity"},
        {"days": BAD_DAYS_GRID, **EQ1_BAD, "n0": POSITIVE, "scale": POSITIVE, "noise_sd": NON_NEGATIVE,
         "rng": st.sampled_from([1, None, "rng", np.random.RandomState(0)]), "dt": st.one_of(POSITIVE, st.just(0.7)),
         "reading": BAD_CHOICE, "b_placement": BAD_CHOICE},
        arrays="r q B P K n0 scale", scalars="noise_sd dt"),
    "log_sensitivities": refusal(
        cm.log_sensitivities, {**EQ1, "n0": 1.0, **HORIZON, "days": 10.0},
        {"r": POSITIVE, "q": POSITIVE, "B": POSITIVE, "P": POSITIVE, "K": POSITIVE, "n0": POSITIVE, **HORIZON_BAD},
        scalars="r q P days dt"),
    "fit_burden": refusal(
        cm.fit_burden,
        {"days": STANDARD_DAYS, "counts": STANDARD_COUNTS, "B": EQ1["B"], "K": EQ1["K"], "r": EQ1["r"], "q": EQ1["q"],
         "n0": 1.0, "scale": 1.0, "free": (), "noise_sd": None, "confidence": 0.95, "bounds": None,
         "flat_factor": 10.0, "horizon_days": None, "dt": 1.0, "reading": "exact", "b_placement": "capacity"},
        {"days": st.one_of(BAD_DAYS_GRID, st.just(STANDARD_DAYS[:-1])),
         "counts": st.one_of(POSITIVE, st.sampled_from([STANDARD_COUNTS[:-1], (0.0,) + STANDARD_COUNTS[1:],
                                                        (math.nan,) + STANDARD_COUNTS[1:], "counts"])),
         "B": POSITIVE, "K": POSITIVE, "r": POSITIVE, "q": NON_NEGATIVE, "n0": POSITIVE, "scale": POSITIVE,
         "free": st.sampled_from([("P",), ("r", "r"), "q", None, ("scale", 1), ("r", "q", "scale", "x"), 3]),
         "noise_sd": outside(0.0, low_open=True, none_ok=True), "confidence": outside(0.0, 1.0, low_open=True, high_open=True),
         "bounds": st.sampled_from([{"P": (0.0, 1.0)}, {"P": (5.0, 1.0)}, {"x": (1.0, 2.0)}, [("P", (1.0, 2.0))],
                                    {"P": 3.0}, {"P": (1.0, math.inf)}, {"P": ("a", 2.0)}, "P"]),
         "flat_factor": outside(1.0, low_open=True), "horizon_days": st.one_of(outside(0.0, low_open=True, none_ok=True),
                                                                              st.just(5.0)),
         "dt": st.one_of(POSITIVE, st.just(0.7)), "reading": BAD_CHOICE, "b_placement": BAD_CHOICE},
        scalars="B K r q n0 scale noise_sd confidence flat_factor horizon_days"),
    "fit_cohort": refusal(
        cm.fit_cohort,
        {"days": STANDARD_DAYS, "counts": (STANDARD_COUNTS, STANDARD_COUNTS), "B": EQ1["B"], "K": EQ1["K"],
         "r": EQ1["r"], "q": EQ1["q"], "n0": 1.0, "scale": 1.0, "free": (), "noise_sd": None, "confidence": 0.95,
         "bounds": None, "flat_factor": 10.0, "dt": 1.0, "reading": "exact", "b_placement": "capacity"},
        {"days": st.one_of(BAD_DAYS_GRID, st.just(STANDARD_DAYS[:-1])),
         "counts": st.one_of(POSITIVE, st.sampled_from([(STANDARD_COUNTS[:-1],) * 2, STANDARD_COUNTS,
                                                        ((0.0,) + STANDARD_COUNTS[1:], STANDARD_COUNTS),
                                                        ((math.nan,) + STANDARD_COUNTS[1:],) * 2, "counts"])),
         "B": POSITIVE, "K": POSITIVE, "r": POSITIVE, "q": NON_NEGATIVE, "n0": POSITIVE, "scale": POSITIVE,
         "free": st.sampled_from([("P",), ("r", "r"), "q", None, ("scale", 1), ("r", "q", "scale", "x"), 3]),
         "noise_sd": outside(0.0, low_open=True, none_ok=True), "confidence": outside(0.0, 1.0, low_open=True, high_open=True),
         "bounds": st.sampled_from([{"P": (0.0, 1.0)}, {"P": (5.0, 1.0)}, {"x": (1.0, 2.0)}, [("P", (1.0, 2.0))],
                                    {"P": 3.0}, {"P": (1.0, math.inf)}, {"P": ("a", 2.0)}, "P"]),
         "flat_factor": outside(1.0, low_open=True), "dt": st.one_of(POSITIVE, st.just(0.7)), "reading": BAD_CHOICE,
         "b_placement": BAD_CHOICE},
        arrays="B K r q n0 scale", scalars="noise_sd confidence flat_factor dt"),
    "cohort_recovery": refusal(
        cm.cohort_recovery, {"fit": COHORT_FIT, "P_true": FIGURE_1["P"], "factor": 2.0},
        {"fit": BAD_OBJECT, "P_true": st.one_of(POSITIVE, st.just([1.0, 2.0, 3.0])), "factor": outside(1.0, low_open=True)},
        arrays="P_true", scalars="factor"),
    "clopper_pearson": refusal(
        cm.clopper_pearson, {"successes": 3, "trials": 10, "confidence": 0.95},
        {"successes": st.sampled_from([-1, 11, 1.5, 2.0, "3", None, True, math.nan, 1 + 0j, object()]), "trials": BAD_INT,
         "confidence": outside(0.0, 1.0, low_open=True, high_open=True)},
        scalars="confidence"),
    "synthetic_cohort": refusal(
        cm.synthetic_cohort,
        {"patients": 3, "rng": np.random.default_rng(0), "r": EQ1["r"], "B": EQ1["B"], "K": EQ1["K"], "n0": 1.0,
         "P_range": (1e2, 1e5), "q_range": (0.9, 1.35), "scale_decades": 0.7, "days": STANDARD_DAYS, "noise_sd": 0.3,
         "r_log_sd": 0.0, "reading": "exact"},
        {"patients": BAD_INT, "rng": st.sampled_from([1, None, "rng", np.random.RandomState(0)]), "r": POSITIVE,
         "B": POSITIVE, "K": POSITIVE, "n0": POSITIVE, "P_range": BAD_PAIR,
         "q_range": st.sampled_from([(-1.0, 1.0), (2.0, 1.0), (1.0,), "ab", None, (math.nan, 1.0), 3.0]),
         "scale_decades": NON_NEGATIVE, "days": BAD_DAYS_GRID, "noise_sd": NON_NEGATIVE, "r_log_sd": NON_NEGATIVE,
         "reading": BAD_CHOICE},
        scalars="r B K n0 scale_decades noise_sd r_log_sd"),
    # dosing
    "dose_response": refusal(
        cm.dose_response, {"n0": 1.0, **EQ1, **HORIZON},
        {"n0": POSITIVE, **EQ1_BAD, **HORIZON_BAD}, arrays="n0 r q B P K"),
    "dose_for_ceiling": refusal(
        cm.dose_for_ceiling,
        {"ceiling": 1e8, **EQ1, "clear_by_day": None, "min_n0": 1.0, "max_n0": 1e6,
         **HORIZON, "rtol": 1e-3},
        {"ceiling": POSITIVE, **EQ1_BAD,
         "clear_by_day": st.one_of(outside(0.0, 60.0, low_open=True, none_ok=True)),
         "min_n0": outside(1.0), "max_n0": st.one_of(outside(1.0, low_open=True), st.just(0.5)),
         **HORIZON_BAD, "rtol": outside(0.0, 0.1, low_open=True)},
        arrays="ceiling r q B P K", scalars="min_n0 max_n0 rtol clear_by_day"),
    "published_typical_course": refusal(
        calibration.published_typical_course, {"days": 5.0}, {"days": NON_NEGATIVE}, arrays="days"),
    "calibrate_to_tisagenlecleucel": refusal(
        calibration.calibrate_to_tisagenlecleucel, {"reading": "exact", "b_placement": "capacity", "plateau": 1.0},
        {"reading": BAD_CHOICE, "b_placement": BAD_CHOICE, "plateau": POSITIVE}, scalars="plateau"),
    "split_doses": refusal(
        cm.split_doses, {"total_n0": 300.0, "infusions": 3, "interval_days": 2.0},
        {"total_n0": POSITIVE, "infusions": st.one_of(BAD_INT, st.just(1001)), "interval_days": NON_NEGATIVE},
        scalars="total_n0 interval_days"),
    "split_schedule": refusal(
        cm.split_schedule, {"total_n0": 1e5, "infusions": 3, "interval_days": 2.0, **EQ1, **HORIZON},
        {"total_n0": POSITIVE, "infusions": st.one_of(BAD_INT, st.just(1001)),
         "interval_days": st.one_of(NON_NEGATIVE, st.just(31.0)), **EQ1_BAD, **HORIZON_BAD},
        arrays="r q B P K", scalars="total_n0 interval_days"),
    # dosing for a population
    "draw_cohort": refusal(
        population.draw_cohort, {"n_patients": 3, "seed": 1, "variability": None, **RATES, "B": FIGURE_1["B"]},
        {"n_patients": st.one_of(BAD_INT, st.just(10_000_001)), "seed": BAD_SEED,
         "variability": st.sampled_from([{"K": 0.1}, {"r": -0.1}, {"q": math.nan}, {"B": "x"}, {"P": [0.1, 0.2]},
                                         {"r": 6.0}, [0.1], "x", 0.1]),
         "r": POSITIVE, "q": NON_NEGATIVE, "B": POSITIVE, "K": POSITIVE},
        scalars="r q B K"),
    "target_attainment": refusal(
        population.target_attainment,
        {"cohort": population.draw_cohort(3, seed=1), "n0_grid": [1.0, 10.0], "P_grid": [1e3],
         "ceiling": 1e8, "clearance_level": 1.0, "clear_by_day": 42.0, **HORIZON, "chunk_size": 100},
        {"cohort": BAD_OBJECT, "n0_grid": st.one_of(BAD_VECTOR, st.just([10.0, 1.0])),
         "P_grid": st.one_of(NON_NEGATIVE, st.sampled_from([[], [[1.0, 2.0]], [1.0, math.nan]])),
         "ceiling": POSITIVE, "clearance_level": POSITIVE,
         "clear_by_day": st.one_of(outside(0.0, 60.0, low_open=True), st.just(10.5)), **HORIZON_BAD,
         "chunk_size": BAD_INT},
        scalars="ceiling clearance_level clear_by_day"),
    "lognormal_sd_from_cv": refusal(population.lognormal_sd_from_cv, {"cv": 0.3}, {"cv": NON_NEGATIVE}, arrays="cv"),
    # numbers for prose
    "sci": refusal(reporting.sci, {"value": 1.0, "digits": 3},
                   {"value": outside(), "digits": st.one_of(BAD_INT, st.sampled_from([16, 100]))},
                   scalars="value"),
    "format_cells": refusal(widgets.format_cells, {"x": 1e6}, {"x": st.sampled_from(["1e6", None, 1 + 1j, object(),
                                                                                      [1.0], True])}),
}


@settings(max_examples=examples(3000))
@given(data=st.data())
def test_bad_input_is_refused_naming_the_parameter(data):
    count_generated_call()
    spec = REFUSALS[data.draw(st.sampled_from(sorted(REFUSALS)), label="function")]
    name = data.draw(st.sampled_from(sorted(spec.bad)), label="parameter")
    bad = data.draw(spec.bad[name], label="bad value")
    valid = spec.valid[name] if name in spec.valid else None
    if name in spec.arrays and valid is not None and data.draw(st.booleans(), label="inside an array"):
        bad = [valid, bad]  # one bad element among good ones
    assert_refused(lambda: spec.call(**{**spec.valid, name: bad}), name)


VALID_WHERE_NONE = {"clear_by_day": 30.0, "horizon_days": 40.0, "noise_sd": 0.3}


@settings(max_examples=examples(300))
@given(data=st.data())
def test_arrays_where_a_scalar_is_required_are_refused(data):
    count_generated_call()
    spec = REFUSALS[data.draw(st.sampled_from(sorted(n for n, s in REFUSALS.items() if s.scalars)), label="function")]
    name = data.draw(st.sampled_from(sorted(spec.scalars)), label="parameter")
    value = spec.valid[name] if spec.valid[name] is not None else VALID_WHERE_NONE[name]
    assert_refused(lambda: spec.call(**{**spec.valid, name: [value, value]}), name)  # valid values, but two


@pytest.mark.parametrize(("function", "name"), [
    (cm.draw_peptides, "tumour_fraction"), (cm.draw_repertoire, "min_size_cells"),
    (cm.draw_repertoire, "min_affinity"), (cm.fit_power_law_exponent, "minimum"), (cm.dose_for_ceiling, "min_n0"),
])
def test_regression_arrays_for_scalars_name_the_parameter(function, name):
    # these once raised numpy's "only 0-dimensional arrays can be converted to Python scalars"
    spec = next(s for s in REFUSALS.values() if s.call is function)
    assert_refused(lambda: function(**{**spec.valid, name: [spec.valid[name]] * 2}), name)


@pytest.mark.parametrize("ranges", [{"weight_kg": (-1.0, 2.0)}, {"blood_blast_fraction": (0.5, 1.5)},
                                    {"weight_kg": ([1.0, 2.0], 3.0)}])
def test_regression_sensitivity_ranges_outside_the_field_name_ranges(ranges):
    # these once raised an error naming only the patient's field (or numpy's scalar conversion error)
    assert_refused(lambda: cm.one_at_a_time_sensitivity(PATIENT, ranges), "ranges")


@pytest.mark.parametrize("bad", ["1e6", None, True, 1 + 1j, [1.0], object()])
def test_regression_format_cells_refuses_what_is_not_a_real_number(bad):
    # str, None and complex once raised math's "must be real number, not str"; True printed as 1.00e+00
    assert_refused(lambda: widgets.format_cells(bad), "x")


# --------------------------------------------------------------------------
# valid ranges: the ALL burden estimate

PATIENTS = st.builds(cm.AllPatient, **{name: st.floats(*bounds) for name, bounds in PATIENT_FIELD_RANGES.items()})
DEFAULT_ML_PER_KG = {"man": 70.0, "woman": 65.0, "child": 77.5}  # the docstring of blood_volume_ml


@settings(max_examples=examples(400))
@given(wbc=st.one_of(st.floats(0.0, 1e4), st.lists(st.floats(0.0, 1e4), min_size=1, max_size=4)))
def test_wbc_unit_conversions_round_trip(wbc):
    count_generated_call()
    per_ul = cm.wbc_cells_per_ul_from_giga_per_l(wbc)
    assert_counts("cells per uL", per_ul)
    np.testing.assert_allclose(per_ul, np.asarray(wbc) * 1000.0, rtol=1e-15)
    np.testing.assert_allclose(cm.wbc_giga_per_l_from_cells_per_ul(per_ul), wbc, rtol=1e-15)


@settings(max_examples=examples(400))
@given(weight=st.floats(0.5, 300.0), group=st.sampled_from(sorted(DEFAULT_ML_PER_KG)),
       ml_per_kg=st.one_of(st.none(), st.floats(40.0, 120.0)), height=st.floats(0.3, 3.0),
       sex=st.sampled_from(["man", "woman"]))
def test_blood_volumes(weight, group, ml_per_kg, height, sex):
    count_generated_call()
    volume = float(cm.blood_volume_ml(weight, group=group, ml_per_kg=ml_per_kg))
    assert volume == pytest.approx(weight * (ml_per_kg or DEFAULT_ML_PER_KG[group]), rel=1e-12)
    nadler = cm.nadler_blood_volume_ml([height, height, height * 0.9], [weight, weight * 1.1, weight], sex=sex)
    assert_counts("Nadler blood volume", nadler)
    assert nadler[1] > nadler[0] > nadler[2]  # more weight, more blood; less height, less blood


@settings(max_examples=examples(500))
@given(weight=st.floats(0.5, 300.0), cellularity=st.floats(0.0, 1.0), infiltration=st.floats(0.0, 1.0),
       cells_per_kg=log_uniform(1e9, 1e11), wbc=log_uniform(1e-3, 1e3), fraction=st.floats(0.0, 1.0),
       volume=st.floats(50.0, 2e4), age=st.floats(0.0, 100.0), normal=st.floats(0.05, 1.0))
def test_blasts_in_marrow_and_blood(weight, cellularity, infiltration, cells_per_kg, wbc, fraction, volume, age,
                                    normal):
    count_generated_call()
    nucleated = float(cm.marrow_nucleated_cells(weight, cells_per_kg=cells_per_kg))
    marrow = float(cm.marrow_blasts(weight_kg=weight, cellularity_fraction=cellularity,
                                    infiltration_fraction=infiltration, normal_cellularity_fraction=normal,
                                    cells_per_kg=cells_per_kg))
    assert_counts("marrow blasts", [nucleated, marrow])
    # no more blasts than the marrow's cells, which are the normal count scaled by cellularity / normal
    assert marrow <= nucleated * cellularity / normal * (1 + 1e-12)
    blood = float(cm.circulating_blasts(wbc_giga_per_l=wbc, blast_fraction=fraction, blood_volume_ml=volume))
    same = float(cm.circulating_blasts(wbc_cells_per_ul=wbc * 1000.0, blast_fraction=fraction, blood_volume_ml=volume))
    assert_counts("circulating blasts", blood)
    assert blood == pytest.approx(same, rel=1e-12)
    assert blood <= wbc * 1e9 * volume / 1000.0 * (1 + 1e-12)  # no more blasts than white cells in the blood
    total = float(cm.total_blasts(blood, marrow))
    assert total == blood + marrow and total >= max(blood, marrow)
    share = float(cm.normal_cellularity_fraction(age))
    assert 0.0 <= share <= 1.0
    assert float(cm.normal_cellularity_fraction(min(age + 1.0, 100.0))) <= share


@settings(max_examples=examples(400))
@given(blasts=st.one_of(st.just(0.0), log_uniform(1.0, 1e13)), density=st.floats(0.0, 1e6),
       reference=log_uniform(1e6, 1e20))
def test_antigen_burden_and_P_round_trip(blasts, density, reference):
    count_generated_call()
    antigen = float(cm.antigen_burden_molecules(blasts, molecules_per_blast=density))
    P = float(cm.p_from_antigen(antigen, reference_antigen_molecules=reference))
    assert_counts("antigen and P", [antigen, P])
    assert antigen == pytest.approx(blasts * density, rel=1e-15)
    assert float(cm.antigen_from_p(P, reference_antigen_molecules=reference)) == pytest.approx(antigen, rel=1e-12)


@settings(max_examples=examples(300))
@given(patient=PATIENTS, heavier=st.floats(1.0, 2.0))
def test_estimate_burden_for_any_patient(patient, heavier):
    count_generated_call()
    estimate = cm.estimate_burden(patient)
    for name in ("blood_volume_ml", "circulating_blasts", "marrow_blasts", "total_blasts", "antigen_molecules"):
        assert_counts(name, getattr(estimate, name))
    assert float(estimate.total_blasts) == pytest.approx(float(estimate.circulating_blasts + estimate.marrow_blasts),
                                                         rel=1e-15)
    assert 0.0 <= float(estimate.marrow_share) <= 1.0
    assert_counts("P", estimate.P())
    rebuilt = cm.AllPatient(**{name: float(getattr(patient, name)) for name in PATIENT_FIELD_RANGES})  # plain floats in
    assert float(cm.estimate_burden(rebuilt).antigen_molecules) == float(estimate.antigen_molecules)
    both = cm.estimate_burden(patient.replace(weight_kg=[float(patient.weight_kg), heavier * float(patient.weight_kg)]))
    assert both.total_blasts.shape == (2,) and both.total_blasts[1] >= both.total_blasts[0]  # weight scales the blasts


SENSITIVITY_RANGES = st.dictionaries(
    st.sampled_from(sorted(PATIENT_FIELD_RANGES)),
    st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)),
    min_size=1, max_size=4,
).map(lambda ranges: {
    name: tuple(max(low + u * (high - low), 1e-3 if name in ("weight_kg", "wbc_giga_per_l") else low)
                for u in pair)
    for name, pair in ranges.items() for low, high in [PATIENT_FIELD_RANGES[name]]
})


@settings(max_examples=examples(200))
@given(patient=PATIENTS, ranges=SENSITIVITY_RANGES, output=st.sampled_from(typing.get_args(bd.SensitivityOutput)))
def test_one_at_a_time_sensitivity(patient, ranges, output):
    count_generated_call()
    bars = cm.one_at_a_time_sensitivity(patient, ranges, output=output)
    assert sorted(bar.name for bar in bars) == sorted(ranges)
    baseline = float(getattr(cm.estimate_burden(patient), output))
    folds = [bar.fold_range for bar in bars]
    assert folds == sorted(folds, reverse=True) and all(fold >= 1 for fold in folds)
    for bar in bars:
        assert bar.baseline == baseline
        assert_counts("sensitivity outputs", [bar.low_output, bar.high_output])
        assert (bar.low_input, bar.high_input) == ranges[bar.name]


@settings(max_examples=100)
@given(patient=PATIENTS, group=st.sampled_from(["child", "adult"]), state=st.sampled_from(["relapse", "near MRD"]))
def test_tornado_ranges_feed_the_sensitivity_analysis(patient, group, state):
    count_generated_call()
    ranges = bd.tornado_ranges(patient, group=group, state=state)
    for name, (low, high) in ranges.items():
        assert 0 <= low <= high, (name, low, high)
        assert high <= 1 or not name.endswith("_fraction"), (name, high)
    # every range is valid input of the analysis, which varies exactly these inputs
    bars = cm.one_at_a_time_sensitivity(patient, ranges)
    assert sorted(bar.name for bar in bars) == sorted(ranges)
    assert ("normal_cellularity_fraction" in ranges) == (state == "relapse")


@settings(max_examples=200)
@given(patient=PATIENTS, rate=st.floats(0.0, 3.0), days=st.lists(st.floats(0.0, 400.0), min_size=1, max_size=5))
def test_marrow_blast_share(patient, rate, days):
    count_generated_call()
    share = bd.marrow_blast_share(patient, rate, np.sort(days))
    assert_counts("share", share)
    assert np.all(share <= 1.0) and np.all(np.diff(share) <= 1e-12)  # falls (or stays) with time
    start = float(bd.marrow_blast_share(patient, rate, 0.0))
    assert math.isclose(start, float(patient.marrow_infiltration_fraction), rel_tol=1e-12, abs_tol=1e-15)


# --------------------------------------------------------------------------
# valid ranges: Equation 2 repertoires

SEEDS = st.integers(0, 2**32 - 1)
EXPONENTS = st.floats(rp.MIN_SAMPLING_EXPONENT, 4.0)
RATE_R = st.floats(0.1, 3.0)  # the widgets' slider ranges, which cover the chapters' values
RATE_Q = st.floats(0.0, 2.5)
SCALE_K = log_uniform(1e2, 1e8)


def range_strategy(low: float, high: float) -> st.SearchStrategy[tuple[float, float]]:
    return st.tuples(log_uniform(low, high), log_uniform(1.0, 1e4)).map(lambda pair: (pair[0], pair[0] * pair[1]))


@settings(max_examples=examples(200))
@given(n=st.integers(1, 200), seed=SEEDS, ic50=range_strategy(1e-2, 1e3), expression=range_strategy(1e-3, 1e3),
       fraction=st.floats(0.0, 1.0))
def test_draw_peptides(n, seed, ic50, expression, fraction):
    count_generated_call()
    library = cm.draw_peptides(n, seed=seed, ic50_range_nm=ic50, expression_range=expression, tumour_fraction=fraction)
    assert library.n_peptides == n and library.tumour.dtype == bool
    assert_counts("ic50", library.ic50_nm)
    assert np.all(library.ic50_nm >= ic50[0] * (1 - 1e-12)) and np.all(library.ic50_nm <= ic50[1] * (1 + 1e-12))
    assert np.all(library.expression >= expression[0] * (1 - 1e-12))
    assert np.all(library.expression <= expression[1] * (1 + 1e-12))
    assert int(library.tumour.sum()) == round(fraction * n)
    np.testing.assert_allclose(library.affinity * library.ic50_nm, 1.0, rtol=1e-15)
    again = cm.draw_peptides(n, seed=seed, ic50_range_nm=ic50, expression_range=expression, tumour_fraction=fraction)
    assert np.array_equal(again.ic50_nm, library.ic50_nm) and np.array_equal(again.tumour, library.tumour)


@settings(max_examples=examples(200))
@given(n=st.integers(1, 300), seed=SEEDS, size_exponent=EXPONENTS, min_size=log_uniform(1e-2, 1e3),
       affinity_exponent=EXPONENTS, min_affinity=log_uniform(1e-4, 1.0), n_peptides=st.integers(1, 50))
def test_draw_repertoire(n, seed, size_exponent, min_size, affinity_exponent, min_affinity, n_peptides):
    count_generated_call()
    repertoire = cm.draw_repertoire(n, seed=seed, size_exponent=size_exponent, min_size_cells=min_size,
                                    affinity_exponent=affinity_exponent, min_affinity=min_affinity,
                                    n_peptides=n_peptides)
    assert repertoire.n_clones == n and repertoire.peptides.n_peptides == n_peptides
    assert_counts("sizes", repertoire.sizes)
    assert_counts("affinities", repertoire.affinity)
    assert np.all(repertoire.sizes >= min_size) and np.all(repertoire.affinity >= min_affinity)
    assert np.all((repertoire.peptide >= 0) & (repertoire.peptide < n_peptides))
    assert_counts("frequencies", repertoire.frequencies)
    assert repertoire.frequencies.sum() == pytest.approx(1.0, rel=1e-12)
    # the classes accept what the sampler made (and refuse nothing valid)
    library = cm.PeptideLibrary(ic50_nm=repertoire.peptides.ic50_nm, expression=repertoire.peptides.expression,
                                tumour=repertoire.peptides.tumour)
    copy = cm.Repertoire(sizes=repertoire.sizes, affinity=repertoire.affinity, peptide=repertoire.peptide,
                         peptides=library)
    assert np.array_equal(copy.tumour_directed, repertoire.tumour_directed)
    np.testing.assert_array_equal(copy.peptide_affinity, 1.0 / library.ic50_nm[repertoire.peptide])


def small_repertoire(seed: int, n_clones: int, tumour_fraction: float) -> cm.Repertoire:
    peptides = cm.draw_peptides(20, seed=seed, tumour_fraction=tumour_fraction)
    return cm.draw_repertoire(n_clones, seed=seed, peptides=peptides)


REPERTOIRE_HORIZONS = st.sampled_from([(10, 1.0), (30, 1.0), (60, 1.0), (60, 0.5), (365, 1.0)])


@settings(max_examples=examples(200))
# a tumour growing 2.4 per day faster than the T cells for a year: exp(876) once overflowed with a warning
@example(seed=1, n=20, fraction=0.5, K=1e6, r=0.1, q=2.5, horizon=(365, 1.0), tumour_term=True, reading="exact")
@given(seed=SEEDS, n=st.integers(1, 60), fraction=st.floats(0.0, 1.0), K=SCALE_K, r=RATE_R, q=RATE_Q,
       horizon=REPERTOIRE_HORIZONS, tumour_term=st.booleans(), reading=st.sampled_from(cm.READINGS))
def test_clone_capacity_and_expand_repertoire(seed, n, fraction, K, r, q, horizon, tumour_term, reading):
    count_generated_call()
    repertoire = small_repertoire(seed, n, fraction)
    days, dt = horizon
    settings_ = dict(K=K, r=r, q=q, tumour_term=tumour_term)
    try:
        run = cm.expand_repertoire(repertoire, days=days, dt=dt, reading=reading, **settings_)
    except ValueError as error:  # the documented refusal: a capacity beyond float64's safe range
        assert "1e300" in str(error) and tumour_term and q > r
        with pytest.raises(ValueError, match="1e300"):
            cm.clone_capacity(repertoire, [0.0, float(days)], **settings_)
        return
    assert run.cells.shape == run.capacity.shape == (n, round(days / dt) + 1)
    assert_counts("clone cells", run.cells)
    assert np.all(run.cells > 0)
    np.testing.assert_array_equal(run.cells[:, 0], repertoire.sizes)
    capacity = cm.clone_capacity(repertoire, run.t, **settings_)
    assert_counts("clone capacity", capacity)
    np.testing.assert_allclose(capacity, run.capacity, rtol=1e-12)
    for share in (run.tumour_share, run.alloreactive_share):
        assert np.all((share >= 0) & (share <= 1 + 1e-12))
    np.testing.assert_allclose(run.tumour_cells + run.alloreactive_cells, run.cells.sum(axis=0), rtol=1e-12)


@settings(max_examples=examples(150))
@given(seed=SEEDS, n=st.integers(1, 40), fraction=st.floats(0.0, 1.0), K=SCALE_K, r=RATE_R, q=RATE_Q,
       horizon=REPERTOIRE_HORIZONS, tumour_term=st.booleans(), reading=st.sampled_from(cm.READINGS), data=st.data())
def test_expand_clones_runs_the_chosen_clones(seed, n, fraction, K, r, q, horizon, tumour_term, reading, data):
    count_generated_call()
    repertoire = small_repertoire(seed, n, fraction)
    clones = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=20), label="clones")
    n0 = data.draw(st.lists(log_uniform(1e-3, 1e6), min_size=len(clones), max_size=len(clones)), label="n0")
    presented = np.array(data.draw(st.lists(st.booleans(), min_size=len(clones), max_size=len(clones)),
                                   label="presented"))
    days, dt = horizon
    settings_ = dict(K=K, r=r, q=q, days=days, dt=dt, tumour_term=tumour_term, reading=reading)
    try:
        whole = cm.expand_repertoire(repertoire, **settings_)
    except ValueError as error:  # the documented refusal: a capacity beyond float64's safe range
        assert "1e300" in str(error) and tumour_term and q > r
        return
    run = cm.expand_clones(repertoire, clones, n0, presented=presented, **settings_)
    assert run.cells.shape == run.capacity.shape == (len(clones), round(days / dt) + 1)
    assert_counts("clone cells", run.cells)
    np.testing.assert_array_equal(run.cells[:, 0], n0)
    np.testing.assert_array_equal(run.tumour_directed, repertoire.tumour_directed[clones])
    # a clone whose peptide is not presented has nothing to expand on: it stays where it started
    held = run.cells[~presented]
    np.testing.assert_allclose(held, np.broadcast_to(np.array(n0)[~presented, None], held.shape), rtol=1e-12)
    # a presented clone grows towards its own capacity, as clone_capacity gives it
    capacity = cm.clone_capacity(repertoire, run.t, K=K, r=r, q=q, tumour_term=tumour_term)[clones]
    np.testing.assert_allclose(run.capacity[presented], capacity[presented], rtol=1e-12)
    # started from their own sizes, the chosen clones are the repertoire's rows
    own = cm.expand_clones(repertoire, clones, repertoire.sizes[clones], **settings_)
    np.testing.assert_allclose(own.cells, whole.cells[clones], rtol=1e-12)


@settings(max_examples=examples(150))
@given(seed=SEEDS, n=st.integers(1, 60), fraction=st.floats(0.0, 1.0), K=SCALE_K, r=RATE_R, q=RATE_Q,
       horizon=REPERTOIRE_HORIZONS, tumour_term=st.booleans(), reading=st.sampled_from(cm.READINGS),
       shares=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6))
def test_sweep_tumour_fraction(seed, n, fraction, K, r, q, horizon, tumour_term, reading, shares):
    count_generated_call()
    repertoire = small_repertoire(seed, n, fraction)
    days, dt = horizon
    settings_ = dict(K=K, r=r, q=q, tumour_term=tumour_term, days=days, dt=dt, reading=reading)
    own = float(repertoire.peptides.tumour.mean())
    try:
        sweep = cm.sweep_tumour_fraction(repertoire, [*shares, own], seed=seed, **settings_)
    except ValueError as error:  # the documented refusal: a capacity beyond float64's safe range
        assert "1e300" in str(error) and tumour_term and q > r
        return
    steps = round(days / dt) + 1
    assert sweep.tumour_cells.shape == sweep.alloreactive_cells.shape == (len(shares) + 1, steps)
    assert_counts("swept cells", [sweep.tumour_cells, sweep.alloreactive_cells])
    # the repertoire's own share is the repertoire as drawn
    run = cm.expand_repertoire(repertoire, **settings_)
    np.testing.assert_allclose(sweep.tumour_cells[-1], run.tumour_cells, rtol=1e-12)
    np.testing.assert_allclose(sweep.alloreactive_cells[-1], run.alloreactive_cells, rtol=1e-12)
    ratio = sweep.alloreactive_over_tumour
    assert np.all((ratio >= 0) | np.isnan(ratio))


@settings(max_examples=examples(300))
@given(sizes=st.lists(log_uniform(1e-6, 1e12), min_size=1, max_size=50))
def test_rank_frequency(sizes):
    count_generated_call()
    rank, frequency = cm.rank_frequency(sizes)
    assert np.array_equal(rank, np.arange(1, len(sizes) + 1))
    assert_counts("frequency", frequency)
    assert np.all(np.diff(frequency) <= 0) and frequency.sum() == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_allclose(frequency * sum(sizes), sorted(sizes, reverse=True), rtol=1e-12)


@settings(max_examples=examples(300))
@given(values=st.lists(log_uniform(1e-3, 1e6), min_size=2, max_size=50), factor=log_uniform(1e-3, 1e3))
def test_fit_power_law_exponent(values, factor):
    count_generated_call()
    minimum = min(values)
    if max(values) == minimum:  # every value at the minimum: no slope to read
        assert_refused(lambda: cm.fit_power_law_exponent(values, minimum=minimum), "minimum")
        return
    fit = cm.fit_power_law_exponent(values, minimum=minimum)
    n = len(values)
    expected = 1.0 + n / sum(math.log(v / minimum) for v in values)  # the estimator, written out
    assert fit.exponent == pytest.approx(expected, rel=1e-9) and fit.n_tail == n and fit.minimum == minimum
    assert math.isfinite(fit.standard_error) and fit.standard_error == pytest.approx((expected - 1) / math.sqrt(n))
    if max(values) > 1.01 * minimum:  # (for values within rounding of each other the estimate is all noise)
        scaled = cm.fit_power_law_exponent([v * factor for v in values], minimum=minimum * factor)
        assert scaled.exponent == pytest.approx(fit.exponent, rel=1e-6)  # a power law has no scale


# --------------------------------------------------------------------------
# valid ranges: the response to donor lymphocyte infusions

PROBABILITY = st.floats(0.0, 1.0)


@settings(max_examples=examples(500))
@given(rho_p=PROBABILITY, rho_t=PROBABILITY, n=st.integers(0, 200))
def test_response_probabilities(rho_p, rho_t, n):
    count_generated_call()
    rho_r = float(cm.response_probability(rho_p, rho_t))
    assert 0.0 <= rho_r <= min(rho_p, rho_t) and rho_r == pytest.approx(rho_p * rho_t, rel=1e-15)
    after = cm.cumulative_response_probability(rho_r, [n, n + 1])
    assert_counts("cumulative probability", after)
    assert np.all(after <= 1.0) and after[1] >= after[0]
    assert after[0] == pytest.approx(1.0 - (1.0 - rho_r) ** n, abs=1e-12)
    assert float(cm.cumulative_response_probability(rho_r, 0)) == 0.0
    assert float(cm.cumulative_response_probability(rho_r, 1)) == pytest.approx(rho_r, abs=1e-15)


@settings(max_examples=examples(500))
@example(frequency=5e-324, rho_t=0.5, dose=1.0)  # a dose beyond float64's range: refused, not inf with a warning
@given(frequency=st.floats(0.0, 1.0, exclude_min=True, exclude_max=True), rho_t=st.floats(0.0, 1.0, exclude_max=True),
       dose=st.one_of(st.floats(0.0, 1e12), st.integers(0, 10**6).map(float)))
def test_capture_probability_and_dose_for_capture(frequency, rho_t, dose):
    count_generated_call()
    captured = cm.capture_probability(frequency, [dose, 2.0 * dose])
    assert_counts("capture probability", captured)
    assert np.all(captured <= 1.0) and captured[1] >= captured[0]
    try:
        needed = float(cm.dose_for_capture(frequency, rho_t))
    except ValueError as error:  # only for clones so rare that the dose exceeds float64's range
        assert "frequency" in str(error) and frequency < 1e-300
        return
    assert_counts("dose for capture", needed)
    assert float(cm.capture_probability(frequency, needed)) == pytest.approx(rho_t, abs=1e-9)


@settings(max_examples=examples(150))
@given(seed=SEEDS, n=st.integers(1, 60), fraction=st.floats(0.0, 1.0), response_cells=log_uniform(1.0, 1e6),
       dose=st.integers(1, 10**4), rho_p=PROBABILITY, patients=st.integers(1, 40), infusions=st.integers(1, 4),
       presentation=st.sampled_from(response.PRESENTATION_MODES), days=st.sampled_from([10, 30, 60]),
       K=SCALE_K, r=RATE_R, q=RATE_Q)
def test_relevant_clones_and_dli_trial(seed, n, fraction, response_cells, dose, rho_p, patients, infusions,
                                       presentation, days, K, r, q):
    count_generated_call()
    repertoire = small_repertoire(seed, n, fraction)
    settings_ = dict(K=K, r=r, q=q, days=days)
    relevant = cm.relevant_clones(repertoire, response_cells=response_cells, **settings_)
    assert relevant.shape == (n,) and relevant.dtype == bool
    assert not np.any(relevant & ~repertoire.tumour_directed)
    stricter = cm.relevant_clones(repertoire, response_cells=10 * response_cells, **settings_)
    assert not np.any(stricter & ~relevant)  # a higher bar keeps a subset
    trial = cm.simulate_dli_trial(repertoire, dose_cells=dose, rho_p=rho_p, patients=patients, seed=seed,
                                  infusions=infusions, presentation=presentation, response_cells=response_cells,
                                  **settings_)
    assert trial.responded.shape == (patients,) and trial.presented.shape == (patients, infusions)
    assert trial.captured.shape == (patients, infusions)
    for value in (trial.rate, trial.expected, trial.rho_t, trial.standard_error):
        assert math.isfinite(value) and 0.0 <= value <= 1.0
    assert not np.any(trial.responded & ~trial.presented.any(axis=1))  # no response without presentation
    if rho_p == 0.0:
        assert trial.rate == 0.0
    if not relevant.any():
        assert trial.rho_t == 0.0 and not trial.captured.any()


# --------------------------------------------------------------------------
# valid ranges: reading the burden from counts

AFFINITY_B = log_uniform(1e-2, 10.0)  # 1 / IC50 over the widgets' 0.1 to 100 nM
BURDEN_P = st.one_of(st.just(0.0), log_uniform(1e-2, 1e8))
DOSE = log_uniform(1e-3, 1e6)


@settings(max_examples=examples(300))
@given(r=RATE_R, q=st.floats(1e-3, 2.5), B=AFFINITY_B, P=log_uniform(1e-2, 1e8), K=SCALE_K, n0=DOSE,
       scale=log_uniform(1e-3, 1e3), noise_sd=st.one_of(st.just(0.0), st.floats(0.0, 3.0)),
       days=st.lists(st.integers(0, 60), min_size=1, max_size=8, unique=True).map(sorted), seed=SEEDS,
       reading=st.sampled_from(cm.READINGS), placement=st.sampled_from(cm.B_PLACEMENTS))
def test_sample_counts_and_log_sensitivities(r, q, B, P, K, n0, scale, noise_sd, days, seed, reading, placement):
    count_generated_call()
    eq1 = dict(r=r, q=q, B=B, P=P, K=K, n0=n0, reading=reading, b_placement=placement)
    counts = cm.sample_counts(days, **eq1, scale=scale, noise_sd=noise_sd, rng=np.random.default_rng(seed))
    assert counts.shape == (len(days),)
    assert_counts("sampled counts", counts)
    assert np.all(counts > 0)
    if noise_sd == 0.0:
        clean = cm.simulate(**eq1, days=max(days[-1], 1), dt=1.0).car_t[days]
        np.testing.assert_allclose(counts, scale * clean, rtol=1e-12)
    t, elasticity = cm.log_sensitivities(**eq1, days=60)
    assert sorted(elasticity) == ["P", "q", "r", "scale"]
    for name, values in elasticity.items():
        assert values.shape == t.shape and np.all(np.isfinite(values)), name
    assert np.all(elasticity["scale"] == 1.0)
    for name in ("P", "r", "q"):
        assert elasticity[name][0] == 0.0  # the dose alone sets the count on day 0


FREE_SETS = st.sampled_from([(), ("scale",), ("q",), ("q", "scale"), ("r", "q")])


@settings(max_examples=examples(60))
@given(P=log_uniform(10.0, 1e5), q=st.floats(0.8, 1.4), noise_sd=st.one_of(st.just(0.0), st.floats(0.05, 0.5)),
       free=FREE_SETS, known_noise=st.booleans(), seed=SEEDS)
def test_fit_burden_reads_a_burden(P, q, noise_sd, free, known_noise, seed):
    count_generated_call()
    truth = dict(B=FIGURE_1["B"], K=FIGURE_1["K"], n0=1.0)
    counts = cm.sample_counts(STANDARD_DAYS, r=FIGURE_1["r"], q=q, P=P, **truth, noise_sd=noise_sd,
                              rng=np.random.default_rng(seed))
    given_noise = max(noise_sd, 0.05) if known_noise else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = cm.fit_burden(STANDARD_DAYS, counts, **truth, r=FIGURE_1["r"], q=1.1 if "q" in free else q, free=free,
                            noise_sd=given_noise, horizon_days=40)
    # the one documented warning, at most once; nothing else (no overflow, no scipy complaint)
    assert all(issubclass(w.category, cm.IdentifiabilityWarning) for w in caught), [str(w.message) for w in caught]
    assert len(caught) <= 1 and bool(caught) == (not all(fit.identifiable.values()))
    low, high = fitting.DEFAULT_BOUNDS["P"]
    assert math.isfinite(fit.P) and low * (1 - 1e-9) <= fit.P <= high * (1 + 1e-9)
    assert fit.P_interval[0] <= fit.P * (1 + 1e-9) and fit.P <= fit.P_interval[1] * (1 + 1e-9)
    assert all(math.isfinite(value) and value > 0 for value in fit.estimates.values())
    assert math.isfinite(fit.noise_sd) and fit.noise_sd >= 0 and fit.rss >= 0
    assert np.all(np.isfinite(fit.residuals)) and np.all(np.isfinite(fit.profile_rss))
    assert_counts("fitted trajectory", fit.fitted.car_t)
    assert fit.fitted.t[-1] == 40.0
    if noise_sd == 0.0 and free == ():  # exact counts and the right model: the burden comes back
        assert fit.P == pytest.approx(P, rel=1e-3)


@settings(max_examples=examples(12))
@given(P=st.lists(log_uniform(10.0, 1e5), min_size=1, max_size=3), q=st.floats(0.8, 1.4),
       noise_sd=st.floats(0.05, 0.5), free=st.sampled_from([(), ("scale",), ("q", "scale")]), known_noise=st.booleans(),
       seed=SEEDS)
def test_fit_cohort_reaches_fit_burdens_minimum(P, q, noise_sd, free, known_noise, seed):
    count_generated_call()
    truth = dict(B=FIGURE_1["B"], K=FIGURE_1["K"], n0=1.0)
    days = tuple(range(1, 29)) if "q" in free else STANDARD_DAYS
    counts = cm.sample_counts(days, r=FIGURE_1["r"], q=q, P=np.array(P), **truth, noise_sd=noise_sd,
                              rng=np.random.default_rng(seed))
    given_noise = noise_sd if known_noise else None
    start = {"r": FIGURE_1["r"], "q": 1.1 if "q" in free else q}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        batched = cm.fit_cohort(days, counts, **truth, **start, free=free, noise_sd=given_noise)
        single = [cm.fit_burden(days, row, **truth, **start, free=free, noise_sd=given_noise) for row in counts]
    assert all(issubclass(w.category, cm.IdentifiabilityWarning) for w in caught), [str(w.message) for w in caught]
    assert batched.P.shape == (len(P),) and batched.free == single[0].free
    for i, fit in enumerate(single):
        # never a worse minimum than the one-patient fit, and the same one up to the optimisers' tolerance
        assert batched.rss[i] <= fit.rss * (1 + 1e-9) + 1e-12
        assert batched.rss[i] == pytest.approx(fit.rss, rel=1e-6, abs=1e-12)
        low, high = batched.P_interval[i]
        assert low <= batched.P[i] * (1 + 1e-9) and batched.P[i] <= high * (1 + 1e-9)
        assert math.isfinite(batched.noise_sd[i]) and batched.noise_sd[i] > 0
    assert np.all(batched.rss_cutoff > batched.rss)


@settings(max_examples=examples(200))
@given(trials=st.integers(1, 5000), share=st.floats(0.0, 1.0), confidence=st.floats(0.5, 0.999))
def test_clopper_pearson_leaves_half_the_error_in_each_tail(trials, share, confidence):
    count_generated_call()
    successes = int(round(share * trials))
    low, high = cm.clopper_pearson(successes, trials, confidence)
    alpha = 1 - confidence
    assert 0.0 <= low <= successes / trials <= high <= 1.0
    if successes > 0:
        assert stats_binom_tail(successes, trials, low, upper=True) == pytest.approx(alpha / 2, rel=1e-6)
    else:
        assert low == 0.0
    if successes < trials:
        assert stats_binom_tail(successes, trials, high, upper=False) == pytest.approx(alpha / 2, rel=1e-6)
    else:
        assert high == 1.0
    wider = cm.clopper_pearson(successes, trials, min(confidence + 0.0005, 0.9995))
    assert wider[0] <= low and high <= wider[1]


def stats_binom_tail(successes: int, trials: int, p: float, *, upper: bool) -> float:
    from scipy import stats

    return float(stats.binom.sf(successes - 1, trials, p) if upper else stats.binom.cdf(successes, trials, p))


@settings(max_examples=examples(30))
@given(patients=st.integers(1, 40), seed=SEEDS, r_log_sd=st.sampled_from([0.0, 0.05, 0.3]),
       reading=st.sampled_from(["exact", "closed", "literal"]), noise_sd=st.sampled_from([0.0, 0.3]))
def test_synthetic_cohort_draws_within_its_ranges(patients, seed, r_log_sd, reading, noise_sd):
    count_generated_call()
    cohort = cm.synthetic_cohort(patients, rng=np.random.default_rng(seed), r=FIGURE_1["r"], B=FIGURE_1["B"],
                                 K=FIGURE_1["K"], days=STANDARD_DAYS, noise_sd=noise_sd, r_log_sd=r_log_sd,
                                 reading=reading)
    assert cohort.size == patients and cohort.counts.shape == (patients, len(STANDARD_DAYS))
    assert np.all((1e2 <= cohort.P) & (cohort.P <= 1e5)) and np.all((0.9 <= cohort.q) & (cohort.q <= 1.35))
    assert np.all(np.abs(np.log10(cohort.scale)) <= 0.7) and np.all(cohort.r > 0)
    assert np.all(cohort.r == FIGURE_1["r"]) == (r_log_sd == 0.0 or patients == 0)
    assert_counts("counts", cohort.counts)
    if noise_sd == 0.0:
        run = cm.simulate(r=cohort.r, q=cohort.q, B=FIGURE_1["B"], P=cohort.P, K=FIGURE_1["K"], days=28, reading=reading)
        expected = cohort.scale[:, None] * run.car_t[:, [int(d) for d in STANDARD_DAYS]]
        np.testing.assert_allclose(cohort.counts, expected, rtol=1e-12)


@settings(max_examples=examples(100))
@given(P_true=st.lists(log_uniform(1.0, 1e6), min_size=2, max_size=2), factor=st.floats(1.01, 100.0))
def test_cohort_recovery_counts_the_patients(P_true, factor):
    count_generated_call()
    recovery = cm.cohort_recovery(COHORT_FIT, P_true, factor)
    truth = np.array(P_true)
    within = [abs(math.log(COHORT_FIT.P[i] / truth[i])) <= math.log(factor) for i in range(2)]
    covered = [COHORT_FIT.P_interval[i, 0] <= truth[i] <= COHORT_FIT.P_interval[i, 1] for i in range(2)]
    assert (recovery.patients, recovery.within, recovery.covered) == (2, sum(within), sum(covered))
    assert recovery.warned == int(np.sum(~COHORT_FIT.pinned_down)) and recovery.factor == factor
    assert 0.0 <= recovery.within_rate <= 1.0 and 0.0 <= recovery.coverage <= 1.0
    assert recovery == COHORT_FIT.recovery(P_true, factor)


# --------------------------------------------------------------------------
# valid ranges: dosing


HORIZONS = st.sampled_from([(30, 1.0), (60, 1.0), (60, 0.5), (120, 1.0)])


@settings(max_examples=examples(300))
@given(dose=DOSE, P=BURDEN_P, B=AFFINITY_B, r=RATE_R, q=RATE_Q, K=SCALE_K, horizon=HORIZONS,
       reading=st.sampled_from(cm.READINGS), placement=st.sampled_from(cm.B_PLACEMENTS))
def test_dose_response_agrees_with_simulate(dose, P, B, r, q, K, horizon, reading, placement):
    count_generated_call()
    days, dt = horizon
    common = dict(P=P, B=B, r=r, q=q, K=K, days=days, dt=dt, reading=reading, b_placement=placement)
    doses = np.array([dose, 10.0 * dose])
    try:
        grid = cm.dose_response(n0=doses, **common)
    except ValueError as error:  # the documented refusal of simulate, for the same reason
        assert "1e300" in str(error) and q > r
        with pytest.raises(ValueError, match="1e300"):
            cm.simulate(n0=doses, **common)
        return
    for name in ("peak", "peak_day", "final"):
        assert_counts(name, getattr(grid, name))
    assert np.all(grid.peak >= doses)
    run = cm.simulate(n0=doses, **common)
    np.testing.assert_allclose(grid.peak, run.peak, rtol=1e-12)
    np.testing.assert_allclose(grid.final, run.final, rtol=1e-12)
    np.testing.assert_array_equal(grid.clearance_day, run.clearance_day)
    if reading == "exact":
        assert grid.peak[1] >= grid.peak[0]  # a larger dose never peaks lower


@settings(max_examples=examples(120))
@given(ceiling=log_uniform(1e5, 1e11), P=BURDEN_P, B=AFFINITY_B, r=RATE_R, q=RATE_Q,
       clear_by=st.sampled_from([None, 21.0, 42.0, 60.0]))
def test_dose_for_ceiling(ceiling, P, B, r, q, clear_by):
    count_generated_call()
    low, high = dosing.EXAMPLE_N0_RANGE
    result = cm.dose_for_ceiling(ceiling=[ceiling, 10.0 * ceiling], P=P, B=B, r=r, q=q, K=FIGURE_1["K"],
                                 clear_by_day=clear_by, rtol=1e-3)
    assert_counts("dose", result.n0)
    assert_counts("peak", result.peak)
    for i in range(2):
        if result.feasible[i]:
            assert low <= result.n0[i] <= high * (1 + 1e-12)
            assert result.peak[i] <= [ceiling, 10.0 * ceiling][i] * (1 + 1e-12)
            assert result.reason[i] == ""
        else:
            assert result.n0[i] == 0.0 and result.reason[i] != ""
    if result.feasible.all():
        assert result.n0[1] >= result.n0[0]  # a higher ceiling allows at least the same dose
    single = cm.dose_for_ceiling(ceiling=ceiling, P=P, B=B, r=r, q=q, K=FIGURE_1["K"], clear_by_day=clear_by,
                                 rtol=1e-3)
    assert single.n0_or_none() == (float(result.n0[0]) if result.feasible[0] else None)


@settings(max_examples=examples(40))
@given(n=st.integers(1, 6), seed=SEEDS, spread=st.floats(0.0, 0.5), n_dose=st.integers(1, 5),
       n_burden=st.integers(1, 4), top=st.floats(0.0, 8.0), ceiling=log_uniform(1e5, 1e11),
       clear_by_day=st.sampled_from([1.0, 21.0, 60.0]), level=log_uniform(1e-3, 1e3), cv=st.floats(0.0, 10.0))
def test_draw_cohort_and_target_attainment(n, seed, spread, n_dose, n_burden, top, ceiling, clear_by_day, level, cv):
    count_generated_call()
    sd = float(population.lognormal_sd_from_cv(cv))
    assert sd >= 0 and math.sqrt(math.expm1(sd**2)) == pytest.approx(cv, rel=1e-9, abs=1e-12)
    cohort = population.draw_cohort(n, seed=seed, variability=dict.fromkeys(("r", "q", "B", "P"), spread))
    for name in ("r", "q", "B", "K", "burden_factor"):
        values = getattr(cohort, name)
        assert values.shape == (n,) and np.all(values > 0) and np.all(np.isfinite(values))
    doses, burdens = np.logspace(-3, 6, n_dose), np.logspace(0, top, n_burden)
    try:
        pta = population.target_attainment(cohort, n0_grid=doses, P_grid=burdens, ceiling=ceiling,
                                           clearance_level=level, clear_by_day=clear_by_day)
    except ValueError as error:  # the documented refusal of simulate for a capacity beyond float64
        assert "1e300" in str(error)
        return
    under, both, target = pta.probability_under_ceiling, pta.probability_both, pta.probability_tumour_target
    for name, values in (("under", under), ("both", both), ("target", target)):
        assert_counts(name, values)
        assert np.all(values <= 1.0)
    assert np.all(np.diff(under, axis=0) <= 0)  # a larger dose never keeps more patients under the ceiling
    assert np.all(both <= under) and np.all(both <= target)
    # every dose of the grid, run by dose_response, gives the same counts as the bisection
    peaks = cm.dose_response(n0=doses[:, None, None], P=cohort.P(burdens), r=cohort.r[:, None],
                             q=cohort.q[:, None], B=cohort.B[:, None], K=cohort.K[:, None]).peak
    np.testing.assert_array_equal(pta.doses_under_ceiling, (peaks <= ceiling).sum(axis=0))


@settings(max_examples=examples(60))
@given(days=st.floats(0.0, 400.0), reading=st.sampled_from(cm.READINGS), placement=st.sampled_from(cm.B_PLACEMENTS),
       plateau=st.sampled_from([0.1, 1.0, 10.0]), dose=log_uniform(1e-2, 1e2), burden=log_uniform(1e-2, 1e2))
def test_calibration_to_the_published_course(days, reading, placement, plateau, dose, burden):
    count_generated_call()
    tmax = TISAGENLECLEUCEL_B_ALL["tmax_days"].value
    start, level, peak = calibration.published_typical_course([0.0, days, tmax])
    assert start == 1.0 and 0.0 < level <= peak
    fitted = calibration.calibrate_to_tisagenlecleucel(reading=reading, b_placement=placement, plateau=plateau)
    assert fitted.r > fitted.q > 0.0 and fitted.P > 0.0 and fitted.plateau == plateau
    by_dose = fitted.simulate(dose_factor=[dose, 2.0 * dose], burden_factor=burden, days=90)
    by_burden = fitted.simulate(dose_factor=dose, burden_factor=[burden, 2.0 * burden], days=90)
    for run in (by_dose, by_burden):
        assert_counts("car_t", run.car_t)
        assert np.all(run.car_t > 0)
    assert by_dose.peak[1] >= by_dose.peak[0]  # more cells never peak lower
    assert by_burden.peak[1] > by_burden.peak[0]  # more antigen always peaks higher
    assert by_dose.clearance_day[0] == by_dose.clearance_day[1]  # the tumour term ignores the dose


@settings(max_examples=examples(500))
@given(total=DOSE, infusions=st.integers(1, 1000), interval=st.floats(0.0, 30.0))
def test_split_doses(total, infusions, interval):
    count_generated_call()
    schedule = cm.split_doses(total, infusions, interval)
    assert len(schedule) == infusions
    days, cells = np.array(schedule).T
    assert_counts("days", days)
    assert_counts("cells", cells)
    assert cells.sum() == pytest.approx(total, rel=1e-9) and np.all(cells == cells[0])
    np.testing.assert_allclose(days, np.arange(infusions) * interval, rtol=1e-15)


@settings(max_examples=examples(150))
@given(total=DOSE, infusions=st.integers(1, 6), interval=st.integers(0, 20).map(float), P=BURDEN_P, B=AFFINITY_B,
       r=RATE_R, q=RATE_Q)
def test_split_schedule(total, infusions, interval, P, B, r, q):
    count_generated_call()
    common = dict(total_n0=total, infusions=infusions, interval_days=interval, P=P, B=B, r=r, q=q,
                  K=FIGURE_1["K"], days=60)
    if (infusions - 1) * interval > 60:  # the last infusion after the horizon: refused, naming the culprits
        assert_refused(lambda: cm.split_schedule(**common), "interval_days")
        return
    comparison = cm.split_schedule(**common)
    for run in (comparison.single, comparison.split):
        assert_counts("CAR T cells", run.car_t)
        assert np.all(run.car_t > 0)
    assert math.isfinite(float(comparison.peak_ratio)) and float(comparison.peak_ratio) > 0
    on_day_0 = infusions if interval == 0 else 1  # infusions on the same day add up
    assert float(comparison.split.car_t[0]) == pytest.approx(total / infusions * on_day_0, rel=1e-12)
    assert float(comparison.single.car_t[0]) == pytest.approx(total, rel=1e-12)


# --------------------------------------------------------------------------
# valid ranges: numbers for prose

SUPERSCRIPT_DIGITS = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def read_back(text: str) -> Decimal:
    """The number a reader sees in ``1.47 × 10⁷``, ``6,250`` or ``0.625`` (exactly, as a Decimal)."""
    mantissa, _, exponent = text.replace(",", "").partition(" × 10")
    return Decimal(mantissa).scaleb(int(exponent.translate(SUPERSCRIPT_DIGITS) or "0"))


@settings(max_examples=examples(800))
@example(value=5e-324, digits=3)  # the smallest subnormal once divided by 10.0**-324 == 0
@example(value=-2.2250738585072014e-308, digits=15)
@example(value=1.7976931348623157e308, digits=15)
@given(value=st.floats(allow_nan=False, allow_infinity=False), digits=st.integers(1, 15))
def test_sci_shows_the_value_to_its_digits(value, digits):
    count_generated_call()
    quantity = reporting.sci(value, digits)
    assert isinstance(quantity, reporting.Quantity) and float(quantity) == value
    text = str(quantity)
    assert text == repr(quantity) and "nan" not in text and "inf" not in text
    exact = Decimal(value)  # the float's exact decimal value
    if exact != 0:  # rounded to `digits` significant figures: off by at most half a unit in the last
        assert abs(read_back(text) - exact) <= abs(exact) * Decimal(5).scaleb(-digits)
    else:
        assert text == "0"


# --------------------------------------------------------------------------
# plotting: valid inputs draw (without a warning), bad inputs are refused


def one_run(data: st.DataObject, **fixed: Any) -> cm.Expansion:
    values = data.draw(st.fixed_dictionaries({"r": RATE_R, "q": RATE_Q, "B": AFFINITY_B, "P": BURDEN_P,
                                              "n0": DOSE}), label="Equation 1")
    return cm.simulate(**{**values, **fixed}, K=FIGURE_1["K"], days=data.draw(st.sampled_from([10, 30, 60]),
                                                                                   label="days"))


def some_runs(data: st.DataObject) -> dict[str, cm.Expansion]:
    n = data.draw(st.integers(1, 4), label="lines")
    return {f"case {i}": one_run(data) for i in range(n)}


def positive_curve(data: st.DataObject, n: int, low: float = 1e-6, high: float = 1e9) -> np.ndarray:
    return np.array(data.draw(st.lists(log_uniform(low, high), min_size=n, max_size=n), label="curve"))


def cached_fit(free: tuple[str, ...]) -> cm.BurdenFit:
    if free not in _FITS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", cm.IdentifiabilityWarning)
            _FITS[free] = cm.fit_burden(STANDARD_DAYS, STANDARD_COUNTS, B=EQ1["B"], K=EQ1["K"], r=EQ1["r"],
                                        q=EQ1["q"] if "q" not in free else 1.0, free=free, horizon_days=40)
    return _FITS[free]


_FITS: dict[tuple[str, ...], cm.BurdenFit] = {}


def nomogram_inputs(data: st.DataObject) -> dict[str, Any]:
    n_dose, n_burden = data.draw(st.integers(2, 6), label="doses"), data.draw(st.integers(2, 6), label="burdens")
    doses = np.logspace(0, 6, n_dose)
    burdens = np.logspace(-2, data.draw(st.floats(-1.0, 4.0), label="top burden"), n_burden)
    common = dict(B=data.draw(AFFINITY_B, label="B"), r=data.draw(RATE_R, label="r"), q=data.draw(RATE_Q, label="q"),
                  K=FIGURE_1["K"])
    ceiling = data.draw(log_uniform(1e5, 1e11), label="ceiling")
    clear_by = data.draw(st.sampled_from([10.0, 42.0, 60.0]), label="clear by")
    return dict(
        n0_grid=doses, P_grid=burdens, grid=cm.dose_response(n0=doses[:, None], P=burdens, **common),
        ceiling_line=cm.dose_for_ceiling(ceiling=ceiling, P=burdens, rtol=1e-2, **common),
        under_ceiling=cm.dose_for_ceiling(ceiling=ceiling, P=burdens, rtol=1e-2, clear_by_day=clear_by, **common),
    )


def schedule(data: st.DataObject) -> cm.ScheduleComparison:
    return cm.split_schedule(total_n0=data.draw(DOSE, label="total"), infusions=data.draw(st.integers(1, 6)),
                             interval_days=float(data.draw(st.integers(0, 10))), P=data.draw(BURDEN_P, label="P"),
                             B=FIGURE_1["B"], r=data.draw(RATE_R), q=data.draw(RATE_Q), K=FIGURE_1["K"], days=60)


def tornado_bars(data: st.DataObject) -> list[Any]:
    patient = data.draw(PATIENTS.filter(lambda p: float(cm.estimate_burden(p).antigen_molecules) > 0), label="patient")
    ranges = {name: (0.5 * float(getattr(patient, name)), float(getattr(patient, name)))
              for name in ("weight_kg", "wbc_giga_per_l", "marrow_cells_per_kg")}
    return cm.one_at_a_time_sensitivity(patient, ranges)


def draw_figure_3(data: st.DataObject, ax: Axes) -> Any:
    repertoire = small_repertoire(data.draw(SEEDS, label="seed"), data.draw(st.integers(1, 40), label="clones"), 0.3)
    donor = cm.expand_repertoire(repertoire, days=30)
    axes = (ax, ax.figure.add_subplot(2, 2, 3), ax.figure.add_subplot(2, 2, 4))
    return plotting.plot_figure_3(donor, one_run(data), repertoire.peptides, axes,
                                  floor_cells=data.draw(log_uniform(1e-3, 1.0), label="floor"))


def draw_found_artist(data: st.DataObject, ax: Axes) -> Any:
    plotting.plot_dosing_curves(one_run(data), 1e8, ax=ax)
    gid = data.draw(st.sampled_from(["car-t", "tumour", "ceiling", "clearance"]), label="gid")
    artist = plotting.find_artist(ax, gid)
    assert artist.get_gid() == gid
    return artist


def draw_nomogram_lines(data: st.DataObject, ax: Axes) -> Any:
    inputs = nomogram_inputs(data)
    contour, best = plotting.nomogram_lines(inputs["ceiling_line"], inputs["under_ceiling"])
    for line, result in ((contour, inputs["ceiling_line"]), (best, inputs["under_ceiling"])):
        drawn = ~np.isnan(line)
        assert np.all(line[drawn] > 0) and not np.any(drawn & ~result.feasible)
    return plotting.plot_nomogram(**inputs, ax=ax)


def draw_schedule_markers(data: st.DataObject, ax: Axes) -> Any:
    comparison = schedule(data)
    days, values = plotting.schedule_markers(comparison)
    assert len(days) == len(comparison.doses) and np.all(values > 0)
    assert np.all(np.diff(days) >= 0) and days[-1] <= comparison.split.t[-1]
    return plotting.plot_schedule(comparison, ax=ax)


def draw_recovery(data: st.DataObject, ax: Axes) -> Any:
    n = data.draw(st.integers(1, 20), label="patients")
    truth, estimate = positive_curve(data, n, 1e-2, 1e8), positive_curve(data, n, 1e-2, 1e10)
    interval = np.stack([estimate / 2, estimate * 2], axis=1) if data.draw(st.booleans(), label="interval") else None
    return plotting.plot_burden_recovery(truth, estimate, interval, ax=ax, label="cohort")


def draw_response(data: st.DataObject, ax: Axes) -> Any:
    n = data.draw(st.integers(1, 12), label="infusions")
    infusions = np.arange(1, n + 1)
    curves = {f"strategy {i}": np.array(data.draw(st.lists(PROBABILITY, min_size=n, max_size=n)))
              for i in range(data.draw(st.integers(1, 4)))}
    monte_carlo = {"simulated": (infusions, curves["strategy 0"], np.full(n, 0.01))} if data.draw(st.booleans()) else None
    return plotting.plot_response_by_infusions(infusions, curves, ax=ax, monte_carlo=monte_carlo)


def draw_against_burden(data: st.DataObject, ax: Axes) -> Any:
    n = data.draw(st.integers(2, 20), label="burdens")
    log_y = data.draw(st.booleans(), label="log y")
    curves = {f"product {i}": positive_curve(data, n) for i in range(data.draw(st.integers(1, 3)))}
    return plotting.plot_against_burden(np.logspace(0, 8, n), curves, ax=ax, ylabel="peak", log_y=log_y)


def draw_kinetics(data: st.DataObject, ax: Axes) -> Any:
    curves = {}
    for i in range(data.draw(st.integers(1, 3), label="curves")):
        n = data.draw(st.integers(2, 20), label="points")
        curves[f"course {i}"] = (np.linspace(0, 28, n), positive_curve(data, n))
    return plotting.plot_kinetics(curves, ax=ax, ylabel="CAR T level", log_y=data.draw(st.booleans(), label="log y"))


def draw_sensitivities(data: st.DataObject, ax: Axes) -> Any:
    values = data.draw(st.fixed_dictionaries({"r": RATE_R, "q": st.floats(1e-3, 2.5), "B": AFFINITY_B,
                                              "P": log_uniform(1e-2, 1e8), "K": SCALE_K}))
    return plotting.plot_sensitivities(*cm.log_sensitivities(**values, days=30), ax=ax)


def draw_dose_response(data: st.DataObject, ax: Axes) -> Any:
    doses = np.logspace(0, 6, data.draw(st.integers(1, 6), label="doses"))
    burdens = np.logspace(-2, 6, data.draw(st.integers(1, 4), label="burdens"))
    values = data.draw(st.fixed_dictionaries({"r": RATE_R, "q": RATE_Q, "B": AFFINITY_B}), label="Equation 1")
    grid = cm.dose_response(n0=doses[:, None], P=burdens, K=FIGURE_1["K"], days=30, **values)
    ceiling = data.draw(st.one_of(st.none(), log_uniform(1e5, 1e11)), label="ceiling")
    return plotting.plot_dose_response(doses, grid.peak, burdens, ax=ax, ceiling=ceiling)


def draw_split_ratios(data: st.DataObject, ax: Axes) -> Any:
    n = data.draw(st.integers(1, 6), label="infusion counts")
    intervals = data.draw(st.lists(st.sampled_from([0.5, 1.0, 2.0, 7.0]), min_size=1, max_size=3, unique=True))
    return plotting.plot_split_ratios(np.arange(1, n + 1), {i: positive_curve(data, n, 1e-3, 10.0) for i in intervals},
                                      ax=ax)


def draw_reference_sweep(data: st.DataObject, ax: Axes) -> Any:
    factors = np.logspace(-2, 2, data.draw(st.integers(1, 5), label="factors"))
    burdens = np.array(data.draw(st.lists(log_uniform(1e-3, 1e6), min_size=1, max_size=4), label="burdens"))
    sweep = cm.simulate(**{**EQ1, "P": burdens[None, :] / factors[:, None]}, days=30)
    return plotting.plot_reference_sweep(factors, sweep, [f"case {i}" for i in range(burdens.size)],
                                         axes=(ax, new_axes()))


def draw_relative_peaks(data: st.DataObject, ax: Axes) -> Any:
    n = data.draw(st.integers(1, 30), label="points")
    factors = np.geomspace(0.1, 10.0, n)
    names = [f"reading {k}" for k in range(data.draw(st.integers(1, 5), label="lines"))]
    return plotting.plot_relative_peaks(factors, {name: positive_curve(data, n) for name in names},
                                        {name: data.draw(log_uniform(1e-3, 1e9)) for name in names}, ax=ax)


PLOTTERS: dict[str, Callable[[st.DataObject, Axes], Any]] = {
    "plot_figure_1": lambda data, ax: plotting.plot_figure_1(one_run(data), ax=ax),
    "plot_figure_2": lambda data, ax: plotting.plot_figure_2(one_run(data), ax=ax),
    "plot_readings": lambda data, ax: plotting.plot_readings(some_runs(data), ax=ax),
    "plot_expansions": lambda data, ax: plotting.plot_expansions(some_runs(data), ax=ax, log=data.draw(st.booleans())),
    "plot_tornado": lambda data, ax: plotting.plot_tornado(tornado_bars(data), ax=ax, labels={"weight_kg": "weight"}),
    "plot_figure_3": draw_figure_3,
    "plot_rank_frequency": lambda data, ax: plotting.plot_rank_frequency(
        {"donor": positive_curve(data, data.draw(st.integers(1, 50)), 1.0, 1e6)}, ax=ax),
    "plot_response_by_infusions": draw_response,
    "find_artist": draw_found_artist,
    "nomogram_lines": draw_nomogram_lines,
    "plot_dosing_curves": lambda data, ax: plotting.plot_dosing_curves(
        one_run(data), data.draw(log_uniform(1e5, 1e11), label="ceiling"), ax=ax),
    "plot_nomogram": draw_nomogram_lines,
    "plot_schedule": draw_schedule_markers,
    "schedule_markers": draw_schedule_markers,
    "plot_burden_fit": lambda data, ax: plotting.plot_burden_fit(cached_fit(data.draw(FREE_SETS)), ax=ax),
    "plot_burden_profile": lambda data, ax: plotting.plot_burden_profile(cached_fit(data.draw(FREE_SETS)), ax=ax),
    "plot_burden_recovery": draw_recovery,
    "plot_sensitivities": draw_sensitivities,
    "plot_against_burden": draw_against_burden,
    "plot_kinetics": draw_kinetics,
    "plot_dose_response": draw_dose_response,
    "plot_split_ratios": draw_split_ratios,
    "plot_reference_sweep": draw_reference_sweep,
    "plot_relative_peaks": draw_relative_peaks,
    "plot_target_attainment": lambda data, ax: plotting.plot_target_attainment(
        population.target_attainment(population.draw_cohort(data.draw(st.integers(1, 20), label="patients"),
                                                             seed=data.draw(SEEDS, label="seed")),
                                     n0_grid=np.logspace(-3, 6, data.draw(st.integers(1, 5), label="doses")),
                                     P_grid=np.logspace(-2, 4, data.draw(st.integers(1, 5), label="burdens")),
                                     ceiling=data.draw(log_uniform(1e5, 1e11), label="ceiling")),
        ax=ax, fraction=data.draw(st.floats(0.01, 1.0), label="fraction")),
}


@settings(max_examples=examples(70))
@given(data=st.data())
def test_plotting_draws_valid_inputs(data):
    count_generated_call()
    name = data.draw(st.sampled_from(sorted(PLOTTERS)), label="function")
    own_figure = data.draw(st.integers(0, 9), label="new figure") == 0 and name in ("plot_figure_1", "plot_readings")
    try:
        if own_figure:  # no ax given: the function makes its own (pyplot) figure
            argument = one_run(data) if name == "plot_figure_1" else some_runs(data)
            result = getattr(plotting, name)(argument)
        else:
            result = PLOTTERS[name](data, new_axes())
        axes = result[0] if isinstance(result, tuple) else result
        if isinstance(axes, Axes):
            draw(axes.figure)
    finally:
        plt.close("all")


RUN = cm.simulate(**EQ1, days=30)
RUNS = cm.simulate(**{**EQ1, "P": [10.0, 1000.0]}, days=30)  # two trajectories: not a single one
BARS = cm.one_at_a_time_sensitivity(PATIENT, {"weight_kg": (50.0, 90.0)})
DONOR = cm.expand_repertoire(REPERTOIRE, days=30)
COMPARISON = cm.split_schedule(total_n0=1e3, infusions=3, interval_days=2.0, **EQ1, days=30)
NOMOGRAM_DOSES, NOMOGRAM_BURDENS = np.logspace(0, 6, 3), np.logspace(-2, 4, 4)
NOMOGRAM_SEARCH = dict(ceiling=1e8, P=NOMOGRAM_BURDENS, B=EQ1["B"], r=EQ1["r"], q=EQ1["q"], K=EQ1["K"], rtol=1e-2)
NOMOGRAM = dict(n0_grid=NOMOGRAM_DOSES, P_grid=NOMOGRAM_BURDENS,
                grid=cm.dose_response(n0=NOMOGRAM_DOSES[:, None], P=NOMOGRAM_BURDENS, B=EQ1["B"], r=EQ1["r"],
                                      q=EQ1["q"], K=EQ1["K"]),
                ceiling_line=cm.dose_for_ceiling(**NOMOGRAM_SEARCH),
                under_ceiling=cm.dose_for_ceiling(**NOMOGRAM_SEARCH, clear_by_day=42.0))
SHARED_AX = new_axes()  # refusals come before any drawing; nothing is ever rendered on it
BAD_AX = st.sampled_from(["ax", 1.0, object(), SHARED_AX.figure, [SHARED_AX]])
BAD_EXPANSION = st.sampled_from(["x", None, 1.0, RUNS, DONOR, {"t": RUN.t}])
BAD_MAPPING = st.sampled_from(["x", None, 1.0, [RUN], {"a": "x"}, {"a": None}])
BAD_CURVES = st.sampled_from(["x", None, [1.0, 2.0], {"a": "x"}, {"a": [0.1]}, {"a": [[0.1, 0.2]]},
                              {"a": [0.1, "y", 0.3]}])
RESPONSE_X = np.arange(1, 4)
RUNS_BY_FACTOR = cm.simulate(**{**EQ1, "P": np.array([[10.0, 1.0]]) / np.array([[0.1], [10.0]])}, days=30)
FIT = cached_fit(())

ATTAINMENT = population.target_attainment(population.draw_cohort(5, seed=1), n0_grid=NOMOGRAM_DOSES,
                                          P_grid=NOMOGRAM_BURDENS, ceiling=1e8)

PLOT_REFUSALS: dict[str, Refusal] = {
    "plot_dose_response": refusal(
        plotting.plot_dose_response,
        {"doses": NOMOGRAM_DOSES, "peaks": NOMOGRAM["grid"].peak, "burdens": NOMOGRAM_BURDENS, "ax": SHARED_AX,
         "ceiling": 1e8},
        {"doses": st.one_of(BAD_VECTOR, st.just(NOMOGRAM_DOSES[:2])), "burdens": BAD_VECTOR,
         "peaks": st.one_of(outside(0.0, low_open=True), st.just(NOMOGRAM["grid"].peak.T),
                            st.just(-NOMOGRAM["grid"].peak)),
         "ax": BAD_AX, "ceiling": POSITIVE}),
    "plot_split_ratios": refusal(
        plotting.plot_split_ratios, {"infusions": [1, 2, 3], "ratios": {2.0: [1.0, 0.9, 0.8]}, "ax": SHARED_AX},
        {"infusions": st.sampled_from(["x", None, [], [[1, 2, 3]], [0.5, 2.0, 3.0], [1.0, math.nan, 3.0]]),
         "ratios": st.one_of(BAD_CURVES, st.sampled_from([{-1.0: [1.0, 0.9, 0.8]}, {"2": [1.0, 0.9, 0.8]},
                                                         {2.0: [1.0, 0.0, 0.8]}, {(1.0, 2.0): [1.0, 0.9, 0.8]}])),
         "ax": BAD_AX}),
    "plot_reference_sweep": refusal(
        plotting.plot_reference_sweep,
        {"factors": [0.1, 10.0], "sweep": RUNS_BY_FACTOR, "labels": ["a", "b"], "axes": (SHARED_AX, SHARED_AX)},
        {"factors": st.one_of(BAD_VECTOR, st.just([0.1, 1.0, 10.0])),
         "sweep": st.sampled_from(["x", None, 1.0, RUN, RUNS, DONOR]),
         "labels": st.sampled_from(["ab", None, 3, ["a"], ["a", 2]]),
         "axes": st.sampled_from(["x", 1.0, (SHARED_AX,), (SHARED_AX, "x"), SHARED_AX])}),
    "plot_relative_peaks": refusal(
        plotting.plot_relative_peaks,
        {"factors": [0.5, 1.0, 2.0], "peaks": {"a": [1.0, 2.0, 3.0]}, "baselines": {"a": 2.0}, "ax": SHARED_AX,
         "xlabel": "dose"},
        {"factors": BAD_VECTOR, "peaks": st.one_of(BAD_CURVES, st.just({"a": [1.0, -2.0, 3.0]})),
         "baselines": st.sampled_from(["x", None, {}, {"b": 2.0}, {"a": -1.0}, {"a": "2"}, {"a": [1.0, 2.0]},
                                       {"a": math.nan}]),
         "ax": BAD_AX}),
    "plot_target_attainment": refusal(
        plotting.plot_target_attainment, {"result": ATTAINMENT, "ax": SHARED_AX, "burden_indices": None, "fraction": 0.9},
        {"result": st.sampled_from(["x", None, 1.0, RUN, NOMOGRAM["grid"]]), "ax": BAD_AX,
         "burden_indices": st.sampled_from(["01", 3, [4], [-1], [1.5], [True], [None]]),
         "fraction": outside(0.0, 1.0, low_open=True)}),
    "plot_figure_1": refusal(plotting.plot_figure_1, {"result": RUN, "ax": SHARED_AX},
                             {"result": BAD_EXPANSION, "ax": BAD_AX}),
    "plot_figure_2": refusal(plotting.plot_figure_2, {"result": RUN, "ax": SHARED_AX},
                             {"result": BAD_EXPANSION, "ax": BAD_AX}),
    "plot_readings": refusal(plotting.plot_readings, {"results": {"a": RUN}, "ax": SHARED_AX},
                             {"results": st.one_of(BAD_MAPPING, st.just({"a": RUNS})), "ax": BAD_AX}),
    "plot_expansions": refusal(plotting.plot_expansions, {"results": {"a": RUN}, "ax": SHARED_AX, "log": True},
                               {"results": st.one_of(BAD_MAPPING, st.just({"a": RUNS})), "ax": BAD_AX,
                                "log": st.sampled_from(["yes", None, 1])}),
    "plot_tornado": refusal(plotting.plot_tornado, {"bars": BARS, "ax": SHARED_AX, "labels": None, "xlabel": "x"},
                            {"bars": st.sampled_from([[], "x", None, [1.0], [RUN], 3]), "ax": BAD_AX,
                             "labels": st.sampled_from(["x", 1.0, ["weight_kg"]])}),
    "plot_figure_3": refusal(plotting.plot_figure_3,
                             {"donor": DONOR, "car_t": RUN, "peptides": LIBRARY, "axes": (SHARED_AX,) * 3,
                              "floor_cells": 0.1},
                             {"donor": st.one_of(BAD_OBJECT, st.just(RUN)), "car_t": BAD_EXPANSION,
                              "peptides": st.one_of(BAD_OBJECT, st.just(REPERTOIRE)),
                              "axes": st.sampled_from(["x", 1.0, (SHARED_AX,), (SHARED_AX, SHARED_AX, "x"), SHARED_AX]),
                              "floor_cells": POSITIVE}),
    "plot_rank_frequency": refusal(plotting.plot_rank_frequency, {"sizes": {"a": [1.0, 2.0]}, "ax": SHARED_AX},
                                   {"sizes": st.one_of(BAD_MAPPING, st.sampled_from([{"a": [-1.0, 2.0]}, {"a": []}])),
                                    "ax": BAD_AX}),
    "plot_response_by_infusions": refusal(
        plotting.plot_response_by_infusions,
        {"infusions": RESPONSE_X, "curves": {"a": [0.1, 0.2, 0.3]}, "ax": SHARED_AX, "monte_carlo": None},
        {"infusions": st.sampled_from(["x", None, [], [[1, 2, 3]], [1.0, math.nan, 3.0], [1, "2", 3]]),
         "curves": BAD_CURVES, "ax": BAD_AX,
         "monte_carlo": st.sampled_from(["x", 1.0, {"a": "x"}, {"a": (RESPONSE_X, [0.1, 0.2])},
                                         {"a": (RESPONSE_X, [0.1, 0.2, 0.3])}])}),
    "find_artist": refusal(plotting.find_artist, {"ax": SHARED_AX, "gid": "peak-map"},
                           {"ax": BAD_AX, "gid": st.sampled_from(["no such artist", None, 1.0])}),
    "nomogram_lines": refusal(plotting.nomogram_lines,
                              {"ceiling_line": NOMOGRAM["ceiling_line"], "under_ceiling": NOMOGRAM["under_ceiling"]},
                              {"ceiling_line": st.one_of(BAD_OBJECT, st.just(NOMOGRAM["grid"])),
                               "under_ceiling": st.one_of(BAD_OBJECT, st.just(NOMOGRAM["grid"]))}),
    "plot_dosing_curves": refusal(plotting.plot_dosing_curves, {"result": RUN, "ceiling": 1e8, "ax": SHARED_AX},
                                  {"result": BAD_EXPANSION, "ceiling": POSITIVE, "ax": BAD_AX},
                                  scalars="ceiling"),
    "plot_nomogram": refusal(plotting.plot_nomogram, {**NOMOGRAM, "ax": SHARED_AX},
                             {"n0_grid": BAD_VECTOR, "P_grid": BAD_VECTOR,
                              "grid": st.one_of(BAD_OBJECT, st.just(NOMOGRAM["ceiling_line"])),
                              "ceiling_line": st.one_of(BAD_OBJECT, st.just(NOMOGRAM["grid"])),
                              "under_ceiling": st.one_of(BAD_OBJECT, st.just(NOMOGRAM["grid"])), "ax": BAD_AX}),
    "plot_schedule": refusal(plotting.plot_schedule, {"comparison": COMPARISON, "ax": SHARED_AX},
                             {"comparison": st.one_of(BAD_OBJECT, st.just(RUN)), "ax": BAD_AX}),
    "schedule_markers": refusal(plotting.schedule_markers, {"comparison": COMPARISON},
                                {"comparison": st.one_of(BAD_OBJECT, st.just(RUN))}),
    "plot_burden_fit": refusal(plotting.plot_burden_fit, {"fit": FIT, "ax": SHARED_AX, "label": "fit"},
                               {"fit": st.one_of(BAD_OBJECT, st.just(RUN)), "ax": BAD_AX}),
    "plot_burden_profile": refusal(plotting.plot_burden_profile, {"fit": FIT, "ax": SHARED_AX, "label": None},
                                   {"fit": st.one_of(BAD_OBJECT, st.just(RUN)), "ax": BAD_AX}),
    "plot_burden_recovery": refusal(
        plotting.plot_burden_recovery,
        {"P_true": [10.0, 100.0], "P_hat": [12.0, 90.0], "interval": [[5.0, 20.0], [50.0, 200.0]], "ax": SHARED_AX},
        {"P_true": st.one_of(BAD_VECTOR, st.just([10.0])), "P_hat": st.one_of(BAD_VECTOR, st.just([10.0, 20.0, 30.0])),
         "interval": st.sampled_from(["x", [1.0, 2.0], [[1.0, 2.0]], [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]],
                                      [[math.nan, 2.0], [1.0, 2.0]], [[-1.0, 2.0], [1.0, 2.0]]]),
         "ax": BAD_AX}),
    "plot_sensitivities": refusal(plotting.plot_sensitivities,
                                  {"t": [0.0, 1.0, 2.0], "elasticities": {"P": [0.0, 0.5, 1.0]}, "ax": SHARED_AX},
                                  {"t": st.sampled_from(["x", None, [], [[0.0, 1.0, 2.0]], [0.0, math.nan, 2.0]]),
                                   "elasticities": BAD_CURVES, "ax": BAD_AX}),
    "plot_against_burden": refusal(
        plotting.plot_against_burden,
        {"burden": [1.0, 10.0, 100.0], "curves": {"a": [0.1, 0.2, 0.3]}, "ax": SHARED_AX, "ylabel": "y", "log_y": True},
        {"burden": BAD_VECTOR, "curves": BAD_CURVES, "ax": BAD_AX,
         "log_y": st.sampled_from(["yes", None, 1])}),
    "plot_kinetics": refusal(
        plotting.plot_kinetics, {"curves": {"a": ([0.0, 1.0], [1.0, 2.0])}, "ax": SHARED_AX, "ylabel": "y", "log_y": True},
        {"curves": st.sampled_from(["x", None, {"a": "xy"}, {"a": ([0.0, 1.0],)}, {"a": ([0.0, 1.0], [1.0])},
                                    {"a": ([0.0, 1.0], "ab")}, {"a": (None, [1.0, 2.0])}, {"a": ([0.0, 1.0], [-1.0, 2.0])}]),
         "ax": BAD_AX, "log_y": st.sampled_from(["yes", None, 1])}),
}


@settings(max_examples=examples(800))
@given(data=st.data())
def test_plotting_refuses_bad_input(data):
    count_generated_call()
    spec = PLOT_REFUSALS[data.draw(st.sampled_from(sorted(PLOT_REFUSALS)), label="function")]
    name = data.draw(st.sampled_from(sorted(spec.bad)), label="parameter")
    bad = data.draw(spec.bad[name], label="bad value")
    try:
        assert_refused(lambda: spec.call(**{**spec.valid, name: bad}), name)
    finally:
        plt.close("all")


# --------------------------------------------------------------------------
# widgets: built and driven with values the sliders allow


def slider_value(name: str) -> st.SearchStrategy[float]:
    """A value the slider of ``name`` can show, on the slider's step, from the parameter table's range."""
    low, high, scale, step = PARAMETERS[name].control
    if scale == "log":
        low, high = math.log10(low), math.log10(high)
    position = st.integers(0, round((high - low) / step)).map(lambda k: min(low + k * step, high))
    return position.map(lambda v: 10.0**v) if scale == "log" else position


CONTROLS = {name: slider_value(name) for name in widgets.EXPLORER_CONTROLS["dosing"]}
NOMOGRAM_CONTROLS = {"ic50": CONTROLS["ic50"], "ceiling": CONTROLS["ceiling"], "clear_by_day": st.integers(5, 60),
                     "variability": st.sampled_from(["typical", "cohort"])}
SCHEDULE_CONTROLS = {"total_n0": slider_value("total_n0"), "infusions": st.integers(1, 6),
                     "interval_days": st.integers(1, 10), "P": CONTROLS["P"]}


def drive(data: st.DataObject, explorer: Any, controls: dict[str, st.SearchStrategy[Any]]) -> None:
    """Move one to three sliders, as a reader would."""
    for _ in range(data.draw(st.integers(1, 3), label="moves")):
        name = data.draw(st.sampled_from(sorted(controls)), label="slider")
        explorer.controls[name].value = data.draw(controls[name], label=name)
    assert bytes(explorer.image.value).startswith(b"\x89PNG")


@settings(max_examples=examples(8))
@given(data=st.data(), start=st.fixed_dictionaries({}, optional=CONTROLS), days=st.sampled_from([30.0, 60.0]))
def test_dosing_explorer(data, start, days):
    count_generated_call()
    explorer = widgets.DosingExplorer(days=days, **start)
    try:
        drive(data, explorer, CONTROLS)
        v, values = explorer.current(), explorer.values
        assert_counts("peak", values["peak_cells"])
        assert 0 <= values["peak_day"] <= days and values["peak_cells"] >= v["n0"] * (1 - 1e-12)
        assert values["clearance_day"] == math.inf or 0 <= values["clearance_day"] <= days
        assert values["over_ceiling"] == (values["peak_cells"] > v["ceiling"])
        assert widgets.format_cells(values["peak_cells"]) in explorer.readouts["peak"].value
    finally:
        explorer.close()


@settings(max_examples=examples(4))
@given(data=st.data(), start=st.fixed_dictionaries({}, optional=NOMOGRAM_CONTROLS), n=st.integers(3, 8),
       r=RATE_R, q=RATE_Q)
def test_nomogram_explorer(data, start, n, r, q):
    count_generated_call()
    explorer = widgets.NomogramExplorer(n=n, r=r, q=q, rtol=1e-2, **start)
    try:
        drive(data, explorer, NOMOGRAM_CONTROLS)
        grid, under = explorer.values["grid"], explorer.values["under_ceiling"]
        assert grid.peak.shape == (n, n)
        assert_counts("peak map", grid.peak)
        assert_counts("largest doses under the ceiling", under.n0)
        assert explorer.readouts["summary"].value
    finally:
        explorer.close()


@settings(max_examples=examples(6))
@given(data=st.data(), start=st.fixed_dictionaries({}, optional=SCHEDULE_CONTROLS), r=RATE_R, q=RATE_Q)
def test_schedule_explorer(data, start, r, q):
    count_generated_call()
    explorer = widgets.ScheduleExplorer(r=r, q=q, **start)
    try:
        drive(data, explorer, SCHEDULE_CONTROLS)
        values = explorer.values
        for name in ("single_peak", "split_peak", "single_peak_day", "split_peak_day", "peak_ratio"):
            assert_counts(name, values[name])
        assert values["peak_ratio"] > 0 and (values["clearance_day"] == math.inf or values["clearance_day"] >= 0)
    finally:
        explorer.close()


@settings(max_examples=examples(600))
@given(x=st.one_of(st.floats(), st.integers(-10**6, 10**6), st.floats(width=32).map(np.float32)))
def test_format_cells(x):
    count_generated_call()
    text = widgets.format_cells(x)
    if math.isfinite(x):  # three significant digits: off by at most half a unit in the third
        exact = Decimal(float(x))
        assert abs(Decimal(text) - exact) <= abs(exact) * Decimal("0.005")
    else:
        assert text == "none"


WIDGET_REFUSALS: dict[str, Refusal] = {
    "DosingExplorer": refusal(
        widgets.DosingExplorer, {"K": 1e6, "days": 60.0, "dt": 1.0},
        {"K": POSITIVE, "days": bad_horizon(), "dt": st.one_of(POSITIVE, st.just(0.7)), "dosage": st.just(3.0),
         **{name: st.one_of(outside(*PARAMETERS[name].control[:2]), st.just([1.0, 2.0]))
            for name in widgets.EXPLORER_CONTROLS["dosing"]}}),
    "NomogramExplorer": refusal(
        widgets.NomogramExplorer, {"n": 3, "rtol": 1e-2},
        {"P_grid": st.one_of(BAD_VECTOR.filter(lambda v: v is not None), st.just([10.0, 1.0])),
         "n0_grid": st.one_of(BAD_VECTOR.filter(lambda v: v is not None), st.just([1.0, 1.0])),
         "n": st.one_of(BAD_INT, st.just(1)), "r": POSITIVE, "q": NON_NEGATIVE, "K": POSITIVE, "days": bad_horizon(),
         "rtol": outside(0.0, 0.1, low_open=True), "colour": st.just("red"),
         "ic50": outside(0.1, 100.0), "ceiling": outside(1e5, 1e11), "clear_by_day": st.one_of(BAD_INT, st.just(61)),
         "cohort_size": st.one_of(BAD_INT, st.just(100_001)), "cohort_seed": BAD_SEED,
         "cohort_fraction": outside(0.0, 1.0, low_open=True), "variability": st.sampled_from(["all", None, 1, ""])}),
    "ScheduleExplorer": refusal(
        widgets.ScheduleExplorer, {},
        {"r": POSITIVE, "q": NON_NEGATIVE, "ic50": POSITIVE, "K": POSITIVE, "days": bad_horizon(), "colour": st.just("red"),
         "total_n0": outside(*PARAMETERS["total_n0"].control[:2]), "infusions": st.one_of(BAD_INT, st.just(7)),
         "interval_days": st.one_of(BAD_INT, st.just(11)), "P": outside(*PARAMETERS["P"].control[:2])}),
}


@settings(max_examples=examples(150))
@given(data=st.data())
def test_widgets_refuse_bad_input(data):
    count_generated_call()
    spec = WIDGET_REFUSALS[data.draw(st.sampled_from(sorted(WIDGET_REFUSALS)), label="explorer")]
    name = data.draw(st.sampled_from(sorted(spec.bad)), label="parameter")
    bad = data.draw(spec.bad[name], label="bad value")
    assert_refused(lambda: spec.call(**{**spec.valid, name: bad}), name)


# --------------------------------------------------------------------------
# the engine of Equation 1 and the parameter table


@settings(max_examples=examples(200))
@given(r=RATE_R, q=RATE_Q, P=BURDEN_P, B=AFFINITY_B, K=SCALE_K, n0=DOSE, later=DOSE, horizon=HORIZONS,
       reading=st.sampled_from(cm.READINGS), placement=st.sampled_from(cm.B_PLACEMENTS),
       level=log_uniform(1e-9, 10.0))
def test_engine_pieces_compose_to_simulate(r, q, P, B, K, n0, later, horizon, reading, placement, level):
    """The engine's functions, called one by one, give simulate's trajectory; each piece checked independently."""
    count_generated_call()
    days, dt = horizon
    t, steps = engine.time_grid(days, dt)
    assert steps == len(t) - 1 and t[0] == 0.0 and t[-1] == pytest.approx(days) and np.allclose(np.diff(t), dt)
    params = engine.check_model_parameters(r=r, q=q, B=B, P=P, K=K)
    assert {name: float(value) for name, value in params.items()} == dict(r=r, q=q, B=B, P=P, K=K)
    assert engine.broadcast_shape({"a": np.empty(3), "b": 1.0}) == (3,)
    try:
        engine.check_capacity_range(*(np.asarray(v) for v in (r, q, B, P, K)), float(t[-1]), placement)
    except ValueError as error:
        assert "1e300" in str(error) and q > r
        return
    tumour = engine.tumour_term(t, r, q, P)
    by_hand = np.array([P * math.exp((q - r) * day) for day in t])
    np.testing.assert_allclose(tumour, by_hand, rtol=1e-12)
    cap = engine.capacity_from_tumour(tumour, B, K, placement)
    expected_cap = K * B * (by_hand + 1) if placement == "capacity" else K * (B * by_hand + 1)
    np.testing.assert_allclose(cap, expected_cap, rtol=1e-12)
    schedule = engine.check_doses([(dt, later)], t)
    assert schedule[0][0] == 1 and float(schedule[0][1]) == later
    added = engine.doses_by_step(schedule + schedule, ())
    assert float(added[1]) == 2 * later
    cells = engine.iterate(cap, np.asarray(r), np.asarray(n0), t, reading, added)
    assert np.array_equal(cells, np.array(list(engine.logistic_steps(cap, np.asarray(r), np.asarray(n0), t, reading,
                                                                     added))))
    run = cm.simulate(r=r, q=q, B=B, P=P, K=K, n0=n0, days=days, dt=dt, reading=reading, b_placement=placement,
                      doses=[(dt, later), (dt, later)], clearance_level=level)
    np.testing.assert_array_equal(cells, run.car_t)
    below = np.flatnonzero(by_hand < level)
    day = engine.first_day_below(t, tumour, level)
    assert float(day) == (t[below[0]] if below.size else math.inf) == float(run.clearance_day)


ENGINE_T = np.arange(11.0)
ENGINE_CAP = np.full(11, 1e6)


@settings(max_examples=examples(150))
@given(data=st.data())
def test_engine_refuses_bad_input(data):
    count_generated_call()
    calls: dict[str, tuple[str, Callable[[Any], Any]]] = {
        "time_grid days": ("days", lambda v: engine.time_grid(v, 1.0)),
        "time_grid dt": ("dt", lambda v: engine.time_grid(10.0, v)),
        "check_model_parameters": ("r", lambda v: engine.check_model_parameters(r=v)),
        "broadcast_shape": ("parameter shapes", lambda v: engine.broadcast_shape({"a": np.empty(3), "b": np.empty(v)})),
        "check_doses": ("doses", lambda v: engine.check_doses(v, ENGINE_T)),
        "doses_by_step": ("shape", lambda v: engine.doses_by_step([(1, np.ones(2))], (v,))),
        "check_capacity_range": ("capacity", lambda v: engine.check_capacity_range(
            np.asarray(0.1), np.asarray(2.5), np.asarray(1.0), np.asarray(1.0), np.asarray(v), 1e3, "capacity")),
        "tumour_term": ("P", lambda v: engine.tumour_term(ENGINE_T, 1.5, 1.2, v)),
        "capacity_from_tumour": ("b_placement", lambda v: engine.capacity_from_tumour(ENGINE_T, 1.0, 1e6, v)),
        "logistic_steps": ("reading", lambda v: next(engine.logistic_steps(ENGINE_CAP, 1.5, 1.0, ENGINE_T, v, {}))),
        "iterate": ("n0", lambda v: engine.iterate(ENGINE_CAP, 1.5, v, ENGINE_T, "exact", {})),
        "first_day_below": ("clearance_level", lambda v: engine.first_day_below(ENGINE_T, ENGINE_T, v)),
    }
    bad = {
        "time_grid days": st.one_of(POSITIVE, st.just(0.5)), "time_grid dt": st.one_of(POSITIVE, st.just(3.0)),
        "check_model_parameters": POSITIVE, "broadcast_shape": st.integers(4, 9),
        "check_doses": st.sampled_from(["day 5", 5, [(1.0,)], [(11.0, 1.0)], [(1.0, -1.0)]]),
        "doses_by_step": st.integers(3, 9), "check_capacity_range": st.just(1e250),
        "tumour_term": NON_NEGATIVE, "capacity_from_tumour": st.sampled_from(["both", "", 1]),
        "logistic_steps": st.sampled_from(["naive", "", None]), "iterate": POSITIVE, "first_day_below": POSITIVE,
    }
    which = data.draw(st.sampled_from(sorted(calls)), label="function")
    name, call = calls[which]
    value = data.draw(bad[which], label="bad value")
    if which in ("time_grid days", "time_grid dt", "check_model_parameters", "tumour_term", "iterate",
                 "first_day_below"):
        # the generic strategies include valid values: only those outside the range must be refused
        try:
            call(value)
        except (ValueError, TypeError) as error:
            assert name in str(error) or "days / dt" in str(error) or "t must be" in str(error), str(error)
        return
    with pytest.raises((ValueError, TypeError)) as caught:
        call(value)
    message = str(caught.value)
    assert name in message or "doses[0]" in message or "broadcast" in message, message


@settings(max_examples=examples(300))
@given(name=st.sampled_from(sorted(PARAMETERS)), u=st.floats(0.0, 1.0))
def test_parameter_table_checks_labels_and_exports(name, u):
    """Each row: its own default and slider range are valid, values outside are refused, the export round-trips."""
    count_generated_call()
    row = PARAMETERS[name]
    low, high, scale, _ = row.control
    inside = low * (high / low) ** u if scale == "log" else low + u * (high - low)
    for value in (row.default, inside, low, high):
        assert float(check(name, value)) == value
    if row.low is not None:
        below = row.low if row.low_open else row.low - max(1.0, abs(row.low))
        with pytest.raises(ValueError, match=re.escape(name)):
            check(name, below)
    with pytest.raises(TypeError, match=re.escape(name)):
        check(name, "1")
    text = label(name)
    assert row.meaning in text and (row.unit in text or row.unit == "dimensionless")
    exported = json.loads(json.dumps(table_for_browser((name,))))[name]
    assert (exported["min"], exported["max"], exported["scale"], exported["default"]) == (low, high, scale,
                                                                                           row.default)
    assert exported["label"] == text and isinstance(Parameter(**{**asdict(row)}), Parameter)


@settings(max_examples=examples(100))
@given(name=st.one_of(st.text(max_size=8).filter(lambda n: n not in PARAMETERS), st.just(1)))
def test_parameter_table_refuses_unknown_names(name):
    count_generated_call()
    with pytest.raises((ValueError, KeyError)):
        label(name)
    with pytest.raises((ValueError, KeyError, TypeError)):
        check(name, 1.0)
    with pytest.raises((KeyError, TypeError)):
        table_for_browser((name,))
    with pytest.raises(TypeError):
        Parameter(name)  # every field is required


# --------------------------------------------------------------------------
# every public callable has its properties

# Modules whose public names are records of the paper's numbers, not functions of reader input.
NOT_FUZZED_MODULES = {"cartmodel.paper", "cartmodel.published"}

P = equation_1  # the lead's properties of Equation 1 (tests/test_properties.py)
REFUSED = test_bad_input_is_refused_naming_the_parameter
# callable -> (property over valid ranges, property over bad input)
COVERAGE: dict[Callable[..., Any], tuple[Callable[..., Any], Callable[..., Any]]] = {
    **{function: (test_engine_pieces_compose_to_simulate, test_engine_refuses_bad_input)
       for function in (engine.time_grid, engine.check_model_parameters, engine.broadcast_shape, engine.check_doses,
                        engine.doses_by_step, engine.check_capacity_range, engine.tumour_term,
                        engine.capacity_from_tumour, engine.logistic_steps, engine.iterate, engine.first_day_below)},
    **{function: (test_parameter_table_checks_labels_and_exports, test_parameter_table_refuses_unknown_names)
       for function in (check, label, table_for_browser, Parameter)},
    cm.simulate: (P.test_simulate_in_range_is_finite_and_positive_or_refuses_overflow,
                  P.test_simulate_bad_input_raises_naming_the_parameter),
    cm.capacity: (P.test_capacity_and_plateau, P.test_other_functions_bad_input),
    cm.plateau_level: (P.test_capacity_and_plateau, P.test_other_functions_bad_input),
    cm.tumour_clearance_day: (P.test_tumour_clearance_day_agrees_with_simulation, P.test_other_functions_bad_input),
    cm.affinity_from_ic50: (P.test_affinity_from_ic50, P.test_affinity_from_ic50),
    cm.wbc_cells_per_ul_from_giga_per_l: (test_wbc_unit_conversions_round_trip, REFUSED),
    cm.wbc_giga_per_l_from_cells_per_ul: (test_wbc_unit_conversions_round_trip, REFUSED),
    cm.blood_volume_ml: (test_blood_volumes, REFUSED),
    cm.nadler_blood_volume_ml: (test_blood_volumes, REFUSED),
    cm.normal_cellularity_fraction: (test_blasts_in_marrow_and_blood, REFUSED),
    cm.circulating_blasts: (test_blasts_in_marrow_and_blood, REFUSED),
    cm.marrow_nucleated_cells: (test_blasts_in_marrow_and_blood, REFUSED),
    cm.marrow_blasts: (test_blasts_in_marrow_and_blood, REFUSED),
    cm.total_blasts: (test_blasts_in_marrow_and_blood, REFUSED),
    cm.antigen_burden_molecules: (test_antigen_burden_and_P_round_trip, REFUSED),
    cm.p_from_antigen: (test_antigen_burden_and_P_round_trip, REFUSED),
    cm.antigen_from_p: (test_antigen_burden_and_P_round_trip, REFUSED),
    cm.AllPatient: (test_estimate_burden_for_any_patient, REFUSED),
    cm.estimate_burden: (test_estimate_burden_for_any_patient, REFUSED),
    cm.one_at_a_time_sensitivity: (test_one_at_a_time_sensitivity, REFUSED),
    bd.tornado_ranges: (test_tornado_ranges_feed_the_sensitivity_analysis, REFUSED),
    bd.marrow_blast_share: (test_marrow_blast_share, REFUSED),
    cm.PeptideLibrary: (test_draw_repertoire, REFUSED),
    cm.Repertoire: (test_draw_repertoire, REFUSED),
    cm.draw_peptides: (test_draw_peptides, REFUSED),
    cm.draw_repertoire: (test_draw_repertoire, REFUSED),
    cm.clone_capacity: (test_clone_capacity_and_expand_repertoire, REFUSED),
    cm.expand_repertoire: (test_clone_capacity_and_expand_repertoire, REFUSED),
    cm.expand_clones: (test_expand_clones_runs_the_chosen_clones, REFUSED),
    cm.sweep_tumour_fraction: (test_sweep_tumour_fraction, REFUSED),
    cm.rank_frequency: (test_rank_frequency, REFUSED),
    cm.fit_power_law_exponent: (test_fit_power_law_exponent, REFUSED),
    cm.response_probability: (test_response_probabilities, REFUSED),
    cm.cumulative_response_probability: (test_response_probabilities, REFUSED),
    cm.capture_probability: (test_capture_probability_and_dose_for_capture, REFUSED),
    cm.dose_for_capture: (test_capture_probability_and_dose_for_capture, REFUSED),
    cm.relevant_clones: (test_relevant_clones_and_dli_trial, REFUSED),
    cm.simulate_dli_trial: (test_relevant_clones_and_dli_trial, REFUSED),
    cm.sample_counts: (test_sample_counts_and_log_sensitivities, REFUSED),
    cm.log_sensitivities: (test_sample_counts_and_log_sensitivities, REFUSED),
    cm.fit_burden: (test_fit_burden_reads_a_burden, REFUSED),
    cm.fit_cohort: (test_fit_cohort_reaches_fit_burdens_minimum, REFUSED),
    cm.cohort_recovery: (test_cohort_recovery_counts_the_patients, REFUSED),
    cm.clopper_pearson: (test_clopper_pearson_leaves_half_the_error_in_each_tail, REFUSED),
    cm.synthetic_cohort: (test_synthetic_cohort_draws_within_its_ranges, REFUSED),
    cm.dose_response: (test_dose_response_agrees_with_simulate, REFUSED),
    cm.dose_for_ceiling: (test_dose_for_ceiling, REFUSED),
    cm.split_doses: (test_split_doses, REFUSED),
    calibration.published_typical_course: (test_calibration_to_the_published_course, REFUSED),
    calibration.calibrate_to_tisagenlecleucel: (test_calibration_to_the_published_course, REFUSED),
    cm.split_schedule: (test_split_schedule, REFUSED),
    reporting.sci: (test_sci_shows_the_value_to_its_digits, REFUSED),
    widgets.format_cells: (test_format_cells, REFUSED),
    population.draw_cohort: (test_draw_cohort_and_target_attainment, REFUSED),
    population.target_attainment: (test_draw_cohort_and_target_attainment, REFUSED),
    population.lognormal_sd_from_cv: (test_draw_cohort_and_target_attainment, REFUSED),
    plotting.plot_target_attainment: (test_plotting_draws_valid_inputs, test_plotting_refuses_bad_input),
    widgets.DosingExplorer: (test_dosing_explorer, test_widgets_refuse_bad_input),
    widgets.NomogramExplorer: (test_nomogram_explorer, test_widgets_refuse_bad_input),
    widgets.ScheduleExplorer: (test_schedule_explorer, test_widgets_refuse_bad_input),
    **{getattr(plotting, name): (test_plotting_draws_valid_inputs, test_plotting_refuses_bad_input) for name in [
        "find_artist", "nomogram_lines", "plot_against_burden", "plot_burden_fit", "plot_burden_profile",
        "plot_burden_recovery", "plot_dosing_curves", "plot_expansions", "plot_figure_1", "plot_figure_2", "plot_figure_3",
        "plot_kinetics", "plot_nomogram", "plot_rank_frequency", "plot_readings", "plot_response_by_infusions",
        "plot_schedule", "plot_sensitivities", "plot_tornado", "schedule_markers",
        "plot_dose_response", "plot_split_ratios", "plot_reference_sweep", "plot_relative_peaks",
    ]},
}
# Results (and the one warning) that readers do not build: fuzzed through the function that makes them.
RESULTS: dict[type, Callable[..., Any]] = {
    cm.Expansion: cm.simulate, cm.BurdenEstimate: cm.estimate_burden, bd.SensitivityBar: cm.one_at_a_time_sensitivity,
    cm.PowerLawFit: cm.fit_power_law_exponent, cm.RepertoireExpansion: cm.expand_repertoire,
    cm.TumourFractionSweep: cm.sweep_tumour_fraction,
    cm.DLITrial: cm.simulate_dli_trial, cm.BurdenFit: cm.fit_burden, cm.IdentifiabilityWarning: cm.fit_burden,
    calibration.Calibration: calibration.calibrate_to_tisagenlecleucel,
    cm.CohortFit: cm.fit_cohort, cm.CohortRecovery: cm.cohort_recovery, cm.SyntheticCohort: cm.synthetic_cohort,
    cm.CeilingDose: cm.dose_for_ceiling, cm.DoseResponse: cm.dose_response, cm.ScheduleComparison: cm.split_schedule,
    reporting.Quantity: reporting.sci,
    population.Cohort: population.draw_cohort, population.TargetAttainment: population.target_attainment,
}
# Table-driven properties: the callable must have a row in the table.
TABLES: dict[Callable[..., Any], Callable[[Callable[..., Any]], bool]] = {
    test_bad_input_is_refused_naming_the_parameter: lambda f: any(s.call is f for s in REFUSALS.values()),
    test_plotting_refuses_bad_input: lambda f: any(s.call is f for s in PLOT_REFUSALS.values()),
    test_widgets_refuse_bad_input: lambda f: any(s.call is f for s in WIDGET_REFUSALS.values()),
    test_plotting_draws_valid_inputs: lambda f: f.__name__ in PLOTTERS,
}


def public_callables() -> dict[str, Callable[..., Any]]:
    """Every public function and class of cartmodel: ``cartmodel.__all__`` and each public module's names."""
    import pkgutil

    found = {name: getattr(cm, name) for name in cm.__all__}
    for info in pkgutil.iter_modules(cm.__path__):
        module_name = f"cartmodel.{info.name}"
        if info.name.startswith("_") or module_name in NOT_FUZZED_MODULES:
            continue
        module = __import__(module_name, fromlist=["_"])
        defined = [name for name, value in vars(module).items() if not name.startswith("_")
                   and (inspect.isfunction(value) or inspect.isclass(value)) and value.__module__ == module_name]
        found.update({name: getattr(module, name) for name in [*getattr(module, "__all__", ()), *defined]})
    return {f"{value.__module__}.{value.__qualname__}": value for value in found.values() if callable(value)}


def test_every_public_callable_has_a_fuzz_test():
    public = public_callables()
    assert len(public) >= 78  # (the count when this registry was written: a sanity check of the discovery)
    covered = set(COVERAGE) | set(RESULTS)
    missing = sorted(name for name, value in public.items() if value not in covered)
    assert not missing, f"public callables without a property test (add one and register it in COVERAGE): {missing}"
    stale = [value for value in covered if value not in public.values()]
    assert not stale, f"registered but no longer public: {stale}"
    here = {__name__, equation_1.__name__}
    for function, tests in COVERAGE.items():
        for test in tests:
            assert hasattr(test, "hypothesis") and test.__module__ in here, (function, test)
            if test in TABLES:
                assert TABLES[test](function), f"{function.__qualname__} has no row in the table of {test.__name__}"
            else:
                assert function.__name__ in inspect.getsource(test), f"{test.__name__} never calls {function.__name__}"
    for result, maker in RESULTS.items():
        assert maker in COVERAGE
        produced = typing.get_type_hints(maker)["return"]
        assert result is cm.IdentifiabilityWarning or result in (produced, *typing.get_args(produced)), (result, maker)
