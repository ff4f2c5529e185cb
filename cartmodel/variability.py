"""Between-patient variability of Equation 1's parameters, derived from published kinetics.

Stein et al. (2019) describe each patient's tisagenlecleucel course by growth at
``rho = ln(fold) / Tmax`` up to the peak on day ``Tmax``, then contraction at
the rate ``alpha``, each parameter log-normal between patients
(:data:`cartmodel.published.TISAGENLECLEUCEL_B_ALL_VARIABILITY`).  Equation 1
draws the same course (far below the capacity the cells grow at ``r``; after
the peak they follow the capacity down at ``r - q``), so course by course the
*mapping* is

* ``r`` proportional to ``rho``,
* ``r - q`` proportional to ``alpha`` (``q = 0`` where that would make it
  negative: a contraction faster than the expansion),
* ``ln P`` equal to ``ln(fold) + alpha * Tmax`` up to a constant,

each scaled so that the typical patient has the calibrated values (the
dosing-nomograms chapter says why a mapping and not a fit per course).
:func:`published_variability` gives the spreads of ``ln r`` and ``ln(r - q)``
in closed form or from :func:`virtual_patients`.  Every virtual patient has
``alpha > 0``, so ``q < r``: in Equation 1 every tumour shrinks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import as_real_array, as_real_scalar, check_choice, check_positive_int, read_only, rng_from_seed, seed_value
from .calibration import Calibration, calibrate_to_tisagenlecleucel
from .fitting import SyntheticCohort, sample_counts
from .model import READINGS
from .published import TISAGENLECLEUCEL_B_ALL, TISAGENLECLEUCEL_B_ALL_VARIABILITY

__all__ = [
    "STEIN_PARAMETERS",
    "Patients",
    "VirtualPatients",
    "count_virtual_patients",
    "published_variability",
    "virtual_patients",
]

#: Stein's parameters the virtual patients draw, in the order of the columns of standard normals.
STEIN_PARAMETERS: tuple[str, ...] = ("fold_expansion", "tmax_days", "contraction_rate")

#: The smallest fold expansion a virtual course keeps (a draw 4.9 SD under the
#: typical fold): below it a course has no expansion phase for ``r`` to describe.
MIN_FOLD = 2.0

Method = Literal["moments", "monte_carlo"]
METHODS: tuple[str, ...] = ("moments", "monte_carlo")


def _omega(name: str) -> float:
    """Standard deviation of the log of Stein's parameter ``name``."""
    return math.sqrt(TISAGENLECLEUCEL_B_ALL_VARIABILITY[name].value)


def _typical() -> dict[str, float]:
    """Typical fold, Tmax (days) and contraction rate alpha (per day) of Stein's model."""
    return {
        "fold_expansion": TISAGENLECLEUCEL_B_ALL["fold_expansion"].value,
        "tmax_days": TISAGENLECLEUCEL_B_ALL["tmax_days"].value,
        "contraction_rate": math.log(2.0) / TISAGENLECLEUCEL_B_ALL["contraction_half_life_days"].value,
    }


@dataclass(frozen=True, kw_only=True)
class Patients:
    """Per-patient growth rates and burden factors: what every virtual cohort of the book holds.

    Attributes
    ----------
    r, q, burden_factor : numpy.ndarray
        CAR T and tumour growth rates per day, and the patient's ``P`` over the
        typical (or nominal) ``P``; shape ``(n,)``, read-only.
    typical, seed : Mapping[str, float], int or None
        The typical (median) values the cohort is scaled to; the integer seed (``None`` for a Generator).
    """

    r: NDArray[np.float64]
    q: NDArray[np.float64]
    burden_factor: NDArray[np.float64]
    typical: Mapping[str, float] = field(default_factory=dict)
    seed: int | None = None

    @property
    def size(self) -> int:
        """Number of virtual patients."""
        return int(self.r.shape[0])


@dataclass(frozen=True, kw_only=True)
class VirtualPatients(Patients):
    """Virtual patients of Stein's model and their Equation 1 parameters (see :func:`virtual_patients`).

    Attributes
    ----------
    fold_expansion, tmax_days, contraction_rate : numpy.ndarray
        Fold expansion, day of the peak and ``alpha`` (per day), shape ``(n,)``.
    net : numpy.ndarray
        The rate ``r - q`` the mapping asks for, per day (``q = max(r - net, 0)``).
    """

    fold_expansion: NDArray[np.float64]
    tmax_days: NDArray[np.float64]
    contraction_rate: NDArray[np.float64]
    net: NDArray[np.float64]

    @property
    def share_not_shrinking(self) -> float:
        """Share with ``q >= r``: Equation 1's non-responders (the tumour term never falls)."""
        return float(np.mean(self.q >= self.r))

    @property
    def share_q_clipped(self) -> float:
        """Share whose contraction is faster than their expansion, given ``q = 0``."""
        return float(np.mean(self.net > self.r))


def virtual_patients(n_patients: int, *, seed: int | np.random.Generator, calibration: Calibration | None = None) -> VirtualPatients:
    """Draw virtual patients from Stein et al.'s (2019) model and map them onto Equation 1.

    Fold expansion, Tmax and ``alpha`` are the typical values times
    ``exp(omega z)``; the mapping of the module docstring then gives ``r``,
    ``q`` and ``P = P_cal (fold / fold_typ) exp(a Tmax - alpha_typ Tmax_typ)``,
    with ``a`` the contraction Equation 1 draws (``alpha`` unless ``q`` was clipped).

    Parameters
    ----------
    n_patients : int
        Number of virtual patients, 1 to 10,000,000.
    seed : int or numpy.random.Generator
        An integer (>= 0) seeds a fresh :func:`numpy.random.default_rng`; a
        Generator is used as it stands.
    calibration : Calibration, optional
        The typical patient; default :func:`cartmodel.calibration.calibrate_to_tisagenlecleucel`.

    Returns
    -------
    VirtualPatients

    Examples
    --------
    >>> patients = virtual_patients(1000, seed=1)
    >>> patients.size, patients.share_not_shrinking
    (1000, 0.0)
    """
    n = check_positive_int("n_patients", n_patients, low=1, high=10_000_000)
    rng = rng_from_seed(seed)
    if calibration is None:
        calibration = calibrate_to_tisagenlecleucel()
    elif not isinstance(calibration, Calibration):
        raise TypeError(f"calibration must be a Calibration from calibrate_to_tisagenlecleucel; got {calibration!r}")
    typical = _typical()
    z = rng.standard_normal((n, len(STEIN_PARAMETERS)))
    drawn = {name: typical[name] * np.exp(_omega(name) * z[:, column]) for column, name in enumerate(STEIN_PARAMETERS)}
    fold = np.maximum(drawn["fold_expansion"], MIN_FOLD)
    tmax, alpha = drawn["tmax_days"], drawn["contraction_rate"]
    rho = np.log(fold) / tmax
    rho_typical = math.log(typical["fold_expansion"]) / typical["tmax_days"]
    r = calibration.r * rho / rho_typical
    net = calibration.net_decline * alpha / typical["contraction_rate"]
    q = np.maximum(r - net, 0.0)
    # the contraction Equation 1 actually draws (slower than alpha where q was clipped), so that the
    # growing cells still meet the falling capacity at the patient's fold expansion
    alpha_drawn = typical["contraction_rate"] * (r - q) / calibration.net_decline
    log_burden = np.log(fold / typical["fold_expansion"]) + alpha_drawn * tmax - typical["contraction_rate"] * typical["tmax_days"]
    return VirtualPatients(
        fold_expansion=read_only(fold),
        tmax_days=read_only(tmax),
        contraction_rate=read_only(alpha),
        r=read_only(r),
        net=read_only(net),
        q=read_only(q),
        burden_factor=read_only(np.exp(log_burden)),
        typical=MappingProxyType({"r": calibration.r, "q": calibration.q, "P": calibration.P}),
        seed=seed_value(seed),
    )


def published_variability(
    method: Method = "moments", *, n_patients: int = 200_000, seed: int | np.random.Generator = 2019
) -> Mapping[str, float]:
    """Between-patient SDs of ``ln r`` (``"r"``) and ``ln(r - q)`` (``"net"``), from Stein et al.'s (2019) variances.

    Moments: the variance of ``ln r`` is ``omega_fold**2 / ln(fold_typ)**2 +
    omega_Tmax**2`` to first order; that of ``ln(r - q)`` is ``omega_alpha**2`` exactly.

    Parameters
    ----------
    method : {"moments", "monte_carlo"}
        Those moment relations, or sample SDs over :func:`virtual_patients`
        (``"net"`` before ``q`` is clipped at zero).
    n_patients, seed
        For ``"monte_carlo"``: virtual patients, 2 to 10,000,000, and their seed, as in :func:`virtual_patients`.

    Returns
    -------
    Mapping[str, float]
        Read-only.  No ``"P"``: ``ln P`` has a long right tail (``alpha Tmax`` is a
        product of log-normals), so its SD would be set by a few extreme courses.

    Examples
    --------
    >>> spreads = published_variability()
    >>> round(spreads["r"], 3), round(spreads["net"], 3)
    (0.644, 0.954)
    """
    check_choice("method", method, METHODS)
    n = check_positive_int("n_patients", n_patients, low=2, high=10_000_000)
    rng = rng_from_seed(seed)
    if method == "monte_carlo":
        patients = virtual_patients(n, seed=rng)
        return MappingProxyType({name: float(np.std(np.log(getattr(patients, name)), ddof=1)) for name in ("r", "net")})
    typical = _typical()
    fold, tmax, alpha = (_omega(name) for name in STEIN_PARAMETERS)
    rate_part = (fold / math.log(typical["fold_expansion"])) ** 2  # delta method for ln ln(fold)
    return MappingProxyType({"r": math.sqrt(rate_part + tmax**2), "net": alpha})


def count_virtual_patients(
    n_patients: int,
    *,
    seed: int | np.random.Generator,
    sample_days: ArrayLike = tuple(range(1, 29)),
    noise_sd: float = 0.3,
    scale_decades: float = 0.7,
    r_log_sd: float | None = None,
    reading: str = "exact",
) -> SyntheticCohort:
    """:func:`virtual_patients` counted by :func:`cartmodel.sample_counts`, as a :class:`cartmodel.SyntheticCohort`.

    Each has a blood-to-pool proportion ``10**U(-scale_decades, scale_decades)``;
    the cohort's ``r_product`` is the calibrated ``r``.

    Parameters
    ----------
    n_patients : int
        Number of patients, 1 to 1,000,000.
    seed : int or numpy.random.Generator
        As in :func:`virtual_patients`; drawn in the order patients, (growth rates), proportions, counts.
    sample_days : array_like
        Days counted (whole days, increasing, >= 0).
    noise_sd, scale_decades : float
        SD of the log counts, in [0, 5]; half-width of the proportion, in decades, in [0, 6].
    r_log_sd : float or None
        ``None`` keeps each patient's own ``r``; a number in [0, 5] draws the
        calibrated ``r`` times ``exp(r_log_sd z)`` instead.  Either way
        ``q = max(r - net, 0)`` with the patient's own net rate.
    reading : str
        As in :func:`cartmodel.simulate`.

    Returns
    -------
    cartmodel.SyntheticCohort
    """
    n = check_positive_int("n_patients", n_patients, low=1, high=1_000_000)
    rng = rng_from_seed(seed)
    days = as_real_array("sample_days", sample_days, low=0.0, unit="days")
    decades = as_real_scalar("scale_decades", scale_decades, low=0.0, high=6.0)
    sd = as_real_scalar("noise_sd", noise_sd, low=0.0, high=5.0)
    spread = None if r_log_sd is None else as_real_scalar("r_log_sd", r_log_sd, low=0.0, high=5.0)
    check_choice("reading", reading, READINGS)
    calibration = calibrate_to_tisagenlecleucel()
    patients = virtual_patients(n, seed=rng, calibration=calibration)
    r = patients.r if spread is None else calibration.r * np.exp(spread * rng.standard_normal(n))
    q = np.maximum(r - patients.net, 0.0)
    P = calibration.P * patients.burden_factor
    scale = 10 ** rng.uniform(-decades, decades, n)
    fixed = {name: getattr(calibration, name) for name in ("B", "K", "n0")}
    counts = sample_counts(days, r=r, q=q, P=P, scale=scale, noise_sd=sd, rng=rng, reading=reading, **fixed)
    return SyntheticCohort(
        P=P, q=q, r=r, scale=scale, r_product=calibration.r, sample_days=np.asarray(days, dtype=float), counts=counts, noise_sd=sd, **fixed
    )
