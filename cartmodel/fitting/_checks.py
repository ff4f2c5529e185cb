"""Every check of the fits' data and settings, done once at the front doors; what runs behind them trusts its input."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validation import as_real_array, as_real_scalar, check_choice
from ..engine import BPlacement, Reading
from ..model import B_PLACEMENTS, READINGS

#: Parameters that :func:`cartmodel.fit_burden` can fit besides ``P`` (which it always fits).
FREE_PARAMETERS: tuple[str, ...] = ("r", "q", "scale")
#: Default search bounds of each fitted parameter (all are fitted on a log scale).
DEFAULT_BOUNDS: MappingProxyType[str, tuple[float, float]] = MappingProxyType(
    {"P": (1e-2, 1e10), "r": (0.01, 5.0), "q": (1e-3, 5.0), "scale": (1e-12, 1e12)})

# The known and starting parameters of Equation 1 and the measurement, with their ranges.
_PARAMETER_LIMITS: dict[str, dict[str, Any]] = {
    "B": {"low": 0.0, "low_open": True, "unit": "dimensionless"},
    "K": {"low": 0.0, "low_open": True, "unit": "model cells"},
    "r": {"low": 0.0, "low_open": True, "unit": "per day"},
    "q": {"low": 0.0, "unit": "per day"},
    "n0": {"low": 0.0, "low_open": True, "unit": "model cells"},
    "scale": {"low": 0.0, "low_open": True},
}


@dataclass(frozen=True)
class Settings:
    """The checked settings a fit shares across its patients (``names``: the fitted parameters, ``P`` first)."""

    names: tuple[str, ...]
    log_bounds: Mapping[str, tuple[float, float]]
    noise_sd: float | None
    confidence: float
    flat_factor: float
    dt: float
    reading: Reading
    b_placement: BPlacement

    @classmethod
    def check(cls, *, free: Any, noise_sd: Any, confidence: Any, bounds: Any, flat_factor: Any, dt: Any,
              reading: Any, b_placement: Any) -> Settings:
        limits = _check_bounds(bounds)
        return cls(
            names=_check_free(free),
            log_bounds=MappingProxyType({name: (math.log(low), math.log(high)) for name, (low, high) in limits.items()}),
            noise_sd=None if noise_sd is None else as_real_scalar("noise_sd", noise_sd, low=0.0, low_open=True),
            confidence=as_real_scalar("confidence", confidence, low=0.0, high=1.0, low_open=True, high_open=True),
            flat_factor=as_real_scalar("flat_factor", flat_factor, low=1.0, low_open=True),
            dt=as_real_scalar("dt", dt, low=0.0, low_open=True, unit="days"),
            reading=check_choice("reading", reading, READINGS),
            b_placement=check_choice("b_placement", b_placement, B_PLACEMENTS),
        )

    @property
    def rates(self) -> tuple[str, ...]:
        """The iterated coordinates: ``P`` and the free rates (a free ``scale`` is profiled out)."""
        return tuple(name for name in self.names if name != "scale")

    def check_enough_days(self, sample_days: NDArray[np.float64], patient: str = "") -> None:
        """Refuse a schedule with fewer days than fitted parameters (plus one to estimate the noise)."""
        needed = len(self.names) + (1 if self.noise_sd is None else 0)
        if sample_days.size < needed:
            reason = " and estimate the noise (or pass noise_sd)" if self.noise_sd is None else ""
            raise ValueError(
                f"{patient}need at least {needed} sample_days to fit {', '.join(self.names)}{reason}; got {sample_days.size}"
            )


def check_parameters(values: Mapping[str, Any], patients: int | None = None) -> dict[str, NDArray[np.float64]]:
    """The known and starting parameters, one value per patient (``patients=None``: scalars, one patient)."""
    if patients is None:
        return {name: np.array([as_real_scalar(name, value, **_PARAMETER_LIMITS[name])]) for name, value in values.items()}
    return {name: per_patient(name, value, patients, **_PARAMETER_LIMITS[name]) for name, value in values.items()}


def per_patient(name: str, value: Any, patients: int, **limits: Any) -> NDArray[np.float64]:
    """``value`` checked by :func:`as_real_array` (``limits``), a scalar (shared) or one value per patient."""
    array = as_real_array(name, value, **limits)
    if array.ndim > 1 or (array.ndim == 1 and array.size != patients):
        raise ValueError(f"{name} must be a scalar or one value per patient ({patients}); got shape {array.shape}")
    return np.broadcast_to(array, (patients,)).astype(np.float64)


def check_pair(name: str, pair: Any, **limits: Any) -> tuple[float, float]:
    """A ``(low, high)`` pair with ``low < high``, each end checked by :func:`as_real_array` (``limits``)."""
    values = as_real_array(name, pair, **limits)
    if values.shape != (2,) or not values[0] < values[1]:
        raise ValueError(f"{name} must be a pair (low, high) with low < high; got {pair!r}")
    return float(values[0]), float(values[1])


def check_sample_days(sample_days: Any, dt: float) -> NDArray[np.float64]:
    """Sampling days: 1-D, strictly increasing, >= 0, on the ``dt`` grid."""
    days_ = as_real_array("sample_days", sample_days, low=0.0, unit="days")
    if days_.ndim != 1 or days_.size == 0:
        raise ValueError(f"sample_days must be a non-empty 1-D sequence of sampling days; got shape {days_.shape}")
    step = np.diff(days_)
    if np.any(step == 0):
        raise ValueError(f"sample_days must not repeat; day {days_[1:][step == 0][0]:g} appears more than once")
    if np.any(step < 0):
        first = int(np.argmax(step < 0))
        raise ValueError(
            f"sample_days must be in increasing order; got day {days_[first + 1]:g} after day {days_[first]:g}"
        )
    on_grid = np.abs(days_ / dt - np.rint(days_ / dt)) <= 1e-9 * np.maximum(1.0, days_ / dt)
    if not np.all(on_grid):
        raise ValueError(f"sample_days must be whole multiples of dt={dt:g}; got day {days_[~on_grid][0]:g}")
    return days_


def check_counts(counts: Any, sample_days: NDArray[np.float64]) -> NDArray[np.float64]:
    """Counts, finite and > 0, one per sampling day."""
    try:
        counts_ = as_real_array("counts", counts, low=0.0, low_open=True, unit="measured units")
    except ValueError as error:
        raw = np.asarray(counts, dtype=np.float64)
        if raw.shape == sample_days.shape:
            index = int(np.argmax(~(np.isfinite(raw) & (raw > 0))))
            raise ValueError(
                f"{error} (counts[{index}], day {sample_days[index]:g}); the fit takes logarithms of the counts, so "
                "each must be finite and > 0: drop or impute counts below the detection limit"
            ) from None
        raise
    if counts_.shape != sample_days.shape:
        raise ValueError(
            f"counts must have one value per day of sample_days; got {counts_.size} counts for {sample_days.size} sample_days"
        )
    return counts_


def check_patient_series(sample_days: Any, counts: Any, dt: float) -> tuple[list[NDArray[np.float64]], list[NDArray[np.float64]]]:
    """Per-patient (sample_days, counts) pairs: shared days with a 2-D array of counts, or one series each."""
    try:
        shared = np.asarray(sample_days, dtype=np.float64).ndim == 1
    except (TypeError, ValueError):
        shared = False
    if shared:
        days_ = check_sample_days(sample_days, dt)
        counts_2d = as_real_array("counts", counts, low=0.0, low_open=True, unit="measured units")
        if counts_2d.ndim != 2 or counts_2d.shape[1] != days_.size:
            raise ValueError(
                f"counts must have shape (patients, {days_.size}) for {days_.size} shared sample_days; "
                f"got shape {counts_2d.shape}"
            )
        return [days_] * counts_2d.shape[0], list(counts_2d)
    if isinstance(sample_days, (str, bytes)) or not isinstance(sample_days, (Sequence, np.ndarray)):
        raise TypeError(
            f"sample_days must be a sequence of sampling days or one such sequence per patient; got {sample_days!r}"
        )
    if isinstance(counts, (str, bytes)) or not isinstance(counts, (Sequence, np.ndarray)):
        raise TypeError(f"counts must hold one series per patient when sample_days does; got {counts!r}")
    if len(counts) != len(sample_days):
        raise ValueError(
            "sample_days and counts must hold the same number of patients' series; "
            f"sample_days has {len(sample_days)}, counts {len(counts)}"
        )
    all_days, all_counts = [], []
    for index, (patient_days, patient_counts) in enumerate(zip(sample_days, counts, strict=True)):
        try:
            checked = check_sample_days(patient_days, dt)
            all_counts.append(check_counts(patient_counts, checked))
        except (TypeError, ValueError) as error:
            raise type(error)(f"patient {index}: {error}") from None
        all_days.append(checked)
    return all_days, all_counts


def _check_free(free: Any) -> tuple[str, ...]:
    """The fitted names, ``P`` first, from a sequence of names in :data:`FREE_PARAMETERS`."""
    if isinstance(free, str) or not isinstance(free, Sequence):
        raise TypeError(f"free must be a sequence of parameter names from {FREE_PARAMETERS}; got {free!r}")
    free_ = tuple(check_choice("free", name, FREE_PARAMETERS) for name in free)
    if len(set(free_)) != len(free_):
        raise ValueError(f"free must not name a parameter twice; got {tuple(free)!r}")
    return ("P",) + tuple(name for name in FREE_PARAMETERS if name in free_)


def _check_bounds(bounds: Any) -> dict[str, tuple[float, float]]:
    """:data:`DEFAULT_BOUNDS` with the checked overrides of ``bounds``."""
    limits = dict(DEFAULT_BOUNDS)
    if bounds is not None:
        if not isinstance(bounds, Mapping):
            raise TypeError(f"bounds must be a mapping of name to (low, high); got {bounds!r}")
        for name, pair in bounds.items():
            check_choice("bounds key", name, tuple(DEFAULT_BOUNDS))
            limits[name] = check_pair(f"bounds[{name!r}]", pair, low=0.0, low_open=True)
    return limits
