"""Citable: CITATION.cff, the How-to-cite page, references.bib, read from the repository."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib

import jsonschema
import pytest
import yaml
from pybtex.database import parse_string

import cartmodel.published as published

from .conftest import REPO

CFF_SCHEMA = REPO / "node_modules" / "cffjs" / "dist" / "schema.js"  # installed by `make setup`
CITE_ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


@pytest.fixture(scope="module")
def cff_schema() -> dict:
    """The Citation File Format 1.2.0 JSON schema, as the npm package cffjs ships it."""
    node = shutil.which("node")
    assert node and CFF_SCHEMA.exists(), f"need Node.js and {CFF_SCHEMA}: run `make setup` (npm ci)"
    script = f"import({json.dumps(CFF_SCHEMA.as_uri())}).then((m) => process.stdout.write(JSON.stringify(m.schema)))"
    output = subprocess.run([node, "--input-type=module", "-e", script], capture_output=True, text=True, check=True)
    return json.loads(output.stdout)


def schema_errors(document: dict, schema: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(document)]


def plain(text: str) -> str:
    """A BibTeX field without its protective braces and extra spaces."""
    return " ".join(text.replace("{", "").replace("}", "").split())


@pytest.fixture(scope="module")
def cff() -> dict:
    return yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def bib():
    return parse_string((REPO / "references.bib").read_text(encoding="utf-8"), "bibtex")


@pytest.fixture(scope="module")
def how_to_cite():
    blocks = re.findall(r"```bibtex\n(.*?)```", (REPO / "chapters" / "how-to-cite.md").read_text(encoding="utf-8"), flags=re.DOTALL)
    return parse_string("\n".join(blocks), "bibtex")


# --- CITATION.cff -------------------------------------------------------------------


def test_citation_cff_is_valid_citation_file_format(cff, cff_schema):
    assert cff_schema["$id"] == "https://citation-file-format.github.io/1.2.0/schema.json"
    assert cff["cff-version"] == "1.2.0"
    assert schema_errors(cff, cff_schema) == []
    # the check can fail: a record without authors, with a bad URL or of another type is refused
    without_authors = {key: value for key, value in cff.items() if key != "authors"}
    for broken in (without_authors, {**cff, "repository-code": "not a url"}, {**cff, "type": "book"}):
        assert schema_errors(broken, cff_schema), f"a broken CITATION.cff passed the schema: {broken}"


def test_citation_cff_names_the_book_as_software_and_agrees_with_the_project(cff):
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert cff["type"] == "software"
    assert cff["title"] == config["title"]
    assert cff["version"] == project["version"]
    assert cff["license"] == project["license"]
    assert cff["repository-code"] == config["repository"]["url"]


def test_package_description_and_citation_cff_name_the_paper_as_in_references_bib(cff, bib):
    paper = bib.entries["toor2019"]
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert plain(paper.fields["title"]) in plain(project["description"])
    articles = [ref for ref in cff["references"] if ref["type"] == "article"]
    assert len(articles) == 1
    article = articles[0]
    assert plain(article["title"]) == plain(paper.fields["title"])
    assert article["journal"] == paper.fields["journal"]
    assert str(article["year"]) == paper.fields["year"]
    assert article["authors"][0]["family-names"] == paper.persons["author"][0].last_names[0]


# --- the How to cite page -----------------------------------------------------------


def test_how_to_cite_gives_the_book_as_in_citation_cff(how_to_cite, cff):
    books = [entry for entry in how_to_cite.entries.values() if entry.type == "software"]
    assert len(books) == 1
    book = books[0]
    assert plain(book.fields["title"]) == cff["title"]
    assert book.fields["version"] == cff["version"]
    assert book.fields["url"] == cff["repository-code"]
    assert book.fields["license"] == cff["license"]
    assert [plain(str(person)) for person in book.persons["author"]] == [cff["authors"][0]["name"]]


def test_how_to_cite_gives_the_paper_as_in_references_bib(how_to_cite, bib):
    page, book = how_to_cite.entries["toor2019"], bib.entries["toor2019"]
    assert page.type == book.type == "article"
    for name in ("title", "journal", "year"):
        assert plain(page.fields[name]) == plain(book.fields[name]), name
    assert [str(person) for person in page.persons["author"]] == [str(person) for person in book.persons["author"]]


# --- references.bib -----------------------------------------------------------------


CHAPTERS = sorted((REPO / "chapters").glob("*.md"))


def chapter_cited_keys(texts: list[str]) -> set[str]:
    """Keys cited by {cite} roles in the given chapter sources."""
    return {key.strip() for text in texts for group in CITE_ROLE.findall(text) for key in group.split(",")}


def cited_keys() -> dict[str, set[str]]:
    """Citation keys of the chapters' {cite} roles and of cartmodel.published, by where."""
    keys: dict[str, set[str]] = {}
    for chapter in CHAPTERS:
        for key in chapter_cited_keys([chapter.read_text(encoding="utf-8")]):
            keys.setdefault(key, set()).add(chapter.name)
    for name, value in vars(published).items():
        values = value.values() if isinstance(value, dict) else [value]
        for item in values:
            if isinstance(item, published.PublishedValue):
                keys.setdefault(item.source, set()).add(f"cartmodel.published.{name}")
    return keys


def test_the_citation_pattern_finds_every_form_of_the_role():
    assert chapter_cited_keys(["{cite}`a` and {cite:p}`b, c` and {cite:t}`d` but not `e`"]) == {"a", "b", "c", "d"}


def test_references_bib_has_every_cited_key(bib):
    keys = cited_keys()
    assert "toor2019" in keys and len(keys) >= 2
    missing = {key: sorted(where) for key, where in keys.items() if key not in bib.entries}
    assert missing == {}, f"cited but not in references.bib: {missing}"


def uncited_entries(bib_keys, texts: list[str]) -> list[str]:
    """Entries of the bibliography that no chapter cites, sorted."""
    return sorted(set(bib_keys) - chapter_cited_keys(texts))


def test_every_entry_of_references_bib_is_cited_in_a_chapter(bib):
    texts = [chapter.read_text(encoding="utf-8") for chapter in CHAPTERS]
    assert uncited_entries(bib.entries, texts) == [], "references.bib entries that no chapter cites"
    # the check catches an entry nobody cites
    extra = parse_string("@article{nobody2000, title={Never cited}, year={2000}}", "bibtex")
    keys = list(bib.entries) + list(extra.entries)
    assert uncited_entries(keys, texts) == ["nobody2000"]
    # a key that appears only in running text, not in a {cite} role, does not count as cited
    assert uncited_entries(["stein2019"], ["see stein2019 and `stein2019`"]) == ["stein2019"]
