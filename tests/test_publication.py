"""The book as a publication: the PDF ``make pdf`` prints (read back with pypdf) is the whole
book with no TeX and nothing of the screen, the site links it, the printer refuses the
network; the Reproducibility page reports this build; the archive metadata agree.
"""

from __future__ import annotations

import json
import platform
import re
import subprocess
import sys
import tomllib
import unicodedata
from importlib import metadata

import pytest
import yaml
from bs4 import BeautifulSoup

from .browser import require_browser
from .conftest import PDF_NAME, REPO, repository_module
from .test_book import chapter_title, notebook_chapters, page, toc_files

# TeX that MathJax should have turned into typeset maths.
RAW_TEX = re.compile(
    r"\\(?:frac|left|right|begin|end|mathrm|text|cdot|times|alpha|beta|sum|int|le|ge|Delta)\b"
    r"|\$[^$\s\d][^$]{0,60}\$|\\\(|\\\["
)


def squash(text: str) -> str:
    """Text without whitespace or soft hyphens (PDF extraction breaks lines anywhere), in
    compatibility form (the PDF's ligatures such as "ﬃ" and superscript digits as plain letters)."""
    return re.sub(r"[\s\u00ad]+", "", unicodedata.normalize("NFKC", text))


def page_start(text: str) -> str:
    """A page's squashed text without what may precede a chapter title on it: the bibliography's
    floated labels (pypdf reads them first) and the chapter's number ("1. Equation 1: ...")."""
    text = re.sub(r"^(\[[^\]]*\])+", "", squash(text))
    return re.sub(r"^\d+(\.\d+)*\.?", "", text)


def test_pdf_is_a_whole_book(book_pdf, pdf_pages):
    data = book_pdf.read_bytes()
    assert data[:5] == b"%PDF-"
    chapters = len(toc_files())
    # Title and contents, then each chapter from a page of its own: at least one page a chapter.
    assert chapters + 1 <= len(pdf_pages) <= 400, f"{len(pdf_pages)} pages for {chapters} chapters"
    print(f"cartmodel: the PDF has {len(pdf_pages)} pages, {len(data) / 1e6:.1f} MB")


@pytest.mark.parametrize("name", toc_files()[1:])
def test_every_chapter_starts_a_page_with_its_title(pdf_pages, name):
    title = squash(chapter_title(name))
    assert any(page_start(text).startswith(title) for text in pdf_pages), f"no page starts with {name}'s title {chapter_title(name)!r}"


def test_the_first_page_has_the_title_and_the_parts(pdf_pages):
    first = squash(pdf_pages[0])
    assert first.startswith(squash(chapter_title(toc_files()[0])))
    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    for part in toc["parts"]:
        assert squash(part["caption"]) in first, f"the contents do not name the part {part['caption']!r}"


def caption_fragments(built_book) -> list[tuple[str, str]]:
    """(page, fragment) for the text runs of every figure caption of the site, maths left out
    (typeset maths does not come back from a PDF as its TeX)."""
    found = []
    for name in toc_files():
        soup = page(built_book, name)
        for caption in soup.select("article figure figcaption"):
            for link in caption.select("a.headerlink"):
                link.decompose()
            for math in caption.select(".math"):
                math.replace_with("\u0000")
            for fragment in caption.get_text().split("\u0000"):
                if len(squash(fragment)) >= 12:
                    found.append((name, fragment.strip()))
    return found


def test_every_figure_caption_is_in_the_pdf(built_book, pdf_pages):
    fragments = caption_fragments(built_book)
    assert len({name for name, _ in fragments}) >= 5, "too few captions found in the site to compare"
    text = squash("".join(pdf_pages))
    missing = [f"{name}: {fragment[:80]!r}" for name, fragment in fragments if squash(fragment) not in text]
    assert missing == [], "figure captions missing from the PDF:\n" + "\n".join(missing)


def test_equations_are_typeset_not_left_as_tex(built_book, pdf_pages):
    leftovers = {match for text in pdf_pages for match in RAW_TEX.findall(text)}
    assert leftovers == set(), f"TeX source left in the PDF: {sorted(leftovers)[:10]}"
    # The equation numbers of the first chapter are printed beside typeset equations.
    title = squash(chapter_title("chapters/equation1"))
    equation1 = pdf_pages[next(i for i, text in enumerate(pdf_pages) if page_start(text).startswith(title))]
    numbers = [span.get_text().rstrip("#").strip() for span in page(built_book, "chapters/equation1").select("span.eqno")]
    assert numbers and numbers[0] in equation1


def test_the_raw_tex_check_can_fail():
    for text in ("$\\alpha \\beta $", "N = \\frac{K}{2}", "\\(x\\)", "\\begin{split}"):
        assert RAW_TEX.search(text), text
    for text in ("Ligand recognition by αβ T cell receptors", "costs $5 and $6", "N_t = K / 2"):
        assert not RAW_TEX.search(text), text


def test_nothing_of_the_screen_is_printed(pdf_pages):
    text = squash("".join(pdf_pages))
    for screen_only in ("Skip to main content", "Back to top", "Show code cell source", "Download the whole book",
                        "The live explorer needs JavaScript", "Ctrl+K", "Print to PDF"):
        assert squash(screen_only) not in text, f"{screen_only!r} is printed"
    from cartmodel.parameters import label
    from cartmodel.widgets import EXPLORER_CONTROLS

    # The live explorer stays on the screen (its static figure is printed): its slider labels as its
    # script writes them ("Antigen burden P (AU): ", capitalised, then a colon) are not in the PDF.
    labels = sorted({label(name) if re.match(r"^[a-z]+[A-Z]", label(name)) else label(name)[0].upper() + label(name)[1:]
                     for names in EXPLORER_CONTROLS.values() for name in names})
    assert len(labels) >= 3
    printed = [label for label in labels if squash(label + ":") in text]
    assert printed == [], f"the live explorer is printed: {printed}"


def test_landing_page_links_the_pdf(built_book, book_pdf):
    links = [a["href"] for a in page(built_book, "chapters/index").select("article a[href]") if a["href"].endswith(".pdf")]
    assert links, "the landing page does not link a PDF"
    target = (built_book.html / "chapters" / links[0]).resolve()
    assert target.name == PDF_NAME and target.is_relative_to(built_book.html.resolve())
    assert target.read_bytes()[:5] == b"%PDF-", f"{links[0]} is not the PDF in the site"


def test_the_printer_refuses_other_hosts(tmp_path):
    """tools/make_pdf.py blocks and reports every request to another host (run in its own
    process: a second Playwright session in this one would clash with the browser tests')."""
    require_browser()
    (tmp_path / "page.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title>'
        '<link rel="stylesheet" href="https://cdn.example.org/style.css"></head>'
        '<body><p>Offline or not at all.</p></body></html>', encoding="utf-8")
    script = (
        "import json, sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); import make_pdf\n"
        "report = make_pdf.print_page(Path(sys.argv[2]), Path(sys.argv[2]) / 'out.pdf', 'page.html')\n"
        "print(json.dumps(report.external_requests))\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(REPO / "tools"), str(tmp_path)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == ["https://cdn.example.org/style.css"]
    assert (tmp_path / "out.pdf").read_bytes()[:5] == b"%PDF-"


def table_cells(tag) -> list[list[str]]:
    """The text of each body row's cells, for every table in ``tag``."""
    return [[cell.get_text(" ", strip=True) for cell in row.select("td")] for row in tag.select("tbody tr")]


@pytest.fixture(scope="module")
def reproducibility(built_book) -> BeautifulSoup:
    return page(built_book, "chapters/reproducibility")


def test_reproducibility_page_reports_every_notebook_execution(reproducibility):
    notebooks = set(notebook_chapters())
    assert len(notebooks) >= 5
    table = next(t for t in reproducibility.select("article table") if "Run Time" in t.get_text())
    rows = {cells[0]: cells for cells in table_cells(table)}
    assert set(rows) == notebooks
    for name, (_, modified, method, runtime, status) in rows.items():
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", modified), (name, modified)
        assert method == "cache" and status == "succeeded", (name, method, status)
        assert float(runtime) > 0, (name, runtime)


def test_reproducibility_page_names_the_environment_that_built_it(built_book, reproducibility):
    rows = dict(cells for cells in table_cells(reproducibility.find("article")) if len(cells) == 2)
    # The build ran with this test session's interpreter and packages (the same .venv).
    assert rows["Python"] == f"{platform.python_implementation()} {platform.python_version()}"
    for package in ("numpy", "scipy", "matplotlib", "jupyter-book", "sphinx", "myst-nb"):
        assert rows[package] == metadata.version(package), package
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert rows["cartmodel"] == project["version"]
    revision = rows["Git revision of the source"]
    if built_book.log == "(reused build)":
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
        assert revision.startswith(head)
    else:
        assert "not a git checkout" in revision  # the clean copy has no .git
    text = " ".join(reproducibility.find("article").get_text(" ").split())
    assert "make book" in text and "make test" in text


def test_git_revision_reads_the_checkout(tmp_path):
    report = repository_module("_ext", "build_report")
    assert "not a git checkout" in report.git_revision(tmp_path)
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    (tmp_path / "a.txt").write_text("one\n")
    subprocess.run([*git, "add", "a.txt"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "one"], check=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    assert report.git_revision(tmp_path) == head
    (tmp_path / "a.txt").write_text("two\n")
    assert report.git_revision(tmp_path) == f"{head} with uncommitted changes"


def test_zenodo_metadata_agrees_with_citation_cff():
    """Zenodo reads .zenodo.json instead of CITATION.cff when both exist: they must agree."""
    zenodo = json.loads((REPO / ".zenodo.json").read_text(encoding="utf-8"))
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert zenodo["upload_type"] == "software"
    assert zenodo["title"] == cff["title"]
    assert zenodo["version"] == cff["version"]
    assert zenodo["license"].lower() == cff["license"].lower()
    assert [creator["name"] for creator in zenodo["creators"]] == [author["name"] for author in cff["authors"]]
    assert zenodo["keywords"] == cff["keywords"]
    assert " ".join(zenodo["description"].split()) == " ".join(cff["abstract"].split())
    assert "doi" not in zenodo and "doi" not in cff, "a DOI is given by Zenodo on release, never typed in advance"


def test_how_to_cite_states_the_version_and_how_to_cite_one():
    text = " ".join((REPO / "chapters" / "how-to-cite.md").read_text(encoding="utf-8").split())
    version = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert f"This is version {version} of the book" in text
    assert "Zenodo" in text and ".zenodo.json" in text
    assert not re.search(r"10\.\d{4,}/", text), "the page gives a DOI: none has been issued"
