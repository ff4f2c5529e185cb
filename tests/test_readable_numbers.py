"""The build's rewriting of glued e-notation (_ext/readable_numbers.py)."""

import re

import pytest

from .conftest import repository_module

readable_numbers = repository_module("_ext", "readable_numbers")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("1.47e+07", "1.47 × 10⁷"),
        ("peak of 1e+06 cells", "peak of 1 × 10⁶ cells"),
        ("2.8e-15", "2.8 × 10⁻¹⁵"),
        ("-3.2e-05 and 6.5e+100", "-3.2 × 10⁻⁵ and 6.5 × 10¹⁰⁰"),
        ("5e+00", "5"),
        ("1,000 cells on day 12", "1,000 cells on day 12"),  # nothing to rewrite
        ("case2e+05", "case2e+05"),  # part of a word: left alone
    ],
)
def test_readable(text, shown):
    assert readable_numbers.readable(text) == shown


# An unrounded float as Python prints it: a run of six or more zeros or nines after a
# significant digit, then one more digit (0.04000000000000001), or ten or more decimals at all
# (0.9152498359904626, 4.440892098500626e-16).  Prose and outputs round to what they mean.
FLOAT_NOISE = re.compile(r"\d\.\d*[1-9](?:0{6,}|9{6,})\d|\d\.\d{10,}")


@pytest.mark.parametrize(
    ("text", "noisy"),
    [
        ("0.04000000000000001", True),
        ("(0.0410, 0.04000000000000001, 0.0014)", True),
        ("0.7999999999999999", True),
        ("0.04", False),
        ("0.000001", False),  # a small number written out, not noise
        ("1,000,000 cells", False),
        ("1000000.0", False),
        ("{1.0: (0.9152498359904626, 0.75)}", True),
        ("4.440892098500626e-16", True),
        ("4.4e-16 and 3.14159", False),
    ],
)
def test_float_noise_pattern(text, noisy):
    assert bool(FLOAT_NOISE.search(text)) == noisy


@pytest.mark.book
def test_no_page_shows_e_notation_glued_or_float_noise(built_book):
    """No glued number is left in e-notation; no cell output or glued number shows an unrounded
    float such as 0.04000000000000001 (the API reference shows constants' exact reprs: exempt)."""
    from bs4 import BeautifulSoup

    pages = sorted(built_book.html.glob("**/*.html"))
    assert len(pages) > 10
    found = []
    for path in pages:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        found += [f"{path.name}: glued {span.get_text()!r}" for span in soup.select("span.pasted-text")
                  if readable_numbers._E_NOTATION.search(span.get_text())]
        article = soup.find("article")
        if article is not None and path.name != "api.html":
            found += [f"{path.name}: {match.group()}" for match in FLOAT_NOISE.finditer(article.get_text(" "))]
    assert found == []
