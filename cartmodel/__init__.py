"""cartmodel: the executable model behind the companion book to Toor et al. (2019).

The paper argues that CAR T cells, unlike donor lymphocyte infusions or drugs,
expand in proportion to their antigen burden and scFv affinity, so that their
dose should follow the tumour burden.  This package implements its equations:

* :mod:`cartmodel.model`: Equation 1, antigen-driven CAR T expansion.
* :mod:`cartmodel.paper`: the parameter values printed in the paper's captions.
* :mod:`cartmodel.plotting`: the book's figures (matplotlib).
"""

from .model import (
    B_PLACEMENTS,
    READINGS,
    Expansion,
    affinity_from_ic50,
    capacity,
    plateau_level,
    simulate,
    tumour_clearance_day,
)

__version__ = "0.1.0"

__all__ = [
    "B_PLACEMENTS",
    "READINGS",
    "Expansion",
    "affinity_from_ic50",
    "capacity",
    "plateau_level",
    "simulate",
    "tumour_clearance_day",
]
