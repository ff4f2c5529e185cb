"""cartmodel.dosing: dose-response grids, the ceiling dose and split schedules."""

from __future__ import annotations

import math

import numpy as np
import pytest

import cartmodel as cm
from cartmodel.paper import FIGURE_1

from .by_hand import equation_1_by_hand

FIXED = {"r": FIGURE_1["r"], "q": FIGURE_1["q"], "B": FIGURE_1["B"], "K": FIGURE_1["K"]}


def test_dose_response_matches_the_logistic_step_written_out():
    for dose, burden in [(1.0, 1e3), (250.0, 40.0), (0.01, 3e5)]:
        expected = equation_1_by_hand(**FIXED, P=burden, n0=dose, days=60)
        got = cm.dose_response(n0=dose, P=burden, **FIXED)
        assert float(got.peak) == pytest.approx(expected.max(), rel=1e-12)
        assert float(got.peak_day) == float(np.argmax(expected))
        # the tumour P e^{(q-r)t} first falls below one cell on day ceil(ln P / (r - q))
        assert float(got.clearance_day) == math.ceil(math.log(burden) / (FIXED["r"] - FIXED["q"]))


def test_peak_grows_with_dose_and_burden_over_the_grid():
    doses = np.logspace(-3, 6, 40)
    burdens = np.logspace(0, 8, 45)
    grid = cm.dose_response(n0=doses[:, None], P=burdens, **FIXED)
    assert np.all(np.diff(grid.peak, axis=0) > 0), "peak must rise with the dose"
    assert np.all(np.diff(grid.peak, axis=1) > 0), "peak must rise with the burden"
    assert np.all(grid.peak >= doses[:, None])  # the dose itself is on the curve
    # clearance does not depend on the dose in Equation 1
    assert np.all(grid.clearance_day == grid.clearance_day[0])


def test_ceiling_dose_peaks_at_the_ceiling_a_larger_dose_exceeds_it_and_it_falls_with_burden():
    ceiling = 1e8
    best = cm.dose_for_ceiling(ceiling=ceiling, P=1e3, **FIXED, clear_by_day=42, rtol=1e-7)
    dose = best.n0_or_none()
    assert dose is not None and bool(best.feasible) and not bool(best.at_max_dose)
    peak = float(cm.simulate(**FIXED, P=1e3, n0=dose).peak)
    assert peak <= ceiling
    assert peak == pytest.approx(ceiling, rel=1e-6)
    assert float(best.peak) == pytest.approx(peak, rel=1e-12)
    assert float(cm.simulate(**FIXED, P=1e3, n0=dose * 1.001).peak) > ceiling
    # vectorised over burdens, as its elementwise calls, and falling with the burden
    burdens = np.logspace(2.9, 3.6, 12)
    line = cm.dose_for_ceiling(ceiling=1e8, P=burdens, **FIXED, clear_by_day=42)
    assert line.n0.shape == burdens.shape and line.feasible.all()
    assert np.all(np.diff(line.n0) < 0)
    for index in (0, 5, 11):
        alone = cm.dose_for_ceiling(ceiling=1e8, P=burdens[index], **FIXED, clear_by_day=42)
        assert float(alone.n0) == pytest.approx(line.n0[index], rel=1e-5)


def test_ceiling_dose_says_why_no_dose_qualifies():
    # too much antigen: even the smallest dose overshoots
    heavy = cm.dose_for_ceiling(ceiling=1e8, P=1e5, **FIXED)
    assert heavy.n0_or_none() is None and float(heavy.n0) == 0.0
    assert "smallest dose" in str(heavy.reason)
    # clearance by day 20 needs P < e^{0.3 * 20}, about 403
    late = cm.dose_for_ceiling(ceiling=1e9, P=1e3, **FIXED, clear_by_day=20)
    assert late.n0_or_none() is None and "day 20" in str(late.reason) and "day 24" in str(late.reason)
    # a tumour that outgrows the CAR T cells never clears
    never = cm.dose_for_ceiling(ceiling=1e12, P=10.0, **{**FIXED, "q": 1.6}, clear_by_day=30)
    assert never.n0_or_none() is None and "does not fall below 1 AU" in str(never.reason)
    # a generous ceiling is not reached in the searched range
    easy = cm.dose_for_ceiling(ceiling=1e11, P=1e2, **FIXED, max_n0=1e4)
    assert bool(easy.at_max_dose) and easy.n0_or_none() == pytest.approx(1e4)


def test_split_dosing_lowers_the_peak_for_the_books_example():
    example = cm.split_schedule(total_n0=1e5, infusions=3, interval_days=2, P=1e3, **FIXED)
    assert example.doses == ((0.0, 1e5 / 3), (2.0, 1e5 / 3), (4.0, 1e5 / 3))
    by_hand = equation_1_by_hand(**FIXED, P=1e3, n0=1e5 / 3, days=60, doses=[(2, 1e5 / 3), (4, 1e5 / 3)])
    np.testing.assert_allclose(example.split.car_t, by_hand, rtol=1e-12)
    single = equation_1_by_hand(**FIXED, P=1e3, n0=1e5, days=60)
    np.testing.assert_allclose(example.single.car_t, single, rtol=1e-12)
    assert float(example.peak_ratio) < 1.0
    assert float(example.split.clearance_day) == float(example.single.clearance_day)


def test_burden_limit_is_where_the_written_out_peak_crosses_the_ceiling_and_its_edges():
    ceiling = 1e8
    ic50s = np.array([0.5, 1.6, 5.0, 16.0])
    B = cm.affinity_from_ic50(ic50s)
    limits = cm.burden_for_ceiling(ceiling=ceiling, n0=1.0, B=B, r=FIXED["r"], q=FIXED["q"], K=FIXED["K"])
    assert limits.shape == (4,)
    for b, limit in zip(B, limits, strict=True):
        just_under = equation_1_by_hand(**{**FIXED, "B": b}, P=limit * (1 - 1e-4), n0=1.0, days=60).max()
        just_over = equation_1_by_hand(**{**FIXED, "B": b}, P=limit * (1 + 1e-4), n0=1.0, days=60).max()
        assert just_under <= ceiling < just_over
    # B and P enter the capacity as B P (plus 1), so the limit moves nearly in proportion to the IC50
    np.testing.assert_allclose(limits / limits[0], ic50s / ic50s[0], rtol=0.05)
    # a ceiling under the plateau K B: no burden at all keeps the peak under it
    assert float(cm.burden_for_ceiling(ceiling=1e5, n0=1.0, **FIXED)) == 0.0
    # a ceiling no burden of the searched range reaches
    assert float(cm.burden_for_ceiling(ceiling=1e290, n0=1.0, **FIXED, max_P=1e6)) == math.inf


def test_cohort_burden_limit_matches_the_target_attainment_grid():
    from cartmodel.population import burden_for_fraction, draw_cohort, target_attainment

    cohort = draw_cohort(300, seed=4)
    burdens = np.logspace(0, 6, 121)  # twenty a decade, past both limits
    grid = target_attainment(cohort, n0_grid=np.array([1.0, 10.0]), P_grid=burdens, ceiling=1e8, days=60)
    for fraction in (0.5, 0.9):
        limit = burden_for_fraction(cohort, fraction, n0=1.0, ceiling=1e8)
        on_grid = burdens[~np.isnan(grid.dose_for_fraction(fraction))]
        assert on_grid[-1] <= limit < burdens[on_grid.size]
    assert burden_for_fraction(cohort, 0.9, n0=1.0, ceiling=1e8) < burden_for_fraction(cohort, 0.5, n0=1.0, ceiling=1e8)


# (each parameter's bad values: the refusal table of test_properties_api)
@pytest.mark.parametrize(("call", "error", "words"), [
    (lambda: cm.split_schedule(total_n0=1e3, infusions=5, interval_days=20, P=1e3, **FIXED), ValueError, "horizon"),
    (lambda: cm.split_schedule(total_n0=1e3, infusions=2, interval_days=2, P=1e3, n0=1.0, **FIXED), TypeError, "n0"),
])
def test_a_schedule_past_the_horizon_or_with_a_dose_besides_its_total_is_refused(call, error, words):
    with pytest.raises(error, match=words):
        call()
