"""Equation 1 of Toor et al. (2019): antigen-driven logistic growth of CAR T cells.

CAR T cells (``N``, model cells) grow logistically at rate ``r`` towards the
capacity ``K_t = K * B * (P * exp((q - r) * t) + 1)``; the tumour term (antigen
units, AU) shrinks when ``r > q`` and the ``+ 1`` keeps a memory population of
``K * B``.  Units and ranges: :mod:`cartmodel.parameters`; computation:
:mod:`cartmodel.engine`.  Numeric parameters broadcast; the time axis is last.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import as_real_array, check_choice
from .engine import (
    B_PLACEMENTS,
    READINGS,
    BPlacement,
    Reading,
    broadcast_shape,
    capacity_from_tumour,
    check_capacity_range,
    check_doses,
    check_model_parameters,
    check_run,
    doses_by_step,
    first_day_below,
    iterate,
    tumour_term,
)
from .parameters import AFFINITY_REFERENCE_IC50_NM, DEFAULT_DAYS, check

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


@dataclass(frozen=True)
class Expansion:
    """The result of :func:`simulate`.

    ``t``: days, ``(steps + 1,)``; ``car_t`` (model cells), ``tumour``, the
    tumour term ``P * exp((q - r) t)`` (AU), and ``capacity`` ``K_t`` (model
    cells), shape ``S + (steps + 1,)`` for the broadcast parameter shape ``S``;
    ``clearance_level`` (AU): see :attr:`clearance_day`.
    """

    t: NDArray[np.float64]
    car_t: NDArray[np.float64]
    tumour: NDArray[np.float64]
    capacity: NDArray[np.float64]
    clearance_level: NDArray[np.float64] = field(default_factory=lambda: np.asarray(1.0))

    @property
    def peak(self) -> NDArray[np.float64]:
        """Largest CAR T count over the horizon (model cells), shape ``S``."""
        return self.car_t.max(axis=-1)

    @property
    def peak_day(self) -> NDArray[np.float64]:
        """Day of the largest CAR T count (the first, if it is reached twice)."""
        return self.t[self.car_t.argmax(axis=-1)]

    @property
    def final(self) -> NDArray[np.float64]:
        """CAR T count on the last day of the horizon (model cells)."""
        return self.car_t[..., -1]

    @property
    def clearance_day(self) -> NDArray[np.float64]:
        """First grid day with the tumour term below ``clearance_level`` (``inf`` if none).

        With 1 AU this is antigen below about 10**9 normal B cells, not the last blast gone.
        """
        return first_day_below(self.t, self.tumour, self.clearance_level)


def affinity_from_ic50(ic50_nm: ArrayLike) -> NDArray[np.float64]:
    """The dimensionless affinity factor ``B = (1 nM) / IC50`` of an scFv (or peptide).

    ``ic50_nm``: half-maximal inhibitory concentration in nM, > 0; ``B`` is 0-d for a scalar.

    Examples
    --------
    >>> float(affinity_from_ic50(1.6))  # the CD19 scFv of the paper's Figure 1
    0.625
    """
    ic50 = check("ic50", ic50_nm, as_name="ic50_nm")
    return AFFINITY_REFERENCE_IC50_NM / ic50


def tumour_clearance_day(*, P: ArrayLike, r: ArrayLike, q: ArrayLike, clearance_level: ArrayLike = 1.0) -> NDArray[np.float64]:
    """Day on which the tumour term ``P * exp((q - r) t)`` falls to ``clearance_level``.

    In continuous time, ``ln(P / clearance_level) / (r - q)`` days: 0 where ``P
    <= clearance_level``, else ``inf`` where ``r <= q`` (the tumour never shrinks).
    ``P``, ``r``, ``q`` and ``clearance_level`` as in :func:`simulate` (one
    blast is about ``1e-9`` AU).

    Examples
    --------
    >>> round(float(tumour_clearance_day(P=1000, r=1.5, q=1.2)), 2)  # ln(1000) / 0.3
    23.03
    """
    P, r, q, level = np.broadcast_arrays(check("P", P), check("r", r), check("q", q), check("clearance_level", clearance_level))
    net_decline = r - q
    ratio = np.maximum(P, level) / level
    days = np.log(ratio) / np.where(net_decline > 0, net_decline, 1.0)
    return np.where(P <= level, 0.0, np.where(net_decline > 0, days, np.inf))


def plateau_level(*, K: ArrayLike, B: ArrayLike, b_placement: BPlacement = "capacity") -> NDArray[np.float64]:
    """Level (model cells) the CAR T cells settle at once the tumour is gone.

    ``K * B`` when the affinity scales the whole capacity (the default), ``K``
    when it scales only the antigen term.

    Examples
    --------
    >>> float(plateau_level(K=1e6, B=0.625)), float(plateau_level(K=1e6, B=0.625, b_placement="antigen"))
    (625000.0, 1000000.0)
    """
    K = check("K", K)
    B = check("B", B)
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
    """Antigen-driven carrying capacity ``K_t`` of Equation 1, in model cells.

    Parameters
    ----------
    t_days : float or array_like
        Time in days, >= 0; its axis is placed last.
    r, q, B, P, K : float or array_like
        As in :func:`simulate`.
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
    r_, q_, B_, P_, K_ = check_model_parameters(r, q, B, P, K)
    placement = check_choice("b_placement", b_placement, B_PLACEMENTS)
    shape = broadcast_shape({"r": r_, "q": q_, "B": B_, "P": P_, "K": K_})
    check_capacity_range(r_, q_, B_, P_, K_, float(t.max(initial=0.0)), placement)
    grid = capacity_from_tumour(tumour_term(t.reshape(-1), r_, q_, P_), B_, K_, placement)
    return grid.reshape(shape + t.shape)


def simulate(
    *,
    r: ArrayLike,
    q: ArrayLike,
    B: ArrayLike,
    P: ArrayLike,
    K: ArrayLike,
    n0: ArrayLike = 1.0,
    days: float = DEFAULT_DAYS,
    dt: float = 1.0,
    reading: Reading = "exact",
    b_placement: BPlacement = "capacity",
    doses: Iterable[tuple[float, ArrayLike]] | None = None,
    clearance_level: ArrayLike = 1.0,
) -> Expansion:
    """Iterate Equation 1: CAR T expansion against an antigen-bearing tumour.

    Parameters
    ----------
    r, q : float or array_like
        CAR T and tumour growth rates per day, ``r > 0``, ``q >= 0``.
    B : float or array_like
        Affinity factor ``(1 nM) / IC50``, dimensionless, > 0 (:func:`affinity_from_ic50`).
    P : float or array_like
        Antigen burden at day 0 in antigen units (AU; the CD19 of 10**9 normal
        B cells), >= 0.
    K : float or array_like
        Scale of the steady-state CAR T level, model cells, > 0.
    n0 : float or array_like
        The dose: CAR T cells infused at day 0, in model cells, > 0.
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
    doses : iterable of (day, n0), optional
        Further infusions.  ``n0`` (model cells, >= 0, may be an array that
        broadcasts with the parameters) is added to the CAR T count at the
        first grid time at or after ``day`` (0 <= day <= days).  Infusions on
        the same step add up.
    clearance_level : float or array_like
        Tumour-term level (AU, > 0) below which ``clearance_day`` counts it cleared.

    Returns
    -------
    Expansion

    Raises
    ------
    ValueError
        Also for shapes that do not broadcast, a horizon that is not a whole
        number of steps, or a capacity outside ``1e-300`` to ``1e300`` model cells.

    Examples
    --------
    >>> from cartmodel import simulate, affinity_from_ic50
    >>> fig1 = simulate(r=1.5, q=1.2, B=affinity_from_ic50(1.6), P=1000, K=1e6)
    >>> int(fig1.peak_day), round(float(fig1.final))
    (12, 625011)
    """
    n0_ = check("n0", n0)
    level = check("clearance_level", clearance_level)
    run = check_run(r=r, q=q, B=B, P=P, K=K, days=days, dt=dt, reading=reading, b_placement=b_placement, others={"n0": n0_})
    t = run.t
    schedule = check_doses(doses, t)
    shape = broadcast_shape({"parameters": np.empty(run.shape), **{f"n0 of dose {i + 1}": c for i, (_, c) in enumerate(schedule)}})
    broadcast_shape({"parameters": np.empty(shape), "clearance_level": level})
    r_, q_, B_, P_, K_, n0_ = (np.broadcast_to(a, shape) for a in (*run.parameters, n0_))
    tumour = tumour_term(t, r_, q_, P_)
    cap = capacity_from_tumour(tumour, B_, K_, run.b_placement)
    car_t = iterate(cap, r_, n0_, t, run.reading, doses_by_step(schedule, shape))
    return Expansion(t=t, car_t=car_t, tumour=tumour, capacity=cap, clearance_level=level)
