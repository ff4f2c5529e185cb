/*
 * The three in-browser explorers of the cartmodel book: Equation 1 of Toor et al. (2019)
 * run in the page, with no server and no network.
 *
 *   dosing    one infusion: CAR T and tumour curves, peak, day of peak, clearance day, ceiling flag
 *   nomogram  the peak over a dose x burden grid, the largest dose under the model ceiling and
 *             the burdens whose tumour term does not fall below the clearance level in time; or,
 *             with the killing model chosen (Equation 1 with killing, the book's extension), both
 *             bounds of the therapeutic window: the smallest dose that clears in time too
 *   schedule  a split schedule against one infusion of the same total
 *   burden    a patient's blood count and marrow biopsy to Equation 1's burden P (cartmodel.burden)
 *
 * This script holds only the mathematics and the drawing. Every control's name, label, unit,
 * range and default comes from cartmodel's parameter table, which the book build writes into
 * explorer/parameters.js (globalThis.cartmodelParameters; _ext/explorer_parameters.py); that
 * script must be loaded first.
 *
 * The mathematics is a line-by-line copy of cartmodel.engine (tumour_term, capacity_from_tumour,
 * logistic_steps, first_day_below), cartmodel.dosing.dose_response and dose_for_ceiling, and
 * of cartmodel.killing (killing_dose_response, dose_window), in the same reciprocal form and the
 * same order of operations; tests/test_explorer_browser.py holds it to cartmodel on hundreds of
 * random parameter sets.
 *
 * Links: the page's query string sets controls, as ?<explorer>.<parameter>=<value>. Values that
 * do not parse, or lie outside a control's range, are ignored with a visible note. Nothing from
 * the URL is ever written into the page as HTML (textContent only).
 *
 * A classic script (not an ES module), so that a file:// copy of the site works too. It defines
 * globalThis.cartmodelExplorers and mounts an explorer in every element with the attribute
 * data-cartmodel-explorer="dosing|nomogram|schedule|burden", replacing its static fallback content.
 */
(function (root) {
  "use strict";

  var VERSION = "2";
  var READINGS = ["exact", "closed", "literal"];     // the readings implemented below
  var B_PLACEMENTS = ["capacity", "antigen"];
  var MAX_STEPS = 1000000;
  var LARGEST_EXPONENT = 700.0;                      // exp() of more than this overflows float64
  var LOG_MAX_CELLS = Math.log(1e300);
  var LOG_MIN_CELLS = Math.log(1e-300);
  var hasOwn = function (object, key) { return Object.prototype.hasOwnProperty.call(object, key); };

  function table() {
    var config = root.cartmodelParameters;
    if (!config || !config.parameters) {
      throw new Error("cartmodel explorers: explorer/parameters.js (the parameter table) was not loaded");
    }
    return config;
  }

  /* ------------------------------------------------------------------ checks (as cartmodel.parameters.check) */

  function rangeText(row) {
    var low = row.low === null ? "" : (row.low_open ? "> " : ">= ") + row.low;
    var high = row.high === null ? "" : (row.high_open ? "< " : "<= ") + row.high;
    return [low, high].filter(Boolean).join(" and ") || "any finite number";
  }

  function check(name, value) {
    var row = table().parameters[name];
    if (typeof value !== "number" || !isFinite(value)) {
      throw new TypeError(name + " (" + row.unit + ") must be a finite real number; got " + String(value));
    }
    var ok = (row.low === null || (row.low_open ? value > row.low : value >= row.low)) &&
      (row.high === null || (row.high_open ? value < row.high : value <= row.high));
    if (!ok) throw new RangeError(name + " (" + row.unit + ") must be a finite real number " + rangeText(row) + "; got " + value);
    return value;
  }

  function checkChoice(name, value, options) {
    if (options.indexOf(value) < 0) throw new RangeError(name + " must be one of " + options.join(", ") + "; got " + String(value));
    return value;
  }

  /* ------------------------------------------------------------------ engine (cartmodel.engine) */

  /* The time grid 0, dt, ..., days (t[k] = k * dt, as numpy's arange(steps + 1) * dt). */
  function timeGrid(days, dt) {
    check("days", days);
    check("dt", dt);
    var ratio = days / dt;
    var steps = Math.round(ratio);
    if (steps < 1 || Math.abs(ratio - steps) > 1e-9 * Math.max(1.0, ratio)) {
      throw new RangeError("days / dt must be a whole number of steps >= 1; got days=" + days + ", dt=" + dt);
    }
    if (steps > MAX_STEPS) throw new RangeError("days / dt must be at most " + MAX_STEPS + " steps; got " + steps);
    var t = new Float64Array(steps + 1);
    for (var k = 0; k <= steps; k++) t[k] = k * dt;
    return t;
  }

  /* P exp((q - r) t) in antigen units, via exp(ln P + (q - r) t) only where exp alone would overflow. */
  function tumourTerm(t, r, q, P, out) {
    var tumour = out || new Float64Array(t.length);
    for (var k = 0; k < t.length; k++) {
      var exponent = (q - r) * t[k];
      tumour[k] = exponent > LARGEST_EXPONENT ? Math.exp(Math.log(P) + exponent) : P * Math.exp(exponent);
    }
    return tumour;
  }

  /* K B (tumour + 1) (placement "capacity") or K (B tumour + 1) (placement "antigen"). */
  function capacityFromTumour(tumour, B, K, placement, out) {
    var cap = out || new Float64Array(tumour.length);
    var k;
    if (placement === "capacity") {
      var kb = K * B;
      for (k = 0; k < tumour.length; k++) cap[k] = kb * (tumour[k] + 1.0);
    } else {
      for (k = 0; k < tumour.length; k++) cap[k] = K * (B * tumour[k] + 1.0);
    }
    return cap;
  }

  function checkCapacityRange(r, q, B, P, K, horizon, placement) {
    var logTumourMax = Math.log(P) + Math.max(q - r, 0.0) * horizon;
    var logKB = Math.log(K) + Math.log(B);
    var logAddExp0 = function (x) { return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)); };
    var high = placement === "capacity" ? logKB + logAddExp0(logTumourMax) : Math.log(K) + logAddExp0(Math.log(B) + logTumourMax);
    var low = placement === "capacity" ? logKB : Math.log(K);
    if (high > LOG_MAX_CELLS) throw new RangeError("the capacity K_t must stay below 1e300 model cells over the horizon");
    if (low < LOG_MIN_CELLS) throw new RangeError("the plateau (K * B, or K) must be above 1e-300 model cells");
  }

  /*
   * N_0 ... N_steps of one reading of Equation 1 into `out`: cartmodel.engine.logistic_steps.
   * `added` maps a step to the cells infused on it (later infusions).
   */
  function logisticSteps(cap, r, n0, t, reading, added, out) {
    var n = n0 + (hasOwn(added, 0) ? added[0] : 0.0);
    out[0] = n;
    var dt = t[1] - t[0];
    var keep = Math.exp(-r * dt), grow = -Math.expm1(-r * dt);
    var startN = n, startDay = 0.0;  // for "closed": the latest infusion restarts the clock
    for (var k = 1; k < t.length; k++) {
      if (reading === "exact") {
        n = 1.0 / (keep / n + grow / cap[k]);
      } else if (reading === "literal") {
        n = 1.0 / (Math.exp(-r * t[k]) / n + -Math.expm1(-r * t[k]) / cap[k]);
      } else {
        var elapsed = t[k] - startDay;
        n = 1.0 / (Math.exp(-r * elapsed) / startN + -Math.expm1(-r * elapsed) / cap[k]);
      }
      if (hasOwn(added, k)) {
        n = n + added[k];
        startN = n;
        startDay = t[k];
      }
      out[k] = n;
    }
    return out;
  }

  /* First grid day with tumour < level (Infinity if none): cartmodel.engine.first_day_below. */
  function firstDayBelow(t, tumour, level) {
    for (var k = 0; k < t.length; k++) if (tumour[k] < level) return t[k];
    return Infinity;
  }

  /* Later infusions [[day, n0], ...] on their grid steps, as cartmodel.engine.check_doses / doses_by_step. */
  function dosesByStep(doses, t) {
    var added = {};
    var dt = t[1] - t[0], horizon = t[t.length - 1];
    (doses || []).forEach(function (pair, i) {
      var day = pair[0], cells = pair[1];
      if (typeof day !== "number" || !(day >= 0 && day <= horizon)) throw new RangeError("doses[" + i + "] day must be in 0 to " + horizon + "; got " + day);
      if (typeof cells !== "number" || !(cells >= 0) || !isFinite(cells)) throw new RangeError("doses[" + i + "] n0 must be >= 0; got " + cells);
      var step = Math.min(Math.ceil(day / dt - 1e-9), t.length - 1);
      added[step] = (hasOwn(added, step) ? added[step] : 0.0) + cells;
    });
    return added;
  }

  /*
   * cartmodel.simulate for one parameter set: {r, q, B, P, K, n0 = 1, days = 60, dt = 1,
   * reading = "exact", b_placement = "capacity", doses = [], clearance_level = 1}.
   * Returns {t, carT, tumour, capacity, clearanceLevel} (Float64Arrays).
   */
  function simulate(p) {
    var r = check("r", p.r), q = check("q", p.q), B = check("B", p.B), P = check("P", p.P), K = check("K", p.K);
    var n0 = check("n0", p.n0 === undefined ? 1.0 : p.n0);
    var level = check("clearance_level", p.clearance_level === undefined ? 1.0 : p.clearance_level);
    var reading = checkChoice("reading", p.reading === undefined ? "exact" : p.reading, READINGS);
    var placement = checkChoice("b_placement", p.b_placement === undefined ? "capacity" : p.b_placement, B_PLACEMENTS);
    var t = timeGrid(p.days === undefined ? 60 : p.days, p.dt === undefined ? 1.0 : p.dt);
    var added = dosesByStep(p.doses, t);
    checkCapacityRange(r, q, B, P, K, t[t.length - 1], placement);
    var tumour = tumourTerm(t, r, q, P);
    var capacity = capacityFromTumour(tumour, B, K, placement);
    var carT = logisticSteps(capacity, r, n0, t, reading, added, new Float64Array(t.length));
    return { t: t, carT: carT, tumour: tumour, capacity: capacity, clearanceLevel: level };
  }

  /* Peak, its (first) day, clearance day, final count: the properties of cartmodel.model.Expansion. */
  function summarise(run) {
    var best = 0;
    for (var k = 1; k < run.carT.length; k++) if (run.carT[k] > run.carT[best]) best = k;
    return {
      peak: run.carT[best], peakDay: run.t[best], final: run.carT[run.carT.length - 1],
      clearanceDay: firstDayBelow(run.t, run.tumour, run.clearanceLevel === undefined ? 1.0 : run.clearanceLevel)
    };
  }

  /*
   * Peaks of Equation 1 (exact reading) for many independent runs, the running summaries of
   * dose_response. Run c starts from starts[c] and meets the capacity of row rows[c]: its step k
   * is N = 1 / (keep / N + growOverCap[rows[c] * T + k]) (T = t.length, growOverCap = (1 - keep)
   * / K_k, the very terms of cartmodel.engine.logistic_steps). The runs advance together, step by
   * step as numpy's loop does, so the processor overlaps their divisions.
   *
   * stopAbove (same layout, or null) may end a run early: where the capacity no longer rises
   * (q <= r) and N_k is above K_k by a margin (1e-9), every later N is a weighted harmonic mean
   * of the one before and a capacity below it, so it falls (by a relative (1 - e^{-r dt}) 1e-9 at
   * least, far beyond rounding when 1 - e^{-r dt} >= 1e-3) and cannot reach the peak already
   * found: peak and day are those of the whole run.
   */
  function runPeaks(starts, rows, growOverCap, stopAbove, keep, t, peakOut, dayOut) {
    var m = starts.length, T = t.length;
    if (stopAbove === null) return allSteps(starts, rows, growOverCap, keep, t, peakOut, dayOut);
    var n = new Float64Array(m), active = new Int32Array(m), count = m;
    for (var c = 0; c < m; c++) { n[c] = starts[c]; peakOut[c] = starts[c]; dayOut[c] = 0.0; active[c] = c; }
    for (var k = 1; k < T && count > 0; k++) {
      var tk = t[k];
      for (var a = 0; a < count;) {
        var run = active[a], at = rows[run] * T + k;
        var x = 1.0 / (keep / n[run] + growOverCap[at]);
        n[run] = x;
        if (x > peakOut[run]) { peakOut[run] = x; dayOut[run] = tk; }
        if (stopAbove !== null && x > stopAbove[at]) active[a] = active[--count]; else a++;
      }
    }
  }

  /* runPeaks without early ends: the same arithmetic in a plainer loop. */
  function allSteps(starts, rows, growOverCap, keep, t, peakOut, dayOut) {
    var m = starts.length, T = t.length, n = new Float64Array(m), base = new Int32Array(m), c;
    for (c = 0; c < m; c++) { n[c] = starts[c]; peakOut[c] = starts[c]; dayOut[c] = 0.0; base[c] = rows[c] * T; }
    for (var k = 1; k < T; k++) {
      var tk = t[k];
      for (c = 0; c < m; c++) {
        var x = 1.0 / (keep / n[c] + growOverCap[base[c] + k]);
        n[c] = x;
        if (x > peakOut[c]) { peakOut[c] = x; dayOut[c] = tk; }
      }
    }
  }

  /* numpy.logspace(a, b, n): 10 ** linspace(a, b, n), the last point exactly 10 ** b. */
  function logspace(a, b, n) {
    var grid = new Float64Array(n), step = (b - a) / (n - 1);
    for (var i = 0; i < n; i++) grid[i] = Math.pow(10, i === n - 1 ? b : i * step + a);
    return grid;
  }

  /*
   * The nomogram: cartmodel.dose_response over n0Grid x PGrid and cartmodel.dose_for_ceiling for
   * every burden, with and without clear_by_day, exact reading. p = {n0Grid, PGrid, B, r, q, K,
   * ceiling, clear_by_day, days = 60, dt = 1, clearance_level = 1, rtol = 1e-3, b_placement}.
   * Returns (dose index i, burden index j; peak[i * nP + j]):
   *   peak, peakDay            Float64Array, the grid
   *   clearanceDay             per burden
   *   clears                   per burden: tumour term below the level by clear_by_day
   *   largestGridIndex         per burden: index of the largest grid dose with peak <= ceiling
   *                            where the tumour clears in time (-1: none)
   *   ceilingDose, underCeiling  per burden, as CeilingDose without / with clear_by_day:
   *                            {n0, peak, feasible, atMaxDose, tooHigh}
   */
  function nomogram(p) {
    var n0Grid = p.n0Grid, PGrid = p.PGrid, nD = n0Grid.length, nP = PGrid.length;
    var r = check("r", p.r), q = check("q", p.q), B = check("B", p.B), K = check("K", p.K);
    var ceiling = check("ceiling", p.ceiling);
    var level = check("clearance_level", p.clearance_level === undefined ? 1.0 : p.clearance_level);
    var placement = checkChoice("b_placement", p.b_placement === undefined ? "capacity" : p.b_placement, B_PLACEMENTS);
    var t = timeGrid(p.days === undefined ? 60 : p.days, p.dt === undefined ? 1.0 : p.dt);
    var byDay = p.clear_by_day;
    if (byDay !== null && byDay !== undefined && !(byDay > 0 && byDay <= t[t.length - 1])) {
      throw new RangeError("clear_by_day must be > 0 and <= " + t[t.length - 1] + "; got " + byDay);
    }
    var rtol = p.rtol === undefined ? 1e-3 : p.rtol;
    var lowDose = n0Grid[0], highDose = n0Grid[nD - 1];
    if (!(lowDose >= 1.0) || !(highDose > lowDose)) throw new RangeError("the dose grid must start at >= 1 and increase");
    var dt = t[1] - t[0], T = t.length;
    var keep = Math.exp(-r * dt), grow = -Math.expm1(-r * dt);
    var early = q <= r && grow >= 1e-3;  // see runPeaks
    var tumour = new Float64Array(T), cap = new Float64Array(T);
    var growOverCap = new Float64Array(nP * T), stopAbove = early ? new Float64Array(nP * T) : null;
    var clearanceDay = new Float64Array(nP), clears = [], j, k, i;
    for (j = 0; j < nP; j++) {
      var P = check("P", PGrid[j]);
      checkCapacityRange(r, q, B, P, K, t[T - 1], placement);
      tumourTerm(t, r, q, P, tumour);
      capacityFromTumour(tumour, B, K, placement, cap);
      for (k = 1; k < T; k++) {
        growOverCap[j * T + k] = grow / cap[k];
        if (early) stopAbove[j * T + k] = cap[k] * (1 + 1e-9);
      }
      clearanceDay[j] = firstDayBelow(t, tumour, level);
      clears.push(byDay === null || byDay === undefined ? true : clearanceDay[j] <= byDay);
    }
    var rowsOf = function (columns) { return Int32Array.from(columns); };
    var allColumns = [];
    for (j = 0; j < nP; j++) allColumns.push(j);

    // the grid, one burden at a time: its doses advance together
    var peak = new Float64Array(nD * nP), peakDay = new Float64Array(nD * nP), largest = new Int32Array(nP);
    var colPeak = new Float64Array(nD), colDay = new Float64Array(nD), sameRow = new Int32Array(nD);
    for (j = 0; j < nP; j++) {
      sameRow.fill(j);
      runPeaks(n0Grid, sameRow, growOverCap, stopAbove, keep, t, colPeak, colDay);
      largest[j] = -1;
      for (i = 0; i < nD; i++) {
        peak[i * nP + j] = colPeak[i];
        peakDay[i * nP + j] = colDay[i];
        if (clears[j] && colPeak[i] <= ceiling) largest[j] = i;
      }
    }

    // dose_for_ceiling: the ends of the range, then bisection on log(dose), every burden at once
    var rows = rowsOf(allColumns), ends = new Float64Array(nP), out = new Float64Array(nP), days = new Float64Array(nP);
    ends.fill(lowDose);
    runPeaks(ends, rows, growOverCap, stopAbove, keep, t, out, days);
    var tooHigh = Array.from(out, function (x) { return x > ceiling; });
    ends.fill(highDose);
    runPeaks(ends, rows, growOverCap, stopAbove, keep, t, out, days);
    var atMax = Array.from(out, function (x) { return x <= ceiling; });
    var lo = new Float64Array(nP), hi = new Float64Array(nP), searching = [];
    for (j = 0; j < nP; j++) {
      lo[j] = atMax[j] ? Math.log(highDose) : Math.log(lowDose);
      hi[j] = Math.log(highDose);
      if (!tooHigh[j] && !atMax[j]) searching.push(j);
    }
    // dose_for_ceiling bisects every burden with the same number of halvings
    var span = Math.log(highDose) - Math.log(lowDose);
    var halvings = Math.max(Math.ceil(Math.log2(Math.max(span, 1e-300) / rtol)) + 1, 1);
    if (searching.length) {
      var searchRows = rowsOf(searching), mids = new Float64Array(searching.length), starts = new Float64Array(searching.length);
      var midPeak = new Float64Array(searching.length), midDay = new Float64Array(searching.length);
      for (var h = 0; h < halvings; h++) {
        searching.forEach(function (column, c) { mids[c] = 0.5 * (lo[column] + hi[column]); starts[c] = Math.exp(mids[c]); });
        runPeaks(starts, searchRows, growOverCap, stopAbove, keep, t, midPeak, midDay);
        searching.forEach(function (column, c) { if (midPeak[c] <= ceiling) lo[column] = mids[c]; else hi[column] = mids[c]; });
      }
    }
    var dose = Array.from(lo, Math.exp);
    ends.set(dose.map(function (d, column) { return tooHigh[column] ? 1.0 : d; }));
    runPeaks(ends, rows, growOverCap, stopAbove, keep, t, out, days);
    var ceilingDose = [], underCeiling = [];
    for (j = 0; j < nP; j++) {
      var peakAtDose = tooHigh[j] ? 0.0 : out[j];
      ceilingDose.push({ n0: tooHigh[j] ? 0.0 : dose[j], peak: peakAtDose, feasible: !tooHigh[j], atMaxDose: atMax[j] && !tooHigh[j], tooHigh: tooHigh[j] });
      var ok = !tooHigh[j] && clears[j];
      underCeiling.push({ n0: ok ? dose[j] : 0.0, peak: ok ? peakAtDose : 0.0, feasible: ok, atMaxDose: atMax[j] && ok, tooHigh: tooHigh[j] });
    }
    return {
      n0Grid: n0Grid, PGrid: PGrid, t: t, peak: peak, peakDay: peakDay, clearanceDay: clearanceDay, clears: clears,
      largestGridIndex: largest, ceilingDose: ceilingDose, underCeiling: underCeiling
    };
  }

  /* ------------------------------------------------------------------ Equation 1 with killing (cartmodel.killing) */

  var KILLING_FORMS = ["saturating", "mass action"];

  /*
   * Peak, its day and the clearance day of Equation 1 with killing (exact reading, no extinction)
   * for m independent runs: run c starts from doses[c] and has burden Ps[c]. The arithmetic of
   * cartmodel.killing._coupled and killing_dose_response, in its order: each step the tumour's
   * exponent loses kill(N_{k-1}) dt, kill(N) = gamma N / (k + N) (saturating) or gamma N / k
   * (mass action), then the capacity follows the tumour and N follows the capacity.
   * m = {r, q, B, K, gamma, kHalf, form, placement, level, t} (checked by the caller).
   */
  function killingRuns(doses, Ps, m, peakOut, dayOut, clearOut) {
    var t = m.t, T = t.length, dt = t[1] - t[0], r = m.r, net = m.q - m.r, level = m.level;
    var keep = Math.exp(-r * dt), grow = -Math.expm1(-r * dt);
    var scale = m.placement === "capacity" ? m.K * m.B : m.K, slope = m.placement === "capacity" ? 1.0 : m.B;
    var plain = m.placement === "capacity";
    var mayOverflow = Math.max(net, 0.0) * t[T - 1] > LARGEST_EXPONENT;
    var gamma = m.gamma, kHalf = m.kHalf, noKill = gamma === 0, mass = m.form === "mass action";
    var ratePerCell = gamma / kHalf * dt, gammaDt = gamma * dt;
    for (var c = 0; c < doses.length; c++) {
      var P = Ps[c], logP = Math.log(P), n = doses[c], killed = 0.0, peak = n, day = 0.0;
      var clearance = P * Math.exp(net * t[0] - killed) < level ? 0.0 : Infinity;
      for (var k = 1; k < T; k++) {
        if (!noKill) killed = mass ? killed + ratePerCell * n : killed + gammaDt * (n / (kHalf + n));
        var exponent = net * t[k] - killed;
        var tumour = mayOverflow && exponent > LARGEST_EXPONENT ? Math.exp(logP + exponent) : P * Math.exp(exponent);
        var cap = plain ? scale * (tumour + 1.0) : scale * (slope * tumour + 1.0);
        n = 1.0 / (keep / n + grow / cap);
        if (n > peak) { peak = n; day = t[k]; }
        if (clearance === Infinity && tumour < level) clearance = t[k];
      }
      peakOut[c] = peak; dayOut[c] = day; clearOut[c] = clearance;
    }
  }

  /*
   * The nomogram of Equation 1 with killing: the peak over n0Grid x PGrid (killing_dose_response)
   * and, for every burden, the therapeutic window of cartmodel.killing.dose_window (extinction
   * off): a log-spaced grid of window_points doses from the first to the last of n0Grid, then
   * bisection on the log dose where a condition changes (clears by clear_by_day; peak <= ceiling).
   * p = {n0Grid, PGrid, B, r, q, K, kill_rate, kill_saturation, killing = "saturating", ceiling,
   * clear_by_day, days = 60, dt = 1, clearance_level = 1, rtol = 1e-4, window_points = 25,
   * b_placement}. Returns (dose index i, burden index j; peak[i * nP + j]):
   *   peak, peakDay, clearanceDay   Float64Array, the grid (clearance now depends on the dose)
   *   window   per burden: lowestClearing, lowestUnder, highestUnder (NaN: none in the range),
   *            clearsAtMin, underAtMax, monotone, as cartmodel.killing.DoseWindow
   */
  function killingNomogram(p) {
    var n0Grid = p.n0Grid, PGrid = p.PGrid, nD = n0Grid.length, nP = PGrid.length, i, j;
    var m = {
      r: check("r", p.r), q: check("q", p.q), B: check("B", p.B), K: check("K", p.K),
      gamma: check("kill_rate", p.kill_rate), kHalf: check("kill_saturation", p.kill_saturation),
      form: checkChoice("killing", p.killing === undefined ? "saturating" : p.killing, KILLING_FORMS),
      placement: checkChoice("b_placement", p.b_placement === undefined ? "capacity" : p.b_placement, B_PLACEMENTS),
      level: check("clearance_level", p.clearance_level === undefined ? 1.0 : p.clearance_level),
      t: timeGrid(p.days === undefined ? 60 : p.days, p.dt === undefined ? 1.0 : p.dt)
    };
    var ceiling = check("ceiling", p.ceiling), t = m.t;
    var byDay = p.clear_by_day;
    if (!(byDay > 0 && byDay <= t[t.length - 1])) throw new RangeError("clear_by_day must be > 0 and <= " + t[t.length - 1] + "; got " + byDay);
    var rtol = p.rtol === undefined ? 1e-4 : p.rtol, points = p.window_points === undefined ? 25 : p.window_points;
    if (!(rtol > 0 && rtol <= 0.1)) throw new RangeError("rtol must be > 0 and <= 0.1; got " + rtol);
    if (!(Number.isInteger(points) && points >= 3 && points <= 1000)) throw new RangeError("window_points must be a whole number in 3 to 1000; got " + points);
    var lowDose = n0Grid[0], highDose = n0Grid[nD - 1];
    if (!(lowDose > 0) || !(highDose > lowDose)) throw new RangeError("the dose grid must start above 0 and increase");
    for (j = 0; j < nP; j++) checkCapacityRange(m.r, m.q, m.B, check("P", PGrid[j]), m.K, t[t.length - 1], m.placement);

    // the map: every dose and burden
    var doses = new Float64Array(nD * nP), Ps = new Float64Array(nD * nP);
    for (i = 0; i < nD; i++) for (j = 0; j < nP; j++) { doses[i * nP + j] = n0Grid[i]; Ps[i * nP + j] = PGrid[j]; }
    var peak = new Float64Array(nD * nP), peakDay = new Float64Array(nD * nP), clearanceDay = new Float64Array(nD * nP);
    killingRuns(doses, Ps, m, peak, peakDay, clearanceDay);

    // dose_window: the conditions on its own grid of log doses, numpy.linspace(log(low), log(high), points)
    var logLow = Math.log(lowDose), logHigh = Math.log(highDose), step = (logHigh - logLow) / (points - 1);
    var grid = new Float64Array(points);
    for (i = 0; i < points; i++) grid[i] = i === points - 1 ? logHigh : i * step + logLow;
    var gDoses = new Float64Array(points * nP), gPs = new Float64Array(points * nP);
    for (i = 0; i < points; i++) for (j = 0; j < nP; j++) { gDoses[i * nP + j] = Math.exp(grid[i]); gPs[i * nP + j] = PGrid[j]; }
    var gPeak = new Float64Array(points * nP), gDay = new Float64Array(points * nP), gClear = new Float64Array(points * nP);
    killingRuns(gDoses, gPs, m, gPeak, gDay, gClear);
    var firstClear = new Int32Array(nP).fill(-1), firstUnder = new Int32Array(nP).fill(-1), lastUnder = new Int32Array(nP).fill(-1);
    var monotone = [];
    for (j = 0; j < nP; j++) {
      var countUnder = 0, countClear = 0;
      for (i = 0; i < points; i++) {
        var clears = gClear[i * nP + j] <= byDay, under = gPeak[i * nP + j] <= ceiling;
        if (clears) { countClear++; if (firstClear[j] < 0) firstClear[j] = i; }
        if (under) { countUnder++; if (firstUnder[j] < 0) firstUnder[j] = i; lastUnder[j] = i; }
      }
      var oneRun = firstUnder[j] >= 0 ? countUnder === lastUnder[j] - firstUnder[j] + 1 : true;
      var persists = firstClear[j] >= 0 ? countClear === points - firstClear[j] : true;
      monotone.push(oneRun && persists);
    }
    var halvings = Math.ceil(Math.log2((grid[1] - grid[0]) / rtol)) + 1;
    var one = new Float64Array(1), onePeak = new Float64Array(1), oneDay = new Float64Array(1), oneClear = new Float64Array(1);
    function holds(which, logDose, P) {  // condition `which` (0: clears in time, 1: under the ceiling) at one dose
      one[0] = Math.exp(logDose);
      killingRuns(one, [P], m, onePeak, oneDay, oneClear);
      return which === 0 ? oneClear[0] <= byDay : onePeak[0] <= ceiling;
    }
    // refine: bisect where the condition turns true (rising) or false; keep the side where it holds
    function refine(index, which, rising) {
      var out = new Float64Array(nP);
      for (var jj = 0; jj < nP; jj++) {
        var at = index[jj];
        if (at < 0) { out[jj] = NaN; continue; }
        var inner = rising ? at > 0 : at < points - 1;
        if (!inner) { out[jj] = Math.exp(grid[at]); continue; }
        var fails = rising ? grid[at - 1] : grid[at + 1], holdsAt = grid[at];
        for (var h = 0; h < halvings; h++) {
          var mid = 0.5 * (fails + holdsAt);
          if (holds(which, mid, PGrid[jj])) holdsAt = mid; else fails = mid;
        }
        out[jj] = Math.exp(holdsAt);
      }
      return out;
    }
    var window = {
      lowestClearing: refine(firstClear, 0, true), lowestUnder: refine(firstUnder, 1, true),
      highestUnder: refine(lastUnder, 1, false),
      clearsAtMin: Array.from(firstClear, function (x) { return x === 0; }),
      underAtMax: Array.from(lastUnder, function (x) { return x === points - 1; }),
      monotone: monotone
    };
    // DoseWindow.low, .exists: the window's lower end is the larger of the two smallest doses
    window.low = Array.from(window.lowestClearing, function (x, jj) {  // numpy.fmax: a NaN smallest dose under the ceiling is ignored
      var u = window.lowestUnder[jj];
      return isNaN(x) ? NaN : (isNaN(u) ? x : Math.max(x, u));
    });
    window.exists = window.low.map(function (x, jj) { return x <= window.highestUnder[jj]; });
    return { n0Grid: n0Grid, PGrid: PGrid, t: t, peak: peak, peakDay: peakDay, clearanceDay: clearanceDay, window: window };
  }

  /* cartmodel.split_doses and split_schedule: the split schedule and one infusion of the total. */
  function schedule(p) {
    var total = p.total_n0, count = p.infusions, interval = p.interval_days;
    if (typeof total !== "number" || !(total > 0) || !isFinite(total)) throw new RangeError("total_n0 must be > 0; got " + total);
    if (!(Number.isInteger(count) && count >= 1 && count <= 1000)) throw new RangeError("infusions must be a whole number in 1 to 1000; got " + count);
    check("interval_days", interval);
    var each = total / count, doses = [];
    for (var i = 0; i < count; i++) doses.push([i * interval, each]);
    var common = { P: p.P, B: p.B, r: p.r, q: p.q, K: p.K, days: p.days, dt: p.dt, reading: p.reading, b_placement: p.b_placement, clearance_level: p.clearance_level };
    var horizon = timeGrid(p.days === undefined ? 60 : p.days, p.dt === undefined ? 1.0 : p.dt);
    if (doses[count - 1][0] > horizon[horizon.length - 1]) {
      throw new RangeError("the last of " + count + " infusions falls on day " + doses[count - 1][0] + ", after the horizon");
    }
    var single = simulate(Object.assign({ n0: total }, common));
    var split = simulate(Object.assign({ n0: doses[0][1], doses: doses.slice(1) }, common));
    var s1 = summarise(single), s2 = summarise(split);
    return { doses: doses, single: single, split: split, singleSummary: s1, splitSummary: s2, peakRatio: s2.peak / s1.peak };
  }

  /* ------------------------------------------------------------------ formatting */

  function superscript(n) {
    var digits = "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079";
    var text = String(Math.abs(n)).split("").map(function (d) { return digits[+d]; }).join("");
    return (n < 0 ? "\u207b" : "") + text;
  }

  /* 1.47 x 10^7 style, three significant digits, as Python's format(x, ".2e") and the book's prose. */
  function formatCells(x) {
    if (!isFinite(x)) return "none";
    var parts = x.toExponential(2).split("e");
    var exponent = parseInt(parts[1], 10);
    return exponent === 0 ? parts[0] : parts[0] + " \u00d7 10" + superscript(exponent);
  }

  function formatDay(x) {
    return isFinite(x) ? "day " + (Math.round(x * 100) / 100) : "not within the horizon";
  }

  function formatValue(row, x) {
    if (row.integer) return String(Math.round(x));
    if (row.scale === "log") return x >= 1e4 || x < 1e-2 ? formatCells(x) : String(+x.toPrecision(3));
    return String(+x.toPrecision(3));
  }

  function squash(text) { return String(text).replace(/\s+/g, " ").trim(); }
  function capitalised(text) {  // the first letter up, unless the first word is in mixed case (scFv)
    text = squash(text);
    return /^[a-z]+[A-Z]/.test(text) ? text : text.charAt(0).toUpperCase() + text.slice(1);
  }
  function unitSuffix(row) { return row.unit === "dimensionless" || row.unit === "count" ? "" : " " + row.unit; }

  /* ------------------------------------------------------------------ page building */

  var SVG = "http://www.w3.org/2000/svg";

  function el(tag, attrs, parent, ns) {
    var node = ns ? document.createElementNS(SVG, tag) : document.createElement(tag);
    for (var key in attrs) if (hasOwn(attrs, key)) node.setAttribute(key, attrs[key]);
    if (parent) parent.appendChild(node);
    return node;
  }

  function text(tag, content, attrs, parent) {
    var node = el(tag, attrs || {}, parent);
    node.textContent = content;
    return node;
  }

  var STYLE = [
    ".cm-explorer{border:1px solid rgba(127,127,127,.45);border-radius:6px;padding:.8em;margin:1em 0;max-width:100%;box-sizing:border-box;overflow-wrap:anywhere}",
    ".cm-explorer .cm-controls{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(250px,100%),1fr));gap:.4em 1.2em}",
    ".cm-explorer label{display:block;font-size:.9em}",
    ".cm-explorer input[type=range],.cm-explorer select{width:100%;box-sizing:border-box;min-height:1.6em}",
    ".cm-explorer .cm-value{font-variant-numeric:tabular-nums;font-weight:600}",
    ".cm-explorer svg,.cm-explorer canvas{width:100%;height:auto;max-width:680px;display:block;margin:.6em 0}",
    ".cm-explorer .cm-readouts{display:flex;flex-wrap:wrap;gap:.4em 1.6em;font-size:.95em;margin:.4em 0}",
    ".cm-explorer .cm-flag{font-weight:700;padding:.1em .5em;border-radius:4px}",
    ".cm-explorer .cm-flag[data-over=true]{background:#b03a2e;color:#fff}",
    ".cm-explorer .cm-flag[data-over=false]{background:rgba(39,174,96,.18)}",
    ".cm-explorer .cm-axis text,.cm-explorer .cm-legend text{font-size:12px;fill:currentColor}",
    ".cm-explorer .cm-axis line{stroke:currentColor;stroke-opacity:.25}",
    ".cm-explorer .cm-actions{display:flex;flex-wrap:wrap;gap:.4em;align-items:center;margin:.6em 0 .2em}",
    ".cm-explorer .cm-actions button{font:inherit;font-size:.9em;padding:.25em .7em;border:1px solid currentColor;border-radius:4px;background:transparent;color:inherit;cursor:pointer}",
    ".cm-explorer .cm-actions button:focus-visible,.cm-explorer input:focus-visible,.cm-explorer select:focus-visible{outline:2px solid #1a73e8;outline-offset:2px}",
    ".cm-explorer .cm-link{flex:1 1 14em;min-width:0;font:inherit;font-size:.85em;box-sizing:border-box}",
    ".cm-explorer .cm-link[hidden]{display:none}",
    ".cm-explorer .cm-note{font-size:.85em;margin:.3em 0}",
    ".cm-explorer .cm-url-note,.cm-explorer .cm-problem{font-size:.85em;margin:.3em 0;padding:.3em .5em;border-left:3px solid #b03a2e}",
    ".cm-explorer .cm-url-note[hidden],.cm-explorer .cm-problem[hidden]{display:none}",
    ".cm-explorer .cm-key{display:flex;flex-wrap:wrap;gap:.3em 1.2em;font-size:.85em;margin:.2em 0;padding:0;list-style:none}",
    ".cm-explorer .cm-swatch{display:inline-block;width:1.6em;height:.35em;margin-right:.4em;vertical-align:middle}"
  ].join("\n");

  function injectStyle() {
    if (document.getElementById("cm-explorer-style")) return;
    var style = el("style", { id: "cm-explorer-style" }, document.head);
    style.textContent = STYLE;
  }

  /* ------------------------------------------------------------------ line charts (SVG) */

  var M = { left: 62, right: 14, top: 12, bottom: 42 };

  /* The drawing's width in CSS pixels, so that text stays 12 px on a phone: 280 to 680. */
  function measure(node) {
    var width = node.getBoundingClientRect().width;
    return Math.round(Math.max(280, Math.min(680, width || 640)));
  }

  function fitSvg(chart) {
    var w = measure(chart.svg);
    if (w === chart.W) return;
    chart.W = w;
    chart.H = Math.round(Math.max(260, Math.min(330, 0.75 * w)));
    chart.svg.setAttribute("viewBox", "0 0 " + chart.W + " " + chart.H);
    chart.axis.removeAttribute("data-key");
  }

  function lineChart(parent, ariaLabel, series, marks) {
    var svg = el("svg", { viewBox: "0 0 640 330", role: "img", "aria-label": ariaLabel }, parent, true);
    var chart = { svg: svg, axis: el("g", { "class": "cm-axis" }, svg, true), lines: {}, marks: {}, W: 0, H: 0 };
    marks.forEach(function (m) { chart.marks[m.name] = el("line", m.attrs, svg, true); });
    series.forEach(function (s) {
      chart.lines[s.name] = el("polyline", Object.assign({ fill: "none", "stroke-width": 2, "data-series": s.name }, s.attrs), svg, true);
    });
    var key = el("ul", { "class": "cm-key", "aria-hidden": "true" }, parent);
    series.concat(marks).forEach(function (s) {
      if (!s.label) return;
      var item = el("li", {}, key);
      var swatch = el("span", { "class": "cm-swatch" }, item);
      swatch.style.borderTop = "3px " + (s.dashed ? "dashed " : "solid ") + (s.colour || "currentColor");
      item.appendChild(document.createTextNode(s.label));
    });
    return chart;
  }

  function drawAxes(chart, tMax, bottom, top, xLabel, yLabel) {
    fitSvg(chart);
    var W = chart.W, H = chart.H;
    var x0 = M.left, x1 = W - M.right, y0 = H - M.bottom, y1 = M.top + 8;
    var scale = {
      X: function (t) { return x0 + (x1 - x0) * t / tMax; },
      Y: function (n) { return y0 - (y0 - y1) * (Math.log10(n) - bottom) / (top - bottom); },
      x0: x0, x1: x1, y0: y0, y1: y1
    };
    var key = bottom + ":" + top + ":" + tMax;
    var axis = chart.axis;
    if (axis.getAttribute("data-key") !== key) {  // redrawn only when the decade range changes
      axis.setAttribute("data-key", key);
      while (axis.firstChild) axis.removeChild(axis.firstChild);
      var stride = Math.ceil((top - bottom) / 8);
      for (var d = bottom; d <= top; d += stride) {
        el("line", { x1: x0, x2: x1, y1: scale.Y(Math.pow(10, d)), y2: scale.Y(Math.pow(10, d)) }, axis, true);
        el("text", { x: x0 - 6, y: scale.Y(Math.pow(10, d)) + 4, "text-anchor": "end" }, axis, true).textContent = "10" + superscript(d);
      }
      var every = W < 450 ? 20 : 10;
      for (var day = 0; day <= tMax; day += every) {
        el("line", { x1: scale.X(day), x2: scale.X(day), y1: y0, y2: y0 + 5 }, axis, true);
        el("text", { x: scale.X(day), y: y0 + 18, "text-anchor": "middle" }, axis, true).textContent = String(day);
      }
      el("text", { x: (x0 + x1) / 2, y: H - 6, "text-anchor": "middle" }, axis, true).textContent = xLabel;
      el("text", { x: 14, y: (y0 + y1) / 2, "text-anchor": "middle", transform: "rotate(-90 14 " + (y0 + y1) / 2 + ")" }, axis, true).textContent = yLabel;
    }
    return scale;
  }

  function points(scale, t, values, keep) {
    var out = [];
    for (var k = 0; k < t.length; k++) {
      if (!keep || keep(values[k])) out.push(scale.X(t[k]).toFixed(2) + "," + scale.Y(values[k]).toFixed(2));
    }
    return out.join(" ");
  }

  function setLine(line, x1, x2, y1, y2) {
    line.setAttribute("x1", x1); line.setAttribute("x2", x2); line.setAttribute("y1", y1); line.setAttribute("y2", y2);
  }

  /* Whole decades around what matters, as the Python widgets' _decade_limits. */
  function decades(low, high) { return [Math.floor(Math.log10(low)), Math.ceil(Math.log10(high) + 0.3)]; }

  /* ------------------------------------------------------------------ the three explorers */

  var TUMOUR = "#c0392b", CAR_T = "currentColor";

  function affinity(ic50) { return 1.0 / check("ic50", ic50); }  // B = (1 nM) / IC50, dimensionless

  function belowLevel(fixed) { return "Tumour term below " + fixed.clearance_level + " AU"; }

  var KINDS = {};
  var MOUNTED = [];  // the explorers on this page, in the order they were mounted

  KINDS.dosing = {
    title: "Dosing explorer",
    readouts: [["peak_cells", "Peak"], ["peak_day", "Day of peak"], ["clearance_day", belowLevel]],
    chart: function (parent) {
      return lineChart(parent, "CAR T cells (model cells) and the tumour term (AU) against days, on a logarithmic axis", [
        { name: "tumour", label: "tumour term (AU)", colour: TUMOUR, attrs: { stroke: TUMOUR } },
        { name: "car-t", label: "CAR T cells (model cells)", attrs: { stroke: CAR_T, "stroke-width": 2.2 } }
      ], [
        { name: "ceiling", label: "ceiling", colour: TUMOUR, dashed: true, attrs: { stroke: TUMOUR, "stroke-dasharray": "6 4", "stroke-width": 1.5 } },
        { name: "clearance", label: "", attrs: { stroke: "currentColor", "stroke-opacity": 0.7, "stroke-dasharray": "2 3" } }
      ]);
    },
    compute: function (v, fixed) {
      var run = simulate({ r: v.r, q: v.q, B: affinity(v.ic50), P: v.P, K: fixed.K, n0: v.n0, days: fixed.days, dt: fixed.dt,
        reading: v.reading, b_placement: v.b_placement, clearance_level: fixed.clearance_level });
      var s = summarise(run);
      return { run: run, summary: s, over: s.peak > v.ceiling };
    },
    draw: function (chart, state, v) {
      var run = state.run, s = state.summary, t = run.t;
      var range = decades(Math.min(v.n0, 1.0) / 10, Math.max(s.peak, v.ceiling, v.P, 10.0));
      var scale = drawAxes(chart, t[t.length - 1], range[0], range[1], "days after infusion", "model cells, or AU (log scale)");
      chart.lines["car-t"].setAttribute("points", points(scale, t, run.carT));
      var level = run.clearanceLevel;
      chart.lines.tumour.setAttribute("points", points(scale, t, run.tumour, function (x) { return x >= level; }));
      var yc = scale.Y(v.ceiling);
      setLine(chart.marks.ceiling, scale.x0, scale.x1, yc, yc);
      var shown = isFinite(s.clearanceDay);
      chart.marks.clearance.setAttribute("visibility", shown ? "visible" : "hidden");
      if (shown) setLine(chart.marks.clearance, scale.X(s.clearanceDay), scale.X(s.clearanceDay), scale.y0, scale.y1);
    },
    values: function (state) {
      var s = state.summary;
      return {
        peak_cells: [s.peak, formatCells(s.peak) + " model cells"],
        peak_day: [s.peakDay, formatDay(s.peakDay)],
        clearance_day: [s.clearanceDay, formatDay(s.clearanceDay)]
      };
    },
    flag: function (state) { return state.over; },
    csv: function (state) {
      var run = state.run, rows = ["day,car_t_model_cells,tumour_term_AU,capacity_model_cells"];
      for (var k = 0; k < run.t.length; k++) rows.push([run.t[k], run.carT[k], run.tumour[k], run.capacity[k]].map(String).join(","));
      return rows;
    }
  };

  /* magma, sampled at nine points (matplotlib's colour map of the Python nomogram) */
  var MAGMA = [[0, 0, 4], [28, 16, 68], [79, 18, 123], [129, 37, 129], [181, 54, 122], [229, 80, 100], [251, 135, 97], [254, 194, 135], [252, 253, 191]];
  var LUT = (function () {
    var lut = new Uint8ClampedArray(256 * 3);
    for (var i = 0; i < 256; i++) {
      var x = i / 255 * 8, a = Math.min(Math.floor(x), 7), f = x - a;
      for (var c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(MAGMA[a][c] + f * (MAGMA[a + 1][c] - MAGMA[a][c]));
    }
    return lut;
  })();

  var NM = { left: 60, right: 78, top: 12, bottom: 46 };

  /* The nomogram explorer's state under Equation 1 with killing: the map, the window and its readouts. */
  function killingState(v, fixed, chart) {
    var map = killingNomogram({ n0Grid: chart.grids.killing.n0Grid, PGrid: chart.grids.killing.PGrid, B: affinity(v.ic50), r: v.r, q: v.q, K: fixed.K,
      kill_rate: v.kill_rate, kill_saturation: v.kill_saturation, killing: v.killing, ceiling: v.ceiling,
      clear_by_day: v.clear_by_day, days: fixed.days, dt: fixed.dt, rtol: fixed.rtol, clearance_level: fixed.clearance_level,
      window_points: chart.windowPoints });
    var w = map.window, lowest = Infinity, highest = -Infinity, feasible = 0, limit = NaN, low = Infinity, high = -Infinity;
    var beyondAxis = false, belowAxis = false;
    map.PGrid.forEach(function (P, j) {
      if (w.exists[j]) {
        feasible++;
        lowest = Math.min(lowest, w.highestUnder[j]); highest = Math.max(highest, w.highestUnder[j]);
        if (w.underAtMax[j]) beyondAxis = true;
      }
      if (!isNaN(w.lowestClearing[j])) {
        limit = P;
        if (w.lowestClearing[j] < low) { low = w.lowestClearing[j]; belowAxis = w.clearsAtMin[j]; }
        high = Math.max(high, w.lowestClearing[j]);
      }
    });
    return { map: map, window: w, killing: true, lowest: feasible ? lowest : NaN, highest: feasible ? highest : NaN,
      feasible: feasible, limit: limit, beyondAxis: beyondAxis, belowAxis: belowAxis,
      lowestClearing: isFinite(low) ? low : NaN, highestClearing: isFinite(high) ? high : NaN };
  }

  KINDS.nomogram = {
    title: "Nomogram explorer",
    readouts: [["largest_dose_min", "Largest dose under the model ceiling, from"], ["largest_dose_max", "to"],
      ["smallest_clearing_dose_min", "Smallest dose that clears in time, from"], ["smallest_clearing_dose_max", "to"],
      ["burdens_with_a_dose", "Burdens with such a dose"], ["clearance_limit_P", "Largest burden cleared in time"]],
    chart: function (parent, config) {
      var canvas = el("canvas", { width: 640, height: 430, role: "img",
        "aria-label": "Colour map of log10 of the predicted CAR T peak over antigen burden (horizontal, log scale) and dose (vertical, log scale), " +
          "with the largest dose under the model ceiling as a line and burdens not cleared in time shaded" }, parent);
      var keys = {};
      [["plain", [["#5dade2", "solid", "largest dose under the model ceiling (arrows: above the axis)"], ["#f7dc6f", "dashed", "peak = ceiling (any clearance)"],
        ["#a6a6a6", "solid", "tumour term not below the clearance level in time"],
        ["", "", "no smallest dose: in Equation 1 the tumour term falls at r \u2212 q per day (grows if q > r) whatever the dose"]]],
      ["killing", [["#5dade2", "solid", "largest dose under the model ceiling (arrows: above the axis)"],
        ["#58d68d", "dashed", "smallest dose whose tumour term is below the clearance level in time (arrows: below the axis)"],
        ["#a6a6a6", "solid", "no dose of the axis clears in time"]]]].forEach(function (model) {
        var key = keys[model[0]] = el("ul", { "class": "cm-key", "aria-hidden": "true", "data-model": model[0] }, parent);
        model[1].forEach(function (item) {
          var li = el("li", {}, key);
          if (item[0]) el("span", { "class": "cm-swatch" }, li).style.borderTop = (item[0] === "#a6a6a6" ? "8px " : "3px ") + item[1] + " " + item[0];
          li.appendChild(document.createTextNode(item[2]));
        });
      });
      var beyondNote = text("p", "", { "class": "cm-note", "data-readout-note": "beyond-axis", hidden: "" }, parent);
      var grid = config.grid;
      // the map's grid of each model: the killing model's is coarser (its runs cost more; see parameters.js)
      var grids = {};
      [["plain", grid.n], ["killing", grid.killing_n]].forEach(function (pair) {
        var image = document.createElement("canvas");
        image.width = pair[1]; image.height = pair[1];
        grids[pair[0]] = { image: image, pixels: image.getContext("2d").createImageData(pair[1], pair[1]),
          PGrid: logspace(grid.log10_P[0], grid.log10_P[1], pair[1]),
          n0Grid: logspace(Math.log10(grid.n0_range[0]), Math.log10(grid.n0_range[1]), pair[1]) };
      });
      return {
        canvas: canvas, grids: grids, beyondNote: beyondNote, keys: keys, windowPoints: grid.window_points,
        PGrid: grids.plain.PGrid, n0Grid: grids.plain.n0Grid, colourRange: null
      };
    },
    compute: function (v, fixed, chart) {
      if (v.model !== "Equation 1") return killingState(v, fixed, chart);
      var map = nomogram({ n0Grid: chart.n0Grid, PGrid: chart.PGrid, B: affinity(v.ic50), r: v.r, q: v.q, K: fixed.K,
        ceiling: v.ceiling, clear_by_day: v.clear_by_day, days: fixed.days, dt: fixed.dt, rtol: fixed.rtol,
        clearance_level: fixed.clearance_level });
      var lowest = Infinity, highest = -Infinity, feasible = 0, limit = NaN;
      map.underCeiling.forEach(function (d) {
        if (d.feasible) { feasible++; lowest = Math.min(lowest, d.n0); highest = Math.max(highest, d.n0); }
      });
      map.clears.forEach(function (ok, j) { if (ok) limit = map.PGrid[j]; });
      var beyondAxis = map.underCeiling.some(function (d) { return d.feasible && d.atMaxDose; });
      return { map: map, lowest: feasible ? lowest : NaN, highest: feasible ? highest : NaN, feasible: feasible, limit: limit,
        beyondAxis: beyondAxis, killing: false };
    },
    draw: function (chart, state, v, container) {
      var map = state.map, n = map.n0Grid.length, nP = map.PGrid.length, peak = map.peak;
      chart.keys.plain.hidden = state.killing;
      chart.keys.killing.hidden = !state.killing;
      var low = Infinity, high = -Infinity, i, j;
      for (i = 0; i < peak.length; i++) { var lp = Math.log10(peak[i]); if (lp < low) low = lp; if (lp > high) high = lp; }
      // a fixed colour scale, widened only when the peaks leave it, as in the Python widget
      var range = chart.colourRange;
      if (!range || low < range[0] || high > range[1]) {
        range = chart.colourRange = range ? [Math.min(range[0], Math.floor(low) - 1), Math.max(range[1], Math.ceil(high) + 1)]
          : [Math.floor(low) - 1, Math.ceil(high) + 1];
      }
      var shown = chart.grids[state.killing ? "killing" : "plain"];
      var data = shown.pixels.data, spanC = range[1] - range[0];
      for (i = 0; i < n; i++) {
        var row = (n - 1 - i) * nP;  // doses upwards
        for (j = 0; j < nP; j++) {
          var c = Math.max(0, Math.min(255, Math.round((Math.log10(peak[i * nP + j]) - range[0]) / spanC * 255))) * 3;
          var o = (row + j) * 4;
          data[o] = LUT[c]; data[o + 1] = LUT[c + 1]; data[o + 2] = LUT[c + 2]; data[o + 3] = 255;
        }
      }
      shown.image.getContext("2d").putImageData(shown.pixels, 0, 0);
      var NW = measure(chart.canvas), NH = Math.round(Math.max(300, Math.min(430, 0.7 * NW + 60)));
      var ratio = Math.max(1, Math.min(3, root.devicePixelRatio || 1));
      if (chart.canvas.width !== Math.round(NW * ratio) || chart.canvas.height !== Math.round(NH * ratio)) {
        chart.canvas.width = Math.round(NW * ratio);
        chart.canvas.height = Math.round(NH * ratio);
      }
      var ctx = chart.canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      var ink = getComputedStyle(container).color || "#000";
      ctx.clearRect(0, 0, NW, NH);
      var x0 = NM.left, x1 = NW - NM.right, y0 = NH - NM.bottom, y1 = NM.top;
      var lx = [Math.log10(map.PGrid[0]), Math.log10(map.PGrid[nP - 1])], ly = [Math.log10(map.n0Grid[0]), Math.log10(map.n0Grid[n - 1])];
      var hx = (lx[1] - lx[0]) / (nP - 1) / 2, hy = (ly[1] - ly[0]) / (n - 1) / 2;  // half a cell
      var X = function (P) { return x0 + (x1 - x0) * (Math.log10(P) - lx[0] + hx) / (lx[1] - lx[0] + 2 * hx); };
      var Y = function (d) { return y0 - (y0 - y1) * (Math.log10(d) - ly[0] + hy) / (ly[1] - ly[0] + 2 * hy); };
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(shown.image, x0, y1, x1 - x0, y0 - y1);
      // burdens whose tumour term is not below the clearance level by the chosen day (with killing:
      // for no dose of the axis), greyed column by column
      var cell = (x1 - x0) * hx / (lx[1] - lx[0] + 2 * hx);
      ctx.fillStyle = "rgba(191,191,191,0.6)";
      map.PGrid.forEach(function (P, jj) {
        var uncleared = state.killing ? isNaN(state.window.lowestClearing[jj]) : !map.clears[jj];
        if (uncleared) ctx.fillRect(X(P) - cell, y1, 2 * cell, y0 - y1);
      });
      function curve(doses, colour, width, dash) {
        ctx.strokeStyle = colour; ctx.lineWidth = width; ctx.setLineDash(dash);
        ctx.beginPath();
        var drawing = false;
        doses.forEach(function (d, j) {
          if (!(d > 0)) { drawing = false; return; }
          if (drawing) ctx.lineTo(X(map.PGrid[j]), Y(d)); else ctx.moveTo(X(map.PGrid[j]), Y(d));
          drawing = true;
        });
        ctx.stroke();
        ctx.setLineDash([]);
      }
      // open arrows past an edge of the dose axis, for the burdens whose bound lies beyond it
      function arrows(columns, colour, up, label, short) {
        if (!columns.length) return;
        ctx.strokeStyle = colour; ctx.fillStyle = colour; ctx.lineWidth = 2; ctx.setLineDash([]);
        var every = Math.max(1, Math.round(columns.length / Math.max(1, (X(map.PGrid[columns[columns.length - 1]]) - X(map.PGrid[columns[0]])) / 18)));
        var tip = up ? y1 + 4 : y0 - 4, sign = up ? 1 : -1;
        columns.forEach(function (j, k) {
          if (k % every) return;
          var x = X(map.PGrid[j]);
          ctx.beginPath(); ctx.moveTo(x, tip + sign * 18); ctx.lineTo(x, tip + sign * 2); ctx.stroke();
          ctx.beginPath(); ctx.moveTo(x - 4, tip + sign * 7); ctx.lineTo(x, tip); ctx.lineTo(x + 4, tip + sign * 7); ctx.stroke();
        });
        ctx.font = "600 12px sans-serif"; ctx.textBaseline = "top";
        if (ctx.measureText(label).width > x1 - x0 - 12) label = short;  // a phone's narrow plot
        var left = X(map.PGrid[columns[0]]), width = ctx.measureText(label).width;
        var tx = Math.max(x0 + 4, Math.min(left, x1 - width - 6)), ty = up ? y1 + 26 : y0 - 43;
        ctx.fillStyle = "rgba(0,0,0,0.65)"; ctx.fillRect(tx - 3, ty, width + 6, 17);
        ctx.fillStyle = "#fff"; ctx.textAlign = "left"; ctx.fillText(label, tx, ty + 2);
      }
      var beyond = [], below = [], top = formatCells(map.n0Grid[n - 1]);
      if (state.killing) {
        var w = state.window;
        curve(Array.from(w.highestUnder, function (d, j) { return w.underAtMax[j] ? NaN : d; }), "#5dade2", 3.5, []);
        curve(Array.from(w.lowestClearing, function (d, j) { return w.clearsAtMin[j] ? NaN : d; }), "#58d68d", 3, [7, 4]);
        w.highestUnder.forEach(function (d, j) { if (d > 0 && w.underAtMax[j]) beyond.push(j); });
        w.lowestClearing.forEach(function (d, j) { if (d > 0 && w.clearsAtMin[j]) below.push(j); });
      } else {
        curve(map.ceilingDose.map(function (d) { return d.feasible && !d.atMaxDose ? d.n0 : NaN; }), "#f7dc6f", 1.5, [6, 4]);
        curve(map.underCeiling.map(function (d) { return d.feasible && !d.atMaxDose ? d.n0 : NaN; }), "#5dade2", 3.5, []);
        map.underCeiling.forEach(function (d, j) { if (d.feasible && d.atMaxDose) beyond.push(j); });
      }
      arrows(beyond, "#5dade2", true, "largest dose above " + top + " (axis end)", "largest dose above the axis");
      arrows(below, "#58d68d", false, "smallest clearing dose at or below " + formatCells(map.n0Grid[0]) + " (axis end)", "clears from the axis end");
      if (!state.killing) {  // said on the plot, not drawn: Equation 1 has no smallest dose
        var words = "Equation 1: no smallest dose; the tumour term does not depend on the dose";
        ctx.font = "600 12px sans-serif"; ctx.textBaseline = "top";
        var room = x1 - x0 - 12;
        if (ctx.measureText(words).width > room) words = "Equation 1: no smallest dose";
        var ww = ctx.measureText(words).width;
        ctx.fillStyle = "rgba(0,0,0,0.65)"; ctx.fillRect(x0 + 4, y0 - 23, ww + 6, 17);
        ctx.fillStyle = "#fff"; ctx.textAlign = "left"; ctx.fillText(words, x0 + 7, y0 - 21);
      }
      var notes = [];
      if (beyond.length) notes.push("For " + beyond.length + " of the " + nP + " burdens the largest dose under the model ceiling lies above the top of the dose axis (" +
        top + " model cells): the arrows at the top of the plot mark them.");
      if (below.length) notes.push("For " + below.length + " of the " + nP + " burdens the smallest dose of the axis (" + formatCells(map.n0Grid[0]) +
        " model cells) already clears in time: the arrows at the bottom of the plot mark them.");
      chart.beyondNote.hidden = !notes.length;
      chart.beyondNote.textContent = notes.join(" ");
      chart.beyondNote.setAttribute("data-value", String(beyond.length));
      // axes
      ctx.fillStyle = ink; ctx.strokeStyle = ink; ctx.lineWidth = 1;
      ctx.font = "12px sans-serif";
      ctx.textAlign = "center"; ctx.textBaseline = "top";
      for (var e = Math.ceil(lx[0]); e <= lx[1]; e += NW < 450 ? 2 : 1) {
        ctx.beginPath(); ctx.moveTo(X(Math.pow(10, e)), y0); ctx.lineTo(X(Math.pow(10, e)), y0 + 5); ctx.stroke();
        ctx.fillText("10" + superscript(e), X(Math.pow(10, e)), y0 + 8);
      }
      ctx.fillText(capitalised(table().parameters.P.label), (x0 + x1) / 2, NH - 18);
      ctx.textAlign = "right"; ctx.textBaseline = "middle";
      for (e = Math.ceil(ly[0]); e <= ly[1]; e += NW < 450 ? 2 : 1) {
        ctx.beginPath(); ctx.moveTo(x0 - 5, Y(Math.pow(10, e))); ctx.lineTo(x0, Y(Math.pow(10, e))); ctx.stroke();
        ctx.fillText("10" + superscript(e), x0 - 7, Y(Math.pow(10, e)));
      }
      ctx.save();
      ctx.translate(14, (y0 + y1) / 2); ctx.rotate(-Math.PI / 2); ctx.textAlign = "center";
      ctx.fillText("Single " + squash(table().parameters.n0.label), 0, 0);
      ctx.restore();
      // colour bar
      var bx = x1 + 12, bw = 12;
      if (!chart.bar) {  // the colour bar's gradient, drawn once: 256 rows, top = high
        chart.bar = document.createElement("canvas");
        chart.bar.width = 1; chart.bar.height = 256;
        var bar = chart.bar.getContext("2d"), strip = bar.createImageData(1, 256);
        for (var y = 0; y < 256; y++) {
          var c = (255 - y) * 3;
          strip.data[y * 4] = LUT[c]; strip.data[y * 4 + 1] = LUT[c + 1]; strip.data[y * 4 + 2] = LUT[c + 2]; strip.data[y * 4 + 3] = 255;
        }
        bar.putImageData(strip, 0, 0);
      }
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(chart.bar, bx, y1, bw, y0 - y1);
      ctx.fillStyle = ink; ctx.textAlign = "left";
      var stride = Math.ceil(spanC / 8);
      for (var d = Math.ceil(range[0]); d <= range[1]; d += stride) {
        ctx.fillText(String(d), bx + bw + 4, y0 - (y0 - y1) * (d - range[0]) / spanC);
      }
      ctx.save();
      ctx.translate(NW - 8, (y0 + y1) / 2); ctx.rotate(-Math.PI / 2); ctx.textAlign = "center";
      ctx.fillText("log\u2081\u2080 peak CAR T (model cells)", 0, 0);
      ctx.restore();
    },
    values: function (state) {
      var none = "no burden qualifies";
      var smallest = state.killing ? {
        smallest_clearing_dose_min: [state.lowestClearing, isFinite(state.lowestClearing) ? (state.belowAxis ? "at most " : "") +
          formatCells(state.lowestClearing) + " model cells" : "no dose of the axis clears in time"],
        smallest_clearing_dose_max: [state.highestClearing, isFinite(state.highestClearing) ? formatCells(state.highestClearing) + " model cells" : "none"]
      } : {  // no number: under Equation 1 every dose clears the same burdens
        smallest_clearing_dose_min: ["", "none under Equation 1: the tumour term falls at r \u2212 q per day (grows if q > r) whatever the dose"],
        smallest_clearing_dose_max: ["", "none"]
      };
      return {
        largest_dose_min: [state.lowest, isFinite(state.lowest) ? formatCells(state.lowest) + " model cells" : none],
        largest_dose_max: [state.highest, isFinite(state.highest) ? (state.beyondAxis ? "above " : "") + formatCells(state.highest) + " model cells" : none],
        smallest_clearing_dose_min: smallest.smallest_clearing_dose_min, smallest_clearing_dose_max: smallest.smallest_clearing_dose_max,
        burdens_with_a_dose: [state.feasible, state.feasible + " of " + state.map.PGrid.length],
        clearance_limit_P: [state.limit, isFinite(state.limit) ? formatCells(state.limit) + " AU" : "none on the grid"]
      };
    },
    csv: function (state) {
      var map = state.map, nP = map.PGrid.length;
      if (state.killing) {  // with killing the clearance day depends on the dose; both bounds, per burden
        var w = state.window, lines = ["n0_model_cells,P_AU,peak_model_cells,peak_day,clearance_day,smallest_dose_clearing_in_time_model_cells,largest_dose_under_ceiling_model_cells"];
        for (var a = 0; a < map.n0Grid.length; a++) {
          for (var b = 0; b < nP; b++) {
            lines.push([map.n0Grid[a], map.PGrid[b], map.peak[a * nP + b], map.peakDay[a * nP + b], map.clearanceDay[a * nP + b],
              w.lowestClearing[b], w.highestUnder[b]].map(String).join(","));
          }
        }
        return lines;
      }
      var rows = ["n0_model_cells,P_AU,peak_model_cells,peak_day,clearance_day,largest_dose_under_ceiling_model_cells"];
      for (var i = 0; i < map.n0Grid.length; i++) {
        for (var j = 0; j < nP; j++) {
          rows.push([map.n0Grid[i], map.PGrid[j], map.peak[i * nP + j], map.peakDay[i * nP + j], map.clearanceDay[j], map.underCeiling[j].n0].map(String).join(","));
        }
      }
      return rows;
    }
  };

  KINDS.schedule = {
    title: "Schedule explorer",
    readouts: [["single_peak", "Peak after one infusion"], ["single_peak_day", "its day"],
      ["split_peak", "Peak of the split schedule"], ["split_peak_day", "its day"],
      ["peak_ratio", "Split peak / single peak"], ["clearance_day", belowLevel]],
    chart: function (parent) {
      var chart = lineChart(parent, "CAR T cells (model cells, log scale) against days: one infusion of the total and the split schedule", [
        { name: "single", label: "one infusion of the total", colour: "#8c8c8c", dashed: true, attrs: { stroke: "#8c8c8c", "stroke-dasharray": "7 4" } },
        { name: "split", label: "split schedule", attrs: { stroke: CAR_T, "stroke-width": 2.2 } }
      ], []);
      chart.infusions = el("g", { "data-series": "infusions", fill: TUMOUR }, chart.svg, true);
      var item = el("li", {}, chart.svg.nextSibling);
      text("span", "\u25bc", { "class": "cm-swatch-mark" }, item).style.color = TUMOUR;
      item.appendChild(document.createTextNode(" infusions"));
      return chart;
    },
    compute: function (v, fixed) {
      return schedule({ total_n0: v.total_n0, infusions: Math.round(v.infusions), interval_days: v.interval_days, P: v.P,
        r: fixed.r, q: fixed.q, B: affinity(fixed.ic50), K: fixed.K, days: fixed.days, dt: fixed.dt, clearance_level: fixed.clearance_level });
    },
    draw: function (chart, state) {
      var single = state.single, split = state.split, t = single.t;
      var low = Infinity;
      for (var k = 0; k < t.length; k++) low = Math.min(low, single.carT[k], split.carT[k]);
      var range = decades(low / 3, state.singleSummary.peak);
      var scale = drawAxes(chart, t[t.length - 1], range[0], range[1], "days after the first infusion", "CAR T cells (model cells, log scale)");
      chart.lines.single.setAttribute("points", points(scale, t, single.carT));
      chart.lines.split.setAttribute("points", points(scale, t, split.carT));
      // triangles on the split curve at the infusion days
      var marks = chart.infusions;
      while (marks.firstChild) marks.removeChild(marks.firstChild);
      var dt = t[1] - t[0];
      state.doses.forEach(function (dose) {
        var step = Math.min(Math.ceil(dose[0] / dt - 1e-9), t.length - 1);
        var x = scale.X(t[step]), y = scale.Y(split.carT[step]) - 6;
        el("path", { d: "M" + (x - 5) + "," + (y - 8) + "h10l-5,8z" }, marks, true);
      });
    },
    values: function (state) {
      var a = state.singleSummary, b = state.splitSummary;
      return {
        single_peak: [a.peak, formatCells(a.peak) + " model cells"], single_peak_day: [a.peakDay, formatDay(a.peakDay)],
        split_peak: [b.peak, formatCells(b.peak) + " model cells"], split_peak_day: [b.peakDay, formatDay(b.peakDay)],
        peak_ratio: [state.peakRatio, state.peakRatio.toFixed(3)],
        clearance_day: [b.clearanceDay, formatDay(b.clearanceDay)]
      };
    },
    csv: function (state) {
      var rows = ["day,single_car_t_model_cells,split_car_t_model_cells,tumour_term_AU"];
      for (var k = 0; k < state.single.t.length; k++) {
        rows.push([state.single.t[k], state.single.carT[k], state.split.carT[k], state.split.tumour[k]].map(String).join(","));
      }
      return rows;
    }
  };

  /* ------------------------------------------------------------------ the burden explorer
   *
   * From a blood count and a marrow biopsy to Equation 1's P: cartmodel.burden's
   * patient_from_measurements, estimate_burden, sensitivity_state and sensitivity_p_range
   * for one patient, in the same order of operations. The book's conventions (blood volume
   * per kg by age group and sex, Harrison's marrow cells per kg, the reference antigen
   * burden, the ranges of the tornado analysis) come from cartmodel through
   * explorer/parameters.js, as the controls do; tests/test_burden_explorer_browser.py holds
   * the result to cartmodel on hundreds of random patients.
   */

  var SEXES = ["man", "woman"];

  /* estimate_burden for the fields of an AllPatient: blood volume, blasts, antigen molecules. */
  function burdenParts(f) {
    var volume = check("blood_volume_ml", f.weight_kg * f.blood_volume_ml_per_kg);
    var blood = check("blasts", f.wbc_giga_per_l * 1e3 * 1e3 * volume * f.blood_blast_fraction);
    var cells = f.weight_kg * f.marrow_cells_per_kg;
    var marrow = check("blasts", cells * (f.marrow_cellularity_fraction / f.normal_cellularity_fraction) * f.marrow_infiltration_fraction);
    var total = check("blasts", blood + marrow);
    var antigen = check("antigen_molecules", total * f.antigen_molecules_per_blast);
    return { volume: volume, blood: blood, marrow: marrow, total: total, antigen: antigen };
  }

  /*
   * The burden of one patient. p = {weight_kg, age_years, sex, wbc_giga_per_l, blood_blast_fraction,
   * marrow_infiltration_fraction, marrow_cellularity_fraction, antigen_molecules_per_blast};
   * c = the conventions of cartmodel.burden (explorer/parameters.js). Returns the patient's
   * fields, the parts, P and its blood and marrow shares in AU, the disease state of the
   * sensitivity analysis (or null) and the range of P it gives (or null), with the input whose
   * bar reaches furthest.
   */
  function burden(p, c) {
    var names = ["weight_kg", "age_years", "wbc_giga_per_l", "blood_blast_fraction", "marrow_infiltration_fraction",
      "marrow_cellularity_fraction", "antigen_molecules_per_blast"];
    var x = {};
    names.forEach(function (name) { x[name] = check(name, p[name]); });
    var sex = checkChoice("sex", p.sex, SEXES);
    var group = x.age_years < c.adult_age_years ? "child" : "adult";
    var normal = (100.0 - x.age_years) / 100.0;
    var lowest = table().parameters.normal_cellularity_fraction.low;
    if (normal < lowest) {
      throw new RangeError("age_years (years) must be in [0, " + 100 * (1 - lowest) + "] for the rule of thumb of normal cellularity; got " + x.age_years);
    }
    var fields = {
      weight_kg: x.weight_kg, wbc_giga_per_l: x.wbc_giga_per_l, blood_blast_fraction: x.blood_blast_fraction,
      marrow_cellularity_fraction: x.marrow_cellularity_fraction, marrow_infiltration_fraction: x.marrow_infiltration_fraction,
      normal_cellularity_fraction: normal, blood_volume_ml_per_kg: c.blood_volume_ml_per_kg[group === "child" ? "child" : sex],
      marrow_cells_per_kg: c.marrow_cells_per_kg, antigen_molecules_per_blast: x.antigen_molecules_per_blast
    };
    var parts = burdenParts(fields), ref = c.reference_antigen_molecules, density = fields.antigen_molecules_per_blast;
    var out = {
      group: group, fields: fields, parts: parts, P: parts.antigen / ref,
      PBlood: parts.blood * density / ref, PMarrow: parts.marrow * density / ref,
      state: null, range: null, widest: null
    };
    c.states.forEach(function (state) {
      var limits = c.state_ranges[state];
      var inside = Object.keys(limits).every(function (name) { return limits[name][0] <= fields[name] && fields[name] <= limits[name][1]; });
      if (inside && out.state === null) out.state = state;
    });
    if (out.state === null) return out;
    // tornado_ranges: the fixed ranges, and the measured counts spread either side
    var ranges = Object.assign({}, c.fixed_ranges[group][out.state]), s = c.count_spread;
    var wbcHigh = table().parameters.wbc_giga_per_l.high;
    ranges.wbc_giga_per_l = [(1 - s) * fields.wbc_giga_per_l, Math.min((1 + s) * fields.wbc_giga_per_l, wbcHigh)];
    if (out.state === "relapse") {
      ranges.blood_blast_fraction = [(1 - s) * fields.blood_blast_fraction, Math.min(1.0, (1 + s) * fields.blood_blast_fraction)];
    }
    var low = Infinity, high = -Infinity, widest = 0;
    Object.keys(ranges).forEach(function (name) {
      var ends = ranges[name].map(function (end) {
        var varied = Object.assign({}, fields);
        varied[name] = check(name, end);
        return burdenParts(varied).antigen;
      });
      low = Math.min(low, ends[0], ends[1]);
      high = Math.max(high, ends[0], ends[1]);
      var span = Math.max(ends[0], ends[1]) / Math.min(ends[0], ends[1]);
      if (!(span <= widest)) { widest = span; out.widest = name; }
    });
    out.range = [low / ref, high / ref];
    return out;
  }

  function formatAU(x) { return x === 0 ? "0 AU" : (x >= 1e4 || x < 1e-2 ? formatCells(x) : String(+x.toPrecision(3))) + " AU"; }

  KINDS.burden = {
    title: "Burden explorer",
    readouts: [["P", "Burden P"], ["P_blood", "from the blood"], ["P_marrow", "from the marrow"],
      ["blasts", "Blasts in blood and marrow"], ["P_low", "Sensitivity range of P, from"], ["P_high", "to"]],
    chart: function (parent, setup) {
      var svg = el("svg", { viewBox: "0 0 640 92", role: "img",
        "aria-label": "The burden P in antigen units on a logarithmic axis: its blood and marrow parts, the estimate, and the range of the book's sensitivity analysis" }, parent, true);
      var chart = { svg: svg, setup: setup, axis: el("g", { "class": "cm-axis" }, svg, true), W: 0, marks: {} };
      chart.range = el("line", { stroke: "#8c8c8c", "stroke-opacity": 0.6, "stroke-width": 12, "data-series": "range" }, svg, true);
      var key = el("ul", { "class": "cm-key", "aria-hidden": "true" }, parent);
      [["range", "#8c8c8c", "range of the sensitivity analysis"], ["blood", TUMOUR, "P from the blood"],
        ["marrow", "#2e86c1", "P from the marrow"], ["total", "currentColor", "P"]].forEach(function (item) {
        if (item[0] !== "range") chart.marks[item[0]] = el("circle", { r: item[0] === "total" ? 7 : 5, fill: item[1], "data-series": item[0] }, svg, true);
        var li = el("li", {}, key);
        el("span", { "class": "cm-swatch" }, li).style.borderTop = (item[0] === "range" ? "8px solid " : "6px dotted ") + item[1];
        li.appendChild(document.createTextNode(item[2]));
      });
      var links = el("p", { "class": "cm-dosing-link" }, parent);
      chart.link = text("a", "", { "data-action": "open-dosing" }, links);
      chart.linkNote = text("span", "", { "class": "cm-note" }, links);
      return chart;
    },
    compute: function (v, fixed, chart) { return burden(v, chart.setup.conventions); },
    draw: function (chart, state) {
      var w = measure(chart.svg), H = 92;
      if (w !== chart.W) { chart.W = w; chart.svg.setAttribute("viewBox", "0 0 " + w + " " + H); chart.axis.removeAttribute("data-key"); }
      var shown = [state.P, state.PBlood, state.PMarrow].concat(state.range || []).filter(function (x) { return x > 0; });
      var low = shown.length ? Math.floor(Math.log10(Math.min.apply(null, shown))) : -3;
      var high = shown.length ? Math.ceil(Math.log10(Math.max.apply(null, shown)) + 1e-9) : 4;
      if (high - low < 3) { low -= Math.ceil((3 - (high - low)) / 2); high = low + 3; }
      var x0 = 16, x1 = chart.W - 16, y = 22;
      var X = function (P) { return x0 + (x1 - x0) * (Math.log10(P) - low) / (high - low); };
      var axisKey = low + ":" + high + ":" + chart.W;
      if (chart.axis.getAttribute("data-key") !== axisKey) {
        chart.axis.setAttribute("data-key", axisKey);
        while (chart.axis.firstChild) chart.axis.removeChild(chart.axis.firstChild);
        el("line", { x1: x0, x2: x1, y1: y + 18, y2: y + 18 }, chart.axis, true);
        var stride = Math.ceil((high - low) / (chart.W < 450 ? 5 : 10));
        for (var d = low; d <= high; d += stride) {
          el("line", { x1: X(Math.pow(10, d)), x2: X(Math.pow(10, d)), y1: y + 18, y2: y + 23 }, chart.axis, true);
          el("text", { x: X(Math.pow(10, d)), y: y + 36, "text-anchor": "middle" }, chart.axis, true).textContent = "10" + superscript(d);
        }
        el("text", { x: (x0 + x1) / 2, y: H - 4, "text-anchor": "middle" }, chart.axis, true).textContent = capitalised(table().parameters.P.label) + ", log scale";
      }
      if (state.range && state.range[0] > 0) {
        chart.range.setAttribute("visibility", "visible");
        setLine(chart.range, X(state.range[0]), X(state.range[1]), y, y);
      } else chart.range.setAttribute("visibility", "hidden");
      [["blood", state.PBlood], ["marrow", state.PMarrow], ["total", state.P]].forEach(function (item) {
        var mark = chart.marks[item[0]];
        mark.setAttribute("visibility", item[1] > 0 ? "visible" : "hidden");
        if (item[1] > 0) { mark.setAttribute("cx", X(item[1]).toFixed(2)); mark.setAttribute("cy", y); }
      });
      // the dosing explorer, opened with this P where its burden control reaches it
      var conventions = chart.setup.conventions, row = table().parameters.P;
      if (state.P >= row.min && state.P <= row.max) {
        chart.link.setAttribute("href", conventions.dosing_page + "?" + new URLSearchParams([["dosing.P", String(state.P)]]).toString() + "#" + conventions.dosing_anchor);
        chart.link.textContent = "Open the dosing explorer with this burden (P = " + formatAU(state.P) + ")";
        chart.link.hidden = false;
        chart.linkNote.textContent = "";
      } else {
        chart.link.removeAttribute("href");
        chart.link.hidden = true;
        chart.linkNote.textContent = "P = " + formatAU(state.P) + " lies outside the dosing explorer's burden range (" + formatAU(row.min) + " to " + formatAU(row.max) + ").";
      }
    },
    values: function (state) {
      var range = state.range, params = table().parameters;
      var reason = "none: the inputs lie in neither state of the book's sensitivity analysis (relapse: " +
        "biopsy cellularity and marrow blasts in its ranges; near MRD: at most 1% marrow blasts and 1% blood blasts)";
      return {
        P: [state.P, formatAU(state.P)], P_blood: [state.PBlood, formatAU(state.PBlood)], P_marrow: [state.PMarrow, formatAU(state.PMarrow)],
        blasts: [state.parts.total, formatCells(state.parts.total) + " cells"],
        P_low: [range ? range[0] : "", range ? formatAU(range[0]) : reason],
        P_high: [range ? range[1] : "", range ? formatAU(range[1]) + " (" + state.state + ", one input at a time; widest: " +
          squash(params[state.widest].meaning) + ")" : "none"]
      };
    },
    csv: function (state) {
      var f = state.fields, p = state.parts, rows = ["quantity,value,unit"];
      [["normal_cellularity_fraction", f.normal_cellularity_fraction, "fraction"], ["blood_volume_ml_per_kg", f.blood_volume_ml_per_kg, "mL/kg"],
        ["blood_volume_ml", p.volume, "mL"], ["circulating_blasts", p.blood, "cells"], ["marrow_blasts", p.marrow, "cells"],
        ["total_blasts", p.total, "cells"], ["antigen_molecules", p.antigen, "molecules"], ["P", state.P, "AU"],
        ["P_blood", state.PBlood, "AU"], ["P_marrow", state.PMarrow, "AU"],
        ["P_low", state.range ? state.range[0] : "", "AU"], ["P_high", state.range ? state.range[1] : "", "AU"]].forEach(function (row) {
        rows.push(row.map(String).join(","));
      });
      return rows;
    }
  };

  /* ------------------------------------------------------------------ controls, links, downloads */

  var NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?$/;

  /* A control's value from a query-string text, or a reason why not (never throws). */
  function parseControl(spec, raw) {
    if (spec.choice) {
      return spec.choice.options.indexOf(raw) >= 0 ? { value: raw } : { problem: "not one of " + spec.choice.options.join(", ") };
    }
    var row = spec.row;
    if (!NUMBER.test(raw)) return { problem: "not a number" };
    var x = Number(raw);
    if (!isFinite(x)) return { problem: "not a finite number" };
    if (!(x >= row.min && x <= row.max)) return { problem: "outside " + formatValue(row, row.min) + " to " + formatValue(row, row.max) + unitSuffix(row) };
    if (row.integer && !Number.isInteger(x)) return { problem: "not a whole number" };
    return { value: x };
  }

  /* The query parameters meant for explorer `kind`: {values, problems}; problems name key and reason. */
  function readQuery(search, kind, specs) {
    var values = {}, problems = [];
    var params;
    try { params = new URLSearchParams(search); } catch (error) { return { values: values, problems: ["the query string could not be read"] }; }
    params.forEach(function (raw, key) {
      if (key.indexOf(kind + ".") !== 0) return;
      var name = key.slice(kind.length + 1);
      var shown = key.length > 40 ? key.slice(0, 40) + "\u2026" : key;
      if (!hasOwn(specs, name)) { problems.push(shown + ": no such control"); return; }
      var parsed = parseControl(specs[name], raw);
      if (hasOwn(parsed, "problem")) problems.push(shown + ": " + parsed.problem);
      else values[name] = parsed.value;
    });
    return { values: values, problems: problems };
  }

  function download(filename, content) {
    var blob = new Blob([content], { type: "text/csv;charset=utf-8" });
    var url = URL.createObjectURL(blob);
    var link = el("a", { href: url, download: filename, hidden: "" }, document.body);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(url); link.remove(); }, 1000);
  }

  /**
   * Build the explorer of kind container.dataset.cartmodelExplorer inside `container` (its
   * content is replaced). Returns {kind, values(), state, update(), set(values), reset(),
   * link(), csv(), inputs}; also stored as container.cartmodelExplorer.
   */
  function mount(container) {
    var kind = container.getAttribute("data-cartmodel-explorer");
    if (!hasOwn(KINDS, kind)) throw new Error("unknown explorer " + kind);
    var def = KINDS[kind], config = table(), setup = config.explorers[kind];
    var prefix = (container.id || "cm-" + kind) + "-";
    injectStyle();
    container.textContent = "";
    container.classList.add("cm-explorer");
    text("p", "Model quantities (model cells, antigen units), not dose advice: a research companion to the paper, not a dosing tool.",
      { "class": "cm-note" }, container);
    var urlNote = text("p", "", { "class": "cm-url-note", role: "status", hidden: "" }, container);

    var specs = {}, order = setup.controls.slice();
    var controls = el("div", { "class": "cm-controls", role: "group", "aria-label": def.title + " controls" }, container);
    var inputs = {}, shown = {}, current = {}, wraps = {}, shownWhen = setup.shown_when || {};
    order.forEach(function (name) {
      var id = prefix + name, wrap = wraps[name] = el("div", {}, controls);
      var label = el("label", { "for": id }, wrap);
      var spec;
      if (hasOwn(config.choices, name)) {
        var choice = config.choices[name];
        spec = { name: name, choice: choice, initial: choice["default"] };
        label.appendChild(document.createTextNode(capitalised(choice.label) + ": "));
        var select = el("select", { id: id, name: name }, wrap);
        choice.options.forEach(function (option) { text("option", option, { value: option }, select); });
        inputs[name] = select;
      } else {
        var row = config.parameters[name];
        spec = { name: name, row: row, initial: row["default"] };
        label.appendChild(document.createTextNode(capitalised(row.label) + ": "));
        shown[name] = el("span", { "class": "cm-value", "data-name": name }, label);
        var log = row.scale === "log";
        inputs[name] = el("input", {
          type: "range", id: id, name: name, step: row.integer ? 1 : row.step,
          min: log ? Math.log10(row.min) : row.min, max: log ? Math.log10(row.max) : row.max
        }, wrap);
      }
      specs[name] = spec;
      current[name] = spec.initial;
    });

    var chart = def.chart(container, setup);
    var readouts = el("div", { "class": "cm-readouts", "aria-live": "polite" }, container);
    var out = {};
    def.readouts.forEach(function (item) {
      var wrap = el("span", {}, readouts);
      wrap.appendChild(document.createTextNode((typeof item[1] === "function" ? item[1](setup.fixed) : item[1]) + ": "));
      out[item[0]] = el("output", { "data-readout": item[0], "class": "cm-value" }, wrap);
    });
    var flag = def.flag ? el("output", { "class": "cm-flag", "data-readout": "over_ceiling" }, readouts) : null;
    var problem = text("p", "", { "class": "cm-problem", role: "alert", hidden: "" }, container);

    var actions = el("div", { "class": "cm-actions" }, container);
    var copyButton = text("button", "Copy link", { type: "button", "data-action": "copy-link" }, actions);
    var csvButton = text("button", "Download CSV", { type: "button", "data-action": "download-csv" }, actions);
    var resetButton = text("button", "Reset", { type: "button", "data-action": "reset" }, actions);
    var linkBox = el("input", { type: "text", readonly: "", "class": "cm-link", "aria-label": def.title + ": link to this state", value: "", hidden: "" }, actions);
    var linkStatus = text("span", "", { "class": "cm-note", role: "status" }, actions);

    /* Slider positions snap to their steps (log10(1.6) is not on the IC50 grid), so a value keeps
       its exact setting until its slider is moved, as in the ipywidgets explorers. */
    function place(name) {
      var spec = specs[name], x = current[name];
      if (spec.choice) inputs[name].value = x;
      else inputs[name].value = String(spec.row.scale === "log" ? Math.log10(x) : x);
    }

    var api = { kind: kind, state: null, inputs: inputs, container: container, updates: 0 };
    api.values = function () {
      var v = {};
      order.forEach(function (name) { v[name] = current[name]; });
      return v;
    };

    api.update = function () {
      var v = api.values();
      // controls that belong to one choice (the killing model's), shown only when it is chosen
      Object.keys(shownWhen).forEach(function (name) {
        if (wraps[name]) wraps[name].hidden = v[shownWhen[name][0]] !== shownWhen[name][1];
      });
      order.forEach(function (name) {
        if (!shown[name]) return;
        var row = specs[name].row, x = v[name];
        shown[name].textContent = formatValue(row, x);
        shown[name].setAttribute("data-value", String(x));
        inputs[name].setAttribute("aria-valuetext", formatValue(row, x) + unitSuffix(row));
      });
      var state;
      try {
        state = def.compute(v, setup.fixed, chart);
      } catch (error) {  // values the model refuses: say so and keep the last picture
        problem.textContent = "The model refuses these values: " + error.message;
        problem.hidden = false;
        return api.state;
      }
      problem.textContent = ""; problem.hidden = true;
      def.draw(chart, state, v, container);
      var values = def.values(state);
      Object.keys(values).forEach(function (name) {
        out[name].textContent = values[name][1];
        out[name].setAttribute("data-value", String(values[name][0]));
      });
      if (flag) {
        var over = def.flag(state);
        flag.setAttribute("data-over", String(over));
        flag.setAttribute("data-value", over ? "1" : "0");
        flag.textContent = over ? "Peak above the ceiling" : "Peak under the ceiling";
      }
      api.state = Object.assign({ values: v }, state);
      api.updates++;
      return api.state;
    };

    /* Set controls from {name: value} (checked as links are); returns the problems. */
    api.set = function (values) {
      var problems = [];
      Object.keys(values).forEach(function (name) {
        if (!hasOwn(specs, name)) { problems.push(name + ": no such control"); return; }
        var parsed = parseControl(specs[name], String(values[name]));
        if (hasOwn(parsed, "problem")) { problems.push(name + ": " + parsed.problem); return; }
        current[name] = parsed.value;
        place(name);
      });
      api.update();
      return problems;
    };

    api.reset = function () {
      order.forEach(function (name) { current[name] = specs[name].initial; place(name); });
      if (chart.colourRange !== undefined) chart.colourRange = null;
      urlNote.textContent = ""; urlNote.hidden = true;
      return api.update();
    };

    api.pairs = function () {
      return order.map(function (name) { return [kind + "." + name, String(current[name])]; });
    };

    /* This page's URL with the state of every explorer on it in the query string (keys that
       belong to no explorer are kept), pointing at this explorer. */
    api.link = function () {
      var url = new URL(root.location.href);
      var params = new URLSearchParams();
      url.searchParams.forEach(function (value, key) {
        var ours = Object.keys(KINDS).some(function (k) { return key.indexOf(k + ".") === 0; });
        if (!ours) params.append(key, value);
      });
      MOUNTED.forEach(function (other) {
        other.pairs().forEach(function (pair) { params.append(pair[0], pair[1]); });
      });
      url.search = params.toString();
      if (container.id) url.hash = container.id;
      return url.href;
    };

    api.csv = function () {
      var v = api.values(), parts = [];
      order.forEach(function (name) { parts.push(name + "=" + String(v[name])); });
      Object.keys(setup.fixed).forEach(function (name) { parts.push(name + "=" + String(setup.fixed[name])); });
      var header = "# cartmodel " + kind + " explorer, model quantities (not dose advice): " + parts.join(", ");
      return [header].concat(def.csv(api.state)).join("\n") + "\n";
    };

    order.forEach(function (name) {
      var spec = specs[name], input = inputs[name];
      input.addEventListener(spec.choice ? "change" : "input", function () {
        if (spec.choice) current[name] = input.value;
        else {
          var x = parseFloat(input.value);
          current[name] = spec.row.scale === "log" ? Math.pow(10, x) : (spec.row.integer ? Math.round(x) : x);
        }
        api.update();
      });
    });
    copyButton.addEventListener("click", function () {
      var href = api.link();
      linkBox.value = href;
      linkBox.hidden = false;
      linkBox.select();
      var done = function () { linkStatus.textContent = "Link copied."; };
      var manual = function () { linkStatus.textContent = "Copy the link from the box."; };
      if (root.navigator && navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(href).then(done, manual);
      else manual();
    });
    csvButton.addEventListener("click", function () { download("cartmodel-" + kind + "-explorer.csv", api.csv()); });
    resetButton.addEventListener("click", function () { api.reset(); linkStatus.textContent = "Reset to the starting values."; });

    order.forEach(place);
    var query = readQuery(root.location ? root.location.search : "", kind, specs);
    Object.keys(query.values).forEach(function (name) { current[name] = query.values[name]; place(name); });
    if (query.problems.length) {
      urlNote.textContent = "Ignored from the link: " + query.problems.join("; ") + ".";
      urlNote.hidden = false;
    }
    api.update();
    var pending = false;
    root.addEventListener("resize", function () {
      if (pending) return;
      pending = true;
      root.requestAnimationFrame(function () { pending = false; api.update(); });
    });
    container.setAttribute("data-cartmodel-mounted", VERSION);
    container.cartmodelExplorer = api;
    MOUNTED.push(api);
    return api;
  }

  function mountAll() {
    var nodes = document.querySelectorAll("[data-cartmodel-explorer]");
    for (var i = 0; i < nodes.length; i++) {
      if (nodes[i].cartmodelExplorer) continue;
      try {
        mount(nodes[i]);
      } catch (error) {
        nodes[i].setAttribute("data-cartmodel-error", "true");
        var note = document.createElement("p");
        note.textContent = "The explorer could not start: " + error.message;
        nodes[i].appendChild(note);
        if (root.console) console.error(error);
      }
    }
  }

  root.cartmodelExplorers = Object.freeze({
    VERSION: VERSION, READINGS: READINGS, B_PLACEMENTS: B_PLACEMENTS,
    timeGrid: timeGrid, tumourTerm: tumourTerm, capacityFromTumour: capacityFromTumour, logisticSteps: logisticSteps,
    simulate: simulate, summarise: summarise, nomogram: nomogram, killingNomogram: killingNomogram,
    schedule: schedule, logspace: logspace, KILLING_FORMS: KILLING_FORMS,
    burden: burden,
    readQuery: readQuery, formatCells: formatCells, mount: mount, mountAll: mountAll
  });

  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
    else mountAll();
  }
})(typeof globalThis !== "undefined" ? globalThis : this);
