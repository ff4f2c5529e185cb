"""Properties (hypothesis) of reading the burden from counts (cartmodel.fitting) over valid ranges."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import cartmodel as cm
from cartmodel import fitting
from cartmodel.paper import FIGURE_1

from .conftest import examples
from .strategies import (
    AFFINITY_B,
    COHORT_FIT,
    DOSE,
    FREE_SETS,
    RATE_R,
    SCALE_K,
    SEEDS,
    STANDARD_DAYS,
    assert_counts,
    log_uniform,
)

# --------------------------------------------------------------------------
# valid ranges: reading the burden from counts


@settings(max_examples=examples(300))
@given(r=RATE_R, q=st.floats(1e-3, 2.5), B=AFFINITY_B, P=log_uniform(1e-2, 1e8), K=SCALE_K, n0=DOSE,
       scale=log_uniform(1e-3, 1e3), noise_sd=st.one_of(st.just(0.0), st.floats(0.0, 3.0)),
       sample_days=st.lists(st.integers(0, 60), min_size=1, max_size=8, unique=True).map(sorted), seed=SEEDS,
       reading=st.sampled_from(cm.READINGS), placement=st.sampled_from(cm.B_PLACEMENTS))
def test_sample_counts_and_log_sensitivities(r, q, B, P, K, n0, scale, noise_sd, sample_days, seed, reading,
                                             placement):
    eq1 = dict(r=r, q=q, B=B, P=P, K=K, n0=n0, reading=reading, b_placement=placement)
    counts = cm.sample_counts(sample_days, **eq1, scale=scale, noise_sd=noise_sd, rng=np.random.default_rng(seed))
    assert counts.shape == (len(sample_days),)
    assert_counts("sampled counts", counts)
    assert np.all(counts > 0)
    if noise_sd == 0.0:
        clean = cm.simulate(**eq1, days=max(sample_days[-1], 1), dt=1.0).car_t[sample_days]
        np.testing.assert_allclose(counts, scale * clean, rtol=1e-12)
    t, elasticity = cm.log_sensitivities(**eq1, days=60)
    assert sorted(elasticity) == ["P", "q", "r", "scale"]
    for name, values in elasticity.items():
        assert values.shape == t.shape and np.all(np.isfinite(values)), name
    assert np.all(elasticity["scale"] == 1.0)
    for name in ("P", "r", "q"):
        assert elasticity[name][0] == 0.0  # the dose alone sets the count on day 0


@settings(max_examples=examples(60))
@given(P=log_uniform(10.0, 1e5), q=st.floats(0.8, 1.4), noise_sd=st.one_of(st.just(0.0), st.floats(0.05, 0.5)),
       free=FREE_SETS, known_noise=st.booleans(), seed=SEEDS)
def test_fit_burden_reads_a_burden(P, q, noise_sd, free, known_noise, seed):
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
@given(
    P=st.lists(log_uniform(10.0, 1e5), min_size=1, max_size=3),
    q=st.floats(0.8, 1.4),
    noise_sd=st.floats(0.05, 0.5),
    free=st.sampled_from([(), ("scale",), ("q", "scale"), ("r", "q", "scale")]),
    known_noise=st.booleans(),
    seed=SEEDS,
)
def test_fit_cohort_reaches_fit_burdens_minimum(P, q, noise_sd, free, known_noise, seed):
    truth = dict(B=FIGURE_1["B"], K=FIGURE_1["K"], n0=1.0)
    sample_days = tuple(range(1, 29)) if "q" in free else STANDARD_DAYS
    counts = cm.sample_counts(sample_days, r=FIGURE_1["r"], q=q, P=np.array(P), **truth, noise_sd=noise_sd,
                              rng=np.random.default_rng(seed))
    given_noise = noise_sd if known_noise else None
    start = {"r": FIGURE_1["r"] - 0.1 if "r" in free else FIGURE_1["r"], "q": 1.1 if "q" in free else q}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        batched = cm.fit_cohort(sample_days, counts, **truth, **start, free=free, noise_sd=given_noise)
        single = [cm.fit_burden(sample_days, row, **truth, **start, free=free, noise_sd=given_noise) for row in counts]
    assert all(issubclass(w.category, cm.IdentifiabilityWarning) for w in caught), [str(w.message) for w in caught]
    assert batched.P.shape == (len(P),) and batched.free == single[0].free
    for i, fit in enumerate(single):
        # never a worse minimum than the one-patient fit, and the same one up to the optimisers' tolerance
        assert batched.rss[i] <= fit.rss * (1 + 1e-9) + 1e-12
        assert batched.rss[i] == pytest.approx(fit.rss, rel=1e-10, abs=1e-12)
        for name in fit.free:
            assert batched.estimates[name][i] == pytest.approx(fit.estimates[name], rel=1e-6), name
            assert batched.identifiable[name][i] == fit.identifiable[name], name
        np.testing.assert_allclose(batched.P_interval[i], fit.P_interval, rtol=1e-4)
        low, high = batched.P_interval[i]
        assert low <= batched.P[i] * (1 + 1e-9) and batched.P[i] <= high * (1 + 1e-9)
        assert math.isfinite(batched.noise_sd[i]) and batched.noise_sd[i] > 0
    assert np.all(batched.rss_cutoff > batched.rss)


@settings(max_examples=examples(200))
@given(trials=st.integers(1, 5000), share=st.floats(0.0, 1.0), confidence=st.floats(0.5, 0.999))
def test_clopper_pearson_leaves_half_the_error_in_each_tail(trials, share, confidence):
    successes = int(round(share * trials))
    low, high = cm.clopper_pearson(successes, trials, confidence)
    alpha = 1 - confidence
    assert 0.0 <= low <= successes / trials <= high <= 1.0
    if successes > 0:
        assert stats.binom.sf(successes - 1, trials, low) == pytest.approx(alpha / 2, rel=1e-8)
        assert low < successes / trials
    else:
        assert low == 0.0
    if successes < trials:
        assert stats.binom.cdf(successes, trials, high) == pytest.approx(alpha / 2, rel=1e-8)
        assert successes / trials < high
    else:
        assert high == 1.0
    wider = cm.clopper_pearson(successes, trials, min(confidence + 0.0005, 0.9995))
    assert wider[0] <= low and high <= wider[1]


@settings(max_examples=examples(30))
@given(patients=st.integers(1, 40), seed=SEEDS, r_log_sd=st.sampled_from([0.0, 0.05, 0.3]),
       reading=st.sampled_from(["exact", "closed", "literal"]), noise_sd=st.sampled_from([0.0, 0.3]))
def test_synthetic_cohort_draws_within_its_ranges(patients, seed, r_log_sd, reading, noise_sd):
    cohort = cm.synthetic_cohort(patients, rng=np.random.default_rng(seed), r=FIGURE_1["r"], B=FIGURE_1["B"],
                                 K=FIGURE_1["K"], sample_days=STANDARD_DAYS, noise_sd=noise_sd, r_log_sd=r_log_sd,
                                 reading=reading)
    assert cohort.size == patients and cohort.counts.shape == (patients, len(STANDARD_DAYS))
    exact = cm.synthetic_cohort(patients, rng=np.random.default_rng(seed), r=FIGURE_1["r"], B=FIGURE_1["B"], K=FIGURE_1["K"])
    np.testing.assert_array_equal(cohort.P, exact.P)  # the same burdens whatever the reading, days, noise and spread of r
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
    recovery = cm.cohort_recovery(COHORT_FIT, P_true, factor)
    truth = np.array(P_true)
    within = [abs(math.log(COHORT_FIT.P[i] / truth[i])) <= math.log(factor) for i in range(2)]
    covered = [COHORT_FIT.P_interval[i, 0] <= truth[i] <= COHORT_FIT.P_interval[i, 1] for i in range(2)]
    assert (recovery.patients, recovery.within, recovery.covered) == (2, sum(within), sum(covered))
    assert recovery.warned == int(np.sum(~COHORT_FIT.pinned_down)) and recovery.factor == factor
    assert 0.0 <= recovery.within_rate <= 1.0 and 0.0 <= recovery.coverage <= 1.0
    assert recovery == COHORT_FIT.recovery(P_true, factor)
