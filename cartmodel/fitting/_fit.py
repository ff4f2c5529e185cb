"""The front doors: :func:`fit_burden` for one patient, :func:`fit_cohort` for many, and their results.

Both check their input (``_checks.py``), build a :class:`Problem` and run the
one pipeline of ``_pipeline.py``; one patient is fitted as a cohort of one.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import as_real_scalar, bind_keywords, check_instance
from ..model import Expansion, simulate
from ._checks import Settings, check_counts, check_parameters, check_patient_series, check_sample_days
from ._pipeline import FLAT_ADVICE, IdentifiabilityWarning, Solution, solve
from ._problem import Problem
from ._recovery import CohortRecovery, check_truth, count_recovery

# Log-P grid points of the profile a fit with no free rate reports (it is in closed form there).
_PROFILE_GRID = 1201
# The keywords of fit_cohort that Settings holds, and the known and starting parameters.
_SETTINGS = ("free", "noise_sd", "confidence", "bounds", "flat_factor", "dt", "reading", "b_placement")
_KNOWN_AND_STARTING = ("B", "K", "r", "q", "n0", "scale")


@dataclass(frozen=True)
class BurdenFit:
    """The result of :func:`fit_burden`.

    Attributes
    ----------
    P : float
        Estimated antigen burden, AU.
    P_interval, P_interval_closed : tuple of float, tuple of bool
        ``confidence`` profile-likelihood interval for ``P``, and whether each end was found
        inside the search bounds (``False``: the data do not bound ``P`` there; the end is the bound).
    estimates, free : Mapping[str, float], tuple of str
        ``P``, ``r``, ``q`` and ``scale`` (fitted where free, else as given), and the fitted ones, ``P`` first.
    log_standard_errors, identifiable : Mapping[str, float], Mapping[str, bool]
        Curvature standard error of the log of each fitted parameter (``inf`` where the
        data cannot see it), and whether the data pin it down (see ``flat_factor``).
    noise_sd, noise_estimated : float, bool
        Standard deviation of the log-count error, and whether it was estimated.
    confidence, interval_method : float, str
        Level of ``P_interval`` and how it was computed.
    sample_days, counts, residuals, rss : numpy.ndarray, numpy.ndarray, numpy.ndarray, float
        The data, ``ln(counts) - ln(fitted counts)`` and their sum of squares.
    profile_P, profile_rss, rss_cutoff : numpy.ndarray, numpy.ndarray, float
        Profile of ``P`` (increasing ``P``, the least RSS with ``P`` held there) and its value at the ends of ``P_interval``.
    fitted : Expansion
        The fitted trajectory to the horizon, in model cells (times ``estimates["scale"]`` for measured units).
    """

    P: float
    P_interval: tuple[float, float]
    P_interval_closed: tuple[bool, bool]
    estimates: Mapping[str, float]
    free: tuple[str, ...]
    log_standard_errors: Mapping[str, float]
    identifiable: Mapping[str, bool]
    noise_sd: float
    noise_estimated: bool
    confidence: float
    interval_method: str
    sample_days: NDArray[np.float64] = field(repr=False)
    counts: NDArray[np.float64] = field(repr=False)
    residuals: NDArray[np.float64] = field(repr=False)
    rss: float = field(repr=False)
    profile_P: NDArray[np.float64] = field(repr=False)
    profile_rss: NDArray[np.float64] = field(repr=False)
    rss_cutoff: float = field(repr=False)
    fitted: Expansion = field(repr=False)

    def covers(self, P_true: float) -> bool:
        """Whether ``P_interval`` contains ``P_true``."""
        return bool(self.P_interval[0] <= P_true <= self.P_interval[1])


def fit_burden(sample_days: ArrayLike, counts: ArrayLike, *, horizon_days: float | None = None,
               **model: Any) -> BurdenFit:
    """Fit the antigen burden ``P`` of Equation 1 to one patient's CAR T counts (see :mod:`cartmodel.fitting`).

    Parameters
    ----------
    sample_days, counts : array_like
        Sampling days, 1-D, strictly increasing, >= 0, on the ``dt`` grid, and the CAR T counts on them, finite and > 0.
    horizon_days : float, optional
        Length in days of the returned fitted trajectory, > 0, reaching every sampling day; default the last.
    **model
        The keywords of :func:`fit_cohort`, with its defaults, each a single number.

    Returns
    -------
    BurdenFit

    Warns
    -----
    IdentifiabilityWarning
        When the data cannot pin down ``P`` or another fitted parameter.
    """
    options = bind_keywords(fit_cohort, {"sample_days": sample_days, "counts": counts, **model})
    settings = Settings.check(**{name: options[name] for name in _SETTINGS})
    days_ = check_sample_days(sample_days, settings.dt)
    counts_ = check_counts(counts, days_)
    fixed = check_parameters({name: options[name] for name in _KNOWN_AND_STARTING})
    settings.check_enough_days(days_)
    last = float(days_[-1])
    if horizon_days is None:
        horizon = max(last, settings.dt)
    else:
        horizon = as_real_scalar("horizon_days", horizon_days, low=0.0, low_open=True, unit="days")
        if last > horizon:
            raise ValueError(f"sample_days reach day {last:g}, beyond the horizon of {horizon:g} days; raise horizon_days")
    problem = Problem.build([days_], [counts_], fixed, settings)
    solution = solve(problem)
    identifiable = {name: bool(flag[0]) for name, flag in solution.identifiable.items()}
    if flat := [name for name in settings.names if not identifiable[name]]:
        _warn_flat(
            f"{', '.join(flat)} (the {settings.confidence:.0%} interval reaches a search "
            f"bound or spans more than a factor {settings.flat_factor:g} either side)"
        )
    return _burden_fit(problem, solution, counts_, identifiable, horizon)


def _warn_flat(what: str) -> None:
    """Warn, for the caller of the front door, that the counts cannot pin down ``what``."""
    warnings.warn(f"the counts cannot pin down {what}; " + FLAT_ADVICE, IdentifiabilityWarning, stacklevel=3)


def _burden_fit(problem: Problem, solution: Solution, counts: NDArray[np.float64], identifiable: dict[str, bool],
                horizon: float) -> BurdenFit:
    """The one patient's :class:`BurdenFit` from the cohort-of-one solution."""
    settings, fixed = problem.settings, problem.fixed
    estimates = {name: float(values[0]) for name, values in solution.estimates.items()}
    residuals, _ = problem.residuals(np.zeros(1, dtype=np.int64), solution.theta_hat)
    profile_log_p, profile_rss = _profile_curve(problem, solution)
    ends, closed = solution.interval.ends[0], solution.interval.closed[0]
    noise = "(F cut-off, noise estimated)" if settings.noise_sd is None else "(chi-squared cut-off, noise known)"
    return BurdenFit(
        P=estimates["P"],
        P_interval=(float(np.exp(ends[0])), float(np.exp(ends[1]))),
        P_interval_closed=(bool(closed[0]), bool(closed[1])),
        estimates=MappingProxyType(estimates),
        free=settings.names,
        log_standard_errors=MappingProxyType({name: float(solution.log_se[0, i]) for i, name in enumerate(settings.names)}),
        identifiable=MappingProxyType(identifiable),
        noise_sd=float(math.sqrt(solution.sigma2[0])),
        noise_estimated=settings.noise_sd is None,
        confidence=settings.confidence,
        interval_method=f"profile likelihood {noise}",
        sample_days=problem.sample_days.copy(),
        counts=counts.copy(),
        residuals=residuals[0],
        rss=float(solution.rss[0]),
        profile_P=np.exp(profile_log_p),
        profile_rss=profile_rss,
        rss_cutoff=float(solution.cutoff[0]),
        fitted=simulate(
            r=estimates["r"], q=estimates["q"], B=fixed["B"][0], P=estimates["P"], K=fixed["K"][0], n0=fixed["n0"][0],
            days=horizon, dt=settings.dt, reading=settings.reading, b_placement=settings.b_placement,
        ),
    )


def _profile_curve(problem: Problem, solution: Solution) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The profile to report: a fine grid over the bounds where it is in closed form, else the walk's points."""
    if len(problem.rates) == 1:  # P alone, or P and a scale profiled out exactly
        grid = np.linspace(problem.low[0], problem.high[0], _PROFILE_GRID)
        residuals, _ = problem.residuals(np.zeros(grid.size, dtype=np.int64), grid[:, None])
        return grid, np.sum(residuals**2, axis=1)
    walk = solution.interval
    points = {float(solution.theta_hat[0, 0]): float(solution.rss[0])}
    points.update(zip(walk.walked_log_p.tolist(), walk.walked_rss.tolist(), strict=True))
    grid = np.array(sorted(points))
    return grid, np.array([points[value] for value in grid])


@dataclass(frozen=True)
class CohortFit:
    """The result of :func:`fit_cohort`: the attributes of :class:`BurdenFit`, over the ``m`` patients.

    ``P``, ``noise_sd``, ``rss``, ``rss_cutoff`` and ``n_days`` have shape
    ``(m,)``, ``P_interval`` and ``P_interval_closed`` ``(m, 2)``; ``estimates``,
    ``log_standard_errors`` and ``identifiable`` map names to shape ``(m,)``.
    """

    P: NDArray[np.float64]
    P_interval: NDArray[np.float64]
    P_interval_closed: NDArray[np.bool_]
    estimates: Mapping[str, NDArray[np.float64]]
    free: tuple[str, ...]
    log_standard_errors: Mapping[str, NDArray[np.float64]]
    identifiable: Mapping[str, NDArray[np.bool_]]
    noise_sd: NDArray[np.float64]
    noise_estimated: bool
    confidence: float
    rss: NDArray[np.float64] = field(repr=False)
    rss_cutoff: NDArray[np.float64] = field(repr=False)
    n_days: NDArray[np.int64] = field(repr=False)

    @property
    def pinned_down(self) -> NDArray[np.bool_]:
        """Whether every fitted parameter of each patient is identifiable."""
        return np.logical_and.reduce([self.identifiable[name] for name in self.free])

    def covers(self, P_true: ArrayLike) -> NDArray[np.bool_]:
        """Whether each patient's ``P_interval`` contains ``P_true`` (scalar or shape ``(m,)``)."""
        truth = check_truth(P_true, self.P.size)
        return (self.P_interval[:, 0] <= truth) & (truth <= self.P_interval[:, 1])

    def recovery(self, P_true: ArrayLike, factor: float = 2.0) -> CohortRecovery:
        """:func:`cohort_recovery` of this fit."""
        return cohort_recovery(self, P_true, factor)


def cohort_recovery(fit: CohortFit, P_true: ArrayLike, factor: float = 2.0) -> CohortRecovery:
    """How well a :class:`CohortFit` read the true burdens ``P_true`` (> 0; one, or one per patient).

    Estimates within the fold ``factor`` (> 1) of the truth count as read.
    """
    check_instance("fit", fit, CohortFit)
    return count_recovery(fit.P, fit.P_interval, fit.pinned_down, P_true, factor)


def fit_cohort(
    sample_days: ArrayLike | Sequence[ArrayLike],
    counts: ArrayLike | Sequence[ArrayLike],
    *,
    B: ArrayLike,
    K: ArrayLike,
    r: ArrayLike,
    q: ArrayLike,
    n0: ArrayLike = 1.0,
    scale: ArrayLike = 1.0,
    free: Sequence[str] = (),
    noise_sd: float | None = None,
    confidence: float = 0.95,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    flat_factor: float = 10.0,
    dt: float = 1.0,
    reading: str = "exact",
    b_placement: str = "capacity",
) -> CohortFit:
    """Fit the antigen burden of many patients at once, as :func:`fit_burden` fits each.

    Every step (scan, Levenberg-Marquardt, profile walk) runs for the whole cohort
    together, one :func:`cartmodel.simulate` call per iteration; each patient's result
    does not depend on the others.

    Parameters
    ----------
    sample_days : array_like or sequence of array_like
        Days, strictly increasing, >= 0, on the ``dt`` grid: shared by all (``counts`` of shape
        ``(m, days)``) or one sequence per patient (``counts`` a sequence of matching sequences).
    counts : array_like or sequence of array_like
        CAR T counts, finite and > 0.
    B, K, n0, r, q, scale : float or array_like
        One value, or one per patient: the known affinity factor (dimensionless), capacity scale and
        dose (model cells), > 0; CAR T and tumour growth rates per day (q >= 0) and measured count
        per model cell (> 0), fixed or, for those in ``free``, the starts.
    free : sequence of {"r", "q", "scale"}
        Parameters fitted besides ``P``.
    noise_sd : float, optional
        Known standard deviation of the log-count error, > 0; else estimated (from more days than fitted parameters).
    confidence : float
        Level of the interval for ``P``, in (0, 1).
    bounds : mapping, optional
        ``{name: (low, high)}``, 0 < low < high, overriding :data:`DEFAULT_BOUNDS`.
    flat_factor : float
        A parameter whose interval reaches a bound or more than this factor (> 1) either side is not identifiable.
    dt, reading, b_placement
        As in :func:`cartmodel.simulate`.

    Returns
    -------
    CohortFit

    Warns
    -----
    IdentifiabilityWarning
        One for the cohort, naming the patients (by index) per parameter.
    """
    settings = Settings.check(free=free, noise_sd=noise_sd, confidence=confidence, bounds=bounds,
                              flat_factor=flat_factor, dt=dt, reading=reading, b_placement=b_placement)
    series_days, series_counts = check_patient_series(sample_days, counts, settings.dt)
    if not series_days:
        raise ValueError("the cohort must have at least one patient; got none")
    for index, patient_days in enumerate(series_days):
        settings.check_enough_days(patient_days, patient=f"patient {index}: ")
    fixed = check_parameters({"B": B, "K": K, "r": r, "q": q, "n0": n0, "scale": scale}, patients=len(series_days))
    problem = Problem.build(series_days, series_counts, fixed, settings)
    solution = solve(problem)
    flat = {name: np.nonzero(~solution.identifiable[name])[0] for name in settings.names}
    listed = [f"{name} for patient{'s' if found.size > 1 else ''} {_index_list(found)}" for name, found in flat.items() if found.size]
    if listed:
        _warn_flat(f"{'; '.join(listed)} (see CohortFit.identifiable)")
    return _cohort_fit(problem, solution)


def _cohort_fit(problem: Problem, solution: Solution) -> CohortFit:
    """The cohort's :class:`CohortFit` from its solution."""
    settings = problem.settings
    return CohortFit(
        P=solution.estimates["P"],
        P_interval=np.exp(solution.interval.ends),
        P_interval_closed=solution.interval.closed,
        estimates=MappingProxyType(solution.estimates),
        free=settings.names,
        log_standard_errors=MappingProxyType({name: solution.log_se[:, i] for i, name in enumerate(settings.names)}),
        identifiable=MappingProxyType(solution.identifiable),
        noise_sd=np.sqrt(solution.sigma2),
        noise_estimated=settings.noise_sd is None,
        confidence=settings.confidence,
        rss=solution.rss,
        rss_cutoff=solution.cutoff,
        n_days=problem.n_days.copy(),
    )


def _index_list(indices: NDArray[np.int64], shown: int = 50) -> str:
    text = ", ".join(str(int(i)) for i in indices[:shown])
    return text + (f" and {indices.size - shown} more" if indices.size > shown else "")
