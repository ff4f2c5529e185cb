"""Between-patient variability of Equation 1's parameters, derived from published kinetics.

Stein et al. (2019) describe each patient's tisagenlecleucel course by a
piecewise curve: growth at ``rho = ln(fold) / Tmax`` from infusion to the peak
on day ``Tmax``, then an early contraction at the rate ``alpha`` (and a slow
persistence phase).  Their mixed-effects model gives every parameter a
log-normal between-patient spread, ``ln X_i = ln X + eta_i`` with ``eta_i``
normal of variance ``omega**2``
(:data:`cartmodel.published.TISAGENLECLEUCEL_B_ALL_VARIABILITY`).

Equation 1 draws the same course with three numbers (see
:mod:`cartmodel.calibration`): far below the capacity the cells grow at ``r``;
after the peak they follow the capacity ``K B P exp((q - r) t)`` down, at the
rate ``r - q``; and the peak falls where the growing cells meet the falling
capacity.  Course by course this gives the *mapping*

* ``r`` proportional to ``rho = ln(fold) / Tmax``,
* ``r - q`` proportional to ``alpha``,
* ``ln P`` equal to ``ln(fold) + alpha * Tmax`` up to a constant,

each scaled so that the typical patient (all random effects zero) has the
calibrated values.  The spreads of the logs of ``r`` and ``r - q``
follow from the published variances in two independent ways (the burden's
spread is left out: see :func:`published_variability`):

* :func:`published_variability` with ``method="moments"``: moment relations in
  closed form (first-order for ``r``, exact for ``r - q``);
* ``method="monte_carlo"``: virtual patients drawn from Stein's model
  (:func:`virtual_patients`) and mapped one by one.

Why the mapping rather than a least-squares calibration of Equation 1 to each
virtual course: the mapping is what the least-squares calibration finds for the
typical course to within a few per cent (compare
:func:`cartmodel.calibration.calibrate_to_tisagenlecleucel`), it is exact for
the piecewise curve, costs nothing for a cohort of any size, and it says openly
what happens where Equation 1 cannot draw a course at all: when ``alpha`` is
larger than ``rho`` the contraction is faster than the expansion, which would
need a negative tumour growth rate; such patients get ``q = 0``.

Stein's model gives every patient a contraction, ``alpha > 0``, so under the
mapping every patient has ``q < r``: in Equation 1 the tumour shrinks in every
virtual patient.  That is a property of Equation 1 (its CAR T contraction *is*
the tumour's decline), not of the spreads; the dosing chapter compares it with
the non-response seen in ELIANA.
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

#: Stein's parameters whose random effects the virtual patients draw, in the
#: order of the columns of standard normals (a prefix of a cohort is the
#: smaller cohort drawn with the same seed).
STEIN_PARAMETERS: tuple[str, ...] = ("fold_expansion", "tmax_days", "contraction_rate")

#: The smallest fold expansion a virtual course keeps: below twofold (a draw
#: more than 4.9 standard deviations under the typical fold, probability below
#: one in two million) a course has no expansion phase for ``r`` to describe.
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

    :class:`cartmodel.population.Cohort`, :class:`VirtualPatients` and
    :class:`cartmodel.killing.KillingPatients` are such cohorts; each adds what
    it was drawn from.

    Attributes
    ----------
    r : numpy.ndarray
        CAR T growth rates per day, shape ``(n,)``.
    q : numpy.ndarray
        Tumour growth rates per day, shape ``(n,)``.
    burden_factor : numpy.ndarray
        The patient's ``P`` over the typical (or nominal) ``P``, shape ``(n,)``.
    typical : Mapping[str, float]
        The typical (median) values the cohort is scaled to.
    seed : int or None
        The integer seed, or ``None`` if a Generator was passed.

    The arrays are read-only.
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

    ``r``, ``q`` and ``burden_factor`` are those of :class:`Patients`: ``q`` is
    ``max(r - net, 0)`` and the burden factor is over the calibrated typical
    ``P``; ``typical`` holds the calibrated ``r``, ``q`` and ``P`` the mapping
    is scaled to.

    Attributes
    ----------
    fold_expansion : numpy.ndarray
        Fold expansion from infusion to the peak, shape ``(n,)``.
    tmax_days : numpy.ndarray
        Day of the peak, shape ``(n,)``.
    contraction_rate : numpy.ndarray
        Rate ``alpha`` of the early contraction, per day, shape ``(n,)``.
    net : numpy.ndarray
        The contraction rate ``r - q`` the mapping asks for, per day, shape ``(n,)``.
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

    Each patient's fold expansion, Tmax and contraction rate ``alpha`` are the
    typical values times ``exp(omega * z)``, with independent standard normal
    ``z`` and the published ``omega``; then (see the module docstring)

    * ``r = r_cal * rho / rho_typ`` with ``rho = ln(fold) / Tmax``,
    * ``r - q = (r_cal - q_cal) * alpha / alpha_typ``, and ``q`` set to 0 where
      that would make it negative,
    * ``P = P_cal * (fold / fold_typ) * exp(a Tmax - alpha_typ Tmax_typ)``,
      where ``a`` is the contraction Equation 1 draws, ``alpha_typ (r - q) /
      (r_cal - q_cal)``: ``alpha`` itself unless ``q`` was clipped.

    Parameters
    ----------
    n_patients : int
        Number of virtual patients, 1 to 10,000,000.
    seed : int or numpy.random.Generator
        An integer (>= 0) seeds a fresh :func:`numpy.random.default_rng`; a
        Generator is used as it stands.
    calibration : Calibration, optional
        The typical patient; default
        :func:`cartmodel.calibration.calibrate_to_tisagenlecleucel` with its
        defaults (the exact reading, ``B`` on the capacity).

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
    """Between-patient standard deviations of the logs of Equation 1's parameters.

    Derived from the published random-effect variances of Stein et al. (2019)
    through the mapping of the module docstring:

    ``"r"``
        SD of ``ln r``.  Moments: ``ln r = ln ln(fold) - ln Tmax`` plus a
        constant, so to first order in the spread of ``ln(fold)``,
        ``omega_fold**2 / ln(fold_typ)**2 + omega_Tmax**2``.
    ``"net"``
        SD of ``ln(r - q)``, the contraction rate: ``omega_alpha`` exactly.

    Parameters
    ----------
    method : {"moments", "monte_carlo"}
        Closed-form moment relations, or the sample standard deviations over
        :func:`virtual_patients` (then ``"net"`` is taken before ``q`` is
        clipped at zero, as the mapping asks).
    n_patients : int
        Virtual patients for ``"monte_carlo"``, 2 to 10,000,000.
    seed : int or numpy.random.Generator
        Seed for ``"monte_carlo"``; the same seed gives the same numbers.

    Returns
    -------
    Mapping[str, float]
        Read-only, keys ``"r"`` and ``"net"``.

    Notes
    -----
    The burden factor of :func:`virtual_patients` has no entry: ``alpha Tmax``
    is a product of two log-normals, so ``ln P`` has a long right tail and its
    standard deviation is set by a few extreme courses, not by the bulk.

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
        return MappingProxyType(
            {
                "r": float(np.std(np.log(patients.r), ddof=1)),
                "net": float(np.std(np.log(patients.net), ddof=1)),
            }
        )
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
    """Virtual patients of the calibrated tisagenlecleucel model, counted with measurement error.

    The patients are :func:`virtual_patients`; each is counted on
    ``sample_days`` by :func:`cartmodel.sample_counts`, with a blood-to-pool
    proportion ``10**U(-scale_decades, scale_decades)``, and the result is a
    :class:`cartmodel.SyntheticCohort` of the calibrated product (its
    ``r_product`` is the calibrated ``r``), ready for
    :meth:`~cartmodel.SyntheticCohort.read`.

    Parameters
    ----------
    n_patients : int
        Number of patients, 1 to 1,000,000.
    seed : int or numpy.random.Generator
        Source of randomness; the draws are made in the order patients, (growth
        rates), proportions, counts.
    sample_days : array_like
        Days counted (whole days, increasing, >= 0).
    noise_sd : float
        Standard deviation of the log counts, >= 0.
    scale_decades : float
        Half-width, in decades, of the blood-to-pool proportion, >= 0.
    r_log_sd : float or None
        ``None`` keeps each virtual patient's own ``r`` (the published spread);
        a number replaces it by the calibrated ``r`` times ``exp(r_log_sd * z)``
        with ``z`` standard normal, so ``0`` gives every patient the product's
        ``r`` exactly.  Either way ``q = max(r - net, 0)`` with the patient's own
        net rate.
    reading : str
        Reading of Equation 1 that makes the counts (see :func:`cartmodel.simulate`).

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
    counts = sample_counts(
        days, r=r, q=q, B=calibration.B, P=P, K=calibration.K, n0=calibration.n0, scale=scale, noise_sd=sd, rng=rng, reading=reading
    )
    return SyntheticCohort(
        P=P,
        q=q,
        r=r,
        scale=scale,
        r_product=calibration.r,
        B=calibration.B,
        K=calibration.K,
        n0=calibration.n0,
        sample_days=np.asarray(days, dtype=float),
        counts=counts,
        noise_sd=sd,
    )
