"""Reading the antigen burden ``P`` back from repeated CAR T counts.

The paper proposes using Equation 1 in reverse: count circulating CAR T cells
on a few days after an infusion and, with the CAR's affinity ``B`` known, read
the antigen burden ``P`` from the growth curve (Toor et al., 2019).  This
module fits ``P`` (and, optionally, the CAR T growth rate ``r``, the tumour
growth rate ``q`` and the ``scale`` between measured counts and the model's
cells) by least squares on log counts, gives a profile-likelihood confidence
interval for ``P``, and warns when the sampling schedule cannot pin a
parameter down.

Measurement model
-----------------
A count ``y_i`` on day ``d_i`` is ``scale * N(d_i)`` times log-normal error::

    ln y_i = ln(scale * N(d_i; P, r, q, B, K, n0)) + e_i,    e_i ~ Normal(0, sigma^2)

``N`` is :func:`cartmodel.simulate` (Equation 1, one step per ``dt`` days).
``scale`` is the measured count per model cell: the paper assumes that the
cells in blood are proportional to the whole CAR T pool, and ``scale`` is that
(unknown) proportion, expressed in whatever unit the counts are in.  Because
``scale * N(K, n0) = N(scale * K, scale * n0)``, fitting ``scale`` is the same
as fitting the dose and the capacity scale together: the "dose scaling".

What the data can identify
--------------------------
* Before the cells come near their capacity, ``N_t ~ n0 e^{r t}``: early
  counts identify ``r`` and ``scale * n0`` but carry no information on ``P``
  or ``q``.
* Around the peak and during the contraction the cells follow the capacity
  ``K B P e^{(q - r) t}``: these counts identify ``scale * K * B * P`` and the
  contraction rate ``r - q``.
* After the tumour is gone the cells sit at ``K B``: plateau counts identify
  ``scale * K * B`` and nothing else.

So ``P`` needs counts near the peak or in the contraction, plus either known
``scale`` or counts that fix it (early counts, through the known dose, or
plateau counts, through the known ``K B``); ``r`` and ``q`` together need both
the expansion and the contraction.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import as_real_array, as_real_scalar, check_choice, check_positive_int
from .engine import BPlacement, Reading
from .model import B_PLACEMENTS, READINGS, Expansion, simulate

# scipy.optimize and scipy.stats are imported inside the functions that use them: they
# take about a second to import, which every chapter would pay through `import cartmodel`.

__all__ = [
    "BurdenFit",
    "FREE_PARAMETERS",
    "IdentifiabilityWarning",
    "CohortFit",
    "CohortRecovery",
    "SyntheticCohort",
    "clopper_pearson",
    "cohort_recovery",
    "fit_burden",
    "fit_cohort",
    "log_sensitivities",
    "sample_counts",
    "synthetic_cohort",
]

#: Parameters that :func:`fit_burden` can fit besides ``P`` (which it always fits).
FREE_PARAMETERS: tuple[str, ...] = ("r", "q", "scale")

#: Default search bounds of each fitted parameter (all are fitted on a log scale).
DEFAULT_BOUNDS = MappingProxyType(
    {"P": (1e-2, 1e10), "r": (0.01, 5.0), "q": (1e-3, 5.0), "scale": (1e-12, 1e12)}
)

# Number of log-P grid points of the vectorised profile (when it can be vectorised).
_PROFILE_GRID = 1201
# Points of fit_burden's log-P scan for a starting point when the profile is not in closed form.
_SCAN_POINTS = 241
# Relative step (in log parameters) of the central-difference Jacobian.
_JAC_STEP = 1e-5
# Singular values below this fraction of the largest mark a direction the data
# cannot see at all (structural non-identifiability).
_RCOND = 1e-9


class IdentifiabilityWarning(UserWarning):
    """The counts cannot pin down a fitted parameter (its profile is flat)."""


@dataclass(frozen=True)
class BurdenFit:
    """The result of :func:`fit_burden`.

    Attributes
    ----------
    P : float
        Estimated antigen burden (the multiplier of ``K`` in Equation 1).
    P_interval : tuple of float
        ``confidence`` profile-likelihood interval for ``P``.  An end that
        reaches the search bound is reported as that bound (see
        ``P_interval_closed``).
    P_interval_closed : tuple of bool
        Whether each end of ``P_interval`` was found inside the search bounds;
        ``False`` means the profile is still below the cut-off at the bound,
        so the data do not bound ``P`` on that side.
    estimates : Mapping[str, float]
        ``P``, ``r``, ``q`` and ``scale``: fitted where free, else as given.
    free : tuple of str
        The fitted parameters, ``P`` first.
    log_standard_errors : Mapping[str, float]
        Standard error of the natural log of each fitted parameter from the
        curvature of the sum of squares (``inf`` where the data cannot see the
        parameter at all).
    identifiable : Mapping[str, bool]
        For each fitted parameter, whether the data pin it down (see
        :func:`fit_burden`, ``flat_factor``).
    noise_sd : float
        Standard deviation of the log-count error: estimated from the
        residuals (``sqrt(RSS / (n - p))``) or as given.
    noise_estimated : bool
        Whether ``noise_sd`` was estimated.
    confidence : float
        Confidence level of ``P_interval``.
    interval_method : str
        How ``P_interval`` was computed.
    sample_days : numpy.ndarray
        Sampling days (the days of the counts).
    counts : numpy.ndarray
        Measured counts.
    residuals : numpy.ndarray
        ``ln(counts) - ln(fitted counts)`` on the sampling days.
    rss : float
        Residual sum of squares of the log counts at the estimate.
    profile_P : numpy.ndarray
        Values of ``P`` at which the profile was evaluated (increasing).
    profile_rss : numpy.ndarray
        Smallest residual sum of squares with ``P`` held at each ``profile_P``
        (the other free parameters re-fitted).
    rss_cutoff : float
        Profile ``rss`` at the ends of ``P_interval``.
    fitted : Expansion
        The fitted trajectory up to the horizon, in model cells (multiply by
        ``estimates["scale"]`` for measured units).
    """

    P: float
    P_interval: tuple[float, float]
    P_interval_closed: tuple[bool, bool]
    estimates: Mapping[str, float]
    free: tuple[str, ...]
    log_standard_errors: Mapping[str, float]
    identifiable: Mapping[str, bool]
    noise_sd: float
    noise_estimated: bool
    confidence: float
    interval_method: str
    sample_days: NDArray[np.float64] = field(repr=False)
    counts: NDArray[np.float64] = field(repr=False)
    residuals: NDArray[np.float64] = field(repr=False)
    rss: float = field(repr=False)
    profile_P: NDArray[np.float64] = field(repr=False)
    profile_rss: NDArray[np.float64] = field(repr=False)
    rss_cutoff: float = field(repr=False)
    fitted: Expansion = field(repr=False)

    def covers(self, P_true: float) -> bool:
        """Whether ``P_interval`` contains ``P_true``."""
        return bool(self.P_interval[0] <= P_true <= self.P_interval[1])


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
    days_ = _check_sample_days(sample_days, dt)
    sd = as_real_array("noise_sd", noise_sd, low=0.0)
    if sd.ndim:
        raise TypeError(f"noise_sd must be a scalar; got {noise_sd!r}")
    scale_ = as_real_array("scale", scale, low=0.0, low_open=True)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
    horizon = max(float(days_[-1]), float(dt))
    run = simulate(r=r, q=q, B=B, P=P, K=K, n0=n0, days=horizon, dt=dt,
                   reading=check_choice("reading", reading, READINGS),
                   b_placement=check_choice("b_placement", b_placement, B_PLACEMENTS))
    steps = np.rint(days_ / dt).astype(int)
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
    factors = np.exp(np.vstack([np.eye(3), -np.eye(3)]) * _JAC_STEP)  # rows: +P, +r, +q, -P, -r, -q
    columns = {name: values[name] * factors[:, index] for index, name in enumerate(names)}
    run = simulate(
        r=columns["r"], q=columns["q"], B=B, P=columns["P"], K=K, n0=n0, days=days, dt=dt,
        reading=check_choice("reading", reading, READINGS),
        b_placement=check_choice("b_placement", b_placement, B_PLACEMENTS),
    )
    log_n = np.log(run.car_t)
    elasticities = {name: (log_n[index] - log_n[index + 3]) / (2 * _JAC_STEP) for index, name in enumerate(names)}
    elasticities["scale"] = np.ones_like(run.t)
    return run.t, elasticities


def fit_burden(
    sample_days: ArrayLike,
    counts: ArrayLike,
    *,
    B: float,
    K: float,
    r: float,
    q: float,
    n0: float = 1.0,
    scale: float = 1.0,
    free: Sequence[str] = (),
    noise_sd: float | None = None,
    confidence: float = 0.95,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    flat_factor: float = 10.0,
    horizon_days: float | None = None,
    dt: float = 1.0,
    reading: str = "exact",
    b_placement: str = "capacity",
) -> BurdenFit:
    """Fit the antigen burden ``P`` of Equation 1 to CAR T counts on given days.

    Minimises the sum of squared differences between the log counts and the
    log of ``scale * N(day)`` from :func:`cartmodel.simulate`, with
    :func:`scipy.optimize.least_squares` (trust-region reflective, within
    ``bounds``), over ``ln P`` and the logs of the parameters in ``free``.

    Parameters
    ----------
    sample_days : array_like
        Sampling days, 1-D, strictly increasing, >= 0, on the ``dt`` grid.
    counts : array_like
        CAR T counts on those days, finite and > 0 (logs are taken).
    B : float
        Affinity factor ``(1 nM) / IC50`` of the CAR, dimensionless (known).
    K : float
        Scale of the steady-state level in model cells (known).
    r, q : float
        CAR T and tumour growth rates per day: fixed values, or starting values
        for those named in ``free``.
    n0 : float
        Infused dose in model cells (known).
    scale : float
        Measured count per model cell: fixed, or the starting value if
        ``"scale"`` is in ``free``.
    free : sequence of {"r", "q", "scale"}
        Parameters to fit besides ``P``.
    noise_sd : float, optional
        Known standard deviation of the log-count error.  If omitted it is
        estimated from the residuals, which needs more days than fitted
        parameters.
    confidence : float
        Level of the interval for ``P``, in (0, 1).
    bounds : mapping, optional
        ``{name: (low, high)}`` search bounds overriding :data:`DEFAULT_BOUNDS`
        for any of ``P``, ``r``, ``q``, ``scale`` (all > 0).
    flat_factor : float
        A fitted parameter counts as not identifiable when its interval
        reaches a search bound or extends more than this factor either side of
        the estimate; an :class:`IdentifiabilityWarning` then names it.  > 1.
    horizon_days : float, optional
        Length of the returned fitted trajectory; defaults to the last
        sampling day.  Every sampling day must lie within it.
    dt, reading, b_placement
        Passed to :func:`cartmodel.simulate`.

    Returns
    -------
    BurdenFit

    Raises
    ------
    TypeError, ValueError
        For bad data (non-positive, NaN or infinite counts, unsorted or
        repeated days, days off the ``dt`` grid or beyond the horizon,
        mismatched lengths, fewer days than needed for the free parameters)
        and parameters out of range; the message names the culprit.

    Warns
    -----
    IdentifiabilityWarning
        When the data cannot pin down ``P`` or another fitted parameter.

    Notes
    -----
    The interval for ``P`` is a profile-likelihood interval: the set of ``P``
    whose profile residual sum of squares (the other free parameters
    re-fitted) is at most ``RSS_min + c * sigma^2``.  With ``sigma`` estimated
    (``sigma^2 = RSS_min / (n - p)``) ``c`` is the ``confidence`` quantile of
    the F distribution with 1 and ``n - p`` degrees of freedom; with ``sigma``
    given it is the chi-squared quantile with 1 degree of freedom.  For the
    other parameters identifiability is judged from the curvature of the sum
    of squares (Wald intervals on the log scale).
    """
    problem = _Problem.build(
        sample_days=sample_days, counts=counts, B=B, K=K, r=r, q=q, n0=n0, scale=scale, free=free, noise_sd=noise_sd,
        confidence=confidence, bounds=bounds, flat_factor=flat_factor, horizon_days=horizon_days, dt=dt,
        reading=reading, b_placement=b_placement,
    )
    return _solve(problem)


# --------------------------------------------------------------------------
# internals: checks shared by fit_burden and fit_cohort


def _check_sample_days(sample_days: Any, dt: Any) -> NDArray[np.float64]:
    days_ = as_real_array("sample_days", sample_days, low=0.0, unit="days")
    if days_.ndim != 1 or days_.size == 0:
        raise ValueError(f"sample_days must be a non-empty 1-D sequence of sampling days; got shape {days_.shape}")
    step = np.diff(days_)
    if np.any(step == 0):
        repeated = days_[1:][step == 0][0]
        raise ValueError(f"sample_days must not repeat; day {repeated:g} appears more than once")
    if np.any(step < 0):
        first = int(np.argmax(step < 0))
        raise ValueError(
            f"sample_days must be in increasing order; got day {days_[first + 1]:g} after day {days_[first]:g}"
        )
    dt_ = as_real_scalar("dt", dt, low=0.0, low_open=True, unit="days")
    on_grid = np.abs(days_ / dt_ - np.rint(days_ / dt_)) <= 1e-9 * np.maximum(1.0, days_ / dt_)
    if not np.all(on_grid):
        off = days_[~on_grid][0]
        raise ValueError(f"sample_days must be whole multiples of dt={dt_:g}; got day {off:g}")
    return days_


def _check_counts(counts: Any, sample_days: NDArray[np.float64]) -> NDArray[np.float64]:
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
            pair_ = as_real_array(f"bounds[{name!r}]", pair, low=0.0, low_open=True)
            if pair_.shape != (2,) or not pair_[0] < pair_[1]:
                raise ValueError(f"bounds[{name!r}] must be a pair (low, high) with 0 < low < high; got {pair!r}")
            limits[name] = (float(pair_[0]), float(pair_[1]))
    return limits


# --------------------------------------------------------------------------
# internals: judging what the counts pin down (one patient or a stack of them)

_FLAT_ADVICE = (
    "sample other days (expansion for r, peak and contraction for P and q, plateau for scale) "
    "or fix these parameters"
)


def _standard_errors(jac: NDArray[np.float64], sigma2: NDArray[np.float64]) -> NDArray[np.float64]:
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


def _identifiable(names, x_hat, ends, closed, log_se, low, high, confidence, flat_factor) -> dict[str, NDArray[np.bool_]]:
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


def _noise_and_cutoff(rss, n_days, p, noise_sd, confidence):
    """Noise variance and the profile cut-off ``RSS_min + c sigma^2`` (arrays over patients)."""
    from scipy import stats

    rss = np.asarray(rss, dtype=np.float64)
    if noise_sd is None:
        dof = np.asarray(n_days) - p
        sigma2 = rss / dof
        critical = stats.f.ppf(confidence, 1, dof)
    else:
        sigma2 = np.full(rss.shape, noise_sd**2)
        critical = np.full(rss.shape, float(stats.chi2.ppf(confidence, 1)))
    return sigma2, rss + critical * sigma2


# --------------------------------------------------------------------------
# internals: one patient (fit_burden)


@dataclass
class _Problem:
    """A checked fitting problem and its model on the sampling days; every coordinate is a natural log."""

    sample_days: NDArray[np.float64]
    counts: NDArray[np.float64]
    fixed: dict[str, float]
    names: tuple[str, ...]
    low: NDArray[np.float64]
    high: NDArray[np.float64]
    noise_sd: float | None
    confidence: float
    flat_factor: float
    horizon: float
    dt: float
    reading: Reading
    b_placement: BPlacement

    @classmethod
    def build(cls, *, sample_days, counts, B, K, r, q, n0, scale, free, noise_sd, confidence, bounds, flat_factor,
              horizon_days, dt, reading, b_placement) -> _Problem:
        days_ = _check_sample_days(sample_days, dt)
        counts_ = _check_counts(counts, days_)
        fixed = {
            "B": as_real_scalar("B", B, low=0.0, low_open=True, unit="dimensionless"),
            "K": as_real_scalar("K", K, low=0.0, low_open=True, unit="model cells"),
            "r": as_real_scalar("r", r, low=0.0, low_open=True, unit="per day"),
            "q": as_real_scalar("q", q, low=0.0, unit="per day"),
            "n0": as_real_scalar("n0", n0, low=0.0, low_open=True, unit="model cells"),
            "scale": as_real_scalar("scale", scale, low=0.0, low_open=True),
        }
        names = _check_free(free)
        limits = _check_bounds(bounds)
        low = np.log([limits[name][0] for name in names])
        high = np.log([limits[name][1] for name in names])
        sd = None if noise_sd is None else as_real_scalar("noise_sd", noise_sd, low=0.0, low_open=True)
        needed = len(names) + (1 if sd is None else 0)
        if days_.size < needed:
            reason = " and estimate the noise (or pass noise_sd)" if sd is None else ""
            raise ValueError(
                f"need at least {needed} sample_days to fit {', '.join(names)}{reason}; got {days_.size}"
            )
        level = as_real_scalar("confidence", confidence, low=0.0, high=1.0, low_open=True, high_open=True)
        flat = as_real_scalar("flat_factor", flat_factor, low=1.0, low_open=True)
        dt_ = as_real_scalar("dt", dt, low=0.0, low_open=True, unit="days")
        last = float(days_[-1])
        if horizon_days is None:
            horizon = max(last, dt_)
        else:
            horizon = as_real_scalar("horizon_days", horizon_days, low=0.0, low_open=True, unit="days")
            if last > horizon:
                raise ValueError(
                    f"sample_days reach day {last:g}, beyond the horizon of {horizon:g} days; raise horizon_days"
                )
        return cls(
            sample_days=days_, counts=counts_, fixed=fixed, names=names, low=low, high=high, noise_sd=sd,
            confidence=level, flat_factor=flat, horizon=horizon, dt=dt_,
            reading=check_choice("reading", reading, READINGS),
            b_placement=check_choice("b_placement", b_placement, B_PLACEMENTS),
        )

    @property
    def log_counts(self) -> NDArray[np.float64]:
        return np.log(self.counts)

    @property
    def scale_only_nuisance(self) -> bool:
        """Whether every fitted parameter besides ``P`` has a closed-form profile (only ``scale`` does)."""
        return set(self.names) <= {"P", "scale"}

    def values(self, theta: NDArray[np.float64]) -> dict[str, NDArray[np.float64]]:
        """Parameter values for coordinate rows ``theta`` (shape ``(m, p)``)."""
        values = {name: np.full(theta.shape[0], self.fixed[name]) for name in ("r", "q", "scale")}
        for column, name in enumerate(self.names):
            values[name] = np.exp(theta[:, column])
        return values

    def run(self, theta: NDArray[np.float64], days: float | None = None) -> Expansion:
        values = self.values(theta)
        return simulate(
            r=values["r"], q=values["q"], B=self.fixed["B"], P=values["P"], K=self.fixed["K"], n0=self.fixed["n0"],
            days=self.horizon if days is None else days, dt=self.dt, reading=self.reading,
            b_placement=self.b_placement,
        )

    def log_model(self, theta: NDArray[np.float64]) -> NDArray[np.float64]:
        """``ln(scale * N(sample_days))`` for each row of ``theta``: shape ``(m, n)``."""
        theta = np.atleast_2d(theta)
        steps = np.rint(self.sample_days / self.dt).astype(int)
        last_day = max(float(self.sample_days[-1]), self.dt)
        car_t = self.run(theta, days=last_day).car_t[:, steps]
        return np.log(self.values(theta)["scale"])[:, None] + np.log(car_t)

    def residuals(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        return self.log_counts - self.log_model(x[None, :])[0]

    def evaluate(self, x: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Residuals and their central-difference Jacobian, from one simulate call."""
        p = x.size
        offsets = np.vstack([np.zeros(p), np.eye(p), -np.eye(p)]) * _JAC_STEP
        model = self.log_model(x[None, :] + offsets)
        return self.log_counts - model[0], -(model[1 : p + 1] - model[p + 1 :]).T / (2 * _JAC_STEP)

    def jacobian(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        return self.evaluate(x)[1]


def _least_squares(problem: _Problem, x0: NDArray[np.float64], fixed_index: int | None = None,
                   fixed_value: float = 0.0) -> tuple[NDArray[np.float64], float]:
    """Minimise the RSS over all coordinates, or all but ``fixed_index``, with scipy's least_squares."""
    if fixed_index is None:
        free_index = np.arange(x0.size)
    else:
        free_index = np.delete(np.arange(x0.size), fixed_index)

    def full(y: NDArray[np.float64]) -> NDArray[np.float64]:
        x = x0.copy()
        x[free_index] = y
        if fixed_index is not None:
            x[fixed_index] = fixed_value
        return x

    start = np.clip(x0[free_index], problem.low[free_index], problem.high[free_index])
    # least_squares asks for the Jacobian at the point whose residuals it has
    # just computed: one simulate call serves both.
    cache: dict[bytes, NDArray[np.float64]] = {}

    def residuals(y: NDArray[np.float64]) -> NDArray[np.float64]:
        res, jac = problem.evaluate(full(y))
        cache.clear()
        cache[y.tobytes()] = jac[:, free_index]
        return res

    def jacobian(y: NDArray[np.float64]) -> NDArray[np.float64]:
        hit = cache.get(y.tobytes())
        return hit if hit is not None else problem.jacobian(full(y))[:, free_index]

    from scipy import optimize

    tol = 1e-14 if fixed_index is None else 1e-8
    solution = optimize.least_squares(
        residuals, start, jac=jacobian, bounds=(problem.low[free_index], problem.high[free_index]),
        method="trf", ftol=tol, xtol=tol, gtol=tol, max_nfev=500,
    )
    x = full(solution.x)
    return x, float(np.sum(problem.residuals(x) ** 2))


def _profile_values(problem: _Problem, grid: NDArray[np.float64], x_ref: NDArray[np.float64]):
    """Profile RSS at each ``ln P`` of ``grid`` (P alone, or P and scale), one simulate call.

    A free scale is profiled out exactly: its best log is the mean log
    residual, held within its bounds.
    """
    theta = np.tile(x_ref, (grid.size, 1))
    theta[:, 0] = grid
    if "scale" in problem.names:
        theta[:, 1] = 0.0  # ln scale = 0: model cells; the best scale is added below
    gap = problem.log_counts - problem.log_model(theta)
    if "scale" in problem.names:
        theta[:, 1] = np.clip(gap.mean(axis=1), problem.low[1], problem.high[1])
        gap = gap - theta[:, 1][:, None]
    return grid, np.sum(gap**2, axis=1), theta


def _profile_at(problem: _Problem, log_p: float, x_ref: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
    """Profile RSS at one ``ln P`` (other free parameters re-fitted from ``x_ref``)."""
    x = x_ref.copy()
    x[0] = log_p
    if len(problem.names) == 1:
        return float(np.sum(problem.residuals(x) ** 2)), x
    if problem.scale_only_nuisance:
        _, rss, theta = _profile_values(problem, np.array([log_p]), x)
        return float(rss[0]), theta[0]
    x, rss = _least_squares(problem, x, fixed_index=0, fixed_value=log_p)
    return rss, x


def _best_start(problem: _Problem):
    """Starting point: the best of a vectorised scan over ln P (the others at their start).

    Returns the start and, for closed-form profiles, the scan (grid, RSS,
    coordinates), which then also serves as the profile.
    """
    x_start = np.log([problem.fixed[name] if name != "P" else 1.0 for name in problem.names])
    x_start = np.clip(x_start, problem.low, problem.high)
    if problem.scale_only_nuisance:
        scan = _profile_values(problem, np.linspace(problem.low[0], problem.high[0], _PROFILE_GRID), x_start)
        return scan[2][int(np.argmin(scan[1]))].copy(), scan
    # the rates stay at their start; a free scale is profiled out, as in fit_cohort's scan
    grid = np.linspace(problem.low[0], problem.high[0], _SCAN_POINTS)
    theta = np.tile(x_start, (grid.size, 1))
    theta[:, 0] = grid
    if "scale" in problem.names:
        column = problem.names.index("scale")
        theta[:, column] = 0.0
        gap = problem.log_counts - problem.log_model(theta)
        theta[:, column] = np.clip(gap.mean(axis=1), problem.low[column], problem.high[column])
    rss = np.sum((problem.log_counts - problem.log_model(theta)) ** 2, axis=1)
    return theta[int(np.argmin(rss))].copy(), None


def _interval_from_grid(problem: _Problem, x_hat, cutoff, grid, grid_rss):
    """Interval ends from the vectorised profile: bracket on the grid, then one finer call."""
    centre = float(x_hat[0])
    brackets = {}
    for side in (-1, 1):
        outside = np.nonzero((grid * side > centre * side) & (grid_rss > cutoff))[0]
        if outside.size:
            index = outside.max() if side < 0 else outside.min()
            inside = float(grid[index - side])
            if (inside - centre) * side < 0:
                inside = centre
            brackets[side] = (inside, float(grid[index]))
    fine_count = 257
    fine = np.concatenate([np.linspace(a, b, fine_count) for a, b in brackets.values()]) if brackets else np.empty(0)
    fine_rss = _profile_values(problem, fine, x_hat)[1] if fine.size else fine
    ends, closed = [], []
    for side in (-1, 1):
        if side not in brackets:
            ends.append(float(problem.low[0] if side < 0 else problem.high[0]))
            closed.append(False)
            continue
        block = list(brackets).index(side)
        points = fine[block * fine_count : (block + 1) * fine_count]
        values = fine_rss[block * fine_count : (block + 1) * fine_count]
        first_out = max(int(np.argmax(values > cutoff)), 1)  # points run from inside to outside
        a, b = points[first_out - 1], points[first_out]
        fa, fb = values[first_out - 1], values[first_out]
        ends.append(float(a + (cutoff - fa) * (b - a) / (fb - fa)))
        closed.append(True)
    return (ends[0], ends[1]), (closed[0], closed[1])


def _refine(problem: _Problem, log_inside: float, log_outside: float, cutoff: float,
            x_ref: NDArray[np.float64]) -> float:
    """The ``ln P`` between a point inside and one outside where the profile meets the cut-off."""
    from scipy import optimize

    anchor = {"x": x_ref}

    def excess(log_p: float) -> float:
        rss, x = _profile_at(problem, log_p, anchor["x"])
        anchor["x"] = x
        return rss - cutoff

    return float(optimize.brentq(excess, log_inside, log_outside, xtol=1e-5, rtol=1e-10))


def _walk_profile(problem: _Problem, x_hat, rss, cutoff):
    """Walk outwards from the estimate in ln P, re-fitting the others at each step."""
    points = {float(x_hat[0]): rss}
    ends, closed = [], []
    target = cutoff - rss
    for side in (-1, 1):
        x_prev = x_hat.copy()
        log_prev, rss_prev = float(x_hat[0]), rss
        step = _WALK_FIRST_STEP
        bound = float(problem.low[0] if side < 0 else problem.high[0])
        end, is_closed = bound, False
        while (bound - log_prev) * side > 1e-12:
            log_next = log_prev + side * step
            if (log_next - bound) * side > 0:
                log_next = bound
            rss_next, x_next = _profile_at(problem, log_next, x_prev)
            points[log_next] = rss_next
            if rss_next > cutoff:
                end = _refine(problem, log_prev, log_next, cutoff, x_prev)
                is_closed = True
                break
            if rss_next - rss_prev < _WALK_FLAT_SHARE * target:
                step = min(step * 2.0, _WALK_LARGEST_STEP)
            log_prev, rss_prev, x_prev = log_next, rss_next, x_next
        ends.append(end)
        closed.append(is_closed)
    grid = np.array(sorted(points))
    return grid, np.array([points[g] for g in grid]), (ends[0], ends[1]), (closed[0], closed[1])


def _solve(problem: _Problem) -> BurdenFit:
    """Fit one patient: scan, local least squares, profile interval, identifiability."""
    x_start, scan = _best_start(problem)
    x_hat, rss = _least_squares(problem, x_start)
    if scan is not None and scan[1].min() < rss - 1e-9 * rss:
        # the scan holds a deeper basin than least_squares reached: restart there
        x_hat, rss = _least_squares(problem, scan[2][int(np.argmin(scan[1]))].copy())

    sigma2_, cutoff_ = _noise_and_cutoff(np.array([rss]), problem.sample_days.size, len(problem.names), problem.noise_sd,
                                         problem.confidence)
    sigma2, cutoff = float(sigma2_[0]), float(cutoff_[0])
    if scan is not None:
        profile_grid, profile_rss = scan[0], scan[1]
        ends, closed = _interval_from_grid(problem, x_hat, cutoff, scan[0], scan[1])
    else:
        profile_grid, profile_rss, ends, closed = _walk_profile(problem, x_hat, rss, cutoff)

    log_se = _standard_errors(problem.jacobian(x_hat)[None], np.array([sigma2]))[0]
    flags = _identifiable(problem.names, x_hat[None], np.array([ends]), np.array([closed]), log_se[None],
                          problem.low, problem.high, problem.confidence, problem.flat_factor)
    identifiable = {name: bool(flag[0]) for name, flag in flags.items()}
    flat = [name for name in problem.names if not identifiable[name]]
    if flat:
        warnings.warn(
            "the counts cannot pin down "
            + ", ".join(flat)
            + f" (the {problem.confidence:.0%} interval reaches a search bound or spans more than a factor "
            f"{problem.flat_factor:g} either side); " + _FLAT_ADVICE,
            IdentifiabilityWarning,
            stacklevel=3,
        )

    values = problem.values(x_hat[None, :])
    estimates = {name: float(values[name][0]) for name in ("P", "r", "q", "scale")}
    return BurdenFit(
        P=estimates["P"],
        P_interval=(float(np.exp(ends[0])), float(np.exp(ends[1]))),
        P_interval_closed=closed,
        estimates=MappingProxyType(estimates),
        free=problem.names,
        log_standard_errors=MappingProxyType({name: float(log_se[i]) for i, name in enumerate(problem.names)}),
        identifiable=MappingProxyType(identifiable),
        noise_sd=float(math.sqrt(sigma2)),
        noise_estimated=problem.noise_sd is None,
        confidence=problem.confidence,
        interval_method="profile likelihood"
        + (" (F cut-off, noise estimated)" if problem.noise_sd is None else " (chi-squared cut-off, noise known)"),
        sample_days=problem.sample_days.copy(),
        counts=problem.counts.copy(),
        residuals=problem.residuals(x_hat),
        rss=rss,
        profile_P=np.exp(profile_grid),
        profile_rss=profile_rss,
        rss_cutoff=float(cutoff),
        fitted=simulate(
            r=estimates["r"], q=estimates["q"], B=problem.fixed["B"], P=estimates["P"], K=problem.fixed["K"],
            n0=problem.fixed["n0"], days=problem.horizon, dt=problem.dt, reading=problem.reading,
            b_placement=problem.b_placement,
        ),
    )


# --------------------------------------------------------------------------
# a whole cohort in one call


@dataclass(frozen=True)
class CohortRecovery:
    """How well a :class:`CohortFit` read known burdens (see :meth:`CohortFit.recovery`).

    Attributes
    ----------
    patients : int
        Number of patients.
    factor : float
        The fold band that counts as a good reading.
    within : int
        Patients whose estimate is within ``factor`` of the true ``P``.
    covered : int
        Patients whose interval contains the true ``P``.
    warned : int
        Patients for whom some fitted parameter is not identifiable.
    median_width : float
        Median of ``high / low`` over the patients' intervals (fold).
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


@dataclass(frozen=True)
class CohortFit:
    """The result of :func:`fit_cohort`: one entry per patient, in input order.

    The attributes mean what the same names of :class:`BurdenFit` mean, as
    arrays over the ``m`` patients: ``P``, ``noise_sd``, ``rss``,
    ``rss_cutoff`` and ``n_days`` have shape ``(m,)``; ``P_interval`` and
    ``P_interval_closed`` ``(m, 2)``; ``estimates``, ``log_standard_errors``
    and ``identifiable`` map each name to an array of shape ``(m,)``.
    """

    P: NDArray[np.float64]
    P_interval: NDArray[np.float64]
    P_interval_closed: NDArray[np.bool_]
    estimates: Mapping[str, NDArray[np.float64]]
    free: tuple[str, ...]
    log_standard_errors: Mapping[str, NDArray[np.float64]]
    identifiable: Mapping[str, NDArray[np.bool_]]
    noise_sd: NDArray[np.float64]
    noise_estimated: bool
    confidence: float
    rss: NDArray[np.float64] = field(repr=False)
    rss_cutoff: NDArray[np.float64] = field(repr=False)
    n_days: NDArray[np.int64] = field(repr=False)

    @property
    def pinned_down(self) -> NDArray[np.bool_]:
        """Whether every fitted parameter of each patient is identifiable."""
        return np.logical_and.reduce([self.identifiable[name] for name in self.free])

    def covers(self, P_true: ArrayLike) -> NDArray[np.bool_]:
        """Whether each patient's ``P_interval`` contains ``P_true`` (scalar or shape ``(m,)``)."""
        truth = as_real_array("P_true", P_true, low=0.0, low_open=True)
        if truth.ndim > 1 or (truth.ndim == 1 and truth.size != self.P.size):
            raise ValueError(f"P_true must be a scalar or one value per patient ({self.P.size}); got shape {truth.shape}")
        return (self.P_interval[:, 0] <= truth) & (truth <= self.P_interval[:, 1])

    def recovery(self, P_true: ArrayLike, factor: float = 2.0) -> CohortRecovery:
        """Count the patients read within ``factor`` of ``P_true`` and the intervals that cover it.

        The same as :func:`cohort_recovery` ``(self, P_true, factor)``.
        """
        return cohort_recovery(self, P_true, factor)


def cohort_recovery(fit: CohortFit, P_true: ArrayLike, factor: float = 2.0) -> CohortRecovery:
    """How well a cohort fit read known burdens.

    Parameters
    ----------
    fit : CohortFit
        The result of :func:`fit_cohort`.
    P_true : float or array_like
        The true burdens, > 0: one value, or one per patient.
    factor : float
        Estimates within this fold of the truth count as read, > 1.

    Returns
    -------
    CohortRecovery
        Counts of patients read within ``factor``, of intervals covering the
        truth and of patients the fit warned about, and the median interval
        width.
    """
    if not isinstance(fit, CohortFit):
        raise TypeError(f"fit must be a CohortFit (the result of fit_cohort); got {type(fit).__name__}")
    return _recovery(fit.P, fit.P_interval, fit.pinned_down, P_true, factor)


def clopper_pearson(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper-Pearson) confidence interval for a binomial proportion.

    The ends are the ``alpha / 2`` and ``1 - alpha / 2`` quantiles of beta
    distributions (``alpha = 1 - confidence``): the lower end is the
    proportion at which ``successes`` or more would occur with probability
    ``alpha / 2``, the upper the one at which ``successes`` or fewer would.

    Parameters
    ----------
    successes : int
        Number of successes, ``0 <= successes <= trials``.
    trials : int
        Number of trials, >= 1.
    confidence : float
        Confidence level in (0, 1).

    Returns
    -------
    tuple of float
        ``(low, high)``; ``low = 0`` when ``successes = 0`` and ``high = 1``
        when ``successes = trials``.
    """
    n = check_positive_int("trials", trials)
    k = check_positive_int("successes", successes, low=0, high=n)
    level = as_real_scalar("confidence", confidence, low=0.0, high=1.0, low_open=True, high_open=True)
    alpha = 1.0 - level
    from scipy import stats

    low = 0.0 if k == 0 else float(stats.beta.ppf(alpha / 2, k, n - k + 1))
    high = 1.0 if k == n else float(stats.beta.ppf(1 - alpha / 2, k + 1, n - k))
    return low, high


def fit_cohort(
    sample_days: ArrayLike | Sequence[ArrayLike],
    counts: ArrayLike | Sequence[ArrayLike],
    *,
    B: ArrayLike,
    K: ArrayLike,
    r: ArrayLike,
    q: ArrayLike,
    n0: ArrayLike = 1.0,
    scale: ArrayLike = 1.0,
    free: Sequence[str] = (),
    noise_sd: float | None = None,
    confidence: float = 0.95,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    flat_factor: float = 10.0,
    dt: float = 1.0,
    reading: str = "exact",
    b_placement: str = "capacity",
) -> CohortFit:
    """Fit the antigen burden of many patients at once.

    The same model, estimates, intervals and identifiability judgement as
    :func:`fit_burden`, patient by patient, but every step is computed for
    the whole cohort together: one :func:`cartmodel.simulate` call per
    iteration evaluates the model and its finite-difference Jacobian for all
    patients.  The fit is a Levenberg-Marquardt iteration on each patient's
    log-count residuals, within the bounds; a free ``scale`` is not iterated
    but profiled out exactly (its best log is the mean log residual, held in
    its bounds).  The profile of ``P`` is walked outwards from every
    patient's estimate in the steps :func:`fit_burden` takes, and its
    crossings of the cut-off are refined by regula falsi, all patients at once.

    Parameters
    ----------
    sample_days : array_like or sequence of array_like
        Sampling days: one 1-D sequence shared by every patient (then
        ``counts`` has shape ``(m, len(sample_days))``), or one sequence per patient
        (then ``counts`` is a sequence of as many sequences, of matching
        lengths).  Each patient's days follow the rules of :func:`fit_burden`.
    counts : array_like or sequence of array_like
        CAR T counts, finite and > 0.
    B, K, n0 : float or array_like
        Known parameters, scalars or one value per patient.
    r, q, scale : float or array_like
        Fixed values, or starting values for those in ``free``; scalars or
        one value per patient.
    free, noise_sd, confidence, bounds, flat_factor, dt, reading, b_placement
        As in :func:`fit_burden` (shared by the cohort).

    Returns
    -------
    CohortFit

    Warns
    -----
    IdentifiabilityWarning
        One warning for the cohort, naming for each parameter the patients
        (by index) whose counts cannot pin it down.

    Notes
    -----
    Estimates agree with :func:`fit_burden` to the optimisers' tolerances
    (``1e-6`` relative in the tests) and interval ends to about ``1e-5``
    relative, except where the profile is flat at the minimum itself, where
    no fit has a unique answer.
    """
    cohort = _Cohort.build(
        sample_days=sample_days, counts=counts, B=B, K=K, r=r, q=q, n0=n0, scale=scale, free=free, noise_sd=noise_sd,
        confidence=confidence, bounds=bounds, flat_factor=flat_factor, dt=dt, reading=reading,
        b_placement=b_placement,
    )
    return _solve_cohort(cohort)


# Start of the outward profile walk, its largest step (both in ln P), and the share of
# the cut-off margin below which a step counts as flat and the next one doubles:
# the same rule for fit_burden and fit_cohort.
_WALK_FIRST_STEP = 0.2
_WALK_LARGEST_STEP = 2.0
_WALK_FLAT_SHARE = 0.25
# Points of fit_cohort's coarse log-P scan that finds each patient's basin (a spacing
# of 0.46 in ln P; the sum of squares varies slowly in ln P, whose elasticity is <= 1).
_COHORT_SCAN = 61
# Stopping rules of the vectorised Levenberg-Marquardt iteration: a step shorter than
# xtol (in logs) or a relative fall in RSS below ftol ends it; re-fits along the profile
# need less (fit_burden's own re-fits stop at 1e-8).
_LM_XTOL = 1e-11
_LM_FTOL = 1e-15
_LM_PROFILE_XTOL = 1e-9
_LM_PROFILE_FTOL = 1e-12
_LM_MAX_ITER = 200
# Width (in ln P) at which the vectorised regula falsi stops, and the excess over the
# cut-off (relative to it) that counts as on it.
_ROOT_XTOL = 1e-8
_ROOT_FTOL = 1e-12


def _patient_series(sample_days: Any, counts: Any, dt: float) -> tuple[list[NDArray[np.float64]], list[NDArray[np.float64]]]:
    """Per-patient (sample_days, counts) pairs, checked like fit_burden's."""
    shared = None
    try:
        as_array = np.asarray(sample_days, dtype=np.float64)
        if as_array.ndim == 1:
            shared = sample_days
    except (TypeError, ValueError):
        pass
    if shared is not None:
        days_ = _check_sample_days(shared, dt)
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
            checked = _check_sample_days(patient_days, dt)
            all_counts.append(_check_counts(patient_counts, checked))
        except (TypeError, ValueError) as error:
            raise type(error)(f"patient {index}: {error}") from None
        all_days.append(checked)
    return all_days, all_counts


def _per_patient(name: str, value: Any, m: int, **limits: Any) -> NDArray[np.float64]:
    array = as_real_array(name, value, **limits)
    if array.ndim > 1 or (array.ndim == 1 and array.size != m):
        raise ValueError(f"{name} must be a scalar or one value per patient ({m}); got shape {array.shape}")
    return np.broadcast_to(array, (m,)).astype(np.float64)


@dataclass
class _Cohort:
    """A checked cohort fitting problem and its model on the sampling days.

    Coordinates are natural logs of ``P`` and of the free rates (``theta``,
    ``P`` first); a free ``scale`` is profiled out in closed form wherever
    residuals are computed.  Every method, and each part of the fit below,
    takes ``who``, the patient index of each row, so that rows can be any mix
    of patients and parameter sets.
    """

    sample_days: NDArray[np.float64]  # union of the sampling days, increasing
    steps: NDArray[np.int64]
    observed: NDArray[np.bool_]  # (m, U)
    log_counts: NDArray[np.float64]  # (m, U), 0 where not observed
    n_days: NDArray[np.int64]
    fixed: dict[str, NDArray[np.float64]]
    names: tuple[str, ...]  # all fitted names, P first (as in BurdenFit.free)
    rates: tuple[str, ...]  # the iterated names: P and the free rates
    low: NDArray[np.float64]  # bounds of the iterated coordinates
    high: NDArray[np.float64]
    scale_bounds: tuple[float, float]  # ln bounds of scale (used when it is free)
    noise_sd: float | None
    confidence: float
    flat_factor: float
    dt: float
    reading: Reading
    b_placement: BPlacement

    @classmethod
    def build(cls, *, sample_days, counts, B, K, r, q, n0, scale, free, noise_sd, confidence, bounds, flat_factor, dt,
              reading, b_placement) -> _Cohort:
        dt_ = as_real_scalar("dt", dt, low=0.0, low_open=True, unit="days")
        series_days, series_counts = _patient_series(sample_days, counts, dt_)
        m = len(series_days)
        if m == 0:
            raise ValueError("the cohort must have at least one patient; got none")
        names = _check_free(free)
        limits = _check_bounds(bounds)
        sd = None if noise_sd is None else as_real_scalar("noise_sd", noise_sd, low=0.0, low_open=True)
        needed = len(names) + (1 if sd is None else 0)
        for index, patient_days in enumerate(series_days):
            if patient_days.size < needed:
                reason = " and estimate the noise (or pass noise_sd)" if sd is None else ""
                raise ValueError(
                    f"patient {index}: need at least {needed} sample_days to fit {', '.join(names)}{reason}; "
                    f"got {patient_days.size}"
                )
        union = np.unique(np.concatenate(series_days))
        observed = np.zeros((m, union.size), dtype=bool)
        log_counts = np.zeros((m, union.size))
        for index, (patient_days, patient_counts) in enumerate(zip(series_days, series_counts, strict=True)):
            columns = np.searchsorted(union, patient_days)
            observed[index, columns] = True
            log_counts[index, columns] = np.log(patient_counts)
        fixed = {
            "B": _per_patient("B", B, m, low=0.0, low_open=True, unit="dimensionless"),
            "K": _per_patient("K", K, m, low=0.0, low_open=True, unit="model cells"),
            "r": _per_patient("r", r, m, low=0.0, low_open=True, unit="per day"),
            "q": _per_patient("q", q, m, low=0.0, unit="per day"),
            "n0": _per_patient("n0", n0, m, low=0.0, low_open=True, unit="model cells"),
            "scale": _per_patient("scale", scale, m, low=0.0, low_open=True),
        }
        rates = tuple(name for name in names if name != "scale")
        return cls(
            sample_days=union, steps=np.rint(union / dt_).astype(np.int64), observed=observed, log_counts=log_counts,
            n_days=observed.sum(axis=1), fixed=fixed, names=names, rates=rates,
            low=np.log([limits[name][0] for name in rates]), high=np.log([limits[name][1] for name in rates]),
            scale_bounds=(math.log(limits["scale"][0]), math.log(limits["scale"][1])), noise_sd=sd,
            confidence=as_real_scalar("confidence", confidence, low=0.0, high=1.0, low_open=True, high_open=True),
            flat_factor=as_real_scalar("flat_factor", flat_factor, low=1.0, low_open=True), dt=dt_,
            reading=check_choice("reading", reading, READINGS),
            b_placement=check_choice("b_placement", b_placement, B_PLACEMENTS),
        )

    @property
    def size(self) -> int:
        return int(self.observed.shape[0])

    # ---- the model on the sampling days, rows of (patient, parameter set)

    def log_model(self, who: NDArray[np.int64], theta: NDArray[np.float64]) -> NDArray[np.float64]:
        """``ln N`` on the union of the sampling days for rows ``theta`` of patients ``who``: shape ``(rows, U)``."""
        values = {name: self.fixed[name][who] for name in ("r", "q")}
        for column, name in enumerate(self.rates):
            values[name] = np.exp(theta[:, column])
        run = simulate(
            r=values["r"], q=values["q"], B=self.fixed["B"][who], P=values["P"], K=self.fixed["K"][who],
            n0=self.fixed["n0"][who], days=max(float(self.sample_days[-1]), self.dt), dt=self.dt, reading=self.reading,
            b_placement=self.b_placement,
        )
        return np.log(run.car_t[:, self.steps])

    def residuals(self, who, theta, log_scale=None) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Residuals (0 on days a patient was not counted) and the ``ln scale`` they use.

        A free scale is profiled out unless ``log_scale`` is given.
        """
        gap = np.where(self.observed[who], self.log_counts[who] - self.log_model(who, theta), 0.0)
        if log_scale is None:
            if "scale" in self.names:
                log_scale = np.clip(gap.sum(axis=1) / self.n_days[who], *self.scale_bounds)
            else:
                log_scale = np.log(self.fixed["scale"][who])
        return np.where(self.observed[who], gap - log_scale[:, None], 0.0), log_scale

    def evaluate(self, who, theta, columns) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Residuals and their central-difference Jacobian in ``columns``, from one simulate call."""
        rows, k = theta.shape
        c = len(columns)
        offsets = np.zeros((1 + 2 * c, k))
        for j, column in enumerate(columns):
            offsets[1 + j, column] = _JAC_STEP
            offsets[1 + c + j, column] = -_JAC_STEP
        stacked = (theta[:, None, :] + offsets[None, :, :]).reshape(-1, k)
        res, _ = self.residuals(np.repeat(who, 1 + 2 * c), stacked)
        res = res.reshape(rows, 1 + 2 * c, -1)
        jac = (res[:, 1 : 1 + c] - res[:, 1 + c :]).transpose(0, 2, 1) / (2 * _JAC_STEP)
        return res[:, 0], jac


# ---- the cohort's parts: local fit, starting points, profile interval, assembly


def _levenberg_marquardt(cohort: _Cohort, who, theta, columns, xtol: float = _LM_XTOL,
                         ftol: float = _LM_FTOL) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Minimise each row's RSS over the coordinates in ``columns`` (the others held), within bounds."""
    theta = theta.copy()
    if not columns:
        res, _ = cohort.residuals(who, theta)
        return theta, np.sum(res**2, axis=1)
    cols = np.asarray(columns)
    low, high = cohort.low[cols], cohort.high[cols]
    theta[:, cols] = np.clip(theta[:, cols], low, high)
    res, jac = cohort.evaluate(who, theta, columns)
    rss = np.sum(res**2, axis=1)
    damping = np.full(len(who), 1e-3)
    growth = np.full(len(who), 2.0)
    going = np.ones(len(who), dtype=bool)
    eye = np.eye(len(cols))
    for _ in range(_LM_MAX_ITER):
        a = np.nonzero(going)[0]
        if a.size == 0:
            break
        J, x = jac[a], theta[a][:, cols]
        grad = np.einsum("nuk,nu->nk", J, res[a])
        hess = np.einsum("nuk,nul->nkl", J, J)
        # a coordinate on a bound that the descent direction pushes outwards stays there
        held = ((x <= low) & (grad > 0)) | ((x >= high) & (grad < 0))
        diag = np.maximum(np.einsum("nkk->nk", hess), 1e-12)
        system = hess + damping[a][:, None, None] * diag[:, :, None] * eye
        system = np.where(held[:, :, None] | held[:, None, :], 0.0, system) + held[:, :, None] * eye
        rhs = np.where(held, 0.0, -grad)
        step = np.linalg.solve(system, rhs[..., None])[..., 0]
        x_new = np.clip(x + step, low, high)
        step = x_new - x
        trial = theta[a].copy()
        trial[:, cols] = x_new
        res_new, jac_new = cohort.evaluate(who[a], trial, columns)
        rss_new = np.sum(res_new**2, axis=1)
        # Nielsen's damping rule: the ratio of the actual to the predicted fall of the RSS
        predicted = -(2 * np.einsum("nk,nk->n", step, grad) + np.einsum("nk,nkl,nl->n", step, hess, step))
        gain = (rss[a] - rss_new) / np.where(predicted > 0, predicted, np.inf)
        better = rss_new < rss[a]
        moved = np.max(np.abs(step), axis=1)
        small_gain = better & (rss[a] - rss_new <= ftol * rss_new)
        good = a[better]
        theta[good], res[good], jac[good], rss[good] = trial[better], res_new[better], jac_new[better], rss_new[better]
        damping[good] *= np.maximum(1 / 3, 1 - (2 * np.clip(gain[better], 0.0, 1.0) - 1) ** 3)
        damping[good] = np.maximum(damping[good], 1e-12)
        growth[good] = 2.0
        bad = a[~better]
        damping[bad] *= growth[bad]
        growth[bad] *= 2.0
        stalled = ~better & (damping[a] > 1e12)
        done = (moved < xtol) | small_gain | stalled | (rss[a] == 0.0)
        going[a[done]] = False
    return theta, rss


def _starting_points(cohort: _Cohort) -> NDArray[np.float64]:
    """Each patient's best point of a coarse log-P scan, the rates at their starting values.

    Patients with the same parameters (the same patient under several
    schedules, say) share one model run on the scan's grid.
    """
    m = cohort.size
    start = np.log(np.column_stack([np.ones(m)] + [cohort.fixed[name] for name in cohort.rates[1:]]))
    start = np.clip(start, cohort.low, cohort.high)
    grid = np.linspace(cohort.low[0], cohort.high[0], _COHORT_SCAN)
    keys = np.column_stack([cohort.fixed[name] for name in ("r", "q", "B", "K", "n0")] + [start[:, 1:]])
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    theta = np.repeat(start[first], grid.size, axis=0)
    theta[:, 0] = np.tile(grid, first.size)
    log_n = cohort.log_model(np.repeat(first, grid.size), theta).reshape(first.size, grid.size, -1)
    best = np.empty(m)
    for chunk in np.array_split(np.arange(m), max(1, m * grid.size * cohort.sample_days.size // 2_000_000)):
        seen = cohort.observed[chunk][:, None, :]
        gap = np.where(seen, cohort.log_counts[chunk][:, None, :] - log_n[inverse[chunk]], 0.0)
        if "scale" in cohort.names:
            log_scale = np.clip(gap.sum(axis=2) / cohort.n_days[chunk][:, None], *cohort.scale_bounds)
        else:
            log_scale = np.log(cohort.fixed["scale"][chunk])[:, None]
        rss = np.sum(np.where(seen, gap - log_scale[..., None], 0.0) ** 2, axis=2)
        best[chunk] = grid[np.argmin(rss, axis=1)]
    start[:, 0] = best
    return start


def _profile_cohort(cohort: _Cohort, who, log_p, theta_ref) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Profile RSS at ``ln P = log_p`` per row, the rates re-fitted from ``theta_ref``."""
    theta = theta_ref.copy()
    theta[:, 0] = log_p
    return _levenberg_marquardt(cohort, who, theta, list(range(1, len(cohort.rates))), xtol=_LM_PROFILE_XTOL,
                                    ftol=_LM_PROFILE_FTOL)


def _cohort_interval(cohort: _Cohort, theta_hat, rss, cutoff) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Both ends of every patient's profile interval (``ln P``) and whether each was found."""
    m = cohort.size
    who = np.concatenate([np.arange(m), np.arange(m)])
    side = np.repeat([-1.0, 1.0], m)
    bound = np.where(side < 0, cohort.low[0], cohort.high[0])
    level = cutoff[who]
    margin = level - rss[who]
    log_prev, rss_prev, theta_prev = theta_hat[who, 0].copy(), rss[who].copy(), theta_hat[who].copy()
    step = np.full(2 * m, _WALK_FIRST_STEP)
    ends, closed = bound.copy(), np.zeros(2 * m, dtype=bool)
    outside = np.empty(2 * m)
    walking = (bound - log_prev) * side > 1e-12
    while np.any(walking):
        a = np.nonzero(walking)[0]
        log_next = log_prev[a] + side[a] * step[a]
        log_next = np.where((log_next - bound[a]) * side[a] > 0, bound[a], log_next)
        theta_next, rss_next = _profile_cohort(cohort, who[a], log_next, theta_prev[a])
        crossed = rss_next > level[a]
        closed[a[crossed]] = True
        outside[a[crossed]] = log_next[crossed]
        stay = a[~crossed]
        flat = rss_next[~crossed] - rss_prev[stay] < _WALK_FLAT_SHARE * margin[stay]
        step[stay[flat]] = np.minimum(step[stay[flat]] * 2.0, _WALK_LARGEST_STEP)
        log_prev[stay], rss_prev[stay], theta_prev[stay] = log_next[~crossed], rss_next[~crossed], theta_next[~crossed]
        walking[a[crossed]] = False
        walking[stay] = (bound[stay] - log_prev[stay]) * side[stay] > 1e-12
    found = np.nonzero(closed)[0]
    if found.size:
        ends[found] = _cohort_refine(cohort, who[found], log_prev[found], outside[found], rss_prev[found] - level[found],
                                  level[found], theta_prev[found])
    return np.column_stack([ends[:m], ends[m:]]), np.column_stack([closed[:m], closed[m:]])


def _cohort_refine(cohort: _Cohort, who, inside, outside, f_inside, level, theta_ref) -> NDArray[np.float64]:
    """Where each profile meets its cut-off between ``inside`` and ``outside`` (Illinois regula falsi)."""
    a, b = inside.copy(), outside.copy()
    fa = f_inside.copy()
    _, rss_b = _profile_cohort(cohort, who, b, theta_ref)
    fb = rss_b - level
    anchor = theta_ref.copy()
    last = np.zeros(a.size, dtype=np.int8)  # which end moved last: -1 inside, +1 outside
    root = 0.5 * (a + b)
    going = np.ones(a.size, dtype=bool)
    for _ in range(100):
        g = np.nonzero(going)[0]
        if g.size == 0:
            break
        c = b[g] - fb[g] * (b[g] - a[g]) / (fb[g] - fa[g])
        lo, hi = np.minimum(a[g], b[g]), np.maximum(a[g], b[g])
        c = np.where((c > lo) & (c < hi), c, 0.5 * (a[g] + b[g]))
        theta_c, rss_c = _profile_cohort(cohort, who[g], c, anchor[g])
        fc = rss_c - level[g]
        out = fc > 0
        go, gi = g[out], g[~out]
        b[go], fb[go] = c[out], fc[out]
        fa[go] = np.where(last[go] == 1, fa[go] / 2.0, fa[go])
        last[go] = 1
        a[gi], fa[gi], anchor[gi] = c[~out], fc[~out], theta_c[~out]
        fb[gi] = np.where(last[gi] == -1, fb[gi] / 2.0, fb[gi])
        last[gi] = -1
        root[g] = c
        going[g] = (np.abs(b[g] - a[g]) > _ROOT_XTOL) & (np.abs(fc) > _ROOT_FTOL * level[g])
    return root


def _solve_cohort(cohort: _Cohort) -> CohortFit:
    m = cohort.size
    everyone = np.arange(m)
    theta_hat, rss = _levenberg_marquardt(cohort, everyone, _starting_points(cohort), list(range(len(cohort.rates))))
    sigma2, cutoff = _noise_and_cutoff(rss, cohort.n_days, len(cohort.names), cohort.noise_sd, cohort.confidence)
    ends, closed = _cohort_interval(cohort, theta_hat, rss, cutoff)

    _, log_scale = cohort.residuals(everyone, theta_hat)
    columns = list(range(len(cohort.rates)))
    _, jac = cohort.evaluate(everyone, theta_hat, columns)
    if "scale" in cohort.names:
        # the scale column: d(residual)/d(ln scale) = -1 on each counted day
        jac = np.concatenate([jac, -cohort.observed[:, :, None].astype(float)], axis=2)
    order = [cohort.rates.index(name) if name != "scale" else len(cohort.rates) for name in cohort.names]
    jac = jac[:, :, order]
    log_se = _standard_errors(jac, sigma2)
    x_hat = np.column_stack([theta_hat[:, cohort.rates.index(n)] if n != "scale" else log_scale for n in cohort.names])
    low = np.array([cohort.low[cohort.rates.index(n)] if n != "scale" else cohort.scale_bounds[0] for n in cohort.names])
    high = np.array([cohort.high[cohort.rates.index(n)] if n != "scale" else cohort.scale_bounds[1] for n in cohort.names])
    identifiable = _identifiable(cohort.names, x_hat, ends, closed, log_se, low, high, cohort.confidence,
                                 cohort.flat_factor)
    flat = {name: np.nonzero(~identifiable[name])[0] for name in cohort.names}
    if any(indices.size for indices in flat.values()):
        listed = "; ".join(
            f"{name} for patient{'s' if indices.size > 1 else ''} {_index_list(indices)}"
            for name, indices in flat.items() if indices.size
        )
        warnings.warn(
            f"the counts cannot pin down {listed} (see CohortFit.identifiable); " + _FLAT_ADVICE,
            IdentifiabilityWarning,
            stacklevel=3,
        )
    estimates = {"P": np.exp(theta_hat[:, 0])}
    for name in ("r", "q", "scale"):
        if name == "scale" and "scale" in cohort.names:
            estimates[name] = np.exp(log_scale)
        elif name in cohort.rates:
            estimates[name] = np.exp(theta_hat[:, cohort.rates.index(name)])
        else:
            estimates[name] = cohort.fixed[name].copy()
    return CohortFit(
        P=estimates["P"],
        P_interval=np.exp(ends),
        P_interval_closed=closed,
        estimates=MappingProxyType(estimates),
        free=cohort.names,
        log_standard_errors=MappingProxyType({name: log_se[:, i] for i, name in enumerate(cohort.names)}),
        identifiable=MappingProxyType(identifiable),
        noise_sd=np.sqrt(sigma2),
        noise_estimated=cohort.noise_sd is None,
        confidence=cohort.confidence,
        rss=rss,
        rss_cutoff=cutoff,
        n_days=cohort.n_days.copy(),
    )


def _index_list(indices: NDArray[np.int64], shown: int = 50) -> str:
    text = ", ".join(str(int(i)) for i in indices[:shown])
    return text + (f" and {indices.size - shown} more" if indices.size > shown else "")


@dataclass(frozen=True)
class SyntheticCohort:
    """Synthetic patients sharing one CAR T product, counted daily (see :func:`synthetic_cohort`).

    Attributes
    ----------
    P, q, r, scale : numpy.ndarray
        Each patient's true burden, tumour growth rate, CAR T growth rate and
        blood-to-pool proportion, shape ``(m,)``.
    r_product : float
        The product's nominal CAR T growth rate (what a fit assumes).
    B, K, n0 : float
        The product's affinity, capacity scale and dose.
    sample_days : numpy.ndarray
        The days counted, shape ``(d,)``.
    counts : numpy.ndarray
        Noisy counts, shape ``(m, d)``.
    noise_sd : float
        Standard deviation of the log counts.
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
        return int(self.P.size)

    def read(self, sample_days: Sequence[float], free: Sequence[str] = (), noise_sd: float | None = None,
             q_start: float = 1.1, scale_start: float = 1.0) -> CohortFit:
        """Read every patient's burden from the counts on ``sample_days`` with :func:`fit_cohort`.

        The fit knows ``B``, ``K``, ``n0`` and the product's ``r``; the tumour's
        ``q`` and the ``scale`` are the patients' true values unless named in
        ``free``, when they start from ``q_start`` and ``scale_start``.
        """
        wanted = as_real_array("sample_days", sample_days, low=0.0, unit="days")
        columns = np.searchsorted(self.sample_days, wanted)
        if np.any(columns >= self.sample_days.size) or np.any(self.sample_days[np.minimum(columns, self.sample_days.size - 1)] != wanted):
            raise ValueError(f"sample_days must be among the counted days {self.sample_days.tolist()}; got {wanted.tolist()}")
        return fit_cohort(
            wanted, self.counts[:, columns], B=self.B, K=self.K, n0=self.n0, r=self.r_product,
            q=q_start if "q" in free else self.q, scale=scale_start if "scale" in free else self.scale,
            free=free, noise_sd=noise_sd,
        )


    def read_schedules(self, schedules: Sequence[Sequence[float]], noise_sd: float | None = None,
                       factor: float = 2.0) -> list[CohortRecovery]:
        """How well each sampling schedule reads the burdens, with ``r``, ``q`` and ``scale`` known.

        Every (schedule, patient) pair is one entry of a single
        :func:`fit_cohort` call, so comparing many schedules costs one call.
        Returns one :class:`CohortRecovery` per schedule, in order; it counts
        the patients the fit could not pin down (no warning is issued).
        """
        if isinstance(schedules, (str, bytes)) or not isinstance(schedules, Sequence) or not schedules:
            raise TypeError(f"schedules must be a non-empty sequence of day sequences; got {schedules!r}")
        sample_days, counts = [], []
        for schedule in schedules:
            wanted = as_real_array("schedule", schedule, low=0.0, unit="days")
            columns = np.searchsorted(self.sample_days, wanted)
            inside = np.minimum(columns, self.sample_days.size - 1)
            if np.any(columns >= self.sample_days.size) or np.any(self.sample_days[inside] != wanted):
                raise ValueError(f"schedule days must be among the counted days {self.sample_days.tolist()}; got {wanted.tolist()}")
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
        recoveries = []
        for index in range(repeats):
            part = slice(index * self.size, (index + 1) * self.size)
            recoveries.append(_recovery(fit.P[part], fit.P_interval[part], fit.pinned_down[part], self.P, factor))
        return recoveries


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
    """Draw synthetic patients of one product and count their CAR T cells.

    Burdens are log-uniform over ``P_range``, tumour growth rates uniform
    over ``q_range``, blood-to-pool proportions ``10**U(-scale_decades,
    scale_decades)``; counts are :func:`sample_counts` with ``noise_sd``.
    Two departures from what a fit assumes can be switched on: a CAR T growth
    rate that varies between patients, ``r * exp(r_log_sd * z)`` with ``z``
    standard normal (log-normal around the product's ``r``), and another
    ``reading`` of Equation 1 for the counts (see :func:`cartmodel.simulate`).

    Parameters
    ----------
    patients : int
        Cohort size, >= 1.
    rng : numpy.random.Generator
        Source of randomness; the draws are made in the order P, q, scale,
        (r), counts.
    r, B, K, n0 : float
        The product.
    P_range, q_range : tuple of float
        Ranges of the burden (> 0) and of the tumour growth rate (>= 0).
    scale_decades : float
        Half-width, in decades, of the blood-to-pool proportion, >= 0.
    sample_days : array_like
        Days counted.
    noise_sd : float
        Standard deviation of the log counts, >= 0.
    r_log_sd : float
        Between-patient standard deviation of ``ln r``, >= 0.
    reading : str
        Reading of Equation 1 that makes the counts.

    Returns
    -------
    SyntheticCohort
    """
    m = check_positive_int("patients", patients)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
    r_ = as_real_scalar("r", r, low=0.0, low_open=True, unit="per day")
    B_ = as_real_scalar("B", B, low=0.0, low_open=True, unit="dimensionless")
    K_ = as_real_scalar("K", K, low=0.0, low_open=True, unit="model cells")
    n0_ = as_real_scalar("n0", n0, low=0.0, low_open=True, unit="model cells")
    P_low, P_high = _range_pair("P_range", P_range, low=0.0, low_open=True)
    q_low, q_high = _range_pair("q_range", q_range, low=0.0)
    decades = as_real_scalar("scale_decades", scale_decades, low=0.0)
    days_ = _check_sample_days(sample_days, 1.0)
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


def _range_pair(name: str, pair: Any, **limits: Any) -> tuple[float, float]:
    values = as_real_array(name, pair, **limits)
    if values.shape != (2,) or not values[0] < values[1]:
        raise ValueError(f"{name} must be a pair (low, high) with low < high; got {pair!r}")
    return float(values[0]), float(values[1])


def _recovery(P_hat, interval, pinned_down, P_true, factor) -> CohortRecovery:
    truth = as_real_array("P_true", P_true, low=0.0, low_open=True)
    if truth.ndim > 1 or (truth.ndim == 1 and truth.size != P_hat.size):
        raise ValueError(f"P_true must be a scalar or one value per patient ({P_hat.size}); got shape {truth.shape}")
    truth = np.broadcast_to(truth, P_hat.shape)
    band = as_real_scalar("factor", factor, low=1.0, low_open=True)
    return CohortRecovery(
        patients=int(P_hat.size),
        factor=band,
        within=int(np.sum(np.abs(np.log(P_hat / truth)) <= math.log(band))),
        covered=int(np.sum((interval[:, 0] <= truth) & (truth <= interval[:, 1]))),
        warned=int(np.sum(~pinned_down)),
        median_width=float(np.median(interval[:, 1] / interval[:, 0])),
    )
