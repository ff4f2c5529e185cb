"""The GitHub workflows call what the repository has (make targets, .ci/run) in an order that
works, and CI runs the tests with the network cut.  No build and no browser.
"""

from __future__ import annotations

import os
import re
import shlex
import socket

import pytest
import yaml

from .conftest import REPO


def workflows() -> dict[str, dict]:
    found = {path.name: yaml.safe_load(path.read_text(encoding="utf-8")) for path in (REPO / ".github" / "workflows").glob("*.yml")}
    assert set(found) >= {"book.yml", "scheduled.yml"}
    return found


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def commands(workflow: dict) -> list[list[str]]:
    """Each shell command of the workflow's `run` steps, as words."""
    found = []
    for step in steps(workflow):
        for line in step.get("run", "").splitlines():
            if line.strip():
                found.append(shlex.split(line))
    return found


def make_targets() -> set[str]:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][a-z-]*):", makefile, flags=re.MULTILINE))


@pytest.mark.parametrize("name", ["book.yml", "scheduled.yml"])
def test_workflow_calls_only_make_targets_and_ci_run_that_exist(name):
    workflow = workflows()[name]
    assert workflow["jobs"]
    targets = make_targets()
    for words in commands(workflow):
        if words[0] == "make":
            assert set(words[1:]) <= targets, f"{name}: `{' '.join(words)}` names a target the Makefile lacks"
        if words[:2] == ["bash", ".ci/run"]:
            assert (REPO / ".ci" / "run").exists()
    assert not [step for step in steps(workflow) if "cache" in step.get("uses", "")], f"{name} uses a cache"


def test_book_workflow_tests_as_ci_builds_with_the_readme_command_and_deploys_the_book_and_pdf_to_pages():
    workflow = workflows()["book.yml"]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make book" in readme and "make test" in readme
    runs = commands(workflow)
    assert ["bash", ".ci/run"] in runs, "the workflow does not test the way CI does"
    build = workflow["jobs"]["build"]["steps"]
    order = [step.get("run", "").strip() or step.get("uses", "").split("@")[0] for step in build]
    # built with the README's command, then the PDF put into the site, then the site uploaded
    assert order.index("make book") < order.index("make pdf") < order.index("actions/upload-pages-artifact")
    assert build[order.index("actions/upload-pages-artifact")]["with"]["path"] == "_build/html"
    assert any("deploy-pages" in step.get("uses", "") for step in steps(workflow))


def test_network_is_really_cut():
    """.ci/run runs the suite in a namespace without network: prove that it is."""
    if os.environ.get("CARTMODEL_EXPECT_OFFLINE") != "1":
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the tests offline, through .ci/run")
        pytest.skip("the network is cut only inside .ci/run's namespace (CARTMODEL_EXPECT_OFFLINE=1)")
    with pytest.raises(OSError):
        socket.create_connection(("pypi.org", 443), timeout=5)
