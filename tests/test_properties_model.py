"""Properties (hypothesis) of Equation 1 (cartmodel.model), its engine, the parameter table and the numbers for prose.

Inside the ranges the chapters and widgets allow, outputs are finite and cell counts non-negative;
outside them, the only exceptions are ValueError or TypeError, and the message names the parameter.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import asdict
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import cartmodel as cm
from cartmodel import engine, reporting
from cartmodel.parameters import PARAMETERS, Parameter, check, label, table_for_browser

from .conftest import examples
from .strategies import (
    AFFINITY_B,
    BURDEN_P,
    DOSE,
    HORIZONS,
    POSITIVE,
    RATE_Q,
    RATE_R,
    SCALE_K,
    WRONG_TYPES,
    log_uniform,
)

# --------------------------------------------------------------------------
# Equation 1

BAD_NUMBERS = [0.0, -1.0, -1e-9, math.nan, math.inf, -math.inf]


def assert_valid_expansion(result: cm.Expansion) -> None:
    for name in ("car_t", "tumour", "capacity"):
        values = getattr(result, name)
        assert np.all(np.isfinite(values)), f"{name} is not finite"
        assert np.all(values >= 0), f"{name} is negative"
    assert np.all(result.car_t > 0)
    assert np.all(np.isfinite(result.peak)) and np.all(np.isfinite(result.peak_day))
    assert np.all((result.clearance_day >= 0) & ((result.clearance_day <= result.t[-1]) | np.isinf(result.clearance_day)))
    # the summaries are those of the trajectories: peak (its first day), final value, first day below one cell
    assert np.array_equal(result.peak, result.car_t.max(axis=-1)) and np.array_equal(result.final, result.car_t[..., -1])
    assert np.array_equal(result.peak_day, result.t[result.car_t.argmax(axis=-1)])
    below = result.tumour < 1
    assert np.array_equal(result.clearance_day, np.where(below.any(axis=-1), result.t[below.argmax(axis=-1)], np.inf))


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


SIMULATE_VALID = dict(r=1.5, q=1.2, B=0.625, P=1000.0, K=1e6, n0=1.0, days=60, dt=1.0)


@settings(max_examples=examples(2000))
@given(
    name=st.sampled_from(sorted(SIMULATE_VALID)),
    bad=st.one_of(st.sampled_from(BAD_NUMBERS), st.sampled_from(WRONG_TYPES), st.floats(-1e12, -1e-12)),
    as_array=st.booleans(),
)
def test_simulate_bad_input_raises_naming_the_parameter(name, bad, as_array):
    if name in ("q", "P") and isinstance(bad, float) and bad == 0.0:
        bad = -0.5  # q = 0 (an indolent tumour) and P = 0 (no tumour) are valid
    value = [SIMULATE_VALID[name], bad] if as_array and name not in ("days", "dt") else bad
    with pytest.raises((ValueError, TypeError)) as caught:
        cm.simulate(**{**SIMULATE_VALID, name: value})
    assert name in str(caught.value)


@settings(max_examples=examples(1500))
@example(ic50=0.0)
@given(
    ic50=st.one_of(st.floats(1e-6, 1e6), st.sampled_from([*BAD_NUMBERS, *WRONG_TYPES])),
)
def test_affinity_from_ic50(ic50):
    if isinstance(ic50, float) and math.isfinite(ic50) and ic50 > 0:
        B = float(cm.affinity_from_ic50(ic50))
        assert math.isfinite(B) and B > 0 and B * ic50 == pytest.approx(1.0, rel=1e-15)
    else:
        with pytest.raises(ValueError if isinstance(ic50, float) else TypeError, match=r"^ic50_nm\b.*; got "):
            cm.affinity_from_ic50(ic50)


@settings(max_examples=examples(1500))
@given(P=st.floats(0.0, 1e12), r=RATE_R, q=RATE_Q, level=st.one_of(st.just(1.0), log_uniform(1e-9, 10.0)))
def test_tumour_clearance_day_agrees_with_simulation(P, r, q, level):
    analytic = float(cm.tumour_clearance_day(P=P, r=r, q=q, clearance_level=level))
    assert analytic >= 0
    if P <= level:
        assert analytic == 0
    elif r <= q:
        assert analytic == math.inf
    else:  # ln(P / level) / (r - q) days, written out (simulate's day: test_engine_pieces_compose_to_simulate)
        assert analytic == pytest.approx(math.log(P / level) / (r - q), rel=1e-14)
        assert P * math.exp((q - r) * analytic) == pytest.approx(level, rel=1e-6)


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
@example(target=("capacity", "t_days"), bad=-1.0)
@given(
    target=st.sampled_from(
        [("capacity", name) for name in ("t_days", "r", "q", "B", "P", "K")]
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
        call(1.0, **arguments) if function == "capacity" and name != "t_days" else call(**arguments)
    assert name in str(caught.value)


# --- extreme but valid inputs -------------------------------------------------------


@pytest.mark.parametrize("n0", [1e-6, 1e12])
@pytest.mark.parametrize("P", [0.0, 1e12])
@pytest.mark.parametrize(("r", "q", "dt"), [(0.01, 0.0, 1.0), (10.0, 0.0, 1.0), (10.0, 1.0, 0.01)])  # and fine steps
def test_extreme_doses_burdens_and_rates_over_a_year(n0, P, r, q, dt):
    result = cm.simulate(r=r, q=q, B=0.625, P=P, K=1e6, n0=n0, days=365, dt=dt)
    assert result.car_t.shape == (round(365 / dt) + 1,)
    assert_valid_expansion(result)
    if r == 10.0:  # fast growth: settled at the plateau long before day 365, the tumour cleared by the first step below 1
        assert float(result.final) == pytest.approx(0.625e6, rel=1e-9)
        assert float(result.clearance_day) == pytest.approx(math.log(max(P, 1.0)) / (r - q), abs=dt)


# --------------------------------------------------------------------------
# valid ranges: numbers for prose

SUPERSCRIPT_DIGITS = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def read_back(text: str) -> Decimal:
    """The number a reader sees in ``1.47 × 10⁷``, ``6,250`` or ``0.625`` (exactly, as a Decimal)."""
    mantissa, _, exponent = text.replace(",", "").partition(" × 10")
    return Decimal(mantissa).scaleb(int(exponent.translate(SUPERSCRIPT_DIGITS) or "0"))


@settings(max_examples=examples(800))
@example(value=5e-324, digits=3)  # the smallest subnormal once divided by 10.0**-324 == 0
@example(value=-2.2250738585072014e-308, digits=15)
@example(value=1.7976931348623157e308, digits=15)
@given(value=st.floats(allow_nan=False, allow_infinity=False), digits=st.integers(1, 15))
def test_sci_shows_the_value_to_its_digits(value, digits):
    quantity = reporting.sci(value, digits)
    assert isinstance(quantity, reporting.Quantity) and float(quantity) == value
    text = str(quantity)
    assert text == repr(quantity) and "nan" not in text and "inf" not in text
    exact = Decimal(value)  # the float's exact decimal value
    if exact != 0:  # rounded to `digits` significant figures: off by at most half a unit in the last
        assert abs(read_back(text) - exact) <= abs(exact) * Decimal(5).scaleb(-digits)
    else:
        assert text == "0"


# --------------------------------------------------------------------------
# the engine of Equation 1 and the parameter table


@settings(max_examples=examples(200))
@given(r=RATE_R, q=RATE_Q, P=BURDEN_P, B=AFFINITY_B, K=SCALE_K, n0=DOSE, later=DOSE, horizon=HORIZONS,
       reading=st.sampled_from(cm.READINGS), placement=st.sampled_from(cm.B_PLACEMENTS),
       level=log_uniform(1e-9, 10.0))
def test_engine_pieces_compose_to_simulate(r, q, P, B, K, n0, later, horizon, reading, placement, level):
    """The engine's functions, called one by one, give simulate's trajectory; each piece checked independently."""
    days, dt = horizon
    t, steps = engine.time_grid(days, dt)
    assert steps == len(t) - 1 and t[0] == 0.0 and t[-1] == pytest.approx(days) and np.allclose(np.diff(t), dt)
    params = engine.check_model_parameters(r=r, q=q, B=B, P=P, K=K)
    assert [float(value) for value in params] == [r, q, B, P, K]
    assert engine.broadcast_shape({"a": np.empty(3), "b": 1.0}) == (3,)
    try:
        engine.check_capacity_range(*(np.asarray(v) for v in (r, q, B, P, K)), float(t[-1]), placement)
    except ValueError as error:
        assert "1e300" in str(error) and q > r
        return
    checked = engine.check_run(r=r, q=q, B=B, P=P, K=K, days=days, dt=dt, reading=reading, b_placement=placement,
                               others={"n0": np.full(2, n0)})
    assert checked.shape == (2,) and np.array_equal(checked.t, t) and checked.reading == reading
    tumour = engine.tumour_term(t, r, q, P)
    by_hand = np.array([P * math.exp((q - r) * day) for day in t])
    np.testing.assert_allclose(tumour, by_hand, rtol=1e-12)
    cap = engine.capacity_from_tumour(tumour, B, K, placement)
    assert np.array_equal(checked.tumour(), tumour) and np.array_equal(checked.capacity(tumour), cap)
    expected_cap = K * B * (by_hand + 1) if placement == "capacity" else K * (B * by_hand + 1)
    np.testing.assert_allclose(cap, expected_cap, rtol=1e-12)
    schedule = engine.check_doses([(dt, later)], t)
    assert schedule[0][0] == 1 and float(schedule[0][1]) == later
    added = engine.doses_by_step(schedule + schedule, ())
    assert float(added[1]) == 2 * later
    cells = engine.iterate(cap, np.asarray(r), np.asarray(n0), t, reading, added)
    assert np.array_equal(cells, np.array(list(engine.logistic_steps(cap, np.asarray(r), np.asarray(n0), t, reading,
                                                                     added))))
    run = cm.simulate(r=r, q=q, B=B, P=P, K=K, n0=n0, days=days, dt=dt, reading=reading, b_placement=placement,
                      doses=[(dt, later), (dt, later)], clearance_level=level)
    np.testing.assert_array_equal(cells, run.car_t)
    below = np.flatnonzero(by_hand < level)
    day = engine.first_day_below(t, tumour, level)
    assert float(day) == (t[below[0]] if below.size else math.inf) == float(run.clearance_day)


ENGINE_T = np.arange(11.0)


@settings(max_examples=examples(150))
@given(data=st.data())
def test_engine_refuses_bad_input(data):
    calls: dict[str, tuple[str, Callable[[Any], Any]]] = {
        "time_grid days": ("days", lambda v: engine.time_grid(v, 1.0)),
        "time_grid dt": ("dt", lambda v: engine.time_grid(10.0, v)),
        "check_model_parameters": ("r", lambda v: engine.check_model_parameters(r=v, q=1.2, B=1.0, P=1.0, K=1e6)),
        "broadcast_shape": ("parameter shapes", lambda v: engine.broadcast_shape({"a": np.empty(3), "b": np.empty(v)})),
        "check_doses": ("doses", lambda v: engine.check_doses(v, ENGINE_T)),
        "doses_by_step": ("shape", lambda v: engine.doses_by_step([(1, np.ones(2))], (v,))),
        "check_run": ("reading", lambda v: engine.check_run(r=1.5, q=1.2, B=1.0, P=1.0, K=1e6, days=10.0, dt=1.0,
                                                            reading=v, b_placement="capacity")),
        "check_capacity_range": ("capacity", lambda v: engine.check_capacity_range(
            np.asarray(0.1), np.asarray(2.5), np.asarray(1.0), np.asarray(1.0), np.asarray(v), 1e3, "capacity")),
    }
    bad = {
        "time_grid days": st.one_of(POSITIVE, st.just(0.5)), "time_grid dt": st.one_of(POSITIVE, st.just(3.0)),
        "check_model_parameters": POSITIVE, "broadcast_shape": st.integers(4, 9),
        "check_doses": st.sampled_from(["day 5", 5, [(1.0,)], [(11.0, 1.0)], [(1.0, -1.0)]]),
        "doses_by_step": st.integers(3, 9), "check_capacity_range": st.just(1e250),
        "check_run": st.sampled_from(["Exact", "", 1, None]),
    }
    which = data.draw(st.sampled_from(sorted(calls)), label="function")
    name, call = calls[which]
    value = data.draw(bad[which], label="bad value")
    if which in ("time_grid days", "time_grid dt", "check_model_parameters"):
        # the generic strategies include valid values: only those outside the range must be refused
        try:
            call(value)
        except (ValueError, TypeError) as error:
            assert name in str(error) or "days / dt" in str(error) or "t must be" in str(error), str(error)
        return
    with pytest.raises((ValueError, TypeError)) as caught:
        call(value)
    message = str(caught.value)
    assert name in message or "doses[0]" in message or "broadcast" in message, message


@settings(max_examples=examples(300))
@given(name=st.sampled_from(sorted(PARAMETERS)), u=st.floats(0.0, 1.0))
def test_parameter_table_checks_labels_and_exports(name, u):
    """Each row: its own default and slider range are valid, values outside are refused, the export round-trips."""
    row = PARAMETERS[name]
    low, high, scale, _ = row.control
    inside = low * (high / low) ** u if scale == "log" else low + u * (high - low)
    for value in (row.default, inside, low, high):
        assert float(check(name, value)) == value
    if row.low is not None:
        below = row.low if row.low_open else row.low - max(1.0, abs(row.low))
        with pytest.raises(ValueError, match=re.escape(name)):
            check(name, below)
    if row.high is not None:  # patient quantities: refused above their physiological range
        above = row.high if row.high_open else row.high + max(1.0, abs(row.high))
        with pytest.raises(ValueError, match=re.escape(name)):
            check(name, above)
    with pytest.raises(TypeError, match=re.escape(name)):
        check(name, "1")
    text = label(name)
    assert row.meaning in text and (row.unit in text or row.unit == "dimensionless")
    exported = json.loads(json.dumps(table_for_browser((name,))))[name]
    assert (exported["min"], exported["max"], exported["scale"], exported["default"]) == (low, high, scale,
                                                                                           row.default)
    assert exported["label"] == text and isinstance(Parameter(**{**asdict(row)}), Parameter)


@settings(max_examples=examples(100))
@given(name=st.one_of(st.text(max_size=8).filter(lambda n: n not in PARAMETERS), st.just(1)))
def test_parameter_table_refuses_unknown_names(name):
    with pytest.raises((ValueError, KeyError)):
        label(name)
    with pytest.raises((ValueError, KeyError, TypeError)):
        check(name, 1.0)
    with pytest.raises((KeyError, TypeError)):
        table_for_browser((name,))
    with pytest.raises(TypeError):
        Parameter(name)  # every field is required
