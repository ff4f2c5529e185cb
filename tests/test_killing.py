"""Equation 1 with killing: terms by hand, invariants, the window's bounds (reduction to Equation 1: properties)."""

import numpy as np
import pytest

from cartmodel.killing import (
    calibrate_killing,
    dose_window,
    kill_per_day,
    killing_dose_response,
    simulate_killing,
)


def random_sets(seed, count):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        yield dict(r=rng.uniform(0.2, 2.5), q=rng.uniform(0.0, 2.5), B=10 ** rng.uniform(-1, 1),
                   P=10 ** rng.uniform(-2, 4), K=10 ** rng.uniform(3, 7)), 10 ** rng.uniform(0, 4)


def test_killing_terms():
    n = np.array([0.0, 1.0, 10.0, 1e6])
    saturating = kill_per_day(n, kill_rate=2.0, kill_saturation=10.0)
    np.testing.assert_allclose(saturating, 2.0 * n / (10.0 + n))
    assert saturating[-1] < 2.0 and saturating[0] == 0.0
    np.testing.assert_allclose(kill_per_day(n, kill_rate=2.0, kill_saturation=10.0, killing="mass action"), 0.2 * n)


def test_one_step_by_hand():
    """The tumour of step 1 is P exp((q - r) dt - kill(N_0) dt), computed here independently."""
    r, q, P, gamma, k, n0 = 1.0, 0.7, 50.0, 0.8, 4.0, 2.0
    run = simulate_killing(r=r, q=q, B=1.0, P=P, K=10.0, kill_rate=gamma, kill_saturation=k, n0=n0, days=2, dt=0.5)
    expected = P * np.exp((q - r) * 0.5 - gamma * n0 / (k + n0) * 0.5)
    assert run.tumour[1] == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("form", ["saturating", "mass action"])
def test_more_killing_never_leaves_more_tumour(form):
    rng = np.random.default_rng(5)
    for params, n0 in random_sets(13, 30):
        gammas = np.sort(rng.uniform(0.0, 3.0, size=5))[:, None]
        run = simulate_killing(n0=n0, kill_rate=gammas, kill_saturation=20.0, killing=form, **params)
        assert (np.diff(run.tumour, axis=0) <= 1e-12 * run.tumour[:-1]).all()


def test_tumour_falls_with_dose_early_on():
    """Until the cells meet the capacity, more cells kill more: a larger dose leaves less tumour on every day of
    the expansion (here, the first week, well before the peak of any dose)."""
    doses = np.geomspace(1.0, 1e3, 7)[:, None]
    run = simulate_killing(n0=doses, r=1.0, q=0.9, B=1.0, P=1e4, K=1e6, kill_rate=0.5, kill_saturation=100.0,
                           days=7)
    assert (np.diff(run.tumour[:, 1:], axis=0) < 0).all()


def test_extinction_keeps_the_tumour_at_zero():
    common = dict(r=1.0, q=0.9, B=1.0, P=10.0, K=1e4, kill_rate=1.0, kill_saturation=10.0, n0=100.0, days=60,
                  clearance_level=1e-3)
    gone = simulate_killing(**common, extinction=True)
    kept = simulate_killing(**common)
    after = gone.t >= gone.clearance_day
    assert np.isfinite(gone.clearance_day) and after.any() and (~after).any()
    assert (gone.tumour[after] == 0).all() and (kept.tumour[after] > 0).all()
    np.testing.assert_array_equal(gone.tumour[~after], kept.tumour[~after])


TUMOUR = dict(r=1.0, q=0.5, B=1.0, P=1.0, K=1e3)


@pytest.mark.parametrize("call, error, pattern", [
    # they take simulate's and dose_response's keywords, and refuse a missing or unknown one, naming it, as a call would
    (lambda: simulate_killing(q=0.5, B=1.0, P=1.0, K=1e3, kill_rate=1.0), TypeError, "'r'"),
    (lambda: simulate_killing(**TUMOUR, kill_rate=1.0, dose=2.0), TypeError, "'dose'"),
    (lambda: killing_dose_response(**TUMOUR, kill_rate=1.0), TypeError, "'n0'"),
    (lambda: killing_dose_response(n0=1.0, **TUMOUR, kill_rate=1.0, doses=[]), TypeError, "'doses'"),
])
def test_bad_input_is_refused(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_window_bounds_satisfy_their_conditions():
    calibration = calibrate_killing(kill_rate=0.1)
    params = dict(B=calibration.B, r=calibration.r, q=calibration.q, K=calibration.K, kill_rate=0.1,
                  kill_saturation=calibration.kill_saturation, days=91, clearance_level=calibration.P * 2e-5)
    burdens = calibration.P * np.array([1.0, 10.0])
    ceiling, by_day = 4e4, 91.0
    window = dose_window(ceiling=ceiling, clear_by_day=by_day, P=burdens, extinction=False, rtol=1e-7, **params)
    refined = 0
    for i, P in enumerate(burdens):
        low = window.lowest_clearing[i]
        if np.isfinite(low) and not window.clears_at_min[i]:
            refined += 1
            assert killing_dose_response(n0=low, P=P, **params).clearance_day <= by_day
            assert killing_dose_response(n0=low * (1 - 1e-5), P=P, **params).clearance_day > by_day
        high = window.highest_under[i]
        if np.isfinite(high) and not window.under_at_max[i]:
            refined += 1
            assert killing_dose_response(n0=high, P=P, **params).peak <= ceiling
            assert killing_dose_response(n0=high * (1 + 1e-5), P=P, **params).peak > ceiling
    assert refined >= 2  # bounds inside the range, found by root-finding, not read off its edges


def test_calibration_reduces_to_equation_1_and_fits_the_course():
    from cartmodel.calibration import calibrate_to_tisagenlecleucel

    plain = calibrate_to_tisagenlecleucel()
    zero = calibrate_killing(kill_rate=0.0)
    assert zero.r == pytest.approx(plain.r, rel=1e-4) and zero.q == pytest.approx(plain.q, rel=1e-4)
    assert zero.residual_sd == pytest.approx(plain.fit.noise_sd, rel=0.1)
    killed = calibrate_killing(kill_rate=0.1)
    # the fit trades the killing against q: the net decline at the peak stays near the contraction rate
    assert killed.q > plain.q


@pytest.mark.parametrize("name", ["P", "n0"])
def test_calibrated_killing_model_moves_dose_and_burden_by_factors(name):
    calibration = calibrate_killing(kill_rate=0.05)
    with pytest.raises(TypeError, match=name):
        calibration.simulate(**{name: 3.0})
    moved = calibration.simulate(dose_factor=2.0, burden_factor=0.5, days=28)
    direct = simulate_killing(**{**calibration.parameters(), "n0": 2.0 * calibration.n0, "P": 0.5 * calibration.P},
                              days=28)
    np.testing.assert_array_equal(moved.car_t, direct.car_t)
    np.testing.assert_array_equal(moved.tumour, direct.tumour)

