"""Properties (hypothesis) of Equation 2's repertoires and of the response to donor lymphocyte infusions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import cartmodel as cm
from cartmodel import repertoire as rp
from cartmodel import response

from .conftest import examples
from .strategies import (
    PROBABILITY,
    RATE_Q,
    RATE_R,
    SCALE_K,
    SEEDS,
    assert_counts,
    assert_refused,
    log_uniform,
    small_repertoire,
)

# --------------------------------------------------------------------------
# valid ranges: Equation 2 repertoires
EXPONENTS = st.floats(rp.MIN_SAMPLING_EXPONENT, 4.0)


def range_strategy(low: float, high: float) -> st.SearchStrategy[tuple[float, float]]:
    return st.tuples(log_uniform(low, high), log_uniform(1.0, 1e4)).map(lambda pair: (pair[0], pair[0] * pair[1]))


@settings(max_examples=examples(200))
@given(n=st.integers(1, 200), seed=SEEDS, ic50=range_strategy(1e-2, 1e3), expression=range_strategy(1e-3, 1e3),
       fraction=st.floats(0.0, 1.0))
def test_draw_peptides(n, seed, ic50, expression, fraction):
    library = cm.draw_peptides(n, seed=seed, ic50_range_nm=ic50, expression_range=expression, tumour_fraction=fraction)
    assert library.n_peptides == n and library.tumour.dtype == bool
    assert_counts("ic50", library.ic50_nm)
    assert np.all(library.ic50_nm >= ic50[0] * (1 - 1e-12)) and np.all(library.ic50_nm <= ic50[1] * (1 + 1e-12))
    assert np.all(library.expression >= expression[0] * (1 - 1e-12))
    assert np.all(library.expression <= expression[1] * (1 + 1e-12))
    assert int(library.tumour.sum()) == round(fraction * n)
    np.testing.assert_allclose(library.affinity * library.ic50_nm, 1.0, rtol=1e-15)
    again = cm.draw_peptides(n, seed=seed, ic50_range_nm=ic50, expression_range=expression, tumour_fraction=fraction)
    assert np.array_equal(again.ic50_nm, library.ic50_nm) and np.array_equal(again.tumour, library.tumour)


@settings(max_examples=examples(200))
@given(n=st.integers(1, 300), seed=SEEDS, size_exponent=EXPONENTS, min_size=log_uniform(1e-2, 1e3),
       affinity_exponent=EXPONENTS, min_affinity=log_uniform(1e-4, 1.0), n_peptides=st.integers(1, 50))
def test_draw_repertoire(n, seed, size_exponent, min_size, affinity_exponent, min_affinity, n_peptides):
    repertoire = cm.draw_repertoire(n, seed=seed, size_exponent=size_exponent, min_size_cells=min_size,
                                    affinity_exponent=affinity_exponent, min_affinity=min_affinity,
                                    n_peptides=n_peptides)
    assert repertoire.n_clones == n and repertoire.peptides.n_peptides == n_peptides
    assert_counts("sizes", repertoire.sizes)
    assert_counts("affinities", repertoire.affinity)
    assert np.all(repertoire.sizes >= min_size) and np.all(repertoire.affinity >= min_affinity)
    assert np.all((repertoire.peptide >= 0) & (repertoire.peptide < n_peptides))
    assert_counts("frequencies", repertoire.frequencies)
    assert repertoire.frequencies.sum() == pytest.approx(1.0, rel=1e-12)
    # the classes accept what the sampler made (and refuse nothing valid)
    library = cm.PeptideLibrary(ic50_nm=repertoire.peptides.ic50_nm, expression=repertoire.peptides.expression,
                                tumour=repertoire.peptides.tumour)
    copy = cm.Repertoire(sizes=repertoire.sizes, affinity=repertoire.affinity, peptide=repertoire.peptide,
                         peptides=library)
    assert np.array_equal(copy.tumour_directed, repertoire.tumour_directed)
    np.testing.assert_array_equal(copy.peptide_affinity, 1.0 / library.ic50_nm[repertoire.peptide])


REPERTOIRE_HORIZONS = st.sampled_from([(10, 1.0), (30, 1.0), (60, 1.0), (60, 0.5), (365, 1.0)])
EQ2_SETTINGS = st.builds(lambda horizon, **keywords: cm.equation_2_settings(days=horizon[0], dt=horizon[1], **keywords),
                         REPERTOIRE_HORIZONS, K=SCALE_K, r=RATE_R, q=RATE_Q, tumour_term=st.booleans(),
                         reading=st.sampled_from(cm.READINGS))


@settings(max_examples=examples(200))
# a tumour growing 2.4 per day faster than the T cells for a year: exp(876) once overflowed with a warning
@example(seed=1, n=20, fraction=0.5, eq2=cm.equation_2_settings(r=0.1, q=2.5, days=365))
@given(seed=SEEDS, n=st.integers(1, 60), fraction=st.floats(0.0, 1.0), eq2=EQ2_SETTINGS)
def test_clone_capacity_and_expand_repertoire(seed, n, fraction, eq2):
    again = eval(repr(eq2), {"equation_2_settings": cm.equation_2_settings})  # the repr is the call that makes them
    assert repr(again) == repr(eq2) and np.array_equal(again.t, eq2.t)
    repertoire = small_repertoire(seed, n, fraction)
    try:
        run = cm.expand_repertoire(repertoire, settings=eq2)
    except ValueError as error:  # the documented refusal: a capacity beyond float64's safe range
        assert "1e300" in str(error) and eq2.tumour_term and eq2.q > eq2.r
        with pytest.raises(ValueError, match="1e300"):
            cm.clone_capacity(repertoire, [0.0, eq2.days], settings=eq2)
        return
    assert run.cells.shape == run.capacity.shape == (n, round(eq2.days / eq2.dt) + 1)
    assert_counts("clone cells", run.cells)
    assert np.all(run.cells > 0)
    np.testing.assert_array_equal(run.cells[:, 0], repertoire.sizes)
    capacity = cm.clone_capacity(repertoire, run.t, settings=eq2)
    assert_counts("clone capacity", capacity)
    np.testing.assert_allclose(capacity, run.capacity, rtol=1e-12)
    for share in (run.tumour_share, run.alloreactive_share):
        assert np.all((share >= 0) & (share <= 1 + 1e-12))
    np.testing.assert_allclose(run.tumour_cells + run.alloreactive_cells, run.cells.sum(axis=0), rtol=1e-12)
    first = np.arange(n) < n // 2  # the clones are independent: each part of the repertoire runs as in the whole
    for part in (first, ~first) if n > 1 else ():
        clones = {name: getattr(repertoire, name)[part] for name in ("sizes", "affinity", "peptide")}
        sub = cm.Repertoire(**clones, peptides=repertoire.peptides)
        np.testing.assert_array_equal(cm.expand_repertoire(sub, settings=eq2).cells, run.cells[part])


@settings(max_examples=examples(150))
@given(seed=SEEDS, n=st.integers(1, 40), fraction=st.floats(0.0, 1.0), eq2=EQ2_SETTINGS, data=st.data())
def test_expand_clones_runs_the_chosen_clones(seed, n, fraction, eq2, data):
    repertoire = small_repertoire(seed, n, fraction)
    clones = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=20), label="clones")
    n0 = data.draw(st.lists(log_uniform(1e-3, 1e6), min_size=len(clones), max_size=len(clones)), label="n0")
    presented = np.array(data.draw(st.lists(st.booleans(), min_size=len(clones), max_size=len(clones)),
                                   label="presented"))
    try:
        whole = cm.expand_repertoire(repertoire, settings=eq2)
    except ValueError as error:  # the documented refusal: a capacity beyond float64's safe range
        assert "1e300" in str(error) and eq2.tumour_term and eq2.q > eq2.r
        return
    run = cm.expand_clones(repertoire, clones, n0, presented=presented, settings=eq2)
    # the front door checks once; the trusted function behind it gives the same run
    again = cm.expand_checked(repertoire, np.asarray(clones), np.asarray(n0), presented, eq2)
    np.testing.assert_array_equal(again.cells, run.cells)
    assert run.cells.shape == run.capacity.shape == (len(clones), round(eq2.days / eq2.dt) + 1)
    assert_counts("clone cells", run.cells)
    np.testing.assert_array_equal(run.cells[:, 0], n0)
    np.testing.assert_array_equal(run.tumour_directed, repertoire.tumour_directed[clones])
    # a clone whose peptide is not presented has nothing to expand on: it stays where it started
    held = run.cells[~presented]
    np.testing.assert_allclose(held, np.broadcast_to(np.array(n0)[~presented, None], held.shape), rtol=1e-12)
    # a presented clone grows towards its own capacity, as clone_capacity gives it
    capacity = cm.clone_capacity(repertoire, run.t, settings=eq2)[clones]
    np.testing.assert_allclose(run.capacity[presented], capacity[presented], rtol=1e-12)
    # started from their own sizes, the chosen clones are the repertoire's rows
    own = cm.expand_clones(repertoire, clones, repertoire.sizes[clones], settings=eq2)
    np.testing.assert_allclose(own.cells, whole.cells[clones], rtol=1e-12)


@settings(max_examples=examples(150))
@given(seed=SEEDS, n=st.integers(1, 60), fraction=st.floats(0.0, 1.0), eq2=EQ2_SETTINGS,
       shares=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6))
def test_sweep_tumour_fraction(seed, n, fraction, eq2, shares):
    repertoire = small_repertoire(seed, n, fraction)
    own = float(repertoire.peptides.tumour.mean())
    try:
        sweep = cm.sweep_tumour_fraction(repertoire, [*shares, own], seed=seed, settings=eq2)
    except ValueError as error:  # the documented refusal: a capacity beyond float64's safe range
        assert "1e300" in str(error) and eq2.tumour_term and eq2.q > eq2.r
        return
    steps = round(eq2.days / eq2.dt) + 1
    assert sweep.tumour_cells.shape == sweep.alloreactive_cells.shape == (len(shares) + 1, steps)
    assert_counts("swept cells", [sweep.tumour_cells, sweep.alloreactive_cells])
    # the repertoire's own share is the repertoire as drawn
    run = cm.expand_repertoire(repertoire, settings=eq2)
    np.testing.assert_allclose(sweep.tumour_cells[-1], run.tumour_cells, rtol=1e-12)
    np.testing.assert_allclose(sweep.alloreactive_cells[-1], run.alloreactive_cells, rtol=1e-12)
    ratio = sweep.alloreactive_over_tumour
    assert np.all((ratio >= 0) | np.isnan(ratio))
    if not eq2.tumour_term:  # constant capacities: a clone's course does not depend on its kind, only its label does
        whole = np.broadcast_to(run.cells.sum(axis=0), sweep.tumour_cells.shape)
        np.testing.assert_allclose(sweep.tumour_cells + sweep.alloreactive_cells, whole, rtol=1e-12)


@settings(max_examples=examples(300))
@given(sizes=st.lists(log_uniform(1e-6, 1e12), min_size=1, max_size=50))
def test_rank_frequency(sizes):
    rank, frequency = cm.rank_frequency(sizes)
    assert np.array_equal(rank, np.arange(1, len(sizes) + 1))
    assert_counts("frequency", frequency)
    assert np.all(np.diff(frequency) <= 0) and frequency.sum() == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_allclose(frequency * sum(sizes), sorted(sizes, reverse=True), rtol=1e-12)


@settings(max_examples=examples(300))
@given(values=st.lists(log_uniform(1e-3, 1e6), min_size=2, max_size=50), factor=log_uniform(1e-3, 1e3))
def test_fit_power_law_exponent(values, factor):
    minimum = min(values)
    if max(values) == minimum:  # every value at the minimum: no slope to read
        assert_refused(lambda: cm.fit_power_law_exponent(values, minimum=minimum), "minimum")
        return
    fit = cm.fit_power_law_exponent(values, minimum=minimum)
    n = len(values)
    expected = 1.0 + n / sum(math.log(v / minimum) for v in values)  # the estimator, written out
    assert fit.exponent == pytest.approx(expected, rel=1e-9) and fit.n_tail == n and fit.minimum == minimum
    assert math.isfinite(fit.standard_error) and fit.standard_error == pytest.approx((expected - 1) / math.sqrt(n))
    if max(values) > 1.01 * minimum:  # (for values within rounding of each other the estimate is all noise)
        scaled = cm.fit_power_law_exponent([v * factor for v in values], minimum=minimum * factor)
        assert scaled.exponent == pytest.approx(fit.exponent, rel=1e-6)  # a power law has no scale


# --------------------------------------------------------------------------
# valid ranges: the response to donor lymphocyte infusions


@settings(max_examples=examples(500))
@example(rho_p=1.0, rho_t=1.0, n=0)
@given(rho_p=PROBABILITY, rho_t=PROBABILITY, n=st.integers(0, 200))
def test_response_probabilities(rho_p, rho_t, n):
    rho_r = float(cm.response_probability(rho_p, rho_t))
    assert 0.0 <= rho_r <= min(rho_p, rho_t) and rho_r == pytest.approx(rho_p * rho_t, rel=1e-15)
    grid = cm.response_probability([[rho_p], [rho_t]], [rho_t, rho_p])  # broadcasts, a product
    np.testing.assert_allclose(grid, [[rho_p * rho_t, rho_p * rho_p], [rho_t * rho_t, rho_t * rho_p]], rtol=1e-15)
    after = cm.cumulative_response_probability(rho_r, [n, n + 1])
    assert_counts("cumulative probability", after)
    assert np.all(after <= 1.0) and (after[1] > after[0] if 0 < rho_r and after[0] < 0.99 else after[1] >= after[0])
    # 1 - (1 - rho) ** n written out: the rounding of 1 - rho grows n-fold in the power
    assert after[0] == pytest.approx(1.0 - (1.0 - rho_r) ** n, abs=1e-14 if n <= 6 else 1e-13)
    assert float(cm.cumulative_response_probability(rho_r, 0)) == 0.0
    assert float(cm.cumulative_response_probability(rho_r, 1)) == pytest.approx(rho_r, abs=1e-15)


@settings(max_examples=examples(500))
@example(frequency=5e-324, rho_t=0.5, dose=1.0)  # a dose beyond float64's range: refused, not inf with a warning
@given(frequency=st.floats(0.0, 1.0, exclude_min=True, exclude_max=True), rho_t=st.floats(0.0, 1.0, exclude_max=True),
       dose=st.one_of(st.floats(0.0, 1e12), st.integers(0, 10**6).map(float)))
def test_capture_probability_and_dose_for_capture(frequency, rho_t, dose):
    captured = cm.capture_probability(frequency, [dose, 2.0 * dose])
    assert_counts("capture probability", captured)
    assert np.all(captured <= 1.0) and captured[1] >= captured[0]
    try:
        needed = float(cm.dose_for_capture(frequency, rho_t))
    except ValueError as error:  # only for clones so rare that the dose exceeds float64's range
        assert "frequency" in str(error) and frequency < 1e-300
        return
    assert_counts("dose for capture", needed)
    assert float(cm.capture_probability(frequency, needed)) == pytest.approx(rho_t, abs=1e-9)


@settings(max_examples=examples(150))
@given(seed=SEEDS, n=st.integers(1, 60), fraction=st.floats(0.0, 1.0), response_cells=log_uniform(1.0, 1e6),
       dose=st.integers(1, 10**4), rho_p=PROBABILITY, patients=st.integers(1, 40), infusions=st.integers(1, 4),
       presentation=st.sampled_from(response.PRESENTATION_MODES), days=st.sampled_from([10, 30, 60]),
       K=SCALE_K, r=RATE_R, q=RATE_Q)
def test_relevant_clones_and_dli_trial(seed, n, fraction, response_cells, dose, rho_p, patients, infusions,
                                       presentation, days, K, r, q):
    repertoire = small_repertoire(seed, n, fraction)
    checked = cm.equation_2_settings(K=K, r=r, q=q, days=days)
    relevant = cm.relevant_clones(repertoire, response_cells=response_cells, settings=checked)
    assert relevant.shape == (n,) and relevant.dtype == bool
    assert not np.any(relevant & ~repertoire.tumour_directed)
    stricter = cm.relevant_clones(repertoire, response_cells=10 * response_cells, settings=checked)
    assert not np.any(stricter & ~relevant)  # a higher bar keeps a subset
    trial = cm.simulate_dli_trial(repertoire, dose_cells=dose, rho_p=rho_p, patients=patients, seed=seed,
                                  infusions=infusions, presentation=presentation, response_cells=response_cells,
                                  settings=checked)
    assert trial.responded.shape == (patients,) and trial.presented.shape == (patients, infusions)
    assert trial.captured.shape == (patients, infusions)
    for value in (trial.rate, trial.expected, trial.rho_t, trial.standard_error):
        assert math.isfinite(value) and 0.0 <= value <= 1.0
    assert not np.any(trial.responded & ~trial.presented.any(axis=1))  # no response without presentation
    if rho_p == 0.0:
        assert trial.rate == 0.0
    if not relevant.any():
        assert trial.rho_t == 0.0 and not trial.captured.any()
