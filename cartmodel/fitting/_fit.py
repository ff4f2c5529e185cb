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

from .._validation import as_real_scalar, bind_keywords
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
        Estimated antigen burden (the multiplier of ``K`` in Equation 1).
    P_interval : tuple of float
        ``confidence`` profile-likelihood interval for ``P``.  An end that
        reaches the search bound is reported as that bound (see
        ``P_interval_closed``).
    P_interval_closed : tuple of bool
        Whether each end of ``P_interval`` was found inside the search bounds;
        ``False`` means the profile is still below the cut-off at the bound,
        so the data do not bound ``P`` on that side.
    estimates : Mapping[str, float]
        ``P``, ``r``, ``q`` and ``scale``: fitted where free, else as given.
    free : tuple of str
        The fitted parameters, ``P`` first.
    log_standard_errors : Mapping[str, float]
        Standard error of the natural log of each fitted parameter from the
        curvature of the sum of squares (``inf`` where the data cannot see the
        parameter at all).
    identifiable : Mapping[str, bool]
        For each fitted parameter, whether the data pin it down (see
        :func:`fit_burden`, ``flat_factor``).
    noise_sd : float
        Standard deviation of the log-count error: estimated from the
        residuals (``sqrt(RSS / (n - p))``) or as given.
    noise_estimated : bool
        Whether ``noise_sd`` was estimated.
    confidence : float
        Confidence level of ``P_interval``.
    interval_method : str
        How ``P_interval`` was computed.
    sample_days : numpy.ndarray
        Sampling days (the days of the counts).
    counts : numpy.ndarray
        Measured counts.
    residuals : numpy.ndarray
        ``ln(counts) - ln(fitted counts)`` on the sampling days.
    rss : float
        Residual sum of squares of the log counts at the estimate.
    profile_P : numpy.ndarray
        Values of ``P`` at which the profile was evaluated (increasing).
    profile_rss : numpy.ndarray
        Smallest residual sum of squares with ``P`` held at each ``profile_P``
        (the other free parameters re-fitted).
    rss_cutoff : float
        Profile ``rss`` at the ends of ``P_interval``.
    fitted : Expansion
        The fitted trajectory up to the horizon, in model cells (multiply by
        ``estimates["scale"]`` for measured units).
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
    """Fit the antigen burden ``P`` of Equation 1 to one patient's CAR T counts on given days.

    Minimises the sum of squared differences between the log counts and the
    log of ``scale * N(day)`` from :func:`cartmodel.simulate` over ``ln P`` and
    the logs of the parameters in ``free``, within ``bounds``: a
    Levenberg-Marquardt iteration started from the best point of a coarse scan
    over ``ln P``, with a free ``scale`` profiled out exactly (its best log is
    the mean log residual).  The patient is fitted as a cohort of one by the
    pipeline of :func:`fit_cohort`.

    Parameters
    ----------
    sample_days : array_like
        Sampling days, 1-D, strictly increasing, >= 0, on the ``dt`` grid.
    counts : array_like
        CAR T counts on those days, finite and > 0 (logs are taken).
    horizon_days : float, optional
        Length of the returned fitted trajectory; defaults to the last
        sampling day.  Every sampling day must lie within it.
    **model
        The keywords of :func:`fit_cohort`, with its defaults, each a single
        number: the known ``B``, ``K``, ``n0``, the fixed or starting ``r``,
        ``q``, ``scale``, and the settings ``free``, ``noise_sd``,
        ``confidence``, ``bounds``, ``flat_factor``, ``dt``, ``reading``,
        ``b_placement``.

    Returns
    -------
    BurdenFit

    Raises
    ------
    TypeError, ValueError
        For bad data (non-positive, NaN or infinite counts, unsorted or
        repeated days, days off the ``dt`` grid or beyond the horizon,
        mismatched lengths, fewer days than needed for the free parameters)
        and parameters out of range; the message names the culprit.

    Warns
    -----
    IdentifiabilityWarning
        When the data cannot pin down ``P`` or another fitted parameter.

    Notes
    -----
    The interval for ``P`` is a profile-likelihood interval: the set of ``P``
    whose profile residual sum of squares (the other free parameters
    re-fitted) is at most ``RSS_min + c * sigma^2``.  With ``sigma`` estimated
    (``sigma^2 = RSS_min / (n - p)``) ``c`` is the ``confidence`` quantile of
    the F distribution with 1 and ``n - p`` degrees of freedom; with ``sigma``
    given it is the chi-squared quantile with 1 degree of freedom.  For the
    other parameters identifiability is judged from the curvature of the sum
    of squares (Wald intervals on the log scale).
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
    flat = [name for name in settings.names if not identifiable[name]]
    if flat:
        warnings.warn(
            f"the counts cannot pin down {', '.join(flat)} (the {settings.confidence:.0%} interval reaches a search "
            f"bound or spans more than a factor {settings.flat_factor:g} either side); " + FLAT_ADVICE,
            IdentifiabilityWarning,
            stacklevel=2,
        )
    return _burden_fit(problem, solution, counts_, identifiable, horizon)


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
    """The result of :func:`fit_cohort`: one entry per patient, in input order.

    The attributes mean what the same names of :class:`BurdenFit` mean, as
    arrays over the ``m`` patients: ``P``, ``noise_sd``, ``rss``,
    ``rss_cutoff`` and ``n_days`` have shape ``(m,)``; ``P_interval`` and
    ``P_interval_closed`` ``(m, 2)``; ``estimates``, ``log_standard_errors``
    and ``identifiable`` map each name to an array of shape ``(m,)``.
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
        """Count the patients read within ``factor`` of ``P_true`` and the intervals that cover it.

        The same as :func:`cohort_recovery` ``(self, P_true, factor)``.
        """
        return cohort_recovery(self, P_true, factor)


def cohort_recovery(fit: CohortFit, P_true: ArrayLike, factor: float = 2.0) -> CohortRecovery:
    """How well a cohort fit read known burdens.

    Parameters
    ----------
    fit : CohortFit
        The result of :func:`fit_cohort`.
    P_true : float or array_like
        The true burdens, > 0: one value, or one per patient.
    factor : float
        Estimates within this fold of the truth count as read, > 1.

    Returns
    -------
    CohortRecovery
        Counts of patients read within ``factor``, of intervals covering the
        truth and of patients the fit warned about, and the median interval
        width.
    """
    if not isinstance(fit, CohortFit):
        raise TypeError(f"fit must be a CohortFit (the result of fit_cohort); got {type(fit).__name__}")
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
    """Fit the antigen burden of many patients at once.

    The same model, estimates, intervals and identifiability judgement as
    :func:`fit_burden`, patient by patient (which fits one patient as a
    cohort of one), but every step is computed for the whole cohort
    together: one :func:`cartmodel.simulate` call per iteration evaluates the
    model and its finite-difference Jacobian for all patients.  The fit is a
    Levenberg-Marquardt iteration on each patient's log-count residuals,
    within the bounds, from the best point of a coarse scan over ``ln P``; a
    free ``scale`` is not iterated but profiled out exactly (its best log is
    the mean log residual, held in its bounds).  The profile of ``P`` is
    walked outwards from every patient's estimate, doubling its step where
    the profile is flat, and its crossings of the cut-off are refined by
    regula falsi, all patients at once.

    Parameters
    ----------
    sample_days : array_like or sequence of array_like
        Sampling days: one 1-D sequence shared by every patient (then
        ``counts`` has shape ``(m, len(sample_days))``), or one sequence per patient
        (then ``counts`` is a sequence of as many sequences, of matching
        lengths).  Each patient's days are strictly increasing, >= 0 and on the
        ``dt`` grid.
    counts : array_like or sequence of array_like
        CAR T counts, finite and > 0 (logs are taken).
    B : float or array_like
        Affinity factor ``(1 nM) / IC50`` of the CAR, dimensionless (known).
    K : float or array_like
        Scale of the steady-state level in model cells (known).
    r, q : float or array_like
        CAR T and tumour growth rates per day: fixed values, or starting values
        for those named in ``free``.
    n0 : float or array_like
        Infused dose in model cells (known).
    scale : float or array_like
        Measured count per model cell: fixed, or the starting value if
        ``"scale"`` is in ``free``.
    free : sequence of {"r", "q", "scale"}
        Parameters to fit besides ``P``.
    noise_sd : float, optional
        Known standard deviation of the log-count error.  If omitted it is
        estimated from the residuals, which needs more days than fitted
        parameters.
    confidence : float
        Level of the interval for ``P``, in (0, 1).
    bounds : mapping, optional
        ``{name: (low, high)}`` search bounds overriding :data:`DEFAULT_BOUNDS`
        for any of ``P``, ``r``, ``q``, ``scale`` (all > 0).
    flat_factor : float
        A fitted parameter counts as not identifiable when its interval
        reaches a search bound or extends more than this factor either side of
        the estimate; an :class:`IdentifiabilityWarning` then names it.  > 1.
    dt, reading, b_placement
        Passed to :func:`cartmodel.simulate`.

    The parameters ``B`` to ``scale`` are scalars or one value per patient;
    the settings from ``free`` on are shared by the cohort.

    Returns
    -------
    CohortFit

    Warns
    -----
    IdentifiabilityWarning
        One warning for the cohort, naming for each parameter the patients
        (by index) whose counts cannot pin it down.

    Notes
    -----
    Each patient's result does not depend on the others in the cohort:
    estimates agree with :func:`fit_burden` on that patient alone to the
    solver's tolerance (``1e-6`` relative in the tests) and interval ends to
    about ``1e-5`` relative, except where the profile is flat at the minimum
    itself, where no fit has a unique answer.
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
    if any(indices.size for indices in flat.values()):
        listed = "; ".join(
            f"{name} for patient{'s' if indices.size > 1 else ''} {_index_list(indices)}"
            for name, indices in flat.items() if indices.size
        )
        warnings.warn(
            f"the counts cannot pin down {listed} (see CohortFit.identifiable); " + FLAT_ADVICE,
            IdentifiabilityWarning,
            stacklevel=2,
        )
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
