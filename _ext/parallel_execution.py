"""Execute the book's outdated notebooks side by side before Sphinx reads them.

myst-nb's ``cache`` mode executes each outdated notebook while Sphinx reads it,
one after another.  Sphinx's parallel reading (``-j``) would overlap them, but
``jupyter-book build`` has no such option and two of the extensions Jupyter
Book adds itself (sphinx_jupyterbook_latex, sphinx_multitoc_numbering) do not
declare themselves parallel-safe, so Sphinx would read serially anyway.

So, just before reading, this extension finds the notebooks myst-nb would
execute (those without a match in its jupyter-cache), stages them in that
cache and runs them with jupyter-cache's own execution worker in a process
pool (one kernel per process, as many processes as CPUs).  Reading then finds
every notebook in the cache, as on a rebuild.  The notebooks are read by
myst-nb's own reader, so the cache matches exactly; a notebook that fails here
is left to myst-nb, which executes it again and reports the error as usual.
The execution times stay in the cache, where the book's execution report
(``{nb-exec-table}``) reads them.

The pool hands out one notebook at a time, the longest first (longest by lines
of code, the only measure a cold build has): jupyter-cache's own parallel
executor maps the notebooks in pairs in name order, so a long chapter late in
the alphabet could start last and leave one CPU idle while it ran.

Configuration: ``parallel_execution`` (bool, default True) turns it off.
"""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from nbformat import NotebookNode
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging as sphinx_logging

LOGGER = sphinx_logging.getLogger(__name__)


def execute_outdated_notebooks(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    nb_config = getattr(env, "mystnb_config", None)
    if not docnames or not app.config.parallel_execution or nb_config is None or nb_config.execution_mode != "cache":
        return
    from jupyter_cache import get_cache
    from jupyter_cache.executors.basic import (
        REPORT_LEVEL,
        ExecutionWorkerLocalMProc,
        ExecutionWorkerTempMProc,
        ProcessData,
    )
    from myst_nb.core.read import create_nb_reader

    cache = get_cache(nb_config.execution_cache_path)
    staged: list[tuple[int, ProcessData]] = []  # (lines of code, what the pool runs)
    for docname in sorted(docnames):
        path = Path(env.doc2path(docname))
        if any(path.match(pattern) for pattern in nb_config.execution_excludepatterns):
            continue
        content = path.read_text(encoding="utf-8")
        reader = create_nb_reader(str(path), env.myst_config, nb_config, content)
        if reader is None or reader.read_fmt is None:
            continue  # plain Markdown, or a format jupyter-cache cannot re-read
        notebook = reader.read(content)
        try:
            cache.match_cache_notebook(notebook)
            continue  # executed before: myst-nb takes it from the cache
        except KeyError:
            pass
        record = cache.add_nb_to_project(str(path), read_data=reader.read_fmt)
        task = ProcessData(record.pk, record.uri, cache, nb_config.execution_timeout, nb_config.execution_allow_errors)
        staged.append((count_code_lines(notebook), task))
    if len(staged) < 2:
        return  # nothing to overlap: myst-nb executes it as usual
    worker = ExecutionWorkerTempMProc() if nb_config.execution_in_temp else ExecutionWorkerLocalMProc()
    tasks = [task for _, task in sorted(staged, key=lambda staged_task: -staged_task[0])]
    multiprocessing.log_to_stderr(REPORT_LEVEL)  # the pool reports each notebook it starts and finishes
    started = time.perf_counter()
    with multiprocessing.Pool() as pool:
        outcomes = list(pool.imap_unordered(worker, tasks, chunksize=1))
    succeeded = sum(1 for code, _ in outcomes if code == 0)
    LOGGER.info(
        f"executed {succeeded} of {len(staged)} notebooks side by side in "
        f"{time.perf_counter() - started:.1f} s, longest first [parallel_execution]"
    )


def count_code_lines(notebook: NotebookNode) -> int:
    """Lines of code of a notebook: the measure of its execution time before it has one."""
    return sum(len(cell.source.splitlines()) for cell in notebook.cells if cell.cell_type == "code")


def setup(app: Sphinx) -> dict[str, object]:
    app.add_config_value("parallel_execution", True, "env", types=[bool])
    app.connect("env-before-read-docs", execute_outdated_notebooks)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
