"""cartmodel.population: virtual cohorts and probabilities of target attainment."""

from __future__ import annotations

import math

import numpy as np
import pytest

import cartmodel as cm
from cartmodel.paper import FIGURE_1
from cartmodel.population import (
    DEFAULT_VARIABILITY,
    VARIABILITY_SOURCES,
    draw_cohort,
    target_attainment,
)

NO_VARIABILITY = {"r": 0.0, "q": 0.0, "B": 0.0, "P": 0.0}


def loop_over_patients(cohort, doses, burdens, ceiling, level, clear_by_day, days=60):
    """The same targets from one simulate call per patient, burden and dose."""
    under = np.zeros((cohort.size, burdens.size, doses.size), dtype=bool)
    target = np.zeros((cohort.size, burdens.size), dtype=bool)
    for i in range(cohort.size):
        p = cohort.patient(i)
        for j, burden in enumerate(burdens):
            P = burden * p["burden_factor"]
            for k, dose in enumerate(doses):
                run = cm.simulate(r=p["r"], q=p["q"], B=p["B"], K=p["K"], P=P, n0=dose, days=days)
                under[i, j, k] = run.car_t.max() <= ceiling
            target[i, j] = (run.tumour[: int(clear_by_day) + 1] < level).any()
    return under, target


def test_cohort_matches_a_loop_of_simulate_over_patients_doses_and_burdens():
    cohort = draw_cohort(9, seed=11, variability={"r": 0.15, "q": 0.15, "B": 0.6, "P": 0.5})
    doses, burdens = np.logspace(-3, 6, 10), np.array([1.0, 30.0, 1e3, 3e4, 1e6])
    ceiling, level, clear_by_day = 1e8, 1e-2, 30.0
    pta = target_attainment(cohort, n0_grid=doses, P_grid=burdens, ceiling=ceiling,
                            clearance_level=level, clear_by_day=clear_by_day, chunk_size=7)
    under, target = loop_over_patients(cohort, doses, burdens, ceiling, level, clear_by_day)
    # the loop finds every case the bisection must handle: all, none and some doses under
    counts = under.sum(axis=-1)
    assert (counts == 0).any() and (counts == doses.size).any() and ((counts > 0) & (counts < doses.size)).any()
    assert target.any() and (~target).any()
    # doses under the ceiling are always the smallest ones, and the counts agree exactly
    assert np.array_equal(under, np.arange(doses.size) < counts[..., None])
    np.testing.assert_array_equal(pta.doses_under_ceiling, counts)
    np.testing.assert_array_equal(pta.tumour_target_met, target)
    np.testing.assert_array_equal(pta.probability_under_ceiling, under.mean(axis=0).T)
    np.testing.assert_array_equal(pta.probability_tumour_target, target.mean(axis=0))
    np.testing.assert_array_equal(pta.probability_both, (under & target[..., None]).mean(axis=0).T)
    for fraction in (0.5, 8 / 9, 1.0):
        share = under.mean(axis=0)  # (burden, dose)
        ok = share >= fraction - 1e-12
        expected = [doses[np.flatnonzero(row)[-1]] if row.any() else np.nan for row in ok]
        np.testing.assert_array_equal(pta.dose_for_fraction(fraction), expected)
    # chunking does not change the answer
    whole = target_attainment(cohort, n0_grid=doses, P_grid=burdens, ceiling=ceiling,
                              clearance_level=level, clear_by_day=clear_by_day)
    np.testing.assert_array_equal(whole.doses_under_ceiling, pta.doses_under_ceiling)
    np.testing.assert_array_equal(whole.tumour_target_met, pta.tumour_target_met)


def test_zero_variability_is_the_typical_patient():
    cohort = draw_cohort(50, seed=5, variability=NO_VARIABILITY)
    for name in ("r", "q", "B", "K"):
        assert np.all(getattr(cohort, name) == FIGURE_1[name])
    assert np.all(cohort.burden_factor == 1.0)
    doses, burdens = np.logspace(0, 6, 40), np.logspace(0, 6, 13)
    pta = target_attainment(cohort, n0_grid=doses, P_grid=burdens, ceiling=1e8, clear_by_day=42)
    probability = pta.probability_under_ceiling
    assert set(np.unique(probability)) <= {0.0, 1.0}
    # the typical patient's peaks, from dose_response over the whole grid
    typical = {name: FIGURE_1[name] for name in ("r", "q", "B", "K")}
    peaks = cm.dose_response(n0=doses[:, None], P=burdens, **typical).peak
    np.testing.assert_array_equal(probability, (peaks <= 1e8).astype(float))
    # tumour below one AU by day 42 exactly when P < exp((r - q) * 42) (the analytic tumour term)
    limit = math.exp((FIGURE_1["r"] - FIGURE_1["q"]) * 42)
    np.testing.assert_array_equal(pta.probability_tumour_target, (burdens < limit).astype(float))
    # the dose for any fraction is the largest grid dose at or under the typical ceiling dose
    ceiling_dose = cm.dose_for_ceiling(ceiling=1e8, P=burdens, min_n0=doses[0],
                                       max_n0=doses[-1], rtol=1e-9, **typical)
    for fraction in (0.5, 0.9):
        chosen = pta.dose_for_fraction(fraction)
        for j in range(burdens.size):
            if not ceiling_dose.feasible[j]:
                assert math.isnan(chosen[j])
            else:
                assert chosen[j] <= ceiling_dose.n0[j] * (1 + 1e-6)
                above = doses[doses > chosen[j]]
                assert above.size == 0 or above[0] > ceiling_dose.n0[j] * (1 - 1e-6)


def test_cohort_is_log_normal_around_the_typical_values():
    # the default: r, B and the burden factor log-normal, and the net rate r - q log-normal (q clipped at 0)
    cohort = draw_cohort(200_000, seed=7)
    n = cohort.size
    net = FIGURE_1["r"] - FIGURE_1["q"]
    kept = cohort.q > 0  # where q was not clipped, r - q is the drawn net rate
    for name, values, typical in [("r", cohort.r, FIGURE_1["r"]), ("B", cohort.B, FIGURE_1["B"]),
                                  ("P", cohort.burden_factor, 1.0)]:
        logs = np.log(values / typical)
        omega = DEFAULT_VARIABILITY[name]
        assert abs(logs.mean()) < 5 * omega / math.sqrt(n)  # median at the typical value
        assert logs.std() == pytest.approx(omega, rel=5 * math.sqrt(0.5 / n))
    assert np.all(cohort.q < cohort.r)  # the tumour shrinks in every patient
    # the net rate, recovered from the unclipped patients and the clipped ones' share: P(net > r)
    omega_net = DEFAULT_VARIABILITY["net"]
    np.testing.assert_allclose(np.median(np.log(np.where(kept, cohort.r - cohort.q, np.inf) / net)), 0.0,
                               atol=5 * omega_net / math.sqrt(n) + np.mean(~kept))
    # independent r and net: ln r - ln net is normal, so the clipped share is a normal tail
    spread = math.hypot(DEFAULT_VARIABILITY["r"], omega_net)
    expected = 0.5 * math.erfc(math.log(FIGURE_1["r"] / net) / spread / math.sqrt(2.0))
    assert np.mean(~kept) == pytest.approx(expected, abs=5 * math.sqrt(expected / n))
    # a typical q >= r: every patient keeps the typical excess, so no patient's tumour shrinks
    stalled = draw_cohort(1000, seed=7, q=FIGURE_1["r"] + 0.2)
    np.testing.assert_allclose(stalled.q - stalled.r, 0.2, rtol=1e-12)
    # a q spread instead: independent log-normal q, no correlation with r
    independent = draw_cohort(200_000, seed=7, variability={"r": 0.1, "q": 0.1})
    logs = np.log(independent.q / FIGURE_1["q"])
    assert logs.std() == pytest.approx(0.1, rel=5 * math.sqrt(0.5 / n))
    assert abs(np.corrcoef(np.log(independent.r), logs)[0, 1]) < 5 / math.sqrt(n)
    np.testing.assert_array_equal(independent.B, cohort.B)  # the other columns are the same draws


def test_default_variability_is_the_published_spreads():
    # the round trip of lognormal_sd_from_cv: test_properties_dosing.test_draw_cohort_and_target_attainment
    # the P entry is the published CD19 spread (SD / mean) turned into a log-scale SD
    spread = cm.published.ALL_BURDEN_INPUTS
    cv = spread["cd19_molecules_per_b_cell_sd"].value / spread["cd19_molecules_per_b_cell"].value
    assert DEFAULT_VARIABILITY["P"] == pytest.approx(math.sqrt(math.log(1 + cv**2)), rel=1e-12)
    assert set(VARIABILITY_SOURCES) == set(DEFAULT_VARIABILITY)
    assert "assumption" in VARIABILITY_SOURCES["B"]
    assert all("stein2019" in VARIABILITY_SOURCES[name] for name in ("r", "net"))
    # the rate spreads are the published ones
    published = cm.variability.published_variability()
    assert (DEFAULT_VARIABILITY["r"], DEFAULT_VARIABILITY["net"]) == (published["r"], published["net"])


def test_cohorts_and_their_results_refuse_misuse():
    with pytest.raises(TypeError, match="cohort"):
        target_attainment({"r": 1.5}, n0_grid=[1.0], P_grid=[1.0], ceiling=1e8)  # type: ignore[arg-type]
    cohort = draw_cohort(3, seed=1)
    pta = target_attainment(cohort, n0_grid=[1.0, 10.0], P_grid=[1e3], ceiling=1e8)
    for bad in (0.0, 1.5):
        with pytest.raises(ValueError, match="fraction"):
            pta.dose_for_fraction(bad)
    with pytest.raises(ValueError, match="index"):
        cohort.patient(3)
    with pytest.raises(ValueError):  # read-only
        cohort.r[0] = 2.0
    with pytest.raises(AttributeError):
        cohort.seed = 3  # type: ignore[misc]


def test_plot_target_attainment_draws_the_probabilities():
    import matplotlib.pyplot as plt

    from cartmodel.plotting import find_artist, plot_target_attainment

    pta = target_attainment(draw_cohort(300, seed=9), n0_grid=np.logspace(-3, 6, 12),
                            P_grid=np.logspace(1, 5, 5), ceiling=1e8)
    fig, ax = plt.subplots()
    plot_target_attainment(pta, ax=ax, burden_indices=[1, 3], fraction=0.8)
    for j in (1, 3):
        np.testing.assert_array_equal(find_artist(ax, f"pta-ceiling-{j}").get_ydata(), pta.probability_under_ceiling[:, j])
        np.testing.assert_array_equal(find_artist(ax, f"pta-both-{j}").get_ydata(), pta.probability_both[:, j])
    assert list(find_artist(ax, "pta-fraction").get_ydata()) == [0.8, 0.8]
    with pytest.raises(ValueError, match="burden_indices"):
        plot_target_attainment(pta, ax=ax, burden_indices=[5])
    with pytest.raises(TypeError, match="result"):
        plot_target_attainment(pta.probability_under_ceiling, ax=ax)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="fraction"):
        plot_target_attainment(pta, ax=ax, fraction=0.0)
    plt.close(fig)
