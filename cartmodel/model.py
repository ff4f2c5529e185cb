"""Equation 1 of Toor et al. (2019): antigen-driven logistic growth of CAR T cells.

The paper describes an iterating logistic equation whose carrying capacity is
driven by the antigen it meets::

    K_t = K * B * (P * exp((q - r) * t) + 1)

CAR T cells (``N``) grow logistically at rate ``r`` towards ``K_t``; the tumour,
``P * exp((q - r) t)``, shrinks when the CAR T growth rate ``r`` exceeds the
tumour's ``q``; the ``+ 1`` keeps a memory population of ``K * B`` cells once the
tumour is gone.  The typeset equation is missing from the paper's text, so
three readings of the iteration are offered (see :func:`simulate`).

All functions are pure, accept numpy arrays for every numeric parameter and
broadcast them; the time axis is always last.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import as_real_array, check_choice

__all__ = [
    "READINGS",
    "B_PLACEMENTS",
    "Expansion",
    "affinity_from_ic50",
    "capacity",
    "plateau_level",
    "simulate",
    "tumour_clearance_day",
]

Reading = Literal["exact", "closed", "literal"]
BPlacement = Literal["capacity", "antigen"]

#: The readings of Equation 1 that :func:`simulate` implements.
READINGS: tuple[str, ...] = ("exact", "closed", "literal")
#: Where the affinity ``B`` enters the capacity (see :func:`capacity`).
B_PLACEMENTS: tuple[str, ...] = ("capacity", "antigen")

#: Largest number of time steps one call may take (memory grows with it).
MAX_STEPS = 1_000_000
# Capacities are kept inside float64's comfortable range so that the
# reciprocal form of the update neither overflows nor underflows.
_LOG_MAX_CELLS = math.log(1e300)
_LOG_MIN_CELLS = math.log(1e-300)


@dataclass(frozen=True)
class Expansion:
    """The result of :func:`simulate`.

    Attributes
    ----------
    t : numpy.ndarray
        Time in days, shape ``(steps + 1,)``.
    car_t : numpy.ndarray
        CAR T cells, shape ``S + (steps + 1,)`` where ``S`` is the broadcast
        shape of the parameters.
    tumour : numpy.ndarray
        Malignant population ``P * exp((q - r) t)``, same shape as ``car_t``.
    capacity : numpy.ndarray
        Antigen-driven carrying capacity ``K_t``, same shape as ``car_t``.
    """

    t: NDArray[np.float64]
    car_t: NDArray[np.float64]
    tumour: NDArray[np.float64]
    capacity: NDArray[np.float64]

    @property
    def peak(self) -> NDArray[np.float64]:
        """Largest CAR T count over the horizon, shape ``S``."""
        return self.car_t.max(axis=-1)

    @property
    def peak_day(self) -> NDArray[np.float64]:
        """Day of the largest CAR T count (the first, if it is reached twice)."""
        return self.t[self.car_t.argmax(axis=-1)]

    @property
    def final(self) -> NDArray[np.float64]:
        """CAR T count on the last day of the horizon."""
        return self.car_t[..., -1]

    @property
    def clearance_day(self) -> NDArray[np.float64]:
        """First day on the time grid with fewer than one tumour cell.

        ``inf`` where the tumour never falls below one cell within the horizon.
        """
        return _first_day_below_one_cell(self.t, self.tumour)


def affinity_from_ic50(ic50_nm: ArrayLike) -> NDArray[np.float64]:
    """Binding affinity ``B = 1 / IC50`` of an scFv (or peptide) for its target.

    Parameters
    ----------
    ic50_nm : float or array_like
        Half-maximal inhibitory concentration in nanomolar, > 0.

    Returns
    -------
    numpy.ndarray
        ``B`` in 1/nM (0-d for a scalar input).

    Examples
    --------
    >>> float(affinity_from_ic50(1.6))  # the CD19 scFv of the paper's Figure 1
    0.625
    """
    ic50 = as_real_array("ic50_nm", ic50_nm, low=0.0, low_open=True, unit="nM")
    return 1.0 / ic50


def tumour_clearance_day(*, P: ArrayLike, r: ArrayLike, q: ArrayLike) -> NDArray[np.float64]:
    """Day on which ``P * exp((q - r) t)`` falls to one cell: ``ln(P) / (r - q)``.

    Parameters
    ----------
    P : float or array_like
        Initial malignant (antigen) burden in cells, >= 0.
    r, q : float or array_like
        CAR T and tumour growth rates per day, ``r > 0`` and ``q >= 0``.

    Returns
    -------
    numpy.ndarray
        Days (continuous time): 0 where ``P <= 1``; ``inf`` where ``r <= q``
        and ``P > 1`` (the tumour never shrinks).
    """
    P = as_real_array("P", P, low=0.0, unit="cells")
    r = as_real_array("r", r, low=0.0, low_open=True, unit="per day")
    q = as_real_array("q", q, low=0.0, unit="per day")
    P, r, q = np.broadcast_arrays(P, r, q)
    net_decline = r - q
    with np.errstate(divide="ignore"):
        days = np.log(np.maximum(P, 1.0)) / np.where(net_decline > 0, net_decline, 1.0)
    return np.where(P <= 1.0, 0.0, np.where(net_decline > 0, days, np.inf))


def plateau_level(*, K: ArrayLike, B: ArrayLike, b_placement: BPlacement = "capacity") -> NDArray[np.float64]:
    """Level the CAR T cells settle at once the tumour is gone.

    ``K * B`` when the affinity scales the whole capacity (the default), ``K``
    when it scales only the antigen term.
    """
    K = as_real_array("K", K, low=0.0, low_open=True, unit="cells")
    B = as_real_array("B", B, low=0.0, low_open=True, unit="1/nM")
    placement = check_choice("b_placement", b_placement, B_PLACEMENTS)
    return K * B if placement == "capacity" else np.broadcast_arrays(K, B)[0].copy()


def capacity(
    t_days: ArrayLike,
    *,
    r: ArrayLike,
    q: ArrayLike,
    B: ArrayLike,
    P: ArrayLike,
    K: ArrayLike,
    b_placement: BPlacement = "capacity",
) -> NDArray[np.float64]:
    """Antigen-driven carrying capacity ``K_t`` of Equation 1.

    Parameters
    ----------
    t_days : float or array_like
        Time in days, >= 0; its axis is placed last.
    r, q : float or array_like
        CAR T growth rate (> 0) and tumour growth rate (>= 0), per day.
    B : float or array_like
        scFv affinity in 1/nM, > 0 (see :func:`affinity_from_ic50`).
    P : float or array_like
        Antigen (malignant cell) burden at day 0, >= 0.
    K : float or array_like
        Scale of the steady-state CAR T level, > 0.
    b_placement : {"capacity", "antigen"}
        ``"capacity"`` (default): ``K * B * (P e^{(q-r)t} + 1)``, so peak and
        plateau both scale with the affinity.  ``"antigen"``:
        ``K * (B P e^{(q-r)t} + 1)``, so the plateau is exactly ``K``.

    Returns
    -------
    numpy.ndarray
        Shape ``S + t.shape`` where ``S`` is the broadcast parameter shape.
    """
    t = as_real_array("t_days", t_days, low=0.0, unit="days")
    params = _check_parameters(r=r, q=q, B=B, P=P, K=K)
    placement = check_choice("b_placement", b_placement, B_PLACEMENTS)
    shape = _broadcast_shape(params)
    r_, q_, B_, P_, K_ = (np.broadcast_to(params[name], shape) for name in ("r", "q", "B", "P", "K"))
    _check_capacity_range(r_, q_, B_, P_, K_, float(t.max(initial=0.0)), placement)
    grid = _capacity(t.reshape(-1), r_, q_, B_, P_, K_, placement)
    return grid.reshape(shape + t.shape)


def simulate(
    *,
    r: ArrayLike,
    q: ArrayLike,
    B: ArrayLike,
    P: ArrayLike,
    K: ArrayLike,
    n0: ArrayLike = 1.0,
    days: float = 60,
    dt: float = 1.0,
    reading: Reading = "exact",
    b_placement: BPlacement = "capacity",
    doses: Iterable[tuple[float, ArrayLike]] | None = None,
) -> Expansion:
    """Iterate Equation 1: CAR T expansion against an antigen-bearing tumour.

    Parameters
    ----------
    r : float or array_like
        CAR T growth rate per day, > 0.
    q : float or array_like
        Growth rate of the malignant population per day, >= 0.
    B : float or array_like
        scFv-epitope affinity ``1 / IC50`` in 1/nM, > 0.
    P : float or array_like
        Antigen / malignant-cell burden at day 0 (the multiplier of ``K``), >= 0.
        ``P = 0`` gives plain logistic growth to ``K * B``.
    K : float or array_like
        Scale of the steady-state CAR T level, > 0.
    n0 : float or array_like
        CAR T cells infused at day 0 (the dose, in the model's cell units), > 0.
    days : float
        Horizon in days, > 0; ``days / dt`` must be a whole number of steps.
    dt : float
        Length of one iteration in days, > 0.  The paper's ``t`` counts
        iterations; the book reads one iteration as one day.
    reading : {"exact", "closed", "literal"}
        How the missing typeset equation is read (``K_t`` is the capacity at
        the end of the step):

        * ``"exact"`` (default): the exact solution of ``dN/dt = r N (1 - N/K_t)``
          over one step with ``K_t`` held fixed,
          ``N_t = K_t / (1 + (K_t - N_{t-1}) / N_{t-1} * exp(-r dt))``.
        * ``"closed"``: the closed-form logistic with ``K`` replaced by ``K_t``,
          ``N_t = K_t / (1 + (K_t - N_0) / N_0 * exp(-r t))``, no iteration;
          after a later infusion the clock restarts from that day's count.
        * ``"literal"``: the iterating form with ``exp(-r t)`` (``t`` the
          elapsed time in days) in place of ``exp(-r dt)``.
    b_placement : {"capacity", "antigen"}
        Where ``B`` sits in the capacity; see :func:`capacity`.
    doses : iterable of (day, cells), optional
        Further infusions.  ``cells`` (>= 0, may be an array that broadcasts
        with the parameters) are added to the CAR T count at the first grid time
        at or after ``day`` (0 <= day <= days).  Infusions on the same step add up.

    Returns
    -------
    Expansion
        Time grid, CAR T and tumour trajectories, capacity, and summary values
        (``peak``, ``peak_day``, ``final``, ``clearance_day``).

    Raises
    ------
    TypeError
        For a parameter of the wrong type.
    ValueError
        For a parameter outside its range (the message names it), shapes that
        do not broadcast, a horizon that is not a whole number of steps, or a
        capacity beyond float64's safe range (``1e-300`` to ``1e300`` cells).

    Notes
    -----
    Every reading is computed in reciprocal form, ``1/N_t = a/N_{t-1} + (1 - a)/K_t``,
    which is algebraically identical to the logistic expressions above, keeps
    every count strictly positive and avoids overflow for huge ``r``.

    Examples
    --------
    >>> from cartmodel import simulate, affinity_from_ic50
    >>> fig1 = simulate(r=1.5, q=1.2, B=affinity_from_ic50(1.6), P=1000, K=1e6)
    >>> int(fig1.peak_day), round(float(fig1.final))
    (12, 625011)
    """
    params = _check_parameters(r=r, q=q, B=B, P=P, K=K)
    params["n0"] = as_real_array("n0", n0, low=0.0, low_open=True, unit="cells")
    reading = check_choice("reading", reading, READINGS)
    placement = check_choice("b_placement", b_placement, B_PLACEMENTS)
    t, steps = _time_grid(days, dt)
    schedule = _check_doses(doses, t)
    shape = _broadcast_shape({**params, **{f"cells of dose {i + 1}": c for i, (_, c) in enumerate(schedule)}})
    r_, q_, B_, P_, K_, n0_ = (np.broadcast_to(params[name], shape) for name in ("r", "q", "B", "P", "K", "n0"))
    _check_capacity_range(r_, q_, B_, P_, K_, float(t[-1]), placement)

    tumour = _tumour(t, r_, q_, P_)
    cap = _capacity_from_tumour(tumour, B_, K_, placement)
    added = _doses_by_step(schedule, steps, shape)
    car_t = _iterate(cap, r_, n0_, t, reading, added)
    return Expansion(t=t, car_t=car_t, tumour=tumour, capacity=cap)


# --------------------------------------------------------------------------
# internals


def _check_parameters(**values: Any) -> dict[str, NDArray[np.float64]]:
    specs = {
        "r": dict(low=0.0, low_open=True, unit="per day"),
        "q": dict(low=0.0, unit="per day"),
        "B": dict(low=0.0, low_open=True, unit="1/nM"),
        "P": dict(low=0.0, unit="cells"),
        "K": dict(low=0.0, low_open=True, unit="cells"),
    }
    return {name: as_real_array(name, value, **specs[name]) for name, value in values.items()}


def _broadcast_shape(arrays: dict[str, NDArray[np.float64]]) -> tuple[int, ...]:
    try:
        return np.broadcast_shapes(*(np.shape(a) for a in arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{name} {np.shape(a)}" for name, a in arrays.items())
        raise ValueError(f"parameter shapes do not broadcast together: {shapes}") from None


def _time_grid(days: Any, dt: Any) -> tuple[NDArray[np.float64], int]:
    days_ = as_real_array("days", days, low=0.0, low_open=True, unit="days")
    dt_ = as_real_array("dt", dt, low=0.0, low_open=True, unit="days")
    if days_.ndim or dt_.ndim:
        raise TypeError(f"days and dt must be scalars; got days={days!r}, dt={dt!r}")
    ratio = float(days_) / float(dt_)
    steps = round(ratio)
    if steps < 1 or abs(ratio - steps) > 1e-9 * max(1.0, ratio):
        raise ValueError(
            f"days / dt must be a whole number of steps >= 1; got days={float(days_)!r}, dt={float(dt_)!r}"
        )
    if steps > MAX_STEPS:
        raise ValueError(f"days / dt must be at most {MAX_STEPS} steps; got {steps} (days={days!r}, dt={dt!r})")
    return np.arange(steps + 1) * float(dt_), steps


def _check_doses(doses: Any, t: NDArray[np.float64]) -> list[tuple[int, NDArray[np.float64]]]:
    if doses is None:
        return []
    if isinstance(doses, (str, bytes)) or not isinstance(doses, Iterable):
        raise TypeError(f"doses must be a sequence of (day, cells) pairs; got {doses!r}")
    horizon = float(t[-1])
    dt = float(t[1] - t[0])
    schedule = []
    for index, item in enumerate(doses):
        try:
            day, cells = item
        except (TypeError, ValueError):
            raise TypeError(f"doses[{index}] must be a (day, cells) pair; got {item!r}") from None
        day_ = as_real_array(f"doses[{index}] day", day, low=0.0, high=horizon, unit="days")
        if day_.ndim:
            raise TypeError(f"doses[{index}] day must be a scalar; got {day!r}")
        cells_ = as_real_array(f"doses[{index}] cells", cells, low=0.0, unit="cells")
        # the first grid time at or after the day (tolerant of rounding in day/dt)
        step = min(math.ceil(float(day_) / dt - 1e-9), len(t) - 1)
        schedule.append((step, cells_))
    return schedule


def _doses_by_step(
    schedule: list[tuple[int, NDArray[np.float64]]], steps: int, shape: tuple[int, ...]
) -> dict[int, NDArray[np.float64]]:
    added: dict[int, NDArray[np.float64]] = {}
    for step, cells in schedule:
        added[step] = added.get(step, np.zeros(shape)) + np.broadcast_to(cells, shape)
    return added


def _check_capacity_range(r, q, B, P, K, horizon: float, placement: str) -> None:
    """Refuse parameters whose capacity would leave float64's safe range."""
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
            "K * B * (P * exp((q - r) * days) + 1) must stay below 1e300 cells; "
            "lower K, B, P or q, raise r, or shorten days"
        )
    if np.any(log_low < _LOG_MIN_CELLS):
        raise ValueError("the plateau K * B must be above 1e-300 cells; raise K or B")


def _tumour(t, r, q, P) -> NDArray[np.float64]:
    """``P exp((q - r) t)``, without ever forming ``0 * inf`` or ``tiny * inf``.

    The direct product is exact to rounding; only where the exponential alone
    would overflow (the capacity check guarantees the product does not) is it
    computed as ``exp(ln P + (q - r) t)``.
    """
    exponent = (q - r)[..., None] * t
    tumour = P[..., None] * np.exp(np.minimum(exponent, 700.0))
    huge = exponent > 700.0
    if np.any(huge):
        with np.errstate(divide="ignore"):
            via_log = np.exp(np.log(P)[..., None] + exponent)
        tumour = np.where(huge, via_log, tumour)
    return tumour


def _capacity(t, r, q, B, P, K, placement: str) -> NDArray[np.float64]:
    return _capacity_from_tumour(_tumour(t, r, q, P), B, K, placement)


def _capacity_from_tumour(tumour, B, K, placement: str) -> NDArray[np.float64]:
    if placement == "capacity":
        return (K * B)[..., None] * (tumour + 1.0)
    return K[..., None] * (B[..., None] * tumour + 1.0)


def _logistic_steps(
    cap: NDArray[np.float64],
    r: NDArray[np.float64],
    n0: NDArray[np.float64],
    t: NDArray[np.float64],
    reading: str,
    added: dict[int, NDArray[np.float64]],
) -> Iterator[NDArray[np.float64]]:
    """Yield ``N_0, N_1, ..., N_steps`` of one reading of Equation 1.

    ``cap`` holds the capacity with time last; its other axes broadcast with
    ``r``, ``n0`` and the infusions in ``added`` (step -> cells).  The loop runs
    over time steps only: every parameter set advances at once.  This is the
    one implementation of the update that every model function shares.
    """
    n = n0 + added.get(0, 0.0)
    yield n
    dt = float(t[1] - t[0])
    if reading == "exact":
        keep, grow = np.exp(-r * dt), -np.expm1(-r * dt)
    start_n, start_day = n, 0.0  # for "closed": the latest infusion restarts the clock
    for k in range(1, len(t)):
        if reading == "exact":
            n = 1.0 / (keep / n + grow / cap[..., k])
        elif reading == "literal":
            n = 1.0 / (np.exp(-r * t[k]) / n + -np.expm1(-r * t[k]) / cap[..., k])
        else:
            elapsed = t[k] - start_day
            n = 1.0 / (np.exp(-r * elapsed) / start_n + -np.expm1(-r * elapsed) / cap[..., k])
        if k in added:
            n = n + added[k]
            start_n, start_day = n, t[k]
        yield n


def _iterate(
    cap: NDArray[np.float64],
    r: NDArray[np.float64],
    n0: NDArray[np.float64],
    t: NDArray[np.float64],
    reading: str,
    added: dict[int, NDArray[np.float64]],
) -> NDArray[np.float64]:
    """The whole trajectory of :func:`_logistic_steps`, time last."""
    shape = np.broadcast_shapes(cap.shape[:-1], np.shape(r), np.shape(n0), *(np.shape(a) for a in added.values()))
    car_t = np.empty(shape + (len(t),))
    for k, n in enumerate(_logistic_steps(cap, r, n0, t, reading, added)):
        car_t[..., k] = n
    return car_t


def _first_day_below_one_cell(t: NDArray[np.float64], tumour: NDArray[np.float64]) -> NDArray[np.float64]:
    """First grid day with ``tumour < 1`` along the last axis; ``inf`` if none."""
    below = tumour < 1.0
    return np.where(below.any(axis=-1), t[below.argmax(axis=-1)], np.inf)
