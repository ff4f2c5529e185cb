"""How far the ALL antigen-burden estimate moves with each input, one at a time: the tornado analysis.

:func:`tornado_ranges` gives the ranges of the antigen-burden chapter;
:func:`sensitivity_state` and :func:`sensitivity_p_range` what the in-browser burden explorer shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, get_args

import numpy as np

from .._validation import check_choice
from ..parameters import PARAMETERS, check
from ..published import ALL_BURDEN_INPUTS
from .estimate import MARROW_NUCLEATED_CELLS_PER_KG, AllPatient, estimate_burden, p_from_antigen

__all__ = [
    "BLOOD_VOLUME_RANGE_ML_PER_KG",
    "MARROW_CELLS_RANGE_FACTORS",
    "COUNT_SPREAD",
    "STATE_RANGES",
    "SensitivityBar",
    "one_at_a_time_sensitivity",
    "tornado_ranges",
    "fixed_tornado_ranges",
    "sensitivity_state",
    "sensitivity_p_range",
]

_WBC_HIGH = float(PARAMETERS["wbc_giga_per_l"].high or np.inf)

SensitivityOutput = Literal["antigen_molecules", "total_blasts", "circulating_blasts", "marrow_blasts"]
_OUTPUTS: tuple[str, ...] = get_args(SensitivityOutput)


@dataclass(frozen=True)
class SensitivityBar:
    """One input's bar of a tornado plot.

    The :class:`~cartmodel.burden.estimate.AllPatient` field ``name`` that was varied, the ends
    of its range, the output at each end (every other input at baseline) and the ``baseline`` output.
    """

    name: str
    low_input: float
    high_input: float
    low_output: float
    high_output: float
    baseline: float

    @property
    def fold_range(self) -> float:
        """Larger over smaller output (>= 1), the bar's length on a log axis (``inf`` if only one is 0, 1 if both)."""
        small, large = sorted((self.low_output, self.high_output))
        if small > 0:
            return large / small
        return float("inf") if large > 0 else 1.0


def one_at_a_time_sensitivity(
    patient: AllPatient,
    ranges: Mapping[str, tuple[float, float]],
    *,
    output: SensitivityOutput = "antigen_molecules",
) -> list[SensitivityBar]:
    """Vary each input over its range with the others at baseline (a tornado analysis).

    Parameters
    ----------
    patient : AllPatient
        The baseline, with scalar fields.
    ranges : mapping of field name to (low, high)
        Range of each numeric field to vary; each end within that field's limits.
    output : {"antigen_molecules", "total_blasts", "circulating_blasts", "marrow_blasts"}
        Which quantity of :class:`~cartmodel.burden.estimate.BurdenEstimate` to report.

    Returns
    -------
    list of SensitivityBar
        Largest :attr:`SensitivityBar.fold_range` first (ties keep the order of ``ranges``).
    """
    AllPatient.checked(patient, scalar_for="a sensitivity analysis")
    measure = check_choice("output", output, _OUTPUTS)
    if not isinstance(ranges, Mapping) or not ranges:
        raise TypeError(f"ranges must be a non-empty mapping of input name to (low, high); got {ranges!r}")
    baseline = float(getattr(estimate_burden(patient), measure))
    bars = []
    for name, bounds in ranges.items():
        check_choice("ranges key", name, AllPatient.NUMERIC_FIELDS)
        try:
            low, high = bounds
        except (TypeError, ValueError):
            raise TypeError(f"ranges[{name!r}] must be a (low, high) pair; got {bounds!r}") from None
        ends = np.empty(2)
        for index, (which, value) in enumerate((("low", low), ("high", high))):
            end = check(name, value, as_name=f"{name} {which} end in ranges")
            if end.ndim:
                raise TypeError(f"{name} {which} end in ranges must be a scalar; got {value!r}")
            ends[index] = end
        values = getattr(estimate_burden(patient.replace(**{name: ends})), measure)
        bars.append(SensitivityBar(name, float(ends[0]), float(ends[1]), float(values[0]), float(values[1]), baseline))
    return sorted(bars, key=lambda bar: -bar.fold_range)


AgeGroup = Literal["child", "adult"]
DiseaseState = Literal["relapse", "near MRD"]

#: Ranges of the tornado analysis that depend on the disease state only (near MRD the
#: infiltration spans measurable residual disease).
STATE_RANGES: Mapping[str, Mapping[str, tuple[float, float]]] = MappingProxyType({
    "relapse": MappingProxyType({"marrow_cellularity_fraction": (0.6, 1.0),
                                 "marrow_infiltration_fraction": (0.5, 0.95)}),
    "near MRD": MappingProxyType({"marrow_infiltration_fraction": (1e-4, 1e-2),
                                  "blood_blast_fraction": (0.0, 0.01)}),
})

#: The tornado analysis's range of blood volume per kg, all the published defaults together.
BLOOD_VOLUME_RANGE_ML_PER_KG: tuple[float, float] = (65.0, 80.0)

#: The tornado analysis's range of marrow cells per kg, as factors of Harrison's mean: assumed
#: (no published spread), it also covers an adult count applied to a child.
MARROW_CELLS_RANGE_FACTORS: tuple[float, float] = (0.5, 2.0)

#: The tornado analysis's spread either side of a measured blood count, for counting error and day-to-day change.
COUNT_SPREAD: float = 0.25


def tornado_ranges(patient: AllPatient, *, group: AgeGroup, state: DiseaseState) -> dict[str, tuple[float, float]]:
    """The ranges of the antigen-burden chapter's tornado analysis, in its order, for :func:`one_at_a_time_sensitivity`.

    Those of :func:`fixed_tornado_ranges` (same ``group`` and ``state``), and the white-cell count (and at
    relapse the blood blasts, at most 100%) :data:`COUNT_SPREAD` either side of the patient's scalar counts.
    """
    AllPatient.checked(patient, scalar_for="a range", fields=("wbc_giga_per_l", "blood_blast_fraction"))
    ranges = fixed_tornado_ranges(group, state)  # checks group and state
    wbc = float(np.asarray(patient.wbc_giga_per_l))
    ranges["wbc_giga_per_l"] = ((1 - COUNT_SPREAD) * wbc, min((1 + COUNT_SPREAD) * wbc, _WBC_HIGH))
    if state == "relapse":
        blood = float(np.asarray(patient.blood_blast_fraction))
        ranges["blood_blast_fraction"] = ((1 - COUNT_SPREAD) * blood, min(1.0, (1 + COUNT_SPREAD) * blood))
    order = ("antigen_molecules_per_blast", "marrow_cells_per_kg", "blood_volume_ml_per_kg", "wbc_giga_per_l",
             "normal_cellularity_fraction", "marrow_cellularity_fraction", "marrow_infiltration_fraction",
             "blood_blast_fraction")
    return {name: ranges[name] for name in order if name in ranges}


def fixed_tornado_ranges(group: AgeGroup, state: DiseaseState) -> dict[str, tuple[float, float]]:
    """The ranges of :func:`tornado_ranges` that do not depend on the patient.

    CD19 per blast from the density linked to response (Majzner et al. 2020)
    to one SD above the normal B-cell mean (Ginaldi et al. 1998); marrow cells
    per kg over :data:`MARROW_CELLS_RANGE_FACTORS` of Harrison's mean; blood
    volume per kg over :data:`BLOOD_VOLUME_RANGE_ML_PER_KG`; the measured
    normal cellularity of the age ``group`` (``"child"`` or ``"adult"``, Wong
    et al. 2024) as the range of the normal cellularity at relapse, and near MRD
    (the biopsy taken as normal) of the biopsy's; the rest from :data:`STATE_RANGES`.
    Returns a dict of :class:`~cartmodel.burden.estimate.AllPatient` field to ``(low, high)``.
    """
    group = check_choice("group", group, ("child", "adult"))
    state = check_choice("state", state, ("relapse", "near MRD"))
    published = {key: value.value for key, value in ALL_BURDEN_INPUTS.items()}
    normal = (published[f"{group}_normocellularity_low"], published[f"{group}_normocellularity_high"])
    low_cells, high_cells = MARROW_CELLS_RANGE_FACTORS
    ranges = {
        "antigen_molecules_per_blast": (published["cd19_density_linked_to_response"],
                                        published["cd19_molecules_per_b_cell"] + published["cd19_molecules_per_b_cell_sd"]),
        "marrow_cells_per_kg": (low_cells * MARROW_NUCLEATED_CELLS_PER_KG, high_cells * MARROW_NUCLEATED_CELLS_PER_KG),
        "blood_volume_ml_per_kg": BLOOD_VOLUME_RANGE_ML_PER_KG,
    }
    ranges["normal_cellularity_fraction" if state == "relapse" else "marrow_cellularity_fraction"] = normal
    ranges.update(STATE_RANGES[state])
    return ranges


def sensitivity_state(patient: AllPatient) -> DiseaseState | None:
    """The disease state of :data:`STATE_RANGES` whose ranges hold this patient (scalar fields), or ``None`` between them."""
    AllPatient.checked(patient, scalar_for="a disease state")
    for state, limits in STATE_RANGES.items():
        if all(low <= float(np.asarray(getattr(patient, name))) <= high for name, (low, high) in limits.items()):
            return state  # type: ignore[return-value]  # a key of STATE_RANGES
    return None


def sensitivity_p_range(patient: AllPatient, *, group: AgeGroup, state: DiseaseState) -> tuple[float, float]:
    """The lowest and highest ``P`` (AU, default reference) at the ends of the bars of :func:`tornado_ranges` (same arguments).

    The widest range one input alone can cause, not a joint interval.
    """
    bars = one_at_a_time_sensitivity(patient, tornado_ranges(patient, group=group, state=state))
    ends = [value for bar in bars for value in (bar.low_output, bar.high_output)]
    low, high = p_from_antigen(np.array([min(ends), max(ends)]))
    return float(low), float(high)


