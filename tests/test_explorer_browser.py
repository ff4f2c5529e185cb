"""The in-browser dosing explorer, in Debian's Chromium, held to cartmodel.simulate."""

from __future__ import annotations

import math

import numpy as np
import pytest

import cartmodel as cm
from cartmodel.widgets import EXPLORER_CONTROLS, EXPLORER_DEFAULTS

PAGE = "chapters/interactive-dosing.html"
EXPLORER = "#live-dosing-explorer"

# a built book served to Chromium: outside `make check`
pytestmark = [pytest.mark.book, pytest.mark.browser]


def open_explorer(page, site):  # noqa: F811 - fixture names as arguments
    page.goto(site.page_url(PAGE))
    page.wait_for_selector(f"{EXPLORER}[data-cartmodel-mounted]", timeout=15_000)
    return page


def random_parameter_sets(count: int, seed: int) -> list[dict[str, float]]:
    rng = np.random.default_rng(seed)
    sets = []
    for _ in range(count):
        dt = float(rng.choice([1.0, 0.5, 0.25]))
        sets.append({
            "r": float(rng.uniform(0.1, 3.0)), "q": float(rng.uniform(0.0, 2.5)),
            "B": float(10 ** rng.uniform(-2, 1)), "P": float(10 ** rng.uniform(0, 8)) if rng.random() > 0.05 else 0.0,
            "K": float(10 ** rng.uniform(3, 8)), "n0": float(10 ** rng.uniform(-3, 6)),
            "days": float(rng.choice([30, 60, 90])), "dt": dt,
        })
    return sets


RUN_ALL = """(sets) => sets.map((p) => {
  const run = globalThis.cartmodelDosing.simulate(p);
  const s = globalThis.cartmodelDosing.summarise(run);
  return {t: Array.from(run.t), carT: Array.from(run.carT), tumour: Array.from(run.tumour),
          capacity: Array.from(run.capacity), peak: s.peak, peakDay: s.peakDay, clearanceDay: s.clearanceDay};
})"""


def relative_difference(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), np.finfo(float).tiny)))


def test_module_agrees_with_cartmodel_on_200_random_parameter_sets(page, site, page_log):  # noqa: F811
    open_explorer(page, site)
    sets = random_parameter_sets(200, seed=2019)
    results = page.evaluate(RUN_ALL, sets)
    assert len(results) == 200
    worst = 0.0
    for p, js in zip(sets, results):
        run = cm.simulate(**p)
        np.testing.assert_array_equal(js["t"], run.t)
        for key, expected in (("carT", run.car_t), ("tumour", run.tumour), ("capacity", run.capacity)):
            difference = relative_difference(js[key], expected)
            assert difference < 1e-9, f"{key} differs by {difference:.2e} for {p}"
            worst = max(worst, difference)
        assert js["peak"] == pytest.approx(float(run.peak), rel=1e-9)
        # the day of the peak (and of clearance) may differ only where the choice is within
        # rounding: a flat top whose runner-up is within 1e-9 of the peak, or a tumour of ~1 cell
        if js["peakDay"] != float(run.peak_day):
            day_index = int(np.flatnonzero(run.t == js["peakDay"])[0])
            assert run.car_t[day_index] >= float(run.peak) * (1 - 1e-9), p
        if js["clearanceDay"] != float(run.clearance_day):
            days = sorted(d for d in (js["clearanceDay"], float(run.clearance_day)) if math.isfinite(d))
            assert days and abs(run.tumour[int(np.flatnonzero(run.t == days[0])[0])] - 1.0) < 1e-9, p
    assert worst < 1e-9
    assert not page_log.page_errors


def test_sliders_start_where_the_python_widget_starts(page, site):  # noqa: F811
    open_explorer(page, site)
    for name, _, log, low, high, step in EXPLORER_CONTROLS:
        slider = page.locator(f"{EXPLORER} input[name={name}]")
        assert float(slider.get_attribute("min")) == low and float(slider.get_attribute("max")) == high
        assert float(slider.get_attribute("step")) == step
        start = EXPLORER_DEFAULTS[name]
        # the slider sits at the nearest step; the model runs with the exact starting value
        assert float(slider.input_value()) == pytest.approx(math.log10(start) if log else start, abs=step / 2)
    assert shown_parameters(page) == {name: EXPLORER_DEFAULTS[name] for name, *_ in EXPLORER_CONTROLS}


def readout(page, name: str) -> tuple[float, str]:  # noqa: F811
    node = page.locator(f"{EXPLORER} [data-readout={name}]")
    return float(node.get_attribute("data-value")), node.inner_text()


def shown_parameters(page) -> dict[str, float]:  # noqa: F811
    return {
        name: float(page.locator(f"{EXPLORER} .cm-value[data-name={name}]").get_attribute("data-value"))
        for name, *_ in EXPLORER_CONTROLS
    }


def expected(values: dict[str, float]):
    return cm.simulate(r=values["r"], q=values["q"], B=cm.affinity_from_ic50(values["ic50"]), P=values["P"],
                       K=EXPLORER_DEFAULTS["K"], n0=values["dose"], days=EXPLORER_DEFAULTS["days"])


def test_moving_a_slider_changes_the_readout_to_what_cartmodel_gives(page, site, page_log):  # noqa: F811
    open_explorer(page, site)
    start = expected(shown_parameters(page))
    peak_before, _ = readout(page, "peak")
    assert peak_before == pytest.approx(float(start.peak), rel=1e-9)

    burden = page.locator(f"{EXPLORER} input[name=P]")
    burden.focus()
    for _ in range(20):  # 20 steps of 0.05 in log10: a tenfold larger burden
        page.keyboard.press("ArrowRight")
    values = shown_parameters(page)
    assert values["P"] == pytest.approx(10 * EXPLORER_DEFAULTS["P"], rel=1e-9)
    run = expected(values)
    peak, peak_text = readout(page, "peak")
    assert peak != pytest.approx(peak_before, rel=1e-3)
    assert peak == pytest.approx(float(run.peak), rel=1e-9)
    mantissa, exponent = f"{float(run.peak):.2e}".split("e")
    assert peak_text.startswith(mantissa)
    day, day_text = readout(page, "peak-day")
    assert day == float(run.peak_day) and day_text == f"day {int(run.peak_day)}"
    clearance, _ = readout(page, "clearance-day")
    assert clearance == float(run.clearance_day)
    points = page.locator(f"{EXPLORER} polyline[data-series=car-t]").get_attribute("points").split()
    assert len(points) == run.t.size

    flag = page.locator(f"{EXPLORER} [data-readout=ceiling-flag]")
    assert flag.get_attribute("data-over") == str(float(run.peak) > values["ceiling"]).lower()
    ceiling = page.locator(f"{EXPLORER} input[name=ceiling]")
    ceiling.focus()
    page.keyboard.press("Home")  # the lowest ceiling, 10**5 cells, under any peak here
    assert shown_parameters(page)["ceiling"] == pytest.approx(1e5)
    assert flag.get_attribute("data-over") == "true" and "above" in flag.inner_text()
    assert not page_log.page_errors
    assert not [e for e in page_log.console_errors if "explorer" in e.lower()]


def test_page_has_no_dead_controls_and_shows_static_figures_with_launch_buttons(page, site):  # noqa: F811
    open_explorer(page, site)
    # every slider on the page belongs to the live explorer; no ipywidgets snapshot
    assert page.locator("input[type=range]").count() == len(EXPLORER_CONTROLS)
    assert page.locator(f"{EXPLORER} input[type=range]").count() == len(EXPLORER_CONTROLS)
    assert page.locator(".jupyter-widgets, .widget-slider").count() == 0
    assert page.locator('script[type="application/vnd.jupyter.widget-state+json"]').count() == 0
    # the explorer's script is the book's own file, served locally
    sources = page.eval_on_selector_all("script[src]", "nodes => nodes.map(n => n.src)")
    assert any(src.startswith(site.url) and src.endswith("/explorer/dosing-explorer.js") for src in sources)
    # the widgets' figures are there, with alt text, and the launch buttons too
    for figure_id in ("fig-ix-explorer", "fig-ix-nomogram", "fig-ix-schedule"):
        image = page.locator(f"#{figure_id} img")
        assert image.count() == 1 and image.get_attribute("alt")
        assert page.evaluate("(img) => img.naturalWidth > 0", image.element_handle())
    links = page.eval_on_selector_all("a[href]", "nodes => nodes.map(n => n.href)")
    assert any("mybinder.org" in link for link in links) and any("colab.research.google.com" in link for link in links)
