"""The calibrated model behind the evidence chapter (cartmodel.calibration), checked where possible
without the code under test: Equation 1 iterated by hand, the closed-form peak of a logistic
chasing a falling capacity, the published rates themselves.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import cartmodel as cm
from cartmodel import calibration as cal
from cartmodel.published import TISAGENLECLEUCEL_B_ALL, TISAGENLECLEUCEL_LABEL_DOSE

from .by_hand import equation_1_by_hand

PUBLISHED_RISE = math.log(2) / TISAGENLECLEUCEL_B_ALL["doubling_days"].value
PUBLISHED_FALL = math.log(2) / TISAGENLECLEUCEL_B_ALL["contraction_half_life_days"].value


@pytest.fixture(scope="module")
def main():
    return cal.calibrate_to_tisagenlecleucel()


# --- the published course and the calibration ---


def test_published_course_has_the_published_peak_and_rates():
    tmax = TISAGENLECLEUCEL_B_ALL["tmax_days"].value
    days = np.array([0.0, 1.0, tmax, tmax + 1.0, tmax + 5.0])
    course = cal.published_typical_course(days)
    assert course[0] == 1.0
    assert course[1] == pytest.approx(2 ** (1 / TISAGENLECLEUCEL_B_ALL["doubling_days"].value))
    assert course.argmax() == 2
    # five days into the decline: a share 1 - F_B falls with the contraction half-life, F_B with the persistence one
    share = TISAGENLECLEUCEL_B_ALL["persistence_fraction"].value
    by_hand = ((1 - share) * 2 ** (-5 / TISAGENLECLEUCEL_B_ALL["contraction_half_life_days"].value)
               + share * 2 ** (-5 / TISAGENLECLEUCEL_B_ALL["persistence_half_life_days"].value))
    assert course[4] / course[2] == pytest.approx(by_hand, rel=1e-12)
    # the published fold expansion, within the rounding of the doubling time
    assert course[2] == pytest.approx(TISAGENLECLEUCEL_B_ALL["fold_expansion"].value, rel=0.1)


def test_calibration_recovers_the_published_rates(main):
    # r from the expansion doubling time, r - q from the contraction half-life (within 5 %:
    # the logistic rounds the turn at the peak, so the fit cannot match both phases exactly)
    assert main.r == pytest.approx(PUBLISHED_RISE, rel=0.05)
    assert main.net_decline == pytest.approx(PUBLISHED_FALL, rel=0.1)
    assert main.fit.noise_sd < 0.2
    # the plateau asked for: K B = 1 infused level
    assert main.K * main.B == pytest.approx(1.0)


def test_the_calibrated_trajectory_is_equation_1_by_hand(main):
    by_hand = equation_1_by_hand(r=main.r, q=main.q, B=main.B, P=main.P, K=main.K, n0=1.0, days=60)
    np.testing.assert_allclose(main.simulate(days=60).car_t, by_hand, rtol=1e-9)


def test_the_plateau_moves_K_and_P_but_not_K_B_P_or_the_rates():
    low, high = (cal.calibrate_to_tisagenlecleucel(plateau=p) for p in (0.1, 10.0))
    assert high.K / low.K == pytest.approx(100.0)
    assert high.K * high.P == pytest.approx(low.K * low.P, rel=0.05)
    assert high.r == pytest.approx(low.r, rel=0.01)


def test_label_dose_factors_span_the_label_range_around_the_median():
    low, high = cal.LABEL_DOSE_FACTORS
    assert high / low == pytest.approx(25.0)
    median = TISAGENLECLEUCEL_B_ALL["median_dose_cells_per_kg"].value
    assert low * median == TISAGENLECLEUCEL_LABEL_DOSE["low_cells_per_kg"].value
    assert low < 1.0 < high


# --- the chapter's predictions, by independent calculation ---


def test_peak_over_the_label_dose_range_moves_by_the_analytic_factor(main):
    """A logistic chasing a capacity falling at r - q meets it at a height ~ dose**((r-q)/(2r-q))."""
    low, high = cal.LABEL_DOSE_FACTORS
    peaks = [equation_1_by_hand(r=main.r, q=main.q, B=main.B, P=main.P, K=main.K, n0=d, days=60).max()
             for d in (low, high)]
    ratio = peaks[1] / peaks[0]
    analytic = (high / low) ** (main.net_decline / (2 * main.r - main.q))
    assert ratio == pytest.approx(analytic, rel=0.05)
    assert 1.2 < ratio < 2.0  # the chapter's "under a factor of two"
    run = main.simulate(dose_factor=[low, high])
    assert float(run.peak[1] / run.peak[0]) == pytest.approx(ratio, rel=1e-9)


@pytest.mark.parametrize("reading", cm.READINGS)
@pytest.mark.parametrize("placement", cm.B_PLACEMENTS)
def test_dose_moves_the_peak_far_less_than_burden_in_every_reading(reading, placement):
    calibration = cal.calibrate_to_tisagenlecleucel(reading=reading, b_placement=placement)
    low, high = cal.LABEL_DOSE_FACTORS
    factors = np.geomspace(low, high, 9)
    by_dose = calibration.simulate(dose_factor=factors).peak
    by_burden = calibration.simulate(burden_factor=factors).peak
    assert np.all(np.diff(by_burden) > 0), "peak must rise with burden"
    assert np.all(np.diff(by_dose) >= 0), "peak must not fall with dose"
    assert by_dose[-1] / by_dose[0] < 2.0
    assert by_burden[-1] / by_burden[0] > 5 * (by_dose[-1] / by_dose[0])


def test_peak_to_burden_ratio_falls_with_burden_and_clearance_is_later(main):
    factors = np.array([0.1, 1.0, 10.0])
    run = main.simulate(burden_factor=factors)
    ratio = run.peak / (main.P * factors)
    assert np.all(np.diff(ratio) < 0)
    # clearance day of the tumour term ln(P) / (r - q), on the daily grid
    expected = np.ceil(np.log(main.P * factors) / main.net_decline)
    np.testing.assert_array_equal(run.clearance_day, expected)


def test_dose_does_not_change_the_clearance_day(main):
    run = main.simulate(dose_factor=[0.01, 1.0, 100.0])
    assert len(set(run.clearance_day.tolist())) == 1


def test_a_fitter_product_peaks_lower_but_clears_earlier(main):
    run = main.simulate(r=main.r * np.array([0.95, 1.05]))
    assert run.peak[1] < run.peak[0]
    assert run.clearance_day[1] < run.clearance_day[0]


def test_a_tumour_held_level_gives_more_expansion_than_a_responding_one(main):
    responder = equation_1_by_hand(r=main.r, q=main.q, B=main.B, P=main.P, K=main.K, n0=1.0, days=28)
    held = equation_1_by_hand(r=main.r, q=main.r, B=main.B, P=main.P, K=main.K, n0=1.0, days=28)
    assert held.max() > 2 * responder.max()
    # with q = r the capacity is the constant K B (P + 1), which the cells approach from below
    assert held.max() < main.K * main.B * (main.P + 1)
    assert float(main.simulate(days=28, q=main.r).peak) == pytest.approx(held.max(), rel=1e-9)


def test_the_tumour_falls_tenfold_every_ln10_over_r_minus_q_days(main):
    run = main.simulate(days=60)
    days_per_log = math.log(10) / main.net_decline
    assert 12.0 < days_per_log < 15.0  # the chapter's "about 13 days per tenfold fall"
    np.testing.assert_allclose(run.tumour[14] / run.tumour[0], math.exp(-main.net_decline * 14))
    # 5.7e11 blasts need more than five months to fall below one blast
    assert math.log(5.7e11) / main.net_decline > 150


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"dose_factor": 0.0}, "dose_factor"), ({"burden_factor": -1.0}, "burden_factor"),
    ({"dose_factor": "2"}, "dose_factor"), ({"P": 3.0}, "P"), ({"n0": 3.0}, "n0"), ({"r": -1.0}, "r"),
])
def test_calibrated_simulate_refuses_bad_input(main, kwargs, name):
    with pytest.raises((TypeError, ValueError), match=name):
        main.simulate(**kwargs)
