"""The burden explorer (chapters/antigen-burden.md), in Chromium, held to cartmodel.burden: its
arithmetic on 300 random patients (relative differences under 1e-9, the same disease state and
range), controls from the parameter table, readouts, links (hostile ones refused; the one to the
dosing explorer), CSV, reset, axe-core.  (A phone's width: tests/test_explorer_browser.py.)
"""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

import numpy as np
import pytest

import cartmodel as cm
from cartmodel import burden as bd
from cartmodel.parameters import PARAMETERS

from .browser import (
    assert_link_refused,
    dialogs_recorded,
    download_csv,
    explorer_readouts,
    explorer_values,
    open_explorers,
    press,
    serious_accessibility_violations,
    slider_label,
)

PAGE = "chapters/antigen-burden.html"
SELECTOR = "#live-burden-explorer"
CONTROLS = ("weight_kg", "age_years", "sex", "wbc_giga_per_l", "blood_blast_fraction",
            "marrow_infiltration_fraction", "marrow_cellularity_fraction", "antigen_molecules_per_blast")
NUMERIC = tuple(name for name in CONTROLS if name != "sex")


def open_page(page, site, query: str = ""):
    return open_explorers(page, site.page_url(PAGE) + query, SELECTOR)


def default(name: str):
    return "man" if name == "sex" else PARAMETERS[name].default


def expected(values: dict) -> dict:
    """What cartmodel gives for the explorer's inputs: P and its parts, blasts, state and range."""
    patient = bd.patient_from_measurements(**values)
    estimate = cm.estimate_burden(patient)
    density = float(patient.antigen_molecules_per_blast)
    reference = bd.REFERENCE_ANTIGEN_MOLECULES
    state = bd.sensitivity_state(patient)
    group = str(bd.age_group(values["age_years"]))
    low_high = None if state is None else bd.sensitivity_p_range(patient, group=group, state=state)
    return {"P": float(estimate.P()), "PBlood": float(estimate.circulating_blasts) * density / reference,
            "PMarrow": float(estimate.marrow_blasts) * density / reference, "total": float(estimate.total_blasts),
            "state": state, "range": low_high}


def close(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def random_patients(count: int, seed: int) -> list[dict]:
    """Patients over the controls' ranges, a third of them in each disease state of the sensitivity analysis."""
    rng = np.random.default_rng(seed)
    patients = []
    for k in range(count):
        kind = k % 3  # 0: anywhere, 1: relapse, 2: near MRD
        infiltration = {0: 10 ** rng.uniform(-4, 0), 1: rng.uniform(0.5, 0.95), 2: 10 ** rng.uniform(-4, -2)}[kind]
        cellularity = rng.uniform(0.6, 1.0) if kind == 1 else rng.uniform(0.0, 1.0)
        blood = rng.uniform(0.0, 0.01) if kind == 2 else rng.uniform(0.0, 1.0)
        patients.append({
            "weight_kg": float(rng.uniform(2.0, 200.0)), "age_years": float(rng.choice([rng.uniform(0, 18), rng.uniform(18, 95)])),
            "sex": str(rng.choice(["man", "woman"])), "wbc_giga_per_l": float(10 ** rng.uniform(-1, 3)),
            "blood_blast_fraction": float(blood), "marrow_infiltration_fraction": float(infiltration),
            "marrow_cellularity_fraction": float(cellularity),
            "antigen_molecules_per_blast": float(10 ** rng.uniform(2, 6)),
        })
    return patients


BURDEN_ALL = """(patients) => {
  const c = globalThis.cartmodelParameters.explorers.burden.conventions;
  return patients.map((p) => {
    const b = globalThis.cartmodelExplorers.burden(p, c);
    return {P: b.P, PBlood: b.PBlood, PMarrow: b.PMarrow, total: b.parts.total, state: b.state, range: b.range};
  });
}"""


def test_burden_agrees_with_cartmodel_on_300_random_patients(page, site, page_log):
    open_page(page, site)
    patients = random_patients(300, seed=2019)
    results = page.evaluate(BURDEN_ALL, patients)
    states = {"relapse": 0, "near MRD": 0, None: 0}
    worst = 0.0
    for p, js in zip(patients, results, strict=True):
        want = expected(p)
        for key in ("P", "PBlood", "PMarrow", "total"):
            assert close(js[key], want[key]), (key, js[key], want[key], p)
            if want[key]:
                worst = max(worst, abs(js[key] / want[key] - 1))
        assert js["state"] == want["state"], p
        states[want["state"]] += 1
        if want["range"] is None:
            assert js["range"] is None
        else:
            assert close(js["range"][0], want["range"][0]) and close(js["range"][1], want["range"][1]), (js, want, p)
    assert all(count >= 50 for count in states.values()), states  # every state, and none, was tested
    assert worst < 1e-9
    assert not page_log.page_errors


def test_controls_come_from_the_parameter_table_and_start_at_the_books_adult(page, site):
    open_page(page, site)
    for name in NUMERIC:
        row = PARAMETERS[name]
        assert row.unit in slider_label(page, SELECTOR, name), name
        # the slider stays inside the physiological range of the table
        low, high = row.control[:2]
        assert (row.low is None or low >= row.low) and (row.high is None or high <= row.high), name
    assert page.locator(f"{SELECTOR} select[name=sex]").evaluate("n => [...n.options].map(o => o.value)") == ["man", "woman"]
    assert explorer_values(page, SELECTOR) == {name: default(name) for name in CONTROLS}
    # the starting values are the book's adult at relapse
    adult = float(cm.estimate_burden(bd.EXAMPLE_PATIENTS["adult, relapse"]).P())
    assert float(explorer_readouts(page, SELECTOR)["P"][0]) == pytest.approx(adult, rel=1e-12)
    note = page.locator(f"{SELECTOR} .cm-note").first.inner_text()
    assert "not dose advice" in note


def check_readouts(page) -> dict:
    values = explorer_values(page, SELECTOR)
    want = expected(values)
    shown = explorer_readouts(page, SELECTOR)
    for key, readout in (("P", "P"), ("PBlood", "P_blood"), ("PMarrow", "P_marrow"), ("total", "blasts")):
        assert close(float(shown[readout][0]), want[key]), (readout, shown[readout], want[key])
    if want["range"] is None:
        assert shown["P_low"][0] == "" and shown["P_low"][1].startswith("none")
    else:
        assert close(float(shown["P_low"][0]), want["range"][0]) and close(float(shown["P_high"][0]), want["range"][1])
        assert want["state"] in shown["P_high"][1]
    return want


def test_sliders_move_the_readouts_to_cartmodel(page, site, page_log):
    open_page(page, site)
    check_readouts(page)
    press(page, f"{SELECTOR} input[name=weight_kg]", *["ArrowLeft"] * 10)
    assert explorer_values(page, SELECTOR)["weight_kg"] == 65.0
    check_readouts(page)
    press(page, f"{SELECTOR} input[name=marrow_infiltration_fraction]", "Home")  # 1e-4: near MRD if the blood is clear too
    press(page, f"{SELECTOR} input[name=blood_blast_fraction]", "Home")
    assert check_readouts(page)["state"] == "near MRD"
    # 2.5 decades up, to about 3%: between the states, no range
    press(page, f"{SELECTOR} input[name=marrow_infiltration_fraction]", *["PageUp"] * 6, *["ArrowRight"] * 10)
    assert explorer_values(page, SELECTOR)["marrow_infiltration_fraction"] == pytest.approx(10**-1.5)
    assert check_readouts(page)["state"] is None
    page.select_option(f"{SELECTOR} select[name=sex]", "woman")
    press(page, f"{SELECTOR} input[name=age_years]", "Home")  # a newborn: the children's blood volume
    check_readouts(page)
    assert not page_log.page_errors and not page_log.console_errors


def test_links_restore_the_state_and_open_the_dosing_explorer_with_this_P(page, site, page_log):
    state = {"burden.weight_kg": "20", "burden.age_years": "6", "burden.sex": "woman", "burden.wbc_giga_per_l": "40",
             "burden.blood_blast_fraction": "0.8", "burden.marrow_infiltration_fraction": "0.85",
             "burden.marrow_cellularity_fraction": "0.95", "burden.antigen_molecules_per_blast": "22000"}
    open_page(page, site, "?" + urlencode(state))
    values = explorer_values(page, SELECTOR)
    for key, text in state.items():
        name = key.split(".", 1)[1]
        assert values[name] == (text if name == "sex" else float(text)), key
    assert page.locator(f"{SELECTOR} .cm-url-note:visible").count() == 0
    want = check_readouts(page)
    # the book's child at relapse, but for the rule-of-thumb normal cellularity of a 6-year-old
    child = cm.estimate_burden(bd.EXAMPLE_PATIENTS["child, relapse"])
    assert want["P"] == pytest.approx(float(child.P()), rel=1e-12)
    page.locator(f"{SELECTOR} [data-action=copy-link]").click()
    copied = page.locator(f"{SELECTOR} .cm-link").input_value()
    open_explorers(page, copied, SELECTOR)
    assert explorer_values(page, SELECTOR) == values
    link = page.locator(f"{SELECTOR} a[data-action=open-dosing]")
    href = link.get_attribute("href")
    assert href.startswith("interactive-dosing.html?dosing.P=") and href.endswith("#live-dosing-explorer")
    link.click()
    page.wait_for_selector("#live-dosing-explorer[data-cartmodel-mounted]", timeout=20_000)
    dosing = explorer_values(page, "#live-dosing-explorer")
    assert dosing["P"] == want["P"]  # the very number, not a rounded copy
    assert page.locator("#live-dosing-explorer .cm-url-note:visible").count() == 0
    assert not page_log.page_errors


def test_a_burden_outside_the_dosing_explorers_range_gets_no_link(page, site):
    open_page(page, site, "?burden.marrow_infiltration_fraction=0.0001&burden.blood_blast_fraction=0"
                          "&burden.weight_kg=2&burden.antigen_molecules_per_blast=100")
    P = float(explorer_readouts(page, SELECTOR)["P"][0])
    assert P < PARAMETERS["P"].control[0]
    assert page.locator(f"{SELECTOR} a[data-action=open-dosing]").is_hidden()
    assert "outside the dosing explorer's burden range" in page.locator(f"{SELECTOR} .cm-dosing-link").inner_text()


HOSTILE = [
    ("burden.weight_kg", "1e308"),  # above the physiological range
    ("burden.weight_kg", "70000"),  # grams, not kg
    ("burden.age_years", "-1"),
    ("burden.wbc_giga_per_l", "NaN"),
    ("burden.blood_blast_fraction", "1.5"),
    ("burden.marrow_cellularity_fraction", "<script>window.__cartmodelPwned = 1</script>"),
    ("burden.sex", "<img src=x onerror=\"window.__cartmodelPwned = 1\">"),
    ("burden.antigen_molecules_per_blast", "Infinity"),
    ("burden.__proto__", "1"),
    ("burden.<svg onload=alert(1)>", "1"),
]


def test_hostile_and_out_of_range_links_are_refused_visibly(page, site, page_log):
    with dialogs_recorded(page) as dialogs:
        open_page(page, site, "?" + urlencode(HOSTILE + [("burden.age_years", "8")]))
    assert dialogs == [] and not page_log.page_errors
    assert_link_refused(page, SELECTOR, [key for key, _ in HOSTILE])
    assert explorer_values(page, SELECTOR) == {**{name: default(name) for name in CONTROLS}, "age_years": 8.0}
    check_readouts(page)


def test_csv_and_reset(page, site):
    open_page(page, site, "?burden.weight_kg=30&burden.age_years=10")
    header, body = download_csv(page, SELECTOR, "cartmodel-burden-explorer.csv")
    assert header.startswith("# cartmodel burden explorer") and "not dose advice" in header and "weight_kg=30" in header
    rows = {row["quantity"]: row for row in csv.DictReader(io.StringIO(body))}
    want = expected(explorer_values(page, SELECTOR))
    assert close(float(rows["P"]["value"]), want["P"]) and rows["P"]["unit"] == "AU"
    assert close(float(rows["total_blasts"]["value"]), want["total"])
    page.locator(f"{SELECTOR} [data-action=reset]").click()
    assert explorer_values(page, SELECTOR) == {name: default(name) for name in CONTROLS}


def test_no_serious_accessibility_violation_with_the_note_and_link_shown(page, site):
    open_page(page, site, "?burden.weight_kg=oops")
    page.locator(f"{SELECTOR} [data-action=copy-link]").click()
    assert page.locator(f"{SELECTOR} .cm-url-note").is_visible() and page.locator(f"{SELECTOR} .cm-link").is_visible()
    assert serious_accessibility_violations(page, SELECTOR) == []
