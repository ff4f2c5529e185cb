"""Properties (hypothesis) of the ALL burden estimate (cartmodel.burden) over its valid ranges."""

from __future__ import annotations

import math
import typing

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cartmodel as cm
from cartmodel import burden as bd

from .conftest import examples
from .strategies import (
    PATIENT_FIELDS,
    PATIENTS,
    assert_counts,
    log_uniform,
    patient_range,
    slider,
)

# --------------------------------------------------------------------------
# valid ranges: the ALL burden estimate
DEFAULT_ML_PER_KG = {"man": 70.0, "woman": 65.0, "child": 77.05}  # the docstring of blood_volume_ml


@settings(max_examples=examples(400))
@given(wbc=st.one_of(st.floats(0.0, 2000.0, exclude_min=True),
                    st.lists(st.floats(0.0, 2000.0, exclude_min=True), min_size=1, max_size=4)))
def test_wbc_unit_conversions_round_trip(wbc):
    per_ul = cm.wbc_cells_per_ul_from_giga_per_l(wbc)
    assert_counts("cells per uL", per_ul)
    np.testing.assert_allclose(per_ul, np.asarray(wbc) * 1000.0, rtol=1e-15)
    np.testing.assert_allclose(cm.wbc_giga_per_l_from_cells_per_ul(per_ul), wbc, rtol=1e-15)


@settings(max_examples=examples(400))
@given(weight=st.floats(0.5, 270.0), group=st.sampled_from(sorted(DEFAULT_ML_PER_KG)),
       ml_per_kg=st.one_of(st.none(), slider("blood_volume_ml_per_kg")), height=st.floats(0.3, 3.0),
       sex=st.sampled_from(["man", "woman"]))
def test_blood_volumes(weight, group, ml_per_kg, height, sex):
    volume = float(cm.blood_volume_ml(weight, group=group, ml_per_kg=ml_per_kg))
    assert volume == pytest.approx(weight * (ml_per_kg or DEFAULT_ML_PER_KG[group]), rel=1e-12)
    nadler = cm.nadler_blood_volume_ml([height, height, height * 0.9], [weight, weight * 1.1, weight], sex=sex)
    assert_counts("Nadler blood volume", nadler)
    assert nadler[1] > nadler[0] > nadler[2]  # more weight, more blood; less height, less blood


@settings(max_examples=examples(500))
@given(weight=st.floats(0.5, 300.0), cellularity=st.floats(0.0, 1.0), infiltration=st.floats(0.0, 1.0),
       cells_per_kg=slider("marrow_cells_per_kg"), wbc=log_uniform(1e-3, 1e3), fraction=st.floats(0.0, 1.0),
       volume=st.floats(50.0, 2e4), age=st.floats(0.0, 100.0), normal=slider("normal_cellularity_fraction"))
def test_blasts_in_marrow_and_blood(weight, cellularity, infiltration, cells_per_kg, wbc, fraction, volume, age,
                                    normal):
    nucleated = float(cm.marrow_nucleated_cells(weight, cells_per_kg=cells_per_kg))
    marrow = float(cm.marrow_blasts(weight_kg=weight, cellularity_fraction=cellularity,
                                    infiltration_fraction=infiltration, normal_cellularity_fraction=normal,
                                    cells_per_kg=cells_per_kg))
    assert_counts("marrow blasts", [nucleated, marrow])
    # no more blasts than the marrow's cells, which are the normal count scaled by cellularity / normal
    assert marrow <= nucleated * cellularity / normal * (1 + 1e-12)
    blood = float(cm.circulating_blasts(wbc_giga_per_l=wbc, blast_fraction=fraction, blood_volume_ml=volume))
    same = float(cm.circulating_blasts(wbc_cells_per_ul=wbc * 1000.0, blast_fraction=fraction, blood_volume_ml=volume))
    assert_counts("circulating blasts", blood)
    assert blood == pytest.approx(same, rel=1e-12)
    assert blood <= wbc * 1e9 * volume / 1000.0 * (1 + 1e-12)  # no more blasts than white cells in the blood
    total = float(cm.total_blasts(blood, marrow))
    assert total == blood + marrow and total >= max(blood, marrow)
    share = float(cm.normal_cellularity_fraction(age))
    assert 0.0 <= share <= 1.0 and share == pytest.approx((100.0 - age) / 100.0, rel=1e-12)  # the rule of thumb
    assert float(cm.normal_cellularity_fraction(min(age + 1.0, 100.0))) <= share


@settings(max_examples=examples(400))
@given(blasts=st.one_of(st.just(0.0), log_uniform(1.0, 1e13)), density=st.floats(0.0, 1e6),
       reference=log_uniform(1.0, 1e20))
def test_antigen_burden_and_P_round_trip(blasts, density, reference):
    antigen = float(cm.antigen_burden_molecules(blasts, molecules_per_blast=density))
    P = float(cm.p_from_antigen(antigen, reference_antigen_molecules=reference))
    assert_counts("antigen and P", [antigen, P])
    assert antigen == pytest.approx(blasts * density, rel=1e-15)
    assert P == pytest.approx(antigen / reference, rel=1e-12)
    np.testing.assert_allclose(cm.p_from_antigen([antigen, 2.2e13]), [antigen / 2.2e13, 1.0], rtol=1e-12)  # by default
    assert float(cm.antigen_from_p(P, reference_antigen_molecules=reference)) == pytest.approx(antigen, rel=1e-14)


@settings(max_examples=examples(300))
@given(patient=PATIENTS, heavier=st.floats(1.0, 1.5), sparser=st.floats(0.0, 1.0))
def test_estimate_burden_for_any_patient(patient, heavier, sparser):
    estimate = cm.estimate_burden(patient)
    for name in ("blood_volume_ml", "circulating_blasts", "marrow_blasts", "total_blasts", "antigen_molecules"):
        assert_counts(name, getattr(estimate, name))
    assert float(estimate.total_blasts) == pytest.approx(float(estimate.circulating_blasts + estimate.marrow_blasts),
                                                         rel=1e-15)
    assert 0.0 <= float(estimate.marrow_share) <= 1.0
    assert_counts("P", estimate.P())
    rebuilt = cm.AllPatient(**{name: float(getattr(patient, name)) for name in PATIENT_FIELDS})  # plain floats in
    assert float(cm.estimate_burden(rebuilt).antigen_molecules) == float(estimate.antigen_molecules)
    # blasts and antigen are proportional to the weight; the antigen alone to the antigen density
    # (to 1e-12, or 1e-300 absolute: float64's subnormals, below 2.2e-308, keep fewer digits)
    both = cm.estimate_burden(patient.replace(weight_kg=[float(patient.weight_kg), heavier * float(patient.weight_kg)]))
    assert both.total_blasts.shape == (2,)
    for name in ("total_blasts", "antigen_molecules"):
        np.testing.assert_allclose(getattr(both, name), [1.0, heavier] * getattr(estimate, name), rtol=1e-12, atol=1e-300)
    density = float(patient.antigen_molecules_per_blast)
    sparse = cm.estimate_burden(patient.replace(antigen_molecules_per_blast=sparser * density))
    assert float(sparse.total_blasts) == float(estimate.total_blasts)
    assert float(sparse.antigen_molecules) == pytest.approx(sparser * float(estimate.antigen_molecules), rel=1e-12, abs=1e-300)
    # the blood's inputs do not touch the marrow's blasts, nor the marrow's the blood's
    blood = cm.estimate_burden(patient.replace(wbc_giga_per_l=heavier * float(patient.wbc_giga_per_l)))
    infiltration, normal = sparser * patient.marrow_infiltration_fraction, max(0.05, sparser * patient.normal_cellularity_fraction)
    marrow = cm.estimate_burden(patient.replace(marrow_infiltration_fraction=infiltration, normal_cellularity_fraction=normal))
    assert float(blood.marrow_blasts) == float(estimate.marrow_blasts)
    assert float(marrow.circulating_blasts) == float(estimate.circulating_blasts)


SENSITIVITY_RANGES = st.dictionaries(
    st.sampled_from(sorted(PATIENT_FIELDS)),
    st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)),
    min_size=1, max_size=4,
).map(lambda ranges: {
    name: tuple(max(low + u * (high - low), 1e-3 if name in ("weight_kg", "wbc_giga_per_l") else low)
                for u in pair)
    for name, pair in ranges.items() for low, high in [patient_range(name)]
})


@settings(max_examples=examples(200))
@given(patient=PATIENTS, ranges=SENSITIVITY_RANGES, output=st.sampled_from(typing.get_args(bd.sensitivity.SensitivityOutput)))
def test_one_at_a_time_sensitivity(patient, ranges, output):
    bars = cm.one_at_a_time_sensitivity(patient, ranges, output=output)
    assert sorted(bar.name for bar in bars) == sorted(ranges)
    baseline = float(getattr(cm.estimate_burden(patient), output))
    folds = [bar.fold_range for bar in bars]
    assert folds == sorted(folds, reverse=True) and all(fold >= 1 for fold in folds)
    for bar in bars:
        assert bar.baseline == baseline
        assert_counts("sensitivity outputs", [bar.low_output, bar.high_output])
        assert (bar.low_input, bar.high_input) == ranges[bar.name]


@settings(max_examples=100)
@given(patient=PATIENTS, group=st.sampled_from(["child", "adult"]), state=st.sampled_from(["relapse", "near MRD"]))
def test_tornado_ranges_feed_the_sensitivity_analysis(patient, group, state):
    ranges = bd.tornado_ranges(patient, group=group, state=state)
    fixed = bd.fixed_tornado_ranges(group, state)
    # the fixed ranges are those of the patient's analysis; only the measured blood counts are added
    assert {name: ranges[name] for name in fixed} == fixed
    assert set(ranges) - set(fixed) == ({"wbc_giga_per_l", "blood_blast_fraction"} if state == "relapse"
                                        else {"wbc_giga_per_l"})
    for name, (low, high) in ranges.items():
        assert 0 <= low <= high, (name, low, high)
        assert high <= 1 or not name.endswith("_fraction"), (name, high)
    # every range is valid input of the analysis, which varies exactly these inputs
    bars = cm.one_at_a_time_sensitivity(patient, ranges)
    assert sorted(bar.name for bar in bars) == sorted(ranges)
    assert ("normal_cellularity_fraction" in ranges) == (state == "relapse")


@settings(max_examples=200)
@given(patient=PATIENTS, rate=st.floats(0.0, 3.0), days=st.lists(st.floats(0.0, 400.0), min_size=1, max_size=5))
def test_marrow_blast_share(patient, rate, days):
    share = bd.marrow_blast_share(patient, rate, np.sort(days))
    assert_counts("share", share)
    assert np.all(share <= 1.0) and np.all(np.diff(share) <= 1e-12)  # falls (or stays) with time
    start = float(bd.marrow_blast_share(patient, rate, 0.0))
    assert math.isclose(start, float(patient.marrow_infiltration_fraction), rel_tol=1e-12, abs_tol=1e-15)


MEASURED = dict(
    weight_kg=st.floats(0.5, 300.0), age_years=slider("age_years"), sex=st.sampled_from(["man", "woman"]),
    wbc_giga_per_l=log_uniform(1e-2, 2000.0), blood_blast_fraction=slider("blood_blast_fraction"),
    marrow_infiltration_fraction=st.one_of(log_uniform(1e-5, 1.0), st.just(0.0)),
    marrow_cellularity_fraction=slider("marrow_cellularity_fraction"), antigen_molecules_per_blast=st.floats(0.0, 1e6),
)


@settings(max_examples=examples(300))
@given(**MEASURED)
def test_patient_from_measurements(age_years, sex, **measured):
    patient = bd.patient_from_measurements(age_years=age_years, sex=sex, **measured)
    child = age_years < 18.0
    assert str(bd.age_group(age_years)) == ("child" if child else "adult")
    # the conventions spelled out independently: the rule of thumb, the per-kg volumes of the docstring
    expected = cm.AllPatient(normal_cellularity_fraction=(100.0 - age_years) / 100.0,
                             blood_volume_ml_per_kg=DEFAULT_ML_PER_KG["child" if child else sex], **measured)
    ours, theirs = cm.estimate_burden(patient), cm.estimate_burden(expected)
    for name in ("circulating_blasts", "marrow_blasts", "antigen_molecules"):
        assert float(getattr(ours, name)) == pytest.approx(float(getattr(theirs, name)), rel=1e-12), name
        assert_counts(name, getattr(ours, name))
    # every patient inside the table's ranges has an estimate: the bounds on blasts and antigen hold it
    assert float(ours.total_blasts) <= 1e15 and float(ours.antigen_molecules) <= 1e21
    many = bd.patient_from_measurements(age_years=[age_years, 50.0], sex=sex, **measured)
    assert cm.estimate_burden(many).antigen_molecules.shape == (2,)


@settings(max_examples=examples(200))
@given(**MEASURED)
def test_sensitivity_range_holds_the_estimate(**measured):
    patient = bd.patient_from_measurements(**measured)
    state = bd.sensitivity_state(patient)

    def inside(state: str, *names: str) -> bool:
        return all(bd.STATE_RANGES[state][name][0] <= measured[name] <= bd.STATE_RANGES[state][name][1] for name in names)

    in_relapse = inside("relapse", "marrow_cellularity_fraction", "marrow_infiltration_fraction")
    in_mrd = inside("near MRD", "marrow_infiltration_fraction", "blood_blast_fraction")
    assert state == ("relapse" if in_relapse else "near MRD" if in_mrd else None)
    if state is None:
        return
    group = str(bd.age_group(measured["age_years"]))
    low, high = bd.sensitivity_p_range(patient, group=group, state=state)
    P = float(cm.estimate_burden(patient).P())
    assert 0.0 <= low <= high
    # each bar's ends: the range is the widest of them, and the antigen density's bar alone reaches its ends
    density = cm.one_at_a_time_sensitivity(patient, {"antigen_molecules_per_blast": bd.tornado_ranges(
        patient, group=group, state=state)["antigen_molecules_per_blast"]})[0]
    assert low <= float(cm.p_from_antigen(min(density.low_output, density.high_output))) * (1 + 1e-12)
    assert high >= float(cm.p_from_antigen(max(density.low_output, density.high_output))) * (1 - 1e-12)
    # the white-cell count varies around the measured value, so the range holds the estimate wherever the
    # patient's own values lie inside every varied range (always true at relapse for these fields)
    if state == "relapse" and 2_000 <= measured["antigen_molecules_per_blast"] <= 29_000:
        assert low <= P * (1 + 1e-12) and P <= high * (1 + 1e-12)
