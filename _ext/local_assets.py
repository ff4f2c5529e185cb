"""Serve third-party scripts from the site itself instead of from CDNs.

`make setup` installs MathJax, RequireJS and the ipywidgets HTML manager from npm
(``npm ci``, pinned by package-lock.json) into ``node_modules/`` next to
``_config.yml``; that folder is never committed. This extension copies the files
the pages need from there into the built site, under ``_static/vendor/``, before
any page is written. ``_config.yml`` lists the files (``local_assets``) and points
``mathjax_path`` and ``nb_ipywidgets_js`` at the copies.

The copies go to the *built* site's ``_static`` only: the book has no source
``_static`` folder, so Jupyter Book does not add these scripts to every page.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ConfigError
from sphinx.util import logging

logger = logging.getLogger(__name__)


def _files(package: Path, patterns: list[str]) -> list[Path]:
    """Files of an npm package matched by glob patterns, relative to the package."""
    found: set[Path] = set()
    for pattern in patterns:
        matches = [path for path in package.glob(pattern) if path.is_file()]
        if not matches:
            raise ConfigError(f"local_assets: {pattern!r} matches no file in {package}")
        found.update(path.relative_to(package) for path in matches)
    return sorted(found)


def copy_local_assets(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    node_modules = Path(app.confdir) / app.config.local_assets_node_modules
    if not node_modules.is_dir():
        raise ConfigError(
            f"{node_modules} does not exist: run `make setup` (it runs `npm ci`) to install "
            "the scripts the site serves itself (package.json)."
        )
    target_root = Path(app.outdir) / "_static" / "vendor"
    count = 0
    for entry in app.config.local_assets:
        package = node_modules / entry["package"]
        for relative in _files(package, entry["files"]):
            target = target_root / entry["to"] / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(package / relative, target)
            count += 1
    logger.info(f"local_assets: copied {count} files from {node_modules} to {target_root}")


def setup(app: Sphinx) -> dict:
    # A list of {package: folder under node_modules, to: folder under _static/vendor,
    # files: glob patterns relative to the package}.
    app.add_config_value("local_assets", [], "html", types=[list])
    app.add_config_value("local_assets_node_modules", "node_modules", "html", types=[str])
    app.connect("builder-inited", copy_local_assets)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
