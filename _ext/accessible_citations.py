"""Give the bibliography's entries an ARIA role that assistive technology supports.

docutils writes each citation as ``<div role="doc-biblioentry">`` inside a
``<div role="list">``. The DPUB-ARIA role ``doc-biblioentry`` is deprecated (DPUB-ARIA
1.1) and no longer counts as a list item, so the list has no items for a screen reader
(axe: ``aria-required-children``, critical). This writes the entries as plain ARIA list
items instead; the markup and classes are otherwise unchanged.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.writers.html5 import HTML5Translator


class CitationListTranslator(HTML5Translator):
    def visit_citation(self, node) -> None:
        super().visit_citation(node)
        self.body[-1] = self.body[-1].replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app: Sphinx) -> dict:
    # The theme (pydata-sphinx-theme) adds its mixin on top of the registered translator.
    for builder in ("html", "dirhtml", "singlehtml"):
        app.set_translator(builder, CitationListTranslator, override=True)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
