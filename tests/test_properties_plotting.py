"""Properties (hypothesis) of cartmodel.plotting: valid inputs draw (without a warning), bad inputs are refused."""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.axes import Axes

import cartmodel as cm
from cartmodel import plotting, population
from cartmodel.paper import FIGURE_1

from .conftest import examples
from .strategies import (
    AFFINITY_B,
    BAD_OBJECT,
    BAD_VECTOR,
    BURDEN_P,
    CEILING,
    DOSE,
    EQ1,
    FREE_SETS,
    LIBRARY,
    PATIENT,
    PATIENTS,
    POSITIVE,
    PROBABILITY,
    RATE_Q,
    RATE_R,
    REPERTOIRE,
    SCALE_K,
    SEEDS,
    STANDARD_COUNTS,
    STANDARD_DAYS,
    Refusal,
    assert_drawn_call_refused,
    log_uniform,
    new_axes,
    outside,
    patient_range,
    small_repertoire,
)
from .strategies import (
    refusal as shared_refusal,
)

# --------------------------------------------------------------------------
# plotting: valid inputs draw (without a warning), bad inputs are refused


def one_run(data: st.DataObject, **fixed: Any) -> cm.Expansion:
    values = data.draw(st.fixed_dictionaries({"r": RATE_R, "q": RATE_Q, "B": AFFINITY_B, "P": BURDEN_P,
                                              "n0": DOSE}), label="Equation 1")
    return cm.simulate(**{**values, **fixed}, K=FIGURE_1["K"], days=data.draw(st.sampled_from([10, 30, 60]),
                                                                                   label="days"))


def some_runs(data: st.DataObject) -> dict[str, cm.Expansion]:
    n = data.draw(st.integers(1, 4), label="lines")
    return {f"case {i}": one_run(data) for i in range(n)}


def positive_curve(data: st.DataObject, n: int, low: float = 1e-6, high: float = 1e9) -> np.ndarray:
    return np.array(data.draw(st.lists(log_uniform(low, high), min_size=n, max_size=n), label="curve"))


@functools.cache
def cached_fit(free: tuple[str, ...]) -> cm.BurdenFit:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cm.IdentifiabilityWarning)
        q = EQ1["q"] if "q" not in free else 1.0
        return cm.fit_burden(STANDARD_DAYS, STANDARD_COUNTS, B=EQ1["B"], K=EQ1["K"], r=EQ1["r"], q=q, free=free, horizon_days=40)


def nomogram_inputs(data: st.DataObject) -> dict[str, Any]:
    n_dose, n_burden = data.draw(st.integers(2, 6), label="doses"), data.draw(st.integers(2, 6), label="burdens")
    doses = np.logspace(0, 6, n_dose)
    burdens = np.logspace(-2, data.draw(st.floats(-1.0, 4.0), label="top burden"), n_burden)
    common = dict(B=data.draw(AFFINITY_B, label="B"), r=data.draw(RATE_R, label="r"), q=data.draw(RATE_Q, label="q"),
                  K=FIGURE_1["K"])
    ceiling = data.draw(CEILING, label="ceiling")
    clear_by = data.draw(st.sampled_from([10.0, 42.0, 60.0]), label="clear by")
    return dict(
        n0_grid=doses, P_grid=burdens, grid=cm.dose_response(n0=doses[:, None], P=burdens, **common),
        ceiling_line=cm.dose_for_ceiling(ceiling=ceiling, P=burdens, rtol=1e-2, **common),
        under_ceiling=cm.dose_for_ceiling(ceiling=ceiling, P=burdens, rtol=1e-2, clear_by_day=clear_by, **common),
    )


def schedule(data: st.DataObject) -> cm.ScheduleComparison:
    return cm.split_schedule(total_n0=data.draw(DOSE, label="total"), infusions=data.draw(st.integers(1, 6)),
                             interval_days=float(data.draw(st.integers(0, 10))), P=data.draw(BURDEN_P, label="P"),
                             B=FIGURE_1["B"], r=data.draw(RATE_R), q=data.draw(RATE_Q), K=FIGURE_1["K"], days=60)


def tornado_bars(data: st.DataObject) -> list[Any]:
    patient = data.draw(PATIENTS.filter(lambda p: float(cm.estimate_burden(p).antigen_molecules) > 0), label="patient")
    values = {name: float(getattr(patient, name)) for name in ("weight_kg", "wbc_giga_per_l", "marrow_cells_per_kg")}
    ranges = {name: (max(0.5 * value, patient_range(name)[0]), value) for name, value in values.items()}  # low ends valid
    return cm.one_at_a_time_sensitivity(patient, ranges)


def draw_figure_3(data: st.DataObject, ax: Axes) -> Any:
    repertoire = small_repertoire(data.draw(SEEDS, label="seed"), data.draw(st.integers(1, 40), label="clones"), 0.3)
    donor = cm.expand_repertoire(repertoire, settings=cm.equation_2_settings(days=30))
    axes = (ax, ax.figure.add_subplot(2, 2, 3), ax.figure.add_subplot(2, 2, 4))
    return plotting.plot_figure_3(donor, one_run(data), repertoire.peptides, axes,
                                  floor_cells=data.draw(log_uniform(1e-3, 1.0), label="floor"))


def draw_found_artist(data: st.DataObject, ax: Axes) -> Any:
    plotting.plot_dosing_curves(one_run(data), 1e8, ax=ax)
    gid = data.draw(st.sampled_from(["car-t", "tumour", "ceiling", "clearance"]), label="gid")
    artist = plotting.find_artist(ax, gid)
    assert artist.get_gid() == gid
    return artist


def draw_nomogram_lines(data: st.DataObject, ax: Axes) -> Any:
    inputs = nomogram_inputs(data)
    contour, best = plotting.nomogram_lines(inputs["ceiling_line"], inputs["under_ceiling"])
    for line, result in ((contour, inputs["ceiling_line"]), (best, inputs["under_ceiling"])):
        drawn = ~np.isnan(line)
        assert np.all(line[drawn] > 0) and not np.any(drawn & ~result.feasible)
    return plotting.plot_nomogram(**inputs, ax=ax)


def draw_schedule_markers(data: st.DataObject, ax: Axes) -> Any:
    comparison = schedule(data)
    days, values = plotting.schedule_markers(comparison)
    assert len(days) == len(comparison.doses) and np.all(values > 0)
    assert np.all(np.diff(days) >= 0) and days[-1] <= comparison.split.t[-1]
    return plotting.plot_schedule(comparison, ax=ax)


def draw_recovery(data: st.DataObject, ax: Axes) -> Any:
    n = data.draw(st.integers(1, 20), label="patients")
    truth, estimate = positive_curve(data, n, 1e-2, 1e8), positive_curve(data, n, 1e-2, 1e10)
    interval = np.stack([estimate / 2, estimate * 2], axis=1) if data.draw(st.booleans(), label="interval") else None
    return plotting.plot_burden_recovery(truth, estimate, interval, ax=ax, label="cohort")


def draw_response(data: st.DataObject, ax: Axes) -> Any:
    n = data.draw(st.integers(1, 12), label="infusions")
    infusions = np.arange(1, n + 1)
    curves = {f"strategy {i}": np.array(data.draw(st.lists(PROBABILITY, min_size=n, max_size=n)))
              for i in range(data.draw(st.integers(1, 4)))}
    monte_carlo = {"simulated": (infusions, curves["strategy 0"], np.full(n, 0.01))} if data.draw(st.booleans()) else None
    return plotting.plot_response_by_infusions(infusions, curves, ax=ax, monte_carlo=monte_carlo)


def draw_against_burden(data: st.DataObject, ax: Axes) -> Any:
    n = data.draw(st.integers(2, 20), label="burdens")
    log_y = data.draw(st.booleans(), label="log y")
    curves = {f"product {i}": positive_curve(data, n) for i in range(data.draw(st.integers(1, 3)))}
    return plotting.plot_against_burden(np.logspace(0, 8, n), curves, ax=ax, ylabel="peak", log_y=log_y)


def draw_kinetics(data: st.DataObject, ax: Axes) -> Any:
    curves = {}
    for i in range(data.draw(st.integers(1, 3), label="curves")):
        n = data.draw(st.integers(2, 20), label="points")
        curves[f"course {i}"] = (np.linspace(0, 28, n), positive_curve(data, n))
    return plotting.plot_kinetics(curves, ax=ax, ylabel="CAR T level", log_y=data.draw(st.booleans(), label="log y"))


def draw_sensitivities(data: st.DataObject, ax: Axes) -> Any:
    values = data.draw(st.fixed_dictionaries({"r": RATE_R, "q": st.floats(1e-3, 2.5), "B": AFFINITY_B,
                                              "P": log_uniform(1e-2, 1e8), "K": SCALE_K}))
    return plotting.plot_sensitivities(*cm.log_sensitivities(**values, days=30), ax=ax)


def draw_dose_response(data: st.DataObject, ax: Axes) -> Any:
    doses = np.logspace(0, 6, data.draw(st.integers(1, 6), label="doses"))
    burdens = np.logspace(-2, 6, data.draw(st.integers(1, 4), label="burdens"))
    values = data.draw(st.fixed_dictionaries({"r": RATE_R, "q": RATE_Q, "B": AFFINITY_B}), label="Equation 1")
    grid = cm.dose_response(n0=doses[:, None], P=burdens, K=FIGURE_1["K"], days=30, **values)
    ceiling = data.draw(st.one_of(st.none(), CEILING), label="ceiling")
    return plotting.plot_dose_response(doses, grid.peak, burdens, ax=ax, ceiling=ceiling)


def draw_split_ratios(data: st.DataObject, ax: Axes) -> Any:
    n = data.draw(st.integers(1, 6), label="infusion counts")
    intervals = data.draw(st.lists(st.sampled_from([0.5, 1.0, 2.0, 7.0]), min_size=1, max_size=3, unique=True))
    return plotting.plot_split_ratios(np.arange(1, n + 1), {i: positive_curve(data, n, 1e-3, 10.0) for i in intervals},
                                      ax=ax)


def draw_reference_sweep(data: st.DataObject, ax: Axes) -> Any:
    factors = np.logspace(-2, 2, data.draw(st.integers(1, 5), label="factors"))
    burdens = np.array(data.draw(st.lists(log_uniform(1e-3, 1e6), min_size=1, max_size=4), label="burdens"))
    sweep = cm.simulate(**{**EQ1, "P": burdens[None, :] / factors[:, None]}, days=30)
    return plotting.plot_reference_sweep(factors, sweep, [f"case {i}" for i in range(burdens.size)],
                                         axes=(ax, new_axes()))


def draw_relative_peaks(data: st.DataObject, ax: Axes) -> Any:
    n = data.draw(st.integers(1, 30), label="points")
    factors = np.geomspace(0.1, 10.0, n)
    names = [f"reading {k}" for k in range(data.draw(st.integers(1, 5), label="lines"))]
    return plotting.plot_relative_peaks(factors, {name: positive_curve(data, n) for name in names},
                                        {name: data.draw(log_uniform(1e-3, 1e9)) for name in names}, ax=ax)


PLOTTERS: dict[str, Callable[[st.DataObject, Axes], Any]] = {
    "plot_figure_1": lambda data, ax: plotting.plot_figure_1(one_run(data), ax=ax),
    "plot_figure_2": lambda data, ax: plotting.plot_figure_2(one_run(data), ax=ax),
    "plot_readings": lambda data, ax: plotting.plot_readings(some_runs(data), ax=ax),
    "plot_expansions": lambda data, ax: plotting.plot_expansions(some_runs(data), ax=ax, log=data.draw(st.booleans())),
    "plot_tornado": lambda data, ax: plotting.plot_tornado(tornado_bars(data), ax=ax, labels={"weight_kg": "weight"}),
    "plot_figure_3": draw_figure_3,
    "plot_rank_frequency": lambda data, ax: plotting.plot_rank_frequency(
        {"donor": positive_curve(data, data.draw(st.integers(1, 50)), 1.0, 1e6)}, ax=ax),
    "plot_response_by_infusions": draw_response,
    "find_artist": draw_found_artist,
    "nomogram_lines": draw_nomogram_lines,
    "plot_dosing_curves": lambda data, ax: plotting.plot_dosing_curves(one_run(data), data.draw(CEILING, label="ceiling"), ax=ax),
    "plot_nomogram": draw_nomogram_lines,
    "plot_schedule": draw_schedule_markers,
    "schedule_markers": draw_schedule_markers,
    "plot_burden_fit": lambda data, ax: plotting.plot_burden_fit(cached_fit(data.draw(FREE_SETS)), ax=ax),
    "plot_burden_profile": lambda data, ax: plotting.plot_burden_profile(cached_fit(data.draw(FREE_SETS)), ax=ax),
    "plot_burden_recovery": draw_recovery,
    "plot_sensitivities": draw_sensitivities,
    "plot_against_burden": draw_against_burden,
    "plot_kinetics": draw_kinetics,
    "plot_dose_response": draw_dose_response,
    "plot_split_ratios": draw_split_ratios,
    "plot_reference_sweep": draw_reference_sweep,
    "plot_relative_peaks": draw_relative_peaks,
    "plot_target_attainment": lambda data, ax: plotting.plot_target_attainment(
        population.target_attainment(population.draw_cohort(data.draw(st.integers(1, 20), label="patients"),
                                                             seed=data.draw(SEEDS, label="seed")),
                                     n0_grid=np.logspace(-3, 6, data.draw(st.integers(1, 5), label="doses")),
                                     P_grid=np.logspace(-2, 4, data.draw(st.integers(1, 5), label="burdens")),
                                     ceiling=data.draw(CEILING, label="ceiling")),
        ax=ax, fraction=data.draw(st.floats(0.01, 1.0), label="fraction")),
}


# Each plotter by name: drawn from one strategy, hypothesis reached about 14 of them per run.
@pytest.mark.parametrize("name", sorted(PLOTTERS))
@settings(max_examples=examples(3))
@given(data=st.data())
def test_plotting_draws_valid_inputs(name, data):
    own_figure = data.draw(st.integers(0, 9), label="new figure") == 0 and name in ("plot_figure_1", "plot_readings")
    try:
        if own_figure:  # no ax given: the function makes its own (pyplot) figure
            argument = one_run(data) if name == "plot_figure_1" else some_runs(data)
            result = getattr(plotting, name)(argument)
        else:
            result = PLOTTERS[name](data, new_axes())
        axes = result[0] if isinstance(result, tuple) else result
        if isinstance(axes, Axes):
            axes.figure.canvas.draw()
    finally:
        plt.close("all")


RUN = cm.simulate(**EQ1, days=30)
RUNS = cm.simulate(**{**EQ1, "P": [10.0, 1000.0]}, days=30)  # two trajectories: not a single one
BARS = cm.one_at_a_time_sensitivity(PATIENT, {"weight_kg": (50.0, 90.0)})
DONOR = cm.expand_repertoire(REPERTOIRE, settings=cm.equation_2_settings(days=30))
COMPARISON = cm.split_schedule(total_n0=1e3, infusions=3, interval_days=2.0, **EQ1, days=30)
NOMOGRAM_DOSES, NOMOGRAM_BURDENS = np.logspace(0, 6, 3), np.logspace(-2, 4, 4)
NOMOGRAM_SEARCH = dict(ceiling=1e8, P=NOMOGRAM_BURDENS, B=EQ1["B"], r=EQ1["r"], q=EQ1["q"], K=EQ1["K"], rtol=1e-2)
NOMOGRAM = dict(n0_grid=NOMOGRAM_DOSES, P_grid=NOMOGRAM_BURDENS,
                grid=cm.dose_response(n0=NOMOGRAM_DOSES[:, None], P=NOMOGRAM_BURDENS, B=EQ1["B"], r=EQ1["r"],
                                      q=EQ1["q"], K=EQ1["K"]),
                ceiling_line=cm.dose_for_ceiling(**NOMOGRAM_SEARCH),
                under_ceiling=cm.dose_for_ceiling(**NOMOGRAM_SEARCH, clear_by_day=42.0))
SHARED_AX = new_axes()  # refusals come before any drawing; nothing is ever rendered on it
BAD_AX = st.sampled_from(["ax", 1.0, object(), SHARED_AX.figure, [SHARED_AX]])
BAD_EXPANSION = st.sampled_from(["x", None, 1.0, RUNS, DONOR, {"t": RUN.t}])
BAD_MAPPING = st.sampled_from(["x", None, 1.0, [RUN], {"a": "x"}, {"a": None}])
BAD_CURVES = st.sampled_from(["x", None, [1.0, 2.0], {"a": "x"}, {"a": [0.1]}, {"a": [[0.1, 0.2]]}, {"a": [0.1, "y", 0.3]}])
RESPONSE_X = np.arange(1, 4)
RUNS_BY_FACTOR = cm.simulate(**{**EQ1, "P": np.array([[10.0, 1.0]]) / np.array([[0.1], [10.0]])}, days=30)
FIT = cached_fit(())

ATTAINMENT = population.target_attainment(population.draw_cohort(5, seed=1), n0_grid=NOMOGRAM_DOSES,
                                          P_grid=NOMOGRAM_BURDENS, ceiling=1e8)
# what is bad for a parameter of this name in every plotting function that has it
PLOT_BAD = {
    "ax": BAD_AX,
    "result": BAD_EXPANSION,
    "results": st.one_of(BAD_MAPPING, st.just({"a": RUNS})),
    **dict.fromkeys(("fit", "comparison"), st.one_of(BAD_OBJECT, st.just(RUN))),
    **dict.fromkeys(("ceiling_line", "under_ceiling"), st.one_of(BAD_OBJECT, st.just(NOMOGRAM["grid"]))),
    **dict.fromkeys(("log", "log_y"), st.sampled_from(["yes", None, 1])),
    **dict.fromkeys(("n0_grid", "P_grid", "burden"), BAD_VECTOR),
    "curves": BAD_CURVES,
}
refusal = functools.partial(shared_refusal, by_name=PLOT_BAD)
PLOT_REFUSALS: dict[str, Refusal] = {
    "plot_kill_scan": refusal(
        plotting.plot_kill_scan, {"kill_rates": [0.0, 1.0], "values": {"a": [1.0, 2.0]}, "ax": SHARED_AX},
        {"kill_rates": st.sampled_from([[-1.0, 1.0], "x", [], [[1.0]]]), "values": st.sampled_from([{"a": [1.0]}, "x", {"a": "bc"}])}),
    "plot_dose_window": refusal(
        plotting.plot_dose_window,
        {"burden_factors": [1.0, 2.0], "lowest": {"a": [1.0, 2.0]}, "highest": {"a": [3.0, 4.0]}, "ax": SHARED_AX},
        {"burden_factors": st.sampled_from([[0.0, 1.0], "x", []]), "lowest": st.sampled_from([{"a": [1.0]}, "x"])}),
    "plot_verdicts": refusal(plotting.plot_verdicts, {"findings": ["f"], "verdicts": {"m": ["consistent"]}, "ax": SHARED_AX},
                             {"verdicts": st.sampled_from([{"m": []}, "x", {"m": ["a", "b"]}])}),
    "plot_dose_response": refusal(
        plotting.plot_dose_response,
        {"doses": NOMOGRAM_DOSES, "peaks": NOMOGRAM["grid"].peak, "burdens": NOMOGRAM_BURDENS, "ax": SHARED_AX,
         "ceiling": 1e8},
        {"doses": st.one_of(BAD_VECTOR, st.just(NOMOGRAM_DOSES[:2])), "burdens": BAD_VECTOR,
         "peaks": st.one_of(outside(0.0, low_open=True), st.just(NOMOGRAM["grid"].peak.T),
                            st.just(-NOMOGRAM["grid"].peak)),
         "ax": BAD_AX, "ceiling": outside(0.0, low_open=True, none_ok=True)}),  # None: no ceiling
    "plot_split_ratios": refusal(
        plotting.plot_split_ratios, {"infusions": [1, 2, 3], "ratios": {2.0: [1.0, 0.9, 0.8]}, "ax": SHARED_AX},
        {"infusions": st.sampled_from(["x", None, [], [[1, 2, 3]], [0.5, 2.0, 3.0], [1.0, math.nan, 3.0]]),
         "ratios": st.one_of(BAD_CURVES, st.sampled_from([{-1.0: [1.0, 0.9, 0.8]}, {"2": [1.0, 0.9, 0.8]},
                                                         {2.0: [1.0, 0.0, 0.8]}, {(1.0, 2.0): [1.0, 0.9, 0.8]}])),
         "ax": BAD_AX}),
    "plot_reference_sweep": refusal(
        plotting.plot_reference_sweep,
        {"factors": [0.1, 10.0], "sweep": RUNS_BY_FACTOR, "labels": ["a", "b"], "axes": (SHARED_AX, SHARED_AX)},
        {"factors": st.one_of(BAD_VECTOR, st.just([0.1, 1.0, 10.0])),
         "sweep": st.sampled_from(["x", None, 1.0, RUN, RUNS, DONOR]),
         "labels": st.sampled_from(["ab", None, 3, ["a"], ["a", 2]]),
         "axes": st.sampled_from(["x", 1.0, (SHARED_AX,), (SHARED_AX, "x"), SHARED_AX])}),
    "plot_relative_peaks": refusal(
        plotting.plot_relative_peaks,
        {"factors": [0.5, 1.0, 2.0], "peaks": {"a": [1.0, 2.0, 3.0]}, "baselines": {"a": 2.0}, "ax": SHARED_AX,
         "xlabel": "dose"},
        {"factors": BAD_VECTOR, "peaks": st.one_of(BAD_CURVES, st.just({"a": [1.0, -2.0, 3.0]})),
         "baselines": st.sampled_from(["x", None, {}, {"b": 2.0}, {"a": -1.0}, {"a": "2"}, {"a": [1.0, 2.0]},
                                       {"a": math.nan}]),
         "ax": BAD_AX}),
    "plot_target_attainment": refusal(
        plotting.plot_target_attainment, {"result": ATTAINMENT, "ax": SHARED_AX, "burden_indices": None, "fraction": 0.9},
        {"result": st.sampled_from(["x", None, 1.0, RUN, NOMOGRAM["grid"]]), "ax": BAD_AX,
         "burden_indices": st.sampled_from(["01", 3, [4], [-1], [1.5], [True], [None]]),
         "fraction": outside(0.0, 1.0, low_open=True)}),
    "plot_figure_1": refusal(plotting.plot_figure_1, {"result": RUN, "ax": SHARED_AX}),
    "plot_figure_2": refusal(plotting.plot_figure_2, {"result": RUN, "ax": SHARED_AX}),
    "plot_readings": refusal(plotting.plot_readings, {"results": {"a": RUN}, "ax": SHARED_AX}),
    "plot_expansions": refusal(plotting.plot_expansions, {"results": {"a": RUN}, "ax": SHARED_AX, "log": True}),
    "plot_tornado": refusal(plotting.plot_tornado, {"bars": BARS, "ax": SHARED_AX, "labels": None, "xlabel": "x"},
                            {"bars": st.sampled_from([[], "x", None, [1.0], [RUN], 3]), "ax": BAD_AX,
                             "labels": st.sampled_from(["x", 1.0, ["weight_kg"]])}),
    "plot_figure_3": refusal(plotting.plot_figure_3,
                             {"donor": DONOR, "car_t": RUN, "peptides": LIBRARY, "axes": (SHARED_AX,) * 3,
                              "floor_cells": 0.1},
                             {"donor": st.one_of(BAD_OBJECT, st.just(RUN)), "car_t": BAD_EXPANSION,
                              "peptides": st.one_of(BAD_OBJECT, st.just(REPERTOIRE)),
                              "axes": st.sampled_from(["x", 1.0, (SHARED_AX,), (SHARED_AX, SHARED_AX, "x"), SHARED_AX]),
                              "floor_cells": POSITIVE}),
    "plot_rank_frequency": refusal(plotting.plot_rank_frequency, {"sizes": {"a": [1.0, 2.0]}, "ax": SHARED_AX},
                                   {"sizes": st.one_of(BAD_MAPPING, st.sampled_from([{"a": [-1.0, 2.0]}, {"a": []}])),
                                    "ax": BAD_AX}),
    "plot_response_by_infusions": refusal(
        plotting.plot_response_by_infusions,
        {"infusions": RESPONSE_X, "curves": {"a": [0.1, 0.2, 0.3]}, "ax": SHARED_AX, "monte_carlo": None},
        {"infusions": st.sampled_from(["x", None, [], [[1, 2, 3]], [1.0, math.nan, 3.0], [1, "2", 3]]),
         "curves": BAD_CURVES, "ax": BAD_AX,
         "monte_carlo": st.sampled_from(["x", 1.0, {"a": "x"}, {"a": (RESPONSE_X, [0.1, 0.2])},
                                         {"a": (RESPONSE_X, [0.1, 0.2, 0.3])}])}),
    "find_artist": refusal(plotting.find_artist, {"ax": SHARED_AX, "gid": "peak-map"},
                           {"ax": BAD_AX, "gid": st.sampled_from(["no such artist", None, 1.0])}),
    "nomogram_lines": refusal(
        plotting.nomogram_lines, {"ceiling_line": NOMOGRAM["ceiling_line"], "under_ceiling": NOMOGRAM["under_ceiling"]}
    ),
    "plot_dosing_curves": refusal(plotting.plot_dosing_curves, {"result": RUN, "ceiling": 1e8, "ax": SHARED_AX}, scalars="ceiling"),
    "plot_nomogram": refusal(
        plotting.plot_nomogram, {**NOMOGRAM, "ax": SHARED_AX}, {"grid": st.one_of(BAD_OBJECT, st.just(NOMOGRAM["ceiling_line"]))}
    ),
    "plot_schedule": refusal(plotting.plot_schedule, {"comparison": COMPARISON, "ax": SHARED_AX}),
    "schedule_markers": refusal(plotting.schedule_markers, {"comparison": COMPARISON}),
    "plot_burden_fit": refusal(plotting.plot_burden_fit, {"fit": FIT, "ax": SHARED_AX, "label": "fit"}),
    "plot_burden_profile": refusal(plotting.plot_burden_profile, {"fit": FIT, "ax": SHARED_AX}),
    "plot_burden_recovery": refusal(
        plotting.plot_burden_recovery,
        {"P_true": [10.0, 100.0], "P_hat": [12.0, 90.0], "interval": [[5.0, 20.0], [50.0, 200.0]], "ax": SHARED_AX},
        {"P_true": st.one_of(BAD_VECTOR, st.just([10.0])), "P_hat": st.one_of(BAD_VECTOR, st.just([10.0, 20.0, 30.0])),
         "interval": st.sampled_from(["x", [1.0, 2.0], [[1.0, 2.0]], [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]],
                                      [[math.nan, 2.0], [1.0, 2.0]], [[-1.0, 2.0], [1.0, 2.0]]]),
         "ax": BAD_AX}),
    "plot_sensitivities": refusal(plotting.plot_sensitivities,
                                  {"t": [0.0, 1.0, 2.0], "elasticities": {"P": [0.0, 0.5, 1.0]}, "ax": SHARED_AX},
                                  {"t": st.sampled_from(["x", None, [], [[0.0, 1.0, 2.0]], [0.0, math.nan, 2.0]]),
                                   "elasticities": BAD_CURVES, "ax": BAD_AX}),
    "plot_against_burden": refusal(
        plotting.plot_against_burden, {"burden": [1.0, 10.0, 100.0], "curves": {"a": [0.1, 0.2, 0.3]}, "ax": SHARED_AX, "ylabel": "y"}
    ),
    "plot_kinetics": refusal(
        plotting.plot_kinetics, {"curves": {"a": ([0.0, 1.0], [1.0, 2.0])}, "ax": SHARED_AX, "ylabel": "y", "log_y": True},
        {"curves": st.sampled_from(["x", None, {"a": "xy"}, {"a": ([0.0, 1.0],)}, {"a": ([0.0, 1.0], [1.0])},
                                    {"a": ([0.0, 1.0], "ab")}, {"a": (None, [1.0, 2.0])}, {"a": ([0.0, 1.0], [-1.0, 2.0])}]),
         "ax": BAD_AX, "log_y": st.sampled_from(["yes", None, 1])}),
}


@settings(max_examples=examples(800))
@given(data=st.data())
def test_plotting_refuses_bad_input(data):
    try:
        assert_drawn_call_refused(data, PLOT_REFUSALS)
    finally:
        plt.close("all")
