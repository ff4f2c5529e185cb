"""Dosing panels: dosing curves, the nomogram, split schedules, target attainment, dose-response.

Each function draws on ``ax`` (a new figure if omitted) and returns the axes.
The widgets of cartmodel.widgets draw with these functions and then update
the artists, found by the gid each docstring names ("car-t", "tumour", ...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from .. import parameters
from .._validation import as_real_array, as_real_scalar, check_instance, check_positive_int
from ..dosing import CeilingDose, DoseResponse, ScheduleComparison
from ..model import Expansion
from ..population import TargetAttainment
from ._common import axes_or_new, check_curve, check_grid, check_mapping, check_single, legend_above
from .equation1 import CAR_T_COLOUR, TUMOUR_COLOUR

__all__ = [
    "find_artist",
    "nomogram_lines",
    "plot_dosing_curves",
    "plot_nomogram",
    "plot_schedule",
    "schedule_markers",
    "plot_target_attainment",
    "plot_dose_response",
    "plot_split_ratios",
    "plot_relative_peaks",
]


def find_artist(ax: Axes, gid: str):
    """The artist of ``ax`` whose gid is ``gid`` (lines, collections, patches); ValueError if none."""
    check_instance("ax", ax, Axes)
    if not isinstance(gid, str):
        raise TypeError(f"gid must be a string; got {gid!r}")
    for artist in [*ax.lines, *ax.collections, *ax.patches]:
        if artist.get_gid() == gid:
            return artist
    raise ValueError(f"gid {gid!r} matches no artist on these axes")


def plot_dosing_curves(result: Expansion, ceiling: float, ax: Axes | None = None) -> Axes:
    """CAR T cells (model cells) and the tumour term (AU) against days on a log axis, with a ceiling.

    Artists: ``car-t`` and ``tumour`` lines, ``ceiling`` (horizontal, model
    cells) and ``clearance`` (vertical, at the first day with the tumour term
    below the clearance level; hidden if there is none) lines.
    """
    check_single(result, "result")
    ceiling_ = parameters.check("ceiling", ceiling)
    if ceiling_.ndim:
        raise TypeError(f"ceiling must be a scalar; got {ceiling_!r}")
    ax = axes_or_new(ax)
    ax.plot(result.t, result.car_t, color=CAR_T_COLOUR, lw=2, label="CAR T cells", gid="car-t")
    # the tumour term is drawn down to 1 AU, the default clearance level; below it is not drawn
    ax.plot(
        result.t, np.where(result.tumour >= 1.0, result.tumour, np.nan), color=TUMOUR_COLOUR, lw=2, label="tumour term (AU)", gid="tumour"
    )
    ax.axhline(float(ceiling_), color=TUMOUR_COLOUR, ls="--", lw=1.2, label="model peak ceiling", gid="ceiling")
    clearance, seen = float(result.clearance_day), bool(np.isfinite(result.clearance_day))  # hidden if the tumour never clears
    ax.axvline(
        clearance if seen else 0.0, color="0.4", ls=":", lw=1, label="tumour term below clearance level", gid="clearance", visible=seen
    )
    return _over_days_on_log_axis(ax, result.t, "days after infusion", "CAR T (model cells); tumour term (AU)", ncols=4)


def plot_nomogram(
    n0_grid: np.ndarray,
    P_grid: np.ndarray,
    grid: DoseResponse,
    ceiling_line: CeilingDose,
    under_ceiling: CeilingDose,
    ax: Axes | None = None,
    clearance_label: str = "tumour term not below the clearance level in time",
) -> Axes:
    """A dose x burden map of the predicted peak, the ceiling and the largest dose under it.

    Parameters
    ----------
    n0_grid, P_grid : numpy.ndarray
        Increasing 1-D grids of doses (model cells, rows of ``grid``) and burdens (AU, columns), > 0.
    grid : DoseResponse
        :func:`cartmodel.dose_response` over ``n0_grid[:, None]`` and ``P_grid``.
    ceiling_line : CeilingDose
        :func:`cartmodel.dose_for_ceiling` over ``P_grid`` without a clearance
        requirement: the contour where the peak equals the ceiling.
    under_ceiling : CeilingDose
        The same with the clearance requirement: drawn only where feasible.
    clearance_label : str
        Legend entry of the shaded burdens that do not clear in time.

    Artists: ``peak-map`` (the mesh, log10 of the peak), ``ceiling-contour``,
    ``under-ceiling`` and ``no-clearance`` (the shaded burdens that do not clear in time).
    """
    dose_cells = check_grid("n0_grid", n0_grid, low=0.0, low_open=True)
    burden_cells = check_grid("P_grid", P_grid, low=0.0, low_open=True)
    check_instance("grid", grid, DoseResponse)
    contour, best = nomogram_lines(ceiling_line, under_ceiling)  # checks both
    ax = axes_or_new(ax)
    if grid.peak.shape != (dose_cells.size, burden_cells.size):
        raise ValueError(
            f"grid must have shape (len(n0_grid), len(P_grid)) = {(dose_cells.size, burden_cells.size)}; got {grid.peak.shape}"
        )
    mesh = ax.pcolormesh(burden_cells, dose_cells, np.log10(grid.peak), shading="nearest", cmap="magma", gid="peak-map", rasterized=True)
    ax.figure.colorbar(mesh, ax=ax, label="log$_{10}$ peak CAR T (model cells)")
    ax.plot(burden_cells, best, color="#5dade2", lw=3.5, label="largest dose under the model ceiling", gid="under-ceiling")
    ax.plot(burden_cells, contour, color="#f7dc6f", ls="--", lw=1.3, label="peak = ceiling", gid="ceiling-contour")
    fails = ~under_ceiling.clears_in_time
    start = burden_cells[np.argmax(fails)] if fails.any() else burden_cells[-1]
    span = ax.axvspan(float(start), float(burden_cells[-1]), color="0.75", alpha=0.55, lw=0, label=str(clearance_label), gid="no-clearance")
    span.set_visible(bool(fails.any()))
    ax.set(xscale="log", yscale="log", xlim=(burden_cells[0], burden_cells[-1]), ylim=(dose_cells[0], dose_cells[-1]))
    ax.set(xlabel=parameters.label("P"), ylabel="single " + parameters.label("n0"))
    return legend_above(ax, ncols=3)


def nomogram_lines(ceiling_line: CeilingDose, under_ceiling: CeilingDose) -> tuple[np.ndarray, np.ndarray]:
    """The y data of the ceiling contour and of the largest-dose-under-the-ceiling line (NaN: not drawn)."""
    check_instance("ceiling_line", ceiling_line, CeilingDose)
    check_instance("under_ceiling", under_ceiling, CeilingDose)
    contour = np.where(ceiling_line.feasible & ~ceiling_line.at_max_dose, ceiling_line.n0, np.nan)
    best = np.where(under_ceiling.feasible, under_ceiling.n0, np.nan)
    return contour, best


def plot_schedule(comparison: ScheduleComparison, ax: Axes | None = None) -> Axes:
    """A split schedule beside one infusion of the same total dose, on a log axis.

    Artists: ``single`` and ``split`` lines, ``infusions`` (markers on the split
    curve at the infusion days).
    """
    days, values = schedule_markers(comparison)  # checks the type
    check_single(comparison.single, "comparison.single")
    ax = axes_or_new(ax)
    single, split = comparison.single, comparison.split
    ax.plot(single.t, single.car_t, color="0.55", ls="--", lw=2, label="one infusion of the total", gid="single")
    ax.plot(split.t, split.car_t, color=CAR_T_COLOUR, lw=2, label="split schedule", gid="split")
    ax.plot(days, values, "v", color=TUMOUR_COLOUR, ms=7, label="infusions", gid="infusions")
    return _over_days_on_log_axis(ax, single.t, "days after the first infusion", "CAR T cells (model cells, log scale)", ncols=3)


def _over_days_on_log_axis(ax: Axes, t: np.ndarray, xlabel: str, ylabel: str, ncols: int) -> Axes:
    """Finish a panel of trajectories: log y axis over the whole horizon, labels, the legend in rows above."""
    ax.set(yscale="log", xlim=(t[0], t[-1]), xlabel=xlabel, ylabel=ylabel)
    return legend_above(ax, ncols)


def schedule_markers(comparison: ScheduleComparison) -> tuple[np.ndarray, np.ndarray]:
    """Days of the infusions and the split curve's value on each (after the infusion)."""
    check_instance("comparison", comparison, ScheduleComparison)
    t = comparison.split.t
    dt = float(t[1] - t[0])
    steps = [min(int(np.ceil(day / dt - 1e-9)), len(t) - 1) for day, _ in comparison.doses]
    return t[steps], comparison.split.car_t[steps]


def plot_target_attainment(
    result: TargetAttainment,
    ax: Axes | None = None,
    *,
    burden_indices: Iterable[int] | None = None,
    fraction: float = 0.9,
) -> Axes:
    """Probability-of-target-attainment curves against the dose, one colour per burden.

    Solid: the fraction of the cohort under the ceiling; dashed: the fraction
    also meeting the tumour target; dotted grey: ``fraction``.

    Parameters
    ----------
    result : TargetAttainment
        From :func:`cartmodel.population.target_attainment`.
    burden_indices : iterable of int, optional
        Columns of ``result.P_grid`` to draw (default: four spread over the grid).
    fraction : float
        Height of the reference line, in (0, 1].

    Artists: ``pta-ceiling-<j>`` and ``pta-both-<j>`` lines for burden index ``j``,
    and ``pta-fraction``.
    """
    check_instance("result", result, TargetAttainment)
    share = as_real_scalar("fraction", fraction, low=0.0, high=1.0, low_open=True)
    nb = result.P_grid.size
    if burden_indices is None:
        columns = sorted(set(np.linspace(0, nb - 1, min(4, nb)).round().astype(int).tolist()))
    else:
        if isinstance(burden_indices, (str, bytes)) or not isinstance(burden_indices, Iterable):
            raise TypeError(f"burden_indices must be an iterable of integers; got {burden_indices!r}")
        columns = [check_positive_int(f"burden_indices[{i}]", j, low=0, high=nb - 1) for i, j in enumerate(burden_indices)]
    ax = axes_or_new(ax)
    under, both = result.probability_under_ceiling, result.probability_both
    colours = plt.get_cmap("viridis")(np.linspace(0.0, 0.85, len(columns)))
    for colour, j in zip(colours, columns, strict=True):
        label = f"burden {result.P_grid[j]:.3g} AU"
        ax.plot(result.n0_grid, under[:, j], color=colour, lw=2, label=label, gid=f"pta-ceiling-{j}")
        ax.plot(result.n0_grid, both[:, j], color=colour, lw=1.3, ls="--", gid=f"pta-both-{j}")
    ax.axhline(share, color="0.5", ls=":", lw=1, gid="pta-fraction")
    ax.set(xscale="log", ylim=(-0.02, 1.02))
    if result.n0_grid.size > 1:  # one dose: matplotlib chooses the limits around it
        ax.set_xlim(result.n0_grid[0], result.n0_grid[-1])
    ax.set(xlabel="single dose (model cells)", ylabel="fraction of the cohort")
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    return ax


def plot_dose_response(
    doses: np.ndarray,
    peaks: np.ndarray,
    burdens: np.ndarray,
    ax: Axes | None = None,
    *,
    ceiling: float | None = None,
) -> Axes:
    """Predicted peak against the single dose on log-log axes, one line per burden.

    Parameters
    ----------
    doses : numpy.ndarray
        1-D grid of single doses, in model cells, > 0.
    peaks : numpy.ndarray
        Peaks in model cells, > 0, shape ``(len(doses), len(burdens))``, as from
        :func:`cartmodel.dose_response` over ``doses[:, None]`` and ``burdens``.
    burdens : numpy.ndarray
        1-D antigen burdens ``P`` in AU, > 0, one per column of ``peaks``.
    ceiling : float, optional
        A ceiling on the peak (model cells, > 0), drawn as a dashed line.

    Artists: ``peak-<j>`` for the burden of column ``j``, and ``ceiling``.
    """
    x = check_grid("doses", doses, low=0.0, low_open=True)
    columns = check_grid("burdens", burdens, low=0.0, low_open=True)
    values = as_real_array("peaks", peaks, low=0.0, low_open=True)
    if values.shape != (x.size, columns.size):
        raise ValueError(f"peaks must have shape (len(doses), len(burdens)) = {(x.size, columns.size)}; got {values.shape}")
    if ceiling is not None:
        ceiling = float(as_real_array("ceiling", ceiling, low=0.0, low_open=True, unit="model cells"))
    ax = axes_or_new(ax)
    for j, burden in enumerate(columns):
        ax.plot(x, values[:, j], lw=2, label=f"burden P = {burden:.0e} AU", gid=f"peak-{j}")
    if ceiling is not None:
        ax.axhline(ceiling, color=TUMOUR_COLOUR, ls="--", lw=1.2, label="example model ceiling", gid="ceiling")
    ax.set(xscale="log", yscale="log", xlabel="single " + parameters.label("n0"), ylabel="predicted peak (model cells)")
    ax.legend(frameon=False, fontsize=9)
    return ax


def plot_split_ratios(infusions: np.ndarray, ratios: Mapping[float, np.ndarray], ax: Axes | None = None) -> Axes:
    """Peak of a split schedule relative to one infusion of the total, against the number of infusions.

    Parameters
    ----------
    infusions : numpy.ndarray
        1-D numbers of equal infusions, >= 1.
    ratios : mapping of interval to array
        For each interval between infusions (days, > 0), the
        :attr:`~cartmodel.dosing.ScheduleComparison.peak_ratio` at each number
        of infusions (> 0).

    Artists: ``ratio-<interval>`` lines, and ``one-infusion`` (the level 1).
    """
    x = check_grid("infusions", infusions, low=1.0)
    for interval, values in check_mapping("ratios", ratios).items():
        as_real_scalar("ratios key", interval, low=0.0, low_open=True, unit="days")
        check_curve(f"ratios[{interval!r}]", values, x, log=True)
    ax = axes_or_new(ax)
    for interval, values in ratios.items():
        ax.plot(
            x,
            np.asarray(values, dtype=float),
            "o-",
            lw=2,
            label=f"{interval:g} day{'s' if interval != 1 else ''} apart",
            gid=f"ratio-{interval:g}",
        )
    ax.axhline(1.0, color="0.5", lw=0.8, gid="one-infusion")
    ax.set(xlabel="number of equal infusions", ylabel="peak / peak of one infusion")
    ax.legend(frameon=False, fontsize=9)
    return ax


def plot_relative_peaks(
    factors: np.ndarray,
    peaks: Mapping[str, np.ndarray],
    baselines: Mapping[str, float],
    ax: Axes | None = None,
    *,
    xlabel: str = "multiple of the baseline",
) -> Axes:
    """Peaks relative to a baseline peak, against a multiple of one input, on log-log axes.

    One line per entry, ``peaks[name] / baselines[name]`` (the first wide and
    pale, so that lines lying on it stay visible).

    Parameters
    ----------
    factors : numpy.ndarray
        1-D multiples of the input (a dose or a burden), > 0.
    peaks : mapping of label to array
        Peaks (> 0) at each factor.
    baselines : mapping of label to float
        The peak (> 0) each line is divided by; one for every label of ``peaks``.
    xlabel : str
        Label of the horizontal axis.

    Artists: ``relative-<k>`` for the ``k``-th entry, and ``factor-1``.
    """
    x = check_grid("factors", factors, low=0.0, low_open=True)
    curves = check_mapping("peaks", peaks)
    reference = check_mapping("baselines", baselines)
    for name, values in curves.items():
        check_curve(f"peaks[{name!r}]", values, x, log=True)
        if name not in reference:
            raise ValueError(f"baselines must have an entry for every line; got none for {name!r}")
        as_real_scalar(f"baselines[{name!r}]", reference[name], low=0.0, low_open=True)
    ax = axes_or_new(ax)
    styles: list[dict[str, Any]] = [dict(lw=3.0, alpha=0.6), dict(ls="--"), dict(ls="-"), dict(ls=":", lw=2.0)]
    for k, (name, values) in enumerate(curves.items()):
        ax.plot(x, np.asarray(values, dtype=float) / float(reference[name]), label=name, gid=f"relative-{k}", **styles[k % len(styles)])
    ax.set(xscale="log", yscale="log")
    ax.axvline(1.0, color="0.7", lw=0.8, ls=":", gid="factor-1")
    ax.set(xlabel=xlabel, ylabel="peak relative to the baseline")
    return ax
