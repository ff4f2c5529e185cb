"""The book's bibliography style: author-year in the text and in the reference list.

Two pybtex/sphinxcontrib-bibtex plugins, registered under the names used in _config.yml:

* ``cartmodel`` (``bibtex_default_style``), the reference list: pybtex's ``plain``
  style with author-year labels ("Toor et al., 2019") instead of numbers, so that an
  entry carries the same text as the citations pointing to it; an author list cut
  short with BibTeX's ``and others`` ends in "et al."; TeX maths in a title such as
  ``$\\alpha\\beta$`` is written in Unicode (αβ), which neither pybtex nor latexcodec
  does.
* ``cartmodel_author_year`` (``bibtex_reference_style``), the citations: sphinxcontrib-
  bibtex's author-year style, with "et al." for an author list cut short with
  ``and others`` (the stock style prints "Toor and others").

The entries in references.bib stay as BibTeX writes them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import pybtex.plugin
from pybtex.database import Entry, Person
from pybtex.richtext import Text
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.template import FieldIsMissing, first_of, node, optional, sentence, tag
from pybtex.style.template import field as bib_field
from sphinx.application import Sphinx
from sphinxcontrib.bibtex.plugin import register_plugin
from sphinxcontrib.bibtex.style.referencing import PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

ET_AL = "et al."

# TeX commands that occur in titles of the life-science literature, as Unicode.
TEX_SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ",
    "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ",
    "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ",
    "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    "pm": "±", "times": "×", "cdot": "·", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥",
    "sim": "∼", "approx": "≈", "infty": "∞", "to": "→", "rightarrow": "→", "prime": "′",
}
_MATH = re.compile(r"\$([^$]*)\$")
_COMMAND = re.compile(r"\\([A-Za-z]+)\s*")


def tex_math_to_unicode(text: str) -> str:
    """``$\\alpha\\beta$`` -> ``αβ``: inline TeX maths of a field as plain Unicode text.

    Only the commands of ``TEX_SYMBOLS`` and ``^``/``_`` of single characters are
    translated; maths with anything else is left as it was, so that the tests of the
    reference list see it, rather than being silently mangled.
    """

    def one(match: re.Match) -> str:
        body = match.group(1)
        unknown = [name for name in _COMMAND.findall(body) if name not in TEX_SYMBOLS]
        if unknown:
            return match.group(0)
        body = _COMMAND.sub(lambda command: TEX_SYMBOLS[command.group(1)], body)
        body = re.sub(r"\^\{?(\w)\}?", lambda m: m.group(1).translate(SUPERSCRIPTS), body)
        body = re.sub(r"_\{?(\w)\}?", lambda m: m.group(1).translate(SUBSCRIPTS), body)
        return body.replace("{", "").replace("}", "").replace(" ", "")

    return _MATH.sub(one, text)


SUPERSCRIPTS = str.maketrans("0123456789+-n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻ⁿ")
SUBSCRIPTS = str.maketrans("0123456789+-", "₀₁₂₃₄₅₆₇₈₉₊₋")


def is_others(person: Person) -> bool:
    """BibTeX's ``and others``: the author list was cut short."""
    return str(person).strip().lower() == "others"


def split_persons(persons: list[Person]) -> tuple[list[Person], bool]:
    """The named persons, and whether the list was cut short (``and others``)."""
    named = [person for person in persons if not is_others(person)]
    return named, len(named) < len(persons)


def join_names(parts: list, *, cut_short: bool, sep: str, sep2: str, last_sep: str) -> Text:
    """Names joined as in English; a list cut short ends in "et al."."""
    if cut_short:
        return Text(*[item for part in parts for item in (part, sep)][:-1], " " + ET_AL) if parts else Text(ET_AL)
    if len(parts) <= 1:
        return Text(*parts)
    if len(parts) == 2:
        return Text(sep2).join(parts)
    return Text(last_sep).join([Text(sep).join(parts[:-1]), parts[-1]])


# --- the reference list -------------------------------------------------------------


@node
def list_names(children, context, role, sep=", ", sep2=" and ", last_sep=", and "):
    """pybtex's ``names`` node, with "et al." for ``and others``."""
    assert not children
    try:
        persons = context["entry"].persons[role]
    except KeyError:
        raise FieldIsMissing(role, context["entry"]) from None
    style = context["style"]
    named, cut_short = split_persons(persons)
    parts = [style.format_name(person, style.abbreviate_names).format_data(context) for person in named]
    return join_names(parts, cut_short=cut_short, sep=sep, sep2=sep2, last_sep=last_sep)


def surname(person: Person) -> str:
    return " ".join(person.prelast_names + person.last_names).replace("{", "").replace("}", "")


def author_year_label(entry: Entry) -> str:
    """"Toor et al., 2019": the text of the entry's citations, without the brackets."""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    named, cut_short = split_persons(persons)
    if not named:  # no author checked for this work: its short title stands in, as in the citations
        who = tex_math_to_unicode(entry.fields.get("shorttitle", entry.fields.get("title", entry.key)))
    elif cut_short or len(named) > 2:
        who = f"{surname(named[0])} {ET_AL}"
    elif len(named) == 2:
        who = f"{surname(named[0])} and {surname(named[1])}"
    else:
        who = surname(named[0])
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabelStyle(BaseLabelStyle):
    """Labels "Toor et al., 2019", with a, b, ... where two entries would share one."""

    def format_labels(self, sorted_entries):
        labels = [author_year_label(entry) for entry in sorted_entries]
        counts = Counter(labels)
        seen: Counter = Counter()
        for label in labels:
            if counts[label] > 1:
                seen[label] += 1
                yield f"{label}{chr(ord('a') + seen[label] - 1)}"
            else:
                yield label


class BookStyle(PlainStyle):
    """pybtex's ``plain`` with author-year labels, "et al." and Unicode maths in titles."""

    default_label_style = "cartmodel_author_year"

    def format_names(self, role, as_sentence=True):
        formatted = list_names(role)
        return sentence[formatted] if as_sentence else formatted

    def format_entry(self, label, entry, bib_data=None):
        readable = Entry(
            entry.type,
            fields={name: tex_math_to_unicode(value) for name, value in entry.fields.items()},
            persons=entry.persons,
        )
        readable.key = entry.key
        return super().format_entry(label, readable, bib_data=bib_data)


# --- the citations in the text ------------------------------------------------------


@node
def citation_names(children, data, role, sep, sep2, last_sep, full):
    """sphinxcontrib-bibtex's ``names`` node, with "et al." for ``and others``."""
    assert not children
    try:
        persons = data["entry"].persons[role]
    except KeyError:
        raise FieldIsMissing(role, data["entry"]) from None
    style = data["style"]
    named, cut_short = split_persons(persons)
    parts = [style.person.style_plugin.format(person, style.person.abbreviate).format_data(data) for person in named]
    if not full and len(parts) > 2:  # the stock style's rule: three or more, first author et al.
        parts, cut_short = parts[:1], True
    return join_names(parts, cut_short=cut_short, sep=sep, sep2=sep2, last_sep=last_sep)


@dataclass
class EtAlPersonStyle(PersonStyle):
    def author_or_editor_or_title(self, full: bool):
        seps = {"sep": self.sep, "sep2": self.sep2, "last_sep": self.last_sep, "full": full}
        return first_of[
            optional[citation_names("author", **seps)],
            optional[citation_names("editor", **seps)],
            optional[bib_field("shorttitle")],
            tag("em")[bib_field("title")],
        ]


@dataclass
class BookReferenceStyle(AuthorYearReferenceStyle):
    person: PersonStyle = field(default_factory=EtAlPersonStyle)


def setup(app: Sphinx) -> dict:
    pybtex.plugin.register_plugin("pybtex.style.labels", "cartmodel_author_year", AuthorYearLabelStyle)
    pybtex.plugin.register_plugin("pybtex.style.formatting", "cartmodel", BookStyle)
    register_plugin("sphinxcontrib.bibtex.style.referencing", "cartmodel_author_year", BookReferenceStyle)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
