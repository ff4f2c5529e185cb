"""The printed book as a reader navigates it (``make pdf``, read back with pypdf): a bookmark per
chapter, spelled as the table of contents spells it (no space lost where a heading wrapped), in
order; printed contents that give each chapter's page; the live explorers printed as pictures
with the live page's address; the API reference the appendix at the end.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from .conftest import REPO, repository_module


def contents_titles(html: Path) -> list[str]:
    """The chapters as the site's table of contents (the navigation of the landing page) spells them."""
    soup = BeautifulSoup((html / "chapters" / "index.html").read_text(encoding="utf-8"), "html.parser")
    return [a.get_text(" ", strip=True) for a in soup.select("nav.bd-docs-nav a.reference")]


@pytest.fixture(scope="module")
def bookmarks(book_pdf) -> list[tuple[int, str, int]]:
    found = repository_module("tools", "make_pdf").outline(book_pdf)
    print(f"cartmodel: the PDF has {len(found)} bookmarks")
    return found


def test_every_chapter_title_is_a_bookmark_spelled_as_in_the_contents_in_order(built_book, bookmarks):
    titles = contents_titles(built_book.html)
    assert len(titles) >= 10
    marks = [title for _, title, _ in bookmarks]
    positions = []
    for title in titles:
        assert title in marks, f"no bookmark {title!r}; near it: {[m for m in marks if m.replace(' ', '') == title.replace(' ', '')]}"
        positions.append(marks.index(title, positions[-1] + 1 if positions else 0))
    assert positions == sorted(positions)
    pages = [bookmarks[i][2] for i in positions]
    assert pages == sorted(pages) and len(set(pages[1:])) == len(pages) - 1  # each chapter from a page of its own


def test_no_bookmark_lost_a_space_or_doubled_its_text(built_book, bookmarks):
    soup = BeautifulSoup((built_book.html / "chapters" / "index.html").read_text(encoding="utf-8"), "html.parser")
    book_title = soup.select_one("h1").get_text(" ", strip=True).rstrip("#").strip()
    assert bookmarks[0][1] == book_title  # the wrapped title of the first page
    for _, title, _ in bookmarks:
        words = title.split()
        half = len(words) // 2
        assert not (half and words[:half] == words[half:2 * half]), f"doubled: {title!r}"


def test_the_contents_give_each_chapters_page(built_book, pdf_pages, bookmarks):
    contents = " ".join(pdf_pages[:2])
    # the PDF's text has the font's ligatures ("suﬃce"); their compatibility form is the title's letters
    contents = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", contents))
    missing = []
    position = 0
    for title in contents_titles(built_book.html)[1:]:
        # the chapter's bookmark: the first of its title after the chapter before (the landing page has a
        # section "How to cite" too)
        position = next(i for i in range(position, len(bookmarks)) if bookmarks[i][1] == title)
        starts = bookmarks[position][2]
        match = re.search(re.escape(title) + r"[ .·…]*(\d+)", contents)
        if not match or int(match.group(1)) != starts:
            missing.append(f"{title}: printed {match.group(1) if match else None}, starts on {starts}")
    assert missing == [], "\n".join(missing)


def test_explorers_are_printed_as_pictures_with_their_live_address(pdf_pages):
    text = re.sub(r"\s+", "", "".join(pdf_pages))
    chapters = sorted((REPO / "chapters").glob("*.md"))
    explorers = [(chapter.stem, element) for chapter in chapters
                 for element in re.findall(r'id="([\w-]+)"\s+data-cartmodel-explorer=', chapter.read_text(encoding="utf-8"))]
    assert len(explorers) >= 4
    for stem, element in explorers:
        assert f"chapters/{stem}.html#{element}" in text, element


def test_the_api_reference_is_the_appendix_at_the_end(bookmarks):
    chapters = [(title, page) for _, title, page in bookmarks if title in ("References", "API reference")]
    assert [title for title, _ in chapters] == ["References", "API reference"] and chapters[0][1] < chapters[1][1]
    api = [title for _, title, _ in bookmarks].index("API reference")
    assert all(page >= chapters[1][1] for _, _, page in bookmarks[api:])
