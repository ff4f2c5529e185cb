"""A fitting problem: the patients' log counts and Equation 1 on their sampling days.

Coordinates ``theta`` are the natural logs of ``P`` and the free rates; a free
``scale`` is profiled out in closed form (:meth:`Problem.log_scale`).  Methods
take ``who``, the patient of each row, so that any mix of patients and parameter
sets is one broadcast call of Equation 1's engine (the solver keeps the rates in bounds).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..engine import capacity_from_tumour, check_capacity_range, iterate, time_grid, tumour_term
from ._checks import Settings

# Relative step (in log parameters) of the central-difference Jacobian.
JAC_STEP = 1e-5


@dataclass(frozen=True)
class Problem:
    """Checked log counts of ``m`` patients on the union of their sampling days."""

    sample_days: NDArray[np.float64]  # union of the sampling days, increasing
    steps: NDArray[np.int64]
    observed: NDArray[np.bool_]  # (m, U)
    log_counts: NDArray[np.float64]  # (m, U), 0 where not observed
    n_days: NDArray[np.int64]
    fixed: dict[str, NDArray[np.float64]]  # B, K, n0, and r, q, scale (fixed values or starts), each (m,)
    settings: Settings

    @classmethod
    def build(cls, series_days: list[NDArray[np.float64]], series_counts: list[NDArray[np.float64]],
              fixed: dict[str, NDArray[np.float64]], settings: Settings) -> Problem:
        union = np.unique(np.concatenate(series_days))
        m = len(series_days)
        observed = np.zeros((m, union.size), dtype=bool)
        log_counts = np.zeros((m, union.size))
        for index, (patient_days, patient_counts) in enumerate(zip(series_days, series_counts, strict=True)):
            columns = np.searchsorted(union, patient_days)
            observed[index, columns] = True
            log_counts[index, columns] = np.log(patient_counts)
        return cls(sample_days=union, steps=np.rint(union / settings.dt).astype(np.int64), observed=observed,
                   log_counts=log_counts, n_days=observed.sum(axis=1), fixed=fixed, settings=settings)

    @property
    def size(self) -> int:
        return int(self.observed.shape[0])

    @property
    def rates(self) -> tuple[str, ...]:
        return self.settings.rates

    @property
    def low(self) -> NDArray[np.float64]:
        """Lower bounds of the iterated coordinates (logs)."""
        return np.array([self.settings.log_bounds[name][0] for name in self.rates])

    @property
    def high(self) -> NDArray[np.float64]:
        return np.array([self.settings.log_bounds[name][1] for name in self.rates])

    def log_model(self, who: NDArray[np.int64], theta: NDArray[np.float64]) -> NDArray[np.float64]:
        """``ln N`` on the union of the sampling days for rows ``theta`` of patients ``who``: shape ``(rows, U)``."""
        # P and the free rates from theta, the other rates as given
        values = {name: self.fixed[name][who] for name in ("r", "q")} | {name: np.exp(theta[:, i]) for i, name in enumerate(self.rates)}
        r, q, P = values["r"], values["q"], values["P"]
        B, K, n0 = self.fixed["B"][who], self.fixed["K"][who], self.fixed["n0"][who]
        placement = self.settings.b_placement
        t, _ = time_grid(max(float(self.sample_days[-1]), self.settings.dt), self.settings.dt)
        check_capacity_range(r, q, B, P, K, float(t[-1]), placement)
        cap = capacity_from_tumour(tumour_term(t, r, q, P), B, K, placement)
        return np.log(iterate(cap, r, n0, t, self.settings.reading, {})[:, self.steps])

    def residuals(self, who: NDArray[np.int64],
                  theta: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Residuals (0 on days a patient was not counted) and the ``ln scale`` they use."""
        seen = self.observed[who]
        gap = np.where(seen, self.log_counts[who] - self.log_model(who, theta), 0.0)
        log_scale = self.log_scale(gap, who)
        return np.where(seen, gap - log_scale[:, None], 0.0), log_scale

    def log_scale(self, gap: NDArray[np.float64], who: NDArray[np.int64]) -> NDArray[np.float64]:
        """``ln scale`` for log residuals ``gap`` (last axis: days): fixed, or the mean residual within its bounds."""
        if "scale" in self.settings.names:
            return np.clip(gap.sum(axis=-1) / self.n_days[who], *self.settings.log_bounds["scale"])
        return np.log(self.fixed["scale"][who])

    def evaluate(self, who: NDArray[np.int64], theta: NDArray[np.float64],
                 columns: list[int]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Residuals and their central-difference Jacobian in ``columns``, from one simulate call."""
        rows, k = theta.shape
        c = len(columns)
        offsets = np.zeros((1 + 2 * c, k))
        for j, column in enumerate(columns):
            offsets[1 + j, column] = JAC_STEP
            offsets[1 + c + j, column] = -JAC_STEP
        stacked = (theta[:, None, :] + offsets[None, :, :]).reshape(-1, k)
        res, _ = self.residuals(np.repeat(who, 1 + 2 * c), stacked)
        res = res.reshape(rows, 1 + 2 * c, -1)
        jac = (res[:, 1 : 1 + c] - res[:, 1 + c :]).transpose(0, 2, 1) / (2 * JAC_STEP)
        return res[:, 0], jac

    def full_jacobian(self, theta: NDArray[np.float64]) -> NDArray[np.float64]:
        """Every patient's Jacobian in all fitted coordinates, in the order of ``settings.names``."""
        _, jac = self.evaluate(np.arange(self.size), theta, list(range(len(self.rates))))
        if "scale" in self.settings.names:
            # the scale column: d(residual)/d(ln scale) = -1 on each counted day
            jac = np.concatenate([jac, -self.observed[:, :, None].astype(float)], axis=2)
        order = [self.rates.index(name) if name != "scale" else len(self.rates) for name in self.settings.names]
        return jac[:, :, order]
