# allonet: `make run` and `make test` do all set-up on a fresh machine.
# Brian2 >= 2.10 needs Python >= 3.12; the machine's default python3 may be older, so the
# first suitable interpreter is picked: PATH (python3.13, python3.12), then pyenv's
# installed versions, then python3. Override with `make run PYTHON=/path/to/python3.12`.
SHELL := /bin/bash
VENV ?= .venv
PYENV_ROOT_DIR := $(shell pyenv root 2>/dev/null)
CANDIDATES := python3.13 python3.12 $(wildcard $(PYENV_ROOT_DIR)/versions/3.13*/bin/python3) \
              $(wildcard $(PYENV_ROOT_DIR)/versions/3.12*/bin/python3) python3
PYTHON ?= $(shell for p in $(CANDIDATES); do \
            $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo $$p; break; }; \
          done)
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=

.PHONY: run test test-slow test-all lint bench clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
	  echo "error: no Python >= 3.12 found (tried: $(CANDIDATES))." >&2; \
	  echo "Brian2 >= 2.10 needs Python >= 3.12. Install one (e.g. 'pyenv install 3.12') or pass PYTHON=/path/to/python3.12." >&2; \
	  exit 1; fi
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { \
	  echo "error: PYTHON=$(PYTHON) is older than 3.12; Brian2 >= 2.10 needs Python >= 3.12." >&2; exit 1; }
	@echo "creating $(VENV) with $(PYTHON) ($$($(PYTHON) --version))"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,analysis]'
	@touch $(STAMP)

run: $(STAMP)  ## the default simulation (full network, one probe) -> outputs/runs/...
	$(BIN)/allonet $(ARGS)

test: $(STAMP)  ## fast suite (slow checks excluded)
	$(BIN)/python -m pytest -m "not slow" $(ARGS)

test-slow: $(STAMP)  ## only the checks marked slow
	$(BIN)/python -m pytest -m slow $(ARGS)

test-all: $(STAMP)  ## everything, including slow checks
	$(BIN)/python -m pytest $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check sims analysis tests bench hydra_plugins

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache
