"""Input checks and the axes helpers shared by the plotting modules.

Each check raises TypeError or ValueError naming the argument, as the model's functions do.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from .._validation import as_real_vector
from ..model import Expansion


def axes_or_new(ax: Axes | None) -> Axes:
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be matplotlib Axes or None; got {type(ax).__name__}")
    return ax if ax is not None else plt.subplots(figsize=(6.4, 4.0))[1]


def legend_above(ax: Axes, ncols: int) -> Axes:
    """The legend in rows of ``ncols`` above the axes, where it hides no curve."""
    ax.legend(frameon=False, fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=ncols)
    return ax


#: A non-empty 1-D array of finite real numbers (``as_real_array`` limits apply).
check_grid = as_real_vector


def check_single(result: Expansion, name: str) -> None:
    if not isinstance(result, Expansion):
        raise TypeError(f"{name} must be an Expansion returned by cartmodel.simulate; got {type(result).__name__}")
    if result.car_t.ndim != 1:
        raise ValueError(f"{name} must hold a single trajectory; got car_t of shape {result.car_t.shape}")


def check_mapping(name: str, value: object) -> Mapping:
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a mapping of label to data; got {value!r}")
    return value


def check_flag(name: str, value: object) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def check_curve(name: str, value: object, x: np.ndarray, *, log: bool = False) -> np.ndarray:
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
