"""Parameter values printed in the figure captions of Toor et al. (2019).

These are the only numbers the paper gives for its model; chapters and tests
take them from here rather than retyping them.
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = ["FIGURE_1", "FIGURE_1_IC50_NM", "FIGURE_1_DAYS"]

#: IC50 of the CD19 scFv in the Figure 1 caption, in nM.
FIGURE_1_IC50_NM = 1.6

#: Horizon used for Figures 1 and 2 in this book (the paper's axis is not in its text).
FIGURE_1_DAYS = 60

#: Equation 1 parameters of the Figure 1 caption, as keyword arguments of
#: :func:`cartmodel.simulate`: growth rates r = 1.5 and q = 1.2, B = 1/IC50,
#: N0 = 1, P = 1000, K = 10**6.
FIGURE_1 = MappingProxyType(
    {"r": 1.5, "q": 1.2, "B": 1.0 / FIGURE_1_IC50_NM, "P": 1000.0, "K": 1e6, "n0": 1.0}
)
