"""Panels of the antigen burden: the estimate's tornado, expansions, the burden read from counts, kinetics."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from .. import parameters
from .._validation import as_real_array, check_instance
from ..fitting import BurdenFit
from ..model import Expansion
from ._common import axes_or_new, check_curve, check_flag, check_grid, check_mapping, check_single
from .equation1 import CAR_T_COLOUR, TUMOUR_COLOUR

__all__ = [
    "plot_tornado",
    "plot_expansions",
    "plot_burden_fit",
    "plot_burden_profile",
    "plot_burden_recovery",
    "plot_sensitivities",
    "plot_against_burden",
    "plot_kinetics",
    "plot_reference_sweep",
]

# the line styles of the cases drawn on one axis, in turn
_LINE_STYLES = ("-", "--", ":", "-.")


def _lines(ax: Axes, curves: list[tuple[str, np.ndarray, np.ndarray]], xlabel: str, ylabel: str, log_y: bool) -> Axes:
    """One line per ``(label, x, y)`` in the line styles in turn, the axis labels and the legend."""
    for index, (label, x, y) in enumerate(curves):
        ax.plot(x, y, ls=_LINE_STYLES[index % len(_LINE_STYLES)], lw=2, label=label)
    if log_y:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False)
    return ax


def _compact(value: float) -> str:
    """A short label for a range end: ``29,000``, ``0.45``, ``1 × 10⁻⁴``, ``2.1 × 10¹⁰``."""
    from ..reporting import sci

    if value == 0 or 1e-3 <= abs(value) < 1e6:
        return f"{value:,.6g}"
    return str(sci(value, digits=2)).replace(".0 ×", " ×")


def plot_tornado(bars, ax: Axes | None = None, *, labels: Mapping[str, str] | None = None,
                 xlabel: str = "estimate relative to baseline") -> Axes:
    """Tornado plot of :func:`cartmodel.burden.sensitivity.one_at_a_time_sensitivity` on a log axis.

    One row per :class:`~cartmodel.burden.sensitivity.SensitivityBar`, top to bottom, labelled
    with the input's name (or ``labels[name]``) and range; each bar runs from 1 to
    ``output / baseline``, red for the high end of the input and grey for the low end.
    """
    from ..burden import SensitivityBar

    given = bars
    bars = list(bars) if isinstance(bars, Iterable) and not isinstance(bars, (str, bytes)) else []
    if not bars or not all(isinstance(bar, SensitivityBar) for bar in bars):
        raise TypeError(f"bars must be a non-empty sequence of SensitivityBar; got {given!r}")
    if any(bar.baseline <= 0 or min(bar.low_output, bar.high_output) <= 0 for bar in bars):
        raise ValueError("a tornado on a log axis needs positive baseline and outputs")
    ax = axes_or_new(ax)
    labels = {} if labels is None else check_mapping("labels", labels)
    for row, bar in enumerate(bars):
        y = len(bars) - 1 - row
        low, high = bar.low_output / bar.baseline, bar.high_output / bar.baseline
        # the bar further from 1 first, so that both ends stay visible when they lie on one side
        for end, colour in sorted([(high, TUMOUR_COLOUR), (low, "0.55")], key=lambda pair: -abs(np.log(pair[0]))):
            ax.barh(y, end - 1.0, left=1.0, height=0.6, color=colour, alpha=0.85)
    ax.axvline(1.0, color="black", lw=1)
    ax.set_xscale("log")
    ax.set_yticks(range(len(bars)))
    ax.set_yticklabels(
        [f"{labels.get(bar.name, bar.name)}: {_compact(bar.low_input)} to {_compact(bar.high_input)}"
         for bar in reversed(bars)]
    )
    ax.set_xlabel(xlabel)
    return ax


def plot_expansions(results: Mapping[str, Expansion], ax: Axes | None = None, *, log: bool = True) -> Axes:
    """CAR T expansion curves of several cases on one axis, each peak marked with a dot."""
    results = check_mapping("results", results)
    log = check_flag("log", log)
    ax = axes_or_new(ax)
    for index, (label, result) in enumerate(results.items()):
        check_single(result, f"results[{label!r}]")
        (line,) = ax.plot(result.t, result.car_t, ls=_LINE_STYLES[index % len(_LINE_STYLES)], lw=2, label=label)
        ax.plot(float(result.peak_day), float(result.peak), "o", color=line.get_color(), ms=5)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("time (days)")
    ax.set_ylabel("CAR T cells (model cells)" + (", log scale" if log else ""))
    ax.legend(frameon=False)
    return ax


def plot_burden_fit(fit: BurdenFit, ax: Axes | None = None, *, label: str = "fitted Equation 1") -> Axes:
    """Measured counts (dots) and the fitted curve ``scale * N_t`` on a log axis."""
    check_instance("fit", fit, BurdenFit)
    ax = axes_or_new(ax)
    ax.plot(fit.fitted.t, fit.estimates["scale"] * fit.fitted.car_t, color=CAR_T_COLOUR, lw=2, label=label, gid="fitted")
    ax.plot(fit.sample_days, fit.counts, "o", color=TUMOUR_COLOUR, ms=6, label="measured counts", gid="counts")
    ax.set_yscale("log")
    ax.set_xlabel("days after infusion")
    ax.set_ylabel("CAR T count (log scale)")
    ax.legend(frameon=False)
    return ax


def plot_burden_profile(fit: BurdenFit, ax: Axes | None = None, *, label: str | None = None) -> Axes:
    """Profile of ``P``, ``(RSS(P) - RSS_min) / sigma^2``, with the interval's cut-off dashed in the same colour."""
    check_instance("fit", fit, BurdenFit)
    ax = axes_or_new(ax)
    variance = fit.noise_sd**2 if fit.noise_sd > 0 else 1.0
    (line,) = ax.plot(fit.profile_P, (fit.profile_rss - fit.rss) / variance, lw=2, label=label)
    ax.axhline((fit.rss_cutoff - fit.rss) / variance, color=line.get_color(), ls="--", lw=1)
    ax.set_xscale("log")
    ax.set_xlabel(parameters.label("P"))
    ax.set_ylabel(r"profile $(\mathrm{RSS} - \mathrm{RSS}_{\min})/\sigma^2$")
    return ax


def plot_burden_recovery(
    P_true: np.ndarray,
    P_hat: np.ndarray,
    interval: np.ndarray | None = None,
    ax: Axes | None = None,
    *,
    label: str | None = None,
    colour: str = CAR_T_COLOUR,
) -> Axes:
    """Recovered against true burden on log axes, with the identity, a factor-2 band and ``interval`` (``(n, 2)``) as bars."""
    P_true = check_grid("P_true", P_true, low=0.0, low_open=True)
    P_hat = check_grid("P_hat", P_hat, low=0.0, low_open=True)
    if P_true.shape != P_hat.shape or P_true.ndim != 1:
        raise ValueError(f"P_true and P_hat must be 1-D of one length; got {P_true.shape} and {P_hat.shape}")
    if interval is not None:
        interval = as_real_array("interval", interval, low=0.0, low_open=True)
        if interval.shape != (P_true.size, 2):
            raise ValueError(f"interval must have shape {(P_true.size, 2)} (low, high per burden); got {interval.shape}")
    ax = axes_or_new(ax)
    if interval is not None:
        ax.vlines(P_true, interval[:, 0], interval[:, 1], color=colour, alpha=0.25, lw=1)
    ax.plot(P_true, P_hat, "o", color=colour, ms=4, label=label)
    span = np.array([P_true.min() / 2, P_true.max() * 2])
    ax.plot(span, span, color="0.4", lw=1)
    ax.fill_between(span, span / 2, span * 2, color="0.85", zorder=0, label="within a factor of 2")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(*span)
    ax.set_ylim(span[0] / 10, span[1] * 10)
    ax.set_xlabel("true antigen burden P (AU)")
    ax.set_ylabel("burden read from the counts (AU)")
    return ax


def plot_sensitivities(t: np.ndarray, elasticities: Mapping[str, np.ndarray], ax: Axes | None = None) -> Axes:
    """Elasticities ``d ln N_t / d ln theta`` against days, one line per parameter."""
    days = check_grid("t", t)
    for name, values in check_mapping("elasticities", elasticities).items():
        check_curve(f"elasticities[{name!r}]", values, days)
    ax = axes_or_new(ax)
    styles = {"P": "-", "r": "--", "q": "-.", "scale": ":"}
    for name, values in elasticities.items():
        ax.plot(t, values, ls=styles.get(name, "-"), lw=2, label=name)
    ax.axhline(0.0, color="0.6", lw=0.8)
    ax.set_xlabel("day of the count")
    ax.set_ylabel(r"$\partial \ln N_t / \partial \ln \theta$")
    ax.legend(frameon=False)
    return ax


def plot_against_burden(
    burden: np.ndarray, curves: Mapping[str, np.ndarray], ax: Axes | None = None, *, ylabel: str, log_y: bool = True
) -> Axes:
    """Summary values of the expansion (one line per product) against the burden ``P``."""
    x = check_grid("burden", burden, low=0.0, low_open=True)
    log_y = check_flag("log_y", log_y)
    for label, values in check_mapping("curves", curves).items():
        check_curve(f"curves[{label!r}]", values, x, log=log_y)
    ax = axes_or_new(ax)
    ax.set_xscale("log")
    return _lines(ax, [(label, burden, values) for label, values in curves.items()], parameters.label("P"), ylabel, log_y)


def plot_kinetics(
    curves: Mapping[str, tuple[np.ndarray, np.ndarray]], ax: Axes | None = None, *, ylabel: str, log_y: bool = True
) -> Axes:
    """Several time courses, each given as ``(days, values)``, one line style each."""
    log_y = check_flag("log_y", log_y)
    for label, pair in check_mapping("curves", curves).items():
        if isinstance(pair, (str, bytes)) or not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"curves[{label!r}] must be a (days, values) pair; got {pair!r}")
        check_curve(f"curves[{label!r}] values", pair[1], check_grid(f"curves[{label!r}] days", pair[0]), log=log_y)
    ax = axes_or_new(ax)
    return _lines(ax, [(label, days, values) for label, (days, values) in curves.items()], "days after infusion", ylabel, log_y)


def plot_reference_sweep(
    factors: np.ndarray,
    sweep: Expansion,
    labels: Iterable[str],
    axes: tuple[Axes, Axes] | None = None,
) -> tuple[Axes, Axes]:
    """Peak (left, log) and day of peak (right) of several cases as the reference antigen burden changes.

    Parameters
    ----------
    factors : numpy.ndarray
        1-D multiples of the reference antigen burden, > 0.
    sweep : Expansion
        :func:`cartmodel.simulate` over ``P = P_case / factors[:, None]``, peaks of shape
        ``(len(factors), len(labels))``, ``labels`` naming each case (column).
    axes : two matplotlib axes, optional
        Left and right; a new figure is made if omitted.

    Returns
    -------
    tuple of Axes
        ``(peak_ax, day_ax)``, with lines ``peak-<i>`` and ``day-<i>`` for case ``i``.
    """
    x = check_grid("factors", factors, low=0.0, low_open=True)
    check_instance("sweep", sweep, Expansion)
    if isinstance(labels, (str, bytes)) or not isinstance(labels, Iterable):
        raise TypeError(f"labels must be an iterable of strings; got {labels!r}")
    names = list(labels)
    if not all(isinstance(name, str) for name in names):
        raise TypeError(f"labels must be strings; got {names!r}")
    if sweep.peak.shape != (x.size, len(names)):
        raise ValueError(f"sweep must hold peaks of shape (len(factors), len(labels)) = {(x.size, len(names))}; "
                         f"got {sweep.peak.shape}")
    if axes is not None and (not isinstance(axes, (tuple, list, np.ndarray)) or len(axes) != 2
                             or not all(isinstance(one, Axes) for one in axes)):
        raise TypeError(f"axes must be two matplotlib Axes (peak, day of peak) or None; got {axes!r}")
    left, right = plt.subplots(1, 2, figsize=(11, 4.0))[1] if axes is None else axes
    for i, name in enumerate(names):
        style = _LINE_STYLES[i % len(_LINE_STYLES)]
        left.plot(x, sweep.peak[:, i], style, marker="o", lw=2, label=name, gid=f"peak-{i}")
        right.plot(x, sweep.peak_day[:, i], style, marker="o", lw=2, label=name, gid=f"day-{i}")
    for ax in (left, right):
        ax.set_xscale("log")
        ax.axvline(1.0, color="0.6", lw=0.8)
        ax.set_xlabel(r"reference $A_\mathrm{ref}$ relative to the book's choice")
    left.set_yscale("log")
    left.set_ylabel("peak CAR T cells (model cells)")
    right.set_ylabel("day of peak")
    left.legend(frameon=False)
    return left, right
