"""How likely is a GVHD-free response to a donor lymphocyte infusion?

Toor et al. (2019) write it as ``rho_R = rho_P * rho_T``: the chance that the
target antigen is presented times the chance that the infusion holds the
relevant (tumour-directed) clones; their example is ``0.2 * 0.2 = 0.04``.  This
module gives the closed forms and a Monte Carlo that draws DLIs from a
:class:`~cartmodel.repertoire.Repertoire` and runs them through Equation 2: a
consistency check of the code, which reproduces the product by construction.
Its choices (the paper fixes none): a DLI of ``D`` cells is ``D`` independent
draws from the donor's cells; the tumour peptides are presented, or not,
together, with probability ``rho_P``, independently of the DLI; a response is a
tumour-directed clone of the DLI that reaches ``response_cells`` within the
horizon, and a clone is *relevant* if it does so from one presented cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import as_real_array, as_real_scalar, check_choice, check_instance, check_positive_int, rng_from_seed
from .equation2 import DEFAULT_SETTINGS, Equation2Settings, expand_checked
from .repertoire import Repertoire

__all__ = [
    "PAPER_RESPONSE_EXAMPLE",
    "PRESENTATION_MODES",
    "DLITrial",
    "capture_probability",
    "cumulative_response_probability",
    "dose_for_capture",
    "relevant_clones",
    "response_probability",
    "simulate_dli_trial",
]

#: The paper's worked example, with ``rho_T`` = 20% at the lowest DLI dose level and
#: ``rho_P`` = 20% for a tumour peptide competing with normal-tissue peptides.
PAPER_RESPONSE_EXAMPLE = MappingProxyType({"rho_p": 0.2, "rho_t": 0.2})

#: Whether the tumour peptides' presentation is drawn afresh for each infusion
#: or once per patient (see :func:`simulate_dli_trial`).
PRESENTATION_MODES: tuple[str, ...] = ("per_infusion", "per_patient")


def _probability(name: str, value: Any) -> NDArray[np.float64]:
    return as_real_array(name, value, low=0.0, high=1.0)


def _one_minus_power(p: NDArray[np.float64], n: NDArray[np.float64]) -> NDArray[np.float64]:
    """``1 - (1 - p) ** n`` for p in [0, 1] and n >= 0, accurate for tiny ``p`` (0 when n == 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        value = -np.expm1(n * np.log1p(-p))  # log1p(-1) = -inf; 0 * -inf = nan
    return np.where(n == 0, 0.0, np.where(p >= 1.0, 1.0, value))


def response_probability(rho_p: ArrayLike, rho_t: ArrayLike) -> NDArray[np.float64]:
    """``rho_R = rho_P * rho_T``: chance of a GVHD-free response to one DLI.

    Parameters
    ----------
    rho_p, rho_t : float or array_like
        Chances that the target antigen is presented and that the DLI holds
        relevant clones, each in [0, 1].

    Returns
    -------
    numpy.ndarray
        Broadcast product, in [0, 1].

    Examples
    --------
    >>> round(float(response_probability(0.2, 0.2)), 12)  # the paper's example
    0.04
    """
    return _probability("rho_p", rho_p) * _probability("rho_t", rho_t)


def cumulative_response_probability(rho_r: ArrayLike, infusions: ArrayLike) -> NDArray[np.float64]:
    """Chance of at least one response in ``n`` independent infusions, ``1 - (1 - rho_R) ** n``.

    ``rho_r``, the chance of a response to one infusion, in [0, 1], broadcasts
    with ``infusions``, whole numbers >= 0.
    """
    rho = _probability("rho_r", rho_r)
    n = as_real_array("infusions", infusions, low=0.0)
    if np.any(n != np.round(n)):
        raise ValueError(f"infusions must be whole numbers >= 0; got {n[n != np.round(n)].flat[0]!r}")
    return _one_minus_power(rho, n)


def capture_probability(frequency: ArrayLike, dose_cells: ArrayLike) -> NDArray[np.float64]:
    """Chance ``1 - (1 - f) ** D`` that a DLI of ``D`` cells holds a clone of frequency ``f``.

    ``frequency`` ``f``, the share of the donor's T cells in the clone(s), in
    [0, 1], broadcasts with ``dose_cells``, cells infused, >= 0.
    """
    f = _probability("frequency", frequency)
    dose = as_real_array("dose_cells", dose_cells, low=0.0, unit="cells")
    return _one_minus_power(f, dose)


def dose_for_capture(frequency: ArrayLike, rho_t: ArrayLike) -> NDArray[np.float64]:
    """Cells ``D = ln(1 - rho_T) / ln(1 - f)`` a DLI needs to hold a clone of frequency ``f`` with probability ``rho_T``.

    The inverse of :func:`capture_probability`, not rounded, for ``frequency``
    in (0, 1) and ``rho_t`` in [0, 1).
    """
    f = as_real_array("frequency", frequency, low=0.0, high=1.0, low_open=True, high_open=True)
    rho = as_real_array("rho_t", rho_t, low=0.0, high=1.0, high_open=True)
    with np.errstate(over="ignore"):  # clones rarer than about 1e-308 need more cells than float64 holds
        dose = np.log1p(-rho) / np.log1p(-f)
    if not np.all(np.isfinite(dose)):
        rare = float(np.broadcast_to(f, dose.shape)[~np.isfinite(dose)].flat[0])
        raise ValueError(f"frequency is too small: the dose that captures such a clone exceeds float64's range; got {rare!r}")
    return dose


@dataclass(frozen=True)
class DLITrial:
    """The result of :func:`simulate_dli_trial`.

    ``responded``: GVHD-free response of each patient, bool ``(patients,)``;
    ``presented``, ``captured``: tumour peptides presented, and a relevant clone
    infused, bool ``(patients, infusions)``; ``rho_p`` as given and ``rho_t =
    1 - (1 - f_relevant) ** D``; ``infusions`` and ``presentation`` as given.
    """

    responded: NDArray[np.bool_]
    presented: NDArray[np.bool_]
    captured: NDArray[np.bool_]
    rho_p: float
    rho_t: float
    infusions: int
    presentation: str

    @property
    def patients(self) -> int:
        """Number of simulated patients."""
        return int(self.responded.size)

    @property
    def rate(self) -> float:
        """Share of patients with a GVHD-free response."""
        return float(self.responded.mean())

    @property
    def expected(self) -> float:
        """Closed form: ``1 - (1 - rho_P rho_T) ** n`` per infusion, ``rho_P (1 - (1 - rho_T) ** n)`` per patient."""
        if self.presentation == "per_infusion":
            return 1.0 - (1.0 - self.rho_p * self.rho_t) ** self.infusions
        return self.rho_p * (1.0 - (1.0 - self.rho_t) ** self.infusions)

    @property
    def standard_error(self) -> float:
        """Binomial standard error of ``rate`` about ``expected``: ``sqrt(p (1 - p) / patients)``."""
        p = self.expected
        return float(np.sqrt(p * (1.0 - p) / self.patients))


def _response_threshold(response_cells: Any) -> float:
    return as_real_scalar("response_cells", response_cells, low=0.0, low_open=True, unit="cells")


def _relevant(repertoire: Repertoire, threshold: float, settings: Equation2Settings) -> NDArray[np.bool_]:
    relevant = np.zeros(repertoire.n_clones, dtype=bool)
    clones = np.flatnonzero(repertoire.tumour_directed)
    if clones.size:
        peaks = expand_checked(repertoire, clones, np.ones(clones.size), np.asarray(True), settings).cells.max(axis=-1)
        relevant[clones] = peaks >= threshold
    return relevant


def relevant_clones(
    repertoire: Repertoire,
    *,
    response_cells: float = 1e3,
    settings: Equation2Settings = DEFAULT_SETTINGS,
) -> NDArray[np.bool_]:
    """Tumour-directed clones that reach ``response_cells`` within the horizon from one presented cell.

    ``response_cells`` > 0; ``settings`` as in :func:`cartmodel.expand_repertoire`.
    Returns bool ``(n_clones,)``, False for every clone directed at normal tissue.
    """
    check_instance("repertoire", repertoire, Repertoire)
    check_instance("settings", settings, Equation2Settings)
    return _relevant(repertoire, _response_threshold(response_cells), settings)


def simulate_dli_trial(
    repertoire: Repertoire,
    *,
    dose_cells: int,
    rho_p: float,
    patients: int,
    seed: int | np.random.Generator,
    infusions: int = 1,
    presentation: str = "per_infusion",
    response_cells: float = 1e3,
    settings: Equation2Settings = DEFAULT_SETTINGS,
) -> DLITrial:
    """Monte Carlo: many simulated DLIs, each run through Equation 2 (choices: module docstring).

    Infusions are independent draws and are not added to one another.

    Parameters
    ----------
    dose_cells : int
        Cells per infusion, >= 1.
    rho_p : float
        Chance that the tumour peptides are presented, in [0, 1].
    patients : int
        Simulated patients, >= 1.
    seed : int or numpy.random.Generator
        Seed (>= 0) of a new generator, or a generator to draw from.
    infusions : int
        Infusions per patient, >= 1.
    presentation : {"per_infusion", "per_patient"}
        Draw presentation afresh for each infusion (the independence behind
        ``1 - (1 - rho_R) ** n``) or once per patient (a property of the tumour).
    response_cells, settings
        As in :func:`relevant_clones`.
    """
    check_instance("repertoire", repertoire, Repertoire)
    check_instance("settings", settings, Equation2Settings)
    dose = check_positive_int("dose_cells", dose_cells)
    rho = as_real_scalar("rho_p", rho_p, low=0.0, high=1.0)
    n_patients = check_positive_int("patients", patients)
    n_infusions = check_positive_int("infusions", infusions)
    mode = check_choice("presentation", presentation, PRESENTATION_MODES)
    threshold = _response_threshold(response_cells)
    rng = rng_from_seed(seed)

    relevant = _relevant(repertoire, threshold, settings)
    rho_t = float(capture_probability(min(float(repertoire.frequencies[relevant].sum()), 1.0), dose))
    tumour_clones = np.flatnonzero(repertoire.tumour_directed)
    counts = _infused_counts(repertoire.frequencies[tumour_clones], dose, (n_patients, n_infusions), rng)
    shape = (n_patients, n_infusions) if mode == "per_infusion" else (n_patients, 1)
    presented = np.broadcast_to(rng.random(shape) < rho, (n_patients, n_infusions))
    return DLITrial(
        responded=_responded(repertoire, tumour_clones, counts, presented, threshold, settings),
        presented=np.array(presented),
        captured=np.asarray((counts[..., relevant[tumour_clones]] > 0).any(axis=-1)),
        rho_p=rho,
        rho_t=rho_t,
        infusions=n_infusions,
        presentation=mode,
    )


def _infused_counts(
    tumour_frequencies: NDArray[np.float64], dose: int, size: tuple[int, int], rng: np.random.Generator
) -> NDArray[np.int64]:
    """Cells of each tumour-directed clone per infusion: a multinomial of ``dose`` cells (others dropped)."""
    pvals = np.append(tumour_frequencies, max(0.0, 1.0 - float(tumour_frequencies.sum())))
    pvals /= pvals.sum()
    return rng.multinomial(dose, pvals, size=size)[..., :-1]


def _responded(
    repertoire: Repertoire,
    tumour_clones: NDArray[np.intp],
    counts: NDArray[np.int64],
    presented: NDArray[np.bool_],
    threshold: float,
    settings: Equation2Settings,
) -> NDArray[np.bool_]:
    """Whether, in some infusion with the peptides presented, an infused tumour-directed clone reached ``threshold``."""
    patient, infusion, column = np.nonzero(counts)
    clones = tumour_clones[column]
    responded = np.zeros(counts.shape[0], dtype=bool)
    if clones.size:
        shown = presented[patient, infusion]
        peaks = expand_checked(repertoire, clones, counts[patient, infusion, column].astype(float), shown, settings).cells.max(axis=-1)
        responded[patient[shown & (peaks >= threshold)]] = True
    return responded
