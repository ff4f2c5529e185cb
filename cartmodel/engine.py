"""The engine of Equation 1: tumour term, capacity, time grid and the logistic update.

The one place where Equation 1 is computed; every model of the package calls
it.  The in-browser explorers hold a JavaScript copy of :func:`tumour_term`,
:func:`capacity_from_tumour` and :func:`logistic_steps`, kept equal by tests.

Equation 1, as the book reads it::

    tumour_t = P exp((q - r) t)                       (antigen units)
    K_t      = K B (tumour_t + 1)                     (b_placement "capacity")
             = K (B tumour_t + 1)                     (b_placement "antigen")
    1 / N_t  = a / N_{t-1} + (1 - a) / K_t,   a = exp(-r dt)    (reading "exact")

Arrays follow one convention: parameters broadcast together to a shape ``S``
and time is the last axis, so trajectories have shape ``S + (steps + 1,)``.

Checks happen once, at the public front doors, with :func:`check_run` (or the
``check_*`` functions and :func:`time_grid` it is made of).  The computing
functions trust their callers: they take float64 arrays already checked and
broadcast, and check nothing again.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import as_real_array, check_choice
from .parameters import check

__all__ = [
    "B_PLACEMENTS",
    "LARGEST_EXPONENT",
    "MAX_STEPS",
    "READINGS",
    "CheckedRun",
    "broadcast_shape",
    "capacity_coefficients",
    "capacity_from_tumour",
    "check_capacity_range",
    "check_doses",
    "check_model_parameters",
    "check_run",
    "doses_by_step",
    "first_day_below",
    "iterate",
    "logistic_steps",
    "time_grid",
    "tumour_term",
]

Floats = NDArray[np.float64]
Reading = Literal["exact", "closed", "literal"]
BPlacement = Literal["capacity", "antigen"]

#: The readings of Equation 1 (see :func:`cartmodel.simulate`).
READINGS: tuple[Reading, ...] = ("exact", "closed", "literal")
#: Where the affinity factor ``B`` enters the capacity.
B_PLACEMENTS: tuple[BPlacement, ...] = ("capacity", "antigen")

#: Largest number of time steps one call may take (memory grows with it).
MAX_STEPS = 1_000_000
# Capacities are kept inside float64's comfortable range so that the
# reciprocal form of the update neither overflows nor underflows.
_LOG_MAX_CELLS = math.log(1e300)
_LOG_MIN_CELLS = math.log(1e-300)
#: The largest exponent :func:`numpy.exp` takes without overflowing float64 (rounded down).
LARGEST_EXPONENT = 700.0


def check_model_parameters(r: Any, q: Any, B: Any, P: Any, K: Any) -> tuple[Floats, Floats, Floats, Floats, Floats]:
    """Equation 1's ``r, q, B, P, K`` checked against the parameter table, as float64 arrays, in that order."""
    return check("r", r), check("q", q), check("B", B), check("P", P), check("K", K)


def broadcast_shape(arrays: Mapping[str, Any]) -> tuple[int, ...]:
    """Broadcast shape of named arrays; the error names each shape if they do not broadcast."""
    try:
        return np.broadcast_shapes(*(np.shape(a) for a in arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{name} {np.shape(a)}" for name, a in arrays.items())
        raise ValueError(f"parameter shapes do not broadcast together: {shapes}") from None


def time_grid(days: Any, dt: Any) -> tuple[Floats, int]:
    """The time grid ``0, dt, ..., days`` in days, and its number of steps.

    ``days`` (the horizon) and ``dt`` must be positive scalars with ``days / dt``
    a whole number of steps, at most :data:`MAX_STEPS`.
    """
    days_ = check("days", days)
    dt_ = check("dt", dt)
    if days_.ndim or dt_.ndim:
        raise TypeError(f"days and dt must be scalars; got days={days!r}, dt={dt!r}")
    ratio = float(days_) / float(dt_)
    steps = round(ratio)
    if steps < 1 or abs(ratio - steps) > 1e-9 * max(1.0, ratio):
        raise ValueError(f"days / dt must be a whole number of steps >= 1; got days={float(days_)!r}, dt={float(dt_)!r}")
    if steps > MAX_STEPS:
        raise ValueError(f"days / dt must be at most {MAX_STEPS} steps; got {steps} (days={days!r}, dt={dt!r})")
    return np.arange(steps + 1, dtype=np.float64) * float(dt_), steps


def check_doses(doses: Any, t: Floats) -> list[tuple[int, Floats]]:
    """Check a schedule of later infusions, ``(day, n0)`` pairs, and put each on its grid step."""
    if doses is None:
        return []
    if isinstance(doses, (str, bytes)) or not isinstance(doses, Iterable):
        raise TypeError(f"doses must be a sequence of (day, n0) pairs; got {doses!r}")
    horizon = float(t[-1])
    dt = float(t[1] - t[0])
    schedule = []
    for index, item in enumerate(doses):
        try:
            day, cells = item
        except (TypeError, ValueError):
            raise TypeError(f"doses[{index}] must be a (day, n0) pair; got {item!r}") from None
        day_ = as_real_array(f"doses[{index}] day", day, low=0.0, high=horizon, unit="days")
        if day_.ndim:
            raise TypeError(f"doses[{index}] day must be a scalar; got {day!r}")
        cells_ = as_real_array(f"doses[{index}] n0", cells, low=0.0, unit="model cells")
        # the first grid time at or after the day (tolerant of rounding in day/dt)
        step = min(math.ceil(float(day_) / dt - 1e-9), len(t) - 1)
        schedule.append((step, cells_))
    return schedule


def doses_by_step(schedule: list[tuple[int, Floats]], shape: tuple[int, ...]) -> dict[int, Floats]:
    """Cells added on each step (infusions on the same step add up)."""
    added: dict[int, Floats] = {}
    for step, cells in schedule:
        added[step] = added.get(step, np.zeros(shape)) + np.broadcast_to(cells, shape)
    return added


def check_capacity_range(r: Floats, q: Floats, B: Floats, P: Floats, K: Floats, horizon: float, placement: str) -> None:
    """Refuse parameters whose capacity would leave float64's safe range (1e-300 to 1e300)."""
    with np.errstate(divide="ignore"):
        log_tumour_max = np.log(P) + np.maximum(q - r, 0.0) * horizon
        log_kb = np.log(K) + np.log(B)
        if placement == "capacity":
            log_high = log_kb + np.logaddexp(log_tumour_max, 0.0)
            log_low = log_kb
        else:
            log_high = np.log(K) + np.logaddexp(np.log(B) + log_tumour_max, 0.0)
            log_low = np.log(K)
    if np.any(log_high > _LOG_MAX_CELLS):
        raise ValueError(
            "the capacity K_t must stay below 1e300 model cells over the horizon; lower K, B, P or q, raise r, or shorten days"
        )
    if np.any(log_low < _LOG_MIN_CELLS):
        raise ValueError("the plateau (K * B, or K) must be above 1e-300 model cells; raise K or B")


@dataclass(frozen=True)
class CheckedRun:
    """Equation 1's inputs as a front door has checked them (see :func:`check_run`).

    ``parameters`` are ``r, q, B, P, K`` from :func:`check_model_parameters`
    (own shapes); ``t`` the :func:`time_grid`; ``shape`` the broadcast shape of
    the parameters and the ``others`` checked with them.
    """

    parameters: tuple[Floats, ...]
    t: Floats
    reading: Reading
    b_placement: BPlacement
    shape: tuple[int, ...]

    def tumour(self) -> Floats:
        """The tumour term on the time grid (:func:`tumour_term`), time last."""
        r, q, _, P, _ = self.parameters
        return tumour_term(self.t, r, q, P)

    def capacity(self, tumour: Floats) -> Floats:
        """The capacity from a tumour term (:func:`capacity_from_tumour`), time last."""
        _, _, B, _, K = self.parameters
        return capacity_from_tumour(tumour, B, K, self.b_placement)


def check_run(
    *, r: Any, q: Any, B: Any, P: Any, K: Any, days: Any, dt: Any, reading: Any, b_placement: Any, others: Mapping[str, Any] | None = None
) -> CheckedRun:
    """Check a front door's Equation 1 inputs once: parameters, time grid, choices, shapes and capacity range.

    ``others`` names further arrays, checked by the caller, that must
    broadcast with the parameters; their shapes enter ``shape``.
    """
    parameters = r_, q_, B_, P_, K_ = check_model_parameters(r, q, B, P, K)
    reading_ = check_choice("reading", reading, READINGS)
    placement = check_choice("b_placement", b_placement, B_PLACEMENTS)
    t, _ = time_grid(days, dt)
    shape = broadcast_shape({"r": r_, "q": q_, "B": B_, "P": P_, "K": K_, **(others or {})})
    check_capacity_range(r_, q_, B_, P_, K_, float(t[-1]), placement)  # the checks broadcast
    return CheckedRun(parameters=parameters, t=t, reading=reading_, b_placement=placement, shape=shape)


def tumour_term(t: Floats, r: ArrayLike, q: ArrayLike, P: ArrayLike) -> Floats:
    """``P exp((q - r) t)`` in antigen units, time last, without ``0 * inf``.

    Where the exponential alone would overflow, computed as ``exp(ln P + (q - r) t)``.
    """
    r, q, P = np.asarray(r, dtype=float), np.asarray(q, dtype=float), np.asarray(P, dtype=float)
    exponent = (q - r)[..., None] * t
    tumour = P[..., None] * np.exp(np.minimum(exponent, LARGEST_EXPONENT))
    huge = exponent > LARGEST_EXPONENT
    if np.any(huge):
        with np.errstate(divide="ignore"):
            via_log = np.exp(np.log(P)[..., None] + exponent)
        tumour = np.where(huge, via_log, tumour)
    return tumour


def capacity_from_tumour(tumour: Floats, B: ArrayLike, K: ArrayLike, placement: str) -> Floats:
    """The capacity ``K_t`` from the tumour term: ``K B (tumour + 1)`` or ``K (B tumour + 1)``.

    ``tumour`` (AU, >= 0) has time last; ``B`` and ``K`` broadcast with its other axes.
    """
    scale, slope = capacity_coefficients(B, K, placement)
    if placement == "capacity":
        return scale[..., None] * (tumour + 1.0)
    return scale[..., None] * (slope[..., None] * tumour + 1.0)


def capacity_coefficients(B: ArrayLike, K: ArrayLike, placement: str) -> tuple[Floats, Floats]:
    """``(scale, slope)`` with ``K_t = scale * (slope * tumour + 1)``: ``(K B, 1)`` or ``(K, B)`` by placement.

    For models that advance the tumour step by step (:mod:`cartmodel.killing`).
    """
    B, K = np.asarray(B, dtype=float), np.asarray(K, dtype=float)
    if placement == "capacity":
        return K * B, np.ones_like(B)
    return np.array(K), B


def logistic_steps(
    cap: Floats | Callable[[int, Floats], Floats], r: Floats, n0: Floats, t: Floats, reading: str, added: Mapping[int, Floats]
) -> Iterator[Floats]:
    """Yield ``N_0, N_1, ..., N_steps`` of one reading of Equation 1.

    ``cap`` (> 0) holds the capacity with time last, its other axes broadcasting
    with ``r``, ``n0`` and the infusions in ``added`` (step -> cells); or it is a
    function ``cap(k, n_previous)`` giving step ``k``'s capacity (for
    :mod:`cartmodel.killing`).  ``t`` is a :func:`time_grid`.
    """
    if callable(cap):
        capacity_at = cap
    else:
        grid = cap

        def capacity_at(k: int, n_previous: Floats) -> Floats:
            return grid[..., k]

    n = n0 + added.get(0, 0.0)
    yield n
    dt = float(t[1] - t[0])
    keep, grow = np.exp(-r * dt), -np.expm1(-r * dt)
    start_n, start_day = n, 0.0  # for "closed": the latest infusion restarts the clock
    for k in range(1, len(t)):
        cap_k = capacity_at(k, n)
        if reading == "exact":
            n = 1.0 / (keep / n + grow / cap_k)
        elif reading == "literal":
            n = 1.0 / (np.exp(-r * t[k]) / n + -np.expm1(-r * t[k]) / cap_k)
        else:
            elapsed = t[k] - start_day
            n = 1.0 / (np.exp(-r * elapsed) / start_n + -np.expm1(-r * elapsed) / cap_k)
        if k in added:
            n = n + added[k]
            start_n, start_day = n, t[k]
        yield n


def iterate(cap: Floats, r: Floats, n0: Floats, t: Floats, reading: str, added: Mapping[int, Floats]) -> Floats:
    """The whole trajectory of :func:`logistic_steps`, time last."""
    shape = np.broadcast_shapes(cap.shape[:-1], np.shape(r), np.shape(n0), *(np.shape(a) for a in added.values()))
    car_t = np.empty(shape + (len(t),))
    for k, n in enumerate(logistic_steps(cap, r, n0, t, reading, added)):
        car_t[..., k] = n
    return car_t


def first_day_below(t: Floats, tumour: Floats, level: Any = 1.0) -> Floats:
    """First grid day with ``tumour < level`` along the last axis; ``inf`` if none.

    ``level`` (antigen units) broadcasts with ``tumour``'s leading axes.
    """
    below = tumour < np.asarray(level, dtype=float)[..., None]
    return np.where(below.any(axis=-1), t[below.argmax(axis=-1)], np.inf)
