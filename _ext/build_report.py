"""The Reproducibility page's record of the environment that built it.

myst-nb's ``{nb-exec-table}`` already says when and how long each chapter ran. This
extension adds what it lacks:

* the directive ``build-environment``: the Python version, the versions of the packages
  that compute and render the book (then every other installed distribution, in one
  line) and the git revision of the source. They are read while the page is built, not
  printed by a notebook cell, whose output the execution cache would keep showing after
  an upgrade; for the same reason the page is read again on every build;
* words instead of the execution table's status emoji, which print as empty boxes
  where no emoji font is installed (the PDF's Chromium on a server).
"""

from __future__ import annotations

import platform
import subprocess
from importlib import metadata
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective

# The packages that compute the book's numbers and figures, then those that turn the
# chapters into the site and the PDF.
KEY_PACKAGES = (
    "cartmodel", "numpy", "scipy", "matplotlib", "ipywidgets",
    "jupyter-book", "sphinx", "myst-nb", "myst-parser", "jupyter-cache", "ipykernel",
    "sphinxcontrib-bibtex", "sphinx-book-theme", "sphinx-tippy", "playwright",
)
STATUS_WORDS = {"\u2705": "succeeded", "\u274c": "failed"}


def git_revision(folder: Path) -> str:
    """The commit the source folder is at, or a sentence saying why there is none."""
    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=30)

    try:
        top = git("rev-parse", "--show-toplevel")
    except (OSError, subprocess.TimeoutExpired):
        return "unknown (git is not installed)"
    if top.returncode != 0 or Path(top.stdout.strip()).resolve() != folder.resolve():
        return "none: this build's source is not a git checkout"
    head = git("rev-parse", "HEAD")
    if head.returncode != 0:
        return "none: the repository has no commit yet"
    dirty = git("status", "--porcelain", "--untracked-files=no").stdout.strip()
    return head.stdout.strip() + (" with uncommitted changes" if dirty else "")


def two_column_table(header: tuple[str, str], rows: list[tuple[str, str]]) -> nodes.table:
    group = nodes.tgroup("", nodes.colspec(colwidth=1), nodes.colspec(colwidth=1), cols=2)
    group += nodes.thead("", nodes.row("", *(nodes.entry("", nodes.paragraph(text=text)) for text in header)))
    group += nodes.tbody("", *(nodes.row("", nodes.entry("", nodes.paragraph(text=key)),
                                         nodes.entry("", nodes.paragraph("", "", nodes.literal(text=value))))
                               for key, value in rows))
    return nodes.table("", group, classes=["colwidths-auto"])


class BuildEnvironmentDirective(SphinxDirective):
    """Tables of the interpreter, the key package versions and the git revision of this build."""

    def run(self) -> list[nodes.Node]:
        self.env.metadata[self.env.docname]["build_report"] = True
        versions: dict[str, str] = {}
        for dist in metadata.distributions():
            if dist.metadata["Name"]:
                versions.setdefault(dist.metadata["Name"].lower().replace("_", "-"), dist.version)
        about = [
            ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
            ("Platform", f"{platform.system()} {platform.machine()}"),
            ("Git revision of the source", git_revision(Path(self.env.srcdir))),
        ]
        others = sorted(name for name in versions if name not in KEY_PACKAGES)
        rest = (f"The other {len(others)} distributions installed in that environment: "
                + ", ".join(f"{name} {versions[name]}" for name in others) + ".")
        return [two_column_table(("Build", "Value"), about),
                two_column_table(("Package", "Version"), [(name, versions.get(name, "not installed"))
                                                          for name in KEY_PACKAGES]),
                nodes.paragraph(text=rest)]


class StatusWords(SphinxPostTransform):
    default_priority = 9  # after myst-nb makes its execution table (8)

    def run(self, **kwargs) -> None:
        for text in list(self.document.findall(nodes.Text)):
            if str(text) in STATUS_WORDS and text.parent is not None:
                text.parent.replace(text, nodes.Text(STATUS_WORDS[str(text)]))


def always_reread(app: Sphinx, env, added, changed, removed) -> list[str]:
    """Pages with the directive describe this build, so they are read on every build."""
    return [name for name, data in env.metadata.items() if data.get("build_report") and name in env.found_docs]


def setup(app: Sphinx) -> dict:
    app.add_directive("build-environment", BuildEnvironmentDirective)
    app.add_post_transform(StatusWords)
    app.connect("env-get-outdated", always_reread)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
