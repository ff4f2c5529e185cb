"""The one fitting pipeline, for one patient or many: minimum, noise, profile interval, identifiability."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._checks import Settings
from ._problem import Problem
from ._profile import ProfileInterval, profile_interval
from ._solver import levenberg_marquardt, starting_points

# Singular values below this fraction of the largest mark a direction the data
# cannot see at all (structural non-identifiability).
_RCOND = 1e-9

FLAT_ADVICE = (
    "sample other days (expansion for r, peak and contraction for P and q, plateau for scale) "
    "or fix these parameters"
)


class IdentifiabilityWarning(UserWarning):
    """The counts cannot pin down a fitted parameter (its profile is flat)."""


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
    flags = identifiable(settings, np.column_stack([column[name] for name in settings.names]), interval, log_se)
    estimates = {name: np.exp(column[name]) if name in settings.names else problem.fixed[name].copy()
                 for name in ("P", "r", "q", "scale")}
    return Solution(theta_hat=theta_hat, estimates=estimates, rss=rss, sigma2=sigma2, cutoff=cutoff, interval=interval,
                    log_se=log_se, identifiable=flags)


def noise_and_cutoff(rss: NDArray[np.float64], n_days: ArrayLike, p: int, noise_sd: float | None,
                     confidence: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Noise variance and the profile cut-off ``RSS_min + c sigma^2`` of each patient.

    ``c``: the ``confidence`` quantile of F(1, n - p), or of chi-squared(1) where the noise is
    known, by scipy.special as scipy.stats computes it (without its half-second import).
    """
    from scipy import special

    if noise_sd is None:
        dof = np.asarray(n_days) - p
        sigma2 = rss / dof
        critical = special.fdtri(1, dof, confidence)
    else:
        sigma2 = np.full(rss.shape, noise_sd**2)
        critical = np.full(rss.shape, float(2.0 * special.gammaincinv(0.5, confidence)))
    return sigma2, rss + critical * sigma2


def standard_errors(jac: NDArray[np.float64], sigma2: NDArray[np.float64]) -> NDArray[np.float64]:
    """Curvature standard errors of the log parameters, for a stack of Jacobians ``(m, n, p)``.

    ``inf`` for a parameter with a visible share in a direction the data cannot see.
    """
    m, n, p = jac.shape
    if n < p:
        return np.full((m, p), np.inf)
    _, singular, vt = np.linalg.svd(jac, full_matrices=False)
    top = singular[:, :1]
    blind = singular < _RCOND * top
    weights = np.where(blind, 0.0, 1.0 / np.where(blind | (singular == 0), 1.0, singular) ** 2)
    se = np.sqrt(np.einsum("mkp,mk->mp", vt**2, weights) * np.asarray(sigma2)[:, None])
    seen = np.einsum("mk,mkp->mp", blind.astype(float), (np.abs(vt) > 1e-3).astype(float)) > 0
    return np.where(seen | (top == 0.0), np.inf, se)


def identifiable(settings: Settings, x_hat: NDArray[np.float64], interval: ProfileInterval,
                 log_se: NDArray[np.float64]) -> dict[str, NDArray[np.bool_]]:
    """Whether each fitted parameter is pinned down, per row of ``x_hat`` (the log estimates, ``(m, p)``).

    ``P``: both profile ends found and within ``flat_factor`` of the estimate;
    the others: a Wald interval on the log scale inside the bounds and within
    ``flat_factor`` either side.
    """
    from scipy import special

    z = float(special.ndtri(0.5 + settings.confidence / 2))  # the normal quantile
    reach = math.log(settings.flat_factor)
    ends, closed = interval.ends, interval.closed
    result = {}
    for index, name in enumerate(settings.names):
        low, high = settings.log_bounds[name]
        if name == "P":
            result[name] = (closed[:, 0] & closed[:, 1] & (x_hat[:, 0] - ends[:, 0] <= reach)
                            & (ends[:, 1] - x_hat[:, 0] <= reach))
        else:
            half = z * log_se[:, index]
            result[name] = (half <= reach) & (x_hat[:, index] - half > low) & (x_hat[:, index] + half < high)
    return result
