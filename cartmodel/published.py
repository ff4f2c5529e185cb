"""Published numbers the book compares the model with, each with its source.

Chapters glue these values into their prose instead of typing them, and cite
``source`` (a key of the book's ``references.bib``).  Values are as reported by
the sources, each checked against the source's own text (for Stein et al. 2019,
against a transcription of its Table 1; see ``TISAGENLECLEUCEL_B_ALL``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ALL_BURDEN_INPUTS",
    "CAR_T_OUTCOMES",
    "CLINICAL_EVIDENCE",
    "KILLING_AXICEL",
    "PublishedValue",
    "TISAGENLECLEUCEL_B_ALL",
    "TISAGENLECLEUCEL_B_ALL_VARIABILITY",
    "TISAGENLECLEUCEL_LABEL_DOSE",
]


@dataclass(frozen=True)
class PublishedValue:
    """One reported quantity: ``value`` in ``unit``, the ``source``'s key in ``references.bib``, and a ``note``
    of what exactly was reported (population, statistic)."""

    value: float
    unit: str
    source: str
    note: str = ""


#: Cellular kinetics of tisagenlecleucel in paediatric and young-adult B-ALL (ELIANA and
#: ENSIGN), from the model-based analysis of Stein et al. (2019): the population (typical)
#: estimates of the mixed-effects model, not medians of the patients; ``FB`` from the same Table 1.
TISAGENLECLEUCEL_B_ALL = {
    "tmax_days": PublishedValue(9.3, "days", "stein2019", "time to peak transgene level (Tmax), typical value"),
    "fold_expansion": PublishedValue(3_900.0, "fold", "stein2019", "expansion from infusion to peak, typical value"),
    "doubling_days": PublishedValue(0.78, "days", "stein2019", "doubling time during expansion"),
    "contraction_half_life_days": PublishedValue(4.3, "days", "stein2019", "half-life of the early contraction"),
    "persistence_half_life_days": PublishedValue(220.0, "days", "stein2019", "half-life of the persistence phase (extrapolated)"),
    "persistence_fraction": PublishedValue(
        0.0079, "fraction", "stein2019", "FB: share of the peak level in the slowly declining persistence phase, typical value"
    ),
    "median_dose_cells_per_kg": PublishedValue(3.1e6, "CAR+ cells/kg", "stein2019", "median infused dose, patients of 50 kg or less"),
}


#: Between-patient variability of the same kinetics: the variances (``omega**2``) of
#: the log-normal random effects of Stein et al.'s (2019) mixed-effects model, on the
#: natural-log scale, for the three parameters the book uses.  As transcribed from the
#: article's Table 1 by the nlmixr2lib model library (model ``Stein_2019_Tisagenlecleucel``),
#: a secondary source not checked against the article.  The library lists no
#: covariances, so the random effects are taken as independent.
TISAGENLECLEUCEL_B_ALL_VARIABILITY = {
    "fold_expansion": PublishedValue(
        2.4, "variance of ln(fold)", "stein2019", "omega^2 of the fold expansion to the peak (secondary transcription)"
    ),
    "tmax_days": PublishedValue(0.38, "variance of ln(Tmax)", "stein2019", "omega^2 of the time to peak (secondary transcription)"),
    "contraction_rate": PublishedValue(
        0.91,
        "variance of ln(alpha)",
        "stein2019",
        "omega^2 of the rate of the early contraction, alpha (secondary transcription)",
    ),
}


#: Inputs of the ALL antigen-burden estimate (:mod:`cartmodel.burden`).  The adult blood volumes
#: per kg, without a verified source, are in :data:`cartmodel.burden.estimate.BLOOD_VOLUME_ML_PER_KG`.
ALL_BURDEN_INPUTS = {
    "blood_volume_ml_per_kg_child_low": PublishedValue(
        68.3, "mL/kg", "linderkamp1977", "lowest mean blood volume per kg of an age and sex group in Table 1 (girls 11-14)"
    ),
    "blood_volume_ml_per_kg_child_high": PublishedValue(
        86.1, "mL/kg", "linderkamp1977", "highest mean blood volume per kg of an age group in Table 1 (13-24 months)"
    ),
    "blood_volume_ml_per_kg_boys_4_to_6": PublishedValue(
        76.7, "mL/kg", "linderkamp1977", "mean blood volume per kg, boys aged 4-6 years (Table 1)"
    ),
    "blood_volume_ml_per_kg_girls_4_to_6": PublishedValue(
        77.4, "mL/kg", "linderkamp1977", "mean blood volume per kg, girls aged 4-6 years (Table 1)"
    ),
    "marrow_nucleated_cells_per_kg": PublishedValue(
        10.4e9,
        "cells/kg",
        "harrison1962",
        "total nucleated marrow cells per kg body weight, mean of 10 haematologically normal adults (Fe-59 method)",
    ),
    "cd19_molecules_per_b_cell": PublishedValue(22_000.0, "molecules/cell", "ginaldi1998", "CD19 molecules per normal B cell (mean)"),
    "cd19_molecules_per_b_cell_sd": PublishedValue(
        7_000.0, "molecules/cell", "ginaldi1998", "spread (SD) of CD19 molecules per normal B cell"
    ),
    "cd19_molecules_per_cll_cell": PublishedValue(13_000.0, "molecules/cell", "ginaldi1998", "CD19 molecules per CLL cell (mean)"),
    "cd19_density_linked_to_response": PublishedValue(
        2_000.0,
        "molecules/blast",
        "majzner2020",
        "B-ALL CD19 density near which CAR T response depends on density; not in the cited paper's abstract "
        "(the same group's ASH 2018 abstract, not checked for this book)",
    ),
    "adult_normocellularity_low": PublishedValue(
        0.30, "fraction", "wong2024", "lower end of the 90% reference interval of cellularity, ages 18 to 90"
    ),
    "adult_normocellularity_high": PublishedValue(
        0.75, "fraction", "wong2024", "upper end of the 90% reference interval of cellularity, ages 18 to 90"
    ),
    "child_normocellularity_low": PublishedValue(0.45, "fraction", "wong2024", "lower end of normal cellularity under age 20"),
    "child_normocellularity_high": PublishedValue(0.85, "fraction", "wong2024", "upper end of normal cellularity under age 20"),
}


#: Label dose range of tisagenlecleucel in B-ALL for patients up to 50 kg, as
#: reported for ELIANA and ENSIGN by Mueller et al. (2018): a 25-fold range.
TISAGENLECLEUCEL_LABEL_DOSE = {
    "low_cells_per_kg": PublishedValue(0.2e6, "CAR+ cells/kg", "mueller2018", "lowest dose of the range evaluated, patients up to 50 kg"),
    "high_cells_per_kg": PublishedValue(5.0e6, "CAR+ cells/kg", "mueller2018", "highest dose of the range evaluated, patients up to 50 kg"),
}


#: Numbers from clinical studies of dose, burden and expansion, each checked
#: against the study's abstract (the book's evidence chapter glues them).
CLINICAL_EVIDENCE = {
    "mueller_patients": PublishedValue(79.0, "patients", "mueller2018", "children and young adults, ELIANA and ENSIGN"),
    "mueller_responders": PublishedValue(62.0, "patients", "mueller2018", "responders with kinetics"),
    "mueller_nonresponders": PublishedValue(8.0, "patients", "mueller2018", "non-responders with kinetics"),
    "mueller_cmax_excess": PublishedValue(0.74, "fraction", "mueller2018", "geometric mean Cmax of responders above non-responders"),
    "mueller_auc_window_days": PublishedValue(28.0, "days", "mueller2018", "window of the exposure (AUC) compared"),
    "mueller_auc_excess": PublishedValue(1.04, "fraction", "mueller2018", "geometric mean AUC(0-28 d) of responders above non-responders"),
    "hay_patients": PublishedValue(133.0, "patients", "hay2017", "adults given CD19 CAR T cells"),
    "park_patients": PublishedValue(53.0, "patients", "park2018", "adults with B-ALL given 19-28z CAR T cells"),
    "park_low_burden_blasts": PublishedValue(0.05, "fraction", "park2018", "marrow blast fraction below which burden counted as low"),
    "park_efs_low_months": PublishedValue(10.6, "months", "park2018", "median event-free survival, low burden"),
    "park_efs_all_months": PublishedValue(6.1, "months", "park2018", "median event-free survival, whole cohort"),
    "awasthi_patients": PublishedValue(111.0, "patients", "awasthi2020", "adults with DLBCL in JULIET"),
    "maude_patients": PublishedValue(75.0, "patients", "maude2018", "infused and evaluable for efficacy, ELIANA"),
    "maude_remission": PublishedValue(
        0.81, "fraction", "maude2018", "overall remission rate (CR or CRi) within 3 months, all responders MRD-negative"
    ),
    "maude_window_months": PublishedValue(3.0, "months", "maude2018", "window of the primary end point"),
    "bader_patients": PublishedValue(
        81.0, "patients", "bader2023", "children and young adults with B-ALL, commercial tisagenlecleucel, Germany"
    ),
    "bader_assessment_day": PublishedValue(28.0, "days", "bader2023", "day after infusion of the response assessment"),
    "bader_cr_day_28": PublishedValue(71.0, "patients", "bader2023", "in complete response 28 days after infusion"),
    "bader_cr_day_28_fraction": PublishedValue(0.877, "fraction", "bader2023", "in complete response 28 days after infusion"),
    "stjude_patients": PublishedValue(12.0, "patients", "stjude2022", "children with B-ALL, phase 1"),
    "stjude_high_burden_blasts": PublishedValue(
        0.40, "fraction", "stjude2022", "morphologic marrow blasts from which burden counted as high"
    ),
    "prwcc_patients": PublishedValue(185.0, "patients", "prwcc2023", "given commercial tisagenlecleucel"),
    "rotte_multidose_studies": PublishedValue(
        39.0, "studies", "rotte2022", "studies testing several dose levels, more than one patient at each"
    ),
    "rotte_response_studies": PublishedValue(13.0, "studies", "rotte2022", "of those, with a dose-related increase in response"),
    "rotte_toxicity_studies": PublishedValue(23.0, "studies", "rotte2022", "of those, with a dose-related increase in toxicity"),
}


#: Clinical outcome of CD19 CAR T cells in B-ALL (ELIANA), for comparison with the
#: paper's idealised "essentially 100%" response: the entries of :data:`CLINICAL_EVIDENCE`.
CAR_T_OUTCOMES = {
    "eliana_overall_remission_3_months": CLINICAL_EVIDENCE["maude_remission"],
    "eliana_evaluated_patients": CLINICAL_EVIDENCE["maude_patients"],
}


#: The saturating killing term fitted by Kimmel et al. (2021) to ZUMA-1 (axicabtagene
#: ciloleucel, large B-cell lymphoma), their Table 1: the tumour loses ``gamma_B B C / (k_B + C)``
#: per day.  Another product and disease than the book's tisagenlecleucel in B-ALL: used only
#: for orders of magnitude.  Checked against a transcription of the published article's text.
KILLING_AXICEL = {
    "kill_rate_per_day": PublishedValue(1.15, "per day", "kimmel2021", "tumour-killing rate gamma_B, fitted value"),
    "half_saturation_cells": PublishedValue(2.024e9, "cells", "kimmel2021", "killing saturation parameter k_B, fitted value"),
    "infused_cells": PublishedValue(1.8e8, "cells", "kimmel2021", "initial CAR T cell number C(0)"),
}
