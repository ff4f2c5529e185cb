"""Shared strategies and helpers of the property tests (hypothesis), ``test_properties_*.py``.

The valid ranges the chapters and widgets reach (read from the parameter table), values outside
them (``outside``, ``POSITIVE``, ...), the ``Refusal`` records of how to call a function and what is
bad for each parameter, and the assertions ``assert_refused`` and ``assert_counts``.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from hypothesis import strategies as st
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import cartmodel as cm
from cartmodel.paper import FIGURE_1
from cartmodel.parameters import PARAMETERS

# --------------------------------------------------------------------------
# helpers


def assert_refused(call: Callable[[], Any], name: str) -> None:
    """``call()`` raises ValueError or TypeError whose message names ``name`` as a word (``P`` in "P (cells) must ...")."""
    with pytest.raises((ValueError, TypeError)) as caught:
        call()
    message = str(caught.value)
    named = re.search(r"(?<![A-Za-z0-9_])" + re.escape(name) + r"(?![A-Za-z0-9_])", message) is not None
    assert named, f"{type(caught.value).__name__} does not name {name!r}: {message}"


def assert_counts(name: str, values: Any) -> None:
    """Finite and non-negative (cell counts, probabilities, days)."""
    values = np.asarray(values, dtype=float)
    assert np.all(np.isfinite(values)), f"{name} is not finite: {values}"
    assert np.all(values >= 0), f"{name} is negative: {values}"


def log_uniform(low: float, high: float) -> st.SearchStrategy[float]:
    """Values spread over the decades from ``low`` to ``high``, ends included."""
    exponent = st.floats(math.log10(low), math.log10(high))
    return st.one_of(st.sampled_from([low, high]), exponent.map(lambda e: min(max(10.0**e, low), high)))


def new_axes(**figure: Any) -> Axes:
    """Axes on a small Agg figure outside pyplot (no global state to clean up)."""
    fig = Figure(figsize=figure.get("figsize", (3.0, 2.0)), dpi=40)
    FigureCanvasAgg(fig)
    return fig.add_subplot()


# --------------------------------------------------------------------------
# bad values


WRONG_TYPES = ("1.0", None, True, np.bool_(False), 1 + 1j, object(), [1.0, "x"], {"a": 1.0})
NOT_NONE_WRONG_TYPES = tuple(value for value in WRONG_TYPES if value is not None)


def outside(low: float | None = None, high: float | None = None, *, low_open: bool = False,
            high_open: bool = False, none_ok: bool = False) -> st.SearchStrategy[Any]:
    """Reals outside ``low .. high`` (NaN and infinities included) and values of the wrong type."""
    options: list[st.SearchStrategy[Any]] = [st.sampled_from([math.nan, math.inf, -math.inf])]
    if low is not None:
        below = low if low_open else math.nextafter(low, -math.inf)
        options += [st.just(below), st.floats(max_value=below, allow_nan=False, allow_infinity=False)]
    if high is not None:
        above = high if high_open else math.nextafter(high, math.inf)
        options += [st.just(above), st.floats(min_value=above, allow_nan=False, allow_infinity=False)]
    options.append(st.sampled_from(NOT_NONE_WRONG_TYPES if none_ok else WRONG_TYPES))
    return st.one_of(*options)


def outside_row(name: str, *, none_ok: bool = False) -> st.SearchStrategy[Any]:
    """Values outside the range of the parameter table's row ``name`` (both ends where it has them)."""
    row = PARAMETERS[name]
    return outside(row.low, row.high, low_open=row.low_open, high_open=row.high_open, none_ok=none_ok)


POSITIVE = outside(0.0, low_open=True)
NON_NEGATIVE = outside(0.0)
FRACTION = outside(0.0, 1.0)
BAD_INT = st.sampled_from([0, -1, 1.5, 2.0, "3", None, True, math.nan, 1 + 0j, object()])
BAD_SEED = st.sampled_from([-1, 1.5, "1", None, True, object(), [1, 2]])
BAD_CHOICE = st.sampled_from(["nonsense", "", 1, None, b"exact", ("exact",)])
BAD_BOOL = st.sampled_from(["yes", 1, 0.0, None, "True"])
BAD_OBJECT = st.sampled_from(["x", None, 1.0, object(), {"a": 1}])
BAD_VECTOR = st.one_of(outside(0.0, low_open=True),
                       st.sampled_from([[], [[1.0, 2.0]], [1.0, -1.0], [1.0, math.nan], 5.0]))
BAD_PAIR = st.sampled_from([(0.0, 1.0), ([1.0, 2.0], 500.0), (1.0, [2.0, 3.0]), (-1.0, 2.0), (5.0, 1.0), (1.0,), "ab",
                            None, (math.nan, 2.0), (1.0, math.inf), (1.0, "x"), (True, 2.0), 3.0])
BAD_SAMPLE_DAYS = st.one_of(outside(0.0), st.sampled_from([[3.0, 1.0], [1.0, 1.0], [0.5, 1.0], [-1.0, 2.0], [],
                                                        [[1.0, 2.0]], [1.0, math.nan], 2.5]))


def bad_horizon() -> st.SearchStrategy[Any]:
    return st.one_of(outside(0.0, low_open=True), st.sampled_from([1.5, 2e6]))


# --------------------------------------------------------------------------
# shared valid inputs


RATES = dict(r=FIGURE_1["r"], q=FIGURE_1["q"], K=FIGURE_1["K"])
EQ1 = dict(r=FIGURE_1["r"], q=FIGURE_1["q"], B=FIGURE_1["B"], P=FIGURE_1["P"], K=FIGURE_1["K"])
PATIENT = cm.AllPatient(weight_kg=70.0, wbc_giga_per_l=20.0, blood_blast_fraction=0.5,
                        marrow_cellularity_fraction=0.9, marrow_infiltration_fraction=0.7,
                        normal_cellularity_fraction=0.6)
LIBRARY = cm.draw_peptides(20, seed=7, tumour_fraction=0.25)
REPERTOIRE = cm.draw_repertoire(40, seed=7, peptides=LIBRARY)
TWO_PEPTIDES = cm.PeptideLibrary(ic50_nm=[1.0, 10.0], expression=[1.0, 2.0], tumour=[True, False])
STANDARD_DAYS = (1.0, 3.0, 7.0, 10.0, 14.0, 21.0, 28.0)
STANDARD_COUNTS = tuple(float(x) for x in cm.sample_counts(STANDARD_DAYS, **EQ1, noise_sd=0.3,
                                                           rng=np.random.default_rng(1)))
COHORT_FIT = cm.fit_cohort(STANDARD_DAYS, (STANDARD_COUNTS, STANDARD_COUNTS), B=EQ1["B"], K=EQ1["K"], r=EQ1["r"],
                           q=EQ1["q"], noise_sd=0.3)
PATIENT_FIELDS = [field.name for field in dataclasses.fields(cm.AllPatient) if field.name in PARAMETERS]  # the measured ones
# Equation 2's keywords (days shortened), which the functions that take its checked settings refuse
EQ2_KEYWORDS = dict(K=FIGURE_1["K"], r=FIGURE_1["r"], q=FIGURE_1["q"], days=10.0, dt=1.0, tumour_term=True, reading="exact")
EQ2_SETTINGS = cm.equation_2_settings(**EQ2_KEYWORDS)
HORIZON = dict(days=60.0, dt=1.0, reading="exact", b_placement="capacity")
# What is bad for a parameter of this name in every function that has it (``refusal``'s default).
BAD_BY_NAME: dict[str, st.SearchStrategy[Any]] = {
    **dict.fromkeys(("reading", "b_placement", "group", "state", "sex", "presentation", "killing"), BAD_CHOICE),
    **dict.fromkeys(("tumour_term", "extinction"), BAD_BOOL),
    **dict.fromkeys(("patients", "chunk_size"), BAD_INT),
    "cohort": BAD_OBJECT,
    "seed": BAD_SEED,
    "days": bad_horizon(),
    "dt": st.one_of(POSITIVE, st.just(0.7)),
    "rng": st.sampled_from([1, None, "rng", np.random.RandomState(0)]),
    "settings": st.one_of(BAD_OBJECT, st.just(EQ2_KEYWORDS)),
    "repertoire": st.one_of(BAD_OBJECT, st.just(LIBRARY)),
    "sample_days": BAD_SAMPLE_DAYS,
    **dict.fromkeys(("noise_sd", "scale_decades"), NON_NEGATIVE),
    "reference_antigen_molecules": POSITIVE,
    "antigen": st.sampled_from([1, None, b"CD19"]),
    "label": st.sampled_from([1, None, b"x"]),
    **dict.fromkeys(("rho_p", "blast_fraction"), FRACTION),
}

EQ1_BAD = {name: outside_row(name) for name in EQ1}
HORIZON_BAD = {name: BAD_BY_NAME[name] for name in HORIZON}


@dataclass(frozen=True)
class Refusal:
    """How to call one public callable with valid arguments, and what is bad for each parameter."""

    call: Callable[..., Any]
    valid: dict[str, Any]
    bad: dict[str, st.SearchStrategy[Any]]
    arrays: frozenset[str] = field(default_factory=frozenset)  # parameters that broadcast arrays
    scalars: frozenset[str] = field(default_factory=frozenset)  # numeric parameters that must be scalars


def refusal(
    call: Callable[..., Any],
    valid: dict[str, Any],
    bad: dict[str, Any] | None = None,
    *,
    arrays: str = "",
    scalars: str = "",
    by_name: dict[str, Any] = BAD_BY_NAME,
) -> Refusal:
    """``call``'s valid arguments: its signature's defaults, updated by ``valid``. What is bad for each of them: the
    strategy in ``bad``, else in ``by_name`` for a parameter of that name, else outside its row of the parameter table."""
    valid = {name: p.default for name, p in inspect.signature(call).parameters.items() if p.default is not p.empty} | valid
    shared = {name: by_name[name] if name in by_name else outside_row(name) for name in valid if name in by_name or name in PARAMETERS}
    return Refusal(call, valid, shared | (bad or {}), frozenset(arrays.split()), frozenset(scalars.split()))


def assert_drawn_call_refused(data: st.DataObject, refusals: dict[str, Refusal], *, in_arrays: bool = False) -> None:
    """Draw a callable of ``refusals``, one of its parameters and a bad value for it; the call
    with that value (the others valid) is refused naming the parameter. With ``in_arrays``, a
    parameter that broadcasts may get the bad value as one element among good ones."""
    spec = refusals[data.draw(st.sampled_from(sorted(refusals)), label="function")]
    name = data.draw(st.sampled_from(sorted(spec.bad)), label="parameter")
    bad = data.draw(spec.bad[name], label="bad value")
    if in_arrays and name in spec.arrays and spec.valid.get(name) is not None and data.draw(st.booleans(), label="inside an array"):
        bad = [spec.valid[name], bad]
    assert_refused(lambda: spec.call(**{**spec.valid, name: bad}), name)


# --------------------------------------------------------------------------
# shared valid ranges



def patient_range(name: str) -> tuple[float, float]:
    """A patient quantity's range: from the bottom of its valid range to the top of its slider (the parameter table)."""
    return PARAMETERS[name].low, PARAMETERS[name].control[1]


PATIENTS = st.builds(
    cm.AllPatient, **{name: st.floats(*patient_range(name), exclude_min=PARAMETERS[name].low_open) for name in PATIENT_FIELDS}
)

SEEDS = st.integers(0, 2**32 - 1)


def from_table(name: str) -> st.SearchStrategy[float]:
    """Values of the parameter ``name`` over the range of its slider in the parameter table
    (cartmodel/parameters.py), which the widgets and the explorers offer: a log-scaled range
    widened by a decade at each end (the chapters go a little beyond the sliders), a linear
    one as it is."""
    low, high, scale, _ = PARAMETERS[name].control
    return log_uniform(low / 10, high * 10) if scale == "log" else st.floats(low, high)


def slider(name: str) -> st.SearchStrategy[float]:
    """Values of the parameter ``name`` over its slider's range in the parameter table, ends included."""
    low, high, scale, _ = PARAMETERS[name].control
    return log_uniform(low, high) if scale == "log" else st.floats(low, high)


CEILING = slider("ceiling")
RATE_R = from_table("r")
RATE_Q = from_table("q")
SCALE_K = from_table("K")
AFFINITY_B = from_table("B")
BURDEN_P = st.one_of(st.just(0.0), from_table("P"))
DOSE = from_table("n0")
EQ1_DRAWN = dict(P=BURDEN_P, B=AFFINITY_B, r=RATE_R, q=RATE_Q, K=SCALE_K)  # Equation 1's parameters over their ranges


def small_repertoire(seed: int, n_clones: int, tumour_fraction: float) -> cm.Repertoire:
    peptides = cm.draw_peptides(20, seed=seed, tumour_fraction=tumour_fraction)
    return cm.draw_repertoire(n_clones, seed=seed, peptides=peptides)


PROBABILITY = st.floats(0.0, 1.0)


FREE_SETS = st.sampled_from([(), ("scale",), ("q",), ("q", "scale"), ("r", "q")])


HORIZONS = st.sampled_from([(30, 1.0), (60, 1.0), (60, 0.5), (120, 1.0)])
