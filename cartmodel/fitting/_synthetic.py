"""Synthetic cohorts: patients of one product with known burdens, for checking what a fit reads back."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import as_real_array, as_real_scalar, check_choice, check_instance, check_positive_int
from ..model import READINGS
from ._checks import check_pair, check_parameters, check_sample_days
from ._counts import sample_counts
from ._fit import CohortFit, fit_cohort
from ._pipeline import IdentifiabilityWarning
from ._recovery import CohortRecovery, count_recovery


@dataclass(frozen=True)
class SyntheticCohort:
    """Synthetic patients sharing one CAR T product, counted daily (see :func:`synthetic_cohort`).

    Attributes
    ----------
    P, q, r, scale : numpy.ndarray
        Each patient's true burden (AU), tumour and CAR T growth rates (per
        day) and blood-to-pool proportion, shape ``(m,)``.
    r_product, B, K, n0 : float
        The product: nominal CAR T growth rate (what a fit assumes), affinity
        factor, capacity scale and dose (model cells).
    sample_days, counts, noise_sd : numpy.ndarray, numpy.ndarray, float
        The days counted, shape ``(d,)``, the noisy counts, ``(m, d)``, and the standard deviation of their logs.
    """

    P: NDArray[np.float64]
    q: NDArray[np.float64]
    r: NDArray[np.float64]
    scale: NDArray[np.float64]
    r_product: float
    B: float
    K: float
    n0: float
    sample_days: NDArray[np.float64]
    counts: NDArray[np.float64] = field(repr=False)
    noise_sd: float = 0.0

    @property
    def size(self) -> int:
        """Number of patients in the cohort."""
        return int(self.P.size)

    def read(self, sample_days: Sequence[float], free: Sequence[str] = (), noise_sd: float | None = None,
             q_start: float = 1.1, scale_start: float = 1.0) -> CohortFit:
        """Read every patient's burden from the counts on ``sample_days`` with :func:`fit_cohort`.

        The fit knows ``B``, ``K``, ``n0`` and the product's ``r``; the tumour's
        ``q`` and the ``scale`` are the patients' true values unless named in
        ``free``, when they start from ``q_start`` and ``scale_start``.
        """
        wanted, columns = self._counted("sample_days", sample_days)
        return fit_cohort(
            wanted, self.counts[:, columns], B=self.B, K=self.K, n0=self.n0, r=self.r_product,
            q=q_start if "q" in free else self.q, scale=scale_start if "scale" in free else self.scale,
            free=free, noise_sd=noise_sd,
        )

    def read_schedules(self, schedules: Sequence[Sequence[float]], noise_sd: float | None = None,
                       factor: float = 2.0) -> list[CohortRecovery]:
        """One :class:`CohortRecovery` per schedule, with ``r``, ``q`` and ``scale`` known.

        One :func:`fit_cohort` call for all (schedule, patient) pairs; no warning is issued.
        """
        if isinstance(schedules, (str, bytes)) or not isinstance(schedules, Sequence) or not schedules:
            raise TypeError(f"schedules must be a non-empty sequence of day sequences; got {schedules!r}")
        sample_days, counts = [], []
        for schedule in schedules:
            wanted, columns = self._counted("schedule", schedule)
            sample_days += [wanted] * self.size
            counts += list(self.counts[:, columns])
        repeats = len(schedules)
        with warnings.catch_warnings():
            # entries of the stacked cohort are not patients: the warned shares are in the results
            warnings.simplefilter("ignore", IdentifiabilityWarning)
            fit = fit_cohort(
                sample_days, counts, B=self.B, K=self.K, n0=self.n0, r=self.r_product, q=np.tile(self.q, repeats),
                scale=np.tile(self.scale, repeats), noise_sd=noise_sd,
            )
        parts = [slice(index * self.size, (index + 1) * self.size) for index in range(repeats)]
        return [count_recovery(fit.P[part], fit.P_interval[part], fit.pinned_down[part], self.P, factor) for part in parts]

    def _counted(self, name: str, days: Sequence[float]) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        """Checked days and their columns of ``counts``; each day must be one of the counted days."""
        wanted = as_real_array(name, days, low=0.0, unit="days")
        columns = np.searchsorted(self.sample_days, wanted)
        inside = np.minimum(columns, self.sample_days.size - 1)
        if np.any(columns >= self.sample_days.size) or np.any(self.sample_days[inside] != wanted):
            raise ValueError(f"{name} days must be among the counted days {self.sample_days.tolist()}; got {wanted.tolist()}")
        return wanted, columns


def synthetic_cohort(
    patients: int,
    *,
    rng: np.random.Generator,
    r: float,
    B: float,
    K: float,
    n0: float = 1.0,
    P_range: tuple[float, float] = (1e2, 1e5),
    q_range: tuple[float, float] = (0.9, 1.35),
    scale_decades: float = 0.7,
    sample_days: ArrayLike = tuple(range(1, 29)),
    noise_sd: float = 0.3,
    r_log_sd: float = 0.0,
    reading: str = "exact",
) -> SyntheticCohort:
    """Draw ``patients`` (>= 1) synthetic patients of one product and count their CAR T cells.

    Burdens are log-uniform over ``P_range``, tumour growth rates uniform over
    ``q_range``, blood-to-pool proportions ``10**U(-scale_decades,
    scale_decades)``, counts :func:`sample_counts`.  Two departures from what a
    fit assumes can be switched on: a CAR T growth rate ``r * exp(r_log_sd * z)``
    per patient (``z`` standard normal), and another ``reading`` of Equation 1
    (see :func:`cartmodel.simulate`).

    Parameters
    ----------
    rng : numpy.random.Generator
        Drawn in the order P, q, scale, (r), counts.
    r, B, K, n0 : float
        The product, > 0 (rate per day, cells in model cells).
    P_range, q_range : tuple of float
        Ranges of the burden (> 0) and of the tumour growth rate (>= 0, per day).
    scale_decades, noise_sd, r_log_sd : float
        Half-width in decades of the blood-to-pool proportion, standard deviation of
        the log counts, between-patient standard deviation of ``ln r``; each >= 0.
    sample_days : array_like
        Days counted (on the 1-day grid).
    """
    m = check_positive_int("patients", patients)
    check_instance("rng", rng, np.random.Generator)
    r_, B_, K_, n0_ = (float(value[0]) for value in check_parameters({"r": r, "B": B, "K": K, "n0": n0}).values())
    P_low, P_high = check_pair("P_range", P_range, low=0.0, low_open=True)
    q_low, q_high = check_pair("q_range", q_range, low=0.0)
    decades = as_real_scalar("scale_decades", scale_decades, low=0.0)
    days_ = check_sample_days(sample_days, 1.0)
    sd = as_real_scalar("noise_sd", noise_sd, low=0.0)
    spread = as_real_scalar("r_log_sd", r_log_sd, low=0.0)
    reading_ = check_choice("reading", reading, READINGS)
    P = np.exp(rng.uniform(math.log(P_low), math.log(P_high), m))
    q = rng.uniform(q_low, q_high, m)
    scale = 10 ** rng.uniform(-decades, decades, m)
    r_patients = r_ * np.exp(spread * rng.standard_normal(m)) if spread > 0 else np.full(m, r_)
    counts = sample_counts(days_, r=r_patients, q=q, P=P, B=B_, K=K_, n0=n0_, scale=scale, noise_sd=sd, rng=rng,
                           reading=reading_)
    return SyntheticCohort(P=P, q=q, r=r_patients, scale=scale, r_product=r_, B=B_, K=K_, n0=n0_, sample_days=days_,
                           counts=counts, noise_sd=sd)

