"""Dosing with Equation 1: dose-response grids, a ceiling dose and split schedules.

The paper proposes "safe dosing nomograms": doses that let the CAR T cells clear
the tumour while keeping toxicity down, and trials of several low-dose
infusions.  Equation 1 has no cytokine compartment, so toxicity enters here
through a *proxy*: the predicted peak CAR T level, in the model's cell units,
must stay under a ceiling.  The paper ties toxicity to uncontrolled CAR T
proliferation and the cytokine storm that follows it; the ceiling turns that
link into a number the model can be held to.  It is a stand-in for the risk of
cytokine release syndrome, not a prediction of it.

Every function broadcasts its parameters: a nomogram over a grid of doses and
burdens is one call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import as_real_array, check_choice, check_positive_int
from .model import (
    B_PLACEMENTS,
    READINGS,
    BPlacement,
    Expansion,
    Reading,
    _broadcast_shape,
    _capacity_from_tumour,
    _check_capacity_range,
    _check_parameters,
    _first_day_below_one_cell,
    _logistic_steps,
    _time_grid,
    _tumour,
    simulate,
)

__all__ = [
    "EXAMPLE_CEILING_CELLS",
    "EXAMPLE_CLEAR_BY_DAY",
    "EXAMPLE_DOSE_RANGE_CELLS",
    "CeilingDose",
    "DoseResponse",
    "ScheduleComparison",
    "dose_for_ceiling",
    "dose_response",
    "split_doses",
    "split_schedule",
]

#: The book's illustrative toxicity ceiling: a peak of 10**8 CAR T cells in the
#: model's units (those of the paper's Figure 1, whose single infused cell
#: peaks near 1.5e7).  It is a proxy for cytokine release risk, not a
#: clinical threshold.
EXAMPLE_CEILING_CELLS = 1e8
#: The book's example requirement on efficacy: fewer than one tumour cell by day 42.
EXAMPLE_CLEAR_BY_DAY = 42.0
#: Range of single doses, in the model's cell units, that the book searches.
EXAMPLE_DOSE_RANGE_CELLS = (1e-3, 1e6)


@dataclass(frozen=True)
class DoseResponse:
    """Summary of Equation 1 over a grid of parameter sets (see :func:`dose_response`).

    Attributes
    ----------
    peak_cells : numpy.ndarray
        Largest CAR T count over the horizon.
    peak_day : numpy.ndarray
        Day of that largest count (the first, if reached twice).
    clearance_day : numpy.ndarray
        First grid day with fewer than one tumour cell; ``inf`` if none.
    final_cells : numpy.ndarray
        CAR T count on the last day of the horizon.
    """

    peak_cells: NDArray[np.float64]
    peak_day: NDArray[np.float64]
    clearance_day: NDArray[np.float64]
    final_cells: NDArray[np.float64]


@dataclass(frozen=True)
class CeilingDose:
    """The largest single dose that respects a peak ceiling (see :func:`dose_for_ceiling`).

    Attributes
    ----------
    dose_cells : numpy.ndarray
        The largest dose in the searched range whose peak stays at or under the
        ceiling, where the tumour also clears in time; ``0.0`` (no dose) where
        no dose in the range does both (see ``feasible`` and ``reason``).
    peak_cells : numpy.ndarray
        Predicted peak at ``dose_cells`` (0 where infeasible).
    clearance_day : numpy.ndarray
        First grid day with fewer than one tumour cell (``inf`` if none).
    feasible : numpy.ndarray of bool
        Whether some dose in the range meets both conditions.
    at_max_dose : numpy.ndarray of bool
        True where even the largest dose searched stays under the ceiling, so
        ``dose_cells`` is the top of the range rather than a ceiling crossing.
    clears_in_time : numpy.ndarray of bool
        Whether the tumour is below one cell by ``clear_by_day`` (True where no
        such day was asked for).
    reason : numpy.ndarray of str
        Empty where feasible; otherwise why no dose qualifies.
    """

    dose_cells: NDArray[np.float64]
    peak_cells: NDArray[np.float64]
    clearance_day: NDArray[np.float64]
    feasible: NDArray[np.bool_]
    at_max_dose: NDArray[np.bool_]
    clears_in_time: NDArray[np.bool_]
    reason: NDArray[np.str_]

    def dose_or_none(self) -> float | None:
        """The dose as a float, or ``None`` where no dose qualifies (scalar results only)."""
        if self.dose_cells.ndim:
            raise ValueError(f"dose_or_none needs a single result; this one has shape {self.dose_cells.shape}")
        return float(self.dose_cells) if bool(self.feasible) else None


@dataclass(frozen=True)
class ScheduleComparison:
    """A split schedule beside one infusion of the same total (see :func:`split_schedule`).

    Attributes
    ----------
    doses : tuple of (float, float)
        The split schedule as (day, cells) pairs.
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
    dose_cells: ArrayLike,
    P: ArrayLike,
    B: ArrayLike,
    r: ArrayLike,
    q: ArrayLike,
    K: ArrayLike,
    days: float = 60,
    dt: float = 1.0,
    reading: Reading = "exact",
    b_placement: BPlacement = "capacity",
) -> DoseResponse:
    """Peak, day of peak and clearance day of Equation 1 over any parameter grid.

    The same numbers as ``simulate(n0=dose_cells, ...)`` followed by ``.peak``,
    ``.peak_day``, ``.clearance_day`` and ``.final``, but without storing the
    trajectories: the time loop keeps only running summaries, and the capacity
    is computed in the broadcast shape of ``P, B, r, q, K`` alone, so a grid of
    doses costs little more than its final array.

    Parameters
    ----------
    dose_cells : float or array_like
        CAR T cells infused at day 0, in the model's cell units, > 0.
    P, B, r, q, K : float or array_like
        Equation 1 parameters, as in :func:`cartmodel.simulate`: burden (>= 0),
        affinity in 1/nM (> 0), CAR T and tumour growth rates per day (r > 0,
        q >= 0) and capacity scale (> 0).
    days, dt : float
        Horizon and step length in days, as in :func:`cartmodel.simulate`.
    reading, b_placement : str
        As in :func:`cartmodel.simulate`.

    Returns
    -------
    DoseResponse
        Arrays of the broadcast shape of all parameters.

    Examples
    --------
    >>> import numpy as np
    >>> grid = dose_response(dose_cells=np.array([[1.0], [10.0]]), P=[1e2, 1e3], B=0.625, r=1.5, q=1.2, K=1e6)
    >>> grid.peak_cells.shape
    (2, 2)
    """
    params = _check_parameters(r=r, q=q, B=B, P=P, K=K)
    dose = as_real_array("dose_cells", dose_cells, low=0.0, low_open=True, unit="cells")
    reading = check_choice("reading", reading, READINGS)
    placement = check_choice("b_placement", b_placement, B_PLACEMENTS)
    t, _ = _time_grid(days, dt)
    shape = _broadcast_shape({**params, "dose_cells": dose})
    r_, q_, B_, P_, K_ = (params[name] for name in ("r", "q", "B", "P", "K"))
    _check_capacity_range(*np.broadcast_arrays(r_, q_, B_, P_, K_), float(t[-1]), placement)

    # The capacity needs only the parameters' shape, not the dose axis; the cells
    # advance through the model's own update, keeping running summaries only.
    tumour = _tumour(t, r_, q_, P_)
    cap = _capacity_from_tumour(tumour, B_, K_, placement)
    cells = _logistic_steps(cap, r_, dose, t, reading, {})
    n = next(cells)
    peak, peak_day = np.array(np.broadcast_to(n, shape)), np.zeros(shape)
    for k, n in enumerate(cells, start=1):
        np.copyto(peak_day, t[k], where=n > peak)  # strictly: the first day of the peak
        np.maximum(peak, n, out=peak)
    clearance = np.array(np.broadcast_to(_first_day_below_one_cell(t, tumour), shape))
    final = np.array(np.broadcast_to(n, shape))
    return DoseResponse(peak_cells=peak, peak_day=peak_day, clearance_day=clearance, final_cells=final)


def dose_for_ceiling(
    *,
    ceiling_cells: ArrayLike,
    P: ArrayLike,
    B: ArrayLike,
    r: ArrayLike,
    q: ArrayLike,
    K: ArrayLike,
    clear_by_day: float | None = None,
    min_dose_cells: float = EXAMPLE_DOSE_RANGE_CELLS[0],
    max_dose_cells: float = EXAMPLE_DOSE_RANGE_CELLS[1],
    days: float = 60,
    dt: float = 1.0,
    reading: Reading = "exact",
    b_placement: BPlacement = "capacity",
    rtol: float = 1e-6,
) -> CeilingDose:
    """Largest single dose whose predicted peak stays under a toxicity ceiling.

    The ceiling is a proxy: Equation 1 has no cytokines, so the peak CAR T
    level, in the model's cell units, stands in for the risk of cytokine release
    syndrome.  Under the exact reading the peak rises strictly with the dose
    (each step of the reciprocal update is increasing in the previous count), so
    the answer is found by bisection on the logarithm of the dose, for every
    parameter set at once.

    Parameters
    ----------
    ceiling_cells : float or array_like
        Highest acceptable peak, in the model's cell units, > 0.
    P, B, r, q, K : float or array_like
        Equation 1 parameters (see :func:`cartmodel.simulate`); all arrays
        broadcast, so a nomogram line over burdens is one call.
    clear_by_day : float, optional
        Also require fewer than one tumour cell by this day (0 < day <= days).
        In Equation 1 the tumour term does not depend on the CAR T count, so this
        condition depends on ``P``, ``r`` and ``q`` only, never on the dose.
    min_dose_cells, max_dose_cells : float
        The range of doses searched, > 0.
    days, dt, reading, b_placement
        As in :func:`cartmodel.simulate`.
    rtol : float
        Relative precision of the dose, in (0, 0.1].

    Returns
    -------
    CeilingDose
        Where no dose in the range keeps the peak under the ceiling, or the
        tumour does not clear in time, ``dose_cells`` is 0, ``feasible`` is
        False and ``reason`` says why.

    Examples
    --------
    >>> best = dose_for_ceiling(ceiling_cells=1e8, P=1e3, B=0.625, r=1.5, q=1.2, K=1e6, clear_by_day=42)
    >>> best.dose_or_none() is not None
    True
    >>> dose_for_ceiling(ceiling_cells=1e8, P=1e8, B=0.625, r=1.5, q=1.2, K=1e6).dose_or_none() is None
    True
    """
    ceiling = as_real_array("ceiling_cells", ceiling_cells, low=0.0, low_open=True, unit="cells")
    low_dose = as_real_array("min_dose_cells", min_dose_cells, low=0.0, low_open=True, unit="cells")
    if low_dose.ndim:
        raise TypeError(f"min_dose_cells must be a scalar; got {min_dose_cells!r}")
    high_dose = as_real_array("max_dose_cells", max_dose_cells, low=float(low_dose), low_open=True, unit="cells")
    tolerance = as_real_array("rtol", rtol, low=0.0, high=0.1, low_open=True)
    if low_dose.ndim or high_dose.ndim or tolerance.ndim:
        raise TypeError("min_dose_cells, max_dose_cells and rtol must be scalars")
    t, _ = _time_grid(days, dt)
    if clear_by_day is not None:
        by_day = as_real_array("clear_by_day", clear_by_day, low=0.0, high=float(t[-1]), low_open=True, unit="days")
        if by_day.ndim:
            raise TypeError(f"clear_by_day must be a scalar; got {clear_by_day!r}")
    params = _check_parameters(r=r, q=q, B=B, P=P, K=K)
    shape = _broadcast_shape({**params, "ceiling_cells": ceiling})
    run: dict[str, Any] = dict(params, days=days, dt=dt, reading=reading, b_placement=b_placement)

    at_low = dose_response(dose_cells=np.broadcast_to(low_dose, shape), **run)
    at_high = dose_response(dose_cells=np.broadcast_to(high_dose, shape), **run)
    ceiling_ = np.broadcast_to(ceiling, shape)
    clearance = at_low.clearance_day
    clears = np.ones(shape, dtype=bool) if clear_by_day is None else clearance <= float(by_day)
    too_high = at_low.peak_cells > ceiling_
    at_max = at_high.peak_cells <= ceiling_

    # Bisection on log(dose): lo always under the ceiling, hi always above it.
    lo = np.full(shape, np.log(float(low_dose)))
    hi = np.full(shape, np.log(float(high_dose)))
    search = ~too_high & ~at_max
    lo = np.where(at_max, hi, lo)
    steps_needed = int(np.ceil(np.log2(max((hi - lo).max(initial=0.0), 1e-300) / float(tolerance)))) + 1
    if search.any():
        for _ in range(max(steps_needed, 1)):
            mid = 0.5 * (lo + hi)
            under = dose_response(dose_cells=np.exp(mid), **run).peak_cells <= ceiling_
            lo = np.where(search & under, mid, lo)
            hi = np.where(search & ~under, mid, hi)
    dose = np.exp(lo)
    feasible = clears & ~too_high
    dose = np.where(feasible, dose, 0.0)
    peak = np.where(feasible, dose_response(dose_cells=np.where(feasible, dose, 1.0), **run).peak_cells, 0.0)

    reason = np.full(shape, "", dtype=object)
    flat_reason = reason.reshape(-1)
    for i in np.flatnonzero(too_high):
        flat_reason[i] = f"even the smallest dose searched ({float(low_dose):g} cells) peaks above the ceiling"
    if clear_by_day is not None:
        flat_clearance = np.broadcast_to(clearance, shape).reshape(-1)
        for i in np.flatnonzero(~clears):
            if np.isinf(flat_clearance[i]):
                flat_reason[i] = (
                    f"the tumour does not fall below one cell within {float(t[-1]):g} days at any dose "
                    "(r <= q, or the burden is too large for the horizon)"
                )
            else:
                flat_reason[i] = (
                    f"the tumour is not below one cell by day {float(by_day):g} at any dose "
                    f"(it clears on day {flat_clearance[i]:g})"
                )
    return CeilingDose(
        dose_cells=dose,
        peak_cells=peak,
        clearance_day=clearance,
        feasible=feasible,
        at_max_dose=at_max & feasible,
        clears_in_time=clears,
        reason=reason.astype(str),
    )


def split_doses(total_dose_cells: float, infusions: int, interval_days: float) -> tuple[tuple[float, float], ...]:
    """A split schedule: ``infusions`` equal doses of ``total / infusions``, ``interval_days`` apart.

    Returns
    -------
    tuple of (day, cells)
        Starting on day 0.

    Examples
    --------
    >>> split_doses(300.0, 3, 2.0)
    ((0.0, 100.0), (2.0, 100.0), (4.0, 100.0))
    """
    total = as_real_array("total_dose_cells", total_dose_cells, low=0.0, low_open=True, unit="cells")
    if total.ndim:
        raise TypeError(f"total_dose_cells must be a scalar; got {total_dose_cells!r}")
    count = check_positive_int("infusions", infusions, low=1, high=1000)
    interval = as_real_array("interval_days", interval_days, low=0.0, unit="days")
    if interval.ndim:
        raise TypeError(f"interval_days must be a scalar; got {interval_days!r}")
    each = float(total) / count
    return tuple((i * float(interval), each) for i in range(count))


def split_schedule(
    *,
    total_dose_cells: float,
    infusions: int,
    interval_days: float,
    P: ArrayLike,
    B: ArrayLike,
    r: ArrayLike,
    q: ArrayLike,
    K: ArrayLike,
    days: float = 60,
    dt: float = 1.0,
    reading: Reading = "exact",
    b_placement: BPlacement = "capacity",
) -> ScheduleComparison:
    """Compare ``infusions`` doses of ``total / infusions`` with one infusion of the total.

    Parameters
    ----------
    total_dose_cells : float
        Total CAR T cells given, in the model's cell units, > 0.
    infusions : int
        Number of equal infusions, 1 to 1000; the first is on day 0.
    interval_days : float
        Days between infusions, >= 0; the last infusion must fall within the horizon.
    P, B, r, q, K, days, dt, reading, b_placement
        As in :func:`cartmodel.simulate` (parameters broadcast).

    Returns
    -------
    ScheduleComparison
        Both trajectories; ``peak_ratio`` is split over single.
    """
    schedule = split_doses(total_dose_cells, infusions, interval_days)
    t, _ = _time_grid(days, dt)
    last = schedule[-1][0]
    if last > float(t[-1]):
        raise ValueError(
            f"the last of {len(schedule)} infusions {float(interval_days):g} days apart falls on day {last:g}, "
            f"after the horizon of {float(t[-1]):g} days; lower infusions or interval_days, or raise days"
        )
    common: dict[str, Any] = dict(P=P, B=B, r=r, q=q, K=K, days=days, dt=dt, reading=reading, b_placement=b_placement)
    single = simulate(n0=float(total_dose_cells), **common)
    split = simulate(n0=schedule[0][1], doses=list(schedule[1:]), **common)
    return ScheduleComparison(doses=schedule, single=single, split=split)
