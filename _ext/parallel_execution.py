"""Execute the book's outdated notebooks side by side before Sphinx reads them.

myst-nb's ``cache`` mode executes each outdated notebook while Sphinx reads it,
one after another.  Sphinx's parallel reading (``-j``) would overlap them, but
``jupyter-book build`` has no such option and two of the extensions Jupyter
Book adds itself (sphinx_jupyterbook_latex, sphinx_multitoc_numbering) do not
declare themselves parallel-safe; nor does Jupyter Book 1's ``execute:``
configuration choose jupyter-cache's executor.

So, just before reading, this extension finds the notebooks myst-nb would
execute (those without a match in its jupyter-cache), adds them to that cache's
project as myst-nb's own reader reads them, and runs them with jupyter-cache's
``local-parallel`` executor (one kernel per CPU).  Reading then finds every
notebook in the cache, as on a rebuild; a notebook that fails here is left to
myst-nb, which executes it again and reports the error as usual.  The execution
times stay in the cache, where the book's execution report (``{nb-exec-table}``)
reads them.

The notebooks join the project largest source first, so the executor (which
hands them out in that order, two at a time) starts the longest chapters first
and no kernel is left with one at the end.  On a fresh clone of an idle two-CPU
machine, cold ``make book`` took 45.8 s and 45.8 s in alphabetical order and
41.6 s and 39.9 s in this order; a pool of our own that also let Sphinx read the
other pages meanwhile took 40.6 s and 39.2 s, for 116 more lines, so the
library's executor is kept.

Configuration: ``parallel_execution`` (bool, default True) turns it off.

Outputs under load: once a cell's execute reply arrives, nbclient waits only
``iopub_timeout`` seconds (4 by default) for the cell's remaining output messages
and then drops them with a warning.  With the tests' two builds and their kernels
sharing two CPUs, a chapter's printed lines arrived later than that and went
missing from one build but not the other (the test that two clean builds give the
same outputs caught it).  Every execution of the book, in the pool here and by
myst-nb, goes through jupyter-cache's ``single_nb_execution``; the extension gives
its ``executenb`` a wait of :data:`IOPUB_TIMEOUT_S`, which costs nothing when the
outputs come at once, and a kernel start-up allowance of :data:`STARTUP_TIMEOUT_S`
(nbclient's 60 s default was short for a kernel started beside three others on a
loaded machine, and a chapter that fails in the pool is run again, alone, by myst-nb).
"""

from __future__ import annotations

import functools
import logging
import time
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging as sphinx_logging

LOGGER = sphinx_logging.getLogger(__name__)
#: Seconds nbclient waits for a cell's last outputs after its execute reply (its default is 4).
IOPUB_TIMEOUT_S = 120
#: Seconds a kernel may take to start (nbclient's default is 60).
STARTUP_TIMEOUT_S = 300


def execute_outdated_notebooks(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    nb_config = getattr(env, "mystnb_config", None)
    if not docnames or not app.config.parallel_execution or nb_config is None or nb_config.execution_mode != "cache":
        return
    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor
    from myst_nb.core.read import create_nb_reader

    cache = get_cache(nb_config.execution_cache_path)
    uris = []
    for docname in sorted(docnames, key=lambda name: -Path(env.doc2path(name)).stat().st_size):
        path = Path(env.doc2path(docname))
        if any(path.match(pattern) for pattern in nb_config.execution_excludepatterns):
            continue
        content = path.read_text(encoding="utf-8")
        reader = create_nb_reader(str(path), env.myst_config, nb_config, content)
        if reader is None or reader.read_fmt is None:
            continue  # plain Markdown, or a format jupyter-cache cannot re-read
        try:
            cache.match_cache_notebook(reader.read(content))
            continue  # executed before: myst-nb takes it from the cache
        except KeyError:
            pass
        uris.append(cache.add_nb_to_project(str(path), read_data=reader.read_fmt).uri)
    if len(uris) < 2:
        return  # nothing to overlap: myst-nb executes it as usual
    logger = logging.getLogger("jupyter_cache.parallel_execution")
    logger.setLevel(logging.INFO)  # the pool reports each notebook it starts and finishes
    executor = load_executor("temp-parallel" if nb_config.execution_in_temp else "local-parallel", cache, logger)
    started = time.perf_counter()
    result = executor.run_and_cache(filter_uris=uris, timeout=nb_config.execution_timeout,
                                    allow_errors=nb_config.execution_allow_errors)
    # A notebook the pool could not execute or cache (its reason is in the pool's log above)
    # is executed by myst-nb while Sphinx reads it, which reports a cell's error as usual.
    left = sorted(Path(uri).name for uri in set(uris) - set(result.succeeded))
    LOGGER.info(f"executed {len(result.succeeded)} of {len(uris)} notebooks side by side in "
                f"{time.perf_counter() - started:.1f} s"
                + (f"; left to myst-nb: {', '.join(left)}" if left else "") + " [parallel_execution]")


def wait_for_every_output() -> None:
    """Make every notebook execution of the build wait for late outputs and slow kernel starts."""
    import nbclient
    from jupyter_cache.executors import utils

    utils.executenb = functools.partial(nbclient.execute, iopub_timeout=IOPUB_TIMEOUT_S,
                                        startup_timeout=STARTUP_TIMEOUT_S)


def setup(app: Sphinx) -> dict[str, object]:
    wait_for_every_output()
    app.add_config_value("parallel_execution", True, "env", types=[bool])
    app.connect("env-before-read-docs", execute_outdated_notebooks)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
