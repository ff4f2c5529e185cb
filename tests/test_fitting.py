"""Reading the antigen burden from CAR T counts (cartmodel.fitting).

The synthetic counts are made by Equation 1 written out by hand (tests/by_hand.py), not by
cartmodel, so the fits are checked against an independent forward model.
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest
from scipy import optimize, stats

import cartmodel as cm
from cartmodel.paper import FIGURE_1

from . import by_hand

SEED = 20190601
RICH_DAYS = [1, 3, 7, 10, 14, 21, 28]
KNOWN = {"B": FIGURE_1["B"], "K": FIGURE_1["K"], "n0": FIGURE_1["n0"]}


def equation_1_by_hand(sample_days, **params):
    """The exact reading's counts on the sample days."""
    return by_hand.equation_1_by_hand(**params, days=int(max(sample_days)))[[int(d) for d in sample_days]]


def noisy_counts(rng, sample_days, sd, *, scale=1.0, **params):
    clean = scale * equation_1_by_hand(sample_days, **params)
    return clean * np.exp(sd * rng.standard_normal(clean.shape))


# --- noise-free data: exact recovery -----------------------------------------


@pytest.mark.parametrize(
    "free, start, P",
    [
        ((), {}, 1000.0),
        ((), {}, 20.0),  # a small and a large burden
        ((), {}, 3e6),
        (("scale",), {"scale": 0.3}, 1000.0),
        (("r", "q"), {"r": 1.3, "q": 1.0}, 1000.0),
        (("r", "q", "scale"), {"r": 1.7, "q": 1.05, "scale": 10.0}, 1000.0),
    ],
)
def test_noise_free_counts_give_back_the_true_parameters(free, start, P):
    truth = {"r": 1.5, "q": 1.2, "P": P, "scale": 2.5}
    counts = truth["scale"] * equation_1_by_hand(RICH_DAYS, r=truth["r"], q=truth["q"], P=truth["P"], **KNOWN)
    fixed = {"r": truth["r"], "q": truth["q"], "scale": truth["scale"], **start}
    fit = cm.fit_burden(RICH_DAYS, counts, **KNOWN, **fixed, free=free)
    for name in ("P",) + free:
        assert fit.estimates[name] == pytest.approx(truth[name], rel=1e-6), name
    assert fit.free == ("P",) + tuple(name for name in ("r", "q", "scale") if name in free)
    # no noise: the residuals vanish and the interval shrinks onto the truth
    np.testing.assert_allclose(fit.residuals, 0.0, atol=1e-6)
    assert fit.P_interval == pytest.approx((truth["P"], truth["P"]), rel=1e-6)


# --- the profile-likelihood interval -----------------------------------------


def test_interval_ends_sit_where_the_rss_reaches_the_cut_off():
    """RSS at the ends, recomputed by hand, equals RSS_min (1 + F(1, n-1) / (n-1)); with a known noise, chi-squared."""
    rng = np.random.default_rng(SEED)
    counts = noisy_counts(rng, RICH_DAYS, 0.3, r=1.5, q=1.2, P=1000.0, **KNOWN)
    fit = cm.fit_burden(RICH_DAYS, counts, **KNOWN, r=1.5, q=1.2)

    def rss(P):
        return float(np.sum((np.log(counts) - np.log(equation_1_by_hand(RICH_DAYS, r=1.5, q=1.2, P=P, **KNOWN))) ** 2))

    n = len(RICH_DAYS)
    rss_min = rss(fit.P)
    cutoff = rss_min * (1 + stats.f.ppf(0.95, 1, n - 1) / (n - 1))
    assert fit.P_interval_closed == (True, True)
    low, high = fit.P_interval
    assert low < fit.P < high
    assert rss(low) == pytest.approx(cutoff, rel=1e-5)
    assert rss(high) == pytest.approx(cutoff, rel=1e-5)
    assert rss(low * 0.98) > cutoff > rss(low * 1.02)
    assert rss(high * 1.02) > cutoff > rss(high * 0.98)
    # the least-squares estimate is a minimum of the hand-computed RSS
    assert rss_min <= min(rss(fit.P * 1.001), rss(fit.P / 1.001))
    assert fit.noise_sd == pytest.approx(math.sqrt(rss_min / (n - 1)), rel=1e-6)
    # a known noise instead: the chi-squared cut-off
    known = cm.fit_burden(RICH_DAYS, counts, **KNOWN, r=1.5, q=1.2, noise_sd=0.3)
    assert known.rss_cutoff - known.rss == pytest.approx(stats.chi2.ppf(0.95, 1) * 0.09, rel=1e-12)
    assert not known.noise_estimated and known.noise_sd == 0.3


@pytest.mark.parametrize("noise_sd", [None, 0.3])
def test_nominal_95_percent_interval_covers_the_true_burden(noise_sd):
    """200 seeded noisy patients: the 95% profile interval covers the true P in 88-99% of them."""
    rng = np.random.default_rng(SEED + 2)
    trials, covered = 200, 0
    for _ in range(trials):
        P = 10 ** rng.uniform(2, 4)
        counts = noisy_counts(rng, RICH_DAYS, 0.3, r=1.5, q=1.2, P=P, **KNOWN)
        fit = cm.fit_burden(RICH_DAYS, counts, **KNOWN, r=1.5, q=1.2, noise_sd=noise_sd, flat_factor=1e6)
        covered += fit.covers(P)
    assert 0.88 * trials <= covered <= 0.99 * trials


# --- identifiability ---------------------------------------------------------


def test_early_or_plateau_counts_alone_leave_parameters_unidentified_and_the_fit_warns():
    """Days 1-6 are pure expansion (N << K_t): they fix r but say nothing on q or P. After the tumour is gone N sits
    at K B, whatever P was: the profile is flat."""
    rng = np.random.default_rng(SEED + 3)
    sample_days = [1, 2, 3, 4, 5, 6]
    counts = noisy_counts(rng, sample_days, 0.2, r=1.5, q=1.2, P=1000.0, **KNOWN)
    with pytest.warns(cm.IdentifiabilityWarning, match=r"q") as record:
        fit = cm.fit_burden(sample_days, counts, **KNOWN, r=1.4, q=1.0, free=("r", "q"))
    assert len(record) == 1
    assert not fit.identifiable["q"] and not fit.identifiable["P"]
    assert fit.identifiable["r"]
    assert fit.estimates["r"] == pytest.approx(1.5, rel=0.05)
    sample_days = [45, 50, 55, 60]
    counts = noisy_counts(np.random.default_rng(SEED + 5), sample_days, 0.2, r=1.5, q=1.2, P=1000.0, **KNOWN)
    with pytest.warns(cm.IdentifiabilityWarning, match=r"P"):
        fit = cm.fit_burden(sample_days, counts, **KNOWN, r=1.5, q=1.2)
    assert fit.P_interval_closed[0] is False


def test_a_rich_schedule_fits_r_and_q_without_warning():
    """Daily counts through expansion, peak and contraction pin down P, r and q (no warning: filterwarnings=error)."""
    rng = np.random.default_rng(SEED + 4)
    sample_days = list(range(1, 29))
    for _ in range(5):
        counts = noisy_counts(rng, sample_days, 0.2, r=1.5, q=1.2, P=1000.0, **KNOWN)
        fit = cm.fit_burden(sample_days, counts, **KNOWN, r=1.4, q=1.0, free=("r", "q"))
        assert all(fit.identifiable.values())
        assert fit.covers(1000.0) or fit.P_interval[0] / 2 < 1000.0 < 2 * fit.P_interval[1]
        # an independent optimiser on the hand-written model, started at the fit, finds no lower minimum
        polished = optimize.least_squares(
            lambda x, y: np.log(y) - np.log(equation_1_by_hand(sample_days, r=np.exp(x[0]), q=np.exp(x[1]), P=np.exp(x[2]), **KNOWN)),
            np.log([fit.estimates["r"], fit.estimates["q"], fit.P]), args=(counts,), xtol=1e-15, ftol=1e-15, gtol=1e-15)
        assert fit.rss == pytest.approx(2 * polished.cost, rel=1e-9)


def test_elasticities_match_the_analytic_early_and_late_limits():
    t, e = cm.log_sensitivities(r=1.5, q=1.2, P=1000.0, **KNOWN, days=80)
    early = t <= 4
    # while N << K_t, N = n0 e^{r t}: d ln N / d ln r = r t, and P and q do not matter
    np.testing.assert_allclose(e["r"][early], 1.5 * t[early], rtol=1e-3, atol=1e-6)
    assert np.max(np.abs(e["P"][early])) < 0.01 and np.max(np.abs(e["q"][early])) < 0.05
    # long after clearance (ln 1000 / 0.3 = 23 days) N = K B: nothing but scale matters
    late = t >= 75
    for name in ("P", "r", "q"):
        assert np.max(np.abs(e[name][late])) < 1e-3


# --- synthetic counts --------------------------------------------------------


def test_sample_counts_has_log_normal_error_of_the_stated_sd():
    P = np.full(4000, 500.0)
    counts = cm.sample_counts([5, 12], r=1.5, q=1.2, P=P, **KNOWN, noise_sd=0.3, rng=np.random.default_rng(SEED))
    assert counts.shape == (4000, 2)
    log_error = np.log(counts / equation_1_by_hand([5, 12], r=1.5, q=1.2, P=500.0, **KNOWN))
    assert np.std(log_error) == pytest.approx(0.3, rel=0.05)
    assert abs(np.mean(log_error)) < 0.02


# --- bad data ----------------------------------------------------------------


GOOD_COUNTS = equation_1_by_hand(RICH_DAYS, r=1.5, q=1.2, P=1000.0, **KNOWN)


def with_count(index, value):
    counts = GOOD_COUNTS.astype(float).copy()
    counts[index] = value
    return counts


@pytest.mark.parametrize(
    "sample_days, counts, extra, message",
    [
        (RICH_DAYS, with_count(2, 0.0), {}, r"counts\[2\], day 7.*logarithm"),
        (RICH_DAYS, with_count(3, -5.0), {}, r"counts\[3\], day 10.*> 0"),
        (RICH_DAYS, with_count(0, np.nan), {}, r"counts\[0\], day 1.*finite"),
        (RICH_DAYS, with_count(6, np.inf), {}, r"counts\[6\], day 28"),
        ([1, 3, 10, 7, 14, 21, 28], GOOD_COUNTS, {}, r"increasing order.*day 7 after day 10"),
        ([1, 3, 7, 7, 14, 21, 28], GOOD_COUNTS, {}, r"must not repeat; day 7"),
        (RICH_DAYS, GOOD_COUNTS, {"horizon_days": 21}, r"reach day 28, beyond the horizon of 21 days"),
        ([7, 14], GOOD_COUNTS[[2, 4]], {"free": ("r", "q")}, r"at least 4 sample_days.*got 2"),
        ([7, 14, 21], GOOD_COUNTS[[2, 4, 5]], {"free": ("r", "q")}, r"estimate the noise"),
        (RICH_DAYS, GOOD_COUNTS[:5], {}, r"one value per day of sample_days; got 5 counts for 7 sample_days"),
        ([1, 3.5, 7, 10, 14, 21, 28], GOOD_COUNTS, {}, r"whole multiples of dt=1; got day 3.5"),
        ([-1, 3, 7, 10, 14, 21, 28], GOOD_COUNTS, {}, r"sample_days \(days\) must be .*>= 0; got .*-1"),
        (RICH_DAYS, GOOD_COUNTS, {"free": ("P",)}, r"free must be one of 'r', 'q', 'scale'; got 'P'"),
        (RICH_DAYS, GOOD_COUNTS, {"free": ("q", "q")}, r"must not name a parameter twice"),
        (RICH_DAYS, GOOD_COUNTS, {"confidence": 1.0}, r"confidence must be .*\(0, 1\)"),
        (RICH_DAYS, GOOD_COUNTS, {"bounds": {"P": (10.0, 1.0)}}, r"bounds\['P'\] must be a pair"),
        (RICH_DAYS, GOOD_COUNTS, {"noise_sd": 0.0}, r"noise_sd must be .*> 0; got 0.0"),
    ],
)
def test_bad_data_raise_clear_value_errors(sample_days, counts, extra, message):
    with pytest.raises(ValueError, match=message):
        cm.fit_burden(sample_days, counts, **KNOWN, r=1.5, q=1.2, **extra)


@pytest.mark.parametrize(
    "sample_days, counts, extra, message",
    [
        (RICH_DAYS, ["1", "2", "3", "4", "5", "6", "7"], {}, None),
        (RICH_DAYS, GOOD_COUNTS, {"free": "r"}, None),
        (RICH_DAYS, GOOD_COUNTS, {"r": [1.5, 1.6]}, None),
        # fit_burden takes the keywords of fit_cohort only
        (RICH_DAYS, GOOD_COUNTS, {"horizon": 30}, "'horizon'"),
        (RICH_DAYS, GOOD_COUNTS, {"q": None}, "'q'"),
    ],
)
def test_wrong_types_raise_type_errors(sample_days, counts, extra, message):
    args = {k: v for k, v in {"r": 1.5, "q": 1.2, **extra}.items() if v is not None}
    with pytest.raises(TypeError, match=message):
        cm.fit_burden(sample_days, counts, **KNOWN, **args)


# --- a whole cohort in one call: the same answers as one fit per patient -----


def fit_each(days_list, counts_list, starts, **common):
    """fit_burden patient by patient, recording which patients it warned about."""
    fits, warned = [], []
    for index, (sample_days, counts) in enumerate(zip(days_list, counts_list, strict=True)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", cm.IdentifiabilityWarning)
            fits.append(cm.fit_burden(sample_days, counts, **KNOWN, **{k: v[index] for k, v in starts.items()}, **common))
        if caught:
            warned.append(index)
    return fits, warned


def warned_patients(record, name):
    """Patient indices the cohort warning names for parameter ``name``."""
    message = str(record[0].message)
    match = re.search(rf"\b{name} for patients? ([\d, ]+)", message)
    return [] if match is None else [int(i) for i in match.group(1).replace(" ", "").split(",") if i]


def test_cohort_fit_equals_one_fit_per_patient_including_bounds_and_flat_profiles():
    """Ragged schedules; some estimates sit on the upper bound of P, some profiles are flat (plateau only)."""
    rng = np.random.default_rng(SEED + 10)
    P = np.array([300.0, 1000.0, 2500.0, 2e4, 5e4, 800.0, 1500.0, 60.0])
    q = np.array([1.2, 1.1, 1.25, 1.2, 1.0, 1.3, 1.2, 1.15])
    schedules = [RICH_DAYS, RICH_DAYS, [7, 10, 14], RICH_DAYS, [10, 14, 21], [45, 50, 55, 60], [40, 50, 60],
                 [3, 14, 28]]
    counts = [noisy_counts(rng, d, 0.3, r=1.5, q=q[i], P=P[i], **KNOWN) for i, d in enumerate(schedules)]
    bounds = {"P": (1e-2, 1e4)}  # below two of the true burdens: those estimates hit the bound
    starts = {"r": np.full(8, 1.5), "q": q}
    with pytest.warns(cm.IdentifiabilityWarning) as record:
        batched = cm.fit_cohort(schedules, counts, **KNOWN, **starts, bounds=bounds)
    single, warned = fit_each(schedules, counts, starts, bounds=bounds)
    at_bound = [i for i, fit in enumerate(single) if fit.P == pytest.approx(1e4, rel=1e-9)]
    flat = [i for i, fit in enumerate(single) if not all(fit.P_interval_closed)]
    assert len(at_bound) >= 2 and {5, 6} <= set(flat), "the cohort lacks the cases it is meant to test"
    for i, fit in enumerate(single):
        assert batched.P[i] == pytest.approx(fit.P, rel=1e-6), i
        np.testing.assert_allclose(batched.P_interval[i], fit.P_interval, rtol=1e-4, err_msg=str(i))
        assert tuple(batched.P_interval_closed[i]) == fit.P_interval_closed, i
        assert batched.identifiable["P"][i] == fit.identifiable["P"], i
        assert batched.rss[i] == pytest.approx(fit.rss, rel=1e-9), i
        assert batched.noise_sd[i] == pytest.approx(fit.noise_sd, rel=1e-6), i
    assert warned_patients(record, "P") == warned and {5, 6} <= set(warned)
    assert list(np.nonzero(~batched.pinned_down)[0]) == warned


def test_cohort_fit_of_noise_free_counts_gives_back_the_truth():
    P = np.array([50.0, 1000.0, 3e4])
    q = np.array([1.1, 1.2, 1.3])
    counts = np.array([2.0 * equation_1_by_hand(RICH_DAYS, r=1.5, q=q[i], P=P[i], **KNOWN) for i in range(3)])
    fit = cm.fit_cohort(RICH_DAYS, counts, **KNOWN, r=1.5, q=q, scale=0.5, free=("scale",))
    np.testing.assert_allclose(fit.P, P, rtol=1e-6)
    np.testing.assert_allclose(fit.estimates["scale"], 2.0, rtol=1e-6)
    np.testing.assert_allclose(fit.P_interval, np.column_stack([P, P]), rtol=1e-6)
    assert fit.covers(P).all() and fit.n_days.tolist() == [7, 7, 7]


def test_cohort_recovery_counts_by_hand():
    counts = np.array([equation_1_by_hand(RICH_DAYS, r=1.5, q=1.2, P=P, **KNOWN) for P in (100.0, 1000.0)])
    fit = cm.fit_cohort(RICH_DAYS, counts * np.exp([[0.01], [-0.01]]), **KNOWN, r=1.5, q=1.2, noise_sd=0.3)
    # the first truth is read right, the second is 3 times off
    recovery = fit.recovery([100.0, 3000.0])
    assert recovery.within_rate == 0.5 and recovery.coverage == 0.5
    assert recovery.median_width == pytest.approx(np.median(fit.P_interval[:, 1] / fit.P_interval[:, 0]))


@pytest.mark.parametrize(
    "sample_days, counts, extra, error, message",
    [
        (RICH_DAYS, GOOD_COUNTS, {}, ValueError, r"counts must have shape \(patients, 7\)"),
        ([RICH_DAYS, [1]], [GOOD_COUNTS, GOOD_COUNTS[:1]], {}, ValueError, r"patient 1: need at least 2"),
        ([RICH_DAYS, [3, 1]], [GOOD_COUNTS, GOOD_COUNTS[:2]], {}, ValueError, r"patient 1: sample_days must be in increasing"),
        ([RICH_DAYS], [GOOD_COUNTS, GOOD_COUNTS], {}, ValueError,
         r"sample_days and counts must hold the same number.*sample_days has 1, counts 2"),
        (RICH_DAYS, [GOOD_COUNTS] * 2, {"q": [1.2, 1.2, 1.2]}, ValueError, r"q must be a scalar or one value per patient \(2\)"),
        (RICH_DAYS, [GOOD_COUNTS] * 2, {"free": ("P",)}, ValueError, r"free must be one of"),
    ],
)
def test_cohort_fit_rejects_bad_data_naming_the_patient(sample_days, counts, extra, error, message):
    with pytest.raises(error, match=message):
        cm.fit_cohort(sample_days, counts, **KNOWN, **{"r": 1.5, "q": 1.2, **extra})


# --- binomial intervals and synthetic cohorts --------------------------------


def test_clopper_pearson_matches_closed_forms():
    # no successes in 10 trials: the upper end solves (1 - p)^10 = 0.025, i.e. 0.3085 (the binomial tails in general:
    # test_properties_fitting.test_clopper_pearson_leaves_half_the_error_in_each_tail)
    assert cm.clopper_pearson(0, 10) == (0.0, pytest.approx(1 - 0.025**0.1, rel=1e-12))
    assert cm.clopper_pearson(10, 10) == (pytest.approx(0.025**0.1, rel=1e-12), 1.0)
    with pytest.raises(ValueError, match="successes must be an integer >= 0 and <= 5; got 6"):
        cm.clopper_pearson(6, 5)
    with pytest.raises(TypeError, match="trials must be an integer"):
        cm.clopper_pearson(1, 5.0)


def test_synthetic_cohort_spreads_r_as_asked():
    varied = cm.synthetic_cohort(4000, rng=np.random.default_rng(SEED), r=1.5, **KNOWN, r_log_sd=0.1)
    assert np.std(np.log(varied.r)) == pytest.approx(0.1, rel=0.05) and varied.r_product == 1.5


def test_reading_many_schedules_at_once_equals_reading_each():
    cohort = cm.synthetic_cohort(30, rng=np.random.default_rng(SEED), r=1.5, **KNOWN)
    schedules = [(14,), (10, 14), (3, 10, 21)]
    together = cohort.read_schedules(schedules, noise_sd=0.3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cm.IdentifiabilityWarning)
        for schedule, recovery in zip(schedules, together, strict=True):
            assert cohort.read(schedule, noise_sd=0.3).recovery(cohort.P) == recovery
    with pytest.raises(ValueError, match="among the counted days"):
        cohort.read((0.5,))
