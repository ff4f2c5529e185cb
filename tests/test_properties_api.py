"""Property-based tests (hypothesis) over the rest of cartmodel's public API.

tests/test_properties.py fuzzes Equation 1 (cartmodel.model); this file fuzzes every other
public callable: the burden estimate, Equation 2 repertoires, DLI response probabilities,
burden fitting, dosing, and the plotting, widget and reporting helpers.  The properties over
valid ranges live in one module per subject (test_properties_model, _burden, _repertoire,
_fitting, _dosing, _plotting, _widgets), their shared strategies in tests/strategies.py; this
module holds the cross-cutting tables: bad input to every function (``REFUSALS``) and the
registry of which property covers each public callable (``COVERAGE``).

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
import math
import typing
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cartmodel as cm
from cartmodel import burden as bd
from cartmodel import (
    calibration,
    engine,
    killing,
    plotting,
    population,
    reporting,
    variability,
    widgets,
)
from cartmodel.paper import FIGURE_1
from cartmodel.parameters import Parameter, check, label, table_for_browser

from . import test_properties as equation_1  # the properties of cartmodel.model
from . import test_properties_burden as burden_properties
from . import test_properties_dosing as dosing_properties
from . import test_properties_fitting as fitting_properties
from . import test_properties_model as model_properties
from . import test_properties_plotting as plotting_properties
from . import test_properties_repertoire as repertoire_properties
from . import test_properties_widgets as widgets_properties
from .conftest import examples
from .strategies import (
    BAD_CHOICE,
    BAD_INT,
    BAD_OBJECT,
    BAD_PAIR,
    BAD_SAMPLE_DAYS,
    BAD_SEED,
    BAD_VECTOR,
    COHORT_FIT,
    EQ1,
    EQ1_BAD,
    FRACTION,
    HORIZON,
    HORIZON_BAD,
    LIBRARY,
    NON_NEGATIVE,
    PATIENT,
    PATIENT_BAD,
    PATIENT_FIELD_RANGES,
    POSITIVE,
    RATES,
    REP_SETTINGS,
    REP_SETTINGS_BAD,
    REPERTOIRE,
    STANDARD_COUNTS,
    STANDARD_DAYS,
    TWO_PEPTIDES,
    Refusal,
    assert_drawn_call_refused,
    assert_refused,
    outside,
    outside_row,
    refusal,
)

# --------------------------------------------------------------------------
# shared valid inputs

# Equation 2's settings, made and checked by equation_2_settings, which the REP_SETTINGS_BAD rows fuzz;
# the functions that take them refuse anything else, such as the keywords themselves
EQ2_SETTINGS = cm.equation_2_settings(**REP_SETTINGS)
EQ2_SETTINGS_BAD = st.one_of(BAD_OBJECT, st.just(REP_SETTINGS))
MEASUREMENTS = dict(weight_kg=70.0, age_years=40.0, sex="woman", wbc_giga_per_l=20.0, blood_blast_fraction=0.5,
                    marrow_infiltration_fraction=0.7, marrow_cellularity_fraction=0.9,
                    antigen_molecules_per_blast=2.2e4, label="")

REFUSALS: dict[str, Refusal] = {
    # the burden estimate
    "wbc_cells_per_ul_from_giga_per_l": refusal(
        cm.wbc_cells_per_ul_from_giga_per_l, {"wbc_giga_per_l": 4.5}, {"wbc_giga_per_l": outside_row("wbc_giga_per_l")},
        arrays="wbc_giga_per_l"),
    "wbc_giga_per_l_from_cells_per_ul": refusal(
        cm.wbc_giga_per_l_from_cells_per_ul, {"wbc_cells_per_ul": 4500.0}, {"wbc_cells_per_ul": outside_row("wbc_cells_per_ul")},
        arrays="wbc_cells_per_ul"),
    "blood_volume_ml": refusal(
        cm.blood_volume_ml, {"weight_kg": 70.0, "group": "man", "ml_per_kg": None},
        {"weight_kg": outside_row("weight_kg"), "group": BAD_CHOICE,
         "ml_per_kg": outside_row("blood_volume_ml_per_kg", none_ok=True)},
        arrays="weight_kg"),
    "nadler_blood_volume_ml": refusal(
        cm.nadler_blood_volume_ml, {"height_m": 1.75, "weight_kg": 75.0, "sex": "man"},
        {"height_m": outside_row("height_m"), "weight_kg": outside_row("weight_kg"), "sex": BAD_CHOICE},
        arrays="height_m weight_kg"),
    "normal_cellularity_fraction": refusal(
        cm.normal_cellularity_fraction, {"age_years": 40.0}, {"age_years": outside_row("age_years")}, arrays="age_years"),
    "circulating_blasts": refusal(
        cm.circulating_blasts, {"blast_fraction": 0.5, "blood_volume_ml": 5000.0, "wbc_giga_per_l": 10.0},
        {"blast_fraction": FRACTION, "blood_volume_ml": outside_row("blood_volume_ml"),
         "wbc_giga_per_l": outside_row("wbc_giga_per_l"),
         "wbc_cells_per_ul": st.sampled_from([10.0, -1.0, "x", math.nan])},  # a second count is refused
        arrays="blast_fraction blood_volume_ml wbc_giga_per_l"),
    "marrow_nucleated_cells": refusal(
        cm.marrow_nucleated_cells, {"weight_kg": 70.0, "cells_per_kg": 1e10},
        {"weight_kg": outside_row("weight_kg"), "cells_per_kg": outside_row("marrow_cells_per_kg")},
        arrays="weight_kg cells_per_kg"),
    "marrow_blasts": refusal(
        cm.marrow_blasts, {"weight_kg": 70.0, "cellularity_fraction": 0.9, "infiltration_fraction": 0.7,
                           "normal_cellularity_fraction": 0.6, "cells_per_kg": 1e10},
        {"weight_kg": outside_row("weight_kg"), "cellularity_fraction": FRACTION, "infiltration_fraction": FRACTION,
         "normal_cellularity_fraction": outside_row("normal_cellularity_fraction"),
         "cells_per_kg": outside_row("marrow_cells_per_kg")},
        arrays="weight_kg cellularity_fraction infiltration_fraction normal_cellularity_fraction cells_per_kg"),
    "total_blasts": refusal(
        cm.total_blasts, {"circulating_blasts": 1e9, "marrow_blasts": 1e11},
        {"circulating_blasts": outside_row("blasts"), "marrow_blasts": outside_row("blasts")}, arrays="circulating_blasts marrow_blasts"),
    "antigen_burden_molecules": refusal(
        cm.antigen_burden_molecules, {"blasts": 1e10, "molecules_per_blast": 2.2e4},
        {"blasts": outside_row("blasts"), "molecules_per_blast": outside_row("antigen_molecules_per_blast")},
        arrays="blasts molecules_per_blast"),
    "p_from_antigen": refusal(
        cm.p_from_antigen, {"antigen_molecules": 1e15, "reference_antigen_molecules": 2.2e13},
        {"antigen_molecules": outside_row("antigen_molecules"), "reference_antigen_molecules": POSITIVE},
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
    "age_group": refusal(bd.age_group, {"age_years": 40.0}, {"age_years": outside_row("age_years")},
                         arrays="age_years"),
    "patient_from_measurements": refusal(
        bd.patient_from_measurements, MEASUREMENTS,
        {"weight_kg": outside_row("weight_kg"), "age_years": st.one_of(outside_row("age_years"), st.just(99.0)),
         "sex": BAD_CHOICE, "wbc_giga_per_l": outside_row("wbc_giga_per_l"), "blood_blast_fraction": FRACTION,
         "marrow_infiltration_fraction": FRACTION, "marrow_cellularity_fraction": FRACTION,
         "antigen_molecules_per_blast": outside_row("antigen_molecules_per_blast"),
         "label": st.sampled_from([1, None, b"x"])},
        arrays="weight_kg wbc_giga_per_l blood_blast_fraction marrow_infiltration_fraction "
               "marrow_cellularity_fraction antigen_molecules_per_blast"),
    "fixed_tornado_ranges": refusal(bd.fixed_tornado_ranges, {"group": "adult", "state": "relapse"},
                                    {"group": BAD_CHOICE, "state": BAD_CHOICE}),
    "sensitivity_state": refusal(
        bd.sensitivity_state, {"patient": PATIENT},
        {"patient": st.one_of(BAD_OBJECT, st.just(PATIENT.replace(weight_kg=[60.0, 70.0])))}),
    "sensitivity_p_range": refusal(
        bd.sensitivity_p_range, {"patient": PATIENT, "group": "adult", "state": "relapse"},
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
        cm.clone_capacity, {"repertoire": REPERTOIRE, "t_days": [0.0, 1.0], "settings": EQ2_SETTINGS},
        {"repertoire": st.one_of(BAD_OBJECT, st.just(LIBRARY)),
         "t_days": st.one_of(NON_NEGATIVE, st.just([[0.0, 1.0]])), "settings": EQ2_SETTINGS_BAD}, arrays="t_days"),
    "expand_repertoire": refusal(
        cm.expand_repertoire, {"repertoire": REPERTOIRE, "settings": EQ2_SETTINGS},
        {"repertoire": st.one_of(BAD_OBJECT, st.just(LIBRARY)), "settings": EQ2_SETTINGS_BAD}),
    "expand_clones": refusal(
        cm.expand_clones, {"repertoire": REPERTOIRE, "clones": [0, 1], "n0": [1.0, 2.0], "presented": [True, False],
                           "settings": EQ2_SETTINGS},
        {"repertoire": st.one_of(BAD_OBJECT, st.just(LIBRARY)),
         "clones": st.sampled_from([[0.0, 1.0], [-1, 0], [0, 10**6], [], [[0, 1]], ["a", "b"], [True, False], None,
                                    [[0], [1, 2]], 0]),
         "n0": st.one_of(POSITIVE, st.sampled_from([[1.0, 2.0, 3.0], [[1.0, 2.0]]])),
         "presented": st.sampled_from([1, [1, 0], "yes", None, [True], [[True, False]], [True, None]]),
         "settings": EQ2_SETTINGS_BAD}),
    "equation_2_settings": refusal(
        cm.equation_2_settings, dict(REP_SETTINGS), dict(REP_SETTINGS_BAD), scalars="r q K days dt"),
    "sweep_tumour_fraction": refusal(
        cm.sweep_tumour_fraction, {"repertoire": REPERTOIRE, "tumour_fractions": [0.0, 0.5], "seed": 1,
                                   "settings": EQ2_SETTINGS},
        {"repertoire": st.one_of(BAD_OBJECT, st.just(LIBRARY)),
         "tumour_fractions": st.one_of(FRACTION, st.sampled_from([[], [[0.1, 0.2]], [0.1, 1.5]])), "seed": BAD_SEED,
         "settings": EQ2_SETTINGS_BAD}),
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
        cm.relevant_clones, {"repertoire": REPERTOIRE, "response_cells": 1e3, "settings": EQ2_SETTINGS},
        {"repertoire": BAD_OBJECT, "response_cells": POSITIVE, "settings": EQ2_SETTINGS_BAD}, scalars="response_cells"),
    "simulate_dli_trial": refusal(
        cm.simulate_dli_trial,
        {"repertoire": REPERTOIRE, "dose_cells": 100, "rho_p": 0.2, "patients": 5, "seed": 1, "infusions": 1,
         "presentation": "per_infusion", "response_cells": 1e3, "settings": EQ2_SETTINGS},
        {"repertoire": BAD_OBJECT, "dose_cells": BAD_INT, "rho_p": FRACTION, "patients": BAD_INT, "seed": BAD_SEED,
         "infusions": BAD_INT, "presentation": BAD_CHOICE, "response_cells": POSITIVE, "settings": EQ2_SETTINGS_BAD},
        scalars="rho_p response_cells"),
    # reading the burden from counts
    "sample_counts": refusal(
        cm.sample_counts,
        {"sample_days": [1.0, 3.0, 7.0], **EQ1, "n0": 1.0, "scale": 1.0, "noise_sd": 0.3, "rng": np.random.default_rng(0),
         "dt": 1.0, "reading": "exact", "b_placement": "capacity"},
        {"sample_days": BAD_SAMPLE_DAYS, **EQ1_BAD, "n0": POSITIVE, "scale": POSITIVE, "noise_sd": NON_NEGATIVE,
         "rng": st.sampled_from([1, None, "rng", np.random.RandomState(0)]), "dt": st.one_of(POSITIVE, st.just(0.7)),
         "reading": BAD_CHOICE, "b_placement": BAD_CHOICE},
        arrays="r q B P K n0 scale", scalars="noise_sd dt"),
    "log_sensitivities": refusal(
        cm.log_sensitivities, {**EQ1, "n0": 1.0, **HORIZON, "days": 10.0},
        {"r": POSITIVE, "q": POSITIVE, "B": POSITIVE, "P": POSITIVE, "K": POSITIVE, "n0": POSITIVE, **HORIZON_BAD},
        scalars="r q P days dt"),
    "fit_burden": refusal(
        cm.fit_burden,
        {"sample_days": STANDARD_DAYS, "counts": STANDARD_COUNTS, "B": EQ1["B"], "K": EQ1["K"], "r": EQ1["r"], "q": EQ1["q"],
         "n0": 1.0, "scale": 1.0, "free": (), "noise_sd": None, "confidence": 0.95, "bounds": None,
         "flat_factor": 10.0, "horizon_days": None, "dt": 1.0, "reading": "exact", "b_placement": "capacity"},
        {"sample_days": st.one_of(BAD_SAMPLE_DAYS, st.just(STANDARD_DAYS[:-1])),
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
        {"sample_days": STANDARD_DAYS, "counts": (STANDARD_COUNTS, STANDARD_COUNTS), "B": EQ1["B"], "K": EQ1["K"],
         "r": EQ1["r"], "q": EQ1["q"], "n0": 1.0, "scale": 1.0, "free": (), "noise_sd": None, "confidence": 0.95,
         "bounds": None, "flat_factor": 10.0, "dt": 1.0, "reading": "exact", "b_placement": "capacity"},
        {"sample_days": st.one_of(BAD_SAMPLE_DAYS, st.just(STANDARD_DAYS[:-1])),
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
         "P_range": (1e2, 1e5), "q_range": (0.9, 1.35), "scale_decades": 0.7, "sample_days": STANDARD_DAYS, "noise_sd": 0.3,
         "r_log_sd": 0.0, "reading": "exact"},
        {"patients": BAD_INT, "rng": st.sampled_from([1, None, "rng", np.random.RandomState(0)]), "r": POSITIVE,
         "B": POSITIVE, "K": POSITIVE, "n0": POSITIVE, "P_range": BAD_PAIR,
         "q_range": st.sampled_from([(-1.0, 1.0), (2.0, 1.0), (1.0,), "ab", None, (math.nan, 1.0), 3.0]),
         "scale_decades": NON_NEGATIVE, "sample_days": BAD_SAMPLE_DAYS, "noise_sd": NON_NEGATIVE, "r_log_sd": NON_NEGATIVE,
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
    "burden_for_ceiling": refusal(
        cm.burden_for_ceiling,
        {"ceiling": 1e8, "n0": 1.0, **{k: EQ1[k] for k in "rqBK"}, "max_P": 1e12, **HORIZON, "rtol": 1e-3},
        {"ceiling": POSITIVE, "n0": POSITIVE, **{k: EQ1_BAD[k] for k in "rqBK"},
         "max_P": outside(1.0, 1e30), **HORIZON_BAD, "rtol": outside(0.0, 0.1, low_open=True)},
        arrays="ceiling n0 r q B K", scalars="max_P rtol"),
    "burden_for_fraction": refusal(
        population.burden_for_fraction,
        {"cohort": population.draw_cohort(3, seed=1), "fraction": 0.9, "n0": 1.0, "ceiling": 1e8, **HORIZON},
        {"cohort": BAD_OBJECT, "fraction": outside(0.0, 1.0, low_open=True), "n0": POSITIVE, "ceiling": POSITIVE,
         **HORIZON_BAD},
        scalars="fraction"),
    "published_typical_course": refusal(
        calibration.published_typical_course, {"sample_days": 5.0}, {"sample_days": NON_NEGATIVE},
        arrays="sample_days"),
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
    "published_variability": refusal(
        variability.published_variability, {"method": "moments", "n_patients": 10, "seed": 1},
        {"method": BAD_CHOICE, "n_patients": st.one_of(BAD_INT, st.sampled_from([1, 10_000_001])), "seed": BAD_SEED}),
    "count_virtual_patients": refusal(
        variability.count_virtual_patients,
        {"n_patients": 3, "seed": 1, "sample_days": [1.0, 9.0], "noise_sd": 0.3, "scale_decades": 0.7,
         "r_log_sd": None, "reading": "exact"},
        {"n_patients": st.one_of(BAD_INT, st.just(1_000_001)), "seed": BAD_SEED, "sample_days": NON_NEGATIVE,
         "noise_sd": NON_NEGATIVE, "scale_decades": NON_NEGATIVE, "r_log_sd": st.sampled_from([-0.1, math.nan, "x"]),
         "reading": BAD_CHOICE},
        scalars="noise_sd scale_decades r_log_sd"),
    "virtual_patients": refusal(
        variability.virtual_patients, {"n_patients": 3, "seed": 1, "calibration": None},
        {"n_patients": st.one_of(BAD_INT, st.just(10_000_001)), "seed": BAD_SEED,
         "calibration": st.sampled_from(["x", 1.0, object(), {"r": 1.0}])}),
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
    assert_drawn_call_refused(data, REFUSALS, in_arrays=True)


VALID_WHERE_NONE = {"clear_by_day": 30.0, "horizon_days": 40.0, "noise_sd": 0.3, "r_log_sd": 0.1}


@pytest.mark.parametrize(("function", "name"), sorted((f, name) for f, spec in REFUSALS.items() for name in spec.scalars))
def test_arrays_where_a_scalar_is_required_are_refused(function, name):
    # every one: some (draw_peptides' tumour_fraction, dose_for_ceiling's min_n0, ...) once raised numpy's
    # "only 0-dimensional arrays can be converted to Python scalars"
    spec = REFUSALS[function]
    value = spec.valid[name] if spec.valid[name] is not None else VALID_WHERE_NONE[name]
    assert_refused(lambda: spec.call(**{**spec.valid, name: [value, value]}), name)  # valid values, but two


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
# every public callable has its properties

# Modules whose public names are records of the paper's numbers, not functions of reader input.
NOT_FUZZED_MODULES = {"cartmodel.paper", "cartmodel.published"}

# The properties over valid ranges, one module per subject; a registered test must live in one of them.
SUBJECT_MODULES = (model_properties, burden_properties, repertoire_properties, fitting_properties, dosing_properties,
                   plotting_properties, widgets_properties)
P = equation_1  # the lead's properties of Equation 1 (tests/test_properties.py)
REFUSED = test_bad_input_is_refused_naming_the_parameter
# callable -> (property over valid ranges, property over bad input)
# property over valid ranges -> the callables it covers; test_bad_input_is_refused_naming_the_parameter fuzzes their bad input
VALID_RANGES_THEN_REFUSED: dict[Callable[..., Any], tuple[Callable[..., Any], ...]] = {
    burden_properties.test_wbc_unit_conversions_round_trip: (cm.wbc_cells_per_ul_from_giga_per_l, cm.wbc_giga_per_l_from_cells_per_ul),
    burden_properties.test_blood_volumes: (cm.blood_volume_ml, cm.nadler_blood_volume_ml),
    burden_properties.test_blasts_in_marrow_and_blood: (cm.normal_cellularity_fraction, cm.circulating_blasts, cm.marrow_nucleated_cells,
        cm.marrow_blasts, cm.total_blasts),
    burden_properties.test_antigen_burden_and_P_round_trip: (cm.antigen_burden_molecules, cm.p_from_antigen, cm.antigen_from_p),
    burden_properties.test_estimate_burden_for_any_patient: (cm.AllPatient, cm.estimate_burden),
    burden_properties.test_one_at_a_time_sensitivity: (cm.one_at_a_time_sensitivity,),
    burden_properties.test_tornado_ranges_feed_the_sensitivity_analysis: (bd.tornado_ranges, bd.fixed_tornado_ranges),
    burden_properties.test_marrow_blast_share: (bd.marrow_blast_share,),
    burden_properties.test_patient_from_measurements: (bd.age_group, bd.patient_from_measurements),
    burden_properties.test_sensitivity_range_holds_the_estimate: (bd.sensitivity_state, bd.sensitivity_p_range),
    repertoire_properties.test_draw_repertoire: (cm.PeptideLibrary, cm.Repertoire, cm.draw_repertoire),
    repertoire_properties.test_draw_peptides: (cm.draw_peptides,),
    repertoire_properties.test_clone_capacity_and_expand_repertoire: (cm.clone_capacity, cm.expand_repertoire, cm.equation_2_settings),
    repertoire_properties.test_expand_clones_runs_the_chosen_clones: (cm.expand_clones,),
    repertoire_properties.test_sweep_tumour_fraction: (cm.sweep_tumour_fraction,),
    repertoire_properties.test_rank_frequency: (cm.rank_frequency,),
    repertoire_properties.test_fit_power_law_exponent: (cm.fit_power_law_exponent,),
    repertoire_properties.test_response_probabilities: (cm.response_probability, cm.cumulative_response_probability),
    repertoire_properties.test_capture_probability_and_dose_for_capture: (cm.capture_probability, cm.dose_for_capture),
    repertoire_properties.test_relevant_clones_and_dli_trial: (cm.relevant_clones, cm.simulate_dli_trial),
    fitting_properties.test_sample_counts_and_log_sensitivities: (cm.sample_counts, cm.log_sensitivities),
    fitting_properties.test_fit_burden_reads_a_burden: (cm.fit_burden,),
    fitting_properties.test_fit_cohort_reaches_fit_burdens_minimum: (cm.fit_cohort,),
    fitting_properties.test_cohort_recovery_counts_the_patients: (cm.cohort_recovery,),
    fitting_properties.test_clopper_pearson_leaves_half_the_error_in_each_tail: (cm.clopper_pearson,),
    fitting_properties.test_synthetic_cohort_draws_within_its_ranges: (cm.synthetic_cohort,),
    dosing_properties.test_dose_response_agrees_with_simulate: (cm.dose_response,),
    dosing_properties.test_dose_for_ceiling: (cm.dose_for_ceiling,),
    dosing_properties.test_burden_for_ceiling: (cm.burden_for_ceiling,),
    dosing_properties.test_burden_for_fraction: (population.burden_for_fraction,),
    dosing_properties.test_split_doses: (cm.split_doses,),
    dosing_properties.test_calibration_to_the_published_course: (calibration.published_typical_course,
        calibration.calibrate_to_tisagenlecleucel),
    dosing_properties.test_split_schedule: (cm.split_schedule,),
    model_properties.test_sci_shows_the_value_to_its_digits: (reporting.sci,),
    widgets_properties.test_format_cells: (widgets.format_cells,),
    dosing_properties.test_draw_cohort_and_target_attainment: (population.draw_cohort, population.target_attainment,
        population.lognormal_sd_from_cv),
    dosing_properties.test_published_variability_and_virtual_patients: (variability.published_variability, variability.virtual_patients,
        variability.count_virtual_patients),
}
COVERAGE: dict[Callable[..., Any], tuple[Callable[..., Any], Callable[..., Any]]] = {
    **{function: (model_properties.test_engine_pieces_compose_to_simulate, model_properties.test_engine_refuses_bad_input)
       for function in (engine.time_grid, engine.check_model_parameters, engine.broadcast_shape, engine.check_doses,
                        engine.doses_by_step, engine.check_capacity_range, engine.check_run)},
    # The engine's computing functions trust their callers (checked at the front doors above and
    # in simulate, dose_response, ...): they have a property over valid input and none over bad input.
    **{function: (model_properties.test_engine_pieces_compose_to_simulate,
                  model_properties.test_engine_pieces_compose_to_simulate)
       for function in (engine.tumour_term, engine.capacity_from_tumour, engine.logistic_steps, engine.iterate,
                        engine.first_day_below)},
    **{function: (model_properties.test_parameter_table_checks_labels_and_exports,
                  model_properties.test_parameter_table_refuses_unknown_names)
       for function in (check, label, table_for_browser, Parameter)},
    cm.simulate: (P.test_simulate_in_range_is_finite_and_positive_or_refuses_overflow,
                  P.test_simulate_bad_input_raises_naming_the_parameter),
    cm.capacity: (P.test_capacity_and_plateau, P.test_other_functions_bad_input),
    cm.plateau_level: (P.test_capacity_and_plateau, P.test_other_functions_bad_input),
    cm.tumour_clearance_day: (P.test_tumour_clearance_day_agrees_with_simulation, P.test_other_functions_bad_input),
    cm.affinity_from_ic50: (P.test_affinity_from_ic50, P.test_affinity_from_ic50),
    # trusts its callers (expand_clones, simulate_dli_trial check their inputs first)
    cm.expand_checked: (repertoire_properties.test_expand_clones_runs_the_chosen_clones,
                                repertoire_properties.test_expand_clones_runs_the_chosen_clones),
    **{function: (dosing_properties.test_killing_model_agrees_with_its_pieces,
                  dosing_properties.test_killing_refuses_bad_input)
       for function in (killing.simulate_killing, killing.killing_dose_response, killing.kill_per_day)},
    # trusts its callers (simulate_killing and killing_dose_response check their inputs first)
    engine.capacity_coefficients: (dosing_properties.test_killing_model_agrees_with_its_pieces,
                                   dosing_properties.test_killing_model_agrees_with_its_pieces),
    **{function: (dosing_properties.test_killing_calibration_window_and_patients,
                  dosing_properties.test_killing_refuses_bad_input)
       for function in (killing.calibrate_killing, killing.calibrated_window, killing.dose_window,
                        killing.killing_patients, bd.blasts_left_for_share)},
    **{getattr(plotting, name): (dosing_properties.test_killing_refuses_bad_input,
                                 dosing_properties.test_killing_refuses_bad_input)
       for name in ("plot_kill_scan", "plot_dose_window", "plot_verdicts")},
    plotting.plot_target_attainment: (plotting_properties.test_plotting_draws_valid_inputs,
                                      plotting_properties.test_plotting_refuses_bad_input),
    widgets.DosingExplorer: (widgets_properties.test_dosing_explorer, widgets_properties.test_widgets_refuse_bad_input),
    widgets.NomogramExplorer: (widgets_properties.test_nomogram_explorer, widgets_properties.test_widgets_refuse_bad_input),
    widgets.ScheduleExplorer: (widgets_properties.test_schedule_explorer, widgets_properties.test_widgets_refuse_bad_input),
    **{getattr(plotting, name): (plotting_properties.test_plotting_draws_valid_inputs,
                                 plotting_properties.test_plotting_refuses_bad_input) for name in [
        "find_artist", "nomogram_lines", "plot_against_burden", "plot_burden_fit", "plot_burden_profile",
        "plot_burden_recovery", "plot_dosing_curves", "plot_expansions", "plot_figure_1", "plot_figure_2", "plot_figure_3",
        "plot_kinetics", "plot_nomogram", "plot_rank_frequency", "plot_readings", "plot_response_by_infusions",
        "plot_schedule", "plot_sensitivities", "plot_tornado", "schedule_markers",
        "plot_dose_response", "plot_split_ratios", "plot_reference_sweep", "plot_relative_peaks",
    ]},
    **{function: (test, REFUSED) for test, functions in VALID_RANGES_THEN_REFUSED.items() for function in functions},
}
# Results (and the one warning) that readers do not build: fuzzed through the function that makes them.
RESULTS: dict[type, Callable[..., Any]] = {
    engine.CheckedRun: engine.check_run,
    cm.Expansion: cm.simulate, cm.BurdenEstimate: cm.estimate_burden, bd.SensitivityBar: cm.one_at_a_time_sensitivity,
    cm.PowerLawFit: cm.fit_power_law_exponent, cm.RepertoireExpansion: cm.expand_repertoire,
    cm.TumourFractionSweep: cm.sweep_tumour_fraction, cm.Equation2Settings: cm.equation_2_settings,
    cm.DLITrial: cm.simulate_dli_trial, cm.BurdenFit: cm.fit_burden, cm.IdentifiabilityWarning: cm.fit_burden,
    calibration.Calibration: calibration.calibrate_to_tisagenlecleucel,
    calibration.CalibratedModel: calibration.calibrate_to_tisagenlecleucel,
    cm.CohortFit: cm.fit_cohort, cm.CohortRecovery: cm.cohort_recovery, cm.SyntheticCohort: cm.synthetic_cohort,
    cm.CeilingDose: cm.dose_for_ceiling, cm.DoseResponse: cm.dose_response, cm.ScheduleComparison: cm.split_schedule,
    reporting.Quantity: reporting.sci,
    population.Cohort: population.draw_cohort, population.TargetAttainment: population.target_attainment,
    variability.VirtualPatients: variability.virtual_patients, variability.Patients: variability.virtual_patients,
    killing.DoseWindow: killing.dose_window, killing.KillingCalibration: killing.calibrate_killing,
    killing.KillingPatients: killing.killing_patients,
}
# Table-driven properties: the callable must have a row in the table.
TABLES: dict[Callable[..., Any], Callable[[Callable[..., Any]], bool]] = {
    test_bad_input_is_refused_naming_the_parameter: lambda f: any(s.call is f for s in REFUSALS.values()),
    plotting_properties.test_plotting_refuses_bad_input: lambda f: any(s.call is f for s in plotting_properties.PLOT_REFUSALS.values()),
    widgets_properties.test_widgets_refuse_bad_input: lambda f: any(s.call is f for s in widgets_properties.WIDGET_REFUSALS.values()),
    plotting_properties.test_plotting_draws_valid_inputs: lambda f: f.__name__ in plotting_properties.PLOTTERS,
    dosing_properties.test_killing_refuses_bad_input:
        lambda f: any(entry[0] is f for entry in dosing_properties.KILLING_REFUSALS.values()),
}


def public_callables() -> dict[str, Callable[..., Any]]:
    """Every public function and class of cartmodel: ``cartmodel.__all__`` and each public module's names.

    Subpackages' modules count too (``cartmodel.plotting.dosing``); a module is private when any part
    of its dotted name starts with an underscore (``cartmodel.plotting._common``).
    """
    import pkgutil

    found = {name: getattr(cm, name) for name in cm.__all__}
    for info in pkgutil.walk_packages(cm.__path__, "cartmodel."):
        module_name = info.name
        if any(part.startswith("_") for part in module_name.split(".")) or module_name in NOT_FUZZED_MODULES:
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
    here = {__name__, equation_1.__name__, *(module.__name__ for module in SUBJECT_MODULES)}
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
        made = (produced, *typing.get_args(produced))
        # a base class of results (CalibratedModel, Patients) is made through a maker of one of them
        assert result is cm.IdentifiabilityWarning or any(isinstance(kind, type) and issubclass(kind, result)
                                                          for kind in made), (result, maker)
