"""Pages that share and index well: a description, Open Graph tags and a Twitter card on every
page, written by sphinxext-opengraph from the page's own text, naming as image the recomputed
Figure 1 that the site serves; the extension holds no way to fetch anything at build time.
(The site's icon is checked at each page's visit, in tests/test_site_browser.py.)
"""

from __future__ import annotations

import ast
import struct
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import yaml
from bs4 import BeautifulSoup

from .conftest import REPO
from .test_book import toc_files

PAGES = toc_files()
CONFIG = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"]
SITE_URL = CONFIG["ogp_site_url"]
IMAGE = CONFIG["ogp_image"]


def tags(page_html: str) -> dict[str, str]:
    metas = BeautifulSoup(page_html, "html.parser").find_all("meta")
    return {key: meta.get("content", "") for meta in metas if (key := meta.get("property") or meta.get("name"))}


def test_every_page_has_a_description_and_link_preview_tags(built_book):
    problems = []
    descriptions = []
    for name in PAGES:
        found = tags((Path(built_book.html) / f"{name}.html").read_text(encoding="utf-8"))
        descriptions.append(found.get("description"))
        for key in ("description", "og:title", "og:description", "og:type", "og:url", "og:image", "og:image:alt",
                    "twitter:card"):
            if not found.get(key, "").strip():
                problems.append(f"{name}: no {key}")
        if len(found.get("description", "")) < 50:
            problems.append(f"{name}: description too short to say what the page is: {found.get('description')!r}")
        # every address in the tags is the site's own (IMAGE is a path)
        expected = {"og:url": urljoin(SITE_URL, f"{name}.html"), "og:image": urljoin(SITE_URL, IMAGE),
                    "og:site_name": CONFIG["ogp_site_name"], "twitter:card": "summary_large_image"}
        problems += [f"{name}: {key} {found.get(key)!r}" for key, value in expected.items() if found.get(key) != value]
    assert problems == [], "\n".join(problems)
    # the descriptions are the pages' own: not one text for all
    assert len(set(descriptions)) == len(descriptions)


def test_the_preview_image_is_the_recomputed_figure_1_served_by_the_site(built_book):
    assert not urlsplit(IMAGE).netloc  # a path of the site: og:image names the site's own host
    image = Path(built_book.html) / IMAGE
    data = image.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1200, 630)
    assert image.stat().st_size > 20_000  # a drawn figure, not an empty canvas


def test_the_opengraph_extension_cannot_fetch_anything():
    """No module of sphinxext-opengraph imports a way to the network (the build also runs offline in CI)."""
    import sphinxext.opengraph

    network = {"urllib.request", "http.client", "requests", "socket", "httpx", "urllib3", "aiohttp"}
    imported = set()
    for path in Path(sphinxext.opengraph.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
    assert imported and not imported & network, imported & network
