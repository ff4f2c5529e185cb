"""Equation 1 calibrated to the published tisagenlecleucel kinetics, and what it predicts.

The typical course in paediatric and young-adult B-ALL (Stein et al., 2019),
:func:`published_typical_course`, is fitted once,
:func:`calibrate_to_tisagenlecleucel`, so that every chapter asks the same
model; :meth:`CalibratedModel.simulate` moves the dose and the burden by
factors.  Cells are counted in multiples of the infused level: doses are
relative to the median infused dose, not doses for patients.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import as_real_array, as_real_scalar, check_choice
from .fitting import BurdenFit, fit_burden
from .model import B_PLACEMENTS, READINGS, Expansion, affinity_from_ic50, simulate
from .paper import FIGURE_1_IC50_NM
from .published import TISAGENLECLEUCEL_B_ALL, TISAGENLECLEUCEL_LABEL_DOSE

__all__ = [
    "CALIBRATION_SAMPLE_DAYS",
    "CALIBRATION_HORIZON_DAYS",
    "LABEL_DOSE_FACTORS",
    "CalibratedModel",
    "Calibration",
    "calibrate_to_tisagenlecleucel",
    "published_typical_course",
]

#: Days of the published course the calibration is fitted to (0 to 28), while
#: the contraction still dominates the slow persistence phase.
CALIBRATION_SAMPLE_DAYS: NDArray[np.float64] = np.arange(0.0, 29.0)
#: Horizon of the calibrated trajectories, in days.
CALIBRATION_HORIZON_DAYS = 120

#: The label dose range, 0.2e6 to 5.0e6 CAR+ cells/kg (up to 50 kg; Mueller et al.,
#: 2018), as ``(low, high)`` multiples of the median 3.1e6 cells/kg (Stein et al., 2019).
LABEL_DOSE_FACTORS: tuple[float, float] = (
    TISAGENLECLEUCEL_LABEL_DOSE["low_cells_per_kg"].value / TISAGENLECLEUCEL_B_ALL["median_dose_cells_per_kg"].value,
    TISAGENLECLEUCEL_LABEL_DOSE["high_cells_per_kg"].value / TISAGENLECLEUCEL_B_ALL["median_dose_cells_per_kg"].value,
)

# the typical course's rates of rise and of contraction, per day
_RISE = np.log(2.0) / TISAGENLECLEUCEL_B_ALL["doubling_days"].value
_FALL = np.log(2.0) / TISAGENLECLEUCEL_B_ALL["contraction_half_life_days"].value


def published_typical_course(sample_days: ArrayLike) -> NDArray[np.float64]:
    """The published typical tisagenlecleucel course, in multiples of the infused level.

    Stein et al.'s (2019) piecewise curve (:data:`cartmodel.published.TISAGENLECLEUCEL_B_ALL`): exponential
    rise up to ``Tmax``, then a share ``1 - F_B`` contracting and ``F_B`` persisting, each with its half-life.

    Parameters
    ----------
    sample_days : float or array_like
        Days after infusion on which the course is read, >= 0.

    Returns
    -------
    numpy.ndarray
        Level relative to the level at infusion, same shape as ``sample_days``.
    """
    t = as_real_array("sample_days", sample_days, low=0.0, unit="days")
    tmax = TISAGENLECLEUCEL_B_ALL["tmax_days"].value
    persist = np.log(2.0) / TISAGENLECLEUCEL_B_ALL["persistence_half_life_days"].value
    share = TISAGENLECLEUCEL_B_ALL["persistence_fraction"].value
    after = np.clip(t - tmax, 0.0, None)
    decline = (1.0 - share) * np.exp(-_FALL * after) + share * np.exp(-persist * after)
    return np.where(t <= tmax, np.exp(_RISE * t), np.exp(_RISE * tmax) * decline)


@dataclass(frozen=True)
class CalibratedModel:
    """A model fitted to the published typical course: what every calibration holds.

    Attributes
    ----------
    r, q, P : float
        Fitted CAR T and tumour growth rates (per day) and antigen burden (AU, given the plateau).
    B, K : float
        Affinity of the paper's CD19 scFv, ``(1 nM) / IC50``; capacity scale, model cells, set by the assumed plateau.
    n0 : float
        The median dose: 1 (cells are counted in infused levels).
    """

    r: float
    q: float
    P: float
    B: float
    K: float
    n0: float

    def parameters(self) -> dict[str, Any]:
        """Keyword arguments of the calibrated model's simulation."""
        return {"r": self.r, "q": self.q, "B": self.B, "P": self.P, "K": self.K, "n0": self.n0}

    def simulate(
        self,
        *,
        dose_factor: ArrayLike = 1.0,
        burden_factor: ArrayLike = 1.0,
        days: float = CALIBRATION_HORIZON_DAYS,
        **overrides: Any,
    ) -> Expansion:
        """Run the calibrated model with the dose and the burden moved by factors.

        Parameters
        ----------
        dose_factor, burden_factor : float or array_like
            Dose and burden as multiples of the median dose and the calibrated ``P``, > 0.
        days, **overrides
            Horizon in days, and any other keyword of the model's simulation
            (:func:`cartmodel.simulate` or :func:`cartmodel.killing.simulate_killing`).

        Returns
        -------
        Expansion
            Broadcast over the factors and any array override.
        """
        dose = as_real_array("dose_factor", dose_factor, low=0.0, low_open=True, unit="multiple of the median dose")
        burden = as_real_array("burden_factor", burden_factor, low=0.0, low_open=True, unit="multiple of the calibrated P")
        for name, factor in (("P", "burden_factor"), ("n0", "dose_factor")):
            if name in overrides:
                raise TypeError(f"{name} is set through {factor}, not as an override; got {name}={overrides[name]!r}")
        return self._run(days=days, **{**self.parameters(), **overrides, "n0": self.n0 * dose, "P": self.P * burden})

    def _run(self, **keywords: Any) -> Expansion:
        """The calibrated model's simulation (Equation 1 here; subclasses name their own)."""
        return simulate(**keywords)


@dataclass(frozen=True)
class Calibration(CalibratedModel):
    """Equation 1 fitted to the published typical course (see :func:`calibrate_to_tisagenlecleucel`).

    Attributes
    ----------
    plateau, reading, b_placement
        As passed to :func:`calibrate_to_tisagenlecleucel`.
    fit : BurdenFit
        The least-squares fit behind the numbers.
    """

    plateau: float
    reading: str
    b_placement: str
    fit: BurdenFit = field(repr=False, compare=False)

    @property
    def net_decline(self) -> float:
        """``r - q``: the daily rate at which the tumour term falls, per day."""
        return self.r - self.q

    def parameters(self) -> dict[str, Any]:
        """Keyword arguments of :func:`cartmodel.simulate` for the calibrated model."""
        return {**super().parameters(), "reading": self.reading, "b_placement": self.b_placement}


def calibrate_to_tisagenlecleucel(*, reading: str = "exact", b_placement: str = "capacity", plateau: float = 1.0) -> Calibration:
    """Fit ``r``, ``q`` and ``P`` of Equation 1 to the published typical course.

    ``n0 = 1``, ``B`` is the paper's CD19 scFv (IC50 = 1.6 nM) and ``K`` puts the
    plateau at ``plateau`` infused levels (unpublished: it splits ``K B P`` but
    leaves the rates).  Least squares on log levels over days 0 to 28
    (:func:`cartmodel.fit_burden`) from the published rates.  Results are cached.

    Parameters
    ----------
    reading, b_placement
        As in :func:`cartmodel.simulate`.
    plateau : float
        Plateau in multiples of the infused level, > 0.

    Returns
    -------
    Calibration
    """
    check_choice("reading", reading, READINGS)
    check_choice("b_placement", b_placement, B_PLACEMENTS)
    level = as_real_scalar("plateau", plateau, low=0.0, low_open=True, unit="multiples of the infused level")
    return _calibrate(reading, b_placement, level)


@functools.lru_cache(maxsize=32)
def _calibrate(reading: str, b_placement: str, plateau: float) -> Calibration:
    B = float(affinity_from_ic50(FIGURE_1_IC50_NM))
    K = plateau / B if b_placement == "capacity" else plateau
    fit = fit_burden(
        CALIBRATION_SAMPLE_DAYS,
        published_typical_course(CALIBRATION_SAMPLE_DAYS),
        B=B,
        K=K,
        n0=1.0,
        r=_RISE,
        q=_RISE - _FALL,
        free=("r", "q"),
        horizon_days=CALIBRATION_HORIZON_DAYS,
        reading=reading,
        b_placement=b_placement,
    )
    return Calibration(
        r=float(fit.estimates["r"]),
        q=float(fit.estimates["q"]),
        P=float(fit.P),
        B=B,
        K=K,
        n0=1.0,
        plateau=plateau,
        reading=reading,
        b_placement=b_placement,
        fit=fit,
    )
