"""The build's own account of itself, for the Reproducibility page.

The directive ``execution-sources`` says which chapters were executed during this build
and which had their outputs taken from the execution cache (myst-nb's ``nb-exec-table``
gives when and how long, but names the execution mode, ``cache``, in both cases).

The directive ``build-environment`` writes, into the page, what the process that
builds the book actually ran with: the Python version, the versions of the packages
that compute and render the book, every other installed distribution, and the git
revision of the source (or that the source is not a git checkout).

The values are read when the page is built, never typed and never cached with the
notebooks' outputs: a cell that printed versions would keep showing the old ones
after an upgrade whenever the execution cache still held its output. The page is
therefore read again on every build (``env-get-outdated``).
"""

from __future__ import annotations

import platform
import posixpath
import subprocess
import time
from importlib import metadata
from pathlib import Path

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective

# When this build started (set when the builder starts): a chapter whose execution is
# older than this came from the cache.
BUILD_STARTED = [time.time()]

# The packages that compute the book's numbers and figures, then those that turn the
# chapters into the site and the PDF; every other installed distribution follows in one line.
KEY_PACKAGES = (
    "cartmodel", "numpy", "scipy", "matplotlib", "ipywidgets",
    "jupyter-book", "sphinx", "myst-nb", "myst-parser", "jupyter-cache", "ipykernel",
    "sphinxcontrib-bibtex", "sphinx-book-theme", "sphinx-tippy", "playwright",
)


def distribution_versions() -> dict[str, str]:
    """Every installed distribution of this Python, by lower-case name."""
    found: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found.setdefault(name.lower().replace("_", "-"), dist.version)
    return found


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


def _table(header: tuple[str, str], rows: list[tuple[str, str]], classes: list[str]) -> nodes.table:
    table = nodes.table(classes=["colwidths-auto", *classes])
    group = nodes.tgroup(cols=2)
    table += group
    group += [nodes.colspec(colwidth=1), nodes.colspec(colwidth=1)]
    head = nodes.thead()
    group += head
    head += nodes.row("", *(nodes.entry("", nodes.paragraph(text=text)) for text in header))
    body = nodes.tbody()
    group += body
    for key, value in rows:
        body += nodes.row(
            "",
            nodes.entry("", nodes.paragraph(text=key)),
            nodes.entry("", nodes.paragraph("", "", nodes.literal(text=value))),
        )
    return table


def _remember(env: BuildEnvironment) -> None:
    docs = getattr(env, "build_report_docs", set())
    docs.add(env.docname)
    env.build_report_docs = docs


class ExecutionSourcesNode(nodes.General, nodes.Element):
    """Placeholder, filled once every chapter has been read (and executed)."""


class ExecutionSourcesDirective(SphinxDirective):
    """Which chapters ran during this build, and which came from the execution cache."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        _remember(self.env)
        return [ExecutionSourcesNode()]


# myst-nb's execution table marks success with emoji, which print as empty boxes where
# no emoji font is installed (the PDF's Chromium on a server): words instead.
STATUS_WORDS = {"\u2705": "succeeded", "\u274c": "failed"}


class ExecutionSourcesTransform(SphinxPostTransform):
    # After myst-nb's table (8) is made, before the references are resolved (10).
    default_priority = 9

    def _links(self, docnames: list[str]) -> nodes.Node:
        paragraph = nodes.inline()
        for index, docname in enumerate(docnames):
            if index:
                paragraph += nodes.Text(", ")
            link = pending_xref(
                refdoc=self.env.docname, reftype="doc", refdomain="std", refexplicit=True, refwarn=True,
                reftarget="/" + docname, classes=["xref", "doc"],
            )
            link += nodes.inline(text=posixpath.basename(docname))
            paragraph += link
        if not docnames:
            paragraph += nodes.Text("none")
        return paragraph

    def run(self, **kwargs) -> None:
        from myst_nb.sphinx_ import NbMetadataCollector

        for table in list(self.document.findall(nodes.table)):
            header = [entry.astext() for head in table.findall(nodes.thead) for entry in head.findall(nodes.entry)]
            if header[:1] != ["Document"] or "Status" not in header:
                continue  # not myst-nb's execution table
            for text in list(table.findall(nodes.Text)):
                if str(text) in STATUS_WORDS:
                    text.parent.replace(text, nodes.Text(STATUS_WORDS[str(text)]))

        executed, cached = [], []
        for docname, data in sorted(NbMetadataCollector.get_doc_data(self.env).items()):
            exec_data = data.get("exec_data")
            if exec_data:
                ran_now = (exec_data.get("mtime") or 0) >= BUILD_STARTED[0]
                (executed if ran_now else cached).append(docname)
        for node in list(self.document.findall(ExecutionSourcesNode)):
            items = nodes.bullet_list(classes=["execution-sources"])
            for label, names in (("Executed during this build", executed),
                                 ("Outputs taken from the execution cache (executed earlier)", cached)):
                item = nodes.paragraph("", f"{label} ({len(names)}): ")
                item += self._links(names)
                items += nodes.list_item("", item)
            node.replace_self(items)


class BuildEnvironmentDirective(SphinxDirective):
    """Tables of the interpreter, key package versions and git revision of this build."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        _remember(self.env)
        versions = distribution_versions()
        source = Path(self.env.srcdir)
        about = [
            ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
            ("Platform", f"{platform.system()} {platform.machine()}"),
            ("Git revision of the source", git_revision(source)),
        ]
        key = [(name, versions.get(name, "not installed")) for name in KEY_PACKAGES]
        others = sorted(name for name in versions if name not in KEY_PACKAGES)
        rest = nodes.paragraph(
            "", f"The other {len(others)} distributions installed in that environment: "
            + ", ".join(f"{name} {versions[name]}" for name in others) + ".",
            classes=["build-report-all-packages"],
        )
        return [
            _table(("Build", "Value"), about, ["build-report-system"]),
            _table(("Package", "Version"), key, ["build-report-packages"]),
            rest,
        ]


def always_reread(app: Sphinx, env: BuildEnvironment, added, changed, removed) -> list[str]:
    """Pages with the directive describe this build, so they are rebuilt every time."""
    return sorted(getattr(env, "build_report_docs", set()) & set(env.found_docs))


def purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    getattr(env, "build_report_docs", set()).discard(docname)


def merge(app: Sphinx, env: BuildEnvironment, docnames, other: BuildEnvironment) -> None:
    env.build_report_docs = getattr(env, "build_report_docs", set()) | getattr(other, "build_report_docs", set())


def remember_start(app: Sphinx) -> None:
    BUILD_STARTED[0] = time.time()


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", remember_start)
    app.add_node(ExecutionSourcesNode)
    app.add_directive("execution-sources", ExecutionSourcesDirective)
    app.add_post_transform(ExecutionSourcesTransform)
    app.add_directive("build-environment", BuildEnvironmentDirective)
    app.connect("env-get-outdated", always_reread)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
