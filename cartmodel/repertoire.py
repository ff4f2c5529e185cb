"""The donor T cell repertoire that Equation 2 of Toor et al. (2019) runs on: clones and their peptides.

Each donor clone ``i`` (size in cells, TCR affinity ``Z_i``) recognises one
peptide ``j`` the recipient presents on HLA (binding ``B_j = 1 / IC50_j``,
expression ``P_j``: parent-protein expression times the cell mass expressing
it); some peptides are tumour-associated.  The paper does not fix the
repertoire: :func:`draw_repertoire` and :func:`draw_peptides` draw one.  Clones
that recognise nothing presented would not expand and are left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import as_real_scalar, as_real_vector, check_instance, check_positive_int, read_only, rng_from_seed
from .model import affinity_from_ic50

__all__ = [
    "PeptideLibrary",
    "PowerLawFit",
    "Repertoire",
    "draw_peptides",
    "draw_repertoire",
    "fit_power_law_exponent",
    "rank_frequency",
]

#: Smallest power-law exponent accepted by the samplers.  Exponents in (1, 1.1)
#: are normalisable but put the largest of a million draws beyond float64's range.
MIN_SAMPLING_EXPONENT = 1.1


# --------------------------------------------------------------------------
# data


@dataclass(frozen=True)
class PeptideLibrary:
    """The peptides a recipient presents on HLA, one entry each, shape ``(m,)``.

    ``ic50_nm``: HLA-binding IC50 in nM, > 0; ``expression``: ``P_j`` in the
    antigen units of Equation 1's ``P``, > 0; ``tumour``: True for
    tumour-associated, False for normal-tissue (GVHD-directed) peptides.
    """

    ic50_nm: NDArray[np.float64]
    expression: NDArray[np.float64]
    tumour: NDArray[np.bool_]

    def __post_init__(self) -> None:
        ic50 = as_real_vector("ic50_nm", self.ic50_nm, low=0.0, low_open=True, unit="nM")
        expression = as_real_vector("expression", self.expression, low=0.0, low_open=True, unit="antigen units")
        tumour = np.asarray(self.tumour)
        if tumour.dtype != np.bool_:
            raise TypeError(f"tumour must be an array of booleans; got dtype {tumour.dtype}")
        if not (ic50.shape == expression.shape == tumour.shape):
            raise ValueError(
                "ic50_nm, expression and tumour must have one entry per peptide; got shapes "
                f"{ic50.shape}, {expression.shape} and {tumour.shape}"
            )
        object.__setattr__(self, "ic50_nm", read_only(ic50))
        object.__setattr__(self, "expression", read_only(expression))
        object.__setattr__(self, "tumour", read_only(tumour))

    @property
    def n_peptides(self) -> int:
        """Number of presented peptides."""
        return int(self.ic50_nm.size)

    @property
    def affinity(self) -> NDArray[np.float64]:
        """``B_j = (1 nM) / IC50_j``, dimensionless, as for a CAR's scFv (see :func:`cartmodel.affinity_from_ic50`)."""
        return affinity_from_ic50(self.ic50_nm)


@dataclass(frozen=True)
class Repertoire:
    """Donor T cell clones, each recognising one presented peptide of ``peptides`` (a :class:`PeptideLibrary`).

    Per clone, shape ``(n,)``: ``sizes``, cells, > 0 (Equation 2's starting
    counts); ``affinity`` ``Z_i``, the TCR's affinity for the peptide-HLA
    complex relative to the CAR's scFv, dimensionless, > 0; ``peptide``, the
    index of its peptide in ``peptides``.
    """

    sizes: NDArray[np.float64]
    affinity: NDArray[np.float64]
    peptide: NDArray[np.intp]
    peptides: PeptideLibrary

    def __post_init__(self) -> None:
        check_instance("peptides", self.peptides, PeptideLibrary)
        sizes = as_real_vector("sizes", self.sizes, low=0.0, low_open=True, unit="cells")
        affinity = as_real_vector("affinity", self.affinity, low=0.0, low_open=True)
        peptide = np.asarray(self.peptide)
        if peptide.dtype.kind not in "iu":
            raise TypeError(f"peptide must be an array of integer indices; got dtype {peptide.dtype}")
        if not (sizes.shape == affinity.shape == peptide.shape):
            raise ValueError(
                f"sizes, affinity and peptide must have one entry per clone; got shapes {sizes.shape}, {affinity.shape} and {peptide.shape}"
            )
        m = self.peptides.n_peptides
        if peptide.min() < 0 or peptide.max() >= m:
            bad = int(peptide[(peptide < 0) | (peptide >= m)][0])
            raise ValueError(f"peptide indices must lie in [0, {m - 1}] (the peptide library); got {bad}")
        object.__setattr__(self, "sizes", read_only(sizes))
        object.__setattr__(self, "affinity", read_only(affinity))
        object.__setattr__(self, "peptide", read_only(peptide.astype(np.intp)))

    @property
    def n_clones(self) -> int:
        """Number of clones."""
        return int(self.sizes.size)

    @property
    def frequencies(self) -> NDArray[np.float64]:
        """Share of the repertoire's cells in each clone (sums to 1)."""
        return self.sizes / self.sizes.sum()

    @property
    def tumour_directed(self) -> NDArray[np.bool_]:
        """True for clones whose peptide is tumour-associated."""
        return self.peptides.tumour[self.peptide]

    @property
    def peptide_affinity(self) -> NDArray[np.float64]:
        """``B_j`` of each clone's peptide, dimensionless, shape ``(n,)``."""
        return self.peptides.affinity[self.peptide]

    @property
    def peptide_expression(self) -> NDArray[np.float64]:
        """``P_j`` of each clone's peptide, shape ``(n,)``."""
        return self.peptides.expression[self.peptide]


@dataclass(frozen=True)
class PowerLawFit:
    """:func:`fit_power_law_exponent`'s ``exponent`` and its ``standard_error``, from the ``n_tail`` values >= ``minimum``."""

    exponent: float
    standard_error: float
    minimum: float
    n_tail: int


# --------------------------------------------------------------------------
# drawing


def _check_exponent(name: str, value: Any) -> float:
    alpha = as_real_scalar(name, value)
    if alpha <= 1.0:
        raise ValueError(
            f"{name} must be > 1: a power law p(x) ∝ x**-{name} on [x_min, inf) can be normalised only for exponents above 1; got {alpha!r}"
        )
    if alpha < MIN_SAMPLING_EXPONENT:
        raise ValueError(
            f"{name} must be >= {MIN_SAMPLING_EXPONENT}: smaller exponents put the largest draws beyond float64's range; got {alpha!r}"
        )
    return alpha


def _check_range(name: str, value: Any, unit: str) -> tuple[float, float]:
    try:
        low, high = value
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a (low, high) pair; got {value!r}") from None
    low_ = as_real_scalar(f"{name}[0]", low, low=0.0, low_open=True, unit=unit)
    high_ = as_real_scalar(f"{name}[1]", high, low=low_, unit=unit)
    return low_, high_


def _pareto(rng: np.random.Generator, n: int, exponent: float, minimum: float) -> NDArray[np.float64]:
    """Inverse-CDF draws of the continuous power law with density ∝ x**-exponent, x >= minimum."""
    u = rng.random(n)  # in [0, 1), so 1 - u is in (0, 1]
    return minimum * (1.0 - u) ** (-1.0 / (exponent - 1.0))


def _log_uniform(rng: np.random.Generator, n: int, low: float, high: float) -> NDArray[np.float64]:
    return np.exp(rng.uniform(math.log(low), math.log(high), n)) if high > low else np.full(n, low)


def draw_peptides(
    n_peptides: int,
    *,
    seed: int | np.random.Generator,
    ic50_range_nm: tuple[float, float] = (1.0, 500.0),
    expression_range: tuple[float, float] = (0.1, 10.0),
    tumour_fraction: float = 0.02,
) -> PeptideLibrary:
    """Draw a library of presented peptides.

    Parameters
    ----------
    n_peptides : int
        Number of peptides, >= 1.
    seed : int or numpy.random.Generator
        Seed (>= 0) of a new generator, or a generator to draw from.
    ic50_range_nm : (float, float)
        Log-uniform range of HLA-binding IC50s in nM, 0 < low <= high (500 nM:
        the usual cut-off for a binder).
    expression_range : (float, float)
        Log-uniform range of ``P_j`` in antigen units, 0 < low <= high.
    tumour_fraction : float
        Share of tumour-associated peptides, in [0, 1]; ``round(tumour_fraction
        * n_peptides)`` of them, placed at random.
    """
    m = check_positive_int("n_peptides", n_peptides)
    rng = rng_from_seed(seed)
    ic50_low, ic50_high = _check_range("ic50_range_nm", ic50_range_nm, "nM")
    p_low, p_high = _check_range("expression_range", expression_range, "antigen units")
    share = as_real_scalar("tumour_fraction", tumour_fraction, low=0.0, high=1.0)
    ic50 = _log_uniform(rng, m, ic50_low, ic50_high)
    expression = _log_uniform(rng, m, p_low, p_high)
    tumour = np.zeros(m, dtype=bool)
    tumour[rng.permutation(m)[: round(share * m)]] = True
    return PeptideLibrary(ic50_nm=ic50, expression=expression, tumour=tumour)


def draw_repertoire(
    n_clones: int,
    *,
    seed: int | np.random.Generator,
    size_exponent: float = 2.5,
    min_size_cells: float = 1.0,
    affinity_exponent: float = 2.5,
    min_affinity: float = 1e-3,
    peptides: PeptideLibrary | None = None,
    n_peptides: int = 1000,
) -> Repertoire:
    """Draw a donor repertoire: power-law clone sizes and TCR affinities.

    Each clone independently: size ``s`` from ``p(s) = (alpha - 1) / s_min * (s
    / s_min) ** -alpha`` (``s >= s_min``), affinity ``Z`` from the same kind of
    law, its peptide uniformly from the library.

    Parameters
    ----------
    n_clones : int
        Number of clones, >= 1.
    seed
        As in :func:`draw_peptides`.
    size_exponent, affinity_exponent : float
        Power-law exponents ``alpha``, >= 1.1 (normalisable and samplable in float64).
    min_size_cells : float
        Smallest clone, in cells, > 0.
    min_affinity : float
        Smallest TCR affinity ``Z``, dimensionless, > 0.
    peptides : PeptideLibrary, optional
        Default: ``draw_peptides(n_peptides, seed=rng)``, drawn first.
    n_peptides : int
        Size of the default library.
    """
    n = check_positive_int("n_clones", n_clones)
    size_alpha = _check_exponent("size_exponent", size_exponent)
    affinity_alpha = _check_exponent("affinity_exponent", affinity_exponent)
    s_min = as_real_scalar("min_size_cells", min_size_cells, low=0.0, low_open=True, unit="cells")
    z_min = as_real_scalar("min_affinity", min_affinity, low=0.0, low_open=True)
    rng = rng_from_seed(seed)
    if peptides is None:
        peptides = draw_peptides(n_peptides, seed=rng)
    check_instance("peptides", peptides, PeptideLibrary)
    sizes = _pareto(rng, n, size_alpha, s_min)
    affinity = _pareto(rng, n, affinity_alpha, z_min)
    peptide = rng.integers(0, peptides.n_peptides, n)
    return Repertoire(sizes=sizes, affinity=affinity, peptide=peptide, peptides=peptides)


# --------------------------------------------------------------------------
# power laws


def rank_frequency(sizes: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Ranks ``1..n`` and each clone's share of all cells, largest first, of 1-D clone ``sizes`` (cells, > 0).

    For exponent ``alpha``, the share falls as ``rank ** (-1 / (alpha - 1))``.
    """
    values = as_real_vector("sizes", sizes, low=0.0, low_open=True, unit="cells")
    ordered = np.sort(values)[::-1]
    return np.arange(1, ordered.size + 1, dtype=float), ordered / ordered.sum()


def fit_power_law_exponent(values: ArrayLike, *, minimum: float) -> PowerLawFit:
    """Maximum-likelihood exponent of a continuous power law above ``minimum``.

    ``1 + n / sum(ln(x_i / x_min))`` over the ``n`` values at or above ``x_min``,
    standard error ``(alpha - 1) / sqrt(n)`` (Clauset, Shalizi and Newman 2009).

    ``values``: positive, 1-D (clone sizes, say); ``minimum`` ``x_min`` > 0,
    with at least two values at or above it, not all equal to it.
    """
    x = as_real_vector("values", values, low=0.0, low_open=True)
    x_min = as_real_scalar("minimum", minimum, low=0.0, low_open=True)
    tail = x[x >= x_min]
    log_sum = float(np.log(tail / x_min).sum())
    if tail.size < 2 or log_sum <= 0.0:
        raise ValueError(
            f"minimum must leave at least two values above it, not all equal to it; got minimum={x_min!r} "
            f"with {tail.size} values at or above it"
        )
    alpha = 1.0 + tail.size / log_sum
    return PowerLawFit(exponent=alpha, standard_error=(alpha - 1.0) / math.sqrt(tail.size), minimum=x_min, n_tail=int(tail.size))
