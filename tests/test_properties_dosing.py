"""Properties (hypothesis) of dosing, dosing for a population and the calibration to the published course."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cartmodel as cm
from cartmodel import burden as bd
from cartmodel import calibration, dosing, engine, killing, population, variability
from cartmodel.paper import FIGURE_1
from cartmodel.published import TISAGENLECLEUCEL_B_ALL

from .conftest import examples
from .strategies import (
    AFFINITY_B,
    BURDEN_P,
    CEILING,
    DOSE,
    EQ1_DRAWN,
    HORIZONS,
    RATE_Q,
    RATE_R,
    SEEDS,
    assert_counts,
    assert_refused,
    log_uniform,
    slider,
)

# --------------------------------------------------------------------------
# valid ranges: dosing


@settings(max_examples=examples(300))
@given(dose=DOSE, **EQ1_DRAWN, horizon=HORIZONS, reading=st.sampled_from(cm.READINGS), placement=st.sampled_from(cm.B_PLACEMENTS))
def test_dose_response_agrees_with_simulate(dose, P, B, r, q, K, horizon, reading, placement):
    days, dt = horizon
    common = dict(P=np.array([P, 0.1 * P]), B=B, r=r, q=q, K=K, days=days, dt=dt, reading=reading, b_placement=placement)
    doses = np.array([[dose], [10.0 * dose]])  # a grid of two doses by two burdens
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
    np.testing.assert_array_equal(grid.peak_day, run.peak_day)
    np.testing.assert_array_equal(grid.clearance_day, run.clearance_day)
    if reading == "exact":
        assert np.all(grid.peak[1] >= grid.peak[0])  # a larger dose never peaks lower


@settings(max_examples=examples(120))
@given(ceiling=CEILING, P=BURDEN_P, B=AFFINITY_B, r=RATE_R, q=RATE_Q, clear_by=st.sampled_from([None, 21.0, 42.0, 60.0]))
def test_dose_for_ceiling(ceiling, P, B, r, q, clear_by):
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


@settings(max_examples=examples(60))
@given(ceiling=CEILING, n0=log_uniform(1.0, 1e6), B=AFFINITY_B, r=RATE_R, q=RATE_Q, reading=st.sampled_from(cm.READINGS))
def test_burden_for_ceiling(ceiling, n0, B, r, q, reading):
    common = dict(n0=n0, B=B, r=r, q=q, K=FIGURE_1["K"], days=30, reading=reading)
    ceilings, n0s, qs = np.array([ceiling, 10 * ceiling]), np.array([[n0], [10 * n0]]), np.array([[q], [0.5 * q]])
    limits = cm.burden_for_ceiling(ceiling=ceilings, max_P=1e12, rtol=1e-4, **{**common, "n0": n0s, "q": qs})
    for (i, j), value in np.ndenumerate(limits):  # each element of the broadcast grid is its own call's answer
        alone = {**common, "n0": n0s[i, 0], "q": qs[i, 0]}
        assert value == float(cm.burden_for_ceiling(ceiling=ceilings[j], max_P=1e12, rtol=1e-4, **alone))
    limit, higher = limits[0]
    assert limit >= 0.0 and not math.isnan(limit)

    def peak(P):
        return float(cm.dose_response(P=P, **common).peak)

    if limit == 0.0:
        assert peak(1e-30) > ceiling
    elif math.isinf(limit):
        assert peak(1e12) <= ceiling
    else:  # a root: under the ceiling just below it, over it just above
        assert peak(limit * (1 - 1e-3)) <= ceiling < peak(limit * (1 + 1e-3))
    assert higher >= limit  # a higher ceiling allows at least the same burden


@settings(max_examples=examples(20))
@given(n=st.integers(1, 8), seed=SEEDS, spread=st.floats(0.0, 0.5), fraction=st.floats(0.05, 1.0))
def test_burden_for_fraction(n, seed, spread, fraction):
    cohort = population.draw_cohort(n, seed=seed, variability=dict.fromkeys(("r", "q", "B", "P"), spread))
    limit = population.burden_for_fraction(cohort, fraction, n0=1.0, ceiling=1e8, days=30)
    # at that nominal burden at least the fraction of the cohort is at or under the ceiling, just above it fewer
    peaks = cm.dose_response(n0=1.0, P=cohort.P(limit * np.array([1 - 1e-3, 1 + 1e-3])),
                             r=cohort.r[:, None], q=cohort.q[:, None], B=cohort.B[:, None], K=cohort.K[:, None],
                             days=30).peak
    needed = math.ceil(fraction * n - 1e-9)
    assert np.sum(peaks[:, 0] <= 1e8) >= needed > np.sum(peaks[:, 1] <= 1e8)


@settings(max_examples=examples(40))
@given(n=st.integers(1, 6), seed=SEEDS, spread=st.floats(0.0, 0.5), n_dose=st.integers(1, 5),
       n_burden=st.integers(1, 4), top=st.floats(0.0, 8.0), ceiling=CEILING,
       clear_by_day=st.sampled_from([1.0, 21.0, 60.0]), level=log_uniform(1e-3, 1e3), cv=st.floats(0.0, 10.0))
def test_draw_cohort_and_target_attainment(n, seed, spread, n_dose, n_burden, top, ceiling, clear_by_day, level, cv):
    sd = float(population.lognormal_sd_from_cv(cv))
    assert sd >= 0 and math.sqrt(math.expm1(sd**2)) == pytest.approx(cv, rel=1e-12, abs=1e-12)
    cohort = population.draw_cohort(n, seed=seed, variability=dict.fromkeys(("r", "q", "B", "P"), spread))
    for name in ("r", "q", "B", "K", "burden_factor"):
        values = getattr(cohort, name)
        assert values.shape == (n,) and np.all(values > 0) and np.all(np.isfinite(values))
    default = population.draw_cohort(n, seed=seed)  # the default variability
    longer = population.draw_cohort(n + 1, seed=np.int64(seed))  # a prefix is the smaller cohort
    alike = population.draw_cohort(n, seed=np.random.default_rng(seed))  # a Generator seeds alike
    other = population.draw_cohort(n, seed=seed ^ 1)
    assert default.seed == longer.seed == seed and alike.seed is None
    for name in ("r", "q", "B", "burden_factor"):
        np.testing.assert_array_equal(getattr(longer, name)[:n], getattr(default, name))
        np.testing.assert_array_equal(getattr(alike, name), getattr(default, name))
        assert not np.array_equal(getattr(other, name), getattr(default, name)), name
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


@settings(max_examples=examples(60))
@given(n=st.integers(2, 400), seed=SEEDS)
def test_published_variability_and_virtual_patients(n, seed):
    patients = variability.virtual_patients(n, seed=seed)
    assert patients.size == n
    for name in ("fold_expansion", "tmax_days", "contraction_rate", "r", "net", "burden_factor"):
        values = getattr(patients, name)
        assert values.shape == (n,) and np.all(np.isfinite(values)) and np.all(values > 0), name
    assert np.all(patients.q >= 0) and np.all(patients.q < patients.r)  # every tumour shrinks
    np.testing.assert_allclose(patients.q, np.maximum(patients.r - patients.net, 0.0), rtol=1e-12, atol=0)
    assert patients.share_not_shrinking == 0.0 and 0.0 <= patients.share_q_clipped <= 1.0
    prefix = variability.virtual_patients(n - 1, seed=np.int64(seed))  # the same seed: the smaller cohort
    other = variability.virtual_patients(n, seed=seed ^ 1)
    for name in ("r", "q", "net", "burden_factor", "fold_expansion"):
        np.testing.assert_array_equal(getattr(prefix, name), getattr(patients, name)[:-1])
        assert not np.array_equal(getattr(other, name), getattr(patients, name)), name
    assert patients.seed == prefix.seed == seed and variability.virtual_patients(n, seed=np.random.default_rng(seed)).seed is None
    counted = variability.count_virtual_patients(min(n, 30), seed=seed, sample_days=[1.0, 9.0, 20.0],
                                                 noise_sd=0.0, r_log_sd=None if n % 2 else 0.0)
    assert counted.counts.shape == (min(n, 30), 3) and np.all(counted.counts > 0)
    expected = cm.sample_counts([1.0, 9.0, 20.0], r=counted.r, q=counted.q, B=counted.B, P=counted.P, K=counted.K,
                                n0=counted.n0, scale=counted.scale, noise_sd=0.0, rng=np.random.default_rng(0))
    np.testing.assert_allclose(counted.counts, expected, rtol=1e-12)  # noise-free counts are the model's
    assert np.all(counted.q < counted.r) and (n % 2 or np.all(counted.r == counted.r_product))
    drawn = variability.published_variability("monte_carlo", n_patients=n, seed=seed)
    assert set(drawn) == {"r", "net"} and all(math.isfinite(v) and v >= 0 for v in drawn.values())
    assert drawn["r"] == pytest.approx(float(np.std(np.log(patients.r), ddof=1)), rel=1e-12)


@settings(max_examples=examples(500))
@given(total=DOSE, infusions=st.integers(1, 1000), interval=st.floats(0.0, 30.0))
def test_split_doses(total, infusions, interval):
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
    each, later = total / infusions, [(k * interval, total / infusions) for k in range(1, infusions)]  # the doses by hand
    split = cm.simulate(n0=each, doses=later or None, P=P, B=B, r=r, q=q, K=FIGURE_1["K"], days=60)
    single = cm.simulate(n0=total, P=P, B=B, r=r, q=q, K=FIGURE_1["K"], days=60)
    np.testing.assert_allclose(comparison.split.car_t, split.car_t, rtol=1e-12)
    assert float(comparison.peak_ratio) == pytest.approx(float(split.peak) / float(single.peak), rel=1e-9)
    if infusions == 1:  # one infusion is the single dose
        np.testing.assert_array_equal(comparison.split.car_t, comparison.single.car_t)
        assert float(comparison.peak_ratio) == 1.0


# --------------------------------------------------------------------------
# Equation 1 with killing

KILL_RATE = st.one_of(st.just(0.0), slider("kill_rate"))  # zero, Equation 1 exactly, on every run
KILL_SATURATION = slider("kill_saturation")
FORM = st.sampled_from(killing.KILLING_FORMS)
READING, PLACEMENT = st.sampled_from(cm.READINGS), st.sampled_from(cm.B_PLACEMENTS)


@settings(max_examples=examples(200), deadline=None)
@given(dose=DOSE, **EQ1_DRAWN, gamma=KILL_RATE, k=KILL_SATURATION, form=FORM, reading=READING, placement=PLACEMENT)
def test_killing_model_agrees_with_its_pieces(dose, P, B, r, q, K, gamma, k, form, reading, placement):
    equation_1 = dict(r=r, q=q, B=B, P=np.array([P, 0.1 * P]), K=K, reading=reading, b_placement=placement, days=40)
    common = dict(**equation_1, kill_rate=gamma, kill_saturation=k, killing=form)
    doses = np.array([[dose], [10.0 * dose]])  # a grid of two doses by two burdens
    try:
        run = killing.simulate_killing(n0=doses, **common)
    except ValueError as error:  # only the engine's capacity range may refuse valid-looking input
        assert "capacity" in str(error) or "plateau" in str(error)
        return
    grid = killing.killing_dose_response(n0=doses, **common)
    assert_counts("car_t", run.car_t)
    assert np.all(run.car_t > 0) and np.all(run.tumour >= 0)
    for name in ("peak", "peak_day", "clearance_day"):
        np.testing.assert_array_equal(getattr(grid, name), getattr(run, name))
    plain = cm.simulate(n0=doses, **equation_1)
    assert np.all(run.tumour <= plain.tumour * (1 + 1e-12))
    kill = killing.kill_per_day(run.car_t, kill_rate=gamma, kill_saturation=k, killing=form)
    assert np.all(kill >= 0) and (form == "mass action" or np.all(kill <= gamma))
    scale, slope = engine.capacity_coefficients(B, K, placement)
    np.testing.assert_allclose(run.capacity, scale * (slope * run.tumour + 1.0), rtol=1e-12)
    if gamma == 0.0:  # no killing: Equation 1 exactly, trajectories and dose-response grid alike
        plain_grid = cm.dose_response(n0=doses, **equation_1)
        for name in ("car_t", "tumour", "capacity"):
            np.testing.assert_allclose(getattr(run, name), getattr(plain, name), rtol=1e-12)
        for name in ("peak", "final"):
            np.testing.assert_allclose(getattr(grid, name), getattr(plain_grid, name), rtol=1e-12)
        for name in ("peak_day", "clearance_day"):
            np.testing.assert_array_equal(getattr(grid, name), getattr(plain_grid, name))


@settings(max_examples=examples(6), deadline=None)
@given(gamma=st.sampled_from([0.0, 0.05, 0.1]), burden=st.sampled_from([0.3, 1.0, 3.0]), seed=SEEDS)
def test_killing_calibration_window_and_patients(gamma, burden, seed):
    fit = killing.calibrate_killing(kill_rate=gamma)
    assert fit.residual_sd < 0.2 and fit.r > 0 and fit.q >= 0
    level = fit.P * float(bd.blasts_left_for_share(bd.EXAMPLE_PATIENTS["child, relapse"], 1e-4))
    window = killing.calibrated_window(fit, burden_factor=burden, ceiling=3.9e4, clear_by_day=91.0,
                                       clearance_level=level)
    same = killing.dose_window(ceiling=3.9e4, clear_by_day=91.0, P=fit.P * burden, B=fit.B, r=fit.r, q=fit.q, K=fit.K,
                               kill_rate=gamma, kill_saturation=fit.kill_saturation, min_n0=1e-3, max_n0=1e3,
                               days=91.0, clearance_level=level, extinction=False)
    np.testing.assert_array_equal(window.lowest_clearing, same.lowest_clearing)
    low = float(window.lowest_clearing)
    if math.isfinite(low):
        assert killing.killing_dose_response(n0=low, P=fit.P * burden, B=fit.B, r=fit.r, q=fit.q, K=fit.K,
                                             kill_rate=gamma, kill_saturation=fit.kill_saturation, days=91.0,
                                             clearance_level=level).clearance_day <= 91.0
    drawn = variability.virtual_patients(50, seed=seed)
    patients = killing.killing_patients(fit, drawn)
    again = killing.killing_patients(fit, variability.virtual_patients(50, seed=seed))
    np.testing.assert_array_equal(patients.q, again.q)  # the same seed, the same patients; another, others
    assert not np.array_equal(patients.q, killing.killing_patients(fit, variability.virtual_patients(50, seed=seed ^ 1)).q)
    assert patients.seed == seed and patients.size == 50
    assert dict(patients.typical) == {"r": fit.r, "q": fit.q, "P": fit.P}
    assert np.all(patients.r > 0) and np.all(patients.q >= 0) and np.all(patients.burden_factor > 0)
