"""How well fits read known burdens: counts over a cohort, and exact binomial intervals for them."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import as_real_scalar, check_positive_int
from ._checks import per_patient


@dataclass(frozen=True)
class CohortRecovery:
    """How well a :class:`CohortFit` read known burdens (see :func:`cohort_recovery`).

    Of ``patients``, those read within the fold ``factor`` of the true ``P`` (``within``),
    whose interval contains it (``covered``) and with some fitted parameter not
    identifiable (``warned``); ``median_width``: the median fold ``high / low`` of the intervals.
    """

    patients: int
    factor: float
    within: int
    covered: int
    warned: int
    median_width: float

    @property
    def within_rate(self) -> float:
        """Share of patients read within ``factor``."""
        return self.within / self.patients

    @property
    def coverage(self) -> float:
        """Share of intervals that contain the true ``P``."""
        return self.covered / self.patients

    @property
    def warned_rate(self) -> float:
        """Share of patients with an identifiability warning."""
        return self.warned / self.patients


def check_truth(P_true: ArrayLike, patients: int) -> NDArray[np.float64]:
    """The true burdens, > 0, one per patient (a scalar is shared)."""
    return per_patient("P_true", P_true, patients, low=0.0, low_open=True)


def count_recovery(P_hat: NDArray[np.float64], interval: NDArray[np.float64], pinned_down: NDArray[np.bool_],
                   P_true: ArrayLike, factor: float) -> CohortRecovery:
    """Patients read within ``factor`` of ``P_true``, intervals covering it, warnings and median width."""
    truth = check_truth(P_true, P_hat.size)
    band = as_real_scalar("factor", factor, low=1.0, low_open=True)
    return CohortRecovery(
        patients=int(P_hat.size),
        factor=band,
        within=int(np.sum(np.abs(np.log(P_hat / truth)) <= math.log(band))),
        covered=int(np.sum((interval[:, 0] <= truth) & (truth <= interval[:, 1]))),
        warned=int(np.sum(~pinned_down)),
        median_width=float(np.median(interval[:, 1] / interval[:, 0])),
    )


def clopper_pearson(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper-Pearson) ``confidence`` interval ``(low, high)`` for a binomial proportion.

    Integers ``0 <= successes <= trials``, ``trials >= 1``; ``confidence`` in (0, 1).
    ``low = 0`` when ``successes = 0`` and ``high = 1`` when ``successes = trials``.
    """
    n = check_positive_int("trials", trials)
    k = check_positive_int("successes", successes, low=0, high=n)
    alpha = 1.0 - as_real_scalar("confidence", confidence, low=0.0, high=1.0, low_open=True, high_open=True)
    from scipy import special  # its beta quantiles are scipy.stats's, without importing scipy.stats

    low = 0.0 if k == 0 else float(special.betaincinv(k, n - k + 1, alpha / 2))
    high = 1.0 if k == n else float(special.betaincinv(k + 1, n - k, 1 - alpha / 2))
    return low, high
