"""Time Equation 2 for 10,000 donor clones over 60 days, in one vectorised call.

Prints the median wall time of ``cartmodel.expand_repertoire`` and, for
comparison, the time of a Python loop that runs the same clones one at a time
through ``cartmodel.simulate`` (Equation 1 with ``B = Z_i B_j``), measured on a
subset and scaled to 10,000 clones.  No assertion: the numbers are for the
reader and the issue's closing note.

Run:  .venv/bin/python benchmarks/bench_repertoire.py
"""

from __future__ import annotations

import platform
import statistics
import time

import numpy as np

import cartmodel as cm

N_CLONES = 10_000
DAYS = 60
REPEATS = 7
LOOP_SUBSET = 500


def _median_seconds(call, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    repertoire = cm.draw_repertoire(N_CLONES, seed=2019)
    settings = cm.equation_2_settings(days=DAYS)
    cm.expand_repertoire(repertoire, settings=settings)  # warm-up
    vectorised = _median_seconds(lambda: cm.expand_repertoire(repertoire, settings=settings), REPEATS)

    # the same clones one by one (normal-tissue clones only: constant capacity, P = 0
    # in Equation 1 with K replaced by the clone's capacity)
    normal = np.flatnonzero(~repertoire.tumour_directed)[:LOOP_SUBSET]
    capacity = 1e6 * repertoire.affinity * repertoire.peptide_affinity * repertoire.peptide_expression

    def loop() -> None:
        for i in normal:
            cm.simulate(r=1.5, q=1.2, B=1.0, P=0.0, K=capacity[i], n0=repertoire.sizes[i], days=DAYS)

    per_clone = _median_seconds(loop, 3) / normal.size
    whole = cm.expand_repertoire(repertoire, settings=settings).cells[normal]
    one_by_one = np.array([
        cm.simulate(r=1.5, q=1.2, B=1.0, P=0.0, K=capacity[i], n0=repertoire.sizes[i], days=DAYS).car_t
        for i in normal
    ])
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"numpy {np.__version__}")
    print(f"Equation 2, {N_CLONES} clones x {DAYS} daily steps, one call: "
          f"{vectorised * 1e3:.1f} ms (median of {REPEATS})")
    print(f"Python loop over clones (cartmodel.simulate per clone), scaled to {N_CLONES} clones: "
          f"{per_clone * N_CLONES:.2f} s")
    print(f"ratio loop / vectorised: {per_clone * N_CLONES / vectorised:.0f}x")
    print(f"largest relative difference, loop vs vectorised: {np.max(np.abs(one_by_one / whole - 1)):.1e}")


if __name__ == "__main__":
    main()
