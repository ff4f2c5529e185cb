"""Dosing with Equation 1: dose-response grids, a ceiling dose and split schedules.

Equation 1 has no cytokines, so toxicity enters through a *proxy*: the
predicted peak CAR T level, in model cells, must stay under a ceiling, a
stand-in for the risk of cytokine release syndrome, not a prediction of it.
Doses are model quantities, not recommendations.  Every function broadcasts
its parameters: a nomogram over a grid of doses and burdens is one call.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import as_real_scalar, bisect, check_positive_int
from .engine import (
    BPlacement,
    CheckedRun,
    Reading,
    capacity_from_tumour,
    check_capacity_range,
    check_run,
    first_day_below,
    logistic_steps,
    tumour_term,
)
from .model import Expansion, simulate
from .parameters import DEFAULT_DAYS, PARAMETERS, check

_Array = NDArray[np.float64]
_Flags = NDArray[np.bool_]

__all__ = [
    "EXAMPLE_CEILING",
    "EXAMPLE_CLEAR_BY_DAY",
    "EXAMPLE_N0_RANGE",
    "CeilingDose",
    "DoseResponse",
    "ScheduleComparison",
    "burden_for_ceiling",
    "dose_for_ceiling",
    "dose_response",
    "split_doses",
    "split_schedule",
]

#: The book's illustrative ceiling, a peak of 10**8 model cells (Figure 1's
#: single infused cell peaks near 1.5e7); not a clinical threshold.
EXAMPLE_CEILING = PARAMETERS["ceiling"].default
#: The book's example efficacy requirement: the tumour term below the clearance level by day 42.
EXAMPLE_CLEAR_BY_DAY = PARAMETERS["clear_by_day"].default
#: Single doses the book searches, model cells: from one cell (a deterministic
#: count means nothing for a fraction of a cell).
EXAMPLE_N0_RANGE = (1.0, 1e6)


@dataclass(frozen=True)
class DoseResponse:
    """Summary of Equation 1 over a grid of parameter sets, named as :class:`cartmodel.model.Expansion`'s properties.

    Attributes
    ----------
    peak, peak_day : numpy.ndarray
        Largest CAR T count over the horizon (model cells) and its day (the first, if reached twice).
    clearance_day, final : numpy.ndarray
        First grid day with the tumour term below the clearance level (``inf`` if
        none); CAR T count on the last day of the horizon, model cells.
    """

    peak: NDArray[np.float64]
    peak_day: NDArray[np.float64]
    clearance_day: NDArray[np.float64]
    final: NDArray[np.float64]

    @classmethod
    def of_steps(cls, cells: Iterator[_Array], t: _Array, shape: tuple[int, ...], clearance: _Array) -> DoseResponse:
        """The summaries, in ``shape``, of the counts ``cells`` yields on the time grid ``t``; ``clearance`` is read after the last."""
        n = next(cells)
        peak, peak_day = np.array(np.broadcast_to(n, shape)), np.zeros(shape)
        for k, n in enumerate(cells, start=1):
            np.copyto(peak_day, t[k], where=n > peak)  # strictly: the first day of the peak
            np.maximum(peak, n, out=peak)
        final = np.array(np.broadcast_to(n, shape))
        return cls(peak=peak, peak_day=peak_day, clearance_day=np.array(np.broadcast_to(clearance, shape)), final=final)


@dataclass(frozen=True)
class CeilingDose:
    """The largest single dose under the model ceiling (see :func:`dose_for_ceiling`).

    Attributes
    ----------
    n0, peak : numpy.ndarray
        Largest dose searched whose peak stays at or under the ceiling and whose
        tumour clears in time, and its peak, model cells; 0 where no dose does both.
    clearance_day : numpy.ndarray
        As in :class:`DoseResponse`.
    feasible, at_max_dose, clears_in_time : numpy.ndarray of bool
        Whether some dose of the range meets both conditions; whether ``n0`` is
        the top of the range; whether the tumour term is below the clearance
        level by ``clear_by_day`` (True if no day was asked for).
    reason : numpy.ndarray of str
        Empty where feasible; otherwise why no dose qualifies.
    """

    n0: NDArray[np.float64]
    peak: NDArray[np.float64]
    clearance_day: NDArray[np.float64]
    feasible: NDArray[np.bool_]
    at_max_dose: NDArray[np.bool_]
    clears_in_time: NDArray[np.bool_]
    reason: NDArray[np.str_]

    def n0_or_none(self) -> float | None:
        """The dose as a float, or ``None`` where no dose qualifies (scalar results only)."""
        if self.n0.ndim:
            raise ValueError(f"n0_or_none needs a single result; this one has shape {self.n0.shape}")
        return float(self.n0) if bool(self.feasible) else None


@dataclass(frozen=True)
class ScheduleComparison:
    """A split schedule beside one infusion of the same total (see :func:`split_schedule`).

    Attributes
    ----------
    doses : tuple of (float, float)
        The split schedule as (day, n0) pairs.
    single, split : Expansion
        Trajectories after one infusion of the total and after the split schedule.
    """

    doses: tuple[tuple[float, float], ...]
    single: Expansion
    split: Expansion

    @property
    def peak_ratio(self) -> NDArray[np.float64]:
        """Peak of the split schedule divided by the peak of the single infusion."""
        return self.split.peak / self.single.peak


def dose_response(
    *,
    n0: ArrayLike,
    P: ArrayLike,
    B: ArrayLike,
    r: ArrayLike,
    q: ArrayLike,
    K: ArrayLike,
    days: float = DEFAULT_DAYS,
    dt: float = 1.0,
    reading: Reading = "exact",
    b_placement: BPlacement = "capacity",
    clearance_level: ArrayLike = 1.0,
) -> DoseResponse:
    """Peak, day of peak, clearance day and final count of Equation 1 over any parameter grid.

    :func:`cartmodel.simulate`'s numbers, keeping running summaries only, so a
    grid of doses costs little more than its final array.

    Parameters
    ----------
    n0, P, B, r, q, K, days, dt, reading, b_placement, clearance_level
        As in :func:`cartmodel.simulate`.

    Returns
    -------
    DoseResponse
        Arrays of the broadcast shape of all parameters.

    Examples
    --------
    >>> import numpy as np
    >>> grid = dose_response(n0=np.array([[1.0], [10.0]]), P=[1e2, 1e3], B=0.625, r=1.5, q=1.2, K=1e6)
    >>> grid.peak.shape
    (2, 2)
    """
    dose = check("n0", n0)
    level = check("clearance_level", clearance_level)
    run = check_run(
        r=r, q=q, B=B, P=P, K=K, days=days, dt=dt, reading=reading, b_placement=b_placement, others={"n0": dose, "clearance_level": level}
    )
    tumour = run.tumour()
    return _summaries(run, dose, run.capacity(tumour), run.parameters[0], first_day_below(run.t, tumour, level))


def _summaries(run: CheckedRun, dose: _Array, cap: _Array, r: _Array, clearance: _Array) -> DoseResponse:
    """:class:`DoseResponse` of checked inputs, the capacity ``cap`` (time last) in the parameters' shape."""
    shape = np.broadcast_shapes(cap.shape[:-1], r.shape, dose.shape, clearance.shape)
    return DoseResponse.of_steps(logistic_steps(cap, r, dose, run.t, run.reading, {}), run.t, shape, clearance)


def dose_for_ceiling(
    *,
    ceiling: ArrayLike, P: ArrayLike, B: ArrayLike, r: ArrayLike, q: ArrayLike, K: ArrayLike,
    clear_by_day: float | None = None, min_n0: float = EXAMPLE_N0_RANGE[0], max_n0: float = EXAMPLE_N0_RANGE[1],
    days: float = DEFAULT_DAYS, dt: float = 1.0, reading: Reading = "exact", b_placement: BPlacement = "capacity",
    clearance_level: float = 1.0, rtol: float = 1e-6,
) -> CeilingDose:
    """Largest single dose whose predicted peak stays under a model ceiling.

    The peak rises strictly with the dose, so the dose is found by bisection on
    its logarithm, for every parameter set at once.

    Parameters
    ----------
    ceiling : float or array_like
        Highest acceptable peak, in model cells, > 0.
    P, B, r, q, K, days, dt, reading, b_placement, clearance_level
        As in :func:`cartmodel.simulate`; the arrays broadcast.
    clear_by_day : float, optional
        Also require the tumour term below ``clearance_level`` by this day, in
        (0, days]; in Equation 1 this never depends on the dose.
    min_n0, max_n0, rtol : float
        The range of doses searched, in model cells, ``1 <= min_n0 < max_n0``;
        the dose's relative precision, in (0, 0.1].

    Returns
    -------
    CeilingDose

    Examples
    --------
    >>> best = dose_for_ceiling(ceiling=1e8, P=1e3, B=0.625, r=1.5, q=1.2, K=1e6, clear_by_day=42)
    >>> best.n0_or_none() is not None
    True
    >>> dose_for_ceiling(ceiling=1e8, P=1e8, B=0.625, r=1.5, q=1.2, K=1e6).n0_or_none() is None
    True
    """
    ceiling_ = check("ceiling", ceiling)
    low_dose = as_real_scalar("min_n0", min_n0, low=1.0, unit="model cells")
    high_dose = as_real_scalar("max_n0", max_n0, low=low_dose, low_open=True, unit="model cells")
    tolerance = as_real_scalar("rtol", rtol, low=0.0, high=0.1, low_open=True)
    level = as_real_scalar("clearance_level", clearance_level, **PARAMETERS["clearance_level"].limits)
    checked = check_run(r=r, q=q, B=B, P=P, K=K, days=days, dt=dt, reading=reading, b_placement=b_placement, others={"ceiling": ceiling_})
    horizon = float(checked.t[-1])
    by_day = (
        None if clear_by_day is None else as_real_scalar("clear_by_day", clear_by_day, low=0.0, high=horizon, low_open=True, unit="days")
    )
    shape, tumour = checked.shape, checked.tumour()
    cap, clearance_days = checked.capacity(tumour), first_day_below(checked.t, tumour, np.asarray(level))

    # Every step of the search runs the engine on checked inputs; nothing is checked again.
    def run(dose: NDArray[np.float64]) -> DoseResponse:
        return _summaries(checked, dose, cap, checked.parameters[0], clearance_days)

    at_low = run(np.broadcast_to(low_dose, shape))
    at_high = run(np.broadcast_to(high_dose, shape))
    ceiling = np.broadcast_to(ceiling_, shape)
    clearance = at_low.clearance_day
    clears = np.ones(shape, dtype=bool) if by_day is None else clearance <= by_day
    too_high = at_low.peak > ceiling
    at_max = at_high.peak <= ceiling

    log_dose = _log_largest_dose_under(
        lambda mid: run(np.exp(mid)).peak <= ceiling, low_dose, high_dose, tolerance, searched=~too_high & ~at_max, at_max=at_max
    )
    feasible = clears & ~too_high
    dose = np.where(feasible, np.exp(log_dose), 0.0)
    peak = np.where(feasible, run(np.where(feasible, dose, 1.0)).peak, 0.0)
    reason = _why_no_dose(too_high, clears, clearance, low_dose=low_dose, level=level, horizon=horizon, by_day=by_day)
    return CeilingDose(
        n0=dose, peak=peak, clearance_day=clearance, feasible=feasible, at_max_dose=at_max & feasible, clears_in_time=clears, reason=reason
    )


def _log_largest_dose_under(
    under: Callable[[_Array], _Flags], low: float, high: float, rtol: float, *, searched: _Flags, at_max: _Flags
) -> _Array:
    """Log of the largest dose under the ceiling, by bisection on log(dose): lo always under, hi always above."""
    hi = np.full(searched.shape, np.log(high))
    lo = np.where(at_max, hi, np.log(low))
    steps_needed = int(np.ceil(np.log2(max((hi - lo).max(initial=0.0), 1e-300) / rtol))) + 1
    if searched.any():
        lo, hi = bisect(lo, hi, under, searched, max(steps_needed, 1))
    return lo


def _why_no_dose(
    too_high: _Flags, clears: _Flags, clearance: _Array, *, low_dose: float, level: float, horizon: float, by_day: float | None
) -> NDArray[np.str_]:
    """Why no dose qualifies, for each parameter set (empty where one does)."""
    reason = np.where(too_high, f"even the smallest dose searched ({low_dose:g} model cells) peaks above the ceiling", "").astype(object)
    for i in np.ndindex(too_high.shape):
        if not clears[i] and np.isinf(clearance[i]):
            reason[i] = (
                f"the tumour term does not fall below {level:g} AU within {horizon:g} days at any dose "
                "(r <= q, or the burden is too large for the horizon)"
            )
        elif not clears[i]:
            reason[i] = f"the tumour term is not below {level:g} AU by day {by_day:g} at any dose (it falls below on day {clearance[i]:g})"
    return reason.astype(str)


def burden_for_ceiling(
    *,
    ceiling: ArrayLike,
    n0: ArrayLike,
    B: ArrayLike,
    r: ArrayLike,
    q: ArrayLike,
    K: ArrayLike,
    max_P: float = 1e15,
    days: float = DEFAULT_DAYS,
    dt: float = 1.0,
    reading: Reading = "exact",
    b_placement: BPlacement = "capacity",
    rtol: float = 1e-6,
) -> NDArray[np.float64]:
    """Largest antigen burden at which a dose keeps the predicted peak under a model ceiling.

    :func:`dose_for_ceiling` along the other axis of a nomogram: the peak rises
    strictly with ``P``, so the root is bracketed by decades, then bisected on ``ln P``.

    Parameters
    ----------
    ceiling : float or array_like
        Highest acceptable peak, in model cells, > 0.
    n0, B, r, q, K, days, dt, reading, b_placement
        As in :func:`cartmodel.simulate`; the arrays broadcast.
    max_P, rtol : float
        Largest burden searched, in AU, in [1, 1e30]; its relative precision, in (0, 0.1].

    Returns
    -------
    numpy.ndarray
        The burden in AU at which the peak reaches the ceiling; ``inf`` where
        even ``max_P`` stays under it, 0 where even 1e-30 AU overshoots it.

    Examples
    --------
    >>> limit = burden_for_ceiling(ceiling=1e8, n0=1.0, B=0.625, r=1.5, q=1.2, K=1e6)
    >>> bool(1e4 < limit < 1.1e4)
    True
    >>> float(burden_for_ceiling(ceiling=1e5, n0=1.0, B=0.625, r=1.5, q=1.2, K=1e6))
    0.0
    """
    ceiling_ = check("ceiling", ceiling)
    dose = check("n0", n0)
    largest = as_real_scalar("max_P", max_P, low=1.0, high=1e30, unit="AU")
    tolerance = as_real_scalar("rtol", rtol, low=0.0, high=0.1, low_open=True)
    # the burden is searched: P = 0 stands in for it in the checks
    checked = check_run(
        r=r, q=q, B=B, P=0.0, K=K, days=days, dt=dt, reading=reading, b_placement=b_placement, others={"ceiling": ceiling_, "n0": dose}
    )
    t, shape, placement = checked.t, checked.shape, checked.b_placement

    def under(burden: NDArray[np.float64], axis: bool) -> NDArray[np.bool_]:
        # every step of the search runs the engine on checked inputs; nothing is checked again
        extra = (Ellipsis, None) if axis else (Ellipsis,)
        r, q, B, _, K, n, top = (np.broadcast_to(value, shape)[extra] for value in (*checked.parameters, dose, ceiling_))
        check_capacity_range(r, q, B, burden, K, float(t[-1]), placement)
        cap = capacity_from_tumour(tumour_term(t, r, q, burden), B, K, placement)
        peak = _summaries(checked, n, cap, r, np.full((), np.inf)).peak
        return np.asarray(peak <= top)

    # Bracket between neighbouring decades (the peak rises with P, so the count
    # of decades under the ceiling locates the root), then bisect on ln P.
    decades = 10.0 ** np.arange(-30.0, math.floor(math.log10(largest)) + 1.0)
    if decades[-1] < largest:
        decades = np.append(decades, largest)
    count = under(decades, axis=True).sum(axis=-1)
    inside = (count > 0) & (count < decades.size)
    lo = np.log(decades[np.clip(count - 1, 0, decades.size - 1)])
    hi = np.log(decades[np.clip(count, 0, decades.size - 1)])
    if inside.any():
        steps = int(np.ceil(np.log2(float(np.max(hi - lo)) / tolerance))) + 1
        lo, hi = bisect(lo, hi, lambda mid: under(np.exp(mid), axis=False), inside, steps)
    limit = np.where(count == 0, 0.0, np.where(count == decades.size, np.inf, np.exp(lo)))
    return np.asarray(limit, dtype=float)


def split_doses(total_n0: float, infusions: int, interval_days: float) -> tuple[tuple[float, float], ...]:
    """A split schedule: ``infusions`` equal doses of ``total_n0 / infusions``, ``interval_days`` apart.

    Parameters
    ----------
    total_n0 : float
        Total CAR T cells given, in model cells, > 0.
    infusions : int
        Number of equal infusions, 1 to 1000; the first is on day 0.
    interval_days : float
        Days between infusions, >= 0.

    Returns
    -------
    tuple of (day, n0)
        Starting on day 0; doses in model cells.

    Examples
    --------
    >>> split_doses(300.0, 3, 2.0)
    ((0.0, 100.0), (2.0, 100.0), (4.0, 100.0))
    """
    total = as_real_scalar("total_n0", total_n0, low=0.0, low_open=True, unit="model cells")
    count = check_positive_int("infusions", infusions, low=1, high=1000)
    interval = as_real_scalar("interval_days", interval_days, **PARAMETERS["interval_days"].limits)
    each = total / count
    return tuple((i * interval, each) for i in range(count))


def split_schedule(*, total_n0: float, infusions: int, interval_days: float, **model: Any) -> ScheduleComparison:
    """Compare ``infusions`` doses of ``total_n0 / infusions`` with one infusion of the total.

    Parameters
    ----------
    total_n0, infusions, interval_days
        As in :func:`split_doses`; the last infusion must fall within the horizon.
    **model
        The keywords of :func:`cartmodel.simulate` but ``n0`` and ``doses``.

    Returns
    -------
    ScheduleComparison
    """
    schedule = split_doses(total_n0, infusions, interval_days)
    single = simulate(n0=float(total_n0), **model)
    last, horizon = schedule[-1][0], float(single.t[-1])
    if last > horizon:
        raise ValueError(
            f"the last of {len(schedule)} infusions {float(interval_days):g} days apart falls on day {last:g}, "
            f"after the horizon of {horizon:g} days; lower infusions or interval_days, or raise days"
        )
    split = simulate(n0=schedule[0][1], doses=list(schedule[1:]), **model)
    return ScheduleComparison(doses=schedule, single=single, split=split)
