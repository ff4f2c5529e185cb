"""Matplotlib figures of the book, drawn from :mod:`cartmodel.model` results.

Each function draws on an ``ax`` it is given (or a new one) and returns the
axes, so that chapters can compose panels and tests can read back the plotted
data from ``ax.lines``.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from .model import Expansion

__all__ = ["CAR_T_COLOUR", "TUMOUR_COLOUR", "plot_figure_1", "plot_figure_2", "plot_readings"]

#: Colours of the paper's Figure 2: CAR T cells black, ALL blasts red.
CAR_T_COLOUR = "black"
TUMOUR_COLOUR = "#c0392b"


def _axes(ax: Axes | None) -> Axes:
    return ax if ax is not None else plt.subplots(figsize=(6.4, 4.0))[1]


def _single(result: Expansion, name: str) -> None:
    if not isinstance(result, Expansion):
        raise TypeError(f"{name} must be an Expansion returned by cartmodel.simulate; got {type(result).__name__}")
    if result.car_t.ndim != 1:
        raise ValueError(f"{name} must hold a single trajectory; got car_t of shape {result.car_t.shape}")


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
    ax.set_ylabel("CAR T cells")
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
    ax.plot(result.t[alive], np.log(result.tumour[alive]), color=TUMOUR_COLOUR, lw=2, label="ALL blasts, ln")
    ax.axhline(0.0, color="0.6", lw=0.8)
    ax.set_xlabel("time (days; one iteration per day)")
    ax.set_ylabel("natural logarithm of cell number")
    ax.set_xlim(result.t[0], result.t[-1])
    ax.legend(frameon=False)
    return ax


def plot_readings(results: Mapping[str, Expansion], ax: Axes | None = None) -> Axes:
    """Several readings of Equation 1 on one log axis, one line each."""
    ax = _axes(ax)
    styles = ["-", "--", ":", "-."]
    for index, (label, result) in enumerate(results.items()):
        _single(result, f"results[{label!r}]")
        ax.plot(result.t, result.car_t, ls=styles[index % len(styles)], lw=2, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("time (days)")
    ax.set_ylabel("CAR T cells (log scale)")
    ax.legend(frameon=False)
    return ax
