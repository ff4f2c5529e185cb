"""The three in-browser explorers, in Chromium, held to cartmodel: their mathematics
(``globalThis.cartmodelExplorers``) on random parameter sets, curves to a relative difference
under 1e-9 and grid decisions exactly; their controls against the parameter table; the page's
readouts, links (hostile ones refused), CSV downloads, reset, and a phone's width (the burden
explorer's page too).  The tests that only read the page share one visit (``explorers``).
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import numpy as np
import pytest

import cartmodel as cm
from cartmodel.dosing import EXAMPLE_N0_RANGE
from cartmodel.engine import B_PLACEMENTS, READINGS
from cartmodel.killing import KILLING_FORMS, dose_window, killing_dose_response, simulate_killing
from cartmodel.paper import FIGURE_1
from cartmodel.parameters import PARAMETERS, table_for_browser
from cartmodel.widgets import EXPLORER_CONTROLS, NomogramExplorer

from .browser import (
    PHONE,
    assert_fits_a_phone,
    assert_link_refused,
    dialogs_recorded,
    download_csv,
    explorer_readouts,
    explorer_values,
    new_tab,
    open_explorers,
    press,
    serious_accessibility_violations,
    slider_label,
)
from .conftest import REPO, repository_module

PAGE = "chapters/interactive-dosing.html"
KINDS = ("dosing", "nomogram", "schedule")
SELECTOR = {kind: f"#live-{kind}-explorer" for kind in KINDS}
MODELS = ("Equation 1", "with killing")  # the nomogram explorer's models
CHOICES = {"reading": READINGS, "b_placement": B_PLACEMENTS, "model": MODELS, "killing": KILLING_FORMS}
# the browser explorers' own additions to the ipywidgets controls (_ext/explorer_parameters.py)
EXTRA = {"dosing": ("reading", "b_placement"),
         "nomogram": ("r", "q", "model", "kill_rate", "kill_saturation", "killing"), "schedule": ()}
KILLING_CONTROLS = ("kill_rate", "kill_saturation", "killing")
CONTROLS = {kind: EXPLORER_CONTROLS[kind] + EXTRA[kind] for kind in KINDS}
# fixed values of the explorers: those of the ipywidgets explorers (the paper's Figure 1)
FIXED = {"K": 1e6, "days": 60.0, "dt": 1.0}


def default(name: str):
    choices = {"reading": "exact", "b_placement": "capacity", "model": MODELS[0], "killing": KILLING_FORMS[0]}
    return choices.get(name) or PARAMETERS[name].default


def open_page(page, site, query: str = ""):
    return open_explorers(page, site.page_url(PAGE) + query, *SELECTOR.values())


@pytest.fixture(scope="module")
def explorers(browser, site):
    """The page at its starting values, loaded once for the tests that only read it or call its
    scripts' functions (each leaves it as it found it), with its uncaught exceptions."""
    with new_tab(browser, viewport={"width": 1280, "height": 900}) as tab:
        errors: list[str] = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        yield open_page(tab, site), errors


@pytest.fixture
def shared_page(explorers):
    """The shared page (``explorers``); the test fails at teardown if the page raised meanwhile."""
    page, errors = explorers
    before = len(errors)
    yield page
    assert errors[before:] == []


def api_values(page, kind: str) -> dict:
    return explorer_values(page, SELECTOR[kind])


def readouts(page, kind: str) -> dict[str, tuple[float | None, str]]:
    """Each readout's number and text; None where it holds words only (no such quantity in the model)."""
    return {name: (float(value) if value else None, text) for name, (value, text) in explorer_readouts(page, SELECTOR[kind]).items()}


def relative_difference(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    both_zero = (a == 0) & (b == 0)
    return float(np.max(np.where(both_zero, 0.0, np.abs(a - b) / np.maximum(np.abs(b), np.finfo(float).tiny)),
                        initial=0.0))


def same_day_or_tie(js_day: float, day: float, t, values, best: float) -> None:
    """A day of the peak may differ only where the top is flat within rounding."""
    if js_day != day:
        index = int(np.flatnonzero(t == js_day)[0])
        assert values[index] >= best * (1 - 1e-9), (js_day, day)


def same_clearance_or_tie(js_day: float, day: float, t, tumour, level: float = 1.0) -> None:
    """The clearance day may differ only where the tumour term is the level to rounding."""
    if js_day != day:
        days = sorted(d for d in (js_day, day) if math.isfinite(d))
        assert days and abs(tumour[int(np.flatnonzero(t == days[0])[0])] / level - 1.0) < 1e-9, (js_day, day)


# --- the mathematics --------------------------------------------------------------------


def random_runs(count: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    sets = []
    for _ in range(count):
        days = float(rng.choice([30, 60, 90]))
        p = {
            "r": float(rng.uniform(0.1, 3.0)), "q": float(rng.uniform(0.0, 2.5)),
            "B": float(10 ** rng.uniform(-2, 1)), "P": float(10 ** rng.uniform(-3, 6)) if rng.random() > 0.05 else 0.0,
            "K": float(10 ** rng.uniform(3, 8)), "n0": float(10 ** rng.uniform(-3, 6)),
            "days": days, "dt": float(rng.choice([1.0, 0.5, 0.25])),
            "reading": str(rng.choice(READINGS)), "b_placement": str(rng.choice(B_PLACEMENTS)),
            "clearance_level": float(10 ** rng.uniform(-3, 0)),
        }
        if rng.random() < 0.4:  # later infusions, on and off the grid
            p["doses"] = [[float(rng.uniform(0, days)), float(10 ** rng.uniform(0, 5))] for _ in range(rng.integers(1, 4))]
        sets.append(p)
    return sets


# A nomogram's map (and its killing window) as plain lists; Infinity and NaN as text, since they do not survive JSON.
AS_ARRAYS = """
  const text = (list) => Array.from(list, String);
  const pick = (list) => list.map((d) => [d.n0, d.peak, d.feasible, d.atMaxDose]);
  const asArrays = (m, w = m.window) => ({
    n0Grid: Array.from(m.n0Grid), PGrid: Array.from(m.PGrid), peak: Array.from(m.peak), peakDay: Array.from(m.peakDay),
    clearanceDay: text(m.clearanceDay),
    ...(m.clears && {clears: m.clears, largest: Array.from(m.largestGridIndex), ceilingDose: pick(m.ceilingDose),
                     underCeiling: pick(m.underCeiling)}),
    ...(w && {lowestClearing: text(w.lowestClearing), lowestUnder: text(w.lowestUnder), highestUnder: text(w.highestUnder),
              clearsAtMin: w.clearsAtMin, underAtMax: w.underAtMax, monotone: w.monotone, exists: w.exists}),
  });
"""


def nomogram_js(body: str) -> str:
    """A function of ``arg`` for ``page.evaluate``, with ``asArrays`` and ``e`` (the explorers' functions) in scope."""
    return "(arg) => {" + AS_ARRAYS + "const e = globalThis.cartmodelExplorers;\n" + body + "}"


RUN_ALL = """(sets) => sets.map((p) => {
  const run = globalThis.cartmodelExplorers.simulate(p);
  const s = globalThis.cartmodelExplorers.summarise(run);
  return {t: Array.from(run.t), carT: Array.from(run.carT), tumour: Array.from(run.tumour),
          capacity: Array.from(run.capacity), peak: s.peak, peakDay: s.peakDay, clearanceDay: s.clearanceDay,
          final: s.final};
})"""


def test_simulate_agrees_with_cartmodel_on_200_random_parameter_sets(shared_page):
    sets = random_runs(200, seed=2019)
    results = shared_page.evaluate(RUN_ALL, sets)
    covered = set()
    for p, js in zip(sets, results, strict=True):
        run = cm.simulate(**{k: (list(map(tuple, v)) if k == "doses" else v) for k, v in p.items()})
        covered.add((p["reading"], p["b_placement"], "doses" in p))
        np.testing.assert_array_equal(js["t"], run.t)
        for key, expected in (("carT", run.car_t), ("tumour", run.tumour), ("capacity", run.capacity)):
            difference = relative_difference(js[key], expected)
            assert difference < 1e-9, f"{key} differs by {difference:.2e} for {p}"
        assert js["peak"] == pytest.approx(float(run.peak), rel=1e-9)
        assert js["final"] == pytest.approx(float(run.final), rel=1e-9)
        same_day_or_tie(js["peakDay"], float(run.peak_day), run.t, run.car_t, float(run.peak))
        same_clearance_or_tie(js["clearanceDay"], float(run.clearance_day), run.t, run.tumour, p["clearance_level"])
    assert len({c[:2] for c in covered}) == len(READINGS) * len(B_PLACEMENTS)  # every reading, both placements


def random_nomograms(count: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    sets = []
    for _ in range(count):
        low = float(rng.uniform(0, 2))
        n_dose, n_burden = int(rng.integers(4, 12)), int(rng.integers(4, 12))
        p_low = float(rng.uniform(-3, 2))
        sets.append({
            "n0Grid": list(np.logspace(low, low + float(rng.uniform(1, 6)), n_dose)),
            "PGrid": list(np.logspace(p_low, p_low + float(rng.uniform(1, 5)), n_burden)),
            "B": float(1 / 10 ** rng.uniform(-1, 2)), "r": float(rng.uniform(0.1, 3.0)), "q": float(rng.uniform(0.0, 2.5)),
            "K": float(10 ** rng.uniform(4, 7)), "ceiling": float(10 ** rng.uniform(5, 11)),
            "clear_by_day": float(rng.integers(5, 61)), "days": 60.0, "dt": float(rng.choice([1.0, 0.5, 0.25])),
            "rtol": float(rng.choice([1e-3, 1e-4])),
            "clearance_level": float(10 ** rng.uniform(-3, 0)),
        })
    return sets


NOMOGRAM_ALL = nomogram_js("return arg.map((p) => asArrays(e.nomogram(p)));")


def largest_grid_dose_index(peak: np.ndarray, ceiling: float, clears: np.ndarray) -> np.ndarray:
    """Index of the largest grid dose with peak <= ceiling, per burden, where clearance holds; -1 if none."""
    under = (peak <= ceiling) & clears[None, :]
    last = peak.shape[0] - 1 - np.argmax(under[::-1], axis=0)
    return np.where(under.any(axis=0), last, -1)


def check_nomogram(js: dict, p: dict) -> dict[str, int]:
    """The JS nomogram against cartmodel: peaks to 1e-9, peak days (or a tie), clearance, both
    searches' doses; returns how many of its burdens got each kind of decision."""
    n0, P = np.asarray(p["n0Grid"]), np.asarray(p["PGrid"])
    common = {name: p[name] for name in ("B", "r", "q", "K", "days", "dt", "clearance_level")}
    grid = cm.dose_response(n0=n0[:, None], P=P, **common)
    peak = np.asarray(js["peak"]).reshape(grid.peak.shape)
    assert relative_difference(peak, grid.peak) < 1e-9
    t = np.arange(round(p["days"] / p["dt"]) + 1) * p["dt"]
    for (i, j), day in np.ndenumerate(np.asarray(js["peakDay"]).reshape(peak.shape)):
        if day != grid.peak_day[i, j]:
            run = cm.simulate(n0=n0[i], P=P[j], **common)
            same_day_or_tie(day, float(run.peak_day), t, run.car_t, float(run.peak))
    np.testing.assert_array_equal(np.asarray(js["clearanceDay"], float), grid.clearance_day[0])
    clears = grid.clearance_day[0] <= p["clear_by_day"]
    np.testing.assert_array_equal(js["clears"], clears)
    np.testing.assert_array_equal(js["largest"], largest_grid_dose_index(grid.peak, p["ceiling"], clears))
    search = dict(ceiling=p["ceiling"], P=P, min_n0=float(n0[0]), max_n0=float(n0[-1]), rtol=p["rtol"], **common)
    for key, expected in (("ceilingDose", cm.dose_for_ceiling(**search)),
                          ("underCeiling", cm.dose_for_ceiling(clear_by_day=p["clear_by_day"], **search))):
        dose, dose_peak, feasible, at_max = (np.asarray(column) for column in zip(*js[key], strict=True))
        np.testing.assert_array_equal(feasible, expected.feasible, err_msg=key)
        np.testing.assert_array_equal(at_max, expected.at_max_dose, err_msg=key)
        assert relative_difference(dose, expected.n0) < 1e-9, key
        assert relative_difference(dose_peak, expected.peak) < 1e-9, key
    under = js["underCeiling"]
    return {"feasible": sum(d[2] for d in under), "infeasible": sum(not d[2] for d in under), "at max": sum(d[3] for d in under)}


# --- the nomogram explorer's killing model against cartmodel.killing ----------------------


def random_killing_nomograms(count: int, seed: int) -> list[dict]:
    """As random_nomograms, with a killing term: rate, half-saturation and form drawn from the table's ranges."""
    rng = np.random.default_rng(seed)
    sets = random_nomograms(count, seed)
    low_k, high_k = PARAMETERS["kill_saturation"].control[:2]
    for p in sets:
        p["kill_rate"] = float(rng.uniform(*PARAMETERS["kill_rate"].control[:2])) if rng.random() > 0.05 else 0.0
        p["kill_saturation"] = float(10 ** rng.uniform(math.log10(low_k), math.log10(high_k)))
        p["killing"] = str(rng.choice(KILLING_FORMS))
        p["window_points"] = int(rng.integers(5, 30))
        if rng.random() < 0.5:  # a tumour that outgrows the CAR T cells' pull (q > r) unless they kill it
            p["q"] = float(min(PARAMETERS["q"].control[1], p["r"] + rng.uniform(0.5, 1.0) * p["kill_rate"]))
    return sets


KILLING_ALL = nomogram_js("return arg.map((p) => asArrays(e.killingNomogram(p)));")


def killing_arguments(p: dict) -> dict:
    return {name: p[name] for name in ("B", "r", "q", "K", "kill_rate", "kill_saturation", "killing", "days", "dt",
                                       "clearance_level")}


def check_killing_nomogram(js: dict, p: dict) -> dict[str, int]:
    """The JS killing nomogram against cartmodel.killing: the grid's peaks (relative difference under 1e-9),
    peak and clearance days (equal, or a tie within rounding), both bounds of the window and its flags."""
    n0, P = np.asarray(p["n0Grid"]), np.asarray(p["PGrid"])
    common = killing_arguments(p)
    grid = killing_dose_response(n0=n0[:, None], P=P, **common)
    peak = np.asarray(js["peak"]).reshape(grid.peak.shape)
    assert relative_difference(peak, grid.peak) < 1e-9, p
    t = np.arange(round(p["days"] / p["dt"]) + 1) * p["dt"]
    days = np.asarray(js["peakDay"]).reshape(peak.shape)
    cleared = np.asarray(js["clearanceDay"], float).reshape(peak.shape)
    for (i, j) in np.argwhere((days != grid.peak_day) | (cleared != grid.clearance_day)):
        run = simulate_killing(n0=n0[i], P=P[j], **common)
        same_day_or_tie(days[i, j], float(run.peak_day), t, run.car_t, float(run.peak))
        same_clearance_or_tie(cleared[i, j], float(run.clearance_day), t, run.tumour, p["clearance_level"])
    window = dose_window(ceiling=p["ceiling"], clear_by_day=p["clear_by_day"], P=P, min_n0=float(n0[0]),
                         max_n0=float(n0[-1]), grid_points=p["window_points"], rtol=p["rtol"], extinction=False,
                         **common)
    for key, expected in (("lowestClearing", window.lowest_clearing), ("lowestUnder", window.lowest_under),
                          ("highestUnder", window.highest_under)):
        bound = np.asarray(js[key], float)
        np.testing.assert_array_equal(np.isnan(bound), np.isnan(expected), err_msg=key)
        found = ~np.isnan(bound)
        assert relative_difference(bound[found], expected[found]) < 1e-9, (key, p)
    for key, expected in (("clearsAtMin", window.clears_at_min), ("underAtMax", window.under_at_max),
                          ("monotone", window.monotone), ("exists", window.exists)):
        np.testing.assert_array_equal(js[key], expected, err_msg=key)
    low, high = window.lowest_clearing, window.highest_under
    return {"clearing bound inside": int(np.sum(~np.isnan(low) & ~window.clears_at_min)),
            "clearing at the smallest dose": int(np.sum(window.clears_at_min)),
            "never clears": int(np.sum(np.isnan(low))),
            "ceiling bound inside": int(np.sum(~np.isnan(high) & ~window.under_at_max)),
            "window": int(np.sum(window.exists)), "no window": int(np.sum(~window.exists)), p["killing"]: 1}


@pytest.mark.parametrize(("script", "sets", "check"), [
    (NOMOGRAM_ALL, random_nomograms(200, seed=42), check_nomogram),
    (KILLING_ALL, random_killing_nomograms(300, seed=24), check_killing_nomogram),
], ids=["equation-1", "killing"])
def test_nomogram_agrees_with_cartmodel_on_random_parameter_sets(shared_page, script, sets, check):
    """Every kind of decision (every bound, every killing form) is tested more than 50 times.  With killing, 300
    sets: with 200, too few smallest clearing doses fall inside the dose range.  The script does cartmodel.killing's
    arithmetic in the same order, so only exp()'s rounding may differ (an ulp or so a step); the bounds bisect the
    same grid as often, so every decision must agree for them to agree to 1e-9."""
    decided: Counter[str] = Counter()
    for p, js in zip(sets, shared_page.evaluate(script, sets), strict=True):
        decided.update(check(js, p))
    assert all(count > 50 for count in decided.values()), decided


KILLING_AND_PLAIN = nomogram_js("return arg.map((p) => [asArrays(e.killingNomogram(p)), asArrays(e.nomogram(p))]);")


def test_killing_path_without_killing_is_the_equation_1_path(shared_page):
    """With kill_rate = 0 the script's killing model gives its Equation 1 nomogram: the same peaks,
    days and clearance to the last bit; the largest dose under the ceiling of the two searches
    (dose_window's grid then bisection, dose_for_ceiling's bisection) within their precision; and
    as the smallest clearing dose the first dose of the range wherever the burden clears, none elsewhere."""
    sets = [{**p, "kill_rate": 0.0, "kill_saturation": PARAMETERS["kill_saturation"].default, "killing": form,
             "window_points": 25} for p, form in zip(random_nomograms(200, seed=2024), KILLING_FORMS * 100, strict=True)]
    results = shared_page.evaluate(KILLING_AND_PLAIN, sets)
    inside = 0
    for p, (js, plain) in zip(sets, results, strict=True):
        assert js["peak"] == plain["peak"] and js["peakDay"] == plain["peakDay"]
        assert js["clearanceDay"] == plain["clearanceDay"] * len(p["n0Grid"])  # every dose clears when the burden does
        lowest = np.asarray(js["lowestClearing"], float)
        np.testing.assert_allclose(lowest, np.where(plain["clears"], p["n0Grid"][0], np.nan), rtol=1e-15)  # exp(log(n0))
        highest = np.asarray(js["highestUnder"], float)
        dose, _, feasible, at_max = (np.array(column) for column in zip(*plain["ceilingDose"], strict=True))
        np.testing.assert_array_equal(~np.isnan(highest), feasible)
        np.testing.assert_array_equal(js["underAtMax"], at_max)
        both = feasible & ~np.asarray(js["underAtMax"])
        # each is within rtol of the true bound in log dose
        assert np.all(np.abs(np.log(highest[both] / dose[both])) <= 2 * p["rtol"] + 1e-12), p
        inside += int(both.sum())
    assert inside > 50


SCHEDULE_ALL = """(sets) => sets.map((p) => {
  const s = globalThis.cartmodelExplorers.schedule(p);
  return {single: Array.from(s.single.carT), split: Array.from(s.split.carT), ratio: s.peakRatio,
          splitDay: s.splitSummary.peakDay, doses: s.doses};
})"""


def test_schedule_agrees_with_cartmodel_on_200_random_parameter_sets(shared_page):
    rng = np.random.default_rng(7)
    sets = [{
        "total_n0": float(10 ** rng.uniform(0, 7)), "infusions": int(rng.integers(1, 7)),
        "interval_days": float(rng.integers(0, 11)), "P": float(10 ** rng.uniform(-3, 4)),
        "B": float(10 ** rng.uniform(-2, 1)), "r": float(rng.uniform(0.1, 3.0)), "q": float(rng.uniform(0.0, 2.5)),
        "K": float(10 ** rng.uniform(4, 7)), "days": 60.0, "dt": 1.0,
        "reading": str(rng.choice(READINGS)), "b_placement": str(rng.choice(B_PLACEMENTS)),
    } for _ in range(200)]
    results = shared_page.evaluate(SCHEDULE_ALL, sets)
    for p, js in zip(sets, results, strict=True):
        comparison = cm.split_schedule(**p)
        assert [tuple(d) for d in js["doses"]] == list(comparison.doses)
        assert relative_difference(js["single"], comparison.single.car_t) < 1e-9, p
        assert relative_difference(js["split"], comparison.split.car_t) < 1e-9, p
        assert js["ratio"] == pytest.approx(float(comparison.peak_ratio), rel=1e-9)


# --- the controls come from the parameter table ----------------------------------------


def test_the_site_carries_cartmodels_parameter_table(shared_page, site):
    explorer_parameters = repository_module("_ext", "explorer_parameters")
    written = (site.root / "explorer" / "parameters.js").read_text(encoding="utf-8")
    assert written == explorer_parameters.script_text(explorer_parameters.explorer_configuration())
    config = shared_page.evaluate("globalThis.cartmodelParameters")
    assert config["parameters"] == table_for_browser()
    for name, options in CHOICES.items():
        assert tuple(config["choices"][name]["options"]) == options
    for kind in KINDS:
        assert tuple(config["explorers"][kind]["controls"]) == CONTROLS[kind]
    # the script holds no copy of the table: none of its labels appears in the source
    source = (REPO / "assets" / "explorer" / "explorers.js").read_text(encoding="utf-8").lower()
    for row in PARAMETERS.values():
        assert " ".join(row.label.split()).lower() not in source, row.label


def test_controls_start_where_the_table_says(shared_page):
    for kind in KINDS:
        for name in CONTROLS[kind]:
            if name in CHOICES:
                menu = shared_page.locator(f"{SELECTOR[kind]} [name={name}]")
                assert menu.evaluate("n => [...n.options].map(o => o.value)") == list(CHOICES[name])
                assert menu.input_value() == default(name)
            else:
                unit = PARAMETERS[name].unit
                assert unit in slider_label(shared_page, SELECTOR[kind], name) or unit in ("dimensionless", "count")
        assert api_values(shared_page, kind) == {name: default(name) for name in CONTROLS[kind]}


def test_page_has_three_live_explorers_and_no_dead_controls(shared_page, site):
    numeric = sum(1 for kind in KINDS for name in CONTROLS[kind] if name not in CHOICES)
    assert shared_page.locator("input[type=range]").count() == numeric
    assert shared_page.locator(".jupyter-widgets, .widget-slider").count() == 0
    sources = shared_page.eval_on_selector_all("script[src]", "nodes => nodes.map(n => n.src)")
    for name in ("parameters.js", "explorers.js"):
        assert any(src.startswith(site.url) and src.endswith(f"/explorer/{name}") for src in sources)
    for kind in KINDS:
        note = shared_page.locator(f"{SELECTOR[kind]} .cm-note").first.inner_text()
        assert "not dose advice" in note
    for figure_id in ("fig-ix-explorer", "fig-ix-nomogram", "fig-ix-schedule"):
        image = shared_page.locator(f"#{figure_id} img")
        assert image.count() == 1 and image.get_attribute("alt")
        assert shared_page.evaluate("(img) => img.naturalWidth > 0", image.element_handle())


def test_the_nomogram_says_where_the_largest_dose_is_above_its_axis(shared_page):
    """At the starting values the small burdens allow more than the dose axis shows: the plot says so
    (instead of drawing the dose along the axis's top edge) until a low ceiling brings every dose inside."""
    explorer = SELECTOR["nomogram"]
    beyond = "() => document.querySelector('#live-nomogram-explorer').cartmodelExplorer.state.map.underCeiling" \
             ".filter((d) => d.feasible && d.atMaxDose).length"
    above = shared_page.evaluate(beyond)
    note = shared_page.locator(f"{explorer} [data-readout-note=beyond-axis]")
    assert above > 0
    assert note.is_visible() and int(note.get_attribute("data-value")) == above
    assert "above the top of the dose axis" in note.inner_text()
    assert shared_page.locator(f"{explorer} [data-readout=largest_dose_max]").inner_text().startswith("above ")
    press(shared_page, f"{explorer} input[name=ceiling]", "Home")
    assert shared_page.evaluate(beyond) == 0 and note.is_hidden()
    shared_page.locator(f"{explorer} [data-action=reset]").click()  # the shared page as it was
    assert api_values(shared_page, "nomogram") == {name: default(name) for name in CONTROLS["nomogram"]}


# --- the page -------------------------------------------------------------------------


def expected_dosing(values: dict) -> cm.model.Expansion:
    return cm.simulate(r=values["r"], q=values["q"], B=cm.affinity_from_ic50(values["ic50"]), P=values["P"],
                       K=FIXED["K"], n0=values["n0"], days=FIXED["days"], reading=values["reading"],
                       b_placement=values["b_placement"])


def check_dosing_readouts(page) -> None:
    values = api_values(page, "dosing")
    run = expected_dosing(values)
    shown = readouts(page, "dosing")
    assert shown["peak_cells"][0] == pytest.approx(float(run.peak), rel=1e-9)
    assert shown["peak_cells"][1].startswith(f"{float(run.peak):.2e}".split("e")[0])
    same_day_or_tie(shown["peak_day"][0], float(run.peak_day), run.t, run.car_t, float(run.peak))
    assert shown["peak_day"][1] == f"day {shown['peak_day'][0]:g}"
    assert shown["clearance_day"][0] == float(run.clearance_day)
    assert shown["over_ceiling"][0] == float(float(run.peak) > values["ceiling"])


def test_sliders_and_menus_move_the_dosing_and_schedule_readouts_to_cartmodel(page, site, page_log):
    open_page(page, site)
    check_dosing_readouts(page)
    before = readouts(page, "dosing")["peak_cells"][0]
    press(page, f"{SELECTOR['dosing']} input[name=P]", *["ArrowRight"] * 20)  # 20 steps of 0.05 decades: a tenfold burden
    assert api_values(page, "dosing")["P"] == pytest.approx(10 * default("P"), rel=1e-9)
    assert readouts(page, "dosing")["peak_cells"][0] != pytest.approx(before, rel=1e-3)
    check_dosing_readouts(page)
    points = page.locator(f"{SELECTOR['dosing']} polyline[data-series=car-t]").get_attribute("points").split()
    assert len(points) == int(FIXED["days"]) + 1
    for reading in READINGS:
        for placement in B_PLACEMENTS:
            page.select_option(f"{SELECTOR['dosing']} select[name=reading]", reading)
            page.select_option(f"{SELECTOR['dosing']} select[name=b_placement]", placement)
            check_dosing_readouts(page)
    press(page, f"{SELECTOR['dosing']} input[name=ceiling]", "Home")  # the lowest ceiling, under any peak here
    assert readouts(page, "dosing")["over_ceiling"] == (1.0, "Peak above the ceiling")
    # the schedule explorer, at the most infusions
    press(page, f"{SELECTOR['schedule']} input[name=infusions]", "End")
    values = api_values(page, "schedule")
    assert values["infusions"] == PARAMETERS["infusions"].control[1]
    comparison = cm.split_schedule(total_n0=values["total_n0"], infusions=int(values["infusions"]),
                                   interval_days=values["interval_days"], P=values["P"], r=FIGURE_1["r"],
                                   q=FIGURE_1["q"], B=FIGURE_1["B"], K=FIGURE_1["K"], days=FIXED["days"])
    shown = readouts(page, "schedule")
    assert shown["single_peak"][0] == pytest.approx(float(comparison.single.peak), rel=1e-9)
    assert shown["split_peak"][0] == pytest.approx(float(comparison.split.peak), rel=1e-9)
    assert shown["peak_ratio"][0] == pytest.approx(float(comparison.peak_ratio), rel=1e-9)
    assert shown["peak_ratio"][1] == f"{float(comparison.peak_ratio):.3f}"
    assert shown["clearance_day"][0] == float(comparison.split.clearance_day)
    marks = page.locator(f"{SELECTOR['schedule']} g[data-series=infusions] path").count()
    assert marks == values["infusions"]
    assert not page_log.page_errors and not page_log.console_errors


NOMOGRAM_STATE = nomogram_js("""const s = document.querySelector('#live-nomogram-explorer').cartmodelExplorer.state;
return {...asArrays(s.map, s.window), killing: s.killing, grid: globalThis.cartmodelParameters.explorers.nomogram.grid};""")


def page_nomogram(page, js: dict, n: int, log10_P, **extra) -> dict:
    """The parameters of the map on the page (NOMOGRAM_STATE), once its grid is checked to be the
    n x n one of the explorer: the controls' values and the ipywidgets nomogram's fixed ones."""
    assert len(js["n0Grid"]) == n and len(js["PGrid"]) == n
    assert relative_difference(js["n0Grid"], np.logspace(*np.log10(EXAMPLE_N0_RANGE), n)) < 1e-15
    assert relative_difference(js["PGrid"], np.logspace(*log10_P, n)) < 1e-15
    values = api_values(page, "nomogram")
    signature = NomogramExplorer.__init__.__kwdefaults__
    return {"n0Grid": js["n0Grid"], "PGrid": js["PGrid"], "B": float(cm.affinity_from_ic50(values["ic50"])),
            "r": values["r"], "q": values["q"], "K": signature["K"], "days": signature["days"], "dt": 1.0,
            "ceiling": values["ceiling"], "clear_by_day": values["clear_by_day"], "rtol": signature["rtol"],
            "clearance_level": PARAMETERS["clearance_level"].default, **extra}


def test_nomogram_on_the_page_is_cartmodels_on_the_widgets_grid(page, site, page_log):
    open_page(page, site)
    for name, key, presses in (("ic50", "ArrowRight", 30), ("r", "ArrowLeft", 2), ("clear_by_day", "ArrowLeft", 20)):
        press(page, f"{SELECTOR['nomogram']} input[name={name}]", *[key] * presses)
    js = page.evaluate(NOMOGRAM_STATE)
    check_nomogram(js, page_nomogram(page, js, NomogramExplorer.__init__.__kwdefaults__["n"], (-2, 4)))
    shown = readouts(page, "nomogram")
    feasible = [d for d in js["underCeiling"] if d[2]]
    assert shown["burdens_with_a_dose"][0] == len(feasible)
    assert shown["largest_dose_min"][0] == min(d[0] for d in feasible)
    assert shown["largest_dose_max"][0] == max(d[0] for d in feasible)
    cleared = [P for P, ok in zip(js["PGrid"], js["clears"], strict=True) if ok]
    assert shown["clearance_limit_P"][0] == max(cleared)
    assert not all(js["clears"])  # the clearance limit is inside the grid at these values
    assert not page_log.page_errors


def test_nomogram_killing_model_on_the_page_is_cartmodels(page, site, page_log):
    """The model menu: under Equation 1 no smallest dose (words, no number) and no killing controls;
    with killing, the controls appear and the map, both bounds, the readouts and the CSV are
    cartmodel.killing's on the explorer's grid."""
    open_page(page, site)
    explorer = SELECTOR["nomogram"]
    for name in KILLING_CONTROLS:
        assert page.locator(f"{explorer} [name={name}]").is_hidden(), name
    number, words = readouts(page, "nomogram")["smallest_clearing_dose_min"]
    assert number is None and "Equation 1" in words and "r \u2212 q" in words
    page.select_option(f"{explorer} select[name=model]", "with killing")
    for name in KILLING_CONTROLS:
        assert page.locator(f"{explorer} [name={name}]").is_visible(), name
    # a tumour that holds its own (q = r) unless killed, cleared by a short deadline
    for name, keys in (("q", ["ArrowRight"] * 6), ("kill_rate", ["ArrowRight"] * 20), ("kill_saturation", ["End"]),
                       ("clear_by_day", ["Home"] + ["ArrowRight"] * 5)):
        press(page, f"{explorer} input[name={name}]", *keys)
    values = api_values(page, "nomogram")
    assert values["model"] == "with killing" and values["kill_rate"] > 0
    js = page.evaluate(NOMOGRAM_STATE)
    grid = js["grid"]
    n = grid["killing_n"]
    assert js["killing"]
    p = page_nomogram(page, js, n, grid["log10_P"], window_points=grid["window_points"],
                      **{name: values[name] for name in KILLING_CONTROLS})
    decided = check_killing_nomogram(js, p)
    assert decided["clearing bound inside"] > 0  # the smallest dose is a bound inside the axis here
    low = np.asarray(js["lowestClearing"], float)
    high = np.asarray(js["highestUnder"], float)
    exists = np.asarray(js["exists"])
    shown = readouts(page, "nomogram")
    assert shown["smallest_clearing_dose_min"][0] == np.nanmin(low)
    assert shown["smallest_clearing_dose_max"][0] == np.nanmax(low)
    assert shown["burdens_with_a_dose"][0] == exists.sum()
    assert shown["largest_dose_min"][0] == high[exists].min() and shown["largest_dose_max"][0] == high[exists].max()
    assert shown["clearance_limit_P"][0] == np.asarray(js["PGrid"])[~np.isnan(low)].max()
    parameters, rows = explorer_csv(page, "nomogram")
    assert parameters["model"] == "with killing" and float(parameters["kill_rate"]) == values["kill_rate"]
    assert len(rows) == n * n
    cleared = killing_dose_response(n0=np.asarray(js["n0Grid"])[:, None], P=np.asarray(js["PGrid"]),
                                    **killing_arguments(p)).clearance_day
    np.testing.assert_array_equal(np.array([row["clearance_day"] for row in rows]).reshape(n, n), cleared)
    for column, bound in (("smallest_dose_clearing_in_time_model_cells", low),
                          ("largest_dose_under_ceiling_model_cells", high)):
        np.testing.assert_array_equal([row[column] for row in rows[:n]], bound)
    assert not page_log.page_errors


def test_links_restore_every_explorers_state(page, site, browser, page_log):
    state = {"dosing.n0": "1000", "dosing.P": "25.5", "dosing.ic50": "3", "dosing.r": "0.9", "dosing.q": "0.35",
             "dosing.ceiling": "3e6", "dosing.reading": "closed", "dosing.b_placement": "antigen",
             "nomogram.ic50": "5", "nomogram.ceiling": "1e9", "nomogram.clear_by_day": "30", "nomogram.q": "0.4",
             "nomogram.model": "with killing", "nomogram.kill_rate": "0.8", "nomogram.killing": "mass action",
             "nomogram.kill_saturation": "300",
             "schedule.total_n0": "2e4", "schedule.infusions": "4", "schedule.interval_days": "3", "schedule.P": "50"}
    open_page(page, site, "?" + urlencode(state))
    for key, text in state.items():
        kind, name = key.split(".")
        value = api_values(page, kind)[name]
        assert value == (text if name in CHOICES else float(text)), key
    check_dosing_readouts(page)
    assert page.locator(".cm-url-note:visible").count() == 0
    press(page, f"{SELECTOR['dosing']} input[name=n0]", "ArrowRight")  # move one control, then copy each explorer's link
    page.select_option(f"{SELECTOR['dosing']} select[name=reading]", "literal")
    link = None
    for kind in KINDS:
        page.locator(f"{SELECTOR[kind]} [data-action=copy-link]").click()
        box = page.locator(f"{SELECTOR[kind]} .cm-link")
        link = box.input_value()
        assert urlsplit(link).fragment == f"live-{kind}-explorer"
    # the last link carries every explorer's state (each copy keeps the other explorers' keys)
    with new_tab(browser) as fresh:
        open_explorers(fresh, link, *SELECTOR.values())
        for kind in KINDS:
            assert api_values(fresh, kind) == api_values(page, kind), kind
            assert readouts(fresh, kind) == readouts(page, kind), kind
    assert not page_log.page_errors


HOSTILE = [
    ("dosing.P", "<script>window.__cartmodelPwned = 1</script>"),
    ("dosing.reading", "<img src=x onerror=\"window.__cartmodelPwned = 1\">"),
    ("dosing.n0", "NaN"),
    ("dosing.r", "1e999"),
    ("dosing.ic50", "Infinity"),
    ("dosing.ceiling", "0x10"),
    ("dosing.q", "1e99999999999"),
    ("dosing.n0", ""),
    ("dosing.n0", "1e-5"),  # a number, outside the slider
    ("dosing.__proto__", "1"),
    ("dosing.constructor", "<b>bold</b>"),
    ("nomogram.clear_by_day", "1e308"),
    ("nomogram.ic50", "javascript:alert(1)"),
    ("nomogram.kill_rate", "5"),  # a number, outside the slider
    ("nomogram.model", "<b>killing</b>"),
    ("nomogram.killing", "linear"),
    ("schedule.infusions", "2.5"),
    ("schedule.total_n0", "-1"),
    ("schedule.<svg onload=alert(1)>", "1"),
]


def test_hostile_query_strings_are_ignored_visibly_and_run_nothing(page, site, page_log):
    query = urlencode(HOSTILE + [("dosing.q", "0.8"), ("<script>alert(1)</script>", "x")])
    with dialogs_recorded(page) as dialogs:
        open_page(page, site, "?" + query)
    assert dialogs == [] and not page_log.page_errors
    for kind in KINDS:
        assert_link_refused(page, SELECTOR[kind], [key for key, _ in HOSTILE if key.startswith(kind + ".")])
        expected = {name: default(name) for name in CONTROLS[kind]}
        if kind == "dosing":
            expected["q"] = 0.8  # the one valid value of the query is applied
        assert api_values(page, kind) == expected
    check_dosing_readouts(page)
    for value in page.eval_on_selector_all("[data-readout]", "nodes => nodes.map(n => n.dataset.value)"):
        assert value == "" or not math.isnan(float(value))


def explorer_csv(page, kind: str) -> tuple[dict[str, str], list[dict[str, float]]]:
    """The parameters (header line) and rows of the explorer's CSV download."""
    header, body = download_csv(page, SELECTOR[kind], f"cartmodel-{kind}-explorer.csv")
    assert header.startswith("# cartmodel ") and "not dose advice" in header
    parameters = dict(pair.split("=", 1) for pair in header.split(": ", 1)[1].split(", "))
    rows = [{key: float(value) for key, value in row.items()} for row in csv.DictReader(io.StringIO(body))]
    return parameters, rows


def test_csv_downloads_hold_cartmodels_numbers_and_reset_returns_to_the_starting_values(page, site):
    open_page(page, site, "?dosing.reading=literal&dosing.n0=50&nomogram.q=0.9&schedule.infusions=2&dosing.r=oops")
    downloads = {kind: explorer_csv(page, kind) for kind in KINDS}

    parameters, rows = downloads["dosing"]
    assert parameters["reading"] == "literal" and float(parameters["n0"]) == 50.0
    values = {name: (parameters[name] if name in CHOICES else float(parameters[name])) for name in CONTROLS["dosing"]}
    run = expected_dosing(values)
    assert float(parameters["K"]) == FIXED["K"] and len(rows) == run.t.size
    np.testing.assert_array_equal([row["day"] for row in rows], run.t)
    assert relative_difference([row["car_t_model_cells"] for row in rows], run.car_t) < 1e-9
    assert relative_difference([row["tumour_term_AU"] for row in rows], run.tumour) < 1e-9

    parameters, rows = downloads["nomogram"]
    assert float(parameters["q"]) == 0.9
    n0 = np.unique([row["n0_model_cells"] for row in rows])
    P = np.unique([row["P_AU"] for row in rows])
    common = {"B": cm.affinity_from_ic50(float(parameters["ic50"])), "q": 0.9,
              **{name: float(parameters[name]) for name in ("r", "K", "days")}}
    grid = cm.dose_response(n0=n0[:, None], P=P, **common)
    assert len(rows) == n0.size * P.size
    peaks = np.array([row["peak_model_cells"] for row in rows]).reshape(n0.size, P.size)
    assert relative_difference(peaks, grid.peak) < 1e-9
    under = cm.dose_for_ceiling(ceiling=float(parameters["ceiling"]), P=P, clear_by_day=float(parameters["clear_by_day"]),
                                min_n0=float(n0[0]), max_n0=float(n0[-1]), rtol=float(parameters["rtol"]), **common)
    line = np.array([row["largest_dose_under_ceiling_model_cells"] for row in rows[:P.size]])
    assert relative_difference(line, under.n0) < 1e-9

    parameters, rows = downloads["schedule"]
    comparison = cm.split_schedule(infusions=int(float(parameters["infusions"])), B=cm.affinity_from_ic50(float(parameters["ic50"])),
                                   **{name: float(parameters[name]) for name in ("total_n0", "interval_days", "P", "r", "q", "K", "days")})
    assert comparison.doses[1][0] == float(parameters["interval_days"]) and len(comparison.doses) == 2
    assert relative_difference([row["split_car_t_model_cells"] for row in rows], comparison.split.car_t) < 1e-9
    assert relative_difference([row["single_car_t_model_cells"] for row in rows], comparison.single.car_t) < 1e-9
    # then reset, from these values and a refused one (dosing.r=oops, its note shown)
    assert page.locator(f"{SELECTOR['dosing']} .cm-url-note").is_visible()
    start = readouts(page, "schedule")
    for kind in KINDS:
        press(page, f"{SELECTOR[kind]} [data-action=reset]", "Enter")  # keyboard-operable: a real button
        assert api_values(page, kind) == {name: default(name) for name in CONTROLS[kind]}
        assert page.locator(f"{SELECTOR[kind]} .cm-url-note").is_hidden()
    check_dosing_readouts(page)
    assert readouts(page, "schedule") != start
    run = expected_dosing({name: default(name) for name in CONTROLS["dosing"]})
    assert readouts(page, "dosing")["peak_cells"][0] == pytest.approx(float(run.peak), rel=1e-9)


def test_readable_at_phone_width_without_horizontal_scrolling(browser, site):
    with new_tab(browser, **PHONE) as phone:
        open_page(phone, site)
        for kind in KINDS:
            assert_fits_a_phone(phone, SELECTOR[kind])
        phone.select_option(f"{SELECTOR['nomogram']} select[name=model]", "with killing")  # its controls shown
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        # the burden explorer (chapters/antigen-burden.md) too, in the same tab
        open_explorers(phone, site.page_url("chapters/antigen-burden.html"), "#live-burden-explorer")
        assert_fits_a_phone(phone, "#live-burden-explorer")


def test_no_serious_accessibility_violation_with_notes_and_links_shown(page, site):
    """axe-core on the page after a bad link and a copied link (the note and the link box shown),
    with the nomogram's killing model chosen (its controls shown)."""
    open_page(page, site, "?dosing.P=oops&nomogram.ic50=1e9&nomogram.model=with+killing")
    assert page.locator(f"{SELECTOR['nomogram']} [name=kill_rate]").is_visible()
    for kind in KINDS:
        page.locator(f"{SELECTOR[kind]} [data-action=copy-link]").click()
        assert page.locator(f"{SELECTOR[kind]} .cm-link").is_visible()
    assert serious_accessibility_violations(page, *SELECTOR.values()) == []


def test_explorers_run_from_a_file_copy_of_the_site(browser, site):
    """Classic scripts, no fetch: opened from file:// (in a tab that lets it), the three explorers still start."""
    with new_tab(browser) as page:
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        open_explorers(page, (Path(site.root) / PAGE).resolve().as_uri() + "?schedule.infusions=5", *SELECTOR.values())
        assert api_values(page, "schedule")["infusions"] == 5
        assert not [e for e in errors if "explorer" in e.lower() or "cartmodel" in e.lower()]
