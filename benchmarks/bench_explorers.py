"""Benchmark of the three in-browser explorers (assets/explorer/explorers.js) in Chromium.

Run from the repository root (no book build needed):

    .venv/bin/python benchmarks/bench_explorers.py [--updates 200] [--grid 120]

It serves a minimal page holding the three explorers, with the parameter table written
by ``_ext/explorer_parameters.py`` exactly as the book build writes it, opens it in
Debian's Chromium (``/usr/bin/chromium``) and measures, for each explorer, the time from
a slider's ``input`` event to the updated page with style and layout forced
(recompute + redraw + readouts). It prints the median and the 90th percentile.

Aim: under 16 ms (one frame at 60 Hz) for the dosing and schedule explorers, and for a
nomogram of at least 120 x 120 points over 60 days (``--grid`` sets its size; the
book's is that of ``cartmodel.widgets.NomogramExplorer``), and for the nomogram with the
killing model, on its own coarser grid (``--killing-grid``; the book's is set in
``_ext/explorer_parameters.py``). Nothing is asserted: the
numbers are printed, and they depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import copy
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "_ext"))
sys.path.insert(0, str(REPO / "tools"))

import explorer_parameters  # noqa: E402  (the book's own extension)
from local_server import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402  (shared with make pdf and the tests)

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>explorer benchmark</title></head>
<body><main style="max-width:760px">
<div id="live-dosing-explorer" data-cartmodel-explorer="dosing"></div>
<div id="live-nomogram-explorer" data-cartmodel-explorer="nomogram"></div>
<div id="live-schedule-explorer" data-cartmodel-explorer="schedule"></div>
</main>
<script src="parameters.js"></script><script src="explorers.js"></script></body></html>"""

# Moves one slider back and forth over `values` (slider positions) and times each update.
MEASURE = """([id, name, values, count, preset]) => {
  const api = document.getElementById(id).cartmodelExplorer;
  api.reset();
  if (preset) api.set(preset);
  const input = api.inputs[name];
  const times = [];
  for (let i = 0; i < count; i++) {
    input.value = String(values[i % values.length]);
    const start = performance.now();
    input.dispatchEvent(new Event('input'));
    document.body.getBoundingClientRect();  // force style and layout
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return {median: times[Math.floor(count / 2)], p90: times[Math.floor(count * 0.9)]};
}"""

# (explorer, slider, slider positions (log10 for log sliders), other controls set first, what)
CASES = [
    ("dosing", "P", [2 + 0.05 * k for k in range(60)], None, "curves over 60 days"),
    ("nomogram", "ic50", [-0.5 + 0.02 * k for k in range(60)], None, "the book's starting rates"),
    # q > r: the tumour grows, no burden clears and no run may stop at its peak (the worst case)
    ("nomogram", "ic50", [-0.5 + 0.02 * k for k in range(60)], {"r": 1.0, "q": 2.0}, "q > r, worst case"),
    # Equation 1 with killing: its own (coarser) map and both bounds of the window by bisection
    ("nomogram", "ic50", [-0.5 + 0.02 * k for k in range(60)],
     {"model": "with killing", "q": 1.5, "kill_rate": 1.0, "kill_saturation": 1e4, "clear_by_day": 10}, "with killing"),
    ("schedule", "total_n0", [3 + 0.05 * k for k in range(60)], None, "curves over 60 days"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=200, help="slider changes per explorer")
    parser.add_argument("--grid", type=int, default=None, help="nomogram points per axis (default: the book's)")
    parser.add_argument("--killing-grid", type=int, default=None,
                        help="points per axis of the killing model's nomogram (default: the book's)")
    args = parser.parse_args()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("skipped: Playwright for Python is not installed")
        return
    if not CHROMIUM.exists():
        print(f"skipped: {CHROMIUM} is not installed")
        return
    configuration = copy.deepcopy(explorer_parameters.explorer_configuration())
    if args.grid:
        configuration["explorers"]["nomogram"]["grid"]["n"] = args.grid
    if args.killing_grid:
        configuration["explorers"]["nomogram"]["grid"]["killing_n"] = args.killing_grid
    grid = configuration["explorers"]["nomogram"]["grid"]["n"]
    killing_grid = configuration["explorers"]["nomogram"]["grid"]["killing_n"]
    days = configuration["explorers"]["nomogram"]["fixed"]["days"]
    print(f"In-browser explorers in {CHROMIUM} (headless), {args.updates} slider changes each, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(REPO / "assets" / "explorer" / "explorers.js", folder)
        (Path(folder) / "parameters.js").write_text(explorer_parameters.script_text(configuration), encoding="utf-8")
        (Path(folder) / "index.html").write_text(PAGE, encoding="utf-8")
        with serve(folder) as root_url:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM),
                    args=CHROMIUM_ARGS,
                )
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(f"{root_url}index.html")
                page.wait_for_selector("#live-schedule-explorer[data-cartmodel-mounted]")
                for kind, name, values, preset, what in CASES:
                    target = [f"live-{kind}-explorer", name, values]
                    page.evaluate(MEASURE, target + [30, preset])  # warm up the JIT
                    result = page.evaluate(MEASURE, target + [args.updates, preset])
                    if kind == "nomogram":
                        size = killing_grid if preset and preset.get("model") == "with killing" else grid
                        what = f"{size} x {size} grid over {days:g} days, {what}"
                    print(f"  {kind:<9} moving {name!r:<7} ({what}): median {result['median']:6.2f} ms, "
                          f"90th percentile {result['p90']:6.2f} ms   (aim < 16 ms)")
                browser.close()


if __name__ == "__main__":
    main()
