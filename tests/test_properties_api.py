"""Property-based tests (hypothesis): bad input to every public callable, and which property covers each.

The properties over valid ranges live in one module per subject (test_properties_model,
_burden, _repertoire, _fitting, _dosing, _plotting, _widgets), their shared
strategies in tests/strategies.py. This module holds the cross-cutting tables:

* ``REFUSALS``: outside the valid ranges, the only exceptions are ValueError and TypeError, and the
  message names the offending parameter.  pytest runs with ``filterwarnings = error``, so any
  warning on the way (overflow, division by zero, a matplotlib complaint) fails the property too.
* A meta-test fails when a public callable has no property over valid input or none over bad
  input, so that a function added later needs its fuzz tests.
"""

from __future__ import annotations

import functools
import inspect
import math
import re
import sys
import typing
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.strategies._internal.strategies import OneOfStrategy, SampledFromStrategy

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

from . import test_properties_burden as burden_properties
from . import test_properties_dosing as dosing_properties
from . import test_properties_fitting as fitting_properties
from . import test_properties_model as model_properties
from . import test_properties_plotting as plotting_properties
from . import test_properties_repertoire as repertoire_properties
from . import test_properties_widgets as widgets_properties
from .conftest import examples
from .strategies import (
    BAD_BY_NAME,
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
    EQ2_SETTINGS,
    FRACTION,
    HORIZON,
    HORIZON_BAD,
    LIBRARY,
    NON_NEGATIVE,
    PATIENT,
    PATIENT_FIELDS,
    POSITIVE,
    RATES,
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
# bad input to every function; parameters not named here get the strategy of their name (strategies.BAD_BY_NAME)
# or of their row of the parameter table

MEASUREMENTS = dict(weight_kg=70.0, age_years=40.0, sex="woman", wbc_giga_per_l=20.0, blood_blast_fraction=0.5,
                    marrow_infiltration_fraction=0.7, marrow_cellularity_fraction=0.9,
                    antigen_molecules_per_blast=2.2e4, label="")
COHORT = population.draw_cohort(3, seed=1)
EQ2_SETTINGS_BAD = BAD_BY_NAME["settings"]
KILLING_FIT = killing.calibrate_killing(kill_rate=0.0)
# fit_burden and fit_cohort share every keyword but counts (and fit_burden's horizon_days)
FIT_VALID = {"sample_days": STANDARD_DAYS, "B": EQ1["B"], "K": EQ1["K"], "r": EQ1["r"], "q": EQ1["q"], "n0": 1.0, "scale": 1.0,
             "free": (), "noise_sd": None, "confidence": 0.95, "bounds": None, "flat_factor": 10.0, "dt": 1.0, "reading": "exact",
             "b_placement": "capacity"}
FIT_BAD = {"sample_days": st.one_of(BAD_SAMPLE_DAYS, st.just(STANDARD_DAYS[:-1])), "B": POSITIVE, "K": POSITIVE, "r": POSITIVE,
           "q": NON_NEGATIVE, "n0": POSITIVE, "scale": POSITIVE,
           "free": st.sampled_from([("P",), ("r", "r"), "q", None, ("scale", 1), ("r", "q", "scale", "x"), 3]),
           "noise_sd": outside(0.0, low_open=True, none_ok=True), "confidence": outside(0.0, 1.0, low_open=True, high_open=True),
           "bounds": st.sampled_from([{"P": (0.0, 1.0)}, {"P": (5.0, 1.0)}, {"x": (1.0, 2.0)}, [("P", (1.0, 2.0))],
                                      {"P": 3.0}, {"P": (1.0, math.inf)}, {"P": ("a", 2.0)}, "P"]),
           "flat_factor": outside(1.0, low_open=True), "dt": st.one_of(POSITIVE, st.just(0.7)), "reading": BAD_CHOICE,
           "b_placement": BAD_CHOICE}
REFUSALS: dict[str, Refusal] = {
    # the burden estimate
    "wbc_cells_per_ul_from_giga_per_l": refusal(cm.wbc_cells_per_ul_from_giga_per_l, {"wbc_giga_per_l": 4.5}, arrays="wbc_giga_per_l"),
    "wbc_giga_per_l_from_cells_per_ul": refusal(
        cm.wbc_giga_per_l_from_cells_per_ul, {"wbc_cells_per_ul": 4500.0}, arrays="wbc_cells_per_ul"
    ),
    "blood_volume_ml": refusal(
        cm.blood_volume_ml, {"weight_kg": 70.0}, {"ml_per_kg": outside_row("blood_volume_ml_per_kg", none_ok=True)}, arrays="weight_kg"
    ),
    "nadler_blood_volume_ml": refusal(
        cm.nadler_blood_volume_ml, {"height_m": 1.75, "weight_kg": 75.0, "sex": "man"}, arrays="height_m weight_kg"
    ),
    "normal_cellularity_fraction": refusal(cm.normal_cellularity_fraction, {"age_years": 40.0}, arrays="age_years"),
    "circulating_blasts": refusal(
        cm.circulating_blasts,
        {"blast_fraction": 0.5, "blood_volume_ml": 5000.0, "wbc_giga_per_l": 10.0},
        {"wbc_cells_per_ul": st.sampled_from([10.0, -1.0, "x", math.nan])},  # a second count is refused
        arrays="blast_fraction blood_volume_ml wbc_giga_per_l",
    ),
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
    "p_from_antigen": refusal(cm.p_from_antigen, {"antigen_molecules": 1e15}, arrays="antigen_molecules reference_antigen_molecules"),
    "antigen_from_p": refusal(cm.antigen_from_p, {"P": 10.0}, arrays="P reference_antigen_molecules"),
    "AllPatient": refusal(
        cm.AllPatient, {name: getattr(PATIENT, name) for name in PATIENT_FIELDS}, arrays=" ".join(PATIENT_FIELDS)
    ),
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
    "age_group": refusal(bd.age_group, {"age_years": 40.0}, arrays="age_years"),
    "patient_from_measurements": refusal(
        bd.patient_from_measurements,
        MEASUREMENTS,
        {"age_years": st.one_of(outside_row("age_years"), st.just(99.0))},
        arrays="weight_kg wbc_giga_per_l blood_blast_fraction marrow_infiltration_fraction marrow_cellularity_fraction "
        "antigen_molecules_per_blast",
    ),
    "fixed_tornado_ranges": refusal(bd.fixed_tornado_ranges, {"group": "adult", "state": "relapse"}),
    "sensitivity_state": refusal(
        bd.sensitivity_state, {"patient": PATIENT}, {"patient": st.one_of(BAD_OBJECT, st.just(PATIENT.replace(weight_kg=[60.0, 70.0])))}
    ),
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
    "expand_repertoire": refusal(cm.expand_repertoire, {"repertoire": REPERTOIRE, "settings": EQ2_SETTINGS}),
    "expand_clones": refusal(
        cm.expand_clones,
        {"repertoire": REPERTOIRE, "clones": [0, 1], "n0": [1.0, 2.0], "presented": [True, False], "settings": EQ2_SETTINGS},
        {
            "clones": st.sampled_from([[0.0, 1.0], [-1, 0], [0, 10**6], [], [[0, 1]], ["a", "b"], [True, False], None, [[0], [1, 2]], 0]),
            "n0": st.one_of(POSITIVE, st.sampled_from([[1.0, 2.0, 3.0], [[1.0, 2.0]]])),
            "presented": st.sampled_from([1, [1, 0], "yes", None, [True], [[True, False]], [True, None]]),
        },
    ),
    "equation_2_settings": refusal(cm.equation_2_settings, {"days": 10.0}, scalars="r q K days dt"),
    "sweep_tumour_fraction": refusal(
        cm.sweep_tumour_fraction,
        {"repertoire": REPERTOIRE, "tumour_fractions": [0.0, 0.5], "seed": 1, "settings": EQ2_SETTINGS},
        {"tumour_fractions": st.one_of(FRACTION, st.sampled_from([[], [[0.1, 0.2]], [0.1, 1.5]]))},
    ),
    "rank_frequency": refusal(cm.rank_frequency, {"sizes": [1.0, 2.0, 3.0]}, {"sizes": BAD_VECTOR}),
    "fit_power_law_exponent": refusal(
        cm.fit_power_law_exponent, {"values": [1.0, 2.0, 3.0, 4.0], "minimum": 1.0},
        {"values": st.one_of(BAD_VECTOR, st.sampled_from([[1.0, 1.0, 1.0], [2.0]])),
         "minimum": st.one_of(POSITIVE, st.sampled_from([3.5, 10.0]))}, scalars="minimum"),
    # the response to donor lymphocyte infusions
    "response_probability": refusal(cm.response_probability, {"rho_p": 0.2, "rho_t": 0.2}, {"rho_t": FRACTION}, arrays="rho_p rho_t"),
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
        cm.relevant_clones, {"repertoire": REPERTOIRE, "settings": EQ2_SETTINGS}, {"response_cells": POSITIVE}, scalars="response_cells"
    ),
    "simulate_dli_trial": refusal(
        cm.simulate_dli_trial,
        {"repertoire": REPERTOIRE, "dose_cells": 100, "rho_p": 0.2, "patients": 5, "seed": 1, "settings": EQ2_SETTINGS},
        {"dose_cells": BAD_INT, "infusions": BAD_INT, "response_cells": POSITIVE},
        scalars="rho_p response_cells",
    ),
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
        cm.log_sensitivities, {**EQ1, "n0": 1.0, **HORIZON, "days": 10.0}, {"q": POSITIVE, "P": POSITIVE}, scalars="r q P days dt"
    ),
    "fit_burden": refusal(
        cm.fit_burden, {**FIT_VALID, "counts": STANDARD_COUNTS, "horizon_days": None},
        {**FIT_BAD, "counts": st.one_of(POSITIVE, st.sampled_from([STANDARD_COUNTS[:-1], (0.0,) + STANDARD_COUNTS[1:],
                                                                   (math.nan,) + STANDARD_COUNTS[1:], "counts"])),
         "horizon_days": st.one_of(outside(0.0, low_open=True, none_ok=True), st.just(5.0))},
        scalars="B K r q n0 scale noise_sd confidence flat_factor horizon_days"),
    "fit_cohort": refusal(
        cm.fit_cohort, {**FIT_VALID, "counts": (STANDARD_COUNTS, STANDARD_COUNTS)},
        {**FIT_BAD, "counts": st.one_of(POSITIVE, st.sampled_from([(STANDARD_COUNTS[:-1],) * 2, STANDARD_COUNTS,
                                                                   ((0.0,) + STANDARD_COUNTS[1:], STANDARD_COUNTS),
                                                                   ((math.nan,) + STANDARD_COUNTS[1:],) * 2, "counts"]))},
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
        {"patients": 3, "rng": np.random.default_rng(0), "r": EQ1["r"], "B": EQ1["B"], "K": EQ1["K"], "sample_days": STANDARD_DAYS},
        {
            "P_range": BAD_PAIR,
            "q_range": st.sampled_from([(-1.0, 1.0), (2.0, 1.0), (1.0,), "ab", None, (math.nan, 1.0), 3.0]),
            "r_log_sd": NON_NEGATIVE,
        },
        scalars="r B K n0 scale_decades noise_sd r_log_sd",
    ),
    # dosing
    "dose_response": refusal(cm.dose_response, {"n0": 1.0, **EQ1}, arrays="n0 r q B P K"),
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
        {"cohort": COHORT, "fraction": 0.9, "n0": 1.0, "ceiling": 1e8, **HORIZON},
        {"fraction": outside(0.0, 1.0, low_open=True)},
        scalars="fraction",
    ),
    "published_typical_course": refusal(
        calibration.published_typical_course, {"sample_days": 5.0}, {"sample_days": NON_NEGATIVE}, arrays="sample_days"
    ),
    "calibrate_to_tisagenlecleucel": refusal(calibration.calibrate_to_tisagenlecleucel, {}, {"plateau": POSITIVE}, scalars="plateau"),
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
        {"cohort": COHORT, "n0_grid": [1.0, 10.0], "P_grid": [1e3], "ceiling": 1e8, "chunk_size": 100},
        {
            "n0_grid": st.one_of(BAD_VECTOR, st.just([10.0, 1.0])),
            "P_grid": st.one_of(NON_NEGATIVE, st.sampled_from([[], [[1.0, 2.0]], [1.0, math.nan]])),
            "clear_by_day": st.one_of(outside(0.0, 60.0, low_open=True), st.just(10.5)),
        },
        scalars="ceiling clearance_level clear_by_day",
    ),
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
    # the killing model
    "kill_per_day": refusal(killing.kill_per_day, {"n": 1.0, "kill_rate": 1.0, "kill_saturation": 1.0}, {"n": NON_NEGATIVE}),
    "simulate_killing": refusal(killing.simulate_killing, {**EQ1, "kill_rate": 0.5}),
    "killing_dose_response": refusal(killing.killing_dose_response, {"n0": 1.0, **EQ1, "kill_rate": 0.5}),
    "dose_window": refusal(
        killing.dose_window, {"ceiling": 1e6, "clear_by_day": 30.0, **EQ1, "kill_rate": 0.5},
        {"clear_by_day": st.sampled_from([0.0, -1.0, 61.0, math.nan, "x"]), "grid_points": st.sampled_from([2, 0, 1.5, "x"]),
         "rtol": st.sampled_from([0.0, 0.5, math.nan]), "min_n0": POSITIVE}),
    "calibrate_killing": refusal(killing.calibrate_killing, {"kill_rate": 0.0}),
    "calibrated_window": refusal(
        killing.calibrated_window,
        {"calibration": KILLING_FIT, "burden_factor": 1.0, "ceiling": 1e5, "clear_by_day": 30.0, "clearance_level": 1e-3},
        {"calibration": st.sampled_from(["x", 1.0, None]), "burden_factor": POSITIVE, "days": outside(0.0, low_open=True, none_ok=True),
         "clear_by_day": st.sampled_from([0.0, -1.0, math.nan, "x"])}),
    "killing_patients": refusal(
        killing.killing_patients, {"calibration": KILLING_FIT, "patients": variability.virtual_patients(3, seed=1)},
        {"calibration": st.sampled_from(["x", 1.0, None]), "patients": st.sampled_from(["x", None])}),
    "blasts_left_for_share": refusal(
        bd.blasts_left_for_share, {"patient": bd.EXAMPLE_PATIENTS["child, relapse"], "share": 0.05},
        {"share": st.sampled_from([0.0, 1.0, -0.1, math.nan, "x"]), "patient": st.sampled_from(["x", None])}),
    # numbers for prose
    "sci": refusal(
        reporting.sci, {"value": 1.0}, {"value": outside(), "digits": st.one_of(BAD_INT, st.sampled_from([16, 100]))}, scalars="value"
    ),
    "format_cells": refusal(widgets.format_cells, {"x": 1e6}, {"x": st.sampled_from(["1e6", None, 1 + 1j, object(), [1.0], True])}),
}


@settings(max_examples=examples(3000))
@given(data=st.data())
def test_bad_input_is_refused_naming_the_parameter(data):
    assert_drawn_call_refused(data, REFUSALS, in_arrays=True)


def listed(strategy: st.SearchStrategy[Any]) -> list[Any]:
    """The values that ``strategy`` lists (``sampled_from``, ``just``), through ``one_of``."""
    strategy = getattr(strategy, "wrapped_strategy", strategy)
    if isinstance(strategy, OneOfStrategy):
        return [value for branch in strategy.element_strategies for value in listed(branch)]
    return list(strategy.elements) if isinstance(strategy, SampledFromStrategy) else []


ALL_REFUSALS = {**REFUSALS, **plotting_properties.PLOT_REFUSALS, **widgets_properties.WIDGET_REFUSALS}


# Found once per strategy (most are shared) and read once per property, not once per row or pair
simplest = functools.cache(lambda strategy: find(strategy, lambda _: True))
source_of = functools.cache(inspect.getsource)


@pytest.mark.parametrize(("function", "name"), sorted((f, name) for f, spec in ALL_REFUSALS.items() for name in spec.bad))
def test_every_listed_bad_value_is_refused(function, name):
    # whatever the profiles draw, on every run: each listed bad value and the simplest drawn one
    spec = ALL_REFUSALS[function]
    for bad in [*listed(spec.bad[name]), simplest(spec.bad[name])]:
        assert_refused(functools.partial(spec.call, **{**spec.valid, name: bad}), name)


VALID_WHERE_NONE = {"clear_by_day": 30.0, "horizon_days": 40.0, "noise_sd": 0.3, "r_log_sd": 0.1}


@pytest.mark.parametrize(("function", "name"), sorted((f, name) for f, spec in REFUSALS.items() for name in spec.scalars))
def test_arrays_where_a_scalar_is_required_are_refused(function, name):
    # every one: some (draw_peptides' tumour_fraction, dose_for_ceiling's min_n0, ...) once raised numpy's
    # "only 0-dimensional arrays can be converted to Python scalars"
    spec = REFUSALS[function]
    value = spec.valid[name] if spec.valid[name] is not None else VALID_WHERE_NONE[name]
    assert_refused(lambda: spec.call(**{**spec.valid, name: [value, value]}), name)  # valid values, but two


# --------------------------------------------------------------------------
# every public callable has its properties

# Modules whose public names are records of the paper's numbers, not functions of reader input.
NOT_FUZZED_MODULES = {"cartmodel.paper", "cartmodel.published"}
# The properties are the hypothesis tests of these modules; those over bad input say so in their name.
PROPERTY_MODULES = (
    model_properties,
    burden_properties,
    repertoire_properties,
    fitting_properties,
    dosing_properties,
    plotting_properties,
    widgets_properties,
    sys.modules[__name__],
)
OVER_BAD_INPUT = re.compile("bad_input|refuses_unknown")
BOTH = {model_properties.test_affinity_from_ic50}  # over valid and bad input alike
# Table-driven properties reach the callables with a row in their table; the others, those they name.
TABLES = {
    test_bad_input_is_refused_naming_the_parameter: [spec.call for spec in REFUSALS.values()],
    plotting_properties.test_plotting_refuses_bad_input: [spec.call for spec in plotting_properties.PLOT_REFUSALS.values()],
    widgets_properties.test_widgets_refuse_bad_input: [spec.call for spec in widgets_properties.WIDGET_REFUSALS.values()],
}
# The engine's computing functions and expand_checked trust their callers, which check the input first.
TRUSTED = {
    engine.tumour_term,
    engine.capacity_from_tumour,
    engine.logistic_steps,
    engine.iterate,
    engine.first_day_below,
    engine.capacity_coefficients,
    cm.expand_checked,
}
ONLY_BAD_INPUT = {plotting.plot_kill_scan, plotting.plot_dose_window, plotting.plot_verdicts}  # the killing model's figures
WARNINGS = {cm.IdentifiabilityWarning: cm.fit_burden}  # fuzzed through the function that warns


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
        defined = [
            name
            for name, value in vars(module).items()
            if not name.startswith("_") and (inspect.isfunction(value) or inspect.isclass(value)) and value.__module__ == module_name
        ]
        found.update({name: getattr(module, name) for name in [*getattr(module, "__all__", ()), *defined]})
    return {f"{value.__module__}.{value.__qualname__}": value for value in found.values() if callable(value)}


def reaches(test: Callable[..., Any], function: Callable[..., Any]) -> bool:
    """Whether the property ``test`` calls ``function``: a row of its table, or a call by name in its source."""
    if test in TABLES:
        return any(call is function for call in TABLES[test])
    if test is plotting_properties.test_plotting_draws_valid_inputs:
        return function.__name__ in plotting_properties.PLOTTERS
    name = re.escape(function.__name__)
    # over bad input, a name may be a string the test looks up (test_other_functions_bad_input)
    pattern = rf"\b{name}\b" if OVER_BAD_INPUT.search(test.__name__) else rf"\b{name}\("
    return re.search(pattern, source_of(test)) is not None


def made_by(result: type, maker: Callable[..., Any]) -> bool:
    """Whether ``maker`` returns a ``result`` (or a subclass), by its annotation."""
    produced = typing.get_type_hints(maker).get("return") if inspect.isfunction(maker) else None
    return any(isinstance(kind, type) and issubclass(kind, result) for kind in (produced, *typing.get_args(produced)))


def test_every_public_callable_has_a_fuzz_test():
    public = public_callables()
    assert len(public) >= 78  # (the count when this registry was written: a sanity check of the discovery)
    assert TRUSTED | ONLY_BAD_INPUT <= set(public.values())
    properties = [test for module in PROPERTY_MODULES for name, test in vars(module).items() if name.startswith("test_")]
    properties = [test for test in properties if hasattr(test, "hypothesis")]
    over_bad = [test for test in properties if OVER_BAD_INPUT.search(test.__name__) or test in BOTH]
    over_valid = [test for test in properties if test not in over_bad or test in BOTH]
    reached = {f for f in public.values() if f in ONLY_BAD_INPUT or any(reaches(test, f) for test in over_valid)}
    # results that readers do not build: fuzzed through the function that makes them
    results = {f for f in public.values() if inspect.isclass(f) and f not in reached and any(made_by(f, maker) for maker in reached)}
    results |= {warning for warning, maker in WARNINGS.items() if maker in reached}
    missing = sorted(name for name, f in public.items() if f not in reached | results)
    assert not missing, f"public callables without a property over valid input: {missing}"
    missing = sorted(name for name, f in public.items() if f not in TRUSTED | results and not any(reaches(test, f) for test in over_bad))
    assert not missing, f"public callables without a property over bad input: {missing}"
