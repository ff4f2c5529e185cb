"""Matplotlib figures of the book, drawn from :mod:`cartmodel.model` results.

Each function draws on an ``ax`` it is given (or a new one) and returns the
axes, so that chapters can compose panels and tests can read back the plotted
data from ``ax.lines``.

The functions live in one module per subject and are all importable from here:

* :mod:`cartmodel.plotting.equation1`: Figures 1 and 2, the readings of Equation 1;
* :mod:`cartmodel.plotting.repertoire`: Figure 3, rank-frequency, the DLI response;
* :mod:`cartmodel.plotting.burden`: the burden estimate, the burden read from counts, kinetics;
* :mod:`cartmodel.plotting.dosing`: dosing curves, nomograms, schedules, target attainment;
* :mod:`cartmodel.plotting.killing`: Equation 1 with killing, its window, verdicts side by side.
"""

from __future__ import annotations

from .burden import (
    plot_against_burden,
    plot_burden_fit,
    plot_burden_profile,
    plot_burden_recovery,
    plot_expansions,
    plot_kinetics,
    plot_reference_sweep,
    plot_sensitivities,
    plot_tornado,
)
from .dosing import (
    find_artist,
    nomogram_lines,
    plot_dose_response,
    plot_dosing_curves,
    plot_nomogram,
    plot_relative_peaks,
    plot_schedule,
    plot_split_ratios,
    plot_target_attainment,
    schedule_markers,
)
from .equation1 import CAR_T_COLOUR, TUMOUR_COLOUR, plot_figure_1, plot_figure_2, plot_readings
from .killing import VERDICT_COLOURS, plot_dose_window, plot_kill_scan, plot_verdicts
from .repertoire import (
    ALLO_TCR_COLOUR,
    NORMAL_PEPTIDE_COLOUR,
    TUMOUR_TCR_COLOUR,
    plot_figure_3,
    plot_rank_frequency,
    plot_response_by_infusions,
)

__all__ = [
    "CAR_T_COLOUR",
    "TUMOUR_COLOUR",
    "plot_expansions",
    "plot_figure_1",
    "plot_figure_2",
    "plot_readings",
    "plot_tornado",
    "ALLO_TCR_COLOUR",
    "NORMAL_PEPTIDE_COLOUR",
    "TUMOUR_TCR_COLOUR",
    "plot_figure_3",
    "plot_rank_frequency",
    "plot_response_by_infusions",
    "find_artist",
    "nomogram_lines",
    "plot_dosing_curves",
    "plot_nomogram",
    "plot_schedule",
    "schedule_markers",
    "plot_burden_fit",
    "plot_burden_profile",
    "plot_burden_recovery",
    "plot_sensitivities",
    "plot_against_burden",
    "plot_kinetics",
    "plot_target_attainment",
    "plot_dose_response",
    "plot_reference_sweep",
    "plot_relative_peaks",
    "plot_split_ratios",
    "VERDICT_COLOURS",
    "plot_dose_window",
    "plot_kill_scan",
    "plot_verdicts",
]
