"""The ALL antigen-burden estimate: blood and marrow blasts, their antigen, and Equation 1's ``P``.

The formulas are in :mod:`cartmodel.burden`.  Every function is pure, broadcasts
numpy arrays and checks its inputs against their rows of
:data:`cartmodel.parameters.PARAMETERS` (unit, valid range); defaults come from
:data:`cartmodel.published.ALL_BURDEN_INPUTS`.  An input named after a field of
:class:`AllPatient` (or after one less its ``marrow_`` or ``blood_``) is that field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import as_real_array, check_choice, check_instance
from ..parameters import PARAMETERS, check
from ..published import ALL_BURDEN_INPUTS

__all__ = [
    "BLOOD_VOLUME_ML_PER_KG",
    "EXAMPLE_PATIENTS",
    "MARROW_NUCLEATED_CELLS_PER_KG",
    "CD19_MOLECULES_PER_BLAST",
    "REFERENCE_BLASTS",
    "REFERENCE_ANTIGEN_MOLECULES",
    "ADULT_AGE_YEARS",
    "AllPatient",
    "BurdenEstimate",
    "wbc_cells_per_ul_from_giga_per_l",
    "wbc_giga_per_l_from_cells_per_ul",
    "blood_volume_ml",
    "nadler_blood_volume_ml",
    "normal_cellularity_fraction",
    "circulating_blasts",
    "marrow_nucleated_cells",
    "marrow_blasts",
    "total_blasts",
    "antigen_burden_molecules",
    "p_from_antigen",
    "antigen_from_p",
    "estimate_burden",
    "marrow_blast_share",
    "age_group",
    "patient_from_measurements",
    "blasts_left_for_share",
]

BloodVolumeGroup = Literal["man", "woman", "child"]

#: Default blood volume in mL per kg body weight.  Men and women: 70 and 65 mL/kg,
#: conventional round values without a verified primary source.  Children: the mean of
#: Linderkamp et al.'s (1977) Table 1 means for boys and girls aged 4 to 6 (the book's
#: child is 6); their age and sex means span 68 to 86 mL/kg.
BLOOD_VOLUME_ML_PER_KG: Mapping[str, float] = {
    "man": 70.0,
    "woman": 65.0,
    "child": 0.5 * sum(ALL_BURDEN_INPUTS[f"blood_volume_ml_per_kg_{sex}_4_to_6"].value for sex in ("boys", "girls")),
}

#: Total nucleated marrow cells per kg body weight in ten haematologically normal
#: adults (Harrison 1962): a marrow of normal cellularity (see :func:`marrow_blasts`).
MARROW_NUCLEATED_CELLS_PER_KG: float = ALL_BURDEN_INPUTS["marrow_nucleated_cells_per_kg"].value

#: Default antigen density in CD19 molecules per cell, the normal B-cell value of
#: Ginaldi et al. (1998).
CD19_MOLECULES_PER_BLAST: float = ALL_BURDEN_INPUTS["cd19_molecules_per_b_cell"].value

#: Age in years from which the adult blood volume per kg and range of normal cellularity
#: apply: the lower end of the adult ages of Wong et al. (2024), a convention of the book.
ADULT_AGE_YEARS: float = 18.0

#: Blasts in one unit of Equation 1's ``P`` (at the default CD19 density).
REFERENCE_BLASTS: float = 1e9

#: Antigen burden that counts as ``P = 1``: the CD19 on :data:`REFERENCE_BLASTS` cells
#: at the normal B-cell density, ``2.2e13`` molecules; a modelling choice (the
#: antigen-burden chapter gives the reasons), not a measured quantity.
REFERENCE_ANTIGEN_MOLECULES: float = REFERENCE_BLASTS * CD19_MOLECULES_PER_BLAST

# Nadler et al. (1962): blood volume in litres from height (m) and weight (kg).
_NADLER = {
    "man": (0.3669, 0.03219, 0.6041),
    "woman": (0.3561, 0.03308, 0.1833),
}

_CELLS_PER_UL_PER_GIGA_PER_L = 1e3  # 1e9 cells/L = 1e9 cells / 1e6 uL = 1e3 cells/uL
_UL_PER_ML = 1e3


def wbc_cells_per_ul_from_giga_per_l(wbc_giga_per_l: ArrayLike) -> NDArray[np.float64]:
    """Convert a white-cell count in (0, 2000] x 10^9 cells/L to cells/uL (``x 1000``)."""
    return check("wbc_giga_per_l", wbc_giga_per_l) * _CELLS_PER_UL_PER_GIGA_PER_L


def wbc_giga_per_l_from_cells_per_ul(wbc_cells_per_ul: ArrayLike) -> NDArray[np.float64]:
    """Convert a white-cell count from cells/uL to 10^9 cells/L (``/ 1000``)."""
    return check("wbc_cells_per_ul", wbc_cells_per_ul) / _CELLS_PER_UL_PER_GIGA_PER_L


def blood_volume_ml(
    weight_kg: ArrayLike, *, group: BloodVolumeGroup = "man", ml_per_kg: ArrayLike | None = None
) -> NDArray[np.float64]:
    """Blood volume in mL from body weight in kg, in (0, 300]: ``weight_kg * ml_per_kg``.

    ``ml_per_kg`` is the field ``blood_volume_ml_per_kg``; if not given, the
    ``group``'s (``"man"``, ``"woman"`` or ``"child"``) of :data:`BLOOD_VOLUME_ML_PER_KG`.
    """
    weight = check("weight_kg", weight_kg)
    chosen = check_choice("group", group, tuple(BLOOD_VOLUME_ML_PER_KG))
    per_kg = BLOOD_VOLUME_ML_PER_KG[chosen] if ml_per_kg is None else ml_per_kg
    per_kg = check("blood_volume_ml_per_kg", per_kg, as_name="ml_per_kg")
    return weight * per_kg


def nadler_blood_volume_ml(height_m: ArrayLike, weight_kg: ArrayLike, *, sex: str) -> NDArray[np.float64]:
    """Adult blood volume in mL by Nadler's formula (Nadler et al. 1962).

    ``BV [L] = a * height_m**3 + b * weight_kg + c``, ``(a, b, c)`` by ``sex``
    (``"man"`` or ``"woman"``); height in m, in (0, 3], weight in kg, in (0, 300].
    """
    height = check("height_m", height_m)
    weight = check("weight_kg", weight_kg)
    a, b, c = _NADLER[check_choice("sex", sex, tuple(_NADLER))]
    return (a * height**3 + b * weight + c) * 1000.0


def circulating_blasts(
    *,
    blast_fraction: ArrayLike,
    blood_volume_ml: ArrayLike,
    wbc_giga_per_l: ArrayLike | None = None,
    wbc_cells_per_ul: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """Blasts in the circulation, in cells: ``WBC [cells/mL] * blast_fraction * blood_volume_ml``.

    ``blast_fraction`` in [0, 1], ``blood_volume_ml`` in mL, in (0, 45000]; the
    white-cell count given exactly once, in (0, 2000] x 10^9/L or in (0, 2e6] /uL.
    """
    if (wbc_giga_per_l is None) == (wbc_cells_per_ul is None):
        raise TypeError(
            "give the white-cell count exactly once, as wbc_giga_per_l (10^9 cells/L) or "
            f"wbc_cells_per_ul (cells/uL); got wbc_giga_per_l={wbc_giga_per_l!r}, "
            f"wbc_cells_per_ul={wbc_cells_per_ul!r}"
        )
    per_ul = check("wbc_cells_per_ul", wbc_cells_per_ul) if wbc_giga_per_l is None else wbc_cells_per_ul_from_giga_per_l(wbc_giga_per_l)
    fraction = check("blood_blast_fraction", blast_fraction, as_name="blast_fraction")
    volume = check("blood_volume_ml", blood_volume_ml)
    return per_ul * _UL_PER_ML * volume * fraction


def normal_cellularity_fraction(age_years: ArrayLike) -> NDArray[np.float64]:
    """Rule-of-thumb normal marrow cellularity, a fraction: ``(100 - age_years) / 100``, age in [0, 100].

    A crude rule: measured adult cellularity falls about 3% per decade, with a
    90% reference interval of 30% to 75% (Wong et al. 2024); prefer a measured one.
    """
    return (100.0 - check("age_years", age_years)) / 100.0


def marrow_nucleated_cells(
    weight_kg: ArrayLike, *, cells_per_kg: ArrayLike = MARROW_NUCLEATED_CELLS_PER_KG
) -> NDArray[np.float64]:
    """Nucleated cells of a marrow of normal cellularity: ``weight_kg * cells_per_kg`` (the field ``marrow_cells_per_kg``)."""
    return check("weight_kg", weight_kg) * check("marrow_cells_per_kg", cells_per_kg, as_name="cells_per_kg")


def marrow_blasts(
    *,
    weight_kg: ArrayLike,
    cellularity_fraction: ArrayLike,
    infiltration_fraction: ArrayLike,
    normal_cellularity_fraction: ArrayLike,
    cells_per_kg: ArrayLike = MARROW_NUCLEATED_CELLS_PER_KG,
) -> NDArray[np.float64]:
    """Blasts in the marrow, in cells, assuming uniform involvement (see :mod:`cartmodel.burden`).

    ``weight_kg * cells_per_kg * (cellularity_fraction / normal_cellularity_fraction) * infiltration_fraction``.
    """
    cells = marrow_nucleated_cells(weight_kg, cells_per_kg=cells_per_kg)
    cellularity = check("marrow_cellularity_fraction", cellularity_fraction, as_name="cellularity_fraction")
    infiltration = check("marrow_infiltration_fraction", infiltration_fraction, as_name="infiltration_fraction")
    normal = check("normal_cellularity_fraction", normal_cellularity_fraction)
    return cells * (cellularity / normal) * infiltration


def total_blasts(circulating_blasts: ArrayLike, marrow_blasts: ArrayLike) -> NDArray[np.float64]:
    """Blasts in blood and marrow together, in cells (both inputs in [0, 1e15])."""
    return check("blasts", circulating_blasts, as_name="circulating_blasts") + check("blasts", marrow_blasts, as_name="marrow_blasts")


def antigen_burden_molecules(
    blasts: ArrayLike, *, molecules_per_blast: ArrayLike = CD19_MOLECULES_PER_BLAST
) -> NDArray[np.float64]:
    """Antigen molecules on ``blasts`` cells (in [0, 1e15]): ``blasts * molecules_per_blast`` (field ``antigen_molecules_per_blast``)."""
    return check("blasts", blasts) * check("antigen_molecules_per_blast", molecules_per_blast, as_name="molecules_per_blast")


def p_from_antigen(
    antigen_molecules: ArrayLike, *, reference_antigen_molecules: ArrayLike = REFERENCE_ANTIGEN_MOLECULES
) -> NDArray[np.float64]:
    """Equation 1's dimensionless ``P = antigen_molecules / reference_antigen_molecules`` (in [0, 1e21] and > 0)."""
    return check("antigen_molecules", antigen_molecules) / _reference(reference_antigen_molecules)


def antigen_from_p(
    P: ArrayLike, *, reference_antigen_molecules: ArrayLike = REFERENCE_ANTIGEN_MOLECULES
) -> NDArray[np.float64]:
    """Inverse of :func:`p_from_antigen`: ``P * reference``, in antigen molecules."""
    return as_real_array("P", P, low=0.0, unit="dimensionless") * _reference(reference_antigen_molecules)


def _reference(value: ArrayLike) -> NDArray[np.float64]:
    return as_real_array("reference_antigen_molecules", value, low=0.0, low_open=True, unit="molecules")


@dataclass(frozen=True)
class AllPatient:
    """Inputs of the burden estimate for one patient at one time point.

    Numeric fields may be arrays, which broadcast together (many variants of the patient).

    Attributes
    ----------
    weight_kg, wbc_giga_per_l : float
        Body weight in kg, in (0, 300], and white-cell count in 10^9 cells/L, in (0, 2000].
    blood_blast_fraction : float
        Fraction of white cells that are blasts, in [0, 1].
    marrow_cellularity_fraction, marrow_infiltration_fraction : float
        Cellular fraction of the marrow space, and blast fraction of the
        nucleated marrow cells (biopsy), in [0, 1].
    normal_cellularity_fraction : float
        Normal marrow cellularity for the patient's age, in [0.05, 1].
    blood_volume_ml_per_kg : float
        Blood volume per kg in mL/kg, in [30, 150] (default an adult man's).
    marrow_cells_per_kg, antigen_molecules_per_blast : float
        Nucleated cells per kg of a normally cellular marrow, in [1e9, 1e11] (default Harrison 1962),
        and antigen molecules per blast, in [0, 1e6] (default CD19, Ginaldi et al. 1998).
    antigen, label : str
        Names of the antigen and of the case, for labels only.
    """

    weight_kg: ArrayLike
    wbc_giga_per_l: ArrayLike
    blood_blast_fraction: ArrayLike
    marrow_cellularity_fraction: ArrayLike
    marrow_infiltration_fraction: ArrayLike
    normal_cellularity_fraction: ArrayLike
    blood_volume_ml_per_kg: ArrayLike = BLOOD_VOLUME_ML_PER_KG["man"]
    marrow_cells_per_kg: ArrayLike = MARROW_NUCLEATED_CELLS_PER_KG
    antigen_molecules_per_blast: ArrayLike = CD19_MOLECULES_PER_BLAST
    antigen: str = "CD19"
    label: str = ""

    NUMERIC_FIELDS: ClassVar[tuple[str, ...]] = (
        "weight_kg", "wbc_giga_per_l", "blood_blast_fraction", "marrow_cellularity_fraction",
        "marrow_infiltration_fraction", "normal_cellularity_fraction", "blood_volume_ml_per_kg",
        "marrow_cells_per_kg", "antigen_molecules_per_blast",
    )

    def __post_init__(self) -> None:
        for name in self.NUMERIC_FIELDS:
            object.__setattr__(self, name, check(name, getattr(self, name)))
        for name in ("antigen", "label"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"{name} must be a string; got {getattr(self, name)!r}")

    def replace(self, **changes: Any) -> AllPatient:
        """A copy with some fields changed (and checked again)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def checked(cls, patient: Any, *, scalar_for: str = "", fields: tuple[str, ...] | None = None) -> AllPatient:
        """``patient`` itself, if it is an :class:`AllPatient`; else :class:`TypeError`.

        With ``scalar_for`` (what needs scalars, for the message), its numeric
        ``fields`` (default: all) must also be scalars; else :class:`ValueError`.
        """
        check_instance("patient", patient, cls)
        for name in (cls.NUMERIC_FIELDS if fields is None else fields) if scalar_for else ():
            if np.ndim(getattr(patient, name)):
                raise ValueError(f"patient.{name} must be a scalar for {scalar_for}; got an array")
        return patient


@dataclass(frozen=True)
class BurdenEstimate:
    """The result of :func:`estimate_burden`, arrays broadcast over the inputs.

    Blood volume in mL; blasts in the blood, the marrow and both, in cells; antigen burden in molecules.
    """

    blood_volume_ml: NDArray[np.float64]
    circulating_blasts: NDArray[np.float64]
    marrow_blasts: NDArray[np.float64]
    total_blasts: NDArray[np.float64]
    antigen_molecules: NDArray[np.float64]

    @property
    def marrow_share(self) -> NDArray[np.float64]:
        """Fraction of all blasts that sit in the marrow (NaN-free, 0 when there are none)."""
        total = self.total_blasts
        return np.divide(self.marrow_blasts, total, out=np.zeros(np.shape(total)), where=total > 0)

    def P(self, reference_antigen_molecules: ArrayLike = REFERENCE_ANTIGEN_MOLECULES) -> NDArray[np.float64]:
        """Equation 1's ``P`` for this burden (see :func:`p_from_antigen`)."""
        return p_from_antigen(self.antigen_molecules, reference_antigen_molecules=reference_antigen_molecules)


def estimate_burden(patient: AllPatient) -> BurdenEstimate:
    """Blasts and antigen burden of an :class:`AllPatient` (or a broadcast array of variants).

    >>> child = AllPatient(weight_kg=20, wbc_giga_per_l=40, blood_blast_fraction=0.8,
    ...                    marrow_cellularity_fraction=0.95, marrow_infiltration_fraction=0.85,
    ...                    normal_cellularity_fraction=0.95,
    ...                    blood_volume_ml_per_kg=BLOOD_VOLUME_ML_PER_KG["child"])
    >>> f"{float(estimate_burden(child).total_blasts):.3g}"
    '2.26e+11'
    """
    AllPatient.checked(patient)
    volume = blood_volume_ml(patient.weight_kg, ml_per_kg=patient.blood_volume_ml_per_kg)
    blood = circulating_blasts(
        wbc_giga_per_l=patient.wbc_giga_per_l,
        blast_fraction=patient.blood_blast_fraction,
        blood_volume_ml=volume,
    )
    marrow = marrow_blasts(
        weight_kg=patient.weight_kg,
        cellularity_fraction=patient.marrow_cellularity_fraction,
        infiltration_fraction=patient.marrow_infiltration_fraction,
        normal_cellularity_fraction=patient.normal_cellularity_fraction,
        cells_per_kg=patient.marrow_cells_per_kg,
    )
    blasts = total_blasts(blood, marrow)
    antigen = antigen_burden_molecules(blasts, molecules_per_blast=patient.antigen_molecules_per_blast)
    return BurdenEstimate(*(np.array(part) for part in np.broadcast_arrays(volume, blood, marrow, blasts, antigen)))


#: The book's two illustrative patients at a typical relapse of B-ALL: a 6-year-old child
#: of 20 kg and a 45-year-old man of 75 kg.
EXAMPLE_PATIENTS: Mapping[str, AllPatient] = MappingProxyType({
    "child, relapse": AllPatient(
        weight_kg=20, wbc_giga_per_l=40, blood_blast_fraction=0.80,
        marrow_cellularity_fraction=0.95, marrow_infiltration_fraction=0.85,
        normal_cellularity_fraction=float(normal_cellularity_fraction(6)),
        blood_volume_ml_per_kg=BLOOD_VOLUME_ML_PER_KG["child"], label="child, relapse",
    ),
    "adult, relapse": AllPatient(
        weight_kg=75, wbc_giga_per_l=25, blood_blast_fraction=0.60,
        marrow_cellularity_fraction=0.90, marrow_infiltration_fraction=0.70,
        normal_cellularity_fraction=float(normal_cellularity_fraction(45)),
        blood_volume_ml_per_kg=BLOOD_VOLUME_ML_PER_KG["man"], label="adult, relapse",
    ),
})


def age_group(age_years: ArrayLike) -> NDArray[np.str_]:
    """``"child"`` below :data:`ADULT_AGE_YEARS`, ``"adult"`` from it, for each age in years (in [0, 100])."""
    return np.where(check("age_years", age_years) < ADULT_AGE_YEARS, "child", "adult")


def patient_from_measurements(
    *,
    weight_kg: ArrayLike,
    age_years: ArrayLike,
    sex: str,
    wbc_giga_per_l: ArrayLike,
    blood_blast_fraction: ArrayLike,
    marrow_infiltration_fraction: ArrayLike,
    marrow_cellularity_fraction: ArrayLike,
    antigen_molecules_per_blast: ArrayLike = CD19_MOLECULES_PER_BLAST,
    label: str = "",
) -> AllPatient:
    """The :class:`AllPatient` of a blood count, a marrow biopsy, weight, age (in [0, 95]) and sex.

    With the book's conventions (those of the in-browser burden explorer): the normal
    cellularity of :func:`normal_cellularity_fraction`, Harrison's marrow cells per kg,
    the blood volume per kg of a child below :data:`ADULT_AGE_YEARS` and of a ``"man"``
    or ``"woman"`` from it.

    >>> adult = patient_from_measurements(weight_kg=75, age_years=45, sex="man", wbc_giga_per_l=25,
    ...                                   blood_blast_fraction=0.6, marrow_infiltration_fraction=0.7,
    ...                                   marrow_cellularity_fraction=0.9)
    >>> float(estimate_burden(adult).P()) == float(estimate_burden(EXAMPLE_PATIENTS["adult, relapse"]).P())
    True
    """
    chosen = check_choice("sex", sex, ("man", "woman"))
    normal = normal_cellularity_fraction(age_years)
    lowest = float(PARAMETERS["normal_cellularity_fraction"].low or 0.0)
    if np.any(normal < lowest):
        raise ValueError(
            f"age_years (years) must be in [0, {100.0 * (1.0 - lowest):g}] for the rule of thumb of normal cellularity, which gives "
            f"less than {lowest:.0%} above it; got {float(np.max(np.asarray(age_years, dtype=float)))!r}"
        )
    per_kg = np.where(age_group(age_years) == "child", BLOOD_VOLUME_ML_PER_KG["child"], BLOOD_VOLUME_ML_PER_KG[chosen])
    return AllPatient(
        weight_kg=weight_kg, wbc_giga_per_l=wbc_giga_per_l, blood_blast_fraction=blood_blast_fraction,
        marrow_cellularity_fraction=marrow_cellularity_fraction,
        marrow_infiltration_fraction=marrow_infiltration_fraction,
        normal_cellularity_fraction=normal,
        blood_volume_ml_per_kg=per_kg if per_kg.ndim else float(per_kg),
        antigen_molecules_per_blast=antigen_molecules_per_blast, label=label,
    )


def marrow_blast_share(patient: AllPatient, net_decline: ArrayLike, day: ArrayLike) -> NDArray[np.float64]:
    """Blasts among the nucleated marrow cells after the tumour has fallen for ``day`` days (>= 0).

    The patient's marrow blasts fall as ``exp(-net_decline * day)`` (``net_decline``
    per day, >= 0: Equation 1's ``r - q``) while the normal cells stay, so the share,
    a fraction in [0, 1] broadcast over the inputs, starts at the infiltration fraction.
    """
    AllPatient.checked(patient)
    rate = as_real_array("net_decline", net_decline, low=0.0, unit="per day")
    days = as_real_array("day", day, low=0.0, unit="days")
    infiltration = np.asarray(patient.marrow_infiltration_fraction, dtype=float)  # already checked: typed for mypy
    left = infiltration * np.exp(-rate * days)
    total = left + (1.0 - infiltration)
    # total is 0 only for a marrow of blasts alone, which stays all blasts however few are left
    return np.divide(left, total, out=np.ones(np.broadcast(left, total).shape), where=total > 0)


def blasts_left_for_share(patient: AllPatient, share: ArrayLike) -> NDArray[np.float64]:
    """The fraction of the patient's blasts left when they are ``share`` (in (0, 1)) of the marrow's nucleated cells.

    The inverse of :func:`marrow_blast_share`: ``s (1 - i) / (i (1 - s))`` for
    infiltration ``i`` in (0, 1) (1 or more where ``s`` is not below ``i``).

    >>> child = EXAMPLE_PATIENTS["child, relapse"]
    >>> round(float(marrow_blast_share(child, 1.0, float(-np.log(blasts_left_for_share(child, 0.05))))), 9)
    0.05
    """
    AllPatient.checked(patient)
    s = as_real_array("share", share, low=0.0, high=1.0, low_open=True, high_open=True)
    i = float(np.asarray(patient.marrow_infiltration_fraction))
    if not 0.0 < i < 1.0:
        raise ValueError(f"the patient's marrow_infiltration_fraction must be in (0, 1); got {i!r}")
    return s * (1.0 - i) / (i * (1.0 - s))
