"""Equation 1 on sampling days: synthetic counts, and what each day's count says about each parameter."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import as_real_array, as_real_scalar, check_choice
from ..model import B_PLACEMENTS, READINGS, simulate
from ..parameters import DEFAULT_DAYS
from ._checks import check_sample_days
from ._problem import JAC_STEP


def sample_counts(
    sample_days: ArrayLike,
    *,
    r: ArrayLike,
    q: ArrayLike,
    B: ArrayLike,
    P: ArrayLike,
    K: ArrayLike,
    n0: ArrayLike = 1.0,
    scale: ArrayLike = 1.0,
    noise_sd: float,
    rng: np.random.Generator,
    dt: float = 1.0,
    reading: str = "exact",
    b_placement: str = "capacity",
) -> NDArray[np.float64]:
    """Synthetic CAR T counts with log-normal measurement error.

    ``counts = scale * N(sample_days) * exp(noise_sd * z)`` with ``z`` standard
    normal, independently for each count.  Parameters broadcast as in
    :func:`cartmodel.simulate`, so many synthetic patients are one call.

    Parameters
    ----------
    sample_days : array_like
        Sampling days, 1-D, increasing, on the ``dt`` grid.
    r, q, B, P, K, n0 : float or array_like
        Equation 1 parameters (see :func:`cartmodel.simulate`).
    scale : float or array_like
        Measured count per model cell, > 0.
    noise_sd : float
        Standard deviation of the natural log of the counts, >= 0.
    rng : numpy.random.Generator
        Source of randomness (seed it for reproducible patients).
    dt, reading, b_placement
        Passed to :func:`cartmodel.simulate`.

    Returns
    -------
    numpy.ndarray
        Counts, shape ``S + (len(sample_days),)`` for parameter shape ``S``.
    """
    dt_ = as_real_scalar("dt", dt, low=0.0, low_open=True, unit="days")
    days_ = check_sample_days(sample_days, dt_)
    sd = as_real_array("noise_sd", noise_sd, low=0.0)
    if sd.ndim:
        raise TypeError(f"noise_sd must be a scalar; got {noise_sd!r}")
    scale_ = as_real_array("scale", scale, low=0.0, low_open=True)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
    horizon = max(float(days_[-1]), dt_)
    run = simulate(r=r, q=q, B=B, P=P, K=K, n0=n0, days=horizon, dt=dt_,
                   reading=check_choice("reading", reading, READINGS),
                   b_placement=check_choice("b_placement", b_placement, B_PLACEMENTS))
    steps = np.rint(days_ / dt_).astype(int)
    clean = scale_[..., None] * run.car_t[..., steps]
    return clean * np.exp(float(sd) * rng.standard_normal(clean.shape))


def log_sensitivities(
    *,
    r: float,
    q: float,
    B: float,
    P: float,
    K: float,
    n0: float = 1.0,
    days: float = DEFAULT_DAYS,
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
