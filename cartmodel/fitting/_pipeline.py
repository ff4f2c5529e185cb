"""The one fitting pipeline, for one patient or many: minimum, noise, profile interval, judgement.

:func:`fit_burden` runs it on a cohort of one and :func:`fit_cohort` on the
whole cohort; each turns the :class:`Solution` into its own result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ._identifiability import identifiable, noise_and_cutoff, standard_errors
from ._problem import Problem
from ._profile import ProfileInterval, profile_interval
from ._solver import levenberg_marquardt, starting_points


@dataclass(frozen=True)
class Solution:
    """Every patient's fit, as arrays over the ``m`` patients (``p`` fitted parameters, ``P`` first)."""

    theta_hat: NDArray[np.float64]  # (m, rates): the iterated coordinates at the minimum
    estimates: dict[str, NDArray[np.float64]]  # P, r, q, scale: fitted where free, else as given
    rss: NDArray[np.float64]
    sigma2: NDArray[np.float64]
    cutoff: NDArray[np.float64]
    interval: ProfileInterval
    log_se: NDArray[np.float64]  # (m, p)
    identifiable: dict[str, NDArray[np.bool_]]


def solve(problem: Problem) -> Solution:
    """Fit every patient of ``problem``: scan, Levenberg-Marquardt, profile interval, identifiability."""
    settings = problem.settings
    everyone = np.arange(problem.size)
    theta_hat, rss = levenberg_marquardt(problem, everyone, starting_points(problem), list(range(len(problem.rates))))
    sigma2, cutoff = noise_and_cutoff(rss, problem.n_days, len(settings.names), settings.noise_sd, settings.confidence)
    interval = profile_interval(problem, theta_hat, rss, cutoff)
    _, log_scale = problem.residuals(everyone, theta_hat)
    log_se = standard_errors(problem.full_jacobian(theta_hat), sigma2)
    column = {name: theta_hat[:, index] for index, name in enumerate(problem.rates)} | {"scale": log_scale}
    x_hat = np.column_stack([column[name] for name in settings.names])
    low, high = (np.array([settings.log_bounds[name][end] for name in settings.names]) for end in (0, 1))
    flags = identifiable(settings.names, x_hat, interval.ends, interval.closed, log_se, low, high, settings.confidence,
                         settings.flat_factor)
    estimates = {name: np.exp(column[name]) if name in settings.names else problem.fixed[name].copy()
                 for name in ("P", "r", "q", "scale")}
    return Solution(theta_hat=theta_hat, estimates=estimates, rss=rss, sigma2=sigma2, cutoff=cutoff, interval=interval,
                    log_se=log_se, identifiable=flags)
