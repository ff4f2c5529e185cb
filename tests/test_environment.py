"""Binder and conda readers get the versions of constraints.txt: environment.yml installs every
Python package with pip under ``-c constraints.txt`` (the pins of ``make setup``), and conda
only Python and Node.js.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import REPO

# conda's own packages, which constraints.txt (pip) cannot pin
CONDA_ONLY = {"python", "pip", "nodejs"}
SPEC = re.compile(r"^\s*([A-Za-z0-9_.\-\[\]]+)\s*(?:(==|=|>=|<=|~=|!=|<|>)\s*([^\s#,;]+))?")


def canonical(name: str) -> str:
    """A distribution's name as pip compares it (PEP 503), extras removed."""
    return re.sub(r"[-_.]+", "-", name.split("[")[0]).lower()


def read_constraints(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[canonical(name)] = version.strip()
    return pins


def read_environment(path: Path) -> tuple[list[str], list[str]]:
    """The conda dependencies (strings) and the pip list of an environment.yml."""
    environment = yaml.safe_load(path.read_text(encoding="utf-8"))
    conda = [item for item in environment["dependencies"] if isinstance(item, str)]
    pip = next((item["pip"] for item in environment["dependencies"] if isinstance(item, dict)), [])
    return conda, pip


def version_problems(conda: list[str], pip: list[str], pins: dict[str, str]) -> list[str]:
    """Every way the environment can install a version other than the pinned one."""
    problems = []
    options = [item.split() for item in pip if item.startswith("-")]
    constrained = ["-c", "constraints.txt"] in options
    if not constrained:
        problems.append("the pip list does not read -c constraints.txt")
    for item in conda:
        name, operator, version = SPEC.match(item).groups()
        if canonical(name) in pins:
            problems.append(f"conda installs {name}, which constraints.txt pins for pip ({pins[canonical(name)]}): "
                            "install it with pip under the constraints")
        elif canonical(name) not in CONDA_ONLY:
            problems.append(f"conda installs {name}, which constraints.txt does not pin")
    for item in pip:
        if item.startswith("-"):
            continue
        name, operator, version = SPEC.match(item).groups()
        pinned = pins.get(canonical(name))
        if pinned is None:
            continue
        if operator is None and not constrained:
            problems.append(f"pip installs {name} without a version and without the constraints")
        elif operator is not None and (operator not in ("==", "=") or version != pinned):
            problems.append(f"pip installs {name}{operator}{version}, constraints.txt pins {pinned}")
    return problems


def test_environment_yml_installs_the_pinned_versions_with_their_python():
    pins = read_constraints(REPO / "constraints.txt")
    conda, pip = read_environment(REPO / "environment.yml")
    assert version_problems(conda, pip, pins) == []
    # the pip list installs cartmodel with the book's extra, so every pinned package comes from pip
    assert any(re.fullmatch(r'-e \.\[(.*,)?book(,.*)?\]', item) for item in pip), pip
    # the book's own packages are pinned at all (a package missing from constraints.txt would float)
    for name in ("numpy", "scipy", "matplotlib", "ipywidgets", "jupyter-book", "jupyterlab", "jupytext", "ipykernel",
                 "sphinx-tippy"):
        assert name in pins, name
    # the Python the pins were made and are tested with
    python = next(item for item in conda if canonical(SPEC.match(item).group(1)) == "python")
    assert python == f"python={sys.version_info.major}.{sys.version_info.minor}", (
        f"environment.yml asks for {python}; the pins were made and are tested with Python "
        f"{sys.version_info.major}.{sys.version_info.minor}")


@pytest.mark.parametrize(("conda", "pip", "expected"), [
    (["python=3.11", "numpy"], ["-c constraints.txt", "-e .[book]"], "conda installs numpy"),
    (["python=3.11"], ["-e .[book]", "numpy"], "does not read -c constraints.txt"),
    (["python=3.11"], ["-c constraints.txt", "numpy==1.26.0"], "pip installs numpy==1.26.0"),
    (["python=3.11"], ["-c constraints.txt", "numpy>=2"], "pip installs numpy>=2"),
    (["python=3.11", "graphviz"], ["-c constraints.txt"], "conda installs graphviz"),
])
def test_the_check_finds_an_environment_that_drifts(conda, pip, expected):
    """Negative controls: the check above refuses each way of drifting from the pins."""
    problems = version_problems(conda, pip, {"numpy": "2.4.6"})
    assert any(expected in problem for problem in problems), problems
