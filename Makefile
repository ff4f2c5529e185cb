# Two entry points, both self-contained on a fresh machine with Python 3.11+ and Node.js/npm:
#   make book   create .venv, install the pinned stack, build the site into _build/html
#               (the site's scripts come from node_modules, installed by `npm ci`)
#   make test   create .venv, install the pinned stack, run the whole test suite
# Only the set-up step (`make setup`, run by both) uses the network.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup book test linkcheck clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt package.json package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[book,test]"
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . --warningiserror --keep-going
	@echo "The book is in _build/html: open $(CURDIR)/_build/html/index.html"

test: $(STAMP)
	$(BIN)/python -m pytest

# Needs the network: checks every external link of the book (the scheduled workflow runs it).
linkcheck: $(STAMP)
	$(BIN)/jupyter-book build . --builder linkcheck

clean:
	rm -rf _build
