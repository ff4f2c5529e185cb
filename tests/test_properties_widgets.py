"""Properties (hypothesis) of cartmodel.widgets: built and driven with values the sliders allow."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cartmodel as cm
from cartmodel import widgets
from cartmodel.paper import FIGURE_1
from cartmodel.parameters import PARAMETERS

from .conftest import examples
from .strategies import (
    BAD_INT,
    BAD_SEED,
    BAD_VECTOR,
    NON_NEGATIVE,
    POSITIVE,
    RATE_Q,
    RATE_R,
    Refusal,
    assert_counts,
    assert_drawn_call_refused,
    bad_horizon,
    outside,
    refusal,
)

# --------------------------------------------------------------------------
# widgets: built and driven with values the sliders allow


def slider_value(name: str) -> st.SearchStrategy[float]:
    """A value the slider of ``name`` can show, on the slider's step, from the parameter table's range."""
    low, high, scale, step = PARAMETERS[name].control
    if scale == "log":
        low, high = math.log10(low), math.log10(high)
    position = st.integers(0, round((high - low) / step)).map(lambda k: min(low + k * step, high))
    return position.map(lambda v: 10.0**v) if scale == "log" else position


def outside_slider(name: str) -> st.SearchStrategy[Any]:
    """Values a slider of ``name`` cannot show: outside its range in the parameter table."""
    return outside(*PARAMETERS[name].control[:2])


CONTROLS = {name: slider_value(name) for name in widgets.EXPLORER_CONTROLS["dosing"]}
NOMOGRAM_CONTROLS = {"ic50": CONTROLS["ic50"], "ceiling": CONTROLS["ceiling"], "clear_by_day": st.integers(5, 60),
                     "variability": st.sampled_from(["typical", "cohort"])}
SCHEDULE_CONTROLS = {"total_n0": slider_value("total_n0"), "infusions": st.integers(1, 6),
                     "interval_days": st.integers(1, 10), "P": CONTROLS["P"]}


def drive(data: st.DataObject, explorer: Any, controls: dict[str, st.SearchStrategy[Any]]) -> None:
    """Move one to three sliders, as a reader would."""
    for _ in range(data.draw(st.integers(1, 3), label="moves")):
        name = data.draw(st.sampled_from(sorted(controls)), label="slider")
        explorer.controls[name].value = data.draw(controls[name], label=name)
    assert bytes(explorer.image.value).startswith(b"\x89PNG")


@settings(max_examples=examples(8))
@given(data=st.data(), start=st.fixed_dictionaries({}, optional=CONTROLS), days=st.sampled_from([30.0, 60.0]))
def test_dosing_explorer(data, start, days):
    explorer = widgets.DosingExplorer(days=days, **start)
    try:
        drive(data, explorer, CONTROLS)
        v, values = explorer.current(), explorer.values
        assert_counts("peak", values["peak_cells"])
        assert 0 <= values["peak_day"] <= days and values["peak_cells"] >= v["n0"] * (1 - 1e-12)
        assert values["clearance_day"] == math.inf or 0 <= values["clearance_day"] <= days
        assert values["over_ceiling"] == (values["peak_cells"] > v["ceiling"])
        assert widgets.format_cells(values["peak_cells"]) in explorer.readouts["peak"].value
    finally:
        explorer.close()


@settings(max_examples=examples(4))
@given(data=st.data(), start=st.fixed_dictionaries({}, optional=NOMOGRAM_CONTROLS), n=st.integers(3, 8),
       r=RATE_R, q=RATE_Q)
def test_nomogram_explorer(data, start, n, r, q):
    explorer = widgets.NomogramExplorer(n=n, r=r, q=q, rtol=1e-2, **start)
    try:
        drive(data, explorer, NOMOGRAM_CONTROLS)
        grid, under = explorer.values["grid"], explorer.values["under_ceiling"]
        assert grid.peak.shape == (n, n)
        assert_counts("peak map", grid.peak)
        assert_counts("largest doses under the ceiling", under.n0)
        assert explorer.readouts["summary"].value
    finally:
        explorer.close()


@settings(max_examples=examples(6))
@given(data=st.data(), start=st.fixed_dictionaries({}, optional=SCHEDULE_CONTROLS), r=RATE_R, q=RATE_Q)
def test_schedule_explorer(data, start, r, q):
    explorer = widgets.ScheduleExplorer(r=r, q=q, **start)
    try:
        drive(data, explorer, SCHEDULE_CONTROLS)
        values = explorer.values
        for name in ("single_peak", "split_peak", "single_peak_day", "split_peak_day", "peak_ratio"):
            assert_counts(name, values[name])
        assert values["peak_ratio"] > 0 and (values["clearance_day"] == math.inf or values["clearance_day"] >= 0)
        # the lines, markers and ratio are simulate's, with B = 1 / IC50 written out and the doses listed by hand
        v, common = explorer.current(), dict(r=r, q=q, B=1 / 1.6, K=FIGURE_1["K"])
        each, days = v["total_n0"] / v["infusions"], [k * v["interval_days"] for k in range(int(v["infusions"]))]
        split = cm.simulate(**common, P=v["P"], n0=each, doses=[(day, each) for day in days[1:]] or None)
        single = cm.simulate(**common, P=v["P"], n0=v["total_n0"])
        np.testing.assert_allclose(explorer.lines["split"].get_ydata(), split.car_t, rtol=1e-12)
        np.testing.assert_allclose(explorer.lines["single"].get_ydata(), single.car_t, rtol=1e-12)
        marked, heights = explorer.lines["infusions"].get_data()
        assert list(marked) == days
        np.testing.assert_allclose(heights, split.car_t[[int(day) for day in days]], rtol=1e-12)
        ratio = float(split.car_t.max() / single.car_t.max())
        assert values["peak_ratio"] == pytest.approx(ratio, rel=1e-12) and f"{ratio:.3f}" in explorer.readouts["ratio"].value
    finally:
        explorer.close()


@settings(max_examples=examples(600))
@given(x=st.one_of(st.floats(), st.integers(-10**6, 10**6), st.floats(width=32).map(np.float32)))
def test_format_cells(x):
    text = widgets.format_cells(x)
    if math.isfinite(x):  # three significant digits: off by at most half a unit in the third
        exact = Decimal(float(x))
        assert abs(Decimal(text) - exact) <= abs(exact) * Decimal("0.005")
    else:
        assert text == "none"


WIDGET_REFUSALS: dict[str, Refusal] = {
    "DosingExplorer": refusal(
        widgets.DosingExplorer, {"K": 1e6, "days": 60.0, "dt": 1.0},
        {"K": POSITIVE, "days": bad_horizon(), "dt": st.one_of(POSITIVE, st.just(0.7)), "dosage": st.just(3.0),
         **{name: st.one_of(outside_slider(name), st.just([1.0, 2.0]))
            for name in widgets.EXPLORER_CONTROLS["dosing"]}}),
    "NomogramExplorer": refusal(
        widgets.NomogramExplorer, {"n": 3, "rtol": 1e-2},
        {"P_grid": st.one_of(BAD_VECTOR.filter(lambda v: v is not None), st.just([10.0, 1.0])),
         "n0_grid": st.one_of(BAD_VECTOR.filter(lambda v: v is not None), st.just([1.0, 1.0])),
         "n": st.one_of(BAD_INT, st.just(1)), "r": POSITIVE, "q": NON_NEGATIVE, "K": POSITIVE, "days": bad_horizon(),
         "rtol": outside(0.0, 0.1, low_open=True), "colour": st.just("red"),
         "ic50": outside_slider("ic50"), "ceiling": outside_slider("ceiling"), "clear_by_day": st.one_of(BAD_INT, st.just(61)),
         "cohort_size": st.one_of(BAD_INT, st.just(100_001)), "cohort_seed": BAD_SEED,
         "cohort_fraction": outside(0.0, 1.0, low_open=True), "variability": st.sampled_from(["all", None, 1, ""])}),
    "ScheduleExplorer": refusal(
        widgets.ScheduleExplorer, {},
        {"r": POSITIVE, "q": NON_NEGATIVE, "ic50": POSITIVE, "K": POSITIVE, "days": bad_horizon(), "colour": st.just("red"),
         "total_n0": outside_slider("total_n0"), "infusions": st.one_of(BAD_INT, st.just(7)),
         "interval_days": st.one_of(BAD_INT, st.just(11)), "P": outside_slider("P")}),
}


@settings(max_examples=examples(150))
@given(data=st.data())
def test_widgets_refuse_bad_input(data):
    assert_drawn_call_refused(data, WIDGET_REFUSALS)
