"""Input checks, and the few small helpers, shared by the modules of :mod:`cartmodel`.

Every check raises :class:`TypeError` for a value of the wrong kind and
:class:`ValueError` for a value outside its range, and the message names the
parameter, the offending value and the valid range, so that a reader who moved
a slider too far learns what went wrong without reading a traceback.
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "as_real_array", "as_real_scalar", "as_real_vector", "bind_keywords", "bisect", "check_choice", "check_instance",
    "check_positive_int", "read_only", "rng_from_seed", "seed_value",
]

_Choice = TypeVar("_Choice", bound=str)
_Kind = TypeVar("_Kind")


def _describe(value: Any) -> str:
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return f"an array containing {value!r}" if value.size <= 6 else f"an array of shape {value.shape}"
    return repr(value)


def _range_text(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if low is None and high is None:
        return "any finite real number"
    if high is None:
        return f"a finite real number {'>' if low_open else '>='} {low:g}"
    if low is None:
        return f"a finite real number {'<' if high_open else '<='} {high:g}"
    left = "(" if low_open else "["
    right = ")" if high_open else "]"
    return f"a finite real number in {left}{low:g}, {high:g}{right}"


def as_real_array(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    unit: str = "",
) -> NDArray[np.float64]:
    """Return ``value`` as a float64 array (0-d for a scalar) after checking its type and range.

    :class:`TypeError` for booleans, strings, complex numbers and other
    objects; :class:`ValueError` for NaN, infinity or an element outside
    ``low`` to ``high`` (``None``: unbounded; ``low_open``, ``high_open``: the
    end is excluded).  Messages name ``name``, and ``unit`` if given (``"per day"``).
    """
    if isinstance(value, (bool, np.bool_, str, bytes)) or value is None:
        raise TypeError(f"{name} must be a real number or an array of real numbers; got {value!r}")
    if isinstance(value, numbers.Number) and not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, not {type(value).__name__}; got {value!r}")
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged nested sequences and the like
        raise TypeError(f"{name} must be a real number or an array of real numbers; got {value!r}") from error
    if isinstance(value, (list, tuple)) and array.dtype.kind in "iuf":
        # numpy would silently turn True into 1.0 inside a list; refuse it as for scalars
        if any(isinstance(item, (bool, np.bool_)) for item in np.asarray(value, dtype=object).flat):
            raise TypeError(f"{name} must contain real numbers, not booleans; got {value!r}")
    if array.dtype.kind not in "iuf":
        raise TypeError(
            f"{name} must be a real number or an array of real numbers; got {_describe(value)} "
            f"of dtype {array.dtype}"
        )
    array = array.astype(np.float64)
    unit_text = f" ({unit})" if unit else ""
    valid = _range_text(low, high, low_open, high_open)
    bad = ~np.isfinite(array)
    if low is not None:
        bad |= (array <= low) if low_open else (array < low)
    if high is not None:
        bad |= (array >= high) if high_open else (array > high)
    if np.any(bad):
        first = float(array[bad].flat[0]) if array.ndim else array.item()
        raise ValueError(f"{name}{unit_text} must be {valid}; got {first!r}")
    return array


def as_real_scalar(name: str, value: Any, **limits: Any) -> float:
    """One real number, checked as :func:`as_real_array` checks arrays (same ``limits``).

    Raises :class:`TypeError` for an array where a single number is required.
    """
    number = as_real_array(name, value, **limits)
    if number.ndim:
        raise TypeError(f"{name} must be a scalar; got {value!r}")
    return float(number)


def as_real_vector(name: str, value: Any, **limits: Any) -> NDArray[np.float64]:
    """A non-empty one-dimensional array, checked as :func:`as_real_array` checks arrays (same ``limits``)."""
    array = as_real_array(name, value, **limits)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty one-dimensional array; got shape {array.shape}")
    return array


def check_choice(name: str, value: Any, choices: tuple[_Choice, ...]) -> _Choice:
    """Return ``value`` if it is one of ``choices``, else raise naming ``name``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return choices[choices.index(value)]


def check_instance(name: str, value: Any, kind: type[_Kind]) -> _Kind:
    """Return ``value`` if it is a ``kind`` (a class of the package), else raise naming ``name``."""
    if not isinstance(value, kind):
        article = "an" if kind.__name__[0] in "AEIOU" else "a"
        raise TypeError(f"{name} must be {article} {kind.__name__}; got {type(value).__name__}")
    return value


def check_positive_int(name: str, value: Any, *, low: int = 1, high: int | None = None) -> int:
    """Return ``value`` as an int after checking that it is an integer in range."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be an integer; got {value!r}")
    number = int(value)
    if number < low or (high is not None and number > high):
        upper = f" and <= {high}" if high is not None else ""
        raise ValueError(f"{name} must be an integer >= {low}{upper}; got {number}")
    return number


def rng_from_seed(seed: Any) -> np.random.Generator:
    """A generator from ``seed``: an integer >= 0 seeds a new one, a generator is used as it is."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (numbers.Integral, np.integer)):
        raise TypeError(f"seed must be a non-negative integer or a numpy.random.Generator; got {seed!r}")
    return np.random.default_rng(check_positive_int("seed", seed, low=0))


def seed_value(seed: int | np.random.Generator) -> int | None:
    """The seed a result record keeps: the integer (checked by :func:`rng_from_seed`), ``None`` for a generator."""
    return None if isinstance(seed, np.random.Generator) else int(seed)


def read_only(array: Any) -> NDArray[Any]:
    """A read-only copy of ``array``, for the arrays that frozen result records hold."""
    copy = np.array(array)
    copy.setflags(write=False)
    return copy


def bind_keywords(function: Callable[..., Any], keywords: Mapping[str, Any]) -> dict[str, Any]:
    """``keywords`` as a call to ``function`` would take them, with its defaults filled in.

    For functions that take another's keywords (``**model``): the other's
    signature stays the one source of their names and defaults, and a missing
    or unknown keyword raises the :class:`TypeError` a call would.
    """
    bound = inspect.signature(function).bind(**keywords)
    bound.apply_defaults()
    return dict(bound.arguments)


def bisect(holds_at: NDArray[np.float64], fails_at: NDArray[np.float64],
           holds: Callable[[NDArray[np.float64]], NDArray[np.bool_]], active: NDArray[np.bool_],
           steps: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Halve many brackets at once, ``steps`` times, where ``active``.

    ``holds(x)`` is a condition, true at ``holds_at`` and false at
    ``fails_at``; each step moves one end of every active bracket to its
    midpoint, so that the ends keep that property.
    """
    for _ in range(steps):
        mid = 0.5 * (holds_at + fails_at)
        ok = holds(mid)
        holds_at = np.where(active & ok, mid, holds_at)
        fails_at = np.where(active & ~ok, mid, fails_at)
    return holds_at, fails_at
