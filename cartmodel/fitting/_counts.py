"""Equation 1 on sampling days: synthetic counts, and what each day's count says about each parameter."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import as_real_array, as_real_scalar, check_instance
from ..model import simulate
from ._checks import check_sample_days
from ._problem import JAC_STEP


def sample_counts(sample_days: ArrayLike, *, noise_sd: float, rng: np.random.Generator, scale: ArrayLike = 1.0,
                  dt: float = 1.0, **model: Any) -> NDArray[np.float64]:
    """Synthetic CAR T counts, ``scale * N(sample_days) * exp(noise_sd * z)``, ``z`` drawn standard normal by ``rng``.

    Parameters
    ----------
    sample_days : array_like
        Sampling days, 1-D, increasing, on the ``dt`` grid (step in days, > 0).
    noise_sd, scale : float, float or array_like
        Standard deviation of the natural log of the counts, >= 0, and measured count per model cell, > 0.
    **model
        The other keywords of :func:`cartmodel.simulate` (``r, q, B, P, K, n0``, ...); they
        broadcast as there, so many synthetic patients are one call.

    Returns
    -------
    numpy.ndarray
        Counts, shape ``S + (len(sample_days),)`` for parameter shape ``S``.
    """
    dt_ = as_real_scalar("dt", dt, low=0.0, low_open=True, unit="days")
    days_ = check_sample_days(sample_days, dt_)
    sd = as_real_scalar("noise_sd", noise_sd, low=0.0)
    scale_ = as_real_array("scale", scale, low=0.0, low_open=True)
    check_instance("rng", rng, np.random.Generator)
    run = simulate(days=max(float(days_[-1]), dt_), dt=dt_, **model)
    clean = scale_[..., None] * run.car_t[..., np.rint(days_ / dt_).astype(int)]
    return clean * np.exp(sd * rng.standard_normal(clean.shape))


def log_sensitivities(*, r: float, q: float, P: float, **model: Any) -> tuple[NDArray[np.float64], dict[str, NDArray[np.float64]]]:
    """Elasticities ``d ln N_t / d ln theta`` of the count for ``P``, ``r``, ``q`` and ``scale`` (exactly 1).

    Central differences (relative step ``1e-5``) from one broadcast :func:`cartmodel.simulate`
    call, at rates ``r``, ``q`` (per day) and burden ``P`` (AU), each > 0, and the other
    keywords of :func:`cartmodel.simulate` (scalars).  A day whose elasticity for a
    parameter is near zero carries no information on it.

    Returns
    -------
    t, elasticities : numpy.ndarray, dict of str to numpy.ndarray
        Days, and the elasticities by ``"P"``, ``"r"``, ``"q"``, ``"scale"``, each of shape ``(steps + 1,)``.
    """
    values = {
        "r": as_real_scalar("r", r, low=0.0, low_open=True, unit="per day"),
        "q": as_real_scalar("q", q, low=0.0, low_open=True, unit="per day"),
        "P": as_real_scalar("P", P, low=0.0, low_open=True, unit="AU"),
    }
    names = ("P", "r", "q")
    factors = np.exp(np.vstack([np.eye(3), -np.eye(3)]) * JAC_STEP)  # rows: +P, +r, +q, -P, -r, -q
    columns = {name: values[name] * factors[:, index] for index, name in enumerate(names)}
    run = simulate(r=columns["r"], q=columns["q"], P=columns["P"], **model)
    log_n = np.log(run.car_t)
    elasticities = {name: (log_n[index] - log_n[index + 3]) / (2 * JAC_STEP) for index, name in enumerate(names)}
    elasticities["scale"] = np.ones_like(run.t)
    return run.t, elasticities
