"""Equation 1 with killing: CAR T cells that kill the tumour they grow on.

This is the book's extension, not the paper's.  In Equation 1 the tumour term
``P exp((q - r) t)`` falls at ``r - q`` whatever the number of CAR T cells, so
no dose is ever too small to clear it.  Here the tumour also loses what the
CAR T cells kill, with a killing term from the CAR T modelling literature::

    tumour_t = tumour_{t-1} exp((q - r) dt - kill(N_{t-1}) dt)         (AU)
    kill(N)  = gamma N / (k + N)     (saturating; Kimmel et al. 2021)
             = gamma N / k           (mass action; Barros et al. 2021)

``gamma`` is the killing rate per day (``kill_rate``) and ``k`` the
half-saturation count in model cells (``kill_saturation``); in the
mass-action form ``gamma / k`` is the rate per model cell.  The capacity and
the CAR T cells follow the engine's own update (:mod:`cartmodel.engine`), so
with ``gamma = 0`` this is Equation 1 exactly.  The tumour stays positive.
Everything broadcasts: a dose by burden grid, or a cohort, is one call.

This is a research companion, not a dosing tool: doses are model quantities.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import least_squares

from ._validation import (
    as_real_array,
    as_real_scalar,
    bind_keywords,
    bisect,
    check_choice,
    check_instance,
    check_positive_int,
    read_only,
)
from .calibration import (
    CALIBRATION_SAMPLE_DAYS,
    CalibratedModel,
    calibrate_to_tisagenlecleucel,
    published_typical_course,
)
from .dosing import DoseResponse, dose_response
from .engine import (
    LARGEST_EXPONENT,
    CheckedRun,
    broadcast_shape,
    capacity_coefficients,
    check_doses,
    check_run,
    doses_by_step,
    logistic_steps,
    time_grid,
)
from .model import Expansion, simulate
from .parameters import DEFAULT_DAYS, PARAMETERS, check
from .published import KILLING_AXICEL
from .variability import Patients, VirtualPatients

__all__ = [
    "EXAMPLE_CEILING_FOLD",
    "EXAMPLE_EDGE_KILL_RATE",
    "EXAMPLE_MRD_SHARE",
    "KIMMEL_SATURATION_IN_INFUSED_LEVELS",
    "KILLING_FORMS",
    "DoseWindow",
    "KillingCalibration",
    "KillingPatients",
    "calibrate_killing",
    "calibrated_window",
    "dose_window",
    "kill_per_day",
    "killing_patients",
    "killing_dose_response",
    "simulate_killing",
]

KillingForm = Literal["saturating", "mass action"]
_Array = NDArray[np.float64]
_Flags = NDArray[np.bool_]
#: The killing terms offered: saturating in the CAR T count (Kimmel et al.
#: 2021) and mass action (Barros et al. 2021).
KILLING_FORMS: tuple[KillingForm, ...] = ("saturating", "mass action")


def kill_per_day(
    n: ArrayLike, *, kill_rate: ArrayLike, kill_saturation: ArrayLike, killing: KillingForm = "saturating"
) -> NDArray[np.float64]:
    """The share of the tumour the CAR T cells kill per day, as a rate (per day).

    Parameters
    ----------
    n : float or array_like
        CAR T cells, model cells, >= 0.
    kill_rate, kill_saturation : float or array_like
        ``gamma``, per day, >= 0 (the largest rate, or the rate at ``n = k`` in
        mass action), and ``k``, model cells, > 0.
    killing : {"saturating", "mass action"}
        ``gamma n / (k + n)`` or ``gamma n / k``.

    Returns
    -------
    numpy.ndarray
        Rate per day, broadcast over the inputs.

    Examples
    --------
    >>> float(kill_per_day(10.0, kill_rate=1.0, kill_saturation=10.0))
    0.5
    >>> float(kill_per_day(10.0, kill_rate=1.0, kill_saturation=10.0, killing="mass action"))
    1.0
    """
    cells = as_real_array("n", n, low=0.0, unit="model cells")
    gamma = check("kill_rate", kill_rate)
    k = check("kill_saturation", kill_saturation)
    form = check_choice("killing", killing, KILLING_FORMS)
    return _kill(cells, gamma, k, form)


def _kill(n: _Array, gamma: _Array, k: _Array, form: str) -> _Array:
    if form == "saturating":
        return gamma * (n / (k + n))
    return gamma * (n / k)


@dataclass(frozen=True)
class _Checked:
    run: CheckedRun
    kill_rate: _Array
    kill_saturation: _Array
    form: str
    n0: _Array
    level: _Array
    gone_below: _Array | None  # the extinction level, or None


def _check(
    front: Callable[..., Any], model: dict[str, Any], *, kill_rate: Any, kill_saturation: Any, killing: Any, extinction: Any
) -> tuple[_Checked, Any]:
    """Check the killing term's inputs and Equation 1's, taken as ``front`` takes them; return them and ``doses``."""
    equation_1 = bind_keywords(front, model)
    dose = check("n0", equation_1.pop("n0"))
    level = check("clearance_level", equation_1.pop("clearance_level"))
    doses = equation_1.pop("doses", None)
    gamma = check("kill_rate", kill_rate)
    k_half = check("kill_saturation", kill_saturation)
    form = check_choice("killing", killing, KILLING_FORMS)
    run = check_run(**equation_1, others={"kill_rate": gamma, "kill_saturation": k_half, "n0": dose, "clearance_level": level})
    if not isinstance(extinction, (bool, np.bool_)):
        raise TypeError(f"extinction must be True or False; got {extinction!r}")
    return _Checked(run, gamma, k_half, form, dose, level, level if extinction else None), doses


def _coupled(checked: _Checked, added: dict[int, _Array]) -> Iterator[tuple[_Array, _Array, _Array]]:
    """Yield ``(N_k, tumour_k, K_k)`` step by step: the tumour loses what the cells of the step before kill."""
    run = checked.run
    r, q, B, P, K = run.parameters
    gamma, k_half, extinction_level = checked.kill_rate, checked.kill_saturation, checked.gone_below
    scale, slope = capacity_coefficients(B, K, run.b_placement)  # slope 1 leaves the tumour's bits as they are
    t = run.t
    dt = float(t[1] - t[0])
    net = q - r
    with np.errstate(divide="ignore"):
        log_p = np.log(P)
    # exp() overflows only if (q - r) t can pass 700 within the horizon
    may_overflow = bool(np.max(net, initial=0.0) * t[-1] > LARGEST_EXPONENT)
    no_kill = not np.any(gamma)
    mass_action = checked.form == "mass action"
    rate_per_cell = gamma / k_half * dt  # mass action: kill(N) dt = (gamma / k) dt N
    killed: _Array = np.zeros(())  # sum over past steps of kill(N) dt
    state: dict[str, Any] = {"gone": None}

    def tumour_at(k: int) -> _Array:
        # the arithmetic of engine.tumour_term, so that gamma = 0 is Equation 1 to the last bit
        exponent = net * t[k] - killed
        tumour = P * np.exp(np.minimum(exponent, LARGEST_EXPONENT))
        if may_overflow and np.any(exponent > LARGEST_EXPONENT):
            tumour = np.where(exponent > LARGEST_EXPONENT, np.exp(log_p + exponent), tumour)
        if extinction_level is not None:
            # once below the level the tumour is gone for good: a deterministic count means
            # nothing below one cell, and regrowth from a fraction of a cell would be an artefact
            below = tumour < extinction_level
            state["gone"] = below if state["gone"] is None else state["gone"] | below
            tumour = np.where(state["gone"], 0.0, tumour)
        return tumour

    def capacity(tumour: _Array) -> _Array:
        return scale * (slope * tumour + 1.0)

    def capacity_at(k: int, n_previous: _Array) -> _Array:
        nonlocal killed
        if not no_kill:
            killed = killed + (rate_per_cell * n_previous if mass_action else gamma * dt * (n_previous / (k_half + n_previous)))
        state["tumour"] = tumour_at(k)
        state["cap"] = capacity(state["tumour"])
        return state["cap"]

    tumour0 = tumour_at(0)
    cap0 = capacity(tumour0)
    cells = logistic_steps(capacity_at, r, checked.n0, t, run.reading, added)
    yield next(cells), tumour0, cap0
    for n in cells:
        yield n, state["tumour"], state["cap"]


def simulate_killing(
    *, kill_rate: ArrayLike, kill_saturation: ArrayLike = 10.0, killing: KillingForm = "saturating", extinction: bool = False, **model: Any
) -> Expansion:
    """Iterate Equation 1 with killing: trajectories of the CAR T cells and the tumour.

    Parameters
    ----------
    kill_rate, kill_saturation, killing
        The killing term, as in :func:`kill_per_day` (``kill_rate = 0`` gives Equation 1 exactly).
    extinction : bool
        If True, the tumour is 0 AU for good from the first step it is below
        ``clearance_level`` (set to one cell's antigen, no fraction of a cell
        regrows; Kimmel et al. 2021).  False keeps Equation 1's tumour term.
    **model
        Equation 1's keywords, as in :func:`cartmodel.simulate`.

    Returns
    -------
    Expansion
        As :func:`cartmodel.simulate` returns, with the tumour depending on the cells.

    Examples
    --------
    >>> from cartmodel import simulate
    >>> plain = simulate(r=1.5, q=1.2, B=0.625, P=1000, K=1e6)
    >>> same = simulate_killing(r=1.5, q=1.2, B=0.625, P=1000, K=1e6, kill_rate=0.0)
    >>> bool((same.car_t == plain.car_t).all())
    True
    >>> killed = simulate_killing(r=1.5, q=1.2, B=0.625, P=1000, K=1e6, kill_rate=0.5)
    >>> bool(killed.clearance_day < plain.clearance_day)
    True
    """
    checked, doses = _check(simulate, model, kill_rate=kill_rate, kill_saturation=kill_saturation, killing=killing, extinction=extinction)
    t = checked.run.t
    schedule = check_doses(doses, t)
    shape = broadcast_shape({"parameters": np.empty(checked.run.shape), **{f"n0 of dose {i + 1}": c for i, (_, c) in enumerate(schedule)}})
    car_t, tumour, cap = (np.empty(shape + (len(t),)) for _ in range(3))
    for k, (n, tum, c) in enumerate(_coupled(checked, doses_by_step(schedule, shape))):
        car_t[..., k], tumour[..., k], cap[..., k] = n, tum, c
    return Expansion(t=t, car_t=car_t, tumour=tumour, capacity=cap, clearance_level=checked.level)


def killing_dose_response(
    *, kill_rate: ArrayLike, kill_saturation: ArrayLike = 10.0, killing: KillingForm = "saturating", extinction: bool = False, **model: Any
) -> DoseResponse:
    """:func:`simulate_killing`'s peak, peak day, clearance day and final count, keeping running summaries only.

    Equals :func:`cartmodel.dose_response` at ``kill_rate = 0``.

    Parameters
    ----------
    kill_rate, kill_saturation, killing, extinction
        As in :func:`simulate_killing`.
    **model
        The keywords of :func:`cartmodel.dose_response`.

    Returns
    -------
    DoseResponse

    Examples
    --------
    >>> from cartmodel import dose_response
    >>> model = dict(n0=[[1.0], [100.0]], P=[1e2, 1e3], B=0.625, r=1.5, q=1.2, K=1e6)
    >>> bool((killing_dose_response(kill_rate=0.0, **model).peak == dose_response(**model).peak).all())
    True
    """
    checked, _ = _check(dose_response, model, kill_rate=kill_rate, kill_saturation=kill_saturation, killing=killing, extinction=extinction)
    shape, t = checked.run.shape, checked.run.t
    clearance = np.full(shape, np.inf)

    def cells() -> Iterator[_Array]:
        for k, (n, tumour, _) in enumerate(_coupled(checked, {})):
            np.copyto(clearance, t[k], where=(tumour < checked.level) & np.isinf(clearance))
            yield n

    return DoseResponse.of_steps(cells(), t, shape, clearance)


# --------------------------------------------------------------------------
# calibration to the published typical course

#: Kimmel et al.'s (2021) half-saturation count as a multiple of the cells they
#: infused, ``k_B / C(0)``: the book's default ``kill_saturation`` in the
#: calibrated model, whose cells are counted in infused levels.
KIMMEL_SATURATION_IN_INFUSED_LEVELS = KILLING_AXICEL["half_saturation_cells"].value / KILLING_AXICEL["infused_cells"].value


#: The largest killing rate of the low-dose chapter's scan with which the
#: calibrated typical patient still reaches MRD negativity within three months,
#: per day (the chapter recomputes it and fails the build if it moves).
EXAMPLE_EDGE_KILL_RATE = 0.1
#: The MRD threshold: blasts among the marrow's nucleated cells (the common
#: flow-cytometry limit; an assumption, not checked in ELIANA's own text).
EXAMPLE_MRD_SHARE = 1e-4
#: The ceiling on the peak as a multiple of the published typical fold
#: expansion (an assumption standing in for the risk of cytokine release).
EXAMPLE_CEILING_FOLD = 10.0


@dataclass(frozen=True)
class KillingCalibration(CalibratedModel):
    """Equation 1 with killing fitted to the published typical course (see :func:`calibrate_killing`).

    The fitted fields are those of :class:`cartmodel.calibration.CalibratedModel`.

    Attributes
    ----------
    kill_rate, kill_saturation, killing
        The fixed killing term: ``gamma`` per day, ``k`` in infused levels, its form.
    residual_sd : float
        Root mean square of the log residuals against the published course.
    """

    kill_rate: float
    kill_saturation: float
    killing: str
    residual_sd: float

    def parameters(self) -> dict[str, Any]:
        """Keyword arguments of :func:`simulate_killing` for the calibrated model."""
        return {**super().parameters(), "kill_rate": self.kill_rate, "kill_saturation": self.kill_saturation, "killing": self.killing}

    def _run(self, **keywords: Any) -> Expansion:
        return simulate_killing(**keywords)


def calibrated_window(
    calibration: KillingCalibration,
    *,
    burden_factor: ArrayLike,
    ceiling: float,
    clear_by_day: float,
    clearance_level: float,
    min_dose_factor: float = 1e-3,
    max_dose_factor: float = 1e3,
    days: float | None = None,
    extinction: bool = False,
) -> DoseWindow:
    """:func:`dose_window` of the calibrated killing model, doses as multiples of the median dose.

    The burden is moved by ``burden_factor`` (> 0, broadcasts), the doses
    searched span ``min_dose_factor`` to ``max_dose_factor`` and the horizon is
    ``clear_by_day`` unless ``days`` is given; ``clearance_level`` is in the
    calibration's AU (e.g. ``calibration.P`` times the share left at MRD
    negativity).
    """
    check_instance("calibration", calibration, KillingCalibration)
    if days is None:  # the horizon defaults to clear_by_day: a bad one is reported under its own name
        days = as_real_scalar("clear_by_day", clear_by_day, low=0.0, low_open=True, unit="days")
    burden = as_real_array("burden_factor", burden_factor, low=0.0, low_open=True, unit="multiple of the calibrated P")
    model = {**calibration.parameters(), "P": calibration.P * burden}
    n0 = model.pop("n0")
    return dose_window(
        ceiling=ceiling,
        clear_by_day=clear_by_day,
        min_n0=n0 * min_dose_factor,
        max_n0=n0 * max_dose_factor,
        days=days,
        clearance_level=clearance_level,
        extinction=extinction,
        **model,
    )


def calibrate_killing(
    *,
    kill_rate: float,
    kill_saturation: float = KIMMEL_SATURATION_IN_INFUSED_LEVELS,
    killing: KillingForm = "saturating",
) -> KillingCalibration:
    """Fit ``r``, ``q`` and ``P`` of Equation 1 with killing to the published typical course.

    As :func:`cartmodel.calibration.calibrate_to_tisagenlecleucel`, with the
    killing term held fixed (a scan over ``kill_rate`` is its profile); the
    best of several starts is kept.  Results are cached.

    Parameters
    ----------
    kill_rate, kill_saturation, killing
        The killing term, as in :func:`kill_per_day` but ``k`` in infused levels
        (default Kimmel et al.'s ratio ``k_B / C(0)``).

    Returns
    -------
    KillingCalibration

    Examples
    --------
    >>> from cartmodel.calibration import calibrate_to_tisagenlecleucel
    >>> round(calibrate_killing(kill_rate=0.0).q, 3) == round(calibrate_to_tisagenlecleucel().q, 3)
    True
    """
    gamma = as_real_scalar("kill_rate", kill_rate, **PARAMETERS["kill_rate"].limits)
    k = as_real_scalar("kill_saturation", kill_saturation, **PARAMETERS["kill_saturation"].limits)
    form = check_choice("killing", killing, KILLING_FORMS)
    return _calibrate_killing(gamma, k, form)


@functools.lru_cache(maxsize=256)
def _calibrate_killing(gamma: float, k: float, form: KillingForm) -> KillingCalibration:
    plain = calibrate_to_tisagenlecleucel()
    observed = np.log(published_typical_course(CALIBRATION_SAMPLE_DAYS))
    last = int(CALIBRATION_SAMPLE_DAYS[-1])

    t, _ = time_grid(last, 1.0)
    one = np.ones(())  # the dose and the clearance level: simulate_killing's defaults

    def residuals(x: _Array) -> _Array:
        # simulate_killing's run without its checks: the bounds below keep every trial inside the table's ranges
        parameters = (np.asarray(x[0]), np.asarray(x[1]), np.asarray(plain.B), np.exp(np.asarray(x[2])), np.asarray(plain.K))
        run = CheckedRun(parameters=parameters, t=t, reading="exact", b_placement="capacity", shape=())
        checked = _Checked(run, np.asarray(gamma), np.asarray(k), form, one, one, None)
        return np.log([n for n, _, _ in _coupled(checked, {})]) - observed

    # the fit trades the killing against q (and P): start from Equation 1's fit with q raised by part of the kill
    starts = (np.array([plain.r, plain.q + extra_q, np.log(plain.P)]) for extra_q in (0.0, 0.5 * gamma, gamma))
    fits = [least_squares(residuals, start, bounds=([0.05, 0.0, -20.0], [5.0, 8.0, 60.0])) for start in starts]
    best = min(fits, key=lambda fit: fit.cost)
    r, q, log_p = (float(v) for v in best.x)
    return KillingCalibration(
        r=r,
        q=q,
        P=float(np.exp(log_p)),
        B=plain.B,
        K=plain.K,
        n0=1.0,
        kill_rate=gamma,
        kill_saturation=k,
        killing=form,
        residual_sd=float(np.sqrt(np.mean(best.fun**2))),
    )


# --------------------------------------------------------------------------
# the therapeutic window


@dataclass(frozen=True)
class DoseWindow:
    """Doses that clear the tumour in time and doses under the ceiling (see :func:`dose_window`).

    Attributes
    ----------
    lowest_clearing, lowest_under, highest_under : numpy.ndarray
        Smallest dose whose tumour is below the clearance level by ``clear_by_day``;
        smallest and largest doses whose peak stays at or under the ceiling.
    clears_at_min, under_at_max : numpy.ndarray of bool
        Whether the bound is the edge of the range searched: its smallest dose
        already clears; its largest is still under the ceiling.
    monotone : numpy.ndarray of bool
        Whether on the grid clearing, once reached, persists and the doses
        under the ceiling are one interval (so the bounds describe the whole set).
    """

    lowest_clearing: NDArray[np.float64]
    lowest_under: NDArray[np.float64]
    highest_under: NDArray[np.float64]
    clears_at_min: NDArray[np.bool_]
    under_at_max: NDArray[np.bool_]
    monotone: NDArray[np.bool_]

    @property
    def low(self) -> NDArray[np.float64]:
        """Lower end of the window, the larger of the smallest clearing dose and the smallest dose under the ceiling."""
        return np.fmax(self.lowest_clearing, self.lowest_under) * np.where(np.isnan(self.lowest_clearing), np.nan, 1.0)

    @property
    def high(self) -> NDArray[np.float64]:
        """Upper end of the window, the largest dose under the ceiling."""
        return self.highest_under

    @property
    def exists(self) -> NDArray[np.bool_]:
        """Whether some dose both clears in time and stays under the ceiling."""
        with np.errstate(invalid="ignore"):
            return np.asarray(self.low <= self.high)


def dose_window(
    *,
    ceiling: float,
    clear_by_day: float,
    kill_rate: ArrayLike,
    kill_saturation: ArrayLike = 10.0,
    killing: KillingForm = "saturating",
    min_n0: float = 1e-3,
    max_n0: float = 1e3,
    grid_points: int = 25,
    days: float = DEFAULT_DAYS,
    dt: float = 1.0,
    extinction: bool = True,
    rtol: float = 1e-4,
    **model: Any,
) -> DoseWindow:
    """The therapeutic window of Equation 1 with killing, in model cells.

    :func:`killing_dose_response` on a log-spaced grid of doses; each place
    where a condition changes (clears by ``clear_by_day``; peak at or under
    ``ceiling``) is refined by bisection on the log dose.  Bounds are ``nan``
    where no dose of the range qualifies.

    Parameters
    ----------
    ceiling : float
        Highest acceptable peak, model cells, > 0 (a proxy for toxicity).
    clear_by_day : float
        Day by which the tumour must be below ``clearance_level``, in (0, days].
    kill_rate, kill_saturation, killing, days, dt, extinction
        As in :func:`simulate_killing` (but extinction on by default).
    min_n0, max_n0 : float
        The range of doses searched, model cells, ``0 < min_n0 < max_n0``.
    grid_points, rtol : int, float
        Grid doses before refinement, 3 to 1000; relative precision of each bound, in (0, 0.1].
    **model
        Equation 1's other keywords but ``n0``, as in :func:`simulate_killing`.

    Returns
    -------
    DoseWindow
    """
    ceiling_ = check("ceiling", ceiling)
    low_dose = as_real_scalar("min_n0", min_n0, low=0.0, low_open=True, unit="model cells")
    high_dose = as_real_scalar("max_n0", max_n0, low=low_dose, low_open=True, unit="model cells")
    points = check_positive_int("grid_points", grid_points, low=3, high=1000)
    tolerance = as_real_scalar("rtol", rtol, low=0.0, high=0.1, low_open=True)
    t, _ = time_grid(days, dt)
    by_day = as_real_scalar("clear_by_day", clear_by_day, low=0.0, high=float(t[-1]), low_open=True, unit="days")
    run: dict[str, Any] = dict(
        kill_rate=kill_rate, kill_saturation=kill_saturation, killing=killing, days=days, dt=dt, extinction=extinction, **model
    )
    probe = killing_dose_response(n0=low_dose, **run)
    shape = np.broadcast_shapes(probe.peak.shape, ceiling_.shape)
    log_grid = np.linspace(np.log(low_dose), np.log(high_dose), points).reshape((points,) + (1,) * len(shape))

    def conditions(log_dose: _Array, shape: tuple[int, ...] = shape) -> tuple[_Flags, _Flags]:
        result = killing_dose_response(n0=np.exp(log_dose), **run)
        return (np.broadcast_to(result.clearance_day <= by_day, shape), np.broadcast_to(result.peak <= ceiling_, shape))

    clears, under = conditions(log_grid, (points,) + shape)
    grid = log_grid.reshape(-1)
    first_clear, first_under, last_under = _first_true(clears), _first_true(under), _first_true(under, last=True)
    lowest_clearing = _refine(grid, first_clear, lambda mid: conditions(mid)[0], True, shape, tolerance)
    lowest_under = _refine(grid, first_under, lambda mid: conditions(mid)[1], True, shape, tolerance)
    highest_under = _refine(grid, last_under, lambda mid: conditions(mid)[1], False, shape, tolerance)
    # monotone: clearing, once reached, persists; the doses under the ceiling are one run
    one_run = np.where(first_under >= 0, under.sum(axis=0) == last_under - first_under + 1, True)
    clear_persists = np.where(first_clear >= 0, clears.sum(axis=0) == points - first_clear, True)
    return DoseWindow(
        lowest_clearing=lowest_clearing,
        lowest_under=lowest_under,
        highest_under=highest_under,
        clears_at_min=np.asarray(first_clear == 0),
        under_at_max=np.asarray(last_under == points - 1),
        monotone=np.asarray(one_run & clear_persists),
    )


def _first_true(flags: _Flags, last: bool = False) -> NDArray[np.int_]:
    """Index of the first (or ``last``) True along the first (grid) axis; -1 where there is none."""
    index = flags.shape[0] - 1 - flags[::-1].argmax(axis=0) if last else flags.argmax(axis=0)
    return np.where(flags.any(axis=0), index, -1)


def _refine(
    grid: _Array, index: NDArray[np.int_], holds: Callable[[_Array], _Flags], rising: bool, shape: tuple[int, ...], tolerance: float
) -> _Array:
    """Bisect where the condition ``holds`` turns true (``rising``: between grid index-1 and index)
    or turns false (between index and index+1) on the log-dose ``grid``; keep the side where it holds."""
    points = grid.size
    if rising:
        inner = index > 0
        safe = np.clip(index, 1, points - 1)
        fails, holds_at = grid[safe - 1], grid[safe]
    else:
        inner = (index >= 0) & (index < points - 1)
        safe = np.clip(index, 0, points - 2)
        holds_at, fails = grid[safe], grid[safe + 1]
    fails, holds_at = np.array(np.broadcast_to(fails, shape)), np.array(np.broadcast_to(holds_at, shape))
    if inner.any():
        steps = int(np.ceil(np.log2((grid[1] - grid[0]) / tolerance))) + 1
        holds_at, fails = bisect(holds_at, fails, holds, inner, steps)
    edge = grid[np.clip(index, 0, points - 1)]
    return np.where(index < 0, np.nan, np.exp(np.where(inner, holds_at, edge)))


# --------------------------------------------------------------------------
# a population


@dataclass(frozen=True, kw_only=True)
class KillingPatients(Patients):
    """Virtual patients for Equation 1 with killing (see :func:`killing_patients`); ``typical`` is the calibration's."""


def killing_patients(calibration: KillingCalibration, patients: VirtualPatients) -> KillingPatients:
    """Carry virtual patients of :func:`cartmodel.variability.virtual_patients` over to the killing model.

    Each keeps its relative growth rate, ``r_i = r * (r_i / r_typ)``, and scales
    the tumour's net decline at the typical peak, ``r - q + kill(N_peak)``, by
    its ``alpha_i / alpha_typ``; ``q`` is clipped at 0 and the burden factor kept.

    Parameters
    ----------
    calibration : KillingCalibration
        The typical patient of the killing model.
    patients : VirtualPatients
        The patients to carry over.

    Returns
    -------
    KillingPatients
    """
    check_instance("calibration", calibration, KillingCalibration)
    check_instance("patients", patients, VirtualPatients)
    typical = calibration.simulate(days=CALIBRATION_SAMPLE_DAYS[-1])
    kill_at_peak = float(
        _kill(np.asarray(typical.peak), np.asarray(calibration.kill_rate), np.asarray(calibration.kill_saturation), calibration.killing)
    )
    decline = calibration.r - calibration.q + kill_at_peak
    contraction_factor = patients.net / (patients.typical["r"] - patients.typical["q"])
    r = calibration.r * patients.r / patients.typical["r"]
    q = np.maximum(r + kill_at_peak - decline * contraction_factor, 0.0)
    return KillingPatients(
        r=read_only(r),
        q=read_only(q),
        burden_factor=patients.burden_factor,
        typical=MappingProxyType({"r": calibration.r, "q": calibration.q, "P": calibration.P}),
        seed=patients.seed,
    )
