"""Tests of cartmodel.burden: the ALL antigen-burden estimate and its mapping to Equation 1's P."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

import cartmodel as cm
from cartmodel import burden as bd
from cartmodel.paper import FIGURE_1
from cartmodel.plotting import plot_expansions, plot_tornado

# A child at relapse, written out once; every expected value below is plain arithmetic.
CHILD = dict(
    weight_kg=20.0,
    wbc_giga_per_l=40.0,
    blood_blast_fraction=0.8,
    marrow_cellularity_fraction=0.95,
    marrow_infiltration_fraction=0.85,
    normal_cellularity_fraction=0.94,  # the rule of thumb at age 6
    blood_volume_ml_per_kg=77.5,
    marrow_cells_per_kg=10.4e9,
    antigen_molecules_per_blast=22_000.0,
)


def child(**changes) -> bd.AllPatient:
    return bd.AllPatient(**{**CHILD, **changes})


# The child's blasts by hand. Blood: 40e9 cells/L * 0.8 blasts * (20 kg * 77.5 mL/kg = 1.55 L); marrow: 20 kg *
# 10.4e9 cells/kg (a normally cellular marrow) * (0.95 / 0.94 of normal) * 0.85 blasts.
CIRCULATING = 40e9 * 0.8 * (20.0 * 77.5 / 1000.0)  # 4.96e10
MARROW = 20.0 * 10.4e9 * (0.95 / 0.94) * 0.85  # 1.7865e11 (1.6796e11 / 0.94)


# ---------------------------------------------------------------- worked example


def test_worked_example_matches_hand_arithmetic():
    circulating, marrow = CIRCULATING, MARROW
    total = circulating + marrow
    antigen = total * 22_000.0
    assert circulating == pytest.approx(4.96e10, rel=1e-12)
    assert marrow == pytest.approx(1.6796e11 / 0.94, rel=1e-12)

    estimate = bd.estimate_burden(child())
    assert float(estimate.blood_volume_ml) == pytest.approx(1550.0, rel=1e-12)
    assert float(estimate.circulating_blasts) == pytest.approx(circulating, rel=1e-12)
    assert float(estimate.marrow_blasts) == pytest.approx(marrow, rel=1e-12)
    assert float(estimate.total_blasts) == pytest.approx(total, rel=1e-12)
    assert float(estimate.antigen_molecules) == pytest.approx(antigen, rel=1e-12)
    assert float(estimate.marrow_share) == pytest.approx(marrow / total, rel=1e-12)
    # P with the default reference: CD19 of 1e9 cells at 22,000 molecules each
    assert float(estimate.P()) == pytest.approx(antigen / (1e9 * 22_000.0), rel=1e-12)


def test_marrow_is_read_relative_to_normal_cellularity_for_age():
    # Harrison's 10.4e9 cells/kg are those of a normally cellular adult marrow.  A 45-year-old
    # (normal cellularity 55% by the rule of thumb) with a 90% cellular, 70% infiltrated biopsy:
    # his marrow holds 0.90 / 0.55 = 1.636 times the normal count, of which 70% are blasts.
    by_hand = 75.0 * 10.4e9 * 0.90 / 0.55 * 0.70  # 8.935e11 blasts
    assert by_hand == pytest.approx(8.935e11, rel=1e-3)
    got = bd.marrow_blasts(weight_kg=75, cellularity_fraction=0.90, infiltration_fraction=0.70,
                           normal_cellularity_fraction=float(bd.normal_cellularity_fraction(45)))
    assert float(got) == pytest.approx(by_hand, rel=1e-12)
    # reading Harrison as a fully cellular marrow (the old error) gives 0.55 times this, about half
    as_if_full = 75.0 * 10.4e9 * 0.90 * 0.70
    assert as_if_full / float(got) == pytest.approx(0.55, rel=1e-12)
    # a normally cellular marrow holds Harrison's count, whatever the age
    for age in (6.0, 30.0, 45.0, 70.0):
        normal = float(bd.normal_cellularity_fraction(age))
        whole_marrow = bd.marrow_blasts(
            weight_kg=60, cellularity_fraction=normal, infiltration_fraction=1.0, normal_cellularity_fraction=normal
        )
        assert float(whole_marrow) == pytest.approx(60 * 10.4e9, rel=1e-12)
    assert float(bd.marrow_nucleated_cells(70)) == pytest.approx(7e11, rel=0.05)  # Harrison: about 7e11 in a 70 kg adult
    # half the normal cellularity holds half the cells; twice, twice
    half = bd.marrow_blasts(weight_kg=60, cellularity_fraction=0.25, infiltration_fraction=1.0, normal_cellularity_fraction=0.5)
    assert float(half) == pytest.approx(30 * 10.4e9, rel=1e-12)


def test_nadler_formula_and_why_it_gives_no_single_per_kg_value():
    # 1.75 m, 70 kg man: 0.3669 * 1.75^3 + 0.03219 * 70 + 0.6041 litres
    man_litres = 0.3669 * 1.75**3 + 0.03219 * 70 + 0.6041
    assert float(bd.nadler_blood_volume_ml(1.75, 70, sex="man")) == pytest.approx(1000 * man_litres, rel=1e-12)
    woman_litres = 0.3561 * 1.65**3 + 0.03308 * 58 + 0.1833
    assert float(bd.nadler_blood_volume_ml(1.65, 58, sex="woman")) == pytest.approx(1000 * woman_litres, rel=1e-12)
    # per kg, Nadler's volume falls as weight rises at fixed height (the constant and height terms
    # are spread over more kilograms), so it does not define a per-kg constant like 70 mL/kg
    weights = np.array([55.0, 70.0, 90.0, 120.0])
    per_kg = bd.nadler_blood_volume_ml(1.75, weights, sex="man") / weights
    assert np.all(np.diff(per_kg) < 0)
    assert per_kg[0] / per_kg[-1] > 1.2


# ---------------------------------------------------------------- monotonicity and scaling

INCREASING = {
    "weight_kg": [5.0, 20.0, 70.0, 120.0],
    "wbc_giga_per_l": [0.5, 4.0, 40.0, 300.0],
    "blood_blast_fraction": [0.0, 0.1, 0.5, 1.0],
    "marrow_cellularity_fraction": [0.0, 0.3, 0.7, 1.0],
    "marrow_infiltration_fraction": [0.0, 1e-4, 0.2, 1.0],
    "normal_cellularity_fraction": [0.9, 0.7, 0.5, 0.3],  # a lower normal makes the same biopsy fuller
    "blood_volume_ml_per_kg": [60.0, 70.0, 80.0, 90.0],
    "marrow_cells_per_kg": [5e9, 10.4e9, 2e10, 4e10],
    "antigen_molecules_per_blast": [0.0, 2_000.0, 22_000.0, 60_000.0],
}


@pytest.mark.parametrize("name", sorted(INCREASING))
def test_burden_strictly_increases_with_every_input(name):
    estimate = bd.estimate_burden(child(**{name: np.array(INCREASING[name])}))
    assert np.all(np.diff(estimate.antigen_molecules) > 0)
    if name != "antigen_molecules_per_blast":
        assert np.all(np.diff(estimate.total_blasts) > 0)
    else:  # the antigen density does not change the number of blasts
        assert np.ptp(estimate.total_blasts) == 0


def test_expansion_follows_burden_through_equation_1():
    # more marrow infiltration -> more antigen -> larger P -> a higher peak, for the same dose
    burdens = bd.estimate_burden(child(marrow_infiltration_fraction=np.array([1e-4, 1e-2, 0.3, 0.9])))
    run = cm.simulate(**{**FIGURE_1, "P": burdens.P()}, days=60)
    assert np.all(np.diff(run.peak) > 0)
    # and never below the memory plateau K B
    assert np.all(run.peak >= FIGURE_1["K"] * FIGURE_1["B"])


# ---------------------------------------------------------------- bad inputs


@pytest.mark.parametrize(("call", "pattern"), [
    (lambda: child(weight_kg="20 kg"), "weight_kg"),
    (lambda: child(blood_blast_fraction=True), "blood_blast_fraction"),
    (lambda: child(label=3), "label"),
    (lambda: bd.estimate_burden(CHILD), "AllPatient"),
    (lambda: bd.circulating_blasts(wbc_giga_per_l=5, wbc_cells_per_ul=5000, blast_fraction=0.1, blood_volume_ml=5000),
     "exactly once"),
    (lambda: bd.circulating_blasts(blast_fraction=0.1, blood_volume_ml=5000), "exactly once"),
])
def test_wrong_types_are_refused(call, pattern):
    with pytest.raises(TypeError, match=pattern):
        call()


@pytest.mark.parametrize(("call", "pattern"), [
    *[
        (lambda field=field, value=value: child(**{field: value}), pattern)
        for field, value, pattern in [
            ("blood_blast_fraction", 1.2, r"blood_blast_fraction \(fraction\) must be a finite real number in \[0, 1\]; got 1.2"),
            ("marrow_cellularity_fraction", -0.1, r"marrow_cellularity_fraction .* in \[0, 1\]; got -0.1"),
            ("marrow_infiltration_fraction", 80.0, r"marrow_infiltration_fraction .* in \[0, 1\]; got 80"),
            ("normal_cellularity_fraction", 0.0, r"normal_cellularity_fraction .* in \[0.05, 1\]; got 0"),
            ("weight_kg", 0.0, r"weight_kg \(kg\) must be a finite real number in \(0, 300\]; got 0"),
            ("wbc_giga_per_l", -3.0, r"wbc_giga_per_l .* in \(0, 2000\]; got -3"),
            ("blood_volume_ml_per_kg", 0.0, r"blood_volume_ml_per_kg .* in \[30, 150\]"),
            ("marrow_cells_per_kg", float("nan"), r"marrow_cells_per_kg"),
            ("antigen_molecules_per_blast", -1.0, r"antigen_molecules_per_blast .* in \[0, 1e\+06\]; got -1"),
            # physiological upper bounds: no patient has these, a unit error or a typo does
            ("weight_kg", 1e308, r"weight_kg \(kg\) must be a finite real number in \(0, 300\]; got 1e\+308"),
            ("weight_kg", 70_000.0, r"weight_kg .* got 70000"),  # grams passed as kg
            ("wbc_giga_per_l", 25_000.0, r"wbc_giga_per_l \(10\^9 cells/L\) .* got 25000"),  # cells/uL as 10^9/L
            ("blood_volume_ml_per_kg", 700.0, r"blood_volume_ml_per_kg \(mL/kg\) .* got 700"),
            ("marrow_cells_per_kg", 1e12, r"marrow_cells_per_kg \(cells/kg\) .* \[1e\+09, 1e\+11\]; got 1000000000000"),
            ("antigen_molecules_per_blast", 1e9, r"antigen_molecules_per_blast .* got 1000000000"),
        ]
    ],
    # physiological upper bounds: these once overflowed to inf or returned absurd counts without a word
    (lambda: bd.blood_volume_ml(1e308), r"weight_kg \(kg\) .* \(0, 300\]; got 1e\+308"),
    (lambda: bd.nadler_blood_volume_ml(1.75, 1e308, sex="man"), r"weight_kg .* got 1e\+308"),
    (lambda: bd.marrow_nucleated_cells(1e308), r"weight_kg .* got 1e\+308"),
    (lambda: bd.total_blasts(1e308, 1e308), r"circulating_blasts \(cells\) .* \[0, 1e\+15\]; got 1e\+308"),
    (lambda: bd.total_blasts(1e9, 1e16), r"marrow_blasts \(cells\) .* got 1e\+16"),
    (lambda: bd.antigen_burden_molecules(1e308), r"blasts \(cells\) .* got 1e\+308"),
    (lambda: bd.antigen_burden_molecules(1e10, molecules_per_blast=1e308), r"molecules_per_blast .* got 1e\+308"),
    (lambda: bd.circulating_blasts(wbc_cells_per_ul=1e7, blast_fraction=0.5, blood_volume_ml=5000),
     r"wbc_cells_per_ul \(cells/uL\) .* \(0, 2e\+06\]; got 10000000"),
    (lambda: bd.circulating_blasts(wbc_giga_per_l=5, blast_fraction=0.5, blood_volume_ml=1e6),
     r"blood_volume_ml \(mL\) .* \(0, 45000\]; got 1000000"),
    (lambda: bd.p_from_antigen(1e300), r"antigen_molecules \(molecules\) .* got 1e\+300"),
    (lambda: bd.patient_from_measurements(weight_kg=70, age_years=99, sex="man", wbc_giga_per_l=5,
                                          blood_blast_fraction=0.1, marrow_infiltration_fraction=0.1,
                                          marrow_cellularity_fraction=0.5),
     r"age_years \(years\) must be in \[0, 95\] .* got 99.0"),
    # other values outside their ranges, each named
    (lambda: bd.circulating_blasts(wbc_giga_per_l=5, blast_fraction=1.5, blood_volume_ml=5000), r"blast_fraction .* got 1.5"),
    (lambda: bd.blood_volume_ml(10, group="infant"), "group must be one of 'man', 'woman', 'child'; got 'infant'"),
    (lambda: bd.nadler_blood_volume_ml(1.2, 25, sex="child"), "sex must be one of 'man', 'woman'; got 'child'"),
    (lambda: bd.normal_cellularity_fraction(130), r"age_years \(years\) .* \[0, 100\]; got 130"),
    (lambda: bd.p_from_antigen(1e12, reference_antigen_molecules=0), r"reference_antigen_molecules .* > 0; got 0"),
    (lambda: bd.p_from_antigen(-1.0), r"antigen_molecules .* \[0, 1e\+21\]; got -1"),
    (lambda: bd.wbc_giga_per_l_from_cells_per_ul(-5), r"wbc_cells_per_ul .* got -5"),
    (lambda: bd.marrow_blasts(weight_kg=70, cellularity_fraction=0.5, infiltration_fraction=2, normal_cellularity_fraction=0.5),
     r"infiltration_fraction .* got 2"),
    (lambda: bd.marrow_blasts(weight_kg=70, cellularity_fraction=0.5, infiltration_fraction=0.5, normal_cellularity_fraction=1.5),
     r"normal_cellularity_fraction .* got 1.5"),
])
def test_patient_and_functions_refuse_values_outside_their_ranges_naming_the_parameter(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


# ---------------------------------------------------------------- sensitivity


def test_one_at_a_time_sensitivity_matches_hand_arithmetic_and_is_sorted():
    ranges = {
        "blood_volume_ml_per_kg": (65.0, 80.0),
        "marrow_infiltration_fraction": (0.5, 0.95),
        "antigen_molecules_per_blast": (2_000.0, 29_000.0),
    }
    bars = bd.one_at_a_time_sensitivity(child(), ranges)
    by_name = {bar.name: bar for bar in bars}
    baseline = (CIRCULATING + MARROW) * 22_000
    bar = by_name["marrow_infiltration_fraction"]
    assert bar.baseline == pytest.approx(baseline, rel=1e-12)
    assert bar.low_output == pytest.approx((CIRCULATING + MARROW * 0.5 / 0.85) * 22_000, rel=1e-12)
    assert bar.high_output == pytest.approx((CIRCULATING + MARROW * 0.95 / 0.85) * 22_000, rel=1e-12)
    density = by_name["antigen_molecules_per_blast"]
    assert density.low_output == pytest.approx(baseline * 2_000 / 22_000, rel=1e-12)
    # the antigen density has by far the widest range here, the blood volume the narrowest
    assert [b.name for b in bars] == ["antigen_molecules_per_blast", "marrow_infiltration_fraction", "blood_volume_ml_per_kg"]
    # the bar length is the fold range: density 29,000 / 2,000 exactly
    assert density.fold_range == pytest.approx(29_000 / 2_000, rel=1e-12)
    folds = [b.fold_range for b in bars]
    assert folds == sorted(folds, reverse=True)


def test_sensitivity_orders_by_fold_change_not_by_absolute_change():
    # adult-like case, marrow-dominated: doubling/halving the marrow moves the burden by a larger
    # absolute amount than the density range, but by a smaller factor (3.3 against 14.5)
    adult = child(weight_kg=75.0, wbc_giga_per_l=25.0, blood_blast_fraction=0.6,
                  marrow_cellularity_fraction=0.9, marrow_infiltration_fraction=0.7, normal_cellularity_fraction=0.55,
                  blood_volume_ml_per_kg=70.0)
    bars = bd.one_at_a_time_sensitivity(
        adult, {"marrow_cells_per_kg": (5.2e9, 20.8e9), "antigen_molecules_per_blast": (2_000.0, 29_000.0)}
    )
    blood = 25e9 * 0.6 * 75 * 0.070
    marrow = 75 * 10.4e9 * 0.9 / 0.55 * 0.7
    marrow_fold = (blood + 2 * marrow) / (blood + 0.5 * marrow)
    assert marrow_fold < 29_000 / 2_000
    assert [b.name for b in bars] == ["antigen_molecules_per_blast", "marrow_cells_per_kg"]
    assert bars[1].fold_range == pytest.approx(marrow_fold, rel=1e-12)
    # absolute swing of the marrow bar is the larger one
    assert abs(bars[1].high_output - bars[1].low_output) > abs(bars[0].high_output - bars[0].low_output)


def test_fold_range_with_zero_outputs():
    zero_to_some = bd.SensitivityBar("blood_blast_fraction", 0.0, 0.1, 0.0, 5.0, 1.0)
    assert zero_to_some.fold_range == math.inf
    assert bd.SensitivityBar("x", 0.0, 1.0, 0.0, 0.0, 0.0).fold_range == 1.0


@pytest.mark.parametrize(("patient", "ranges", "extra", "error", "pattern"), [
    (CHILD, {"height_m": (1.0, 2.0)}, {}, ValueError, "ranges key must be one of"),
    (CHILD, {"marrow_infiltration_fraction": (0.5, 1.5)}, {}, ValueError, r"marrow_infiltration_fraction .* in \[0, 1\]; got .*1\.5"),
    (CHILD, {"weight_kg": 20.0}, {}, TypeError, r"\(low, high\) pair"),
    (CHILD, {"weight_kg": (10, 30)}, {"output": "P"}, ValueError, "output must be one of"),
    ({**CHILD, "weight_kg": np.array([10.0, 20.0])}, {"wbc_giga_per_l": (1, 2)}, {}, ValueError, "must be a scalar"),
])
def test_sensitivity_rejects_bad_ranges(patient, ranges, extra, error, pattern):
    with pytest.raises(error, match=pattern):
        bd.one_at_a_time_sensitivity(bd.AllPatient(**patient), ranges, **extra)


# ---------------------------------------------------------------- plots


def test_plots_draw_one_bar_pair_per_input_and_one_curve_per_case():
    bars = bd.one_at_a_time_sensitivity(child(), {"weight_kg": (15, 25), "wbc_giga_per_l": (20, 60)})
    fig, (left, right) = plt.subplots(1, 2)
    plot_tornado(bars, ax=left)
    assert len(left.patches) == 2 * len(bars)
    assert [t.get_text() for t in left.get_yticklabels()] == [f"{b.name}: {b.low_input:g} to {b.high_input:g}" for b in reversed(bars)]
    runs = {label: cm.simulate(**{**FIGURE_1, "P": P}, days=30) for label, P in (("low", 0.2), ("high", 500.0))}
    plot_expansions(runs, ax=right)
    curves = [line for line in right.lines if len(line.get_xdata()) > 1]
    assert len(curves) == 2
    np.testing.assert_allclose(curves[1].get_ydata(), runs["high"].car_t)
    plt.close(fig)
    assert math.isfinite(float(runs["high"].peak))
