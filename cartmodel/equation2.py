"""Equation 2 of Toor et al. (2019): donor T cell clones expanding against HLA-bound peptides.

Equation 1 for one donor T cell clone ``i`` of a
:class:`~cartmodel.repertoire.Repertoire` (TCR affinity ``Z_i``) recognising
peptide ``j`` (HLA binding ``B_j = 1 / IC50_j``, expression ``P_j``).  Clones do
not compete; each grows by :mod:`cartmodel.engine`'s logistic step towards::

    K_ij = K * Z_i * B_j * P_j                      normal-tissue peptides
    K_ij = K * Z_i * B_j * (P_j e^{(q-r)t} + 1)     tumour-associated peptides
                                                    (with ``tumour_term=True``)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import as_real_array, as_real_scalar, check_choice, check_instance, read_only, rng_from_seed
from .engine import READINGS, capacity_from_tumour, iterate, time_grid, tumour_term
from .paper import FIGURE_1
from .parameters import DEFAULT_DAYS, PARAMETERS
from .repertoire import Repertoire

__all__ = [
    "Equation2Settings",
    "RepertoireExpansion",
    "TumourFractionSweep",
    "clone_capacity",
    "equation_2_settings",
    "expand_checked",
    "expand_clones",
    "expand_repertoire",
    "sweep_tumour_fraction",
]

_MAX_CELLS = 1e300
_MIN_CELLS = 1e-300


@dataclass(frozen=True, repr=False)
class Equation2Settings:
    """What every run of Equation 2 shares, checked once by :func:`equation_2_settings`.

    ``t`` is the read-only time grid ``0, dt, ..., days``.
    """

    K: float
    r: float
    q: float
    t: NDArray[np.float64]
    tumour_term: bool
    reading: str

    @property
    def days(self) -> float:
        """The horizon in days."""
        return float(self.t[-1])

    @property
    def dt(self) -> float:
        """The step length in days."""
        return float(self.t[1] - self.t[0])

    def __repr__(self) -> str:
        return (
            f"equation_2_settings(K={self.K!r}, r={self.r!r}, q={self.q!r}, days={self.days!r}, dt={self.dt!r}, "
            f"tumour_term={self.tumour_term!r}, reading={self.reading!r})"
        )


def equation_2_settings(
    *,
    K: float = FIGURE_1["K"],
    r: float = FIGURE_1["r"],
    q: float = FIGURE_1["q"],
    days: float = DEFAULT_DAYS,
    dt: float = 1.0,
    tumour_term: bool = True,
    reading: str = "exact",
) -> Equation2Settings:
    """The settings of Equation 2, checked once against the parameter table.

    Parameters
    ----------
    K, r, q, days, dt, reading
        As in :func:`cartmodel.simulate` (defaults: Figure 1 over 60 days).
    tumour_term : bool
        If True (default), tumour-associated peptides carry the tumour term
        (module docstring).

    Returns
    -------
    Equation2Settings

    Examples
    --------
    >>> settings = equation_2_settings(days=10)
    >>> settings.days, settings.r
    (10.0, 1.5)
    """
    if not isinstance(tumour_term, (bool, np.bool_)):
        raise TypeError(f"tumour_term must be True or False; got {tumour_term!r}")
    return Equation2Settings(
        K=as_real_scalar("K", K, **PARAMETERS["K"].limits),
        r=as_real_scalar("r", r, **PARAMETERS["r"].limits),
        q=as_real_scalar("q", q, **PARAMETERS["q"].limits),
        t=read_only(time_grid(days, dt)[0]),
        tumour_term=bool(tumour_term),
        reading=check_choice("reading", reading, READINGS),
    )


#: What the functions of Equation 2 use when given no ``settings``: the defaults of
#: :func:`equation_2_settings`, the paper's Figure 1 over 60 days.
DEFAULT_SETTINGS = equation_2_settings()


def _capacity_grid(
    repertoire: Repertoire,
    clones: NDArray[np.intp],
    tumour: NDArray[np.bool_],
    t: NDArray[np.float64],
    settings: Equation2Settings,
) -> NDArray[np.float64]:
    """Capacity of the listed clones (tumour-directed where ``tumour``) at times ``t``; shape (n, len(t))."""
    scale = settings.K * repertoire.affinity[clones] * repertoire.peptide_affinity[clones]
    expression = repertoire.peptide_expression[clones]
    cap = np.broadcast_to((scale * expression)[:, None], (clones.size, t.size)).copy()
    if settings.tumour_term and tumour.any():
        with np.errstate(over="ignore"):  # an infinite tumour term is refused just below
            decline = tumour_term(t, np.asarray(settings.r), np.asarray(settings.q), expression[tumour])
        if not np.all(np.isfinite(decline)):
            _check_capacity(np.array([np.inf]))
        cap[tumour] = capacity_from_tumour(decline, 1.0, scale[tumour], "capacity")
    return cap


def _check_capacity(cap: NDArray[np.float64]) -> None:
    if cap.size and (cap.max() > _MAX_CELLS or cap.min() < _MIN_CELLS):
        raise ValueError(
            "the capacity K * Z * B * P must stay between 1e-300 and 1e300 cells; "
            f"got values from {cap.min():.3g} to {cap.max():.3g}: change K, the affinities or the expressions"
        )


def clone_capacity(repertoire: Repertoire, t_days: ArrayLike, *, settings: Equation2Settings = DEFAULT_SETTINGS) -> NDArray[np.float64]:
    """Capacity ``K_ij`` of every clone of Equation 2 at the given times.

    ``t_days``: days, >= 0, a scalar or a 1-D grid; ``settings`` as in
    :func:`expand_repertoire`, but for its time grid.  Returns shape
    ``(n_clones, len(t))``; raises ValueError also if a capacity leaves 1e-300
    to 1e300 cells.
    """
    check_instance("repertoire", repertoire, Repertoire)
    check_instance("settings", settings, Equation2Settings)
    t = np.atleast_1d(as_real_array("t_days", t_days, low=0.0, unit="days"))
    if t.ndim != 1:
        raise ValueError(f"t_days must be a scalar or a one-dimensional grid; got shape {t.shape}")
    cap = _capacity_grid(repertoire, np.arange(repertoire.n_clones), repertoire.tumour_directed, t, settings)
    _check_capacity(cap)
    return cap


@dataclass(frozen=True)
class RepertoireExpansion:
    """The result of :func:`expand_repertoire`.

    ``t`` (days, ``(steps + 1,)``); ``cells`` and ``capacity`` ``K_ij`` of each
    clone, ``(n, steps + 1)``; ``tumour_directed``, bool ``(n,)``.
    """

    t: NDArray[np.float64]
    cells: NDArray[np.float64]
    capacity: NDArray[np.float64]
    tumour_directed: NDArray[np.bool_]

    @property
    def final(self) -> NDArray[np.float64]:
        """Cells of each clone on the last day."""
        return self.cells[:, -1]

    @property
    def tumour_cells(self) -> NDArray[np.float64]:
        """Cells in tumour-directed clones, shape ``(steps + 1,)``."""
        return self.cells[self.tumour_directed].sum(axis=0)

    @property
    def alloreactive_cells(self) -> NDArray[np.float64]:
        """Cells in clones directed at normal-tissue peptides (GVHD-directed)."""
        return self.cells[~self.tumour_directed].sum(axis=0)

    @property
    def tumour_share(self) -> NDArray[np.float64]:
        """Share of the repertoire's cells that is tumour-directed, over time."""
        return self.tumour_cells / self.cells.sum(axis=0)

    @property
    def alloreactive_share(self) -> NDArray[np.float64]:
        """Share of the repertoire's cells that is alloreactive, over time."""
        return self.alloreactive_cells / self.cells.sum(axis=0)


def expand_repertoire(repertoire: Repertoire, *, settings: Equation2Settings = DEFAULT_SETTINGS) -> RepertoireExpansion:
    """Iterate Equation 2 for every clone of a repertoire, each from its size.

    ``settings`` come from :func:`equation_2_settings` (default: its defaults).

    Examples
    --------
    >>> from cartmodel import draw_repertoire
    >>> run = expand_repertoire(draw_repertoire(20, seed=1), settings=equation_2_settings(days=10))
    >>> run.cells.shape
    (20, 11)
    """
    check_instance("repertoire", repertoire, Repertoire)
    check_instance("settings", settings, Equation2Settings)
    return expand_checked(repertoire, np.arange(repertoire.n_clones), repertoire.sizes, np.asarray(True), settings)


def expand_clones(
    repertoire: Repertoire,
    clones: ArrayLike,
    n0: ArrayLike,
    *,
    presented: bool | ArrayLike = True,
    settings: Equation2Settings = DEFAULT_SETTINGS,
) -> RepertoireExpansion:
    """Iterate Equation 2 for chosen clones from chosen starting counts.

    A clone whose peptide is not presented has no antigen and stays at its ``n0``.

    Parameters
    ----------
    clones : array_like of int
        Indices of the clones to run, each in ``[0, n_clones)``, one-dimensional
        and non-empty; a clone may be listed more than once.
    n0 : float or array_like
        Starting cells of each listed clone, > 0: one number for all, or one
        per entry of ``clones``.
    presented : bool or array_like of bool
        Whether each listed clone's peptide is presented (default True).
    settings : Equation2Settings, optional
        As in :func:`expand_repertoire`.

    Returns
    -------
    RepertoireExpansion
        One row per entry of ``clones``, in their order.

    Examples
    --------
    >>> from cartmodel import draw_repertoire
    >>> repertoire = draw_repertoire(20, seed=1)
    >>> run = expand_clones(repertoire, [0, 0], [1.0, 5.0], presented=[True, False],
    ...                     settings=equation_2_settings(days=10))
    >>> run.cells.shape
    (2, 11)
    >>> float(run.cells[1, -1])  # not presented: held at its starting count
    5.0
    """
    check_instance("repertoire", repertoire, Repertoire)
    check_instance("settings", settings, Equation2Settings)
    index = _clone_indices(clones, repertoire.n_clones)
    start = as_real_array("n0", n0, low=0.0, low_open=True, unit="cells")
    if start.ndim and start.shape != index.shape:
        raise ValueError(f"n0 must be one number or one per clone (shape {index.shape}); got shape {start.shape}")
    shown = np.asarray(presented)
    if shown.dtype != np.bool_:
        raise TypeError(f"presented must be True, False or an array of them; got {presented!r}")
    if shown.ndim and shown.shape != index.shape:
        raise ValueError(f"presented must be one value or one per clone (shape {index.shape}); got shape {shown.shape}")
    return expand_checked(repertoire, index, start, shown, settings)


def expand_checked(
    repertoire: Repertoire,
    clones: NDArray[np.intp],
    n0: NDArray[np.float64],
    presented: NDArray[np.bool_],
    settings: Equation2Settings,
    tumour: NDArray[np.bool_] | None = None,
) -> RepertoireExpansion:
    """:func:`expand_clones` for inputs its caller has already checked (nothing is checked again).

    ``tumour`` says which clones run as tumour-directed (default: those whose peptide is tumour-associated).
    """
    tumour = repertoire.tumour_directed[clones] if tumour is None else tumour
    start = np.broadcast_to(n0, clones.shape).copy()
    cap = _capacity_grid(repertoire, clones, tumour, settings.t, settings)
    shown = np.broadcast_to(presented, clones.shape)
    cap[~shown] = start[~shown, None]  # an unpresented clone's capacity is its start, so it stays put
    _check_capacity(cap)
    cells = iterate(cap, np.full(start.shape, settings.r), start, settings.t, settings.reading, {})
    return RepertoireExpansion(t=settings.t, cells=cells, capacity=cap, tumour_directed=tumour)


def _clone_indices(clones: Any, n_clones: int) -> NDArray[np.intp]:
    """``clones`` as a non-empty 1-D array of indices into a repertoire of ``n_clones``."""
    try:
        index = np.asarray(clones)
    except (TypeError, ValueError):  # ragged nested sequences
        raise TypeError(f"clones must be a one-dimensional array of clone indices; got {clones!r}") from None
    if index.dtype.kind not in "iu":
        raise TypeError(f"clones must be integer indices; got {clones!r}")
    if index.ndim != 1 or index.size == 0:
        raise ValueError(f"clones must be a non-empty one-dimensional array; got shape {index.shape}")
    if index.min() < 0 or index.max() >= n_clones:
        raise ValueError(f"clones must be indices in [0, {n_clones}); got values from {index.min()} to {index.max()}")
    return index.astype(np.intp)


@dataclass(frozen=True)
class TumourFractionSweep:
    """The result of :func:`sweep_tumour_fraction`.

    ``tumour_fractions`` ``(F,)`` and ``n_tumour_peptides`` (``round(share *
    n_peptides)``); ``t`` in days; ``tumour_cells`` and ``alloreactive_cells``
    totals, ``(F, steps + 1)``.
    """

    tumour_fractions: NDArray[np.float64]
    n_tumour_peptides: NDArray[np.int_]
    t: NDArray[np.float64]
    tumour_cells: NDArray[np.float64]
    alloreactive_cells: NDArray[np.float64]

    @property
    def tumour_peak(self) -> NDArray[np.float64]:
        """Peak of the tumour-directed total at each share, shape ``(F,)``."""
        return self.tumour_cells.max(axis=-1)

    @property
    def alloreactive_peak(self) -> NDArray[np.float64]:
        """Peak of the alloreactive total at each share, shape ``(F,)``."""
        return self.alloreactive_cells.max(axis=-1)

    @property
    def alloreactive_over_tumour(self) -> NDArray[np.float64]:
        """Alloreactive peak over tumour-directed peak (``inf`` with no tumour clones)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.tumour_peak > 0, self.alloreactive_peak / self.tumour_peak, np.inf)

    def crossover(self) -> float:
        """Smallest share at which the alloreactive peak no longer exceeds the tumour-directed one.

        Interpolates ``log(alloreactive / tumour)`` linearly; ``nan`` if the ratio stays above one.
        """
        order = np.argsort(self.tumour_fractions)
        x = self.tumour_fractions[order]
        with np.errstate(divide="ignore"):
            y = np.log(self.alloreactive_over_tumour[order])
        below = np.flatnonzero(y <= 0)
        if below.size == 0:
            return float("nan")
        k = int(below[0])
        if k == 0 or not np.isfinite(y[k - 1]):
            return float(x[k])
        return float(x[k - 1] + (x[k] - x[k - 1]) * y[k - 1] / (y[k - 1] - y[k]))


def sweep_tumour_fraction(
    repertoire: Repertoire,
    tumour_fractions: ArrayLike,
    *,
    seed: int | np.random.Generator,
    settings: Equation2Settings = DEFAULT_SETTINGS,
) -> TumourFractionSweep:
    """Expand one repertoire with different shares of tumour-associated peptides.

    Only which peptides count as tumour-associated changes: the first
    ``round(share * n_peptides)`` of one random order (the repertoire's own
    tumour peptides first), so tumour sets are nested and the repertoire's own
    share reproduces :func:`expand_repertoire`.  Each clone runs twice (as
    tumour-directed and as alloreactive); totals are sums over the right kind.

    Parameters
    ----------
    tumour_fractions : array_like
        Shares of tumour-associated peptides, each in [0, 1], 1-D.
    seed : int or numpy.random.Generator
        Seed (>= 0) of a new generator, or a generator, for the order in which
        peptides become tumour-associated.
    settings : Equation2Settings, optional
        As in :func:`expand_repertoire`.
    """
    check_instance("repertoire", repertoire, Repertoire)
    check_instance("settings", settings, Equation2Settings)
    shares = as_real_array("tumour_fractions", tumour_fractions, low=0.0, high=1.0, unit="fraction")
    if shares.ndim != 1 or shares.size == 0:
        raise ValueError(f"tumour_fractions must be a non-empty 1-D array; got shape {shares.shape}")
    rng = rng_from_seed(seed)

    library = repertoire.peptides
    m = library.n_peptides
    own = np.flatnonzero(library.tumour)
    rest = np.flatnonzero(~library.tumour)
    order = np.concatenate([rng.permutation(own), rng.permutation(rest)])
    counts = np.rint(shares * m).astype(int)
    rank = np.empty(m, dtype=int)
    rank[order] = np.arange(m)
    peptide_is_tumour = rank[None, :] < counts[:, None]  # (F, m)
    clone_is_tumour = peptide_is_tumour[:, repertoire.peptide].astype(float)  # (F, n)

    n = repertoire.n_clones
    clones = np.tile(np.arange(n), 2)  # every clone twice: first as tumour-directed, then as alloreactive
    tumour = np.arange(2 * n) < n
    cells = expand_checked(repertoire, clones, repertoire.sizes[clones], np.asarray(True), settings, tumour=tumour).cells
    as_tumour, as_normal = cells[:n], cells[n:]
    return TumourFractionSweep(
        tumour_fractions=shares,
        n_tumour_peptides=counts,
        t=settings.t,
        tumour_cells=clone_is_tumour @ as_tumour,
        alloreactive_cells=(1.0 - clone_is_tumour) @ as_normal,
    )
