"""Equation 1 written out in plain Python, one float at a time, independently of cartmodel: the unit tests' reference."""

from __future__ import annotations

import math

import numpy as np


def equation_1_by_hand(*, r, q, B, P, K, n0, days, reading="exact", b_placement="capacity", doses=()):
    """N on days 0 to ``days`` in the textbook (non-reciprocal) form; ``doses``, (day, cells) pairs, add
    their cells after that day's update (for the iterating readings: the closed one does not restart)."""
    extra = dict(doses)
    cells = [n0]
    for t in range(1, days + 1):
        tumour = P * math.exp((q - r) * t)
        Kt = K * B * (tumour + 1) if b_placement == "capacity" else K * (B * tumour + 1)
        if reading == "exact":
            n = Kt / (1 + (Kt - cells[-1]) / cells[-1] * math.exp(-r))
        elif reading == "literal":
            n = Kt / (1 + (Kt - cells[-1]) / cells[-1] * math.exp(-r * t))
        else:
            n = Kt / (1 + (Kt - n0) / n0 * math.exp(-r * t))
        cells.append(n + extra.get(t, 0.0))
    return np.array(cells)
