"""Running a chapter yourself, as the README says: `.venv/bin/jupyter lab`, started for real,
headless on 127.0.0.1, with the reader's own Jupyter configuration kept out, serves jupytext's
and ipywidgets' extensions, opens a chapter (MyST Markdown) as a notebook, and opens Markdown
in jupytext's notebook view by default (the override `make setup` installs).  Binder runs
postBuild, which installs the same settings: the last test checks that set-up.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import REPO, repository_files

JUPYTER = Path(sys.executable).with_name("jupyter")
LAB_SETTINGS = REPO / ".jupyter" / "labconfig" / "default_setting_overrides.json"
JUPYTEXT_VIEWER = "Jupytext Notebook"
EXTENSIONS = {"jupytext": "jupyterlab-jupytext", "ipywidgets": "@jupyter-widgets/jupyterlab-manager"}
CHAPTER = "chapters/equation1.md"
START_TIMEOUT = 25  # seconds


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Lab:
    url: str
    token: str

    def get(self, path: str) -> tuple[int, bytes]:
        request = urllib.request.Request(self.url + path, headers={"Authorization": f"token {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def json(self, path: str):
        status, body = self.get(path)
        assert status == 200, f"GET {path}: HTTP {status}: {body[:300]!r}"
        return json.loads(body)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """`.venv/bin/jupyter lab` (the README's command), headless on 127.0.0.1."""
    assert JUPYTER.exists(), f"{JUPYTER} is missing: `make setup` did not install Jupyter"
    home = tmp_path_factory.mktemp("jupyter")
    port, token = free_port(), secrets.token_hex(16)
    # the reader's ~/.jupyter must neither help nor hinder: only what .venv brings counts
    folders = {"JUPYTER_CONFIG_DIR": "config", "JUPYTER_DATA_DIR": "data", "JUPYTER_RUNTIME_DIR": "runtime",
               "JUPYTERLAB_WORKSPACES_DIR": "workspaces"}
    env = {**os.environ, **{variable: str(home / folder) for variable, folder in folders.items()}}
    command = [
        str(JUPYTER), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={REPO}",
    ]
    if os.geteuid() == 0:  # CI containers run as root, which Jupyter refuses without this flag
        command.append("--allow-root")
    log = home / "lab.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env, cwd=REPO)
    try:
        server = Lab(f"http://127.0.0.1:{port}", token)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"`jupyter lab` exited with {process.returncode}:\n{log.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                if server.get("/api/status")[0] == 200:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"`jupyter lab` did not answer within {START_TIMEOUT} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.25)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def page_config(lab: Lab) -> dict:
    """The configuration JupyterLab's page hands to the browser (which extensions to load)."""
    status, body = lab.get("/lab")
    assert status == 200, f"/lab: HTTP {status}"
    match = re.search(rb'<script id="jupyter-config-data" type="application/json">(.*?)</script>', body, re.S)
    assert match, "the lab page carries no jupyter-config-data"
    return json.loads(match.group(1))


def test_the_lab_loads_the_jupytext_and_widgets_extensions(lab):
    config = page_config(lab)
    federated = {extension["name"]: extension for extension in config.get("federated_extensions", [])}
    disabled = set(config.get("disabledExtensions", []))
    for package, name in EXTENSIONS.items():
        assert name in federated, f"{package}'s JupyterLab extension {name} is not installed: {sorted(federated)}"
        assert not any(entry == name or entry.startswith(name + ":") for entry in disabled), f"{name} is disabled"
        entry = federated[name]["load"]
        status, _ = lab.get(f"/lab/extensions/{name}/{entry}")
        assert status == 200, f"the code of {name} is not served ({entry}: HTTP {status})"


def test_a_chapter_opens_as_a_notebook_through_the_server(lab):
    model = lab.json(f"/api/contents/{CHAPTER}?type=notebook&content=1")
    assert model["type"] == "notebook" and model["format"] == "json"
    notebook = model["content"]
    assert notebook["nbformat"] == 4
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    markdown = "".join(cell["source"] for cell in notebook["cells"] if cell["cell_type"] == "markdown")
    assert code and any("import cartmodel" in cell["source"] for cell in code), "the chapter's code cells are missing"
    assert "# Equation 1" in markdown
    kernelspecs = lab.json("/api/kernelspecs")["kernelspecs"]
    assert "python3" in kernelspecs, f"no python3 kernel to run the chapter: {sorted(kernelspecs)}"


def test_markdown_opens_in_jupytexts_notebook_view_by_default(lab):
    served = lab.json("/lab/api/settings/@jupyterlab/docmanager-extension:plugin")
    default_viewers = served["schema"]["properties"]["defaultViewers"]["default"]
    assert default_viewers.get("markdown") == JUPYTEXT_VIEWER, (
        f"the lab's default viewers {default_viewers}: .venv lacks {LAB_SETTINGS.relative_to(REPO)} (make setup installs it)"
    )
    # the viewer named is one jupytext's extension registers
    config = page_config(lab)
    jupytext = next(e for e in config["federated_extensions"] if e["name"] == EXTENSIONS["jupytext"])
    root = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / jupytext["name"] / "static"
    assert any(JUPYTEXT_VIEWER in path.read_text(encoding="utf-8", errors="replace") for path in root.glob("*.js")), (
        f"jupytext's extension defines no viewer called {JUPYTEXT_VIEWER!r}"
    )


def test_binder_opens_markdown_chapters_as_notebooks():
    """repo2docker reads environment.yml (no binder/ folder, which would hide it) and runs postBuild."""
    assert not (REPO / "binder").exists() and not (REPO / ".binder").exists(), "binder/ hides the root's files from repo2docker"
    # environment.yml installs cartmodel's book extra (tests/test_environment.py), which brings the notebook stack
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    stack = {re.split(r"[<>=!\s\[]", item)[0] for item in project["dependencies"] + project["optional-dependencies"]["book"]}
    assert {"jupyterlab", "jupytext", "ipywidgets", "ipykernel"} <= stack, f"the book extra lacks the notebook stack: {stack}"
    settings = LAB_SETTINGS.relative_to(REPO)  # what test_markdown_opens_in_jupytexts_notebook_view_by_default checks
    post_build = REPO / "postBuild"
    assert post_build.exists() and os.access(post_build, os.X_OK), "postBuild is missing or not executable"
    script = post_build.read_text(encoding="utf-8")
    assert script.startswith("#!") and str(settings) in script
    assert "${NB_PYTHON_PREFIX}/etc/jupyter/labconfig" in script, "postBuild does not install the settings where JupyterLab reads them"
    assert {"postBuild", str(settings), "environment.yml"} <= set(repository_files())
