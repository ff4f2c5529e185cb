"""Property-based tests (hypothesis) over the public functions of cartmodel.model.

Inside the ranges the chapters and widgets allow, outputs are finite and cell
counts non-negative; outside them, the only exceptions are ValueError or
TypeError, and the message names the offending parameter.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cartmodel as cm

from .conftest import examples
from .strategies import AFFINITY_B, BURDEN_P, DOSE, HORIZONS, RATE_Q, RATE_R, SCALE_K

BAD_NUMBERS = [0.0, -1.0, -1e-9, math.nan, math.inf, -math.inf]
WRONG_TYPES = ["1.0", None, True, 1 + 1j, [1.0, "x"], object()]


def assert_valid_expansion(result: cm.Expansion) -> None:
    for name in ("car_t", "tumour", "capacity"):
        values = getattr(result, name)
        assert np.all(np.isfinite(values)), f"{name} is not finite"
        assert np.all(values >= 0), f"{name} is negative"
    assert np.all(result.car_t > 0)
    assert np.all(np.isfinite(result.peak)) and np.all(np.isfinite(result.peak_day))
    assert np.all((result.clearance_day >= 0) & ((result.clearance_day <= result.t[-1]) | np.isinf(result.clearance_day)))


@settings(max_examples=examples(2500))
@given(
    r=RATE_R, q=RATE_Q, B=AFFINITY_B, P=BURDEN_P, K=SCALE_K, n0=DOSE, horizon=HORIZONS,
    reading=st.sampled_from(cm.READINGS), placement=st.sampled_from(cm.B_PLACEMENTS),
    later=st.lists(st.tuples(st.floats(0.0, 1.0), DOSE), max_size=3),
)
def test_simulate_in_range_is_finite_and_positive_or_refuses_overflow(r, q, B, P, K, n0, horizon, reading, placement, later):
    days, dt = horizon
    doses = [(fraction * days, cells) for fraction, cells in later]
    try:
        result = cm.simulate(r=r, q=q, B=B, P=P, K=K, n0=n0, days=days, dt=dt, reading=reading,
                             b_placement=placement, doses=doses)
    except ValueError as error:
        # the one documented refusal inside these ranges: a capacity beyond 1e300 cells
        assert "1e300" in str(error) and q > r
        return
    assert_valid_expansion(result)


PARAMETERS = dict(r=1.5, q=1.2, B=0.625, P=1000.0, K=1e6, n0=1.0, days=60, dt=1.0)


@settings(max_examples=examples(2000))
@given(
    name=st.sampled_from(sorted(PARAMETERS)),
    bad=st.one_of(st.sampled_from(BAD_NUMBERS), st.sampled_from(WRONG_TYPES), st.floats(-1e12, -1e-12)),
    as_array=st.booleans(),
)
def test_simulate_bad_input_raises_naming_the_parameter(name, bad, as_array):
    if name in ("q", "P") and isinstance(bad, float) and bad == 0.0:
        bad = -0.5  # q = 0 (an indolent tumour) and P = 0 (no tumour) are valid
    value = [PARAMETERS[name], bad] if as_array and name not in ("days", "dt") else bad
    with pytest.raises((ValueError, TypeError)) as caught:
        cm.simulate(**{**PARAMETERS, name: value})
    assert name in str(caught.value)


@settings(max_examples=examples(1500))
@given(
    ic50=st.one_of(st.floats(1e-6, 1e6), st.sampled_from(BAD_NUMBERS + WRONG_TYPES)),
)
def test_affinity_from_ic50(ic50):
    if isinstance(ic50, float) and math.isfinite(ic50) and ic50 > 0:
        B = float(cm.affinity_from_ic50(ic50))
        assert math.isfinite(B) and B > 0 and B * ic50 == pytest.approx(1.0, rel=1e-15)
    else:
        with pytest.raises((ValueError, TypeError), match="ic50_nm"):
            cm.affinity_from_ic50(ic50)


@settings(max_examples=examples(1500))
@given(P=st.floats(0.0, 1e12), r=RATE_R, q=RATE_Q)
def test_tumour_clearance_day_agrees_with_simulation(P, r, q):
    analytic = float(cm.tumour_clearance_day(P=P, r=r, q=q))
    assert analytic >= 0
    if P <= 1:
        assert analytic == 0
    elif r <= q:
        assert analytic == math.inf
    else:
        assert P * math.exp((q - r) * analytic) == pytest.approx(1.0, rel=1e-6)


@settings(max_examples=examples(1500))
@given(
    t=st.lists(st.floats(0.0, 365.0), min_size=1, max_size=5),
    r=RATE_R, q=st.floats(0.0, 0.01), B=AFFINITY_B, P=BURDEN_P, K=SCALE_K,
    placement=st.sampled_from(cm.B_PLACEMENTS),
)
def test_capacity_and_plateau(t, r, q, B, P, K, placement):
    Kt = cm.capacity(t, r=r, q=q, B=B, P=P, K=K, b_placement=placement)
    assert Kt.shape == (len(t),)
    assert np.all(np.isfinite(Kt))
    plateau = float(cm.plateau_level(K=K, B=B, b_placement=placement))
    assert np.all(Kt >= plateau * (1 - 1e-12))  # the capacity never drops below the plateau


OTHER_FUNCTIONS = {
    "capacity": dict(r=1.5, q=1.2, B=0.6, P=10.0, K=1e6),
    "plateau_level": dict(K=1e6, B=0.6),
    "tumour_clearance_day": dict(P=10.0, r=1.5, q=1.2),
}


@settings(max_examples=examples(1200))
@given(
    target=st.sampled_from(
        [("capacity", name) for name in ("r", "q", "B", "P", "K")]
        + [("plateau_level", name) for name in ("K", "B")]
        + [("tumour_clearance_day", name) for name in ("P", "r", "q")]
    ),
    bad=st.one_of(st.sampled_from([-1.0, math.nan, math.inf]), st.sampled_from(WRONG_TYPES)),
)
def test_other_functions_bad_input(target, bad):
    function, name = target
    arguments = {**OTHER_FUNCTIONS[function], name: bad}
    call = getattr(cm, function)
    with pytest.raises((ValueError, TypeError)) as caught:
        call(1.0, **arguments) if function == "capacity" else call(**arguments)
    assert name in str(caught.value)


# --- extreme but valid inputs -------------------------------------------------------


@pytest.mark.parametrize("n0", [1e-6, 1e12])
@pytest.mark.parametrize("P", [0.0, 1e12])
@pytest.mark.parametrize("r", [0.01, 10.0])
def test_extreme_doses_burdens_and_rates_over_a_year(n0, P, r):
    result = cm.simulate(r=r, q=0.0, B=0.625, P=P, K=1e6, n0=n0, days=365, dt=1.0)
    assert_valid_expansion(result)
    if r == 10.0:  # fast growth: settled at the plateau long before day 365
        assert float(result.final) == pytest.approx(0.625e6, rel=1e-9)


def test_fine_steps_over_a_year():
    result = cm.simulate(r=10.0, q=1.0, B=0.625, P=1e12, K=1e6, n0=1e-6, days=365, dt=0.01)
    assert result.car_t.shape == (36501,)
    assert_valid_expansion(result)
    assert float(result.final) == pytest.approx(0.625e6, rel=1e-9)
    assert float(result.clearance_day) == pytest.approx(math.log(1e12) / 9.0, abs=0.01)
