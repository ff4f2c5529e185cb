"""Figures 1 and 2 of the paper, and the readings of Equation 1 side by side."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes

from ..model import Expansion
from ._common import axes_or_new, check_mapping, check_single

__all__ = [
    "CAR_T_COLOUR",
    "TUMOUR_COLOUR",
    "plot_figure_1",
    "plot_figure_2",
    "plot_readings",
]

#: Colour of the CAR T cells in the paper's Figure 2 (black).
CAR_T_COLOUR = "black"
#: Colour of the ALL blasts, the tumour term, in the paper's Figure 2 (red).
TUMOUR_COLOUR = "#c0392b"


def plot_figure_1(result: Expansion, ax: Axes | None = None) -> Axes:
    """The paper's Figure 1: CAR T cells against days, on a linear axis.

    ``result`` is one trajectory of :func:`cartmodel.simulate`; ``ax``: the axes to draw on, or a new figure's.
    """
    check_single(result, "result")
    ax = axes_or_new(ax)
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
    """The paper's Figure 2: ln of CAR T cells (black) and of the tumour term, its ALL blasts (red).

    The tumour term, in antigen units (AU), is drawn down to 1 AU (ln = 0), the clearance level.
    """
    check_single(result, "result")
    ax = axes_or_new(ax)
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
    results = check_mapping("results", results)
    ax = axes_or_new(ax)
    styles = ["-", "--", ":", "-."]
    for index, (label, result) in enumerate(results.items()):
        check_single(result, f"results[{label!r}]")
        ax.plot(result.t, result.car_t, ls=styles[index % len(styles)], lw=2, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("time (days)")
    ax.set_ylabel("CAR T cells (model cells, log scale)")
    ax.legend(frameon=False)
    return ax
