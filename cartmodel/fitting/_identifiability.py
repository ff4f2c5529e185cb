"""What the counts pin down: the noise, the profile cut-off, curvature errors and the judgement."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import as_real_scalar, check_choice
from ..model import B_PLACEMENTS, READINGS, simulate
from ._problem import JAC_STEP

# Singular values below this fraction of the largest mark a direction the data
# cannot see at all (structural non-identifiability).
_RCOND = 1e-9

FLAT_ADVICE = (
    "sample other days (expansion for r, peak and contraction for P and q, plateau for scale) "
    "or fix these parameters"
)


class IdentifiabilityWarning(UserWarning):
    """The counts cannot pin down a fitted parameter (its profile is flat)."""


def log_sensitivities(
    *,
    r: float,
    q: float,
    B: float,
    P: float,
    K: float,
    n0: float = 1.0,
    days: float = 60,
    dt: float = 1.0,
    reading: str = "exact",
    b_placement: str = "capacity",
) -> tuple[NDArray[np.float64], dict[str, NDArray[np.float64]]]:
    """How much each fitted parameter moves the log count on each day.

    Returns the elasticities ``d ln N_t / d ln theta`` for ``theta`` in ``P``,
    ``r`` and ``q``, by central differences (relative step ``1e-5``) from one
    broadcast :func:`cartmodel.simulate` call; the elasticity for ``scale`` is
    exactly 1 on every day.  A day whose elasticity for a parameter is near
    zero carries no information on it; two parameters whose curves are
    proportional cannot be told apart.

    Parameters
    ----------
    r, q, B, P, K, n0 : float
        Scalar Equation 1 parameters (``P``, ``q`` > 0).
    days, dt, reading, b_placement
        Passed to :func:`cartmodel.simulate`.

    Returns
    -------
    t : numpy.ndarray
        Days, shape ``(steps + 1,)``.
    elasticities : dict of str to numpy.ndarray
        Keys ``"P"``, ``"r"``, ``"q"``, ``"scale"``, each of shape ``(steps + 1,)``.
    """
    values = {
        "r": as_real_scalar("r", r, low=0.0, low_open=True, unit="per day"),
        "q": as_real_scalar("q", q, low=0.0, low_open=True, unit="per day"),
        "P": as_real_scalar("P", P, low=0.0, low_open=True, unit="AU"),
    }
    names = ("P", "r", "q")
    factors = np.exp(np.vstack([np.eye(3), -np.eye(3)]) * JAC_STEP)  # rows: +P, +r, +q, -P, -r, -q
    columns = {name: values[name] * factors[:, index] for index, name in enumerate(names)}
    run = simulate(
        r=columns["r"], q=columns["q"], B=B, P=columns["P"], K=K, n0=n0, days=days, dt=dt,
        reading=check_choice("reading", reading, READINGS),
        b_placement=check_choice("b_placement", b_placement, B_PLACEMENTS),
    )
    log_n = np.log(run.car_t)
    elasticities = {name: (log_n[index] - log_n[index + 3]) / (2 * JAC_STEP) for index, name in enumerate(names)}
    elasticities["scale"] = np.ones_like(run.t)
    return run.t, elasticities


def noise_and_cutoff(rss: NDArray[np.float64], n_days: ArrayLike, p: int, noise_sd: float | None,
                     confidence: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Noise variance and the profile cut-off ``RSS_min + c sigma^2`` of each patient."""
    from scipy import stats

    if noise_sd is None:
        dof = np.asarray(n_days) - p
        sigma2 = rss / dof
        critical = stats.f.ppf(confidence, 1, dof)
    else:
        sigma2 = np.full(rss.shape, noise_sd**2)
        critical = np.full(rss.shape, float(stats.chi2.ppf(confidence, 1)))
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
    se = np.where(seen, np.inf, se)
    return np.where(top == 0.0, np.inf, se)


def identifiable(names: tuple[str, ...], x_hat: NDArray[np.float64], ends: NDArray[np.float64],
                 closed: NDArray[np.bool_], log_se: NDArray[np.float64], low: NDArray[np.float64],
                 high: NDArray[np.float64], confidence: float, flat_factor: float) -> dict[str, NDArray[np.bool_]]:
    """Whether each fitted parameter is pinned down, per row of ``x_hat`` (shape ``(m, p)``).

    ``P``: both profile ends found and within ``flat_factor`` of the estimate;
    the others: a Wald interval on the log scale inside the bounds and within
    ``flat_factor`` either side.
    """
    from scipy import stats

    z = float(stats.norm.ppf(0.5 + confidence / 2))
    reach = math.log(flat_factor)
    result = {}
    for index, name in enumerate(names):
        if name == "P":
            result[name] = (closed[:, 0] & closed[:, 1] & (x_hat[:, 0] - ends[:, 0] <= reach)
                            & (ends[:, 1] - x_hat[:, 0] <= reach))
        else:
            half = z * log_se[:, index]
            result[name] = (half <= reach) & (x_hat[:, index] - half > low[index]) & (x_hat[:, index] + half < high[index])
    return result
