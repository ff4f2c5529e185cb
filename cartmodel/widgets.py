"""Interactive dosing explorers for Jupyter: sliders, a matplotlib figure (as PNG) and readouts.

Moving a slider recomputes and updates the figure's artists in place.  Static
pages show JavaScript explorers (``assets/explorer/explorers.js``) built from
the same parameter table.  :mod:`cartmodel` itself does not import this module.
"""

from __future__ import annotations

import io
import math
import numbers
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ._validation import as_real_array, as_real_scalar, check_positive_int
from .dosing import (
    EXAMPLE_N0_RANGE,
    dose_for_ceiling,
    dose_response,
    split_schedule,
)
from .model import affinity_from_ic50, simulate
from .parameters import PARAMETERS, label
from .plotting import (
    find_artist,
    nomogram_lines,
    plot_dosing_curves,
    plot_nomogram,
    plot_schedule,
    schedule_markers,
)
from .population import draw_cohort, target_attainment

__all__ = [
    "EXPLORER_CONTROLS",
    "NOMOGRAM_LOG10_P",
    "EXPLORER_DEFAULTS",
    "DosingExplorer",
    "NomogramExplorer",
    "ScheduleExplorer",
    "format_cells",
]

#: Controls of each explorer, by name in the parameter table
#: (:data:`cartmodel.parameters.PARAMETERS`: labels, units, ranges, defaults).
EXPLORER_CONTROLS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "dosing": ("n0", "P", "ic50", "r", "q", "ceiling"),
        "nomogram": ("ic50", "ceiling", "clear_by_day"),
        "schedule": ("total_n0", "infusions", "interval_days", "P"),
    }
)
#: The nomogram explorer's burden axis, as ``(log10 of the lowest, log10 of the highest)`` P in AU.
NOMOGRAM_LOG10_P: tuple[float, float] = (-2.0, 4.0)

#: Starting values of the explorers, the table's defaults (the paper's Figure 1
#: and the book's example ceiling), plus the fixed K, horizon and step.
EXPLORER_DEFAULTS: Mapping[str, float] = MappingProxyType({name: row.default for name, row in PARAMETERS.items()})

_UNSET: Any = object()  # a starting value not given (None is a bad value, not a missing one)
_STYLE = {"description_width": "150px"}
_LAYOUT = widgets.Layout(width="420px")


def format_cells(x: float) -> str:
    """Three significant digits in scientific form, as the readouts show them."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        raise TypeError(f"x must be a real number; got {x!r}")
    return "none" if not math.isfinite(x) else f"{x:.2e}"


def _format_day(x: float) -> str:
    return f"day {x:g}" if math.isfinite(x) else "not within the horizon"


def _table_scalars(**values: Any) -> dict[str, float]:
    """Single numbers, each checked against its row of the parameter table, by name."""
    return {name: as_real_scalar(name, value, **PARAMETERS[name].limits) for name, value in values.items()}


def _check_start(start: Mapping[str, Any], names: tuple[str, ...]) -> None:
    unknown = set(start) - set(names)
    if unknown:
        raise TypeError(f"unknown starting values {sorted(unknown)}; choose from {list(names)}")


def _slider(name: str, value: Any = _UNSET, *, high: float | None = None) -> widgets.Widget:
    """A slider for the parameter ``name`` of the table: its label, range, scale and step.

    A starting value outside the slider would be clamped silently: it is refused instead.
    """
    row = PARAMETERS[name]
    low, top, scale, step = row.control
    top = top if high is None else high
    whole = row.integer or (scale == "linear" and step == 1.0 and float(low).is_integer())
    if value is _UNSET:
        value = int(row.default) if whole else row.default
    common = dict(description=label(name), style=_STYLE, layout=_LAYOUT)
    if whole:
        integer = check_positive_int(name, value, low=int(low), high=int(top))
        return widgets.IntSlider(value=integer, min=int(low), max=int(top), **common)
    number = as_real_scalar(name, value, low=low, high=top)
    if scale == "log":
        return widgets.FloatLogSlider(
            value=number, base=10, min=math.log10(low), max=math.log10(top), step=step, readout_format=".3g", **common
        )
    return widgets.FloatSlider(value=number, min=low, max=top, step=step, readout_format=".3g", **common)


def _sliders(names: tuple[str, ...], start: Mapping[str, Any]) -> dict[str, widgets.Widget]:
    """Sliders for the table parameters ``names``, after refusing unknown starting values."""
    _check_start(start, names)
    return {name: _slider(name, start.get(name, _UNSET)) for name in names}


def _decade_limits(low: float, high: float) -> tuple[float, float]:
    return 10.0 ** math.floor(math.log10(low)), 10.0 ** math.ceil(math.log10(high) + 0.3)


class _Explorer:
    """Shared machinery: sliders wired to ``update``, a figure rendered into an Image."""

    controls: dict[str, widgets.Widget]
    readouts: dict[str, widgets.HTML]
    values: dict[str, Any]
    figure: Figure
    widget: widgets.Widget

    def __init__(
        self, controls: dict[str, widgets.Widget], readout_names: tuple[str, ...], figsize: tuple[float, float], dpi: int = 80
    ) -> None:
        self.controls = controls
        self.readouts = {name: widgets.HTML() for name in readout_names}
        self.values = {}
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        self.canvas = FigureCanvasAgg(self.figure)  # also self.figure.canvas; typed here for the Agg-only methods
        self.ax = self.figure.add_subplot()
        self.image = widgets.Image(format="png")
        self.updates = 0
        self.widget = widgets.VBox(
            [
                widgets.HBox([widgets.VBox(list(controls.values())), widgets.VBox(list(self.readouts.values()))]),
                self.image,
            ]
        )

    def _connect(self, dynamic: list[Any]) -> None:
        """Wire the sliders; ``dynamic`` are the artists that updates change (blitted on a kept background)."""
        self._dynamic = dynamic  # (the legends sit outside the axes, in the background)
        for artist in self._dynamic:
            artist.set_animated(True)
        self._background = None
        self._background_key: Any = None
        self._recompute(self.current())
        self.figure.canvas.draw()  # lays the figure out once (constrained layout) ...
        self.figure.set_layout_engine("none")  # ... and freezes that layout
        for control in self.controls.values():
            control.observe(self.update, names="value")
        self.update()

    def current(self) -> dict[str, float]:
        """Slider values by name."""
        return {name: control.value for name, control in self.controls.items()}

    def update(self, change: Any = None) -> None:
        """Recompute from the sliders, update the artists and the readouts, redraw."""
        self._recompute(self.current())
        self.render()
        self.updates += 1

    def _static_key(self) -> Any:
        return tuple(self.ax.get_ylim()) + tuple(self.ax.get_xlim())

    def render(self) -> None:
        """Redraw what changed and put the figure, as PNG, into the image widget."""
        from PIL import Image

        canvas = self.canvas
        key = self._static_key()
        if key != self._background_key:
            canvas.draw()  # animated artists are left out of a full draw
            self._background = canvas.copy_from_bbox(self.figure.bbox)
            self._background_key = key
        else:
            canvas.restore_region(self._background)
        for artist in self._dynamic:
            if artist.get_visible():
                artist.axes.draw_artist(artist)
        picture = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        picture.save(buffer, format="png", compress_level=1)
        self.image.value = buffer.getvalue()

    def png(self) -> bytes:
        """The figure as PNG, drawn in full (for saving or a static page)."""
        for artist in self._dynamic:
            artist.set_animated(False)
        try:
            buffer = io.BytesIO()
            self.figure.savefig(buffer, format="png")
        finally:
            for artist in self._dynamic:
                artist.set_animated(True)
            self._background_key = None
        return buffer.getvalue()

    def _recompute(self, v: dict[str, float]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def close(self) -> None:
        """Close the widgets (the figure is freed with the object)."""
        self.widget.close()


class DosingExplorer(_Explorer):
    """One infusion: CAR T and tumour against days, peak readouts and a ceiling flag.

    Sliders: :data:`EXPLORER_CONTROLS` ``["dosing"]``, starting at ``**start``
    (by name, each within its slider's range) or the table's defaults.
    ``values`` holds the latest ``peak_cells``, ``peak_day``, ``clearance_day``
    and ``over_ceiling``.  ``K``, ``days`` and ``dt`` are fixed, as in
    :func:`cartmodel.simulate`.
    """

    def __init__(
        self,
        *,
        K: float = EXPLORER_DEFAULTS["K"],
        days: float = EXPLORER_DEFAULTS["days"],
        dt: float = EXPLORER_DEFAULTS["dt"],
        **start: float,
    ) -> None:
        self.K, self.days, self.dt = _table_scalars(K=K, days=days, dt=dt).values()
        super().__init__(_sliders(EXPLORER_CONTROLS["dosing"], start), ("peak", "peak_day", "clearance_day", "flag"), figsize=(7.0, 3.6))
        v = self.current()
        plot_dosing_curves(self._simulate(v), v["ceiling"], ax=self.ax)
        self.lines = {gid: find_artist(self.ax, gid) for gid in ("car-t", "tumour", "ceiling", "clearance")}
        self._connect(list(self.lines.values()))

    def _simulate(self, v: Mapping[str, float]):
        return simulate(r=v["r"], q=v["q"], B=affinity_from_ic50(v["ic50"]), P=v["P"], K=self.K, n0=v["n0"], days=self.days, dt=self.dt)

    def _recompute(self, v: dict[str, float]) -> None:
        run = self._simulate(v)
        peak, peak_day, clearance = float(run.peak), float(run.peak_day), float(run.clearance_day)
        over = peak > v["ceiling"]
        self.lines["car-t"].set_ydata(run.car_t)
        self.lines["tumour"].set_ydata(np.where(run.tumour >= 1.0, run.tumour, np.nan))
        self.lines["ceiling"].set_ydata([v["ceiling"], v["ceiling"]])
        self.lines["clearance"].set_visible(math.isfinite(clearance))
        if math.isfinite(clearance):
            self.lines["clearance"].set_xdata([clearance, clearance])
        self.ax.set_ylim(*_decade_limits(min(v["n0"], 1.0) / 10, max(peak, v["ceiling"], v["P"], 10.0)))
        self.readouts["peak"].value = f"Peak: <b>{format_cells(peak)}</b> model cells"
        self.readouts["peak_day"].value = f"Day of peak: <b>{_format_day(peak_day)}</b>"
        self.readouts["clearance_day"].value = f"Tumour term below 1 AU: <b>{_format_day(clearance)}</b>"
        self.readouts["flag"].value = (
            '<b style="background:#c0392b;color:white;padding:2px 6px">Peak above the ceiling</b>'
            if over
            else '<b style="background:#d5f5e3;padding:2px 6px">Peak under the ceiling</b>'
        )
        self.values = {"peak_cells": peak, "peak_day": peak_day, "clearance_day": clearance, "over_ceiling": over}


def _increasing(name: str, value: Any) -> np.ndarray:
    grid = as_real_array(name, value, low=0.0, low_open=True)
    if grid.ndim != 1 or grid.size < 2 or np.any(np.diff(grid) <= 0):
        raise ValueError(f"{name} must be an increasing one-dimensional grid of at least two values; got {value!r}")
    return grid


def _colour_range(log_peak: np.ndarray, old: tuple[float, float] | None = None) -> tuple[float, float]:
    low, high = math.floor(float(log_peak.min())) - 1.0, math.ceil(float(log_peak.max())) + 1.0
    return (low, high) if old is None else (min(low, old[0]), max(high, old[1]))


class NomogramExplorer(_Explorer):
    """A dose x burden map of the peak, the ceiling contour and the largest dose under the ceiling.

    Sliders as :class:`DosingExplorer`'s, from :data:`EXPLORER_CONTROLS`
    ``["nomogram"]``, and ``variability``: the typical patient or a virtual
    cohort (:mod:`cartmodel.population`), whose ``cohort-dose`` line keeps
    ``cohort_fraction`` of peaks under the ceiling.  ``values`` holds the
    latest ``grid`` (DoseResponse), ``contour`` and ``under_ceiling``
    (CeilingDose without and with the clearance condition) and ``attainment``
    (TargetAttainment, or ``None`` for the typical patient).

    Parameters
    ----------
    P_grid, n0_grid : array_like, optional
        Increasing 1-D grids of burdens (AU) and doses (model cells); defaults:
        :data:`NOMOGRAM_LOG10_P` and the book's dose range, ``n`` points each (>= 2).
    r, q, K, days : float
        As in :func:`cartmodel.simulate`; ``rtol``, relative precision of the
        ceiling doses, in (0, 0.1].
    cohort_size, cohort_seed : int
        Size (1 to 100,000) and seed (>= 0) of the virtual cohort.
    cohort_fraction : float
        Share of the cohort the cohort line keeps under the ceiling, in (0, 1].
    """

    def __init__(
        self,
        *,
        P_grid: Any = None,
        n0_grid: Any = None,
        n: int = 120,
        r: float = EXPLORER_DEFAULTS["r"],
        q: float = EXPLORER_DEFAULTS["q"],
        K: float = EXPLORER_DEFAULTS["K"],
        days: float = EXPLORER_DEFAULTS["days"],
        rtol: float = 1e-3,
        cohort_size: int = 300,
        cohort_seed: int = 2019,
        cohort_fraction: float = 0.9,
        **start: Any,
    ) -> None:
        _check_start(start, (*EXPLORER_CONTROLS["nomogram"], "variability"))
        self.cohort_size = check_positive_int("cohort_size", cohort_size, low=1, high=100_000)
        self.cohort_seed = check_positive_int("cohort_seed", cohort_seed, low=0)
        self.cohort_fraction = as_real_scalar("cohort_fraction", cohort_fraction, low=0.0, high=1.0, low_open=True)
        n = check_positive_int("n", n, low=2)
        self.P_grid = np.logspace(*NOMOGRAM_LOG10_P, n) if P_grid is None else _increasing("P_grid", P_grid)
        low_n0, high_n0 = EXAMPLE_N0_RANGE
        self.n0_grid = np.logspace(np.log10(low_n0), np.log10(high_n0), n) if n0_grid is None else _increasing("n0_grid", n0_grid)
        self.fixed: dict[str, Any] = _table_scalars(r=r, q=q, K=K)
        first_day = PARAMETERS["clear_by_day"].control[0]
        self.days = as_real_scalar("days", days, low=first_day, unit="days")  # the clearance slider starts there
        self.rtol = as_real_scalar("rtol", rtol, low=0.0, high=0.1, low_open=True)
        controls = {name: _slider(name, start.get(name, _UNSET)) for name in ("ic50", "ceiling")}
        controls["clear_by_day"] = _slider("clear_by_day", start.get("clear_by_day", _UNSET), high=self.days)
        controls["variability"] = _variability_control(start.get("variability", "typical"))
        super().__init__(controls, ("summary", "cohort"), figsize=(7.0, 4.6))
        self._compute(self.current())
        plot_nomogram(self.n0_grid, self.P_grid, self.values["grid"], self.values["contour"], self.values["under_ceiling"], ax=self.ax)
        self.ax.plot(
            self.P_grid,
            np.full(self.P_grid.size, np.nan),
            color="#58d68d",
            ls="-.",
            lw=2.2,
            label=f"{self.cohort_fraction:.0%} of cohort under ceiling",
            gid="cohort-dose",
        )
        self.ax.legend(frameon=False, fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2)
        self.artists = {
            gid: find_artist(self.ax, gid) for gid in ("peak-map", "no-clearance", "ceiling-contour", "under-ceiling", "cohort-dose")
        }
        self._colour_range = _colour_range(np.log10(self.values["grid"].peak))
        self.artists["peak-map"].set_clim(*self._colour_range)
        self._connect(list(self.artists.values()))

    def _compute(self, v: Mapping[str, float]) -> None:
        common: dict[str, Any] = dict(B=affinity_from_ic50(v["ic50"]), days=self.days, **self.fixed)
        grid = dose_response(n0=self.n0_grid[:, None], P=self.P_grid, **common)
        search: dict[str, Any] = dict(
            ceiling=v["ceiling"], P=self.P_grid, rtol=self.rtol, min_n0=float(self.n0_grid[0]), max_n0=float(self.n0_grid[-1]), **common
        )
        contour = dose_for_ceiling(**search)
        under_ceiling = dose_for_ceiling(clear_by_day=float(v["clear_by_day"]), **search)
        self.values = {
            "grid": grid,
            "contour": contour,
            "under_ceiling": under_ceiling,
            "attainment": self._cohort_attainment(v) if v["variability"] == "cohort" else None,
        }

    def _cohort_attainment(self, v: Mapping[str, Any]):
        """Target attainment of the virtual cohort over the explorer's grids."""
        cohort = draw_cohort(self.cohort_size, seed=self.cohort_seed, B=float(affinity_from_ic50(v["ic50"])), **self.fixed)
        return target_attainment(
            cohort, n0_grid=self.n0_grid, P_grid=self.P_grid, ceiling=v["ceiling"], clear_by_day=float(v["clear_by_day"]), days=self.days
        )

    def _show_cohort(self) -> None:
        """The cohort line and readout (hidden for the typical patient)."""
        attainment = self.values["attainment"]
        line = self.artists["cohort-dose"]
        line.set_visible(attainment is not None)
        if attainment is None:
            self.readouts["cohort"].value = "Typical patient: one parameter set (the paper's Figure 1)."
            return
        dose = attainment.dose_for_fraction(self.cohort_fraction)
        line.set_ydata(dose)
        found = ~np.isnan(dose)
        reach = attainment.probability_tumour_target
        text = (
            f"Cohort of {attainment.n_patients}: a dose keeps {self.cohort_fraction:.0%} under the ceiling "
            f"for {int(found.sum())} of {found.size} burdens"
        )
        if found.any():
            text += f" (from {format_cells(float(dose[found].min()))} to {format_cells(float(dose[found].max()))} model cells)"
        text += (
            f"; tumour below 1 AU by day {attainment.clear_by_day:g} in {reach.min():.0%} to {reach.max():.0%} of patients across burdens."
        )
        self.readouts["cohort"].value = text

    def _static_key(self) -> Any:
        return super()._static_key() + tuple(self._colour_range)

    def _recompute(self, v: dict[str, float]) -> None:
        self._compute(v)
        grid, contour, under = self.values["grid"], self.values["contour"], self.values["under_ceiling"]
        log_peak = np.log10(grid.peak)
        mesh = self.artists["peak-map"]
        mesh.set_array(log_peak)
        # a fixed colour scale, so that maps for different affinities compare;
        # widened (and the colour bar redrawn) only if the peaks leave it
        if log_peak.min() < self._colour_range[0] or log_peak.max() > self._colour_range[1]:
            self._colour_range = _colour_range(log_peak, self._colour_range)
            mesh.set_clim(*self._colour_range)
        contour_y, best_y = nomogram_lines(contour, under)
        self.artists["ceiling-contour"].set_ydata(contour_y)
        self.artists["under-ceiling"].set_ydata(best_y)
        fails = ~under.clears_in_time
        span = self.artists["no-clearance"]
        span.set_visible(bool(fails.any()))
        if fails.any():
            start = float(self.P_grid[np.argmax(fails)])
            span.set_x(start)
            span.set_width(float(self.P_grid[-1]) - start)
        feasible = under.feasible
        if feasible.any():
            text = (
                f"Largest dose under the model ceiling: from {format_cells(float(under.n0[feasible].min()))} "
                f"to {format_cells(float(under.n0[feasible].max()))} model cells; "
                f"no dose qualifies for {int((~feasible).sum())} of {feasible.size} burdens. "
                "(Model quantities, not dose advice.)"
            )
        else:
            text = "No dose in the range keeps the peak under the ceiling and clears the tumour in time."
        self.readouts["summary"].value = text
        self._show_cohort()


def _variability_control(value: Any) -> widgets.Widget:
    """Typical patient or virtual cohort (see :class:`NomogramExplorer`)."""
    choices = ("typical", "cohort")
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"variability must be one of {choices}; got {value!r}")
    return widgets.ToggleButtons(
        options=[("typical patient", "typical"), ("cohort (probability)", "cohort")], value=value, description="variability", style=_STYLE
    )


class ScheduleExplorer(_Explorer):
    """A split schedule against one infusion of the same total dose.

    Sliders as :class:`DosingExplorer`'s, from :data:`EXPLORER_CONTROLS`
    ``["schedule"]``.  ``values`` holds ``single_peak``, ``split_peak``,
    ``peak_ratio``, the days of the peaks and ``clearance_day``.
    """

    def __init__(
        self,
        *,
        r: float = EXPLORER_DEFAULTS["r"],
        q: float = EXPLORER_DEFAULTS["q"],
        ic50: float = EXPLORER_DEFAULTS["ic50"],
        K: float = EXPLORER_DEFAULTS["K"],
        days: float = EXPLORER_DEFAULTS["days"],
        **start: float,
    ) -> None:
        given = _table_scalars(r=r, q=q, ic50=ic50, K=K, days=days)
        self.fixed: dict[str, Any] = {"r": given["r"], "q": given["q"], "B": float(affinity_from_ic50(given["ic50"])), "K": given["K"]}
        self.days = given["days"]
        super().__init__(_sliders(EXPLORER_CONTROLS["schedule"], start), ("single", "split", "ratio", "clearance_day"), figsize=(7.0, 3.6))
        plot_schedule(self._compare(self.current()), ax=self.ax)
        self.lines = {gid: find_artist(self.ax, gid) for gid in ("single", "split", "infusions")}
        self._connect(list(self.lines.values()))

    def _compare(self, v: Mapping[str, float]):
        return split_schedule(
            total_n0=v["total_n0"],
            infusions=int(v["infusions"]),
            interval_days=float(v["interval_days"]),
            P=v["P"],
            days=self.days,
            **self.fixed,
        )

    def _recompute(self, v: dict[str, float]) -> None:
        comparison = self._compare(v)
        single, split = comparison.single, comparison.split
        self.lines["single"].set_ydata(single.car_t)
        self.lines["split"].set_ydata(split.car_t)
        self.lines["infusions"].set_data(*schedule_markers(comparison))
        low = min(float(split.car_t.min()), float(single.car_t.min()))
        self.ax.set_ylim(*_decade_limits(low / 3, float(single.peak)))
        self.values = {"peak_ratio": float(comparison.peak_ratio), "clearance_day": float(split.clearance_day)}
        for key, run, text in (("single", single, "One infusion"), ("split", split, "Split")):
            peak, day = float(run.peak), float(run.peak_day)
            self.values.update({f"{key}_peak": peak, f"{key}_peak_day": day})
            self.readouts[key].value = f"{text}: peak <b>{format_cells(peak)}</b> on {_format_day(day)}"
        self.readouts["ratio"].value = f"Split peak / single peak: <b>{self.values['peak_ratio']:.3f}</b>"
        self.readouts["clearance_day"].value = f"Tumour term below 1 AU: <b>{_format_day(self.values['clearance_day'])}</b>"
