"""Equation 1 (cartmodel.model) against analytic solutions, invariants and
an independent re-implementation in plain Python (tests/by_hand.py)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cartmodel as cm
from cartmodel.paper import FIGURE_1
from cartmodel.parameters import PARAMETERS

from .by_hand import equation_1_by_hand
from .conftest import examples

RNG_SEED = 20190601


# --- analytic solution -----------------------------------------------------


@settings(max_examples=examples(300), deadline=None)
@given(
    r=st.floats(0.01, 10.0),
    K=st.floats(1.0, 1e12),
    B=st.floats(1e-3, 1e3),
    n0_fraction=st.floats(1e-9, 2.0),
    dt=st.sampled_from([1.0, 0.5, 0.25, 2.0]),
)
def test_constant_capacity_equals_closed_form_logistic(r, K, B, n0_fraction, dt):
    n0 = n0_fraction * K * B
    result = cm.simulate(r=r, q=0.5, B=B, P=0.0, K=K, n0=n0, days=40.0, dt=dt)
    expected = [K * B / (1 + (K * B - n0) / n0 * math.exp(-r * t)) for t in result.t]  # N(t) of the logistic, written out
    np.testing.assert_allclose(result.car_t, expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize("reading", cm.READINGS)
@pytest.mark.parametrize("b_placement", cm.B_PLACEMENTS)
def test_readings_match_textbook_form(reading, b_placement):
    rng = np.random.default_rng(RNG_SEED)
    for _ in range(20):
        params = dict(
            r=rng.uniform(0.2, 4.0),
            q=rng.uniform(0.0, 1.0),
            B=rng.uniform(0.05, 5.0),
            P=10 ** rng.uniform(0, 6),
            K=10 ** rng.uniform(2, 8),
            n0=10 ** rng.uniform(-2, 3),
        )
        result = cm.simulate(**params, days=50, reading=reading, b_placement=b_placement)
        expected = equation_1_by_hand(**params, days=50, reading=reading, b_placement=b_placement)
        np.testing.assert_allclose(result.car_t, expected, rtol=1e-12)


# --- reference figures of the paper's Figure 1 under the book's three readings -----
# Quoted to 3 figures in the project's notes on the equations; checked to that precision.


@pytest.mark.parametrize(
    ("reading", "peak", "peak_day"),
    [("exact", 1.47e7, 12), ("closed", 1.39e7, 12), ("literal", 1.37e8, 5)],
)
def test_figure_1_reference_values(reading, peak, peak_day):
    result = cm.simulate(**FIGURE_1, days=60, reading=reading)
    assert float(result.peak) == pytest.approx(peak, rel=5e-3)
    assert float(result.peak_day) == peak_day
    assert float(result.final) == pytest.approx(6.25e5, rel=1e-4)  # K B = 1e6 / 1.6
    # the tumour is the paper's exponential, in every reading
    expected = [FIGURE_1["P"] * math.exp((FIGURE_1["q"] - FIGURE_1["r"]) * t) for t in range(61)]
    np.testing.assert_allclose(result.tumour, expected, rtol=1e-14)
    np.testing.assert_array_equal(result.t, np.arange(61.0))
    assert float(cm.tumour_clearance_day(P=1000, r=1.5, q=1.2)) == pytest.approx(23.0, abs=0.05)  # the paper's 23 days


def test_affinity_from_ic50():
    np.testing.assert_array_equal(cm.affinity_from_ic50([1.0, 1.6, 4.0, 500.0]), [1.0, 0.625, 0.25, 0.002])


# --- invariants --------------------------------------------------------------


def random_parameters(rng, size):
    return dict(
        r=rng.uniform(0.05, 8.0, size),
        q=rng.uniform(0.0, 3.0, size),
        B=10 ** rng.uniform(-3, 1, size),
        P=10 ** rng.uniform(-1, 8, size),
        K=10 ** rng.uniform(0, 9, size),
        n0=10 ** rng.uniform(-3, 6, size),
    )


@pytest.mark.parametrize("b_placement", cm.B_PLACEMENTS)
def test_plateau_after_clearance(b_placement):
    """Once the tumour is gone, every trajectory settles at K B (or K)."""
    rng = np.random.default_rng(RNG_SEED + 1)
    params = random_parameters(rng, 500)
    params["r"] = rng.uniform(0.3, 8.0, 500)
    params["q"] = params["r"] * rng.uniform(0.0, 0.5, 500)  # the tumour is cleared
    params["P"] = 10 ** rng.uniform(0, 4, 500)
    days = 400
    result = cm.simulate(**params, days=days, b_placement=b_placement)
    cleared_by = cm.tumour_clearance_day(P=params["P"], r=params["r"], q=params["q"])
    assert np.all(cleared_by < days / 2)
    plateau = params["K"] * params["B"] if b_placement == "capacity" else params["K"]
    np.testing.assert_allclose(result.final, plateau, rtol=1e-6)
    np.testing.assert_allclose(cm.plateau_level(K=params["K"], B=params["B"], b_placement=b_placement), plateau)


@pytest.mark.parametrize("reading", cm.READINGS)
@pytest.mark.parametrize("b_placement", cm.B_PLACEMENTS)
def test_peak_grows_with_affinity_and_burden(reading, b_placement):
    B = np.geomspace(0.01, 10, 12)
    P = np.geomspace(1, 1e6, 14)[:, None]
    peak = cm.simulate(r=1.5, q=1.2, B=B, P=P, K=1e6, days=60, reading=reading, b_placement=b_placement).peak
    assert peak.shape == (14, 12)
    assert np.all(np.diff(peak, axis=1) > 0), "peak must grow with B"
    assert np.all(np.diff(peak, axis=0) > 0), "peak must grow with P"


@pytest.mark.parametrize("reading", cm.READINGS)
def test_vectorised_equals_scalar_calls_exactly(reading):
    rng = np.random.default_rng(RNG_SEED + 2)
    params = random_parameters(rng, 7)
    params["P"] = params["P"].reshape(7, 1)  # broadcast to a 7 x 7 grid
    cells = 10 ** rng.uniform(-1, 3, 7)  # a dose's cells broadcast with the parameters too
    grid = cm.simulate(**params, days=30, reading=reading, doses=[(10, cells)])
    assert grid.car_t.shape == (7, 7, 31)
    for i in range(7):
        for j in range(7):
            one = cm.simulate(
                r=float(params["r"][j]), q=float(params["q"][j]), B=float(params["B"][j]),
                P=float(params["P"][i, 0]), K=float(params["K"][j]), n0=float(params["n0"][j]),
                days=30, reading=reading, doses=[(10, float(cells[j]))],
            )
            np.testing.assert_array_equal(grid.car_t[i, j], one.car_t)
            np.testing.assert_array_equal(grid.tumour[i, j], one.tumour)
            for summary in ("peak", "peak_day", "final", "clearance_day"):
                assert getattr(grid, summary)[i, j] == getattr(one, summary)


def test_dt_refines_towards_continuous_time():
    """Halving the step changes the trajectory (on whole days) less and less, about
    by half each time: the iteration converges, at first order, to continuous time."""
    daily = []
    for dt in (1.0, 0.5, 0.25, 0.125, 0.0625):
        run = cm.simulate(**FIGURE_1, days=60, dt=dt)
        daily.append(run.car_t[:: int(round(1 / dt))])
    changes = [np.max(np.abs(np.log(b / a))) for a, b in zip(daily[:-1], daily[1:], strict=True)]
    ratios = np.array(changes[1:]) / np.array(changes[:-1])
    assert np.all(ratios < 0.7), ratios  # every halving shrinks the change
    assert ratios[-1] == pytest.approx(0.5, abs=0.05), ratios  # first-order convergence


# --- doses ---------------------------------------------------------------------


def test_dose_adds_cells_on_its_day():
    base = cm.simulate(**FIGURE_1, days=20)
    dosed = cm.simulate(**FIGURE_1, days=20, doses=[(5, 1000.0)])
    np.testing.assert_array_equal(dosed.car_t[:5], base.car_t[:5])
    # day 5: the update from day 4 is unchanged, then the infusion is added
    assert dosed.car_t[5] == base.car_t[5] + 1000.0
    assert np.all(dosed.car_t[6:] > base.car_t[6:])


@pytest.mark.parametrize(("one", "other", "rtol"), [
    # a dose on day 0 is part of the first dose
    (dict(FIGURE_1, n0=3.0), dict(FIGURE_1, n0=1.0, doses=[(0, 2.0)]), 1e-15),
    # doses on one step add up and snap to the next step
    (dict(FIGURE_1, doses=[(7, 30.0)]), dict(FIGURE_1, doses=[(6.2, 10.0), (7, 20.0)]), 1e-15),
    # the closed reading restarts at an infusion and agrees with exact when the capacity is flat
    (dict(FIGURE_1, P=0.0, doses=[(4, 50.0), (9, 1e4)]), dict(FIGURE_1, P=0.0, doses=[(4, 50.0), (9, 1e4)], reading="closed"), 1e-12),
])
def test_equivalent_dosings_give_the_same_course(one, other, rtol):
    np.testing.assert_allclose(cm.simulate(**one, days=30).car_t, cm.simulate(**other, days=30).car_t, rtol=rtol)


# --- bad input -------------------------------------------------------------------


GOOD = dict(FIGURE_1)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("r", 0.0), ("r", -1.5), ("r", math.nan), ("r", math.inf),
        ("q", -0.1), ("q", math.nan),
        ("B", 0.0), ("B", -2.0), ("B", math.inf),
        ("P", -1.0), ("P", math.nan),
        ("K", 0.0), ("K", -1e6),
        ("n0", 0.0), ("n0", -5.0), ("n0", math.nan),
        ("days", 0), ("days", -10), ("dt", 0.0), ("dt", -1.0), ("dt", math.nan),
        ("r", [1.0, -1.0]),
    ],
)
def test_bad_values_raise_value_error_naming_the_parameter_and_its_unit(name, value):
    with pytest.raises(ValueError, match=rf"^{name} \({re.escape(PARAMETERS[name].unit)}\) .*got"):
        cm.simulate(**{**GOOD, name: value})


@pytest.mark.parametrize(("changes", "error", "pattern"), [
    *[
        ({name: value}, TypeError, name)
        for name, value in [("r", "1.5"), ("q", None), ("B", True), ("P", 1 + 2j), ("K", [1, "a"]), ("n0", object()), ("days", [60, 70])]
    ],
    ({"reading": "euler"}, ValueError, "reading.*'exact'.*got 'euler'"),
    ({"reading": 1}, TypeError, "reading"),
    ({"b_placement": "outside"}, ValueError, "b_placement"),
    ({"days": 10, "dt": 3.0}, ValueError, "days / dt"),  # the horizon must be whole steps
    ({"r": [1.5, 2.0], "P": [1.0, 2.0, 3.0]}, ValueError, "broadcast.*r \\(2,\\).*P \\(3,\\)"),
    # an overflowing capacity is refused, not returned as inf
    ({"q": 20.0, "r": 0.1, "days": 365}, ValueError, "1e300"),
    ({"K": 1e-200, "B": 1e-200}, ValueError, "1e-300"),
    ({"doses": [(61, 10.0)]}, ValueError, r"doses\[0\] day.*\[0, 60\].*got 61"),
    ({"doses": [(-1, 10.0)]}, ValueError, r"doses\[0\] day"),
    ({"doses": [(5, -10.0)]}, ValueError, r"doses\[0\] n0.*>= 0"),
    ({"doses": [(5, math.nan)]}, ValueError, r"doses\[0\] n0"),
    ({"doses": [(5, 10.0), (7,)]}, TypeError, r"doses\[1\].*\(day, n0\) pair"),
    ({"doses": "day 5"}, TypeError, r"doses must be a sequence"),
    ({"doses": 5}, TypeError, r"doses must be a sequence"),
])
def test_wrong_types_bad_doses_and_other_bad_settings(changes, error, pattern):
    with pytest.raises(error, match=pattern):
        cm.simulate(**{**GOOD, **changes})


def test_capacity_by_hand_with_shape_parameters_then_time():
    np.testing.assert_allclose(
        cm.capacity([0.0, 10.0], r=1.5, q=1.2, B=0.5, P=100, K=10),
        [10 * 0.5 * (100 + 1), 10 * 0.5 * (100 * math.exp(-3.0) + 1)],
        rtol=1e-14,
    )
    assert cm.capacity(0.0, r=1.5, q=1.2, B=1.0, P=10.0, K=1.0).shape == ()
    assert cm.capacity([0.0, 1.0, 2.0], r=[1.5, 2.0], q=1.2, B=1.0, P=10.0, K=1.0).shape == (2, 3)
