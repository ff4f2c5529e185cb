"""The front door for a cohort: :func:`fit_cohort`, its result :class:`CohortFit`, and its recovery of known burdens."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._checks import Settings, check_parameters, check_patient_series
from ._pipeline import FLAT_ADVICE, IdentifiabilityWarning, solve
from ._problem import Problem
from ._recovery import CohortRecovery, check_truth, count_recovery


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
        lengths).  Each patient's days follow the rules of :func:`fit_burden`.
    counts : array_like or sequence of array_like
        CAR T counts, finite and > 0.
    B, K, n0 : float or array_like
        Known parameters, scalars or one value per patient.
    r, q, scale : float or array_like
        Fixed values, or starting values for those in ``free``; scalars or
        one value per patient.
    free, noise_sd, confidence, bounds, flat_factor, dt, reading, b_placement
        As in :func:`fit_burden` (shared by the cohort).

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
