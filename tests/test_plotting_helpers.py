"""The plotting helpers that draw the chapters' former hand-drawn panels.

Each test reads the drawn data back from the axes and compares it with an independent
computation: single runs of :func:`cartmodel.simulate` in place of the batched call that
fed the plot.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

import cartmodel as cm
from cartmodel import plotting
from cartmodel.paper import FIGURE_1

RATES = {name: FIGURE_1[name] for name in ("r", "q", "B", "K")}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


line = plotting.find_artist


def test_plot_dose_response_draws_each_burdens_peak_against_dose():
    doses, burdens = np.array([1.0, 10.0, 100.0]), np.array([10.0, 1000.0])
    grid = cm.dose_response(n0=doses[:, None], P=burdens, days=40, **RATES)
    ax = plotting.plot_dose_response(doses, grid.peak, burdens, ceiling=1e8)
    for j, burden in enumerate(burdens):
        drawn = line(ax, f"peak-{j}")
        expected = [float(cm.simulate(n0=dose, P=burden, days=40, **RATES).peak) for dose in doses]
        np.testing.assert_array_equal(drawn.get_xdata(), doses)
        np.testing.assert_allclose(drawn.get_ydata(), expected, rtol=1e-12)
    assert list(line(ax, "ceiling").get_ydata()) == [1e8, 1e8]
    assert ax.get_xscale() == ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="peaks"):
        plotting.plot_dose_response(doses, grid.peak.T, burdens)


def test_plot_split_ratios_draws_the_peak_ratio_of_each_schedule():
    infusions = np.array([1, 2, 4])
    total, interval = 1e4, 2.0
    ratios = {interval: [float(cm.split_schedule(total_n0=total, infusions=int(n), interval_days=interval, P=1e3,
                                                 days=40, **RATES).peak_ratio) for n in infusions]}
    ax = plotting.plot_split_ratios(infusions, ratios)
    # the ratios as given (against explicit doses by simulate: test_properties_dosing.test_split_schedule)
    np.testing.assert_array_equal(line(ax, "ratio-2").get_ydata(), ratios[interval])
    assert list(line(ax, "one-infusion").get_ydata()) == [1.0, 1.0]


def test_plot_reference_sweep_draws_each_case_from_its_own_run():
    P = np.array([300.0, 0.5])
    factors = np.array([0.1, 1.0, 10.0])
    sweep = cm.simulate(**{**FIGURE_1, "P": P[None, :] / factors[:, None]}, days=60)
    peak_ax, day_ax = plotting.plot_reference_sweep(factors, sweep, ["relapse", "near MRD"])
    for i, burden in enumerate(P):
        runs = [cm.simulate(**{**FIGURE_1, "P": burden / f}, days=60) for f in factors]
        np.testing.assert_allclose(line(peak_ax, f"peak-{i}").get_ydata(), [float(r.peak) for r in runs], rtol=1e-12)
        np.testing.assert_array_equal(line(day_ax, f"day-{i}").get_ydata(), [float(r.peak_day) for r in runs])
    # a larger reference means a smaller P, hence a lower peak for the relapse
    assert np.all(np.diff(line(peak_ax, "peak-0").get_ydata()) < 0)
    with pytest.raises(ValueError, match="sweep"):
        plotting.plot_reference_sweep(factors, sweep, ["only one label"])


def test_plot_relative_peaks_divides_each_line_by_its_baseline():
    factors = np.array([0.5, 1.0, 2.0])
    runs = {"exact": cm.simulate(**{**FIGURE_1, "P": FIGURE_1["P"] * factors}, days=60),
            "closed": cm.simulate(**{**FIGURE_1, "P": FIGURE_1["P"] * factors}, days=60, reading="closed")}
    baselines = {name: float(cm.simulate(**FIGURE_1, days=60, reading=name).peak) for name in runs}
    ax = plotting.plot_relative_peaks(factors, {name: run.peak for name, run in runs.items()}, baselines,
                                      xlabel="burden")
    for k, name in enumerate(runs):
        drawn = line(ax, f"relative-{k}").get_ydata()
        expected = [float(cm.simulate(**{**FIGURE_1, "P": FIGURE_1["P"] * f}, days=60, reading=name).peak)
                    / baselines[name] for f in factors]
        np.testing.assert_allclose(drawn, expected, rtol=1e-12)
    with pytest.raises(ValueError, match="baselines"):
        plotting.plot_relative_peaks(factors, {"exact": runs["exact"].peak}, {"closed": 1.0})
