"""cartmodel.variability: between-patient spreads of Equation 1's parameters from Stein et al. (2019)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import cartmodel as cm
from cartmodel.calibration import calibrate_to_tisagenlecleucel
from cartmodel.published import TISAGENLECLEUCEL_B_ALL, TISAGENLECLEUCEL_B_ALL_VARIABILITY
from cartmodel.variability import published_variability, virtual_patients

OMEGA2 = {name: value.value for name, value in TISAGENLECLEUCEL_B_ALL_VARIABILITY.items()}


def test_moment_relations_agree_with_the_published_variances_by_hand_and_a_monte_carlo():
    moments = published_variability("moments")
    drawn = published_variability("monte_carlo", n_patients=400_000, seed=11)
    # r: first order in the spread of ln(fold) (its second-order term is about 0.3% of the SD)
    assert drawn["r"] == pytest.approx(moments["r"], rel=0.01)
    # r - q is the contraction rate: the published omega exactly, up to sampling error
    assert drawn["net"] == pytest.approx(moments["net"], rel=5 / math.sqrt(2 * 400_000))
    # an independent calculation from the published table: ln r = ln ln(fold) - ln Tmax + constant
    fold = TISAGENLECLEUCEL_B_ALL["fold_expansion"].value
    by_hand = math.sqrt(OMEGA2["fold_expansion"] / math.log(fold) ** 2 + OMEGA2["tmax_days"])
    spreads = published_variability()
    assert spreads["r"] == pytest.approx(by_hand, rel=1e-12)
    assert spreads["net"] == pytest.approx(math.sqrt(OMEGA2["contraction_rate"]), rel=1e-12)
    # sampling the published log-normals directly, without the package: the SD of ln(ln(fold) / Tmax)
    rng = np.random.default_rng(5)
    n = 400_000
    ln_fold = math.log(fold) + math.sqrt(OMEGA2["fold_expansion"]) * rng.standard_normal(n)
    ln_tmax = math.sqrt(OMEGA2["tmax_days"]) * rng.standard_normal(n)
    assert np.std(np.log(ln_fold) - ln_tmax) == pytest.approx(spreads["r"], rel=0.01)


def test_virtual_patients_are_equation_1_courses_around_the_calibration_with_steins_fold_expansion():
    # the mapping, run through Equation 1, gives each patient Stein's fold expansion back
    calibration = calibrate_to_tisagenlecleucel()
    patients = virtual_patients(3000, seed=3)
    run = cm.dose_response(n0=1.0, r=patients.r, q=patients.q, B=calibration.B, K=calibration.K,
                           P=calibration.P * patients.burden_factor, days=120)
    log_ratio = np.log(run.peak / patients.fold_expansion)
    assert np.corrcoef(np.log(run.peak), np.log(patients.fold_expansion))[0, 1] > 0.99
    assert np.std(log_ratio) < 0.2  # within about a factor of 1.2 of the patient's own fold
    # the typical course's ratio: the logistic rounds the corner of the piecewise curve
    typical = calibration.simulate(days=120).peak / TISAGENLECLEUCEL_B_ALL["fold_expansion"].value
    assert np.exp(np.median(log_ratio)) == pytest.approx(float(typical), rel=0.05)
    # a large cohort's median is the calibration, and every tumour shrinks
    patients = virtual_patients(200_000, seed=7)
    # ln ln(fold) is skewed to the left (its mean is about 0.017 below its median), so the median of r
    # sits a little under the typical patient's
    assert np.median(patients.r) == pytest.approx(calibration.r, rel=0.03)
    assert np.median(patients.r) < calibration.r
    assert np.median(patients.net) == pytest.approx(calibration.net_decline, rel=0.01)
    assert patients.share_not_shrinking == 0.0 and np.all(patients.q < patients.r)
    # q is clipped at zero where the contraction outruns the expansion: a tail of ln r - ln net,
    # which is close to normal (ln r is not exactly normal: the expected share is approximate)
    spread = math.hypot(*published_variability().values())
    expected = 0.5 * math.erfc(math.log(calibration.r / calibration.net_decline) / spread / math.sqrt(2))
    assert patients.share_q_clipped == pytest.approx(expected, abs=0.005)

