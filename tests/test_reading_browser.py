"""What a reader sees: display equations that fit a phone's column (375 px; the desktop width is
measured at each page's visit in test_site_browser.py), an author-year bibliography that lists
every author and shows no TeX, launch links that open a notebook of the repository, and the
paper's figures mapped from the landing page (their numbering: tests/test_book.py).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urldefrag, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from .browser import MATHJAX_READY_JS, MEASURE_EQUATIONS_JS, equations_that_do_not_fit, new_tab
from .conftest import REPO, repository_files
from .test_book import is_notebook, notebook_chapters, toc_files
from .test_book import page as soup_of

PAGES = toc_files()
PHONE_WIDTH = 375  # px; the site visit of tests/test_site_browser.py measures 1280 px


def article_of(soup: BeautifulSoup):
    return soup.find("article") or soup


# --- the equations fit --------------------------------------------------------------


@pytest.fixture(scope="module")
def phone_equation_widths(site, browser):
    """``{page: [measurement per display equation]}`` of every page loaded at phone width (as a
    phone reader gets it, not a desktop page resized), and under ``"planted"`` equation1 measured
    again with Equation 1 made wider than its column."""
    widths: dict[str, list[dict]] = {}
    with new_tab(browser, viewport={"width": PHONE_WIDTH, "height": 900}) as page:
        for name in PAGES:
            page.goto(site.page_url(f"{name}.html"), wait_until="load")
            page.evaluate(MATHJAX_READY_JS)
            widths[name] = page.evaluate(MEASURE_EQUATIONS_JS)
            if name == "chapters/equation1":
                page.evaluate("() => { document.querySelector('#equation-eq-equation-1 mjx-math').style.minWidth = '2000px'; }")
                widths["planted"] = page.evaluate(MEASURE_EQUATIONS_JS)
    return widths


def test_every_display_equation_fits_a_phone_column(phone_equation_widths):
    problems = [problem for name, measured in phone_equation_widths.items() if name != "planted"
                for problem in equations_that_do_not_fit(name, measured)]
    assert problems == [], f"display equations at {PHONE_WIDTH} px:\n" + "\n".join(problems)
    # the measurement flags an equation wider than its column: a pass means they fit, not that nothing was measured
    planted = equations_that_do_not_fit("chapters/equation1", phone_equation_widths["planted"])
    assert any("equation-eq-equation-1" in problem for problem in planted), planted


# --- the bibliography ---------------------------------------------------------------

AUTHOR_YEAR = re.compile(r"^[^\W\d][\w\s.'’-]*?( et al\.| and [^\W\d][\w\s.'’-]*)?, (\d{4}|n\.d\.)[a-z]?$")
FORBIDDEN = {"$": re.compile(r"\$"), "backslash": re.compile(r"\\"), "braces": re.compile(r"[{}]")}


def bibliography_entries(built_book) -> dict[str, tuple[str, str]]:
    """``{anchor id: (label, entry text)}`` of the reference list."""
    entries = {}
    for citation in article_of(soup_of(built_book, "chapters/bibliography")).select("div.citation"):
        label = citation.select_one("span.label")
        label_text = " ".join(label.extract().get_text(" ").split()).strip("[] ") if label else ""
        text = " ".join(citation.get_text(" ").split())
        entries[citation["id"]] = (label_text, text)
    return entries


def test_the_reference_list_reads_right(built_book):
    entries = bibliography_entries(built_book)
    assert len(entries) >= 10, "the reference list is (nearly) empty"
    problems = [
        f"{label}: {what} in {text!r}"
        for label, text in entries.values()
        for what, pattern in FORBIDDEN.items()
        if pattern.search(text)
    ]
    assert problems == [], "the reference list shows BibTeX/TeX source:\n" + "\n".join(problems)
    labels = [label for label, _ in entries.values()]
    not_author_year = [label for label in labels if not AUTHOR_YEAR.match(label)]
    assert not_author_year == [], f"labels of the reference list that are not author-year: {not_author_year}"
    assert len(set(labels)) == len(labels), "two entries share a label"
    texts = {label: text for label, text in entries.values()}
    assert texts["Wong et al., 2024"].startswith("Jerry Wong, Ryan Jackson, Lu Chen,")
    assert "Karl K. Gaal, and Young Kim. Determination of age-dependent" in texts["Wong et al., 2024"]
    assert texts["Clauset et al., 2009"].startswith("Aaron Clauset, Cosma Rohilla Shalizi, and M. E. J. Newman.")
    assert texts["Verhulst, 1838"].startswith("Pierre-François Verhulst. Notice sur la loi")
    assert "A dynamical systems perspective on chimeric antigen receptor" in texts["Toor et al., 2019"]


def test_the_reference_list_names_every_author_of_references_bib(built_book):
    """Every author named in references.bib appears, in order, in the entry's text, and
    the label is the first surname with "et al." for three or more or for a list cut short;
    a list that could not be checked and ends in BibTeX's ``and others`` reads "and others"."""
    import codecs

    import latexcodec  # noqa: F401  (registers the "ulatex" codec)
    from pybtex.database import parse_file

    bib = parse_file(str(REPO / "references.bib"), "bibtex")
    by_label = {label: text for label, text in bibliography_entries(built_book).values()}
    problems = []
    for key, entry in bib.entries.items():
        persons = entry.persons.get("author", [])
        if not persons:
            continue
        # the surnames as printed: BibTeX's accents (Paix{\~a}o) in Unicode, braces gone
        surnames = [codecs.decode(" ".join(person.last_names), "ulatex").replace("{", "").replace("}", "")
                    for person in persons]
        cut_short = surnames[-1] == "others"
        who = f"{surnames[0]} et al." if len(surnames) > 2 or cut_short else " and ".join(surnames)
        label = f"{who}, {entry.fields['year']}"
        text = by_label.get(label)
        if text is None:
            problems.append(f"{key}: no entry labelled {label!r}")
            continue
        title_start = entry.fields["title"].replace("{", "").replace("}", "")[:20]
        names_part, at = text[: text.find(title_start)], 0
        for surname in (surname for surname in surnames if surname != "others"):
            at = names_part.find(surname, at)
            if at == -1:
                problems.append(f"{key}: {surname} is not listed (in order) in {names_part!r}")
                break
        if (surnames[-1] == "others") != (" and others." in text):
            problems.append(f"{key}: 'and others' shown wrongly in {text[:120]!r}")
    assert problems == [], "\n".join(problems)


def test_citations_in_the_text_match_the_reference_list(built_book):
    entries = bibliography_entries(built_book)
    seen = 0
    problems = []
    for name in PAGES:
        for link in article_of(soup_of(built_book, name)).select("span.bibtex-citation a[href]"):
            seen += 1
            text = " ".join(link.get_text().split())  # the stock style sets "et al." in <em>
            target, fragment = urldefrag(link["href"])
            problems += [f"{name}: citation {text!r} shows {what}" for what, pattern in FORBIDDEN.items() if pattern.search(text)]
            if not target.endswith("bibliography.html") or fragment not in entries:
                problems.append(f"{name}: citation {text!r} points to {link['href']}, not to the reference list")
            elif entries[fragment][0] != text:
                problems.append(f"{name}: citation {text!r} points to the entry labelled {entries[fragment][0]!r}")
    assert seen >= 10, f"only {seen} citations found: the selector no longer matches the citations"
    assert problems == [], "\n".join(problems)


# --- launch buttons -----------------------------------------------------------------


def test_every_launch_link_opens_a_notebook_that_exists(built_book):
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    repository = urlsplit(config["repository"]["url"]).path.strip("/")
    branch = config["repository"]["branch"]
    tracked = set(repository_files())
    services = ("mybinder.org", "colab.research.google.com", "binderhub", "/v2/gh/")
    links = [
        (name, link["href"])
        for name in PAGES
        for link in soup_of(built_book, name).find_all("a", href=True)
        if any(service in link["href"] for service in services)
    ]
    binder = [(name, href) for name, href in links if urlsplit(href).hostname == "mybinder.org"]
    assert {name for name, _ in binder} == set(notebook_chapters()), "every notebook chapter, and only those, has a Binder button"
    problems = []
    for name, href in links:
        parts = urlsplit(href)
        if parts.hostname != "mybinder.org":  # Binder only: Colab cannot open the .md chapters
            problems.append(f"{name}: a launch link to another service than Binder: {href}")
            continue
        if parts.path != f"/v2/gh/{repository}/{branch}":
            problems.append(f"{name}: Binder builds {parts.path}, not /v2/gh/{repository}/{branch}")
        urlpath = parse_qs(parts.query).get("urlpath", [""])[0]
        match = re.fullmatch(r"lab/tree/(.+)", urlpath)
        if not match:
            problems.append(f"{name}: Binder opens {urlpath!r}, not a file in JupyterLab")
            continue
        path = match.group(1)
        if path not in tracked:
            problems.append(f"{name}: {href} opens {path}, which is not in the repository")
        elif not is_notebook(REPO / path):
            problems.append(f"{name}: {href} opens {path}, which is not a notebook")
    assert problems == [], "\n".join(problems)


# --- finding the paper's figures ----------------------------------------------------


LANDING_ROWS = {
    "Equation 1": ("chapters/equation1", "equation-eq-equation-1"),
    "Equation 2": ("chapters/equation2", "equation-eq-equation-2"),
    "the chance of a response to DLI": ("chapters/response-probability", "equation-eq-rho-r"),
    "Figure 1": ("chapters/figures1-2", "fig-figure-1"),
    "Figure 2": ("chapters/figures1-2", "fig-figure-2"),
    "Figure 3A": ("chapters/figure3", "fig-figure-3"),
    "Figure 3B": ("chapters/figure3", "fig-figure-3"),
    "antigen burden of ALL": ("chapters/antigen-burden", ""),
    "% for DLI": ("chapters/response-probability", "equation-eq-rho-r"),
}


def number_at(built_book, page: str, anchor: str) -> str:
    """The number the target page shows for a figure or an equation."""
    target = soup_of(built_book, page).find(id=anchor)
    assert target is not None, f"{page} has no #{anchor}"
    number = target.select_one("span.caption-number") or target.select_one("span.eqno")
    return " ".join(number.get_text(" ").split()).rstrip("#").strip()


def test_the_landing_page_maps_the_papers_figures_equations_and_examples(built_book):
    landing = article_of(soup_of(built_book, "chapters/index"))
    rows = [row.find_all("td") for row in landing.select("table tbody tr")]
    found = {}
    for cells in rows:
        if len(cells) != 2:
            continue
        paper = cells[0].get_text(" ")
        for key in LANDING_ROWS:
            if key in paper and key not in found:
                found[key] = cells[1]
                break
    assert set(found) == set(LANDING_ROWS), f"rows missing from the landing page's table: {set(LANDING_ROWS) - set(found)}"
    for key, (page, anchor) in LANDING_ROWS.items():
        links = found[key].find_all("a", href=True)
        targets = {(urldefrag(link["href"])[0].removesuffix(".html"), urldefrag(link["href"])[1]): link for link in links}
        wanted_page = page.removeprefix("chapters/")
        assert any(target == wanted_page for target, _ in targets), f"row {key!r} does not link to {page}"
        if anchor:
            link = targets.get((wanted_page, anchor))
            assert link is not None, f"row {key!r} does not link to {page}#{anchor}"
            shown = " ".join(link.get_text(" ").split())
            assert shown == number_at(built_book, page, anchor), f"row {key!r} shows {shown!r}"
    pasted = found["% for DLI"].find_parent("tr").find("span", class_="pasted-text")
    assert " ".join(pasted.get_text().split()) == "4", "the landing page's ρR example is not the glued 4%"


def test_the_landing_page_shows_the_recomputed_figure_1(page, site):
    page.goto(site.page_url("chapters/index.html"), wait_until="load")
    figure = page.locator("#fig-landing-figure-1")
    assert figure.count() == 1, "no figure on the landing page"
    image = figure.locator("img")
    image.scroll_into_view_if_needed()
    page.wait_for_function("(img) => img.complete", arg=image.element_handle())
    assert page.evaluate("(img) => img.naturalWidth", image.element_handle()) > 300
    assert len(image.get_attribute("alt") or "") > 30
    caption = " ".join(figure.locator("figcaption").inner_text().split()).replace("’", "'")
    assert "The paper's Figure 1" in caption
    # the figure comes before the long text: within the first screen and a half
    top = page.evaluate("(el) => el.getBoundingClientRect().top + window.scrollY", figure.element_handle())
    assert top < 1.5 * 900, f"the landing figure starts {top:.0f} px down the page"
