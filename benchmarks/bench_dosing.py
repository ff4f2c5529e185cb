"""Benchmark of the dosing tools: the vectorised nomogram, the widgets, the browser explorer.

Run from the repository root:

    .venv/bin/python benchmarks/bench_dosing.py

It prints, measured in this one run on this machine:

1. a 200 x 200 dose x burden nomogram over 60 days: ``cartmodel.dose_response``
   (one vectorised call) against a per-point Python loop (pure-Python scalar
   arithmetic, and ``cartmodel.simulate`` called once per point) and against
   ``scipy.integrate.solve_ivp`` per point (the continuous logistic ODE with the
   moving capacity; timed on a random sample of points and scaled to the grid,
   ``--ivp-points`` sets the sample size, 0 runs all 40,000);
2. the median update time of the ipywidgets explorers (slider change:
   recompute, update the artists, redraw, PNG);
3. the median update time of the in-browser explorer in Debian's Chromium
   (input event to updated DOM, with layout forced).

Aims: vectorised >= 100x the loop and >= 1000x solve_ivp, and under
20 ms; widget update under 50 ms; browser update under 16 ms (one frame).
Nothing is asserted: the numbers are printed.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
import timeit
from pathlib import Path

import numpy as np
from scipy.integrate import solve_ivp

import cartmodel as cm
from cartmodel.paper import FIGURE_1

REPO = Path(__file__).resolve().parents[1]
R, Q, B, K = FIGURE_1["r"], FIGURE_1["q"], FIGURE_1["B"], FIGURE_1["K"]
DAYS = 60
DOSES = np.logspace(-3, 6, 200)
BURDENS = np.logspace(0, 8, 200)


def best_of(repeats: int, call) -> float:
    """The shortest of ``repeats`` timed calls, in seconds."""
    return min(timeit.repeat(call, number=1, repeat=repeats))


def vectorised() -> np.ndarray:
    return cm.dose_response(n0=DOSES[:, None], P=BURDENS, r=R, q=Q, B=B, K=K, days=DAYS).peak


def python_loop() -> np.ndarray:
    """Equation 1 point by point, day by day, in plain Python floats."""
    peaks = np.empty((DOSES.size, BURDENS.size))
    keep, grow = math.exp(-R), -math.expm1(-R)
    for i, dose in enumerate(DOSES):
        for j, burden in enumerate(BURDENS):
            n = peak = float(dose)
            for t in range(1, DAYS + 1):
                cap = K * B * (burden * math.exp((Q - R) * t) + 1.0)
                n = 1.0 / (keep / n + grow / cap)
                peak = max(peak, n)
            peaks[i, j] = peak
    return peaks


def simulate_loop() -> np.ndarray:
    peaks = np.empty((DOSES.size, BURDENS.size))
    for i, dose in enumerate(DOSES):
        for j, burden in enumerate(BURDENS):
            peaks[i, j] = float(cm.simulate(r=R, q=Q, B=B, P=burden, K=K, n0=dose, days=DAYS).peak)
    return peaks


def ivp_point(dose: float, burden: float) -> float:
    def rhs(t, n):
        cap = K * B * (burden * math.exp((Q - R) * t) + 1.0)
        return R * n * (1.0 - n / cap)

    solution = solve_ivp(rhs, (0.0, DAYS), [dose], t_eval=np.arange(DAYS + 1.0), rtol=1e-6, atol=1e-9)
    return float(solution.y[0].max())


def bench_grid(ivp_points: int) -> None:
    print("1. Nomogram: 200 doses x 200 burdens over 60 days (40,000 parameter sets)")
    vectorised()  # warm up
    t_vec = best_of(7, vectorised)
    start = time.perf_counter()
    looped = python_loop()
    t_loop = time.perf_counter() - start
    t_sim = best_of(1, simulate_loop)
    agree = float(np.max(np.abs(looped / vectorised() - 1)))
    rng = np.random.default_rng(0)
    total = DOSES.size * BURDENS.size
    count = total if ivp_points <= 0 or ivp_points >= total else ivp_points
    points = [(i, j) for i in range(DOSES.size) for j in range(BURDENS.size)]
    sample = points if count == total else [points[k] for k in rng.choice(total, count, replace=False)]
    start = time.perf_counter()
    for i, j in sample:
        ivp_point(float(DOSES[i]), float(BURDENS[j]))
    t_ivp = (time.perf_counter() - start) / count * total
    print(f"   vectorised cartmodel.dose_response (best of 7): {t_vec * 1e3:8.2f} ms   (aim < 20 ms)")
    print(f"   per-point pure-Python loop:                     {t_loop * 1e3:8.0f} ms   -> {t_loop / t_vec:7.0f}x slower")
    print(f"   per-point loop of cartmodel.simulate:           {t_sim * 1e3:8.0f} ms   -> {t_sim / t_vec:7.0f}x slower")
    note = "" if count == total else f" (timed on {count} random points, scaled to 40,000)"
    print(f"   per-point scipy solve_ivp (RK45, rtol 1e-6):    {t_ivp * 1e3:8.0f} ms   -> {t_ivp / t_vec:7.0f}x slower{note}")
    print(f"   largest relative difference, loop vs vectorised: {agree:.1e}")


def bench_widgets(updates: int) -> None:
    from cartmodel.widgets import DosingExplorer, NomogramExplorer, ScheduleExplorer

    print(f"2. ipywidgets explorers: median of {updates} slider changes (recompute + artists + redraw + PNG)")
    cases = [
        (DosingExplorer, "P", [1e3, 1.3e3, 1.7e3, 2.2e3]),
        (ScheduleExplorer, "total_n0", [1e5, 2e5, 5e4, 3e4]),
        (NomogramExplorer, "ic50", [1.6, 2.0, 3.0, 5.0]),
    ]
    for cls, name, values in cases:
        explorer = cls()
        times = []
        for k in range(updates):
            start = time.perf_counter()
            explorer.controls[name].value = values[k % len(values)]
            times.append(time.perf_counter() - start)
        explorer.close()
        aim = "   (aim < 50 ms)" if cls is DosingExplorer else ""
        print(f"   {cls.__name__:<18} moving {name!r:<12}: median {statistics.median(times) * 1e3:6.1f} ms, "
              f"90th percentile {np.percentile(times, 90) * 1e3:6.1f} ms{aim}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ivp-points", type=int, default=400, help="points timed with solve_ivp (0: all 40,000)")
    parser.add_argument("--updates", type=int, default=60, help="slider changes per widget")
    args = parser.parse_args()
    print(f"cartmodel {cm.__version__}, numpy {np.__version__}")
    bench_grid(args.ivp_points)
    bench_widgets(args.updates)
    print("3. In-browser explorers: see benchmarks/bench_explorers.py")


if __name__ == "__main__":
    main()
