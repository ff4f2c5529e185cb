"""Tests of Equation 2 (cartmodel.equation2) and the donor repertoire it runs on (cartmodel.repertoire)."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

import cartmodel as cm
from cartmodel.plotting import plot_figure_3, plot_rank_frequency


def _library(ic50, expression, tumour):
    return cm.PeptideLibrary(
        ic50_nm=np.asarray(ic50, float), expression=np.asarray(expression, float), tumour=np.asarray(tumour, bool)
    )


def _mle_exponent(x, x_min):
    """Maximum-likelihood exponent of p(x) ∝ x^-alpha for x >= x_min, written out here."""
    tail = x[x >= x_min]
    return 1.0 + tail.size / np.sum(np.log(tail / x_min)), tail.size


# --- Equation 2 against Equation 1 -------------------------------------------


@pytest.mark.parametrize(("tumour", "tumour_term"), [(False, True), (True, False)], ids=["normal tissue", "tumour term off"])
def test_constant_capacity_clones_follow_the_closed_form_logistic(tumour, tumour_term):
    # normal-tissue peptides, or any without the tumour term: capacity K Z B P is constant, so each clone
    # follows N(t) = c / (1 + (c - N0)/N0 e^{-r t}) exactly, whether it starts below its capacity or above it
    peptides = _library(ic50=[2.0, 50.0, 400.0], expression=[5.0, 0.3, 1.0], tumour=[tumour] * 3)
    sizes = np.array([1.0, 30.0, 5000.0, 2.0])
    z = np.array([0.01, 0.002, 0.001, 0.5])
    which = np.array([0, 1, 2, 1])
    rep = cm.Repertoire(sizes=sizes, affinity=z, peptide=which, peptides=peptides)
    K, r = 1e6, 0.7
    settings = cm.equation_2_settings(K=K, r=r, q=0.2, days=40, dt=0.5, tumour_term=tumour_term)
    out = cm.expand_repertoire(rep, settings=settings)
    c = K * z * (1.0 / np.array([2.0, 50.0, 400.0]))[which] * np.array([5.0, 0.3, 1.0])[which]
    t = np.arange(81) * 0.5
    expected = c[:, None] / (1.0 + (c[:, None] - sizes[:, None]) / sizes[:, None] * np.exp(-r * t))
    np.testing.assert_allclose(out.cells, expected, rtol=1e-12)
    np.testing.assert_allclose(out.capacity, np.broadcast_to(c[:, None], expected.shape), rtol=1e-15)
    assert out.cells[2, -1] < out.cells[2, 0]  # the clone above its capacity contracted


def test_tumour_clone_capacity_has_equation_1_form_and_shrinks_with_the_tumour():
    peptides = _library(ic50=[4.0], expression=[800.0], tumour=[True])
    rep = cm.Repertoire(sizes=np.array([1.0]), affinity=np.array([0.05]), peptide=np.array([0]), peptides=peptides)
    K, r, q = 1e6, 1.5, 1.2
    t = np.arange(61.0)
    settings = cm.equation_2_settings(days=60)
    assert (settings.K, settings.r, settings.q, settings.days, settings.dt, settings.t.size) == (K, r, q, 60, 1.0, 61)
    cap = cm.clone_capacity(rep, t, settings=settings)
    written_out = K * 0.05 * 0.25 * (800.0 * np.exp((q - r) * t) + 1.0)
    np.testing.assert_allclose(cap[0], written_out, rtol=1e-13)
    out = cm.expand_repertoire(rep, settings=settings)
    # rises, peaks, contracts to the residue K Z B
    assert out.cells[0].argmax() not in (0, 60)
    assert out.cells[0, -1] == pytest.approx(K * 0.05 * 0.25, rel=1e-3)
    # with Z folded into B, Equation 2 for this clone is Equation 1
    eq1 = cm.simulate(r=r, q=q, B=0.05 * 0.25, P=800.0, K=K, n0=1.0, days=60)
    np.testing.assert_allclose(out.cells[0], eq1.car_t, rtol=1e-12)


def test_ten_thousand_clones_in_one_call():
    rep = cm.draw_repertoire(10_000, seed=5)
    out = cm.expand_repertoire(rep, settings=cm.equation_2_settings(days=60))
    assert out.cells.shape == (10_000, 61)
    assert np.all(np.isfinite(out.cells)) and np.all(out.cells > 0)
    # every clone ends between its start and its final capacity (monotone logistic approach)
    low = np.minimum(rep.sizes, out.capacity[:, -1]) * (1 - 1e-9)
    high = np.maximum(rep.sizes, out.capacity[:, :].max(axis=1)) * (1 + 1e-9)
    assert np.all((out.final >= low) & (out.final <= high))
    # the tumour-directed and alloreactive shares add up, and start at the clones' share of the cells
    np.testing.assert_allclose(out.tumour_share + out.alloreactive_share, 1.0, rtol=1e-12)
    tumour = rep.peptides.tumour[rep.peptide]
    assert out.tumour_share[0] == pytest.approx(rep.sizes[tumour].sum() / rep.sizes.sum(), rel=1e-12)
    assert out.tumour_cells[-1] == pytest.approx(out.cells[tumour, -1].sum(), rel=1e-12)


# --- power laws --------------------------------------------------------------


@pytest.mark.parametrize("alpha", [1.5, 2.0, 2.5, 3.5])
def test_drawn_power_law_exponent_is_recovered_within_0_03(alpha):
    n = 200_000
    rep = cm.draw_repertoire(n, seed=42, size_exponent=alpha, min_size_cells=2.0, affinity_exponent=alpha + 0.5)
    fitted_size, _ = _mle_exponent(rep.sizes, 2.0)  # (every size is >= its minimum: test_draw_repertoire)
    fitted_affinity, _ = _mle_exponent(rep.affinity, 1e-3)
    # stated tolerance 0.03: at least 6 standard errors ((alpha - 1)/sqrt(n) <= 0.0056)
    assert abs(fitted_size - alpha) < 0.03
    assert abs(fitted_affinity - (alpha + 0.5)) < 0.03
    # the whole distribution, not just its mean log: survival (s / s_min)^-(alpha - 1)
    for s in (3.0, 10.0, 50.0):
        assert np.mean(rep.sizes > s) == pytest.approx((s / 2.0) ** -(alpha - 1), abs=0.005)


def test_fit_power_law_exponent_on_exact_quantiles():
    alpha, n = 2.7, 50_000
    u = (np.arange(n) + 0.5) / n
    x = 3.0 * (1 - u) ** (-1 / (alpha - 1))
    fit = cm.fit_power_law_exponent(x, minimum=3.0)
    assert fit.exponent == pytest.approx(alpha, abs=0.01)  # (its tail count and standard error: test_fit_power_law_exponent)


def test_expansion_keeps_a_power_law_tail_with_the_affinity_exponent():
    # at capacity, a clone holds K Z B P; above K z_min max(B P) that is an
    # exact scale mixture of Pareto tails, so its exponent is Z's
    alpha_z = 2.5
    rep = cm.draw_repertoire(100_000, seed=3, size_exponent=2.0, affinity_exponent=alpha_z)
    out = cm.expand_repertoire(rep, settings=cm.equation_2_settings(days=60))
    # tumour clones carry the tumour term; their day-60 capacity is K Z B (1 + tiny)
    bp = rep.peptides.affinity[rep.peptide] * np.where(
        rep.tumour_directed, 1.0, rep.peptides.expression[rep.peptide]
    )
    x_min = 1e6 * 1e-3 * bp.max() * 1.01
    fitted, n_tail = _mle_exponent(out.final, x_min)
    assert n_tail > 500
    assert abs(fitted - alpha_z) < 3 * (alpha_z - 1) / math.sqrt(n_tail)


# --- seeds -------------------------------------------------------------------


def _figure_3_data(seed):
    rep = cm.draw_repertoire(300, seed=seed, n_peptides=100)
    out = cm.expand_repertoire(rep)
    car = cm.simulate(r=1.5, q=1.2, B=0.625, P=1000.0, K=1e6)
    axes = plot_figure_3(out, car, rep.peptides)
    data = [np.concatenate([seg.ravel() for seg in coll.get_segments()]) for coll in axes[1].collections]
    data += [line.get_ydata() for ax in axes for line in ax.lines]
    data += [coll.get_offsets().ravel() for coll in axes[0].collections]
    plt.close(axes[0].figure)
    return data


def test_same_seed_gives_the_same_repertoire_and_figure_and_another_seed_or_a_generator_different_ones():
    a, b, c = (cm.draw_repertoire(2000, seed=seed) for seed in (7, 7, 8))
    for name in ("sizes", "affinity", "peptide"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    np.testing.assert_array_equal(a.peptides.ic50_nm, b.peptides.ic50_nm)
    np.testing.assert_array_equal(a.peptides.tumour, b.peptides.tumour)
    assert not np.array_equal(a.sizes, c.sizes)
    assert not np.array_equal(a.peptides.ic50_nm, c.peptides.ic50_nm)
    first = _figure_3_data(7)
    for x, y in zip(first, _figure_3_data(7), strict=True):
        np.testing.assert_array_equal(x, y)
    assert any(x.shape != y.shape or not np.array_equal(x, y) for x, y in zip(first, _figure_3_data(8), strict=True))
    rng = np.random.default_rng(1)  # a generator as the seed continues its stream
    assert not np.array_equal(cm.draw_repertoire(100, seed=rng).sizes, cm.draw_repertoire(100, seed=rng).sizes)


def test_peptide_library_draws_ic50s_log_uniformly():
    lib = cm.draw_peptides(5000, seed=2, ic50_range_nm=(1.0, 500.0), tumour_fraction=0.02)
    # log-uniform: half the IC50s below the geometric midpoint sqrt(500)
    assert np.mean(lib.ic50_nm < math.sqrt(500.0)) == pytest.approx(0.5, abs=0.03)


def test_rank_frequency_plot_draws_each_distribution():
    ax = plot_rank_frequency({"a": [1.0, 2.0, 4.0], "b": [1.0, 1.0]})
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [4 / 7, 2 / 7, 1 / 7])
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    plt.close(ax.figure)


# --- bad inputs --------------------------------------------------------------


LIB = _library([10.0, 20.0], [1.0, 1.0], [False, True])


def _clones(sizes, affinity=(0.1,), peptide=(0,)):
    return lambda: cm.Repertoire(sizes=np.array(sizes), affinity=np.array(affinity), peptide=np.array(peptide), peptides=LIB)


@pytest.mark.parametrize(("call", "error", "pattern"), [
    *[(lambda a=alpha: cm.draw_repertoire(10, seed=0, size_exponent=a), ValueError, r"size_exponent must be > 1.*normalised")
      for alpha in (1.0, 0.5, -2.0)],
    *[(lambda a=alpha: cm.draw_repertoire(10, seed=0, affinity_exponent=a), ValueError, r"affinity_exponent must be > 1")
      for alpha in (1.0, 0.5, -2.0)],
    (lambda: cm.draw_repertoire(10, seed=0, size_exponent=1.05), ValueError, r"size_exponent must be >= 1.1"),
    (_clones([-3.0]), ValueError, r"sizes \(cells\) must be .* > 0; got .*-3\.0"),
    (_clones([0.0]), ValueError, r"sizes"),
    (lambda: cm.draw_repertoire(10, seed=0, min_size_cells=-1.0), ValueError, r"min_size_cells"),
    *[(lambda b=bad: _library([b, 10.0], [1.0, 1.0], [False, True]), ValueError, r"ic50_nm \(nM\) must be .* > 0")
      for bad in (0.0, -5.0)],
    *[(lambda b=bad: cm.draw_peptides(10, seed=0, ic50_range_nm=(b, 500.0)), ValueError, r"ic50_range_nm\[0\]")
      for bad in (0.0, -5.0)],
    (_clones(np.ones(2), np.ones(2), [0, 2]), ValueError, r"peptide indices must lie in \[0, 1\]"),
    (_clones(np.ones(3), np.ones(2), [0, 1]), ValueError, r"one entry per clone"),
    (lambda: cm.draw_peptides(10, seed=0, tumour_fraction=1.5), ValueError, r"tumour_fraction must be .*\[0, 1\]"),
    (lambda: cm.draw_peptides(10, seed=0, ic50_range_nm=(500.0, 1.0)), ValueError, r"ic50_range_nm\[1\]"),
    (lambda: cm.draw_repertoire(10, seed=1.5), TypeError, r"seed must be"),
    (lambda: cm.draw_repertoire(10, seed=-1), ValueError, r"seed must be an integer >= 0"),
    (lambda: cm.draw_repertoire(0, seed=0), ValueError, r"n_clones must be an integer >= 1"),
    (lambda: cm.equation_2_settings(r=0.0), ValueError, r"r \(per day\) must be"),
    (lambda: cm.equation_2_settings(tumour_term="yes"), TypeError, r"tumour_term must be True or False"),
    (lambda: cm.equation_2_settings(reading="naive"), ValueError, r"reading must be one of"),
    (lambda: cm.expand_repertoire(cm.draw_repertoire(10, seed=0), settings=cm.equation_2_settings(K=1e306)), ValueError,
     r"capacity K \* Z \* B \* P must stay"),
    (lambda: cm.fit_power_law_exponent([1.0, 2.0, 3.0], minimum=10.0), ValueError, r"minimum must leave at least two values"),
    (lambda: cm.sweep_tumour_fraction(SWEEP_REPERTOIRE, [0.1, 1.5], seed=1), ValueError, r"tumour_fractions .* got 1.5"),
    (lambda: cm.sweep_tumour_fraction(SWEEP_REPERTOIRE, 0.1, seed=1), ValueError, "1-D"),
    (lambda: cm.sweep_tumour_fraction("repertoire", [0.1], seed=1), TypeError, "Repertoire"),
])
def test_bad_inputs_raise_clear_errors(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


# --- sweeping the share of tumour-associated peptides ------------------------


SWEEP_REPERTOIRE = cm.draw_repertoire(2_000, seed=11, peptides=cm.draw_peptides(200, seed=11, tumour_fraction=0.05))


def test_sweep_ends_and_nesting():
    shares = np.linspace(0.0, 1.0, 11)
    sweep = cm.sweep_tumour_fraction(SWEEP_REPERTOIRE, shares, seed=2, settings=cm.equation_2_settings(days=30))
    assert sweep.n_tumour_peptides.tolist() == list(range(0, 201, 20))  # the share of the 200 peptides
    assert np.all(sweep.tumour_cells[0] == 0) and np.all(sweep.alloreactive_cells[-1] == 0)
    assert sweep.alloreactive_over_tumour[0] == math.inf and sweep.alloreactive_over_tumour[-1] == 0
    # tumour sets grow nested with the share, so the tumour-directed peak can only grow
    assert np.all(np.diff(sweep.tumour_peak) >= 0) and np.all(np.diff(sweep.alloreactive_peak) <= 0)


def test_crossover_interpolates_the_log_ratio():
    # ratios 4, 2, 0.5 at shares 0.1, 0.2, 0.3: log ratio crosses zero a third of the way from 0.2 to 0.3
    t = np.array([0.0, 1.0])
    tumour = np.array([[1.0, 1.0], [1.0, 1.0], [2.0, 2.0]])
    allo = np.array([[4.0, 4.0], [2.0, 2.0], [1.0, 1.0]])
    sweep = cm.TumourFractionSweep(np.array([0.1, 0.2, 0.3]), np.array([1, 2, 3]), t, tumour, allo)
    assert sweep.crossover() == pytest.approx(0.2 + 0.1 * math.log(2) / (math.log(2) + math.log(2)), rel=1e-12)
    never = cm.TumourFractionSweep(np.array([0.1, 0.2]), np.array([1, 2]), t, tumour[:2], allo[:2] * 10)
    assert math.isnan(never.crossover())
