"""The book's bibliography: author-year labels in the reference list, like the citations.

The citations use sphinxcontrib-bibtex's stock author-year style ("Toor et al., 2019"
for three or more authors), and the reference list pybtex's stock ``plain`` style. Two
small plugins remain, each for something the stock styles cannot do:

* ``cartmodel`` (``bibtex_default_style``): ``plain`` with author-year labels. pybtex
  ships only numeric and ``alpha`` ("Too19") labels; with either, an entry would not
  carry the text of the citations pointing to it.
* ``cartmodel_author_year`` (``bibtex_reference_style``): the stock author-year style,
  except that a work with no author checked for this book is cited by its
  ``shorttitle`` (as biblatex does), where the stock style prints the whole title.

An author list that could not be checked stays cut short with BibTeX's ``and others``.
The stock citation style prints a list of one author and "others" as "Toor and others,
2019"; ``names_cut_short`` cites it as "Toor et al., 2019" like any list of three or more,
and the labels do the same, while the reference list keeps the honest "and others". No title in
references.bib holds TeX maths, and pybtex (through latexcodec) already writes accents
such as ``{\\c{c}}`` as Unicode, so the book needs no TeX-to-Unicode code of its own.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pybtex.plugin
from pybtex.backends.plaintext import Backend as PlaintextBackend
from pybtex.database import Entry
from pybtex.richtext import Text
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.template import field as bib_field
from pybtex.style.template import first_of, node, optional, tag
from sphinx.application import Sphinx
from sphinxcontrib.bibtex.plugin import register_plugin
from sphinxcontrib.bibtex.style.referencing import PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle
from sphinxcontrib.bibtex.style.template import names


def author_year_label(entry: Entry) -> str:
    """"Toor et al., 2019": the text the citations cite the entry by."""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    surnames = [" ".join(person.prelast_names + person.last_names).replace("{", "").replace("}", "") for person in persons]
    if not surnames:
        who = entry.fields.get("shorttitle", entry.fields["title"])
    elif len(surnames) > 2 or surnames[-1] == "others":
        who = f"{surnames[0]} et al."
    else:
        who = " and ".join(surnames)
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabelStyle(BaseLabelStyle):
    """Labels "Toor et al., 2019", with a, b, ... where two entries would share one."""

    def format_labels(self, sorted_entries):
        labels = [author_year_label(entry) for entry in sorted_entries]
        counts, seen = Counter(labels), Counter()
        for label in labels:
            seen[label] += 1
            yield f"{label}{chr(ord('a') + seen[label] - 1)}" if counts[label] > 1 else label


class BookStyle(PlainStyle):
    default_label_style = "cartmodel_author_year"


@node
def names_cut_short(children, data, role, **kwargs):
    """The stock ``names``, but a list cut short with "and others" is cited as "Toor et al."."""
    persons = data["entry"].persons.get(role, [])
    if len(persons) == 2 and str(persons[-1]) == "others" and kwargs.get("other") is not None:
        person = data["style"].person
        return Text(person.style_plugin.format(persons[0], person.abbreviate).format_data(data), kwargs["other"])
    return names(role, **kwargs).format_data(data)


@dataclass
class ShortTitlePersonStyle(PersonStyle):
    def author_or_editor_or_title(self, full: bool):
        seps = {"sep": self.sep, "sep2": self.sep2, "last_sep": self.last_sep, "other": None if full else self.other}
        return first_of[
            optional[names_cut_short("author", **seps)],
            optional[names_cut_short("editor", **seps)],
            optional[bib_field("shorttitle")],
            tag("em")[bib_field("title")],
        ]


@dataclass
class BookReferenceStyle(AuthorYearReferenceStyle):
    person: PersonStyle = field(default_factory=ShortTitlePersonStyle)


def setup(app: Sphinx) -> dict:
    pybtex.plugin.register_plugin("pybtex.style.labels", "cartmodel_author_year", AuthorYearLabelStyle)
    pybtex.plugin.register_plugin("pybtex.style.formatting", "cartmodel", BookStyle)
    register_plugin("sphinxcontrib.bibtex.style.referencing", "cartmodel_author_year", BookReferenceStyle)
    # sphinxcontrib-bibtex asks pybtex for its stock plain-text backend at every citation, and
    # pybtex scans every installed package's entry points for it (half a second a build); the
    # same class, registered at run time, is found first.
    pybtex.plugin.register_plugin("pybtex.backends", "plaintext", PlaintextBackend, force=True)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
