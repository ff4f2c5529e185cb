"""Benchmark: Equation 1 with killing against Equation 1 on the 200 x 200 dose x burden grid.

Run from the repository root:

    .venv/bin/python benchmarks/bench_killing.py

Times ``cartmodel.killing.killing_dose_response`` and ``cartmodel.dose_response``
on the same 200 doses x 200 burdens over 60 days (the paper's Figure 1
parameters, a killing rate of 0.5 per day), best of several repeats, and prints
the ratio.  Aim: the killing model within 3 times Equation 1.  With killing the
tumour depends on the dose, so the whole state advances on the 200 x 200 grid;
Equation 1 computes its capacity on the burden axis alone.  Nothing is asserted.
"""

from __future__ import annotations

import timeit

import numpy as np

import cartmodel as cm
from cartmodel.killing import killing_dose_response
from cartmodel.paper import FIGURE_1


def main() -> None:
    doses = np.geomspace(1.0, 1e6, 200)[:, None]
    burdens = np.geomspace(1e-2, 1e4, 200)
    common = dict(n0=doses, P=burdens, B=FIGURE_1["B"], r=FIGURE_1["r"], q=FIGURE_1["q"], K=FIGURE_1["K"], days=60)
    plain = min(timeit.repeat(lambda: cm.dose_response(**common), number=1, repeat=7))
    killing = min(timeit.repeat(lambda: killing_dose_response(kill_rate=0.5, kill_saturation=1e3, **common),
                                number=1, repeat=7))
    print(f"200 x 200 grid, 60 days: dose_response {plain * 1e3:.1f} ms, killing_dose_response {killing * 1e3:.1f} ms")
    print(f"ratio killing / Equation 1: {killing / plain:.2f} (aim: within 3)")


if __name__ == "__main__":
    main()
