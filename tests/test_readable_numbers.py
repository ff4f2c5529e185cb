"""The build's rewriting of glued e-notation (_ext/readable_numbers.py)."""

import importlib.util

import pytest

from .conftest import REPO

_spec = importlib.util.spec_from_file_location("readable_numbers", REPO / "_ext" / "readable_numbers.py")
readable_numbers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(readable_numbers)


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


def test_no_glued_number_is_left_in_e_notation(built_book):
    from bs4 import BeautifulSoup

    pages = sorted(built_book.html.glob("**/*.html"))
    assert len(pages) > 10
    for path in pages:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for span in soup.select("span.pasted-text"):
            assert not readable_numbers._E_NOTATION.search(span.get_text()), f"{path.name}: {span.get_text()!r}"
