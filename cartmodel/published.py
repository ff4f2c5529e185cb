"""Published numbers the book compares the model with, each with its source.

Chapters glue these values into their prose instead of typing them, and cite
``source`` (a key of the book's ``references.bib``).  Values are as reported by
the sources, each checked against the source's own text (for Stein et al. 2019,
against a transcription of its Table 1; see ``TISAGENLECLEUCEL_B_ALL``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ALL_BURDEN_INPUTS", "CAR_T_OUTCOMES", "PublishedValue", "TISAGENLECLEUCEL_B_ALL"]


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
#: The kinetic values are the population (typical) estimates of the mixed-effects
#: model, not medians of the patients; the share of the peak level that enters
#: the persistence phase (``FB``) is from the same parameter table (Table 1).
TISAGENLECLEUCEL_B_ALL = {
    "tmax_days": PublishedValue(9.3, "days", "stein2019", "time to peak transgene level (Tmax), typical value"),
    "cmax_copies_per_ug": PublishedValue(24_000.0, "transgene copies/ug DNA", "stein2019", "peak level (Cmax), typical value"),
    "fold_expansion": PublishedValue(3_900.0, "fold", "stein2019", "expansion from infusion to peak, typical value"),
    "doubling_days": PublishedValue(0.78, "days", "stein2019", "doubling time during expansion"),
    "contraction_half_life_days": PublishedValue(4.3, "days", "stein2019", "half-life of the early contraction"),
    "persistence_half_life_days": PublishedValue(220.0, "days", "stein2019", "half-life of the persistence phase (extrapolated)"),
    "persistence_fraction": PublishedValue(
        0.0079, "fraction", "stein2019", "FB: share of the peak level in the slowly declining persistence phase, typical value"
    ),
    "median_dose_cells_per_kg": PublishedValue(
        3.1e6, "CAR+ cells/kg", "stein2019", "median infused dose, patients of 50 kg or less"
    ),
}


#: Clinical outcome of CD19 CAR T cells in B-ALL, for comparison with the
#: paper's idealised "essentially 100%" response.
CAR_T_OUTCOMES = {
    "eliana_overall_remission_3_months": PublishedValue(
        0.81, "fraction", "maude2018",
        "ELIANA: overall remission rate (CR or CRi) within 3 months, 75 infused patients evaluated",
    ),
    "eliana_evaluated_patients": PublishedValue(
        75.0, "patients", "maude2018", "ELIANA: patients who received tisagenlecleucel and were evaluated for efficacy"
    ),
}


#: Inputs of the ALL antigen-burden estimate (:mod:`cartmodel.burden`), namely blood
#: volume of children, marrow cells, marrow cellularity and CD19 density, each
#: with its source.  The adult blood volumes per kg are conventional values
#: without a verified source and live in :data:`cartmodel.burden.BLOOD_VOLUME_ML_PER_KG`.
ALL_BURDEN_INPUTS = {
    "blood_volume_ml_per_kg_child_low": PublishedValue(
        75.0, "mL/kg", "linderkamp1977", "blood volume per kg in children, low end of the usual range"
    ),
    "blood_volume_ml_per_kg_child_high": PublishedValue(
        80.0, "mL/kg", "linderkamp1977", "blood volume per kg in children, high end of the usual range"
    ),
    "marrow_nucleated_cells_per_kg": PublishedValue(
        10.4e9, "cells/kg", "harrison1962",
        "total nucleated marrow cells per kg body weight, mean of 10 haematologically normal adults (Fe-59 method)"
    ),
    "cd19_molecules_per_b_cell": PublishedValue(
        22_000.0, "molecules/cell", "ginaldi1998", "CD19 molecules per normal B cell (mean)"
    ),
    "cd19_molecules_per_b_cell_sd": PublishedValue(
        7_000.0, "molecules/cell", "ginaldi1998", "spread (SD) of CD19 molecules per normal B cell"
    ),
    "cd19_molecules_per_cll_cell": PublishedValue(
        13_000.0, "molecules/cell", "ginaldi1998", "CD19 molecules per CLL cell (mean)"
    ),
    "cd19_density_linked_to_response": PublishedValue(
        2_000.0, "molecules/blast", "majzner2020", "B-ALL CD19 density near which CAR T response depends on density"
    ),
    "cellularity_rule_percent_at_age_0": PublishedValue(
        100.0, "percent", "wong2024", "the rule of thumb 'cellularity = 100 minus age (years), in percent'"
    ),
    "adult_normocellularity_low": PublishedValue(
        0.30, "fraction", "wong2024", "lower end of the 90% reference interval of cellularity, ages 18 to 90"
    ),
    "adult_normocellularity_high": PublishedValue(
        0.75, "fraction", "wong2024", "upper end of the 90% reference interval of cellularity, ages 18 to 90"
    ),
    "child_normocellularity_low": PublishedValue(
        0.45, "fraction", "wong2024", "lower end of normal cellularity under age 20"
    ),
    "child_normocellularity_high": PublishedValue(
        0.85, "fraction", "wong2024", "upper end of normal cellularity under age 20"
    ),
}
