"""Published numbers the book compares the model with, each with its source.

Chapters glue these values into their prose instead of typing them, and cite
``source`` (a key of the book's ``references.bib``).  Values are as reported by
the sources; see ``../shared/design/reference-values.md`` in the project.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PublishedValue", "TISAGENLECLEUCEL_B_ALL"]


@dataclass(frozen=True)
class PublishedValue:
    """One reported quantity.

    Attributes
    ----------
    value : float
        The reported value, in ``unit``.
    unit : str
        Unit of ``value``.
    source : str
        Citation key in the book's ``references.bib``.
    note : str
        What exactly was reported (population, statistic).
    """

    value: float
    unit: str
    source: str
    note: str = ""


#: Cellular kinetics of tisagenlecleucel in paediatric and young-adult B-ALL
#: (ELIANA and ENSIGN), from the model-based analysis of Stein et al. (2019).
TISAGENLECLEUCEL_B_ALL = {
    "tmax_days": PublishedValue(9.3, "days", "stein2019", "time to peak transgene level (Tmax)"),
    "cmax_copies_per_ug": PublishedValue(24_000.0, "transgene copies/ug DNA", "stein2019", "peak level (Cmax)"),
    "fold_expansion": PublishedValue(3_900.0, "fold", "stein2019", "expansion from infusion to peak"),
    "doubling_days": PublishedValue(0.78, "days", "stein2019", "doubling time during expansion"),
    "contraction_half_life_days": PublishedValue(4.3, "days", "stein2019", "half-life of the early contraction"),
    "persistence_half_life_days": PublishedValue(220.0, "days", "stein2019", "half-life of the persistence phase (extrapolated)"),
    "median_dose_cells_per_kg": PublishedValue(3.1e6, "CAR+ cells/kg", "stein2019", "median infused dose"),
}
