"""Equation 2, the paper's Figure 3 and the response to donor lymphocyte infusions."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection

from .._validation import as_real_array, check_instance
from ..equation2 import RepertoireExpansion
from ..model import Expansion
from ..repertoire import PeptideLibrary, rank_frequency
from ._common import axes_or_new, check_curve, check_grid, check_mapping, check_single
from .equation1 import CAR_T_COLOUR, TUMOUR_COLOUR

__all__ = [
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

    ``sizes`` maps each label to a repertoire's clone sizes (cells, > 0);
    ``ax``: the axes to draw on, or a new figure's.
    """
    sizes = check_mapping("sizes", sizes)
    ax = axes_or_new(ax)
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

    ``donor`` is Equation 2 for a donor repertoire (:func:`cartmodel.expand_repertoire`)
    whose presented peptides are ``peptides``; ``car_t`` one Equation 1 trajectory
    (:func:`cartmodel.simulate`).  Returns the three axes ``(peptide_ax, donor_ax,
    car_ax)`` it draws on (``axes``, or a new figure's); the last two share one
    logarithmic cell axis, from ``floor_cells`` (> 0) up.
    """
    check_instance("donor", donor, RepertoireExpansion)
    check_instance("peptides", peptides, PeptideLibrary)
    check_single(car_t, "car_t")
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

    _draw_peptides(pep_ax, peptides)
    _draw_donor_clones(donor_ax, donor, floor_cells)
    _draw_car_t(car_ax, car_t, donor)
    top = max(float(donor.cells.max()), float(donor.alloreactive_cells.max()), float(car_t.car_t.max()))
    donor_ax.set_ylim(floor_cells, top * 3.0)
    return pep_ax, donor_ax, car_ax


def _draw_peptides(ax: Axes, peptides: PeptideLibrary) -> None:
    """Figure 3's panel of presented peptides: expression against HLA-binding IC50."""
    tumour = peptides.tumour
    ax.scatter(peptides.ic50_nm[~tumour], peptides.expression[~tumour], s=6, color=NORMAL_PEPTIDE_COLOUR,
               label=f"normal-tissue peptides ({int((~tumour).sum())})")
    ax.scatter(peptides.ic50_nm[tumour], peptides.expression[tumour], s=14, color=TUMOUR_COLOUR,
               label=f"tumour-associated peptides ({int(tumour.sum())})", zorder=3)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.invert_xaxis()
    ax.set_xlabel("HLA-binding IC50 (nM; tighter to the right)")
    ax.set_ylabel("expression $P_j$ (antigen units)")
    ax.set_title("A  peptides on HLA", loc="left")
    ax.legend(frameon=True, framealpha=0.9, edgecolor="none", fontsize=8, loc="lower left")


def _draw_donor_clones(ax: Axes, donor: RepertoireExpansion, floor_cells: float) -> None:
    """Figure 3's panel of donor clones: every clone's course, and the two kinds' totals."""
    t = donor.t
    for mask, colour, alpha, width in ((~donor.tumour_directed, ALLO_TCR_COLOUR, 0.08, 0.5),
                                       (donor.tumour_directed, TUMOUR_TCR_COLOUR, 0.35, 0.8)):
        cells = np.maximum(donor.cells[mask], floor_cells)
        segments = np.stack([np.broadcast_to(t, cells.shape), cells], axis=-1)
        ax.add_collection(LineCollection(list(segments), colors=colour, alpha=alpha, linewidths=width))
    n_allo, n_tumour = int((~donor.tumour_directed).sum()), int(donor.tumour_directed.sum())
    for total, colour, text in ((donor.alloreactive_cells, ALLO_TCR_COLOUR, f"sum of {n_allo} alloreactive clones"),
                                (donor.tumour_cells, TUMOUR_TCR_COLOUR, f"sum of {n_tumour} tumour-directed clones")):
        ax.plot(t, total, color=colour, lw=2.5, label=text)
        ax.annotate(text, (t[-1], total[-1]), xytext=(-4, 4), textcoords="offset points",
                    ha="right", va="bottom", fontsize=8, color=colour)
    ax.set_yscale("log")
    ax.set_xlim(t[0], t[-1])
    ax.set_xlabel("time (days)")
    ax.set_ylabel("T cells (model cells, log scale)")
    ax.set_title("A  donor T cell clones (Equation 2)", loc="left")


def _draw_car_t(ax: Axes, car_t: Expansion, donor: RepertoireExpansion) -> None:
    """Figure 3's CAR T panel, with the donor's tumour-directed total for comparison."""
    ax.plot(car_t.t, car_t.car_t, color=CAR_T_COLOUR, lw=2.5, label="CAR T cells (Equation 1)")
    ax.plot(donor.t, donor.tumour_cells, color=TUMOUR_TCR_COLOUR, lw=1.5, ls="--",
            label="tumour-directed donor cells (A)")
    ax.set_yscale("log")
    ax.set_xlim(car_t.t[0], car_t.t[-1])
    ax.set_xlabel("time (days)")
    ax.set_title("B  CAR T cells, no HLA needed", loc="left")
    ax.legend(frameon=False, fontsize=8, loc="lower right")


def plot_response_by_infusions(
    infusions: np.ndarray,
    curves: Mapping[str, np.ndarray],
    ax: Axes | None = None,
    *,
    monte_carlo: Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None,
) -> Axes:
    """Response probability against the number of infusions, one line per strategy.

    ``curves`` maps each label to probabilities, one per entry of ``infusions``
    (the x axis); ``monte_carlo`` maps labels to ``(infusions, rate, standard
    error)``, drawn as points with 3-standard-error bars; ``ax``: the axes to
    draw on, or a new figure's.
    """
    x = check_grid("infusions", infusions)
    for label, values in check_mapping("curves", curves).items():
        check_curve(f"curves[{label!r}]", values, x)
    for label, entry in check_mapping("monte_carlo", monte_carlo or {}).items():
        try:
            mx, rate, se = entry
        except (TypeError, ValueError):
            raise TypeError(f"monte_carlo[{label!r}] must be (infusions, rate, standard error); got {entry!r}") from None
        mx = check_grid(f"monte_carlo[{label!r}] infusions", mx)
        check_curve(f"monte_carlo[{label!r}] rate", rate, mx)
        check_curve(f"monte_carlo[{label!r}] standard error", se, mx)
    ax = axes_or_new(ax)
    styles = ["-", "--", ":", "-."]
    colours = [CAR_T_COLOUR, TUMOUR_TCR_COLOUR, ALLO_TCR_COLOUR, "0.5"]
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
