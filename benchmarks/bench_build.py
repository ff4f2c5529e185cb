"""Where the book's build time goes: kernel start-up, imports, figures, each chapter.

Run from the repository root (after `make setup`):

    .venv/bin/python benchmarks/bench_build.py                  # every chapter of _toc.yml
    .venv/bin/python benchmarks/bench_build.py chapters/reading-burden.md

Each chapter is executed here as the build executes it (a fresh python3 kernel,
the chapter's folder as working directory), with nbclient's per-cell timing.
For each chapter it prints the kernel start-up, the first code cell (the
imports), the cells that render figures (those whose outputs hold a PNG:
glued or shown), the other cells, and the slowest cell; then the totals, and
the load average, since the machine may be shared.  The build itself reports
the time of its execution phase in its log ("executed 12 of 12 notebooks side
by side in ... s") and each chapter's time on the book's Reproducibility page.
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime
from pathlib import Path

import jupytext
import yaml
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]


def chapters_of_toc() -> list[Path]:
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    files = [toc["root"]] + [chapter["file"] for part in toc.get("parts", []) for chapter in part["chapters"]]
    paths = [REPO / f"{name}.md" for name in files]
    return [path for path in paths if "kernelspec" in path.read_text(encoding="utf-8")[:400]]


def seconds(cell) -> float:
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not start or not end:
        return 0.0
    parse = lambda text: datetime.fromisoformat(text.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def has_png(cell) -> bool:
    for output in cell.get("outputs", []):
        # glue(fig, display=False) stores the PNG under a papermill.record mime type
        if any(key.endswith("image/png") for key in output.get("data", {})):
            return True
    return False


def run(path: Path, show_cells: bool = False) -> dict[str, float]:
    notebook = jupytext.read(path)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3", record_timing=True,
                            resources={"metadata": {"path": str(path.parent)}})
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    with client.setup_kernel(env=env):
        kernel_ready = time.perf_counter()
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
    finished = time.perf_counter()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    times = [seconds(cell) for cell in code]
    figures = sum(t for cell, t in zip(code, times, strict=True) if has_png(cell))
    if show_cells:
        for cell, t in zip(code, times, strict=True):
            print(f"    {t:7.2f} s  {'(figure) ' if has_png(cell) else ''}{cell.source.splitlines()[0][:60]}")
    first = times[0] if times else 0.0
    return {
        "kernel": kernel_ready - started,
        "imports": first,
        "figures": figures,
        "other": sum(times) - first - figures,
        "slowest": max(times, default=0.0),
        "total": finished - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter files (default: every executable chapter of _toc.yml)")
    parser.add_argument("--cells", action="store_true", help="also print each code cell's time")
    args = parser.parse_args()
    paths = [Path(name).resolve() for name in args.chapters] or chapters_of_toc()
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores; python {sys.version.split()[0]}")
    columns = ("kernel", "imports", "figures", "other", "slowest", "total")
    print(f"{'chapter (s)':<28}" + "".join(f"{name:>9}" for name in columns))
    totals = dict.fromkeys(columns, 0.0)
    for path in paths:
        result = run(path, args.cells)
        for name in columns:
            totals[name] += result[name]
        print(f"{path.stem:<28}" + "".join(f"{result[name]:>9.2f}" for name in columns))
    totals["slowest"] = float("nan")
    print(f"{'all chapters':<28}" + "".join(f"{totals[name]:>9.2f}" for name in columns))


if __name__ == "__main__":
    main()
