"""Matplotlib figures of the book, drawn from :mod:`cartmodel.model` results.

Each function draws on an ``ax`` it is given (or a new one) and returns the
axes, so that chapters can compose panels and tests can read back the plotted
data from ``ax.lines``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from . import parameters
from ._validation import as_real_array
from .model import Expansion

__all__ = ["CAR_T_COLOUR", "TUMOUR_COLOUR", "plot_expansions", "plot_figure_1", "plot_figure_2", "plot_readings", "plot_tornado"]

#: Colour of the CAR T cells in the paper's Figure 2 (black).
CAR_T_COLOUR = "black"
#: Colour of the ALL blasts, the tumour term, in the paper's Figure 2 (red).
TUMOUR_COLOUR = "#c0392b"


def _axes(ax: Axes | None) -> Axes:
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be matplotlib Axes or None; got {type(ax).__name__}")
    return ax if ax is not None else plt.subplots(figsize=(6.4, 4.0))[1]


def _single(result: Expansion, name: str) -> None:
    if not isinstance(result, Expansion):
        raise TypeError(f"{name} must be an Expansion returned by cartmodel.simulate; got {type(result).__name__}")
    if result.car_t.ndim != 1:
        raise ValueError(f"{name} must hold a single trajectory; got car_t of shape {result.car_t.shape}")


# Input checks of the plotting functions: bad input raises TypeError or ValueError naming it.


def _mapping(name: str, value: object) -> Mapping:
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a mapping of label to data; got {value!r}")
    return value


def _flag(name: str, value: object) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def _grid(name: str, value: object, **limits: Any) -> np.ndarray:
    """A non-empty 1-D array of finite real numbers (``as_real_array`` limits apply)."""
    array = as_real_array(name, value, **limits)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty one-dimensional array; got shape {array.shape}")
    return array


def _curve(name: str, value: object, x: np.ndarray, *, log: bool = False) -> np.ndarray:
    """Real values drawn against ``x`` (NaN leaves a gap); > 0 where the axis is logarithmic."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of real numbers; got {value!r}")
    array = np.asarray(value)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be an array of real numbers; got dtype {array.dtype}")
    if array.shape != x.shape:
        raise ValueError(f"{name} must have one value per point, shape {x.shape}; got shape {array.shape}")
    if log and np.any(array <= 0):
        raise ValueError(f"{name} must be > 0 on a logarithmic axis; got {float(array[array <= 0][0])!r}")
    return array


def plot_figure_1(result: Expansion, ax: Axes | None = None) -> Axes:
    """The paper's Figure 1: CAR T cells against days, on a linear axis.

    Parameters
    ----------
    result : Expansion
        One trajectory from :func:`cartmodel.simulate`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made if omitted.
    """
    _single(result, "result")
    ax = _axes(ax)
    ax.plot(result.t, result.car_t, color=CAR_T_COLOUR, lw=2, label="CAR T cells, $N_t$")
    plateau = result.capacity[-1]
    ax.axhline(plateau, color="0.5", ls="--", lw=1, label=f"plateau $K_t$ at day {result.t[-1]:g}")
    ax.set_xlabel("time (days; one iteration per day)")
    ax.set_ylabel("CAR T cells (model cells)")
    ax.set_xlim(result.t[0], result.t[-1])
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False)
    return ax


def plot_figure_2(result: Expansion, ax: Axes | None = None) -> Axes:
    """The paper's Figure 2: ln of CAR T cells (black) and of ALL blasts (red).

    The tumour is drawn down to one cell (ln = 0), where it is cleared.
    """
    _single(result, "result")
    ax = _axes(ax)
    ax.plot(result.t, np.log(result.car_t), color=CAR_T_COLOUR, lw=2, label=r"CAR T cells, $\ln N_t$")
    alive = result.tumour >= 1.0
    ax.plot(result.t[alive], np.log(result.tumour[alive]), color=TUMOUR_COLOUR, lw=2, label="tumour term, ln (AU)")
    ax.axhline(0.0, color="0.6", lw=0.8)
    ax.set_xlabel("time (days; one iteration per day)")
    ax.set_ylabel("ln CAR T (model cells); ln tumour term (AU)")
    ax.set_xlim(result.t[0], result.t[-1])
    ax.legend(frameon=False)
    return ax


def plot_readings(results: Mapping[str, Expansion], ax: Axes | None = None) -> Axes:
    """Several readings of Equation 1 on one log axis, one line each."""
    results = _mapping("results", results)
    ax = _axes(ax)
    styles = ["-", "--", ":", "-."]
    for index, (label, result) in enumerate(results.items()):
        _single(result, f"results[{label!r}]")
        ax.plot(result.t, result.car_t, ls=styles[index % len(styles)], lw=2, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("time (days)")
    ax.set_ylabel("CAR T cells (model cells, log scale)")
    ax.legend(frameon=False)
    return ax


# --------------------------------------------------------------------------
# antigen burden (chapter "How much antigen? An ALL burden estimate")


def _compact(value: float) -> str:
    """A short label for a range end: ``29,000``, ``0.45``, ``1 × 10⁻⁴``, ``2.1 × 10¹⁰``."""
    from .reporting import sci

    if value == 0 or 1e-3 <= abs(value) < 1e6:
        return f"{value:,.6g}"
    return str(sci(value, digits=2)).replace(".0 ×", " ×")


def plot_tornado(bars, ax: Axes | None = None, *, labels: Mapping[str, str] | None = None,
                 xlabel: str = "estimate relative to baseline") -> Axes:
    """Tornado plot of a one-at-a-time sensitivity analysis, on a log axis.

    Each input gets one row, labelled with its name and range; the bar runs
    from 1 to ``output / baseline`` at each end of the range, red for the high
    end of the input and grey for the low end.

    Parameters
    ----------
    bars : sequence of cartmodel.burden.SensitivityBar
        From :func:`cartmodel.burden.one_at_a_time_sensitivity`, largest first;
        drawn top to bottom.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made if omitted.
    labels : mapping, optional
        Display name for each input name.
    xlabel : str
        Label of the horizontal axis.
    """
    from .burden import SensitivityBar

    if isinstance(bars, (str, bytes)) or not isinstance(bars, Iterable):
        raise TypeError(f"bars must be a non-empty sequence of SensitivityBar; got {bars!r}")
    bars = list(bars)
    if not bars or not all(isinstance(bar, SensitivityBar) for bar in bars):
        raise TypeError("bars must be a non-empty sequence of SensitivityBar")
    if any(bar.baseline <= 0 or min(bar.low_output, bar.high_output) <= 0 for bar in bars):
        raise ValueError("a tornado on a log axis needs positive baseline and outputs")
    ax = _axes(ax)
    labels = {} if labels is None else _mapping("labels", labels)
    for row, bar in enumerate(bars):
        y = len(bars) - 1 - row
        low, high = bar.low_output / bar.baseline, bar.high_output / bar.baseline
        # the bar further from 1 first, so that both ends stay visible when they lie on one side
        ends = [(high, TUMOUR_COLOUR), (low, "0.55")]
        for end, colour in sorted(ends, key=lambda pair: -abs(np.log(pair[0]))):
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
    results = _mapping("results", results)
    log = _flag("log", log)
    ax = _axes(ax)
    styles = ["-", "--", ":", "-."]
    for index, (label, result) in enumerate(results.items()):
        _single(result, f"results[{label!r}]")
        (line,) = ax.plot(result.t, result.car_t, ls=styles[index % len(styles)], lw=2, label=label)
        ax.plot(float(result.peak_day), float(result.peak), "o", color=line.get_color(), ms=5)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("time (days)")
    ax.set_ylabel("CAR T cells (model cells)" + (", log scale" if log else ""))
    ax.legend(frameon=False)
    return ax


# --------------------------------------------------------------------------
# Equation 2, Figure 3 and the DLI response (chapters "Equation 2", "Figure 3",
# "How likely is a response?")

from matplotlib.collections import LineCollection  # noqa: E402

from .repertoire import PeptideLibrary, RepertoireExpansion, rank_frequency  # noqa: E402

__all__ += [
    "ALLO_TCR_COLOUR",
    "NORMAL_PEPTIDE_COLOUR",
    "TUMOUR_TCR_COLOUR",
    "plot_figure_3",
    "plot_rank_frequency",
    "plot_response_by_infusions",
]

#: Colour of the T cells that respond to tumour-associated peptides in the paper's
#: Figure 3 caption (green; the peptides themselves are red, ``TUMOUR_COLOUR``).
TUMOUR_TCR_COLOUR = "#1e8449"
#: Colour of the T cells that respond to normal-tissue peptides in Figure 3 (blue).
ALLO_TCR_COLOUR = "#2e5fa8"
#: Colour of the normal-tissue peptides in Figure 3 (grey).
NORMAL_PEPTIDE_COLOUR = "0.6"


def plot_rank_frequency(sizes: Mapping[str, np.ndarray], ax: Axes | None = None) -> Axes:
    """Rank-frequency plot of clone sizes on log-log axes, one line per entry.

    Parameters
    ----------
    sizes : mapping of label to array
        Clone sizes (cells, > 0) of each repertoire to draw.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made if omitted.
    """
    sizes = _mapping("sizes", sizes)
    ax = _axes(ax)
    styles = ["-", "--", ":", "-."]
    for index, (label, values) in enumerate(sizes.items()):
        rank, frequency = rank_frequency(values)
        ax.plot(rank, frequency, ls=styles[index % len(styles)], lw=2, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("clone rank (1 = largest)")
    ax.set_ylabel("share of the repertoire's cells")
    ax.legend(frameon=False)
    return ax


def plot_figure_3(
    donor: RepertoireExpansion,
    car_t: Expansion,
    peptides: PeptideLibrary,
    axes: tuple[Axes, Axes, Axes] | None = None,
    *,
    floor_cells: float = 0.1,
) -> tuple[Axes, Axes, Axes]:
    """The paper's Figure 3, computed: donor T cell clones (A) against CAR T cells (B).

    Parameters
    ----------
    donor : RepertoireExpansion
        Equation 2 for a donor repertoire (:func:`cartmodel.expand_repertoire`).
    car_t : Expansion
        One Equation 1 trajectory (:func:`cartmodel.simulate`).
    peptides : PeptideLibrary
        The presented peptides of ``donor``'s repertoire.
    axes : three matplotlib axes, optional
        Peptides, donor clones and CAR T cells; a new figure is made if omitted.
        The clone and CAR T panels share one logarithmic cell axis.
    floor_cells : float
        Bottom of the cell axis.

    Returns
    -------
    tuple of Axes
        ``(peptide_ax, donor_ax, car_ax)``.
    """
    if not isinstance(donor, RepertoireExpansion):
        raise TypeError(f"donor must be a RepertoireExpansion; got {type(donor).__name__}")
    if not isinstance(peptides, PeptideLibrary):
        raise TypeError(f"peptides must be a PeptideLibrary; got {type(peptides).__name__}")
    _single(car_t, "car_t")
    floor_cells = float(as_real_array("floor_cells", floor_cells, low=0.0, low_open=True, unit="cells"))
    if axes is not None and (not isinstance(axes, (tuple, list, np.ndarray)) or len(axes) != 3
                             or not all(isinstance(one, Axes) for one in axes)):
        raise TypeError(f"axes must be three matplotlib Axes (peptides, donor clones, CAR T cells) or None; got {axes!r}")
    if axes is None:
        fig = plt.figure(figsize=(12, 4.4))
        grid = fig.add_gridspec(1, 3, width_ratios=[0.8, 1.3, 1.0])
        pep_ax = fig.add_subplot(grid[0])
        donor_ax = fig.add_subplot(grid[1])
        car_ax = fig.add_subplot(grid[2], sharey=donor_ax)
    else:
        pep_ax, donor_ax, car_ax = axes

    tumour = peptides.tumour
    pep_ax.scatter(peptides.ic50_nm[~tumour], peptides.expression[~tumour], s=6, color=NORMAL_PEPTIDE_COLOUR,
                   label=f"normal-tissue peptides ({int((~tumour).sum())})")
    pep_ax.scatter(peptides.ic50_nm[tumour], peptides.expression[tumour], s=14, color=TUMOUR_COLOUR,
                   label=f"tumour-associated peptides ({int(tumour.sum())})", zorder=3)
    pep_ax.set_xscale("log")
    pep_ax.set_yscale("log")
    pep_ax.invert_xaxis()
    pep_ax.set_xlabel("HLA-binding IC50 (nM; tighter to the right)")
    pep_ax.set_ylabel("expression $P_j$ (antigen units)")
    pep_ax.set_title("A  peptides on HLA", loc="left")
    pep_ax.legend(frameon=True, framealpha=0.9, edgecolor="none", fontsize=8, loc="lower left")

    t = donor.t
    for mask, colour, alpha, width in ((~donor.tumour_directed, ALLO_TCR_COLOUR, 0.08, 0.5),
                                       (donor.tumour_directed, TUMOUR_TCR_COLOUR, 0.35, 0.8)):
        cells = np.maximum(donor.cells[mask], floor_cells)
        segments = np.stack([np.broadcast_to(t, cells.shape), cells], axis=-1)
        donor_ax.add_collection(LineCollection(list(segments), colors=colour, alpha=alpha, linewidths=width))
    n_allo, n_tumour = int((~donor.tumour_directed).sum()), int(donor.tumour_directed.sum())
    for total, colour, text in ((donor.alloreactive_cells, ALLO_TCR_COLOUR, f"sum of {n_allo} alloreactive clones"),
                                (donor.tumour_cells, TUMOUR_TCR_COLOUR, f"sum of {n_tumour} tumour-directed clones")):
        donor_ax.plot(t, total, color=colour, lw=2.5, label=text)
        donor_ax.annotate(text, (t[-1], total[-1]), xytext=(-4, 4), textcoords="offset points",
                          ha="right", va="bottom", fontsize=8, color=colour)
    donor_ax.set_yscale("log")
    donor_ax.set_xlim(t[0], t[-1])
    donor_ax.set_xlabel("time (days)")
    donor_ax.set_ylabel("T cells (model cells, log scale)")
    donor_ax.set_title("A  donor T cell clones (Equation 2)", loc="left")

    car_ax.plot(car_t.t, car_t.car_t, color=CAR_T_COLOUR, lw=2.5, label="CAR T cells (Equation 1)")
    car_ax.plot(t, donor.tumour_cells, color=TUMOUR_TCR_COLOUR, lw=1.5, ls="--",
                label="tumour-directed donor cells (A)")
    car_ax.set_yscale("log")
    car_ax.set_xlim(car_t.t[0], car_t.t[-1])
    car_ax.set_xlabel("time (days)")
    car_ax.set_title("B  CAR T cells, no HLA needed", loc="left")
    car_ax.legend(frameon=False, fontsize=8, loc="lower right")
    top = max(float(donor.cells.max()), float(donor.alloreactive_cells.max()), float(car_t.car_t.max()))
    donor_ax.set_ylim(floor_cells, top * 3.0)
    return pep_ax, donor_ax, car_ax


def plot_response_by_infusions(
    infusions: np.ndarray,
    curves: Mapping[str, np.ndarray],
    ax: Axes | None = None,
    *,
    monte_carlo: Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None,
) -> Axes:
    """Response probability against the number of infusions, one line per strategy.

    Parameters
    ----------
    infusions : array
        Numbers of infusions (x axis).
    curves : mapping of label to array
        Probabilities, one per entry of ``infusions``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made if omitted.
    monte_carlo : mapping of label to (infusions, rate, standard error), optional
        Simulated rates drawn as points with 3-standard-error bars.
    """
    x = _grid("infusions", infusions)
    for label, values in _mapping("curves", curves).items():
        _curve(f"curves[{label!r}]", values, x)
    for label, entry in _mapping("monte_carlo", monte_carlo or {}).items():
        try:
            mx, rate, se = entry
        except (TypeError, ValueError):
            raise TypeError(f"monte_carlo[{label!r}] must be (infusions, rate, standard error); got {entry!r}") from None
        mx = _grid(f"monte_carlo[{label!r}] infusions", mx)
        _curve(f"monte_carlo[{label!r}] rate", rate, mx)
        _curve(f"monte_carlo[{label!r}] standard error", se, mx)
    ax = _axes(ax)
    styles = ["-", "--", ":", "-."]
    colours = [CAR_T_COLOUR, TUMOUR_TCR_COLOUR, ALLO_TCR_COLOUR, "0.5"]
    x = np.asarray(infusions)
    for index, (label, values) in enumerate(curves.items()):
        ax.plot(x, values, ls=styles[index % len(styles)], color=colours[index % len(colours)], lw=2,
                marker="o", ms=3, label=label)
    for label, (mx, rate, se) in (monte_carlo or {}).items():
        ax.errorbar(mx, rate, yerr=3 * np.asarray(se), fmt="s", ms=5, color="#c0392b", capsize=3, label=label)
    ax.set_xlabel("number of infusions")
    ax.set_ylabel("probability of a response")
    ax.set_ylim(0, 1.05)
    ax.set_xlim(x.min() - 0.3, x.max() + 0.3)
    ax.legend(frameon=False, fontsize=9)
    return ax


# --------------------------------------------------------------------------
# Dosing (chapters "Dosing nomograms" and "Interactive dosing").
# The widgets of cartmodel.widgets draw with these functions and then update
# the artists, which carry a gid ("car-t", "tumour", ...) to be found by.

from .dosing import CeilingDose, DoseResponse, ScheduleComparison  # noqa: E402

__all__ += [
    "find_artist", "nomogram_lines", "plot_dosing_curves", "plot_nomogram", "plot_schedule", "schedule_markers",
]


def find_artist(ax: Axes, gid: str):
    """The artist of ``ax`` whose gid is ``gid`` (lines, collections, patches); ValueError if none."""
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be matplotlib Axes; got {type(ax).__name__}")
    if not isinstance(gid, str):
        raise TypeError(f"gid must be a string; got {gid!r}")
    for artist in [*ax.lines, *ax.collections, *ax.patches]:
        if artist.get_gid() == gid:
            return artist
    raise ValueError(f"gid {gid!r} matches no artist on these axes")


def _tumour_on_log_axis(tumour: np.ndarray) -> np.ndarray:
    # the tumour term is drawn down to 1 AU, the default clearance level; below it is not drawn
    return np.where(tumour >= 1.0, tumour, np.nan)


def plot_dosing_curves(result: Expansion, ceiling: float, ax: Axes | None = None) -> Axes:
    """CAR T cells (model cells) and the tumour term (AU) against days on a log axis, with a ceiling.

    Artists: ``car-t`` and ``tumour`` lines, ``ceiling`` (horizontal, model
    cells) and ``clearance`` (vertical, at the first day with the tumour term
    below the clearance level; hidden if there is none) lines.
    """
    _single(result, "result")
    ceiling_ = parameters.check("ceiling", ceiling)
    if ceiling_.ndim:
        raise TypeError(f"ceiling must be a scalar; got {ceiling_!r}")
    ax = _axes(ax)
    ax.plot(result.t, result.car_t, color=CAR_T_COLOUR, lw=2, label="CAR T cells", gid="car-t")
    ax.plot(result.t, _tumour_on_log_axis(result.tumour), color=TUMOUR_COLOUR, lw=2, label="tumour term (AU)", gid="tumour")
    ax.axhline(float(ceiling_), color=TUMOUR_COLOUR, ls="--", lw=1.2, label="model peak ceiling", gid="ceiling")
    clearance = float(result.clearance_day)
    line = ax.axvline(clearance if np.isfinite(clearance) else 0.0, color="0.4", ls=":", lw=1,
                      label="tumour term below clearance level", gid="clearance")
    line.set_visible(bool(np.isfinite(clearance)))
    ax.set_yscale("log")
    ax.set_xlim(result.t[0], result.t[-1])
    ax.set_xlabel("days after infusion")
    ax.set_ylabel("CAR T (model cells); tumour term (AU)")
    ax.legend(frameon=False, fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=4)
    return ax


def plot_nomogram(
    n0_grid: np.ndarray,
    P_grid: np.ndarray,
    grid: DoseResponse,
    ceiling_line: CeilingDose,
    under_ceiling: CeilingDose,
    ax: Axes | None = None,
) -> Axes:
    """A dose x burden map of the predicted peak, the ceiling and the largest dose under it.

    A picture of the model, not a dosing chart: doses are in model cells and
    the ceiling is illustrative.

    Parameters
    ----------
    n0_grid, P_grid : numpy.ndarray
        1-D grids (increasing) of doses in model cells (rows of ``grid``) and
        burdens in AU (columns).
    grid : DoseResponse
        :func:`cartmodel.dose_response` over ``n0_grid[:, None]`` and ``P_grid``.
    ceiling_line : CeilingDose
        :func:`cartmodel.dose_for_ceiling` over ``P_grid`` without a clearance
        requirement: the contour where the peak equals the ceiling.
    under_ceiling : CeilingDose
        The same with the clearance requirement: drawn only where feasible.

    Artists: ``peak-map`` (the mesh, log10 of the peak), ``ceiling-contour``,
    ``under-ceiling`` and ``no-clearance`` (the shaded burdens that do not clear in time).
    """
    dose_cells = _grid("n0_grid", n0_grid, low=0.0, low_open=True)
    burden_cells = _grid("P_grid", P_grid, low=0.0, low_open=True)
    recommended = under_ceiling
    if not isinstance(grid, DoseResponse):
        raise TypeError(f"grid must be a DoseResponse returned by cartmodel.dose_response; got {type(grid).__name__}")
    nomogram_lines(ceiling_line, under_ceiling)  # checks both
    ax = _axes(ax)
    if grid.peak.shape != (dose_cells.size, burden_cells.size):
        raise ValueError(
            f"grid must have shape (len(n0_grid), len(P_grid)) = {(dose_cells.size, burden_cells.size)}; "
            f"got {grid.peak.shape}"
        )
    mesh = ax.pcolormesh(burden_cells, dose_cells, np.log10(grid.peak), shading="nearest",
                         cmap="magma", gid="peak-map", rasterized=True)
    ax.figure.colorbar(mesh, ax=ax, label="log$_{10}$ peak CAR T (model cells)")
    contour, best = nomogram_lines(ceiling_line, recommended)
    ax.plot(burden_cells, best, color="#5dade2", lw=3.5, label="largest dose under the model ceiling", gid="under-ceiling")
    ax.plot(burden_cells, contour, color="#f7dc6f", ls="--", lw=1.3, label="peak = ceiling", gid="ceiling-contour")
    span = ax.axvspan(*_no_clearance_span(burden_cells, recommended), color="0.75", alpha=0.55, lw=0,
                      label="tumour term not below clearance level in time", gid="no-clearance")
    span.set_visible(bool(np.any(~recommended.clears_in_time)))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(burden_cells[0], burden_cells[-1])
    ax.set_ylim(dose_cells[0], dose_cells[-1])
    ax.set_xlabel(parameters.label("P"))
    ax.set_ylabel("single " + parameters.label("n0"))
    ax.legend(frameon=False, fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3)
    return ax


def _no_clearance_span(burden_cells: np.ndarray, recommended: CeilingDose) -> tuple[float, float]:
    fails = ~recommended.clears_in_time
    if not fails.any():
        return float(burden_cells[-1]), float(burden_cells[-1])
    return float(burden_cells[np.argmax(fails)]), float(burden_cells[-1])


def nomogram_lines(ceiling_line: CeilingDose, under_ceiling: CeilingDose) -> tuple[np.ndarray, np.ndarray]:
    """The y data of the ceiling contour and of the largest-dose-under-the-ceiling line (NaN: not drawn)."""
    recommended = under_ceiling
    for name, value in (("ceiling_line", ceiling_line), ("under_ceiling", under_ceiling)):
        if not isinstance(value, CeilingDose):
            raise TypeError(f"{name} must be a CeilingDose returned by cartmodel.dose_for_ceiling; got {type(value).__name__}")
    contour = np.where(ceiling_line.feasible & ~ceiling_line.at_max_dose, ceiling_line.n0, np.nan)
    best = np.where(recommended.feasible, recommended.n0, np.nan)
    return contour, best


def plot_schedule(comparison: ScheduleComparison, ax: Axes | None = None) -> Axes:
    """A split schedule beside one infusion of the same total dose, on a log axis.

    Artists: ``single`` and ``split`` lines, ``infusions`` (markers on the split
    curve at the infusion days).
    """
    if not isinstance(comparison, ScheduleComparison):
        raise TypeError(f"comparison must be a ScheduleComparison; got {type(comparison).__name__}")
    _single(comparison.single, "comparison.single")
    ax = _axes(ax)
    single, split = comparison.single, comparison.split
    ax.plot(single.t, single.car_t, color="0.55", ls="--", lw=2, label="one infusion of the total", gid="single")
    ax.plot(split.t, split.car_t, color=CAR_T_COLOUR, lw=2, label="split schedule", gid="split")
    days, values = schedule_markers(comparison)
    ax.plot(days, values, "v", color=TUMOUR_COLOUR, ms=7, label="infusions", gid="infusions")
    ax.set_yscale("log")
    ax.set_xlim(single.t[0], single.t[-1])
    ax.set_xlabel("days after the first infusion")
    ax.set_ylabel("CAR T cells (model cells, log scale)")
    ax.legend(frameon=False, fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3)
    return ax


def schedule_markers(comparison: ScheduleComparison) -> tuple[np.ndarray, np.ndarray]:
    """Days of the infusions and the split curve's value on each (after the infusion)."""
    if not isinstance(comparison, ScheduleComparison):
        raise TypeError(f"comparison must be a ScheduleComparison; got {type(comparison).__name__}")
    t = comparison.split.t
    dt = float(t[1] - t[0])
    steps = [min(int(np.ceil(day / dt - 1e-9)), len(t) - 1) for day, _ in comparison.doses]
    return t[steps], comparison.split.car_t[steps]


# --------------------------------------------------------------------------
# Reading the antigen burden from CAR T counts, and clinical kinetics

from .fitting import BurdenFit  # noqa: E402

__all__ += [
    "plot_burden_fit",
    "plot_burden_profile",
    "plot_burden_recovery",
    "plot_sensitivities",
    "plot_against_burden",
]


def plot_burden_fit(fit: BurdenFit, ax: Axes | None = None, *, label: str = "fitted Equation 1") -> Axes:
    """Measured counts (dots) and the fitted curve ``scale * N_t`` on a log axis."""
    if not isinstance(fit, BurdenFit):
        raise TypeError(f"fit must be a BurdenFit returned by cartmodel.fit_burden; got {type(fit).__name__}")
    ax = _axes(ax)
    scale = fit.estimates["scale"]
    ax.plot(fit.fitted.t, scale * fit.fitted.car_t, color=CAR_T_COLOUR, lw=2, label=label, gid="fitted")
    ax.plot(fit.days, fit.counts, "o", color=TUMOUR_COLOUR, ms=6, label="measured counts", gid="counts")
    ax.set_yscale("log")
    ax.set_xlabel("days after infusion")
    ax.set_ylabel("CAR T count (log scale)")
    ax.legend(frameon=False)
    return ax


def plot_burden_profile(fit: BurdenFit, ax: Axes | None = None, *, label: str | None = None) -> Axes:
    """Profile of ``P``: the rise of the residual sum of squares over its minimum.

    Drawn in units of the noise variance, ``(RSS(P) - RSS_min) / sigma^2``, with the
    interval's cut-off as a dashed line of the same colour.
    """
    if not isinstance(fit, BurdenFit):
        raise TypeError(f"fit must be a BurdenFit returned by cartmodel.fit_burden; got {type(fit).__name__}")
    ax = _axes(ax)
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
    """Recovered against true burden on log axes, with the identity and a factor-2 band.

    ``interval`` (shape ``(n, 2)``), if given, is drawn as vertical bars.
    """
    P_true = _grid("P_true", P_true, low=0.0, low_open=True)
    P_hat = _grid("P_hat", P_hat, low=0.0, low_open=True)
    if P_true.shape != P_hat.shape or P_true.ndim != 1:
        raise ValueError(f"P_true and P_hat must be 1-D of one length; got {P_true.shape} and {P_hat.shape}")
    if interval is not None:
        interval = as_real_array("interval", interval, low=0.0, low_open=True)
        if interval.shape != (P_true.size, 2):
            raise ValueError(f"interval must have shape {(P_true.size, 2)} (low, high per burden); got {interval.shape}")
    ax = _axes(ax)
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
    days = _grid("t", t)
    for name, values in _mapping("elasticities", elasticities).items():
        _curve(f"elasticities[{name!r}]", values, days)
    ax = _axes(ax)
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
    x = _grid("burden", burden, low=0.0, low_open=True)
    log_y = _flag("log_y", log_y)
    for label, values in _mapping("curves", curves).items():
        _curve(f"curves[{label!r}]", values, x, log=log_y)
    ax = _axes(ax)
    styles = ["-", "--", ":", "-."]
    for index, (label, values) in enumerate(curves.items()):
        ax.plot(burden, values, ls=styles[index % len(styles)], lw=2, label=label)
    ax.set_xscale("log")
    if log_y:
        ax.set_yscale("log")
    ax.set_xlabel(parameters.label("P"))
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False)
    return ax


__all__ += ["plot_kinetics"]


def plot_kinetics(
    curves: Mapping[str, tuple[np.ndarray, np.ndarray]], ax: Axes | None = None, *, ylabel: str, log_y: bool = True
) -> Axes:
    """Several time courses, each given as ``(days, values)``, one line style each."""
    log_y = _flag("log_y", log_y)
    for label, pair in _mapping("curves", curves).items():
        if isinstance(pair, (str, bytes)) or not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"curves[{label!r}] must be a (days, values) pair; got {pair!r}")
        _curve(f"curves[{label!r}] values", pair[1], _grid(f"curves[{label!r}] days", pair[0]), log=log_y)
    ax = _axes(ax)
    styles = ["-", "--", ":", "-."]
    for index, (label, (days, values)) in enumerate(curves.items()):
        ax.plot(days, values, ls=styles[index % len(styles)], lw=2, label=label)
    if log_y:
        ax.set_yscale("log")
    ax.set_xlabel("days after infusion")
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False)
    return ax


# --------------------------------------------------------------------------
# Dosing for a population: probability-of-target-attainment curves.

from .population import TargetAttainment  # noqa: E402

__all__ += ["plot_target_attainment"]


def plot_target_attainment(
    result: TargetAttainment,
    ax: Axes | None = None,
    *,
    burden_indices: Iterable[int] | None = None,
    fraction: float = 0.9,
) -> Axes:
    """Probability-of-target-attainment curves against the dose, one colour per burden.

    Solid: the fraction of the cohort whose peak stays at or under the ceiling.
    Dashed: the fraction that also meets the tumour target (below the level by
    the day), which the dose cannot raise above the tumour target alone.
    Dotted grey: ``fraction``, the share of patients a dose is meant to keep
    under the ceiling.

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
    if not isinstance(result, TargetAttainment):
        raise TypeError(f"result must be a TargetAttainment from target_attainment; got {type(result).__name__}")
    share = as_real_array("fraction", fraction, low=0.0, high=1.0, low_open=True)
    if share.ndim:
        raise TypeError(f"fraction must be a scalar; got {fraction!r}")
    nb = result.P_grid.size
    if burden_indices is None:
        columns = sorted(set(np.linspace(0, nb - 1, min(4, nb)).round().astype(int).tolist()))
    else:
        if isinstance(burden_indices, (str, bytes)) or not isinstance(burden_indices, Iterable):
            raise TypeError(f"burden_indices must be an iterable of integers; got {burden_indices!r}")
        columns = list(burden_indices)
        for j in columns:
            if isinstance(j, (bool, np.bool_)) or not isinstance(j, (int, np.integer)):
                raise TypeError(f"burden_indices must contain integers; got {j!r}")
            if not 0 <= j < nb:
                raise ValueError(f"burden_indices must lie in [0, {nb - 1}]; got {j}")
    ax = _axes(ax)
    under, both = result.probability_under_ceiling, result.probability_both
    colours = plt.get_cmap("viridis")(np.linspace(0.0, 0.85, len(columns)))
    for colour, j in zip(colours, columns, strict=True):
        label = f"burden {result.P_grid[j]:.3g} AU"
        ax.plot(result.n0_grid, under[:, j], color=colour, lw=2, label=label, gid=f"pta-ceiling-{j}")
        ax.plot(result.n0_grid, both[:, j], color=colour, lw=1.3, ls="--", gid=f"pta-both-{j}")
    ax.axhline(float(share), color="0.5", ls=":", lw=1, gid="pta-fraction")
    ax.set_xscale("log")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlim(result.n0_grid[0], result.n0_grid[-1])
    ax.set_xlabel("single dose (model cells)")
    ax.set_ylabel("fraction of the cohort")
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    return ax


# --------------------------------------------------------------------------
# Panels of the chapters that were drawn by hand: the dose-response curves and
# split schedules of "Dosing nomograms", the reference sweep of the antigen-burden
# chapter and the relative peaks of the clinical-evidence chapter.

__all__ += ["plot_dose_response", "plot_reference_sweep", "plot_relative_peaks", "plot_split_ratios"]


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
        Peaks in model cells, > 0, shape ``(len(doses), len(burdens))``: the
        ``peak`` of :func:`cartmodel.dose_response` over ``doses[:, None]`` and ``burdens``.
    burdens : numpy.ndarray
        1-D antigen burdens ``P`` in AU, > 0, one per column of ``peaks``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made if omitted.
    ceiling : float, optional
        A ceiling on the peak (model cells, > 0), drawn as a dashed line.

    Returns
    -------
    matplotlib.axes.Axes
        Artists: ``peak-<j>`` for the burden of column ``j``, and ``ceiling``.
    """
    x = _grid("doses", doses, low=0.0, low_open=True)
    columns = _grid("burdens", burdens, low=0.0, low_open=True)
    values = as_real_array("peaks", peaks, low=0.0, low_open=True)
    if values.shape != (x.size, columns.size):
        raise ValueError(f"peaks must have shape (len(doses), len(burdens)) = {(x.size, columns.size)}; "
                         f"got {values.shape}")
    if ceiling is not None:
        ceiling = float(as_real_array("ceiling", ceiling, low=0.0, low_open=True, unit="model cells"))
    ax = _axes(ax)
    for j, burden in enumerate(columns):
        ax.plot(x, values[:, j], lw=2, label=f"burden P = {burden:.0e} AU", gid=f"peak-{j}")
    if ceiling is not None:
        ax.axhline(ceiling, color=TUMOUR_COLOUR, ls="--", lw=1.2, label="example model ceiling", gid="ceiling")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("single " + parameters.label("n0"))
    ax.set_ylabel("predicted peak (model cells)")
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
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made if omitted.

    Returns
    -------
    matplotlib.axes.Axes
        Artists: ``ratio-<interval>`` lines, and ``one-infusion`` (the level 1).
    """
    x = _grid("infusions", infusions, low=1.0)
    for interval, values in _mapping("ratios", ratios).items():
        interval_days = as_real_array("ratios key", interval, low=0.0, low_open=True, unit="days")
        if interval_days.ndim:
            raise TypeError(f"ratios key must be an interval in days, a scalar; got {interval!r}")
        _curve(f"ratios[{interval!r}]", values, x, log=True)
    ax = _axes(ax)
    for interval, values in ratios.items():
        ax.plot(x, np.asarray(values, dtype=float), "o-", lw=2,
                label=f"{interval:g} day{'s' if interval != 1 else ''} apart", gid=f"ratio-{interval:g}")
    ax.axhline(1.0, color="0.5", lw=0.8, gid="one-infusion")
    ax.set_xlabel("number of equal infusions")
    ax.set_ylabel("peak / peak of one infusion")
    ax.legend(frameon=False, fontsize=9)
    return ax


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
        :func:`cartmodel.simulate` over ``P = P_case / factors[:, None]``: peaks
        of shape ``(len(factors), len(labels))``.
    labels : iterable of str
        Name of each case (column of the sweep).
    axes : two matplotlib axes, optional
        Left and right; a new figure is made if omitted.

    Returns
    -------
    tuple of Axes
        ``(peak_ax, day_ax)``; lines ``peak-<i>`` and ``day-<i>`` for case ``i``.
    """
    x = _grid("factors", factors, low=0.0, low_open=True)
    if not isinstance(sweep, Expansion):
        raise TypeError(f"sweep must be an Expansion returned by cartmodel.simulate; got {type(sweep).__name__}")
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
    if axes is None:
        left, right = plt.subplots(1, 2, figsize=(11, 4.0))[1]
    else:
        left, right = axes
    styles = ["-", "--", ":", "-."]
    for i, name in enumerate(names):
        style = styles[i % len(styles)]
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


def plot_relative_peaks(
    factors: np.ndarray,
    peaks: Mapping[str, np.ndarray],
    baselines: Mapping[str, float],
    ax: Axes | None = None,
    *,
    xlabel: str = "multiple of the baseline",
) -> Axes:
    """Peaks relative to a baseline peak, against a multiple of one input, on log-log axes.

    One line per entry of ``peaks``, drawn as ``peaks[name] / baselines[name]``
    (the first entry wide and pale, so that lines lying on it stay visible),
    with a dotted line at the multiple 1.

    Parameters
    ----------
    factors : numpy.ndarray
        1-D multiples of the input (a dose or a burden), > 0.
    peaks : mapping of label to array
        Peaks (> 0) at each factor.
    baselines : mapping of label to float
        The peak (> 0) each line is divided by; one for every label of ``peaks``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made if omitted.
    xlabel : str
        Label of the horizontal axis.

    Returns
    -------
    matplotlib.axes.Axes
        Artists: ``relative-<k>`` for the ``k``-th entry, and ``factor-1``.
    """
    x = _grid("factors", factors, low=0.0, low_open=True)
    curves = _mapping("peaks", peaks)
    reference = _mapping("baselines", baselines)
    for name, values in curves.items():
        _curve(f"peaks[{name!r}]", values, x, log=True)
        if name not in reference:
            raise ValueError(f"baselines must have an entry for every line; got none for {name!r}")
        base = as_real_array(f"baselines[{name!r}]", reference[name], low=0.0, low_open=True)
        if base.ndim:
            raise TypeError(f"baselines[{name!r}] must be a scalar; got {reference[name]!r}")
    ax = _axes(ax)
    styles = [dict(lw=3.0, alpha=0.6), dict(ls="--"), dict(ls="-"), dict(ls=":", lw=2.0)]
    for k, (name, values) in enumerate(curves.items()):
        ax.plot(x, np.asarray(values, dtype=float) / float(reference[name]), label=name, gid=f"relative-{k}",
                **styles[k % len(styles)])
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.axvline(1.0, color="0.7", lw=0.8, ls=":", gid="factor-1")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("peak relative to the baseline")
    return ax
