"""Tests of the DLI response probability and its Monte Carlo check (cartmodel.response)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import cartmodel as cm


def _toy_repertoire():
    """Three strong tumour clones, one weak tumour clone and 96 alloreactive clones.

    Peptide 0 (tumour): IC50 2 nM, P 5; peptide 1 (tumour): IC50 400 nM, P 0.1;
    peptides 2-3: normal tissue.  With K = 1e6 and Z = 0.01 on peptide 0 the
    capacity is 1e6 * 0.01 * 0.5 * (5 e^{-0.3 t} + 1) >= 5e3 cells, far above a
    1e3-cell threshold; the weak clone (Z = 0.001 on peptide 1) has a capacity
    of at most 1e6 * 0.001 * 0.0025 * 1.1 < 3 cells and never responds.
    """
    peptides = cm.PeptideLibrary(
        ic50_nm=np.array([2.0, 400.0, 10.0, 50.0]),
        expression=np.array([5.0, 0.1, 1.0, 3.0]),
        tumour=np.array([True, True, False, False]),
    )
    sizes = np.concatenate([[2.0, 1.0, 3.0], [40.0], np.linspace(5.0, 100.0, 96)])
    affinity = np.concatenate([[0.01, 0.01, 0.01], [0.001], np.full(96, 0.002)])
    peptide = np.concatenate([[0, 0, 0], [1], np.tile([2, 3], 48)])
    return cm.Repertoire(sizes=sizes, affinity=affinity, peptide=peptide, peptides=peptides)


REP = _toy_repertoire()
RELEVANT_FREQUENCY = REP.sizes[:3].sum() / REP.sizes.sum()


# --- closed forms ------------------------------------------------------------


def test_paper_example_is_four_percent():
    ex = cm.PAPER_RESPONSE_EXAMPLE
    assert float(cm.response_probability(ex["rho_p"], ex["rho_t"])) == pytest.approx(0.04, abs=1e-15)


def test_capture_probability_matches_the_binomial_and_its_inverse():
    # P(at least one of D draws hits a clone of frequency f) by the complement,
    # written as a sum over the binomial distribution of the hits
    f, dose = 0.03, 40
    p_hits = sum(math.comb(dose, k) * f**k * (1 - f) ** (dose - k) for k in range(1, dose + 1))
    assert float(cm.capture_probability(f, dose)) == pytest.approx(p_hits, rel=1e-12)
    assert float(cm.capture_probability(f, 0)) == 0.0
    assert float(cm.capture_probability(1.0, 3)) == 1.0
    # tiny frequencies: 1 - (1 - f)^D ~ f D
    assert float(cm.capture_probability(1e-12, 1e3)) == pytest.approx(1e-9, rel=1e-6)
    dose_needed = float(cm.dose_for_capture(f, 0.2))
    assert (1 - f) ** dose_needed == pytest.approx(0.8, rel=1e-12)


# --- Monte Carlo -------------------------------------------------------------


def test_relevant_clones_are_the_strong_tumour_clones():
    relevant = cm.relevant_clones(REP, response_cells=1e3)
    np.testing.assert_array_equal(relevant, np.arange(100) < 3)


@pytest.mark.parametrize(
    ("rho_p", "dose", "infusions", "presentation"),
    [
        # one infusion, doses for rho_T 0.2, 0.3, 0.6, 0.9 and 0.05
        *[(rho_p, dose, 1, "per_infusion") for rho_p, dose in [(0.2, 189), (0.5, 302), (0.9, 776), (0.1, 1951), (0.7, 43)]],
        (0.3, 4, 3, "per_infusion"),
        (0.3, 4, 3, "per_patient"),
    ],
)
def test_monte_carlo_rate_is_within_three_standard_errors_of_the_closed_form(rho_p, dose, infusions, presentation):
    rho_t = 1 - (1 - RELEVANT_FREQUENCY) ** dose
    if presentation == "per_infusion":
        expected = 1 - (1 - rho_p * rho_t) ** infusions
    else:  # presentation fixed per patient: only capture is redrawn
        expected = rho_p * (1 - (1 - rho_t) ** infusions)
    patients = 20_000
    trial = cm.simulate_dli_trial(
        REP, dose_cells=dose, rho_p=rho_p, patients=patients, seed=2019, infusions=infusions, presentation=presentation
    )
    assert trial.rho_t == pytest.approx(rho_t, rel=1e-10) and trial.expected == pytest.approx(expected, rel=1e-12)
    assert abs(trial.rate - expected) < 3 * math.sqrt(expected * (1 - expected) / patients)
    # a response needs both events; the two are drawn independently
    assert not np.any(trial.responded & ~(trial.presented & trial.captured).any(axis=1))
    assert abs(trial.captured.mean() - rho_t) < 3 * math.sqrt(rho_t * (1 - rho_t) / (patients * infusions))


KEEP = np.arange(100) >= 3  # the weak tumour clone (index 3) and the alloreactive clones only
WEAK = cm.Repertoire(sizes=REP.sizes[KEEP], affinity=REP.affinity[KEEP], peptide=REP.peptide[KEEP], peptides=REP.peptides)


@pytest.mark.parametrize(("repertoire", "trial", "rate"), [
    (REP, dict(dose_cells=500, rho_p=0.0, patients=2000, seed=1), 0.0),  # never presented
    (REP, dict(dose_cells=20_000, rho_p=1.0, patients=2000, seed=1), 1.0),  # so large a dose that the clones are always there
    (WEAK, dict(dose_cells=5000, rho_p=1.0, patients=500, seed=3), 0.0),  # only the weak tumour clone: it never responds
    # a threshold above every capacity (the strong clones' largest is 1e6 * 0.01 * 0.5 * 6 = 3e4 cells)
    (REP, dict(dose_cells=200, rho_p=1.0, patients=500, seed=3, response_cells=1e5), 0.0),
])
def test_extreme_cases_are_exact(repertoire, trial, rate):
    result = cm.simulate_dli_trial(repertoire, **trial)
    assert result.rate == rate and (repertoire is not WEAK or result.rho_t == 0.0)


def test_same_seed_same_trial_different_seed_different_trial():
    a, b, c = (cm.simulate_dli_trial(REP, dose_cells=20, rho_p=0.5, patients=3000, seed=seed) for seed in (10, 10, 11))
    np.testing.assert_array_equal(a.responded, b.responded)
    np.testing.assert_array_equal(a.presented, b.presented)
    assert not np.array_equal(a.responded, c.responded)


# --- bad inputs --------------------------------------------------------------


@pytest.mark.parametrize("bad", [-0.1, 1.2, float("nan")])
@pytest.mark.parametrize(("call", "pattern"), [
    (lambda bad: cm.response_probability(bad, 0.2), r"rho_p must be .*\[0, 1\]"),
    (lambda bad: cm.response_probability(0.2, bad), r"rho_t must be .*\[0, 1\]"),
    (lambda bad: cm.cumulative_response_probability(bad, 2), r"rho_r must be .*\[0, 1\]"),
    (lambda bad: cm.capture_probability(bad, 10), r"frequency must be .*\[0, 1\]"),
    (lambda bad: cm.simulate_dli_trial(REP, dose_cells=10, rho_p=bad, patients=10, seed=0), r"rho_p must be .*\[0, 1\]"),
])
def test_probabilities_outside_zero_one_are_refused(call, pattern, bad):
    with pytest.raises(ValueError, match=pattern):
        call(bad)


TRIAL = dict(dose_cells=5, rho_p=0.5, patients=10, seed=0)


@pytest.mark.parametrize(("call", "error", "pattern"), [
    (lambda: cm.cumulative_response_probability(0.1, 1.5), ValueError, r"infusions must be whole numbers"),
    (lambda: cm.capture_probability(0.1, -1), ValueError, r"dose_cells \(cells\) must be"),
    (lambda: cm.simulate_dli_trial(REP, **{**TRIAL, "dose_cells": 0}), ValueError, r"dose_cells must be an integer >= 1"),
    (lambda: cm.simulate_dli_trial(REP, **{**TRIAL, "patients": 0}), ValueError, r"patients must be an integer >= 1"),
    (lambda: cm.simulate_dli_trial(REP, **TRIAL, presentation="sometimes"), ValueError, r"presentation must be one of"),
    (lambda: cm.simulate_dli_trial(REP, **TRIAL, response_cells=0.0), ValueError, r"response_cells \(cells\) must be"),
    (lambda: cm.simulate_dli_trial("donor", **TRIAL), TypeError, r"repertoire must be a Repertoire"),
    (lambda: cm.dose_for_capture(0.1, 1.0), ValueError, r"rho_t must be .*\[0, 1\)"),
])
def test_other_bad_inputs_raise_clear_errors(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()
