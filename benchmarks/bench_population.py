"""Benchmark of cartmodel.population.target_attainment on a realistic cohort.

Run from the repository root:

    .venv/bin/python benchmarks/bench_population.py

It prints, measured in this one run on this machine (one core; the time loop
of Equation 1 is numpy, so nothing runs in parallel):

1. the time of ``target_attainment`` for 10,000 virtual patients on a 50 x 50
   dose x burden grid over 60 days (25 million patient-dose-burden runs of
   Equation 1), best of ``--repeats``;
2. the time of the per-patient alternatives, each timed on a subset of the
   cohort and scaled linearly to 10,000 patients (the scaling is printed):

   * a loop of ``cartmodel.simulate``, one call per patient, dose and burden;
   * a loop over patients, each patient's whole 50 x 50 grid in one vectorised
     ``cartmodel.dose_response`` call;
   * every dose evaluated (no bisection over the dose grid), the whole
     cohort vectorised in chunks, to show what the bisection saves;

and the ratios of each to ``target_attainment``.  Nothing is asserted.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import cartmodel as cm
from cartmodel.dosing import EXAMPLE_CEILING
from cartmodel.population import draw_cohort, target_attainment

DAYS = 60
DOSES = np.logspace(0, 6, 50)
BURDENS = np.logspace(0, 8, 50)


def timed(call) -> tuple[float, object]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def loop_of_simulate(cohort, patients: int) -> np.ndarray:
    under = np.zeros((patients, BURDENS.size, DOSES.size), dtype=bool)
    for i in range(patients):
        p = cohort.patient(i)
        for j, burden in enumerate(BURDENS):
            for k, dose in enumerate(DOSES):
                run = cm.simulate(r=p["r"], q=p["q"], B=p["B"], K=p["K"], P=burden * p["burden_factor"],
                                  n0=dose, days=DAYS)
                under[i, j, k] = run.car_t.max() <= EXAMPLE_CEILING
    return under.sum(axis=-1)


def loop_of_grids(cohort, patients: int) -> np.ndarray:
    counts = np.zeros((patients, BURDENS.size), dtype=np.int64)
    for i in range(patients):
        p = cohort.patient(i)
        peaks = cm.dose_response(n0=DOSES[:, None], P=BURDENS * p["burden_factor"], r=p["r"], q=p["q"],
                                 B=p["B"], K=p["K"], days=DAYS).peak
        counts[i] = (peaks <= EXAMPLE_CEILING).sum(axis=0)
    return counts


def every_dose(cohort, patients: int, chunk: int = 20) -> np.ndarray:
    counts = np.zeros((patients, BURDENS.size), dtype=np.int64)
    for start in range(0, patients, chunk):
        rows = slice(start, min(start + chunk, patients))
        column = lambda a, rows=rows: a[rows][:, None, None]  # noqa: E731  (patients, doses, burdens)
        peaks = cm.dose_response(n0=DOSES[:, None], P=column(cohort.burden_factor) * BURDENS,
                                 r=column(cohort.r), q=column(cohort.q), B=column(cohort.B), K=column(cohort.K),
                                 days=DAYS).peak
        counts[rows] = (peaks <= EXAMPLE_CEILING).sum(axis=1)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--loop-patients", type=int, default=4, help="subset for the simulate loop")
    parser.add_argument("--grid-patients", type=int, default=200, help="subset for the per-patient grid loop")
    parser.add_argument("--every-dose-patients", type=int, default=500, help="subset for the no-bisection run")
    args = parser.parse_args()

    cohort = draw_cohort(args.patients, seed=2019)
    grid = dict(n0_grid=DOSES, P_grid=BURDENS, ceiling=EXAMPLE_CEILING, days=DAYS)
    times = []
    for _ in range(args.repeats):
        seconds, pta = timed(lambda: target_attainment(cohort, **grid))
        times.append(seconds)
    best = min(times)
    runs = args.patients * DOSES.size * BURDENS.size
    print(f"target_attainment: {args.patients} patients x {DOSES.size} doses x {BURDENS.size} burdens "
          f"over {DAYS} days ({runs / 1e6:.1f} million runs): best of {args.repeats} = {best:.2f} s")

    for label, function, subset in [
        ("loop of simulate (one call per patient, dose, burden)", loop_of_simulate, args.loop_patients),
        ("loop over patients (one dose_response per patient)", loop_of_grids, args.grid_patients),
        ("every dose, cohort vectorised (no bisection)", every_dose, args.every_dose_patients),
    ]:
        seconds, counts = timed(lambda function=function, subset=subset: function(cohort, subset))
        agrees = np.array_equal(counts, pta.doses_under_ceiling[:subset])
        scaled = seconds * args.patients / subset
        print(f"{label}: {seconds:.2f} s for {subset} patients, scaled x{args.patients / subset:g} "
              f"to {scaled:.1f} s; ratio to target_attainment {scaled / best:.0f}x; "
              f"same counts on the subset: {agrees}")


if __name__ == "__main__":
    main()
