"""Benchmark of reading the antigen burden for a whole cohort: batched against one fit per patient.

Run from the repository root:

    .venv/bin/python benchmarks/bench_fitting.py            # 1,000 patients
    .venv/bin/python benchmarks/bench_fitting.py --patients 200 --loop-sample 50

For a synthetic cohort like the reading-burden chapter's (Figure 1 product,
burdens log-uniform in 1e2..1e5, tumour growth rates in 0.9..1.35 per day,
blood-to-pool proportions log-uniform around one, log-normal counts with
sd 0.3 on days 1, 3, 7, 10, 14, 21 and 28) it times, in this one run on this
machine, for each of the chapter's fits:

* ``cartmodel.fit_cohort`` on the whole cohort (one call), and
* ``cartmodel.fit_burden`` in a Python loop over the patients (timed on the
  first ``--loop-sample`` patients and scaled to the cohort; 0 runs them all),

and prints both times, their ratio, and the largest relative differences
between the two on the patients fitted both ways (estimates of P and the
ends of its interval).  ``fit_burden`` runs the same pipeline on a cohort of
one, so these differences show how little a patient's fit depends on the
others fitted with it.  Aims: the batched fit at least 20 times faster than
the loop and under 5 s for 1,000 patients.  Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np

import cartmodel as cm
from cartmodel.paper import FIGURE_1

KNOWN = {"B": FIGURE_1["B"], "K": FIGURE_1["K"], "n0": FIGURE_1["n0"]}
SAMPLE_DAYS = (1, 3, 7, 10, 14, 21, 28)
NOISE_SD = 0.3
SCENARIOS = {
    "P only, r q s known": ((), None),
    "P only, noise known": ((), NOISE_SD),
    "P and s": (("scale",), None),
    "P, q and s": (("q", "scale"), None),
}


def cohort(patients: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    P = np.exp(rng.uniform(np.log(1e2), np.log(1e5), patients))
    q = rng.uniform(0.9, 1.35, patients)
    scale = 10 ** rng.uniform(-0.7, 0.7, patients)
    counts = cm.sample_counts(SAMPLE_DAYS, r=FIGURE_1["r"], q=q, P=P, scale=scale, **KNOWN, noise_sd=NOISE_SD, rng=rng)
    return {"P": P, "q": q, "scale": scale, "counts": counts}


def starts(data: dict[str, np.ndarray], free: tuple[str, ...]) -> dict[str, object]:
    """Unknown parameters start from 1.1 (q) and 1 (s); known ones are the truth."""
    return {"r": FIGURE_1["r"], "q": 1.1 if "q" in free else data["q"], "scale": 1.0 if "scale" in free else data["scale"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--loop-sample", type=int, default=100,
                        help="patients fitted one by one (scaled to the cohort); 0 = all")
    parser.add_argument("--seed", type=int, default=20190601)
    args = parser.parse_args()
    data = cohort(args.patients, args.seed)
    sample = args.patients if args.loop_sample <= 0 else min(args.loop_sample, args.patients)
    load = os.getloadavg()
    print(f"{args.patients} patients, {len(SAMPLE_DAYS)} counts each; loop timed on {sample} and scaled; "
          f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores")
    print(f"{'fit':<22}{'batched (s)':>12}{'loop (s)':>10}{'ratio':>8}{'max rel dP':>12}{'max rel dCI':>13}")
    warnings.simplefilter("ignore", cm.IdentifiabilityWarning)
    # cartmodel imports scipy on first use: pay that before timing either way
    cm.fit_cohort(SAMPLE_DAYS, data["counts"][:2], **KNOWN, **starts({k: v[:2] for k, v in data.items()}, ()))
    cm.fit_burden(SAMPLE_DAYS, data["counts"][0], **KNOWN, r=FIGURE_1["r"], q=data["q"][0], scale=data["scale"][0])
    for name, (free, noise_sd) in SCENARIOS.items():
        given = starts(data, free)
        started = time.perf_counter()
        batched = cm.fit_cohort(SAMPLE_DAYS, data["counts"], **KNOWN, **given, free=free, noise_sd=noise_sd)
        batched_s = time.perf_counter() - started
        started = time.perf_counter()
        loop = [
            cm.fit_burden(SAMPLE_DAYS, data["counts"][i], **KNOWN, free=free, noise_sd=noise_sd,
                          **{k: (v if np.ndim(v) == 0 else v[i]) for k, v in given.items()})
            for i in range(sample)
        ]
        loop_s = (time.perf_counter() - started) * args.patients / sample
        d_P = np.max(np.abs(batched.P[:sample] / np.array([f.P for f in loop]) - 1))
        d_ci = np.max(np.abs(batched.P_interval[:sample] / np.array([f.P_interval for f in loop]) - 1))
        print(f"{name:<22}{batched_s:>12.2f}{loop_s:>10.1f}{loop_s / batched_s:>8.0f}{d_P:>12.1e}{d_ci:>13.1e}")


if __name__ == "__main__":
    main()
