# Two entry points, both self-contained on a fresh machine with Python 3.11+ and Node.js/npm:
#   make book   create .venv, install the pinned stack, build the site into _build/html
#               (the site's scripts come from node_modules, installed by `npm ci`)
#   make test   create .venv, install the pinned stack, run the whole test suite
#   make pdf    print the whole book to _build/pdf/cartmodel-companion.pdf (offline, no TeX:
#               a single-page build printed by /usr/bin/chromium; tools/make_pdf.py), and
#               copy it into _build/html, where the landing page links it
#   make check  the fast lane while working: linters, doctests and every test that
#               neither builds the book nor starts a browser (well under a minute)
# Only the set-up step (`make setup`, run by both) uses the network.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup book test check lint pdf linkcheck clean

setup: $(STAMP)

# JupyterLab in .venv opens the .md chapters as notebooks (jupytext's viewer), as Binder
# does through postBuild: the same settings file in the environment's config directory.
LAB_SETTINGS := .jupyter/labconfig/default_setting_overrides.json

$(STAMP): pyproject.toml constraints.txt package.json package-lock.json $(LAB_SETTINGS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[book,test]"
	mkdir -p $(VENV)/etc/jupyter/labconfig
	cp $(LAB_SETTINGS) $(VENV)/etc/jupyter/labconfig/
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . --warningiserror --keep-going
	@echo "The book is in _build/html: open $(CURDIR)/_build/html/index.html"

# The tests run in one process per CPU (pytest-xdist, at most 4), a test file (or class) to a
# process; the first process to need the book builds it for all (tests/conftest.py).
PARALLEL := -n auto --maxprocesses 4 --dist loadscope

test: $(STAMP)
	$(BIN)/python -m pytest $(PARALLEL)

pdf: $(STAMP)
	$(BIN)/python tools/make_pdf.py

# ruff (lint, import order) and mypy, with the settings in pyproject.toml; the test
# suite runs them too (tests/test_lint.py), and so does .pre-commit-config.yaml.
LINTED := cartmodel tests benchmarks _ext
lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/mypy cartmodel

# The fast lane: the tests without the `book` and `browser` markers, the linters
# (tests/test_lint.py) and the doctests of cartmodel included, with a tenth of each
# property test's examples.
check: $(STAMP)
	CARTMODEL_HYPOTHESIS_PROFILE=fast $(BIN)/python -m pytest -q $(PARALLEL) -m "not book and not browser"

# Needs the network: checks every external link of the book (the scheduled workflow runs it).
linkcheck: $(STAMP)
	$(BIN)/jupyter-book build . --builder linkcheck

clean:
	rm -rf _build
