/*
 * Dosing explorer of the cartmodel book: Equation 1 of Toor et al. (2019), run in the browser.
 *
 * One self-contained script, no libraries and no network requests. It implements the book's
 * default reading of Equation 1 exactly as cartmodel.simulate does (reading "exact", B in the
 * capacity term), in the same reciprocal form and the same order of operations:
 *
 *   tumour_t = P exp((q - r) t)
 *   K_t      = K B (tumour_t + 1)                       (capacity at the end of the step)
 *   1 / N_t  = exp(-r dt) / N_{t-1} + (1 - exp(-r dt)) / K_t
 *
 * It is a classic script (not an ES module) so that it also runs from a file:// copy of the
 * site. It defines globalThis.cartmodelDosing = {simulate, summarise, mount, DEFAULTS, CONTROLS}
 * and mounts an explorer in every element with the attribute data-cartmodel-explorer,
 * replacing that element's static fallback content.
 */
(function (root) {
  "use strict";

  var VERSION = "1";

  /* Parameters of the paper's Figure 1 (cartmodel.paper.FIGURE_1) and the book's ceiling. */
  var DEFAULTS = Object.freeze({
    dose: 1.0, P: 1000.0, ic50: 1.6, r: 1.5, q: 1.2, ceiling: 1e8, K: 1e6, days: 60, dt: 1.0
  });

  /* The sliders: log ones move in log10 units. Same ranges as cartmodel.widgets.DosingExplorer. */
  var CONTROLS = Object.freeze([
    { name: "dose", label: "Dose N\u2080 (cells)", log: true, min: -3, max: 6, step: 0.05 },
    { name: "P", label: "Antigen burden P (cells)", log: true, min: 0, max: 8, step: 0.05 },
    { name: "ic50", label: "scFv IC50 (nM)", log: true, min: -1, max: 2, step: 0.02 },
    { name: "r", label: "CAR T growth rate r (per day)", log: false, min: 0.1, max: 3, step: 0.05 },
    { name: "q", label: "Tumour growth rate q (per day)", log: false, min: 0, max: 2.5, step: 0.05 },
    { name: "ceiling", label: "Toxicity ceiling (peak cells)", log: true, min: 5, max: 11, step: 0.05 }
  ]);

  function check(name, value, low, lowOpen) {
    if (typeof value !== "number" || !isFinite(value)) {
      throw new TypeError(name + " must be a finite number; got " + String(value));
    }
    if (lowOpen ? !(value > low) : !(value >= low)) {
      throw new RangeError(name + " must be " + (lowOpen ? "> " : ">= ") + low + "; got " + value);
    }
    return value;
  }

  /**
   * Iterate Equation 1 (exact reading). Arguments as in cartmodel.simulate:
   * {r, q, B, P, K, n0, days = 60, dt = 1}. Returns {t, carT, tumour, capacity} (Float64Arrays).
   */
  function simulate(params) {
    var r = check("r", params.r, 0, true);
    var q = check("q", params.q, 0, false);
    var B = check("B", params.B, 0, true);
    var P = check("P", params.P, 0, false);
    var K = check("K", params.K, 0, true);
    var n0 = check("n0", params.n0, 0, true);
    var days = check("days", params.days === undefined ? 60 : params.days, 0, true);
    var dt = check("dt", params.dt === undefined ? 1 : params.dt, 0, true);
    var ratio = days / dt;
    var steps = Math.round(ratio);
    if (steps < 1 || Math.abs(ratio - steps) > 1e-9 * Math.max(1, ratio)) {
      throw new RangeError("days / dt must be a whole number of steps >= 1; got days=" + days + ", dt=" + dt);
    }
    var t = new Float64Array(steps + 1);
    var carT = new Float64Array(steps + 1);
    var tumour = new Float64Array(steps + 1);
    var capacity = new Float64Array(steps + 1);
    var kb = K * B;
    var keep = Math.exp(-r * dt);
    var grow = -Math.expm1(-r * dt);
    for (var k = 0; k <= steps; k++) {
      t[k] = k * dt;
      tumour[k] = P * Math.exp((q - r) * t[k]);
      capacity[k] = kb * (tumour[k] + 1.0);
    }
    carT[0] = n0;
    for (k = 1; k <= steps; k++) {
      carT[k] = 1.0 / (keep / carT[k - 1] + grow / capacity[k]);
    }
    return { t: t, carT: carT, tumour: tumour, capacity: capacity };
  }

  /* Peak, day of peak (first), first day with < 1 tumour cell (Infinity if none), final count. */
  function summarise(run) {
    var best = 0;
    for (var k = 1; k < run.carT.length; k++) {
      if (run.carT[k] > run.carT[best]) best = k;
    }
    var clearance = Infinity;
    for (k = 0; k < run.tumour.length; k++) {
      if (run.tumour[k] < 1.0) { clearance = run.t[k]; break; }
    }
    return {
      peak: run.carT[best], peakDay: run.t[best], clearanceDay: clearance, final: run.carT[run.carT.length - 1]
    };
  }

  /* ------------------------------------------------------------------ drawing */

  var SVG = "http://www.w3.org/2000/svg";
  var W = 640, H = 330, M = { left: 62, right: 14, top: 12, bottom: 42 };

  function el(tag, attrs, parent, ns) {
    var node = ns ? document.createElementNS(SVG, tag) : document.createElement(tag);
    for (var key in attrs) {
      if (Object.prototype.hasOwnProperty.call(attrs, key)) node.setAttribute(key, attrs[key]);
    }
    if (parent) parent.appendChild(node);
    return node;
  }

  function superscript(n) {
    var digits = "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079";
    var text = String(Math.abs(n)).split("").map(function (d) { return digits[+d]; }).join("");
    return (n < 0 ? "\u207b" : "") + text;
  }

  /* 1.47 x 10^7 style, three significant digits, matching Python's format(x, ".2e"). */
  function formatCells(x) {
    if (!isFinite(x)) return "none";
    var parts = x.toExponential(2).split("e");
    var exponent = parseInt(parts[1], 10);
    return exponent === 0 ? parts[0] : parts[0] + " \u00d7 10" + superscript(exponent);
  }

  function formatDay(x) {
    return isFinite(x) ? "day " + (Math.round(x * 100) / 100) : "not within the horizon";
  }

  var STYLE = [
    ".cm-explorer{border:1px solid rgba(127,127,127,.35);border-radius:6px;padding:.8em;margin:1em 0}",
    ".cm-explorer .cm-controls{display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));gap:.3em 1.2em}",
    ".cm-explorer label{display:block;font-size:.9em}",
    ".cm-explorer input[type=range]{width:100%}",
    ".cm-explorer .cm-value{font-variant-numeric:tabular-nums;font-weight:600}",
    ".cm-explorer svg{width:100%;height:auto;max-width:" + W + "px;display:block;margin:.6em 0}",
    ".cm-explorer .cm-readouts{display:flex;flex-wrap:wrap;gap:.4em 1.6em;font-size:.95em}",
    ".cm-explorer .cm-flag{font-weight:700;padding:.1em .5em;border-radius:4px}",
    ".cm-explorer .cm-flag[data-over=true]{background:#c0392b;color:#fff}",
    ".cm-explorer .cm-flag[data-over=false]{background:rgba(39,174,96,.18)}",
    ".cm-explorer .cm-axis text{font-size:11px;fill:currentColor}",
    ".cm-explorer .cm-axis line{stroke:currentColor;stroke-opacity:.25}",
    ".cm-explorer .cm-legend text{font-size:11px;fill:currentColor}"
  ].join("\n");

  function injectStyle() {
    if (document.getElementById("cm-explorer-style")) return;
    var style = el("style", { id: "cm-explorer-style" }, document.head);
    style.textContent = STYLE;
  }

  function sliderValue(spec, input) {
    var x = parseFloat(input.value);
    return spec.log ? Math.pow(10, x) : x;
  }

  /**
   * Build an explorer inside `container` (its content is replaced). Returns an object with
   * `values()` (current parameters), `state` (latest run and summary) and `update()`.
   */
  function mount(container) {
    injectStyle();
    container.textContent = "";
    container.classList.add("cm-explorer");
    container.setAttribute("data-cartmodel-mounted", VERSION);
    var controls = el("div", { "class": "cm-controls" }, container);
    var inputs = {};
    var shown = {};
    CONTROLS.forEach(function (spec) {
      var id = (container.id || "cm-explorer") + "-" + spec.name;
      var wrap = el("div", {}, controls);
      var label = el("label", { "for": id }, wrap);
      label.appendChild(document.createTextNode(spec.label + ": "));
      shown[spec.name] = el("span", { "class": "cm-value", "data-name": spec.name }, label);
      var start = DEFAULTS[spec.name];
      inputs[spec.name] = el("input", {
        type: "range", id: id, name: spec.name, min: spec.min, max: spec.max, step: spec.step,
        value: spec.log ? Math.log10(start) : start
      }, wrap);
    });

    var svg = el("svg", {
      viewBox: "0 0 " + W + " " + H, role: "img",
      "aria-label": "CAR T cells and tumour cells against days, on a logarithmic axis"
    }, container, true);
    var axis = el("g", { "class": "cm-axis" }, svg, true);
    var ceilingLine = el("line", { stroke: "#c0392b", "stroke-dasharray": "6 4", "stroke-width": 1.5 }, svg, true);
    var clearLine = el("line", { stroke: "currentColor", "stroke-opacity": 0.6, "stroke-dasharray": "2 3" }, svg, true);
    var tumourPath = el("polyline", { fill: "none", stroke: "#c0392b", "stroke-width": 2, "data-series": "tumour" }, svg, true);
    var carPath = el("polyline", { fill: "none", stroke: "currentColor", "stroke-width": 2.2, "data-series": "car-t" }, svg, true);
    var legend = el("g", { "class": "cm-legend" }, svg, true);
    [["currentColor", "CAR T cells", ""], ["#c0392b", "tumour cells", ""], ["#c0392b", "ceiling", "6 4"]].forEach(function (item, i) {
      var x = M.left + 12 + i * 130;
      el("line", { x1: x, x2: x + 22, y1: M.top + 10, y2: M.top + 10, stroke: item[0], "stroke-width": 2, "stroke-dasharray": item[2] }, legend, true);
      el("text", { x: x + 28, y: M.top + 14 }, legend, true).textContent = item[1];
    });

    var readouts = el("div", { "class": "cm-readouts", "aria-live": "polite" }, container);
    function readout(name, label) {
      var wrap = el("span", {}, readouts);
      wrap.appendChild(document.createTextNode(label + ": "));
      return el("output", { "data-readout": name, "class": "cm-value" }, wrap);
    }
    var out = {
      peak: readout("peak", "Peak"),
      peakDay: readout("peak-day", "Day of peak"),
      clearanceDay: readout("clearance-day", "Tumour below one cell")
    };
    var flag = el("output", { "class": "cm-flag", "data-readout": "ceiling-flag" }, readouts);

    var api = { state: null, inputs: inputs };
    /* A slider's position snaps to its step (log10(1.6) is not on the IC50 grid), so each
       parameter keeps its exact starting value until its slider is moved, as in the widget. */
    var current = {};
    CONTROLS.forEach(function (spec) { current[spec.name] = DEFAULTS[spec.name]; });

    api.values = function () {
      var v = {};
      CONTROLS.forEach(function (spec) { v[spec.name] = current[spec.name]; });
      return v;
    };

    api.update = function () {
      var v = api.values();
      CONTROLS.forEach(function (spec) {
        var x = v[spec.name];
        shown[spec.name].textContent = spec.log ? (x >= 1e4 || x < 1e-2 ? formatCells(x) : String(+x.toPrecision(3))) : x.toFixed(2);
        shown[spec.name].setAttribute("data-value", String(x));
      });
      var run = simulate({ r: v.r, q: v.q, B: 1 / v.ic50, P: v.P, K: DEFAULTS.K, n0: v.dose, days: DEFAULTS.days, dt: DEFAULTS.dt });
      var s = summarise(run);
      var steps = run.t.length - 1;
      /* y range: whole decades around what matters */
      var top = Math.ceil(Math.log10(Math.max(s.peak, v.ceiling, v.P, 10)) + 0.3);
      var bottom = Math.floor(Math.log10(Math.min(v.dose, 1))) - 1;
      var x0 = M.left, x1 = W - M.right, y0 = H - M.bottom, y1 = M.top + 20;
      var tMax = run.t[steps];
      function X(t) { return x0 + (x1 - x0) * t / tMax; }
      function Y(n) { return y0 - (y0 - y1) * (Math.log10(n) - bottom) / (top - bottom); }
      var car = [], tum = [];
      for (var k = 0; k <= steps; k++) {
        car.push(X(run.t[k]).toFixed(2) + "," + Y(run.carT[k]).toFixed(2));
        if (run.tumour[k] >= 1.0) tum.push(X(run.t[k]).toFixed(2) + "," + Y(run.tumour[k]).toFixed(2));
      }
      carPath.setAttribute("points", car.join(" "));
      tumourPath.setAttribute("points", tum.join(" "));
      var yc = Y(v.ceiling);
      ceilingLine.setAttribute("x1", x0); ceilingLine.setAttribute("x2", x1);
      ceilingLine.setAttribute("y1", yc); ceilingLine.setAttribute("y2", yc);
      var shownClear = isFinite(s.clearanceDay);
      clearLine.setAttribute("visibility", shownClear ? "visible" : "hidden");
      if (shownClear) {
        clearLine.setAttribute("x1", X(s.clearanceDay)); clearLine.setAttribute("x2", X(s.clearanceDay));
        clearLine.setAttribute("y1", y0); clearLine.setAttribute("y2", y1);
      }
      /* axes: redrawn only when the decade range changes */
      var key = bottom + ":" + top + ":" + tMax;
      if (axis.getAttribute("data-key") !== key) {
        axis.setAttribute("data-key", key);
        while (axis.firstChild) axis.removeChild(axis.firstChild);
        var stride = Math.ceil((top - bottom) / 8);
        for (var d = bottom; d <= top; d += stride) {
          el("line", { x1: x0, x2: x1, y1: Y(Math.pow(10, d)), y2: Y(Math.pow(10, d)) }, axis, true);
          el("text", { x: x0 - 6, y: Y(Math.pow(10, d)) + 4, "text-anchor": "end" }, axis, true).textContent = "10" + superscript(d);
        }
        for (var day = 0; day <= tMax; day += 10) {
          el("line", { x1: X(day), x2: X(day), y1: y0, y2: y0 + 5 }, axis, true);
          el("text", { x: X(day), y: y0 + 18, "text-anchor": "middle" }, axis, true).textContent = String(day);
        }
        el("text", { x: (x0 + x1) / 2, y: H - 6, "text-anchor": "middle" }, axis, true).textContent = "days after infusion";
        el("text", { x: 14, y: (y0 + y1) / 2, "text-anchor": "middle", transform: "rotate(-90 14 " + (y0 + y1) / 2 + ")" }, axis, true).textContent = "cells (log scale)";
      }
      out.peak.textContent = formatCells(s.peak) + " cells";
      out.peak.setAttribute("data-value", String(s.peak));
      out.peakDay.textContent = formatDay(s.peakDay);
      out.peakDay.setAttribute("data-value", String(s.peakDay));
      out.clearanceDay.textContent = formatDay(s.clearanceDay);
      out.clearanceDay.setAttribute("data-value", String(s.clearanceDay));
      var over = s.peak > v.ceiling;  /* the tumour is drawn down to one cell, as in the widget */
      flag.setAttribute("data-over", String(over));
      flag.textContent = over ? "Peak above the ceiling" : "Peak under the ceiling";
      api.state = { values: v, run: run, summary: s, over: over };
      return api.state;
    };

    CONTROLS.forEach(function (spec) {
      inputs[spec.name].addEventListener("input", function () {
        current[spec.name] = sliderValue(spec, inputs[spec.name]);
        api.update();
      });
    });
    api.update();
    container.cartmodelExplorer = api;
    return api;
  }

  function mountAll() {
    var nodes = document.querySelectorAll("[data-cartmodel-explorer]");
    for (var i = 0; i < nodes.length; i++) {
      if (!nodes[i].cartmodelExplorer) mount(nodes[i]);
    }
  }

  root.cartmodelDosing = Object.freeze({
    VERSION: VERSION, DEFAULTS: DEFAULTS, CONTROLS: CONTROLS,
    simulate: simulate, summarise: summarise, formatCells: formatCells, mount: mount
  });

  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
    else mountAll();
  }
})(typeof globalThis !== "undefined" ? globalThis : this);
