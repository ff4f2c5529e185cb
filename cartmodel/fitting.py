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
from scipy import optimize, stats

from ._validation import as_real_array, check_choice
from .model import B_PLACEMENTS, READINGS, Expansion, simulate

__all__ = [
    "BurdenFit",
    "FREE_PARAMETERS",
    "IdentifiabilityWarning",
    "fit_burden",
    "log_sensitivities",
    "sample_counts",
]

#: Parameters that :func:`fit_burden` can fit besides ``P`` (which it always fits).
FREE_PARAMETERS: tuple[str, ...] = ("r", "q", "scale")

#: Default search bounds of each fitted parameter (all are fitted on a log scale).
DEFAULT_BOUNDS = MappingProxyType(
    {"P": (1e-2, 1e10), "r": (0.01, 5.0), "q": (1e-3, 5.0), "scale": (1e-12, 1e12)}
)

# Number of log-P grid points of the vectorised profile (when it can be vectorised).
_PROFILE_GRID = 1201
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
    days : numpy.ndarray
        Sampling days.
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
    days: NDArray[np.float64] = field(repr=False)
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
    days: ArrayLike,
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

    ``counts = scale * N(days) * exp(noise_sd * z)`` with ``z`` standard
    normal, independently for each count.  Parameters broadcast as in
    :func:`cartmodel.simulate`, so many synthetic patients are one call.

    Parameters
    ----------
    days : array_like
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
        Counts, shape ``S + (len(days),)`` for parameter shape ``S``.
    """
    days_ = _check_days(days, dt)
    sd = as_real_array("noise_sd", noise_sd, low=0.0)
    if sd.ndim:
        raise TypeError(f"noise_sd must be a scalar; got {noise_sd!r}")
    scale_ = as_real_array("scale", scale, low=0.0, low_open=True)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
    horizon = max(float(days_[-1]), float(dt))
    run = simulate(r=r, q=q, B=B, P=P, K=K, n0=n0, days=horizon, dt=dt, reading=reading, b_placement=b_placement)
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
        "r": _scalar("r", r, low=0.0, low_open=True, unit="per day"),
        "q": _scalar("q", q, low=0.0, low_open=True, unit="per day"),
        "P": _scalar("P", P, low=0.0, low_open=True, unit="cells"),
    }
    names = ("P", "r", "q")
    factors = np.exp(np.vstack([np.eye(3), -np.eye(3)]) * _JAC_STEP)  # rows: +P, +r, +q, -P, -r, -q
    columns = {name: values[name] * factors[:, index] for index, name in enumerate(names)}
    run = simulate(
        r=columns["r"], q=columns["q"], B=B, P=columns["P"], K=K, n0=n0, days=days, dt=dt, reading=reading,
        b_placement=b_placement,
    )
    log_n = np.log(run.car_t)
    elasticities = {name: (log_n[index] - log_n[index + 3]) / (2 * _JAC_STEP) for index, name in enumerate(names)}
    elasticities["scale"] = np.ones_like(run.t)
    return run.t, elasticities


def fit_burden(
    days: ArrayLike,
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
    days : array_like
        Sampling days, 1-D, strictly increasing, >= 0, on the ``dt`` grid.
    counts : array_like
        CAR T counts on those days, finite and > 0 (logs are taken).
    B : float
        Affinity ``1 / IC50`` of the CAR in 1/nM (known).
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
        days=days, counts=counts, B=B, K=K, r=r, q=q, n0=n0, scale=scale, free=free, noise_sd=noise_sd,
        confidence=confidence, bounds=bounds, flat_factor=flat_factor, horizon_days=horizon_days, dt=dt,
        reading=reading, b_placement=b_placement,
    )
    return problem.solve()


# --------------------------------------------------------------------------
# internals


def _scalar(name: str, value: Any, **limits: Any) -> float:
    array = as_real_array(name, value, **limits)
    if array.ndim:
        raise TypeError(f"{name} must be a scalar; got {value!r}")
    return float(array)


def _check_days(days: Any, dt: Any) -> NDArray[np.float64]:
    days_ = as_real_array("days", days, low=0.0, unit="days")
    if days_.ndim != 1 or days_.size == 0:
        raise ValueError(f"days must be a non-empty 1-D sequence of sampling days; got shape {days_.shape}")
    step = np.diff(days_)
    if np.any(step == 0):
        repeated = days_[1:][step == 0][0]
        raise ValueError(f"days must not repeat; day {repeated:g} appears more than once")
    if np.any(step < 0):
        first = int(np.argmax(step < 0))
        raise ValueError(
            f"days must be in increasing order; got day {days_[first + 1]:g} after day {days_[first]:g}"
        )
    dt_ = _scalar("dt", dt, low=0.0, low_open=True, unit="days")
    on_grid = np.abs(days_ / dt_ - np.rint(days_ / dt_)) <= 1e-9 * np.maximum(1.0, days_ / dt_)
    if not np.all(on_grid):
        off = days_[~on_grid][0]
        raise ValueError(f"days must be whole multiples of dt={dt_:g}; got day {off:g}")
    return days_


def _check_counts(counts: Any, days: NDArray[np.float64]) -> NDArray[np.float64]:
    try:
        counts_ = as_real_array("counts", counts, low=0.0, low_open=True, unit="cells")
    except ValueError as error:
        raw = np.asarray(counts, dtype=np.float64)
        if raw.shape == days.shape:
            index = int(np.argmax(~(np.isfinite(raw) & (raw > 0))))
            raise ValueError(
                f"{error} (counts[{index}], day {days[index]:g}); the fit takes logarithms of the counts, so "
                "each must be finite and > 0: drop or impute counts below the detection limit"
            ) from None
        raise
    if counts_.shape != days.shape:
        raise ValueError(
            f"counts must have one value per sampling day; got {counts_.size} counts for {days.size} days"
        )
    return counts_


@dataclass
class _Problem:
    """A checked fitting problem; every coordinate is a natural log."""

    days: NDArray[np.float64]
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
    reading: str
    b_placement: str

    @classmethod
    def build(cls, *, days, counts, B, K, r, q, n0, scale, free, noise_sd, confidence, bounds, flat_factor,
              horizon_days, dt, reading, b_placement) -> _Problem:
        days_ = _check_days(days, dt)
        counts_ = _check_counts(counts, days_)
        fixed = {
            "B": _scalar("B", B, low=0.0, low_open=True, unit="1/nM"),
            "K": _scalar("K", K, low=0.0, low_open=True, unit="cells"),
            "r": _scalar("r", r, low=0.0, low_open=True, unit="per day"),
            "q": _scalar("q", q, low=0.0, unit="per day"),
            "n0": _scalar("n0", n0, low=0.0, low_open=True, unit="cells"),
            "scale": _scalar("scale", scale, low=0.0, low_open=True),
        }
        if isinstance(free, str) or not isinstance(free, Sequence):
            raise TypeError(f"free must be a sequence of parameter names from {FREE_PARAMETERS}; got {free!r}")
        free_ = tuple(check_choice("free", name, FREE_PARAMETERS) for name in free)
        if len(set(free_)) != len(free_):
            raise ValueError(f"free must not name a parameter twice; got {tuple(free)!r}")
        names = ("P",) + tuple(name for name in FREE_PARAMETERS if name in free_)
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
        low = np.log([limits[name][0] for name in names])
        high = np.log([limits[name][1] for name in names])
        sd = None if noise_sd is None else _scalar("noise_sd", noise_sd, low=0.0, low_open=True)
        needed = len(names) + (1 if sd is None else 0)
        if days_.size < needed:
            reason = " and estimate the noise (or pass noise_sd)" if sd is None else ""
            raise ValueError(
                f"need at least {needed} sampling days to fit {', '.join(names)}{reason}; got {days_.size}"
            )
        level = _scalar("confidence", confidence, low=0.0, high=1.0, low_open=True, high_open=True)
        flat = _scalar("flat_factor", flat_factor, low=1.0, low_open=True)
        dt_ = _scalar("dt", dt, low=0.0, low_open=True, unit="days")
        last = float(days_[-1])
        if horizon_days is None:
            horizon = max(last, dt_)
        else:
            horizon = _scalar("horizon_days", horizon_days, low=0.0, low_open=True, unit="days")
            if last > horizon:
                raise ValueError(
                    f"sampling day {last:g} is beyond the horizon of {horizon:g} days; raise horizon_days"
                )
        return cls(
            days=days_, counts=counts_, fixed=fixed, names=names, low=low, high=high, noise_sd=sd,
            confidence=level, flat_factor=flat, horizon=horizon, dt=dt_,
            reading=check_choice("reading", reading, READINGS),
            b_placement=check_choice("b_placement", b_placement, B_PLACEMENTS),
        )

    # ---- the model on the sampling days, vectorised over parameter sets

    @property
    def log_counts(self) -> NDArray[np.float64]:
        return np.log(self.counts)

    def _values(self, theta: NDArray[np.float64]) -> dict[str, NDArray[np.float64]]:
        """Parameter values for coordinate rows ``theta`` (shape ``(m, p)``)."""
        values = {name: np.full(theta.shape[0], self.fixed[name]) for name in ("r", "q", "scale")}
        for column, name in enumerate(self.names):
            values[name] = np.exp(theta[:, column])
        return values

    def run(self, theta: NDArray[np.float64], days: float | None = None) -> Expansion:
        values = self._values(theta)
        return simulate(
            r=values["r"], q=values["q"], B=self.fixed["B"], P=values["P"], K=self.fixed["K"], n0=self.fixed["n0"],
            days=self.horizon if days is None else days, dt=self.dt, reading=self.reading,
            b_placement=self.b_placement,
        )

    def log_model(self, theta: NDArray[np.float64]) -> NDArray[np.float64]:
        """``ln(scale * N(days))`` for each row of ``theta``: shape ``(m, n)``."""
        theta = np.atleast_2d(theta)
        steps = np.rint(self.days / self.dt).astype(int)
        last_day = max(float(self.days[-1]), self.dt)
        car_t = self.run(theta, days=last_day).car_t[:, steps]
        return np.log(self._values(theta)["scale"])[:, None] + np.log(car_t)

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

    # ---- fitting

    def least_squares(self, x0: NDArray[np.float64], fixed_index: int | None = None,
                      fixed_value: float = 0.0) -> tuple[NDArray[np.float64], float]:
        """Minimise the RSS over all coordinates, or all but ``fixed_index``."""
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

        start = np.clip(x0[free_index], self.low[free_index], self.high[free_index])
        # least_squares asks for the Jacobian at the point whose residuals it has
        # just computed: one simulate call serves both.
        cache: dict[bytes, NDArray[np.float64]] = {}

        def residuals(y: NDArray[np.float64]) -> NDArray[np.float64]:
            res, jac = self.evaluate(full(y))
            cache.clear()
            cache[y.tobytes()] = jac[:, free_index]
            return res

        def jacobian(y: NDArray[np.float64]) -> NDArray[np.float64]:
            hit = cache.get(y.tobytes())
            return hit if hit is not None else self.jacobian(full(y))[:, free_index]

        tol = 1e-12 if fixed_index is None else 1e-8
        solution = optimize.least_squares(
            residuals,
            start,
            jac=jacobian,
            bounds=(self.low[free_index], self.high[free_index]),
            method="trf",
            ftol=tol,
            xtol=tol,
            gtol=tol,
            max_nfev=500,
        )
        x = full(solution.x)
        return x, float(np.sum(self.residuals(x) ** 2))

    def scale_only_nuisance(self) -> bool:
        return set(self.names) <= {"P", "scale"}

    def grid_profile(self, x_ref: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """Profile RSS over a log-P grid in one vectorised simulate call.

        Only for fits whose other free parameter is at most ``scale``, which
        is profiled out exactly: its best log is the mean log residual, held
        within its bounds.
        """
        return self.profile_values(np.linspace(self.low[0], self.high[0], _PROFILE_GRID), x_ref)

    def profile_values(self, grid: NDArray[np.float64], x_ref: NDArray[np.float64]):
        """Profile RSS at each ``ln P`` of ``grid`` (P alone, or P and scale), one simulate call."""
        theta = np.tile(x_ref, (grid.size, 1))
        theta[:, 0] = grid
        if "scale" in self.names:
            theta[:, 1] = 0.0  # ln scale = 0: model cells; the best scale is added below
        log_n = self.log_model(theta)
        gap = self.log_counts - log_n
        if "scale" in self.names:
            theta[:, 1] = np.clip(gap.mean(axis=1), self.low[1], self.high[1])
            gap = gap - theta[:, 1][:, None]
        return grid, np.sum(gap**2, axis=1), theta

    def profile_at(self, log_p: float, x_ref: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        """Profile RSS at one ``ln P`` (other free parameters re-fitted from ``x_ref``)."""
        x = x_ref.copy()
        x[0] = log_p
        if len(self.names) == 1:
            return float(np.sum(self.residuals(x) ** 2)), x
        if self.scale_only_nuisance():
            gap = self.log_counts - self.log_model(np.array([[log_p, 0.0]]))[0]
            x[1] = float(np.clip(gap.mean(), self.low[1], self.high[1]))
            return float(np.sum((gap - x[1]) ** 2)), x
        x, rss = self.least_squares(x, fixed_index=0, fixed_value=log_p)
        return rss, x

    def solve(self) -> BurdenFit:
        p = len(self.names)
        n = self.days.size
        x_start = np.log([self.fixed[name] if name != "P" else 1.0 for name in self.names])
        x_start = np.clip(x_start, self.low, self.high)
        # A vectorised scan over log P (other parameters at their start) finds the basin.
        if self.scale_only_nuisance():
            grid, grid_rss, grid_theta = self.grid_profile(x_start)
            x_start = grid_theta[int(np.argmin(grid_rss))].copy()
        else:
            grid = np.linspace(self.low[0], self.high[0], 241)
            theta = np.tile(x_start, (grid.size, 1))
            theta[:, 0] = grid
            scan = np.sum((self.log_counts - self.log_model(theta)) ** 2, axis=1)
            x_start[0] = grid[int(np.argmin(scan))]
        x_hat, rss = self.least_squares(x_start)
        if self.scale_only_nuisance() and grid_rss.min() < rss - 1e-9 * rss:
            # the grid holds a deeper basin than least_squares reached: restart there
            x_hat, rss = self.least_squares(grid_theta[int(np.argmin(grid_rss))].copy())

        if self.noise_sd is None:
            dof = n - p
            sigma2 = rss / dof
            critical = float(stats.f.ppf(self.confidence, 1, dof))
        else:
            sigma2 = self.noise_sd**2
            critical = float(stats.chi2.ppf(self.confidence, 1))
        cutoff = rss + critical * sigma2

        # profile of P
        if self.scale_only_nuisance():
            profile_grid, profile_rss = grid, grid_rss
            ends, closed = self._interval_from_grid(x_hat, cutoff, grid, grid_rss, grid_theta)
        else:
            profile_grid, profile_rss, ends, closed = self._walk_profile(x_hat, rss, cutoff)

        # Curvature-based standard errors of the log parameters.
        jac = self.jacobian(x_hat)
        log_se = self._standard_errors(jac, sigma2)
        z = float(stats.norm.ppf(0.5 + self.confidence / 2))
        reach = math.log(self.flat_factor)
        identifiable = {}
        for index, name in enumerate(self.names):
            if name == "P":
                lo, hi = ends
                identifiable[name] = bool(
                    all(closed) and x_hat[0] - lo <= reach and hi - x_hat[0] <= reach
                )
            else:
                wald_low = x_hat[index] - z * log_se[index]
                wald_high = x_hat[index] + z * log_se[index]
                identifiable[name] = bool(
                    z * log_se[index] <= reach and wald_low > self.low[index] and wald_high < self.high[index]
                )
        flat = [name for name in self.names if not identifiable[name]]
        if flat:
            warnings.warn(
                "the counts cannot pin down "
                + ", ".join(flat)
                + f" (the {self.confidence:.0%} interval reaches a search bound or spans more than a factor "
                f"{self.flat_factor:g} either side); sample other days (expansion for r, peak and contraction "
                "for P and q, plateau for scale) or fix these parameters",
                IdentifiabilityWarning,
                stacklevel=3,
            )

        values = self._values(x_hat[None, :])
        estimates = {name: float(values[name][0]) for name in ("r", "q", "scale")}
        estimates = {"P": float(values["P"][0]), **estimates}
        return BurdenFit(
            P=estimates["P"],
            P_interval=(float(np.exp(ends[0])), float(np.exp(ends[1]))),
            P_interval_closed=closed,
            estimates=MappingProxyType(estimates),
            free=self.names,
            log_standard_errors=MappingProxyType({name: float(log_se[i]) for i, name in enumerate(self.names)}),
            identifiable=MappingProxyType(identifiable),
            noise_sd=float(math.sqrt(sigma2)),
            noise_estimated=self.noise_sd is None,
            confidence=self.confidence,
            interval_method="profile likelihood"
            + (" (F cut-off, noise estimated)" if self.noise_sd is None else " (chi-squared cut-off, noise known)"),
            days=self.days.copy(),
            counts=self.counts.copy(),
            residuals=self.residuals(x_hat),
            rss=rss,
            profile_P=np.exp(profile_grid),
            profile_rss=profile_rss,
            rss_cutoff=float(cutoff),
            fitted=simulate(
                r=estimates["r"], q=estimates["q"], B=self.fixed["B"], P=estimates["P"], K=self.fixed["K"],
                n0=self.fixed["n0"], days=self.horizon, dt=self.dt, reading=self.reading,
                b_placement=self.b_placement,
            ),
        )

    def _refine(self, log_inside: float, log_outside: float, cutoff: float, x_ref: NDArray[np.float64]) -> float:
        """The ``ln P`` between a point inside and one outside where the profile meets the cut-off."""
        anchor = {"x": x_ref}

        def excess(log_p: float) -> float:
            rss, x = self.profile_at(log_p, anchor["x"])
            anchor["x"] = x
            return rss - cutoff

        return float(optimize.brentq(excess, log_inside, log_outside, xtol=1e-5, rtol=1e-10))

    def _interval_from_grid(self, x_hat, cutoff, grid, grid_rss, grid_theta):
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
        fine_rss = self.profile_values(fine, x_hat)[1] if fine.size else fine
        ends, closed = [], []
        for side in (-1, 1):
            if side not in brackets:
                ends.append(float(self.low[0] if side < 0 else self.high[0]))
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

    def _walk_profile(self, x_hat, rss, cutoff):
        """Walk outwards from the estimate in ln P, re-fitting the others at each step."""
        points = {float(x_hat[0]): rss}
        ends, closed = [], []
        target = cutoff - rss
        for side in (-1, 1):
            x_prev = x_hat.copy()
            log_prev, rss_prev = float(x_hat[0]), rss
            step = 0.2
            bound = float(self.low[0] if side < 0 else self.high[0])
            end, is_closed = bound, False
            while (bound - log_prev) * side > 1e-12:
                log_next = log_prev + side * step
                if (log_next - bound) * side > 0:
                    log_next = bound
                rss_next, x_next = self.profile_at(log_next, x_prev)
                points[log_next] = rss_next
                if rss_next > cutoff:
                    end = self._refine(log_prev, log_next, cutoff, x_prev)
                    is_closed = True
                    break
                if rss_next - rss_prev < 0.25 * target:
                    step = min(step * 2.0, 2.0)
                log_prev, rss_prev, x_prev = log_next, rss_next, x_next
            ends.append(end)
            closed.append(is_closed)
        grid = np.array(sorted(points))
        return grid, np.array([points[g] for g in grid]), (ends[0], ends[1]), (closed[0], closed[1])

    def _standard_errors(self, jac: NDArray[np.float64], sigma2: float) -> NDArray[np.float64]:
        p = jac.shape[1]
        _, singular, vt = np.linalg.svd(jac, full_matrices=False)
        if singular.size < p or singular[0] == 0.0:
            return np.full(p, np.inf)
        blind = singular < _RCOND * singular[0]
        weights = np.where(blind, 0.0, 1.0 / np.where(blind, 1.0, singular) ** 2)
        variance = (vt.T**2) @ weights * sigma2
        se = np.sqrt(variance)
        # a parameter with a visible share in an unseen direction is not determined at all
        if np.any(blind):
            seen = np.abs(vt[blind]).max(axis=0) > 1e-3
            se = np.where(seen, np.inf, se)
        return se
