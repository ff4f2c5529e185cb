"""The picture that shared links show: the paper's Figure 1, recomputed when the book is built.

sphinxext-opengraph writes each page's Open Graph tags (title, description, address,
image); the image is this one, ``social/figure-1.png`` in the built site, drawn by
``cartmodel`` from the paper's Figure 1 parameters, 1200 x 630 pixels (the size link
previews expect). It is served by the site itself, like everything else on its pages.
"""

from __future__ import annotations

from pathlib import Path

from explorer_parameters import is_current  # (_ext is on the path: local_extensions)
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Where the picture goes, relative to the site's root (``ogp_image`` in _config.yml).
TARGET = Path("social") / "figure-1.png"


def draw(target: Path) -> None:
    """Figure 1 at 1200 x 630 pixels into ``target`` (PNG)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    import cartmodel as cm
    from cartmodel.paper import FIGURE_1, FIGURE_1_DAYS
    from cartmodel.plotting import plot_figure_1

    fig = Figure(figsize=(12, 6.3), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    plot_figure_1(cm.simulate(**FIGURE_1, days=FIGURE_1_DAYS), ax=ax)
    ax.ticklabel_format(axis="y", style="sci", scilimits=(0, 0))
    ax.set_title("Equation 1 of Toor et al. (2019): the paper's Figure 1, recomputed", fontsize=16)
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, dpi=100, metadata={"Software": None})  # no version string: the same bytes every build


def write_image(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / TARGET
    if not is_current(target, __file__):
        draw(target)
        logger.info(f"social_image: wrote {target}")


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", write_image)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
