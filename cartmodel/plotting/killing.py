"""Figures of Equation 1 with killing: the killing rate's scan, the therapeutic window, verdicts side by side.

Each function draws on ``ax`` (a new figure if omitted) and returns the axes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from ._common import axes_or_new, check_curve, check_flag, check_grid, check_mapping

__all__ = ["VERDICT_COLOURS", "plot_dose_window", "plot_kill_scan", "plot_verdicts"]

#: Colour of each verdict's cell in :func:`plot_verdicts` (by the verdict's first word).
VERDICT_COLOURS: Mapping[str, str] = {"consistent": "#4c9a5a", "mixed": "#d9a441", "in": "#d9a441", "inconsistent": "#c0392b"}


def plot_kill_scan(
    kill_rates: np.ndarray,
    values: Mapping[str, np.ndarray],
    ax: Axes | None = None,
    *,
    ylabel: str = "",
    marks: Mapping[str, float] | None = None,
    log: bool = False,
) -> Axes:
    """Quantities of the calibrated killing model against the killing rate.

    Parameters
    ----------
    kill_rates : numpy.ndarray
        1-D killing rates, per day, >= 0.
    values : mapping of label to array
        One line per entry, one value per rate (``inf`` or NaN leave a gap).
    ylabel, log : str, bool
        Label of the vertical axis; whether it is logarithmic.
    marks : mapping of label to float, optional
        Horizontal reference lines (a day, a residual), drawn dotted.

    Artists: ``scan-<k>`` for the ``k``-th line, ``mark-<k>`` for the marks.
    """
    x = check_grid("kill_rates", kill_rates, low=0.0)
    log = check_flag("log", log)
    ax = axes_or_new(ax)
    for k, (label, curve) in enumerate(check_mapping("values", values).items()):
        y = np.asarray(check_curve(f"values[{label!r}]", curve, x), dtype=float)
        y = np.where(np.isfinite(y), y, np.nan)
        ax.plot(x, y, marker="o", ms=3, label=label, gid=f"scan-{k}")
    for k, (label, level) in enumerate((marks or {}).items()):
        ax.axhline(level, color="0.4", lw=1, ls=":", gid=f"mark-{k}")
        ax.annotate(label, xy=(x[-1], level), xytext=(-2, 2), textcoords="offset points", ha="right", va="bottom", fontsize=8, color="0.3")
    if log:
        ax.set_yscale("log")
    ax.set(xlabel="killing rate \u03b3 (per day)", ylabel=ylabel)
    ax.legend(frameon=False, fontsize=8)
    return ax


def plot_dose_window(
    burden_factors: np.ndarray,
    lowest: Mapping[str, np.ndarray],
    highest: Mapping[str, np.ndarray],
    ax: Axes | None = None,
    *,
    label_range: tuple[float, float] | None = None,
    dose_range: tuple[float, float] = (1e-3, 1e3),
) -> Axes:
    """The therapeutic window against the burden: smallest clearing dose and largest dose under the ceiling.

    Parameters
    ----------
    burden_factors : numpy.ndarray
        1-D burdens (multiples of the calibrated burden), > 0.
    lowest, highest : mapping of label to array
        For each model, the lower and upper bound at each burden (NaN where none).
        Lower bounds are solid lines, upper bounds dashed, in the same colour.
    label_range, dose_range : (float, float)
        The label dose range, shaded grey (optional); the searched doses, the vertical limits.

    Artists: ``lowest-<k>`` and ``highest-<k>`` for the ``k``-th model, ``label-range``.
    """
    x = check_grid("burden_factors", burden_factors, low=0.0, low_open=True)
    ax = axes_or_new(ax)
    if label_range is not None:
        ax.axhspan(*label_range, color="0.88", zorder=0, gid="label-range")
        ax.annotate("label dose range", xy=(x[0], label_range[1]), xytext=(2, -10), textcoords="offset points", fontsize=8, color="0.35")
    for k, (label, low) in enumerate(check_mapping("lowest", lowest).items()):
        line = ax.plot(x, check_curve(f"lowest[{label!r}]", low, x), lw=2, label=f"{label}: smallest clearing dose", gid=f"lowest-{k}")[0]
        high = check_mapping("highest", highest)[label]
        ax.plot(
            x,
            check_curve(f"highest[{label!r}]", high, x),
            lw=2,
            ls="--",
            color=line.get_color(),
            label=f"{label}: largest dose under the ceiling",
            gid=f"highest-{k}",
        )
    ax.set(xscale="log", yscale="log", ylim=dose_range)
    ax.set(xlabel="burden (multiple of the calibrated burden)", ylabel="dose (multiple of the median dose)")
    ax.legend(frameon=False, fontsize=7, loc="lower right")
    return ax


def plot_verdicts(findings: Sequence[str], verdicts: Mapping[str, Sequence[str]], ax: Axes | None = None) -> Axes:
    """A grid of verdicts, one row per finding and one column per model; rows whose verdict changes are marked.

    Parameters
    ----------
    findings : sequence of str
        Row labels, top to bottom.
    verdicts : mapping of model label to sequence of str
        One verdict per finding for each model; its first word picks the colour
        (:data:`VERDICT_COLOURS`).

    Artists: ``cell-<row>-<column>`` and ``changed-<row>``.
    """
    rows = list(findings)
    columns = check_mapping("verdicts", verdicts)
    for label, column in columns.items():
        if len(column) != len(rows):
            raise ValueError(f"verdicts[{label!r}] must have one verdict per finding ({len(rows)}); got {len(column)}")
    ax = axes_or_new(ax)
    n_rows, n_columns = len(rows), len(columns)
    for j, column in enumerate(columns.values()):
        for i, verdict in enumerate(column):
            colour = VERDICT_COLOURS.get(verdict.split()[0], "0.7")
            ax.add_patch(Rectangle((j, n_rows - 1 - i), 0.96, 0.9, color=colour, gid=f"cell-{i}-{j}"))
            ax.text(j + 0.48, n_rows - 1 - i + 0.45, verdict, ha="center", va="center", fontsize=7.5, color="white", wrap=True)
    for i in range(n_rows):
        if len({column[i] for column in columns.values()}) > 1:
            ax.annotate(
                "changes",
                xy=(n_columns, n_rows - 1 - i + 0.45),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
                fontweight="bold",
                gid=f"changed-{i}",
            )
    ax.set(xlim=(0, n_columns + 0.5), ylim=(0, n_rows))
    ax.set_xticks([j + 0.48 for j in range(n_columns)], list(columns), fontsize=9)
    ax.xaxis.tick_top()
    ax.set_yticks([n_rows - 1 - i + 0.45 for i in range(n_rows)], rows, fontsize=8)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    return ax
