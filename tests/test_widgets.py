"""cartmodel.widgets driven from Python: sliders in, plotted data and readouts out."""

from __future__ import annotations

import math

import numpy as np
import pytest

import cartmodel as cm
from cartmodel import widgets  # noqa: E402  (imports ipywidgets and matplotlib)
from cartmodel.paper import FIGURE_1
from cartmodel.parameters import label

PNG = b"\x89PNG\r\n\x1a\n"


def expected_run(v, K=1e6, days=60):
    """Equation 1 computed independently of the widget, with B = 1 / IC50 written out."""
    return cm.simulate(r=v["r"], q=v["q"], B=1.0 / v["ic50"], P=v["P"], K=K, n0=v["n0"], days=days)


def test_dosing_explorer_plots_and_reads_out_what_cartmodel_computes():
    explorer = widgets.DosingExplorer()
    figure, car_line = explorer.figure, explorer.lines["car-t"]
    for name, value in {"n0": 100.0, "P": 1e4, "ic50": 3.2, "r": 1.3, "q": 0.9, "ceiling": 1e9}.items():
        explorer.controls[name].value = value
    v = explorer.current()
    assert v["n0"] == pytest.approx(100.0) and v["ic50"] == pytest.approx(3.2)
    run = expected_run(v)
    np.testing.assert_allclose(explorer.lines["car-t"].get_ydata(), run.car_t, rtol=1e-12)
    np.testing.assert_array_equal(explorer.lines["car-t"].get_xdata(), np.arange(61))
    tumour = np.asarray(explorer.lines["tumour"].get_ydata())
    alive = run.tumour >= 1
    np.testing.assert_allclose(tumour[alive], run.tumour[alive], rtol=1e-12)
    assert np.isnan(tumour[~alive]).all()
    assert list(explorer.lines["ceiling"].get_ydata()) == [v["ceiling"], v["ceiling"]]
    clearance = math.ceil(math.log(v["P"]) / (v["r"] - v["q"]))  # first day with the tumour term < 1 AU
    assert explorer.values["clearance_day"] == clearance
    assert list(explorer.lines["clearance"].get_xdata()) == [clearance, clearance]
    assert explorer.values["peak_cells"] == pytest.approx(float(run.car_t.max()), rel=1e-12)
    assert explorer.values["peak_day"] == float(np.argmax(run.car_t))
    assert f"{float(run.car_t.max()):.2e}" in explorer.readouts["peak"].value
    assert f"day {int(np.argmax(run.car_t))}" in explorer.readouts["peak_day"].value
    assert f"day {clearance}" in explorer.readouts["clearance_day"].value
    assert "under the ceiling" in explorer.readouts["flag"].value and not explorer.values["over_ceiling"]
    # the book's units, from the parameter table, in the controls, the readouts and the axes
    assert all(control.description == label(name) for name, control in explorer.controls.items())
    assert "model cells" in explorer.readouts["peak"].value and "tumour term (AU)" in [line.get_label() for line in figure.axes[0].lines]
    assert "model cells" in figure.axes[0].get_ylabel() and "AU" in figure.axes[0].get_ylabel()

    # lowering the ceiling below the peak raises the flag and redraws the picture once; nothing is rebuilt
    before, count = bytes(explorer.image.value), explorer.updates
    explorer.controls["ceiling"].value = 1e6
    assert explorer.values["over_ceiling"] and "above the ceiling" in explorer.readouts["flag"].value
    assert explorer.updates == count + 1 and bytes(explorer.image.value) != before
    assert explorer.figure is figure and explorer.lines["car-t"] is car_line and car_line in figure.axes[0].lines
    assert len(figure.axes[0].lines) == 4
    assert bytes(explorer.image.value).startswith(PNG) and explorer.png().startswith(PNG)

    # a tumour that outgrows the CAR T cells (q > r) never clears: no day, the line hidden
    explorer.controls["q"].value = 1.5
    assert explorer.values["clearance_day"] == math.inf and not explorer.lines["clearance"].get_visible()
    assert "not within the horizon" in explorer.readouts["clearance_day"].value
    explorer.close()
    with pytest.raises(TypeError, match="unknown starting values"):
        widgets.DosingExplorer(dosage=3.0)


def test_nomogram_explorer_map_and_lines_follow_the_sliders():
    burdens, doses = np.logspace(1, 6, 25), np.logspace(0, 5, 20)
    explorer = widgets.NomogramExplorer(P_grid=burdens, n0_grid=doses, rtol=1e-6)
    mesh, figure = explorer.artists["peak-map"], explorer.figure
    explorer.controls["ic50"].value = 5.0
    explorer.controls["ceiling"].value = 3e8
    explorer.controls["clear_by_day"].value = 40
    # the map: log10 of the peak, checked at a few grid points against simulate
    shown = np.asarray(mesh.get_array()).reshape(doses.size, burdens.size)
    for i, j in [(0, 0), (7, 12), (19, 24)]:
        run = cm.simulate(r=FIGURE_1["r"], q=FIGURE_1["q"], B=1 / 5.0, P=burdens[j], K=FIGURE_1["K"], n0=doses[i])
        assert shown[i, j] == pytest.approx(math.log10(float(run.car_t.max())), rel=1e-12)
    # the line of the largest dose under the ceiling: where drawn, its dose peaks at the ceiling and clears by day 40
    line = np.asarray(explorer.artists["under-ceiling"].get_ydata())
    drawn = ~np.isnan(line)
    assert drawn.any() and (~drawn).any()
    limit = math.exp((FIGURE_1["r"] - FIGURE_1["q"]) * 40)  # burdens beyond it do not clear by day 40
    assert np.all(burdens[drawn] < limit)
    for j in np.flatnonzero(drawn):
        run = cm.simulate(r=FIGURE_1["r"], q=FIGURE_1["q"], B=1 / 5.0, P=burdens[j], K=FIGURE_1["K"], n0=line[j])
        peak = float(run.car_t.max())
        assert peak <= 3e8 * (1 + 1e-12)
        if line[j] < doses[-1]:
            assert peak == pytest.approx(3e8, rel=1e-5)
    span = explorer.artists["no-clearance"]
    assert span.get_visible() and span.get_x() == pytest.approx(burdens[burdens >= limit][0])
    assert explorer.artists["peak-map"] is mesh and explorer.figure is figure
    ax = figure.axes[0]
    assert ax.get_xlabel() == label("P") and "AU" in ax.get_xlabel() and "model cells" in ax.get_ylabel()
    assert not any("recommended" in text.get_text().lower() for text in ax.get_legend().get_texts())
    explorer.close()


def test_nomogram_explorer_switches_to_cohort_probabilities():
    from cartmodel.population import draw_cohort, target_attainment

    burdens, doses = np.logspace(0, 4, 15), np.logspace(0, 6, 18)
    explorer = widgets.NomogramExplorer(P_grid=burdens, n0_grid=doses, cohort_size=80, cohort_seed=4)
    line = explorer.artists["cohort-dose"]
    assert explorer.values["attainment"] is None and not line.get_visible()
    assert "Typical patient" in explorer.readouts["cohort"].value
    before = explorer.updates
    explorer.controls["ic50"].value = 3.0
    explorer.controls["variability"].value = "cohort"
    assert explorer.updates == before + 2 and line.get_visible()
    # the line is the 90% dose of an independently drawn cohort with B = 1 / IC50
    cohort = draw_cohort(80, seed=4, B=1 / 3.0, r=FIGURE_1["r"], q=FIGURE_1["q"], K=FIGURE_1["K"])
    v = explorer.current()
    expected = target_attainment(cohort, n0_grid=doses, P_grid=burdens, ceiling=v["ceiling"],
                                 clear_by_day=float(v["clear_by_day"]))
    shown = np.asarray(line.get_ydata())
    np.testing.assert_array_equal(shown, expected.dose_for_fraction(0.9))
    assert (~np.isnan(shown)).any() and np.isnan(shown).any()
    # where drawn, at least 90% of the cohort (72 of 80) peak under the ceiling at that dose, by simulate
    j = int(np.flatnonzero(~np.isnan(shown))[-1])
    peaks = cm.simulate(r=cohort.r, q=cohort.q, B=cohort.B, K=cohort.K, P=burdens[j] * cohort.burden_factor,
                        n0=shown[j]).car_t.max(axis=-1)
    assert (peaks <= v["ceiling"]).sum() >= 72
    assert "Cohort of 80" in explorer.readouts["cohort"].value
    # back to the typical patient: the line is hidden again
    explorer.controls["variability"].value = "typical"
    assert explorer.values["attainment"] is None and not line.get_visible()
    with pytest.raises(ValueError, match="variability"):
        widgets.NomogramExplorer(P_grid=burdens, n0_grid=doses, variability="everyone")
    explorer.close()
