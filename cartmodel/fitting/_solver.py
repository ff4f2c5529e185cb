"""The least-squares solver: a coarse scan for each patient's basin, then Levenberg-Marquardt.

Both work on every row of a :class:`Problem` at once: one
:func:`cartmodel.simulate` call per iteration evaluates the model and its
finite-difference Jacobian for all rows that are still moving.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ._problem import Problem

# Points of the coarse log-P scan that finds each patient's basin (a spacing of 0.46 in
# ln P; the sum of squares varies slowly in ln P, whose elasticity is <= 1).
SCAN_POINTS = 61
# Stopping rules of the Levenberg-Marquardt iteration: a step shorter than xtol (in
# logs) or a relative fall in RSS below ftol ends it; re-fits along the profile need less.
LM_XTOL = 1e-11
LM_FTOL = 1e-15
LM_PROFILE_XTOL = 1e-9
LM_PROFILE_FTOL = 1e-12
LM_MAX_ITER = 200


def starting_points(problem: Problem) -> NDArray[np.float64]:
    """Each patient's best point of a coarse log-P scan, the rates at their starting values.

    Patients with the same parameters (the same patient under several
    schedules, say) share one model run on the scan's grid.
    """
    m = problem.size
    start = np.log(np.column_stack([np.ones(m)] + [problem.fixed[name] for name in problem.rates[1:]]))
    start = np.clip(start, problem.low, problem.high)
    grid = np.linspace(problem.low[0], problem.high[0], SCAN_POINTS)
    keys = np.column_stack([problem.fixed[name] for name in ("r", "q", "B", "K", "n0")] + [start[:, 1:]])
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    theta = np.repeat(start[first], grid.size, axis=0)
    theta[:, 0] = np.tile(grid, first.size)
    log_n = problem.log_model(np.repeat(first, grid.size), theta).reshape(first.size, grid.size, -1)
    best = np.empty(m)
    for chunk in np.array_split(np.arange(m), max(1, m * grid.size * problem.sample_days.size // 2_000_000)):
        seen = problem.observed[chunk][:, None, :]
        gap = np.where(seen, problem.log_counts[chunk][:, None, :] - log_n[inverse[chunk]], 0.0)
        log_scale = problem.log_scale(gap, chunk[:, None])
        rss = np.sum(np.where(seen, gap - log_scale[..., None], 0.0) ** 2, axis=2)
        best[chunk] = grid[np.argmin(rss, axis=1)]
    start[:, 0] = best
    return start


def levenberg_marquardt(problem: Problem, who: NDArray[np.int64], theta: NDArray[np.float64], columns: list[int],
                        xtol: float = LM_XTOL, ftol: float = LM_FTOL) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Minimise each row's RSS over the coordinates in ``columns`` (the others held), within bounds."""
    theta = theta.copy()
    if not columns:
        res, _ = problem.residuals(who, theta)
        return theta, np.sum(res**2, axis=1)
    cols = np.asarray(columns)
    low, high = problem.low[cols], problem.high[cols]
    theta[:, cols] = np.clip(theta[:, cols], low, high)
    res, jac = problem.evaluate(who, theta, columns)
    rss = np.sum(res**2, axis=1)
    damping = np.full(len(who), 1e-3)
    growth = np.full(len(who), 2.0)
    going = np.ones(len(who), dtype=bool)
    for _ in range(LM_MAX_ITER):
        a = np.nonzero(going)[0]
        if a.size == 0:
            break
        step, grad, hess = _damped_step(jac[a], res[a], theta[a][:, cols], low, high, damping[a])
        x = theta[a][:, cols]
        x_new = np.clip(x + step, low, high)
        step = x_new - x
        trial = theta[a].copy()
        trial[:, cols] = x_new
        res_new, jac_new = problem.evaluate(who[a], trial, columns)
        rss_new = np.sum(res_new**2, axis=1)
        # Nielsen's damping rule: the ratio of the actual to the predicted fall of the RSS
        predicted = -(2 * np.einsum("nk,nk->n", step, grad) + np.einsum("nk,nkl,nl->n", step, hess, step))
        gain = (rss[a] - rss_new) / np.where(predicted > 0, predicted, np.inf)
        better = rss_new < rss[a]
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
        done = (np.max(np.abs(step), axis=1) < xtol) | small_gain | stalled | (rss[a] == 0.0)
        going[a[done]] = False
    return theta, rss


def _damped_step(jac, res, x, low, high, damping):
    """The damped Gauss-Newton step of each row, its gradient and Gauss-Newton Hessian."""
    grad = np.einsum("nuk,nu->nk", jac, res)
    hess = np.einsum("nuk,nul->nkl", jac, jac)
    eye = np.eye(x.shape[1])
    # a coordinate on a bound that the descent direction pushes outwards stays there
    held = ((x <= low) & (grad > 0)) | ((x >= high) & (grad < 0))
    diag = np.maximum(np.einsum("nkk->nk", hess), 1e-12)
    system = hess + damping[:, None, None] * diag[:, :, None] * eye
    system = np.where(held[:, :, None] | held[:, None, :], 0.0, system) + held[:, :, None] * eye
    rhs = np.where(held, 0.0, -grad)
    return np.linalg.solve(system, rhs[..., None])[..., 0], grad, hess


def profile_at(problem: Problem, who: NDArray[np.int64], log_p: NDArray[np.float64],
               theta_ref: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Profile RSS at ``ln P = log_p`` per row, the rates re-fitted from ``theta_ref``."""
    theta = theta_ref.copy()
    theta[:, 0] = log_p
    return levenberg_marquardt(problem, who, theta, list(range(1, len(problem.rates))), xtol=LM_PROFILE_XTOL,
                               ftol=LM_PROFILE_FTOL)
