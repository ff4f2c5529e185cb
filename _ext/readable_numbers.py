"""Show glued numbers in scientific notation as people write them.

myst-nb's ``{glue:text}`name:.3g``` prints a large cell count as ``1.47e+07``,
which reads as code. This transform rewrites such numbers inside glued text
(the ``pasted-text`` spans) as :func:`cartmodel.reporting.sci` writes them
(``1.47 × 10⁷``), to the digits the format kept. It changes nothing else: code
cells, their outputs and numbers typed in the prose are left as they are.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.application import Sphinx

from cartmodel.reporting import sci

_E_NOTATION = re.compile(r"(?<![\w.])-?(\d+)(?:\.(\d+))?e[+-]\d+\b")


def readable(text: str) -> str:
    """``'1.47e+07 cells'`` -> ``'1.47 × 10⁷ cells'`` (``5e+00`` -> ``5``)."""

    def rewrite(match: re.Match[str]) -> str:
        whole, decimals = match.group(1), match.group(2) or ""
        return str(sci(float(match.group(0)), digits=len(whole.lstrip("0") + decimals) or 1))

    return _E_NOTATION.sub(rewrite, text)


def rewrite_glued_numbers(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for span in doctree.findall(nodes.inline):
        if "pasted-text" not in span.get("classes", []):
            continue
        for text in list(span.findall(nodes.Text)):
            new = readable(str(text))
            if new != str(text):
                text.parent.replace(text, nodes.Text(new))


def setup(app: Sphinx) -> dict:
    app.connect("doctree-resolved", rewrite_glued_numbers)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
