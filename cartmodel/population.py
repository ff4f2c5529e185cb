"""Dosing for a population: virtual cohorts and probabilities of target attainment.

:func:`draw_cohort` draws a virtual cohort with log-normal between-patient
variability on ``r``, on ``q`` or the net rate ``r - q``, on ``B`` and on the
mapping from a measured burden to ``P`` (sources: :data:`VARIABILITY_SOURCES`).
:func:`target_attainment` gives, over a grid of doses and burdens, the
*probability of target attainment* (PTA): that the peak stays at or under a
ceiling (the toxicity proxy of :mod:`cartmodel.dosing`), and that the tumour
term falls below a level by a day.  Every patient runs through Equation 1 as in :func:`cartmodel.dose_response`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import as_real_array, as_real_scalar, check_choice, check_positive_int, read_only, rng_from_seed, seed_value
from .dosing import EXAMPLE_CLEAR_BY_DAY, burden_for_ceiling
from .engine import (
    B_PLACEMENTS,
    READINGS,
    BPlacement,
    Reading,
    capacity_from_tumour,
    check_capacity_range,
    logistic_steps,
    time_grid,
    tumour_term,
)
from .paper import FIGURE_1
from .parameters import DEFAULT_DAYS
from .published import ALL_BURDEN_INPUTS
from .variability import Patients, published_variability

_Array = NDArray[np.float64]

__all__ = [
    "ASSUMED_RATE_VARIABILITY",
    "DEFAULT_VARIABILITY",
    "VARIABILITY_SOURCES",
    "Cohort",
    "TargetAttainment",
    "burden_for_fraction",
    "draw_cohort",
    "lognormal_sd_from_cv",
    "target_attainment",
]

#: The parameters that vary between virtual patients, in the order of the
#: columns of standard normals; the second column draws either ``q`` itself or
#: the net rate ``r - q`` (``"net"``).
VARIED: tuple[str, ...] = ("r", "q", "B", "P")
#: Names a variability mapping may use.
VARIABILITY_NAMES: tuple[str, ...] = ("r", "q", "net", "B", "P")


def lognormal_sd_from_cv(cv: ArrayLike) -> NDArray[np.float64]:
    """SD of ``log X`` for a log-normal ``X`` with coefficient of variation ``cv`` (>= 0): ``sqrt(log(1 + cv**2))``.

    Examples
    --------
    >>> round(float(lognormal_sd_from_cv(1.0)), 4)
    0.8326
    """
    cv_ = as_real_array("cv", cv, low=0.0)
    return np.sqrt(np.log1p(cv_**2))


_CD19 = ALL_BURDEN_INPUTS["cd19_molecules_per_b_cell"].value
_CD19_SD = ALL_BURDEN_INPUTS["cd19_molecules_per_b_cell_sd"].value

_PUBLISHED = published_variability()

#: Between-patient SDs of the log of each varied parameter (``omega``): a
#: patient's value is the typical (median) value times ``exp(omega * z)``, ``z``
#: standard normal; sources in :data:`VARIABILITY_SOURCES`.
DEFAULT_VARIABILITY: Mapping[str, float] = MappingProxyType({**_PUBLISHED, "B": 0.5, "P": float(lognormal_sd_from_cv(_CD19_SD / _CD19))})

#: Assumed spreads, 10% on ``r`` and ``q`` each, independently: a sensitivity case.
ASSUMED_RATE_VARIABILITY: Mapping[str, float] = MappingProxyType({"r": 0.1, "q": 0.1})

#: Where each magnitude in :data:`DEFAULT_VARIABILITY` comes from.
VARIABILITY_SOURCES: Mapping[str, str] = MappingProxyType(
    {
        "r": "stein2019: spread of ln(fold)/Tmax from the random effects of fold expansion and Tmax",
        "net": "stein2019: spread of the early contraction rate alpha, which Equation 1 draws as r - q",
        "B": "assumption (between-patient spread of the effective affinity and avidity)",
        "P": "spread (SD/mean) of CD19 molecules per normal B cell, ginaldi1998, used as the spread of antigen per blast",
    }
)


@dataclass(frozen=True, kw_only=True)
class Cohort(Patients):
    """A virtual cohort: one Equation 1 parameter set per patient (see :func:`draw_cohort`).

    The fields of :class:`cartmodel.variability.Patients` (``burden_factor``
    maps a nominal burden to the patient's ``P``), and:

    Attributes
    ----------
    B, K : numpy.ndarray
        Affinity factor (dimensionless) and capacity scale (model cells, not varied), shape ``(n,)``.
    variability : Mapping[str, float]
        The log-scale standard deviations the cohort was drawn with.
    """

    B: NDArray[np.float64]
    K: NDArray[np.float64]
    variability: Mapping[str, float] = field(default_factory=dict)

    def P(self, burden: ArrayLike) -> NDArray[np.float64]:
        """Each patient's ``P`` for nominal burdens: shape ``(n,) + burden.shape``."""
        nominal = as_real_array("burden", burden, low=0.0, unit="AU")
        return self.burden_factor.reshape((-1,) + (1,) * nominal.ndim) * nominal

    def patient(self, index: int) -> dict[str, float]:
        """One patient's parameters ``r, q, B, K`` and ``burden_factor`` as floats."""
        i = check_positive_int("index", index, low=0, high=self.size - 1)
        return {name: float(getattr(self, name)[i]) for name in ("r", "q", "B", "K", "burden_factor")}


def draw_cohort(
    n_patients: int,
    *,
    seed: int | np.random.Generator,
    variability: Mapping[str, float] | None = None,
    r: float = FIGURE_1["r"],
    q: float = FIGURE_1["q"],
    B: float = FIGURE_1["B"],
    K: float = FIGURE_1["K"],
) -> Cohort:
    """Draw a virtual cohort with log-normal between-patient variability.

    ``r_i = r exp(omega_r z_ir)``, likewise ``B`` and the burden factor (typical
    1), with independent standard normal ``z``.  With a ``"net"`` spread
    ``q_i = max(r_i - (r - q) exp(omega_net z_iq), 0)``, but ``r_i + q - r``
    where ``q >= r`` (no contraction to spread); with a ``"q"`` spread
    ``q_i = q exp(omega_q z_iq)``.  The first ``m`` patients of a cohort are the
    cohort of ``m`` drawn with the same seed.

    Parameters
    ----------
    n_patients : int
        Cohort size, 1 to 10,000,000.
    seed : int or numpy.random.Generator
        As in :func:`cartmodel.variability.virtual_patients`.
    variability : mapping, optional
        Log-scale SDs in [0, 5] by name, ``"r"``, ``"q"`` or ``"net"`` (not both),
        ``"B"`` and ``"P"``; missing names take :data:`DEFAULT_VARIABILITY`.
    r, q, B : float
        Typical values (r > 0 and q >= 0 per day, B > 0); default Figure 1's.
    K : float
        Capacity scale in model cells, > 0; the same for every patient.

    Returns
    -------
    Cohort

    Examples
    --------
    >>> cohort = draw_cohort(1000, seed=1)
    >>> cohort.size, cohort.r.shape
    (1000, (1000,))
    >>> same = draw_cohort(5, seed=1, variability={"r": 0, "net": 0, "B": 0, "P": 0})
    >>> bool((same.r == same.typical["r"]).all())
    True
    """
    n = check_positive_int("n_patients", n_patients, low=1, high=10_000_000)
    rng = rng_from_seed(seed)
    omega = _spreads(variability)
    typical = {
        "r": as_real_scalar("r", r, low=0.0, low_open=True, unit="per day"),
        "q": as_real_scalar("q", q, low=0.0, unit="per day"),
        "B": as_real_scalar("B", B, low=0.0, low_open=True, unit="dimensionless"),
        "K": as_real_scalar("K", K, low=0.0, low_open=True, unit="model cells"),
    }
    # one row of four standard normals per patient: a prefix of the cohort is the smaller cohort
    z = rng.standard_normal((n, len(VARIED)))
    values = {name: typical.get(name, 1.0) * np.exp(omega[name] * z[:, column]) for column, name in enumerate(VARIED) if name != "q"}
    values["q"] = _tumour_rates(values["r"], z[:, 1], typical, omega)
    return Cohort(
        r=read_only(values["r"]),
        q=read_only(values["q"]),
        B=read_only(values["B"]),
        K=read_only(np.full(n, typical["K"])),
        burden_factor=read_only(values["P"]),
        variability=MappingProxyType(omega),
        typical=MappingProxyType(typical),
        seed=seed_value(seed),
    )


def _spreads(variability: Mapping[str, float] | None) -> dict[str, float]:
    """``variability`` checked, over :data:`DEFAULT_VARIABILITY`."""
    omega = dict(DEFAULT_VARIABILITY)
    if variability is None:
        return omega
    if not isinstance(variability, Mapping):
        raise TypeError(f"variability must be a mapping from {list(VARIABILITY_NAMES)} to log-scale SDs; got {variability!r}")
    unknown = sorted(set(variability) - set(VARIABILITY_NAMES))
    if unknown:
        raise ValueError(f"variability has unknown names {unknown}; choose from {list(VARIABILITY_NAMES)}")
    if "q" in variability and "net" in variability:
        raise ValueError(f"variability may spread q or net (r - q), not both; got {dict(variability)!r}")
    if "q" in variability:
        omega.pop("net", None)
    for name, value in variability.items():
        omega[name] = as_real_scalar(f"variability[{name!r}]", value, low=0.0, high=5.0)
    return omega


def _tumour_rates(r: _Array, z: _Array, typical: Mapping[str, float], omega: Mapping[str, float]) -> _Array:
    if "net" not in omega:
        return typical["q"] * np.exp(omega["q"] * z)
    if typical["q"] < typical["r"]:
        return np.maximum(r - (typical["r"] - typical["q"]) * np.exp(omega["net"] * z), 0.0)
    return r + (typical["q"] - typical["r"])


@dataclass(frozen=True)
class TargetAttainment:
    """Per-patient outcomes over a dose x burden grid (see :func:`target_attainment`).

    Attributes
    ----------
    n0_grid, P_grid : numpy.ndarray
        The increasing dose grid (model cells, ``(nd,)``) and the nominal burdens (AU, ``(nb,)``).
    doses_under_ceiling, tumour_target_met : numpy.ndarray of int, of bool
        For each patient and burden, shape ``(n, nb)``: how many grid doses (always the smallest) keep the
        peak at or under the ceiling; whether the tumour term is below ``clearance_level`` by ``clear_by_day``.
    ceiling, clearance_level, clear_by_day : float
        The targets, as passed to :func:`target_attainment`.
    """

    n0_grid: NDArray[np.float64]
    P_grid: NDArray[np.float64]
    doses_under_ceiling: NDArray[np.int64]
    tumour_target_met: NDArray[np.bool_]
    ceiling: float
    clearance_level: float
    clear_by_day: float

    @property
    def n_patients(self) -> int:
        """Cohort size."""
        return int(self.doses_under_ceiling.shape[0])

    def _patients_above(self, counts: NDArray[np.int64]) -> NDArray[np.int64]:
        """Patients with ``count > j`` for each dose index j, shape ``(nd, nb)``."""
        nd, nb = self.n0_grid.size, self.P_grid.size
        flat = (counts + (nd + 1) * np.arange(nb)).ravel()
        histogram = np.bincount(flat, minlength=(nd + 1) * nb).reshape(nb, nd + 1)
        at_most = np.cumsum(histogram, axis=1)[:, :nd]  # patients with count <= j
        return (self.n_patients - at_most).T

    @property
    def probability_under_ceiling(self) -> NDArray[np.float64]:
        """Fraction of the cohort whose peak stays at or under the ceiling, shape ``(nd, nb)``."""
        return self._patients_above(self.doses_under_ceiling) / self.n_patients

    @property
    def probability_tumour_target(self) -> NDArray[np.float64]:
        """Fraction of the cohort whose tumour term meets the target, shape ``(nb,)``."""
        return self.tumour_target_met.mean(axis=0)

    @property
    def probability_both(self) -> NDArray[np.float64]:
        """Fraction meeting both targets (under the ceiling and tumour target), shape ``(nd, nb)``."""
        return self._patients_above(np.where(self.tumour_target_met, self.doses_under_ceiling, 0)) / self.n_patients

    def dose_for_fraction(self, fraction: float) -> NDArray[np.float64]:
        """Largest grid dose keeping at least ``fraction`` (in (0, 1]) of the cohort under the ceiling (else ``nan``), shape ``(nb,)``."""
        under = self._patients_above(self.doses_under_ceiling) >= _patients_needed(fraction, self.n_patients)
        count = under.sum(axis=0)  # under[:, b] is a prefix: the first `count` doses qualify
        return np.where(count > 0, self.n0_grid[np.maximum(count - 1, 0)], np.nan)


def target_attainment(
    cohort: Cohort,
    *,
    n0_grid: ArrayLike,
    P_grid: ArrayLike,
    ceiling: float,
    clearance_level: float = 1.0,
    clear_by_day: float = EXAMPLE_CLEAR_BY_DAY,
    days: float = DEFAULT_DAYS,
    dt: float = 1.0,
    reading: Reading = "exact",
    b_placement: BPlacement = "capacity",
    chunk_size: int = 50_000,
) -> TargetAttainment:
    """Probabilities of target attainment for a cohort over a dose x burden grid.

    The peak rises with the dose, so the doses under the ceiling are a prefix of
    the grid: each (patient, burden) pair is run at the largest and smallest
    dose, and only pairs that cross inside the grid are bisected over the grid
    index, in chunks, each pair's capacity computed once.

    Parameters
    ----------
    cohort : Cohort
        From :func:`draw_cohort`.
    n0_grid : array_like
        Strictly increasing 1-D grid of single doses in model cells, > 0.
    P_grid : array_like
        1-D grid of nominal burdens in AU, >= 0 (patient ``i`` has ``P = P_grid * cohort.burden_factor[i]``).
    ceiling, clearance_level : float
        Highest acceptable peak, model cells, > 0; the tumour target, AU, > 0.
    clear_by_day : float
        Day by which the tumour target must be met, in (0, days], on the time grid.
    days, dt, reading, b_placement
        As in :func:`cartmodel.simulate`.
    chunk_size : int
        (patient, burden) pairs run at once, >= 1 (bounds memory).

    Returns
    -------
    TargetAttainment

    Examples
    --------
    >>> import numpy as np
    >>> cohort = draw_cohort(200, seed=3)
    >>> pta = target_attainment(cohort, n0_grid=np.logspace(0, 6, 13), P_grid=[1e1, 1e2, 1e3],
    ...                         ceiling=1e8)
    >>> pta.probability_under_ceiling.shape, pta.probability_tumour_target.shape
    ((13, 3), (3,))
    """
    if not isinstance(cohort, Cohort):
        raise TypeError(f"cohort must be a Cohort from draw_cohort; got {type(cohort).__name__}")
    doses = as_real_array("n0_grid", n0_grid, low=0.0, low_open=True, unit="model cells")
    if doses.ndim != 1 or doses.size < 1 or np.any(np.diff(doses) <= 0):
        raise ValueError(f"n0_grid must be a strictly increasing 1-D grid; got {n0_grid!r}")
    burdens = as_real_array("P_grid", P_grid, low=0.0, unit="AU")
    if burdens.ndim != 1 or burdens.size < 1:
        raise ValueError(f"P_grid must be a 1-D grid of at least one value; got {P_grid!r}")
    ceiling = as_real_scalar("ceiling", ceiling, low=0.0, low_open=True, unit="model cells")
    level = as_real_scalar("clearance_level", clearance_level, low=0.0, low_open=True, unit="AU")
    t, _ = time_grid(days, dt)  # checks days and dt
    horizon, step = float(days), float(dt)
    target_day = as_real_scalar("clear_by_day", clear_by_day, low=0.0, high=horizon, low_open=True, unit="days")
    steps_to_target = round(target_day / step)
    if abs(target_day / step - steps_to_target) > 1e-9 * max(1.0, target_day / step):
        raise ValueError(f"clear_by_day must be a whole number of steps of dt={step!r}; got {clear_by_day!r}")
    check_choice("reading", reading, READINGS)
    check_choice("b_placement", b_placement, B_PLACEMENTS)
    chunk = check_positive_int("chunk_size", chunk_size, low=1)
    counts, target = _attainment(cohort, doses, burdens, ceiling, level, t, steps_to_target, reading, b_placement, chunk)
    return TargetAttainment(
        n0_grid=read_only(doses), P_grid=read_only(burdens), doses_under_ceiling=read_only(counts), tumour_target_met=read_only(target),
        ceiling=ceiling, clearance_level=level, clear_by_day=steps_to_target * step,
    )


def _attainment(
    cohort: Cohort, doses: _Array, burdens: _Array, ceiling: float, level: float, t: _Array, steps_to_target: int, reading: str,
    placement: str, chunk: int,
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Doses under the ceiling and the tumour target met, shape ``(patients, burdens)``, ``chunk`` pairs at a time.

    Each pair's capacity is computed once and shared by every step of the search over doses.
    """
    n, nb = cohort.size, burdens.size
    counts = np.empty(n * nb, dtype=np.int64)
    target = np.empty(n * nb, dtype=bool)
    for start in range(0, n * nb, chunk):
        pairs = np.arange(start, min(start + chunk, n * nb))
        patient, column = np.divmod(pairs, nb)
        r, q, B, K = (getattr(cohort, name)[patient] for name in ("r", "q", "B", "K"))
        P = burdens[column] * cohort.burden_factor[patient]
        check_capacity_range(r, q, B, P, K, float(t[-1]), placement)
        tumour = tumour_term(t, r, q, P)
        counts[pairs] = _doses_under(capacity_from_tumour(tumour, B, K, placement), r, doses, ceiling, t, reading)
        target[pairs] = (tumour[:, : steps_to_target + 1] < level).any(axis=-1)
    return counts.reshape(n, nb), target.reshape(n, nb)


def _doses_under(cap: _Array, r: _Array, doses: _Array, ceiling: float, t: _Array, reading: str) -> NDArray[np.int64]:
    """How many of the increasing ``doses`` keep each parameter set's peak at or under ``ceiling``;
    ``cap`` is each set's capacity on the time grid ``t`` (time last)."""
    nd = doses.size

    def under(index: NDArray[np.int64], which: NDArray[np.int64]) -> NDArray[np.bool_]:
        peak = np.array(doses[index])
        for cells in logistic_steps(cap[which], r[which], doses[index], t, reading, {}):
            np.maximum(peak, cells, out=peak)
        return peak <= ceiling

    size = r.size
    everyone = np.arange(size)
    count = np.zeros(size, dtype=np.int64)
    top = under(np.full(size, nd - 1), everyone)
    count[top] = nd
    rest = everyone[~top]
    if nd == 1 or rest.size == 0:
        return count
    bottom = under(np.zeros(rest.size, dtype=np.int64), rest)
    # the answer for the rest lies in [1, nd - 1]: dose 0 is under the ceiling, dose nd - 1 is not
    crossing = rest[bottom]
    lo = np.ones(crossing.size, dtype=np.int64)
    hi = np.full(crossing.size, nd - 1, dtype=np.int64)
    active = np.flatnonzero(lo < hi)
    while active.size:
        mid = (lo[active] + hi[active] + 1) // 2  # is dose mid - 1 under? then count >= mid
        ok = under(mid - 1, crossing[active])
        lo[active[ok]] = mid[ok]
        hi[active[~ok]] = mid[~ok] - 1
        active = active[lo[active] < hi[active]]
    count[crossing] = lo
    return count


def burden_for_fraction(cohort: Cohort, fraction: float, *, n0: float, ceiling: float, **run: Any) -> float:
    """Largest nominal burden at which a dose keeps at least ``fraction`` of a cohort under the ceiling.

    An order statistic of the patients' own limits, each from :func:`cartmodel.dosing.burden_for_ceiling`.

    Parameters
    ----------
    cohort : Cohort
        From :func:`draw_cohort`.
    fraction : float
        In (0, 1].
    n0, ceiling : float
        The dose and the highest acceptable peak, model cells, > 0.
    **run
        Further keywords of :func:`cartmodel.dosing.burden_for_ceiling`.

    Returns
    -------
    float
        Nominal burden in AU.
    """
    if not isinstance(cohort, Cohort):
        raise TypeError(f"cohort must be a Cohort returned by draw_cohort; got {type(cohort).__name__}")
    needed = _patients_needed(fraction, cohort.size)
    limits = burden_for_ceiling(ceiling=ceiling, n0=n0, r=cohort.r, q=cohort.q, B=cohort.B, K=cohort.K, **run) / cohort.burden_factor
    return float(np.sort(limits)[::-1][needed - 1])


def _patients_needed(fraction: float, n: int) -> int:
    """ "At least ``fraction`` of ``n`` patients" as a count, so that 0.9 of 10 is 9 exactly."""
    f = as_real_scalar("fraction", fraction, low=0.0, high=1.0, low_open=True)
    return math.ceil(f * n - 1e-9)
