"""cartmodel: the executable model behind the companion book to Toor et al. (2019).

The paper argues that CAR T cells, unlike donor lymphocyte infusions or drugs,
expand in proportion to their antigen burden and scFv affinity, so that their
dose should follow the tumour burden.  The package implements its equations and
the tools the book builds on them:

* :mod:`cartmodel.model`: Equation 1, antigen-driven CAR T expansion; its
  computation lives in :mod:`cartmodel.engine`, its parameters' names, units,
  ranges and defaults in :mod:`cartmodel.parameters`.
* :mod:`cartmodel.repertoire`: Equation 2, donor T cell clones and repertoires.
* :mod:`cartmodel.response`: the probability of a GVHD-free response to DLI.
* :mod:`cartmodel.burden`: the ALL antigen-burden estimate and its mapping to P.
* :mod:`cartmodel.fitting`: reading the antigen burden from repeated CAR T counts.
* :mod:`cartmodel.dosing`: dose-response grids, ceiling doses and split schedules.
* :mod:`cartmodel.population`: virtual cohorts and probabilities of target attainment.
* :mod:`cartmodel.killing`: the book's extension of Equation 1 in which the CAR T
  cells also kill the tumour, its calibration and therapeutic window.
* :mod:`cartmodel.calibration`: Equation 1 calibrated to the published
  tisagenlecleucel kinetics, for comparing the model with clinical findings.
* :mod:`cartmodel.paper`, :mod:`cartmodel.published`: the paper's caption
  parameters and published values, each with its source.
* :mod:`cartmodel.plotting`, :mod:`cartmodel.widgets`, :mod:`cartmodel.reporting`:
  figures, ipywidgets explorers and numbers for prose (imported on demand, so
  that the model needs neither matplotlib nor ipywidgets at import).
"""
from .burden import (  # the ALL antigen-burden estimate
    AllPatient,
    BurdenEstimate,
    antigen_burden_molecules,
    antigen_from_p,
    blood_volume_ml,
    circulating_blasts,
    estimate_burden,
    marrow_blasts,
    marrow_nucleated_cells,
    nadler_blood_volume_ml,
    normal_cellularity_fraction,
    one_at_a_time_sensitivity,
    p_from_antigen,
    total_blasts,
    wbc_cells_per_ul_from_giga_per_l,
    wbc_giga_per_l_from_cells_per_ul,
)
from .dosing import (  # dose-response grids, ceiling doses, split schedules
    CeilingDose,
    DoseResponse,
    ScheduleComparison,
    dose_for_ceiling,
    dose_response,
    split_doses,
    split_schedule,
)
from .fitting import (  # reading the antigen burden from CAR T counts
    BurdenFit,
    CohortFit,
    CohortRecovery,
    IdentifiabilityWarning,
    SyntheticCohort,
    clopper_pearson,
    cohort_recovery,
    fit_burden,
    fit_cohort,
    log_sensitivities,
    sample_counts,
    synthetic_cohort,
)
from .model import (  # Equation 1: antigen-driven CAR T expansion
    B_PLACEMENTS,
    READINGS,
    Expansion,
    affinity_from_ic50,
    capacity,
    plateau_level,
    simulate,
    tumour_clearance_day,
)
from .population import (  # dosing for a population: virtual cohorts, target attainment
    Cohort,
    TargetAttainment,
    draw_cohort,
    target_attainment,
)
from .repertoire import (  # Equation 2: donor T cell repertoires
    PeptideLibrary,
    PowerLawFit,
    Repertoire,
    RepertoireExpansion,
    TumourFractionSweep,
    clone_capacity,
    draw_peptides,
    draw_repertoire,
    expand_clones,
    expand_repertoire,
    fit_power_law_exponent,
    rank_frequency,
    sweep_tumour_fraction,
)
from .response import (  # the probability of a GVHD-free response to DLI
    PAPER_RESPONSE_EXAMPLE,
    DLITrial,
    capture_probability,
    cumulative_response_probability,
    dose_for_capture,
    relevant_clones,
    response_probability,
    simulate_dli_trial,
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
    "PeptideLibrary",
    "PowerLawFit",
    "Repertoire",
    "RepertoireExpansion",
    "TumourFractionSweep",
    "clone_capacity",
    "draw_peptides",
    "draw_repertoire",
    "expand_clones",
    "expand_repertoire",
    "fit_power_law_exponent",
    "rank_frequency",
    "sweep_tumour_fraction",
    "PAPER_RESPONSE_EXAMPLE",
    "DLITrial",
    "capture_probability",
    "cumulative_response_probability",
    "dose_for_capture",
    "relevant_clones",
    "response_probability",
    "simulate_dli_trial",
    "AllPatient",
    "BurdenEstimate",
    "antigen_burden_molecules",
    "antigen_from_p",
    "blood_volume_ml",
    "circulating_blasts",
    "estimate_burden",
    "marrow_blasts",
    "marrow_nucleated_cells",
    "nadler_blood_volume_ml",
    "normal_cellularity_fraction",
    "one_at_a_time_sensitivity",
    "p_from_antigen",
    "total_blasts",
    "wbc_cells_per_ul_from_giga_per_l",
    "wbc_giga_per_l_from_cells_per_ul",
    "BurdenFit",
    "CohortFit",
    "CohortRecovery",
    "IdentifiabilityWarning",
    "SyntheticCohort",
    "clopper_pearson",
    "cohort_recovery",
    "fit_burden",
    "fit_cohort",
    "log_sensitivities",
    "sample_counts",
    "synthetic_cohort",
    "CeilingDose",
    "DoseResponse",
    "ScheduleComparison",
    "dose_for_ceiling",
    "dose_response",
    "split_doses",
    "split_schedule",
    "Cohort",
    "TargetAttainment",
    "draw_cohort",
    "target_attainment",
]
