"""The book, built from a clean copy with warnings as errors, read back as HTML; and a second
clean build that gives the same glued numbers and figures (the first test, so that the
second build starts as soon as the first is done)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

import cartmodel as cm
from cartmodel.paper import FIGURE_1, FIGURE_1_DAYS
from cartmodel.reporting import sci

from .conftest import REPO, repository_module


def toc_files() -> list[str]:
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    return [toc["root"]] + [chapter["file"] for part in toc.get("parts", []) for chapter in part["chapters"]]


def is_notebook(path: Path) -> bool:
    """Whether a file opens as a notebook: an ``.ipynb``, or MyST Markdown with a kernel."""
    if path.suffix == ".ipynb":
        return json.loads(path.read_text(encoding="utf-8")).get("nbformat") == 4
    head = path.read_text(encoding="utf-8").split("\n---", 1)[0]
    return path.suffix == ".md" and head.startswith("---") and "kernelspec:" in head and "format_name: myst" in head


def notebook_chapters() -> list[str]:
    return [name for name in toc_files() if is_notebook(REPO / f"{name}.md")]


def chapter_title(name: str) -> str:
    source = (REPO / f"{name}.md").read_text(encoding="utf-8")
    return next(line[2:].strip() for line in source.splitlines() if line.startswith("# "))


def page(built_book, name: str) -> BeautifulSoup:
    return BeautifulSoup((built_book.html / f"{name}.html").read_text(encoding="utf-8"), "html.parser")


def text_of(soup: BeautifulSoup) -> str:
    article = soup.find("article") or soup
    return " ".join(article.get_text(" ").split())


def test_two_clean_builds_are_identical(built_book, second_built_book):
    if built_book.log == "(reused build)":
        pytest.fail("CARTMODEL_BOOK_HTML is set: this test needs two clean builds")
    first = executed_outputs(built_book.source)
    second = executed_outputs(second_built_book.source)
    assert sorted(first) == sorted(f"{name}.md" for name in notebook_chapters())
    assert first.keys() == second.keys()
    text = json.dumps(first)
    assert '"stream"' in text, "no printed lines found in the executed chapters"
    assert text.count("papermill.record/image/png") >= 2, "no glued figures found in the executed chapters"
    for name in first:
        assert first[name] == second[name], f"{name} differs between two clean builds"


def executed_outputs(build_root: Path) -> dict[str, list[list[dict]]]:
    """Every cell's outputs of every chapter in a build's execution cache, by source path, minus
    run metadata. Not ``_build/jupyter_execute``: myst-nb writes outputs there only for the chapters
    it executed itself, not for those the side-by-side run did. Consecutive pieces of one stream
    are joined, as the book shows them: where the kernel splits printed text depends on timing."""
    from jupyter_cache import get_cache

    cache = get_cache(build_root / "_build" / ".jupyter_cache")
    found: dict[str, list[list[dict]]] = {}
    for record in cache.list_cache_records():
        cells = found[Path(record.uri).resolve().relative_to(build_root.resolve()).as_posix()] = []
        for cell in cache.get_cache_bundle(record.pk).nb.cells:
            outputs: list[dict] = []
            for output in cell.get("outputs", []):
                if output["output_type"] == "stream" and outputs and outputs[-1].get("name") == output["name"]:
                    outputs[-1]["text"] += output["text"]
                else:
                    outputs.append({key: output[key] for key in ("output_type", "name", "text", "data") if key in output})
            cells.append(outputs)
    return found


def test_build_reports_success_and_no_warnings(built_book):
    if built_book.log != "(reused build)":
        assert "build succeeded" in built_book.log
        assert "WARNING:" not in built_book.log  # Sphinx's form; kernels log "WARNING |"


@pytest.mark.parametrize("name", toc_files())
def test_every_chapter_of_the_toc_is_a_page(built_book, name):
    soup = page(built_book, name)
    assert soup.find("h1") is not None, f"{name} has no title"
    assert "This chapter is being written" not in text_of(soup)


@pytest.mark.parametrize(("name", "number"), [("figures1-2", "1"), ("figures1-2", "2"), ("figure3", "3")], ids=["1", "2", "3"])
def test_the_papers_figures_are_images_numbered_by_chapter(built_book, name, number):
    """A PNG with alt text, captioned "Fig. n.m" (chapters are numbered) and naming the paper's figure."""
    figure = page(built_book, f"chapters/{name}").find(id=f"fig-figure-{number}")
    assert figure is not None, f"no element with id fig-figure-{number}"
    image = figure.find("img")
    assert image is not None and image.get("alt"), f"fig-figure-{number} has no image with alt text"
    data = (built_book.html / "chapters" / image["src"]).resolve().read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    caption = " ".join(figure.find("figcaption").get_text(" ").split()).replace("’", "'")
    assert re.match(r"Fig\. \d+\.\d+ ", caption), f"fig-figure-{number} is not numbered by chapter: {caption[:40]!r}"
    assert f"The paper's Figure {number}" in caption


def test_glued_numbers_of_figures_1_and_2_appear_in_the_text(built_book):
    text = text_of(page(built_book, "chapters/figures1-2"))
    run = cm.simulate(**FIGURE_1, days=FIGURE_1_DAYS)
    clearance = float(cm.tumour_clearance_day(P=FIGURE_1["P"], r=FIGURE_1["r"], q=FIGURE_1["q"]))
    expected = {
        "peak": f"peak of {sci(run.peak)} cells",
        "day of peak": f"on day {float(run.peak_day):.0f}",
        "plateau": f"{sci(cm.plateau_level(K=FIGURE_1['K'], B=FIGURE_1['B']))} cells",
        "clearance time": f"{clearance:.1f} days",
        "first day without blasts": f"day {float(run.clearance_day):.0f}",
    }
    for what, snippet in expected.items():
        assert snippet in text, f"{what} ({snippet}) is not in the Figures 1 and 2 page"


def test_equation_1_page_has_numbered_equations_and_resolved_references(built_book):
    soup = page(built_book, "chapters/equation1")
    numbers = [span.get_text().rstrip("#").strip() for span in soup.select("span.eqno")]
    # chapters are numbered (_toc.yml), so the equations of chapter 1 are (1.1), (1.2), ...
    assert len(numbers) >= 5 and numbers[:3] == ["(1.1)", "(1.2)", "(1.3)"]
    assert soup.find(id="equation-eq-equation-1") is not None
    equation_links = [a for a in soup.select("a.reference.internal") if re.fullmatch(r"\(1\.\d+\)", a.get_text().strip())]
    assert len(equation_links) >= 5, "equation references did not resolve"


def test_chapters_run_side_by_side_before_sphinx_reads_them(built_book):
    """Every chapter is handed to jupyter-cache's local-parallel executor before Sphinx reads the
    pages. One chapter the pool failed to execute or cache (myst-nb then executes it, as
    _ext/parallel_execution.py says) is tolerated if the log names it and the pool's reason."""
    if built_book.log == "(reused build)":
        return
    count = len(notebook_chapters())
    report = re.search(r"executed (\d+) of (\d+) notebooks side by side[^\n]*", built_book.log)
    assert report is not None, "the side-by-side run did not report"
    errors = "\n".join(re.findall(r".*(?:Failed|Excepted|Traceback|Error).*", built_book.log))
    assert int(report[2]) == count and int(report[1]) >= count - 1, f"{report[0]}\n{errors}"
    assert int(report[1]) == count or ("left to myst-nb:" in report[0] and errors), report[0]


def test_a_rebuild_rewrites_the_explorers_table_only_when_cartmodel_changed(tmp_path):
    extension = repository_module("_ext", "explorer_parameters")
    target = tmp_path / "parameters.js"
    assert not extension.is_current(target), "a missing table counts as current"
    target.write_text("written after every source of cartmodel", encoding="utf-8")
    assert extension.is_current(target)
    os.utime(target, (0, 0))  # as if written before cartmodel's last change
    assert not extension.is_current(target), "a table older than cartmodel's sources is kept"


def test_evidence_chapter_shows_its_scorecard_with_the_model_numbers(built_book):
    from cartmodel.calibration import LABEL_DOSE_FACTORS, calibrate_to_tisagenlecleucel

    soup = page(built_book, "chapters/clinical-evidence")
    tables = soup.find("article").find_all("table")
    scorecard = next(table for table in tables if "verdict" in table.get_text())
    rows = scorecard.find_all("tr")[1:]
    verdicts = [row.find_all("td")[-1].get_text(" ", strip=True) for row in rows]
    assert len(rows) >= 5 and "consistent" in verdicts and "inconsistent" in verdicts
    assert all(row.find("a") is not None for row in rows), "a scorecard row cites no source"
    run = calibrate_to_tisagenlecleucel().simulate(dose_factor=list(LABEL_DOSE_FACTORS))
    ratio = float(run.peak[1] / run.peak[0])
    assert f"peak × {ratio:.2f} over 25-fold dose" in scorecard.get_text()
    assert f"by a factor of {ratio:.2f}" in text_of(soup)
    assert soup.find(id="fig-evidence").find("img") is not None


def public_modules() -> dict[str, object]:
    """Every public module of cartmodel (no leading underscore), subpackages' modules included, by name."""
    import importlib
    import pkgutil

    names = [info.name.removeprefix("cartmodel.") for info in pkgutil.walk_packages(cm.__path__, "cartmodel.")]
    return {name: importlib.import_module(f"cartmodel.{name}") for name in names
            if not any(part.startswith("_") for part in name.split("."))}


def test_api_reference_lists_every_public_name(built_book):
    """The API chapter documents each name of cartmodel.__all__ and of every public module's __all__."""
    soup = page(built_book, "chapters/api")
    documented = {tag["id"] for tag in soup.select("dl.py > dt[id]")}
    modules = public_modules()
    missing = []
    for module_name, module in modules.items():
        assert hasattr(module, "__all__"), f"cartmodel.{module_name} has no __all__"
        for name in module.__all__:
            value = getattr(module, name)
            # a name a module re-exports is documented where it is defined
            homes = [other for other, o_module in modules.items()
                     if name in o_module.__all__ and getattr(o_module, name) is value]
            if not any(f"cartmodel.{home}.{name}" in documented for home in homes):
                missing.append(f"cartmodel.{module_name}.{name}")
    for name in cm.__all__:
        value = getattr(cm, name)
        if not any(f"cartmodel.{home}.{name}" in documented for home, module in modules.items()
                   if getattr(module, name, None) is value):
            missing.append(f"cartmodel.{name}")
    assert not missing, f"not in the API reference: {missing}"
    # the numpy sections were read as sections, not shown as raw text
    text = text_of(soup)
    assert "Parameters ----------" not in text and "Returns -------" not in text
    assert soup.select("dl.field-list"), "no parameter lists: napoleon did not run"
    # an attribute entry naming two attributes at once ("r, q : float") is shown by napoleon as
    # "q (r,)": the first name read as the type, the trailing comma left over
    entries = (" ".join(item.get_text(" ").split()) for item in soup.select("dl.field-list li"))
    misread = [entry[:60] for entry in entries if re.match(r"\S+ \( \w+ , \)", entry)]
    assert not misread, f"attribute names read as types: {misread}"


def cell_outputs(soup: BeautifulSoup) -> list[str]:
    return [" ".join(out.get_text(" ").split()) for out in soup.select("div.cell_output") if out.get_text(strip=True)]


@pytest.mark.parametrize("name", [name for name in toc_files() if name.startswith("chapters/")])
def test_no_cell_shows_a_bare_shape_or_container(built_book, name):
    """An output the text relies on is labelled; a shape, a dict or a list on its own is not a result."""
    bare = re.compile(r"[\(\[\{].*[\)\]\}]", re.S)
    shown = [text for text in cell_outputs(page(built_book, name)) if bare.fullmatch(text)]
    assert not shown, f"bare reprs in {name}: {shown}"


def test_dosing_chapter_shows_the_affinity_limits_found_as_roots(built_book):
    ic50s = [0.5, 1.6, 5.0, 16.0]
    fixed = {name: FIGURE_1[name] for name in ("r", "q", "K")}
    roots = cm.burden_for_ceiling(ceiling=1e8, n0=1.0, B=cm.affinity_from_ic50(ic50s), days=FIGURE_1_DAYS, **fixed)
    table = next(text for text in cell_outputs(page(built_book, "chapters/dosing-nomograms")) if "IC50 (nM)" in text)
    for ic50, root in zip(ic50s, roots, strict=True):
        assert f"{ic50:g} {float(cm.affinity_from_ic50(ic50)):.3g} {root:.3g}" in table
    # the largest limit lies far beyond the 1e4 AU at which the old grid stopped
    assert roots[-1] > 1e5


def test_response_chapter_reports_one_run_for_the_papers_case(built_book):
    soup = page(built_book, "chapters/response-probability")
    prose = re.search(r"respond at a rate of ([\d.]+) %", text_of(soup))
    assert prose is not None
    table = next(table for table in soup.find("article").find_all("table") if "simulated rate" in table.get_text())
    first = [cell.get_text(" ", strip=True) for cell in table.find_all("tr")[1].find_all("td")]
    assert first[4].replace(" ", "") == f"{prose.group(1)}%"


def test_figure_2_says_its_red_line_is_the_tumour_term_in_antigen_units(built_book):
    caption = " ".join(page(built_book, "chapters/figures1-2").find(id="fig-figure-2").find("figcaption").get_text(" ").split())
    assert "1 AU" in caption and "antigen units" in caption
    assert "one cell" not in caption


def test_interactive_chapter_headings_carry_only_the_section_number_and_no_colab(built_book):
    soup = page(built_book, "chapters/interactive-dosing")
    for heading in soup.find("article").find_all(["h2", "h3"]):
        text = " ".join(heading.get_text(" ").split()).rstrip("#").strip()
        assert not re.match(r"[\d.]+\s+\d+\.\s", text), f"two numbers in the heading {text!r}"
    assert "Colab" not in text_of(soup)

