"""Profile-likelihood intervals for ``P``, every patient and both sides at once.

The profile of ``P`` is walked outwards from each estimate in ``ln P`` (the
other free parameters re-fitted at each step) until it crosses the cut-off
``RSS_min + c sigma^2``; the crossing is then refined by regula falsi.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ._problem import Problem
from ._solver import profile_at

# Start of the outward walk, its largest step (both in ln P), and the share of the
# cut-off margin below which a step counts as flat and the next one doubles.
WALK_FIRST_STEP = 0.2
WALK_LARGEST_STEP = 2.0
WALK_FLAT_SHARE = 0.25
# Width (in ln P) at which the regula falsi stops, and the excess over the cut-off
# (relative to it) that counts as on it.
ROOT_XTOL = 1e-8
ROOT_FTOL = 1e-12


@dataclass(frozen=True)
class ProfileInterval:
    """Both ends (``ln P``) of every patient's interval, whether each was found, and the walk's points."""

    ends: NDArray[np.float64]  # (m, 2)
    closed: NDArray[np.bool_]  # (m, 2)
    walked_log_p: NDArray[np.float64]  # the points the walk visited (all patients'; _fit reads one patient's)
    walked_rss: NDArray[np.float64]


def profile_interval(problem: Problem, theta_hat: NDArray[np.float64], rss: NDArray[np.float64],
                     cutoff: NDArray[np.float64]) -> ProfileInterval:
    """Walk each patient's profile down and up from ``theta_hat`` to its ``cutoff``, then refine the crossings."""
    m = problem.size
    who = np.concatenate([np.arange(m), np.arange(m)])
    side = np.repeat([-1.0, 1.0], m)
    bound = np.where(side < 0, problem.low[0], problem.high[0])
    level = cutoff[who]
    margin = level - rss[who]
    log_prev, rss_prev, theta_prev = theta_hat[who, 0].copy(), rss[who].copy(), theta_hat[who].copy()
    step = np.full(2 * m, WALK_FIRST_STEP)
    ends, closed = bound.copy(), np.zeros(2 * m, dtype=bool)
    outside = np.empty(2 * m)
    walked: list[tuple[NDArray[np.float64], NDArray[np.float64]]] = []
    walking = (bound - log_prev) * side > 1e-12
    while np.any(walking):
        a = np.nonzero(walking)[0]
        log_next = log_prev[a] + side[a] * step[a]
        log_next = np.where((log_next - bound[a]) * side[a] > 0, bound[a], log_next)
        theta_next, rss_next = profile_at(problem, who[a], log_next, theta_prev[a])
        walked.append((log_next, rss_next))
        crossed = rss_next > level[a]
        closed[a[crossed]] = True
        outside[a[crossed]] = log_next[crossed]
        stay = a[~crossed]
        flat = rss_next[~crossed] - rss_prev[stay] < WALK_FLAT_SHARE * margin[stay]
        step[stay[flat]] = np.minimum(step[stay[flat]] * 2.0, WALK_LARGEST_STEP)
        log_prev[stay], rss_prev[stay], theta_prev[stay] = log_next[~crossed], rss_next[~crossed], theta_next[~crossed]
        walking[a[crossed]] = False
        walking[stay] = (bound[stay] - log_prev[stay]) * side[stay] > 1e-12
    found = np.nonzero(closed)[0]
    if found.size:
        ends[found] = _refine(problem, who[found], log_prev[found], outside[found], rss_prev[found] - level[found],
                              level[found], theta_prev[found])
    walked_log_p, walked_rss = (np.concatenate([point[k] for point in walked] or [np.empty(0)]) for k in (0, 1))
    return ProfileInterval(ends=np.column_stack([ends[:m], ends[m:]]), closed=np.column_stack([closed[:m], closed[m:]]),
                           walked_log_p=walked_log_p, walked_rss=walked_rss)


def _refine(problem: Problem, who, inside, outside, f_inside, level, theta_ref) -> NDArray[np.float64]:
    """Where each profile meets its cut-off between ``inside`` and ``outside`` (Illinois regula falsi)."""
    a, b = inside.copy(), outside.copy()
    fa = f_inside.copy()
    _, rss_b = profile_at(problem, who, b, theta_ref)
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
        theta_c, rss_c = profile_at(problem, who[g], c, anchor[g])
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
        going[g] = (np.abs(b[g] - a[g]) > ROOT_XTOL) & (np.abs(fc) > ROOT_FTOL * level[g])
    return root
