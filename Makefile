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
# Every dependency pinned with its hashes, for Python 3.12 and 3.13 (markers pick the
# right Brian2): `make lock` regenerates it from pyproject.toml (see README).
LOCK := requirements/allonet.lock

.PHONY: run test test-integration test-slow test-all lint bench bench-review bench-validity clean venv lock docs docs-serve lock-docs parameters-page

venv: $(STAMP)

$(STAMP): pyproject.toml $(LOCK)
	@if [ -z "$(PYTHON)" ]; then \
	  echo "error: no Python >= 3.12 found (tried: $(CANDIDATES))." >&2; \
	  echo "Brian2 >= 2.10 needs Python >= 3.12. Install one (e.g. 'pyenv install 3.12') or pass PYTHON=/path/to/python3.12." >&2; \
	  exit 1; fi
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { \
	  echo "error: PYTHON=$(PYTHON) is older than 3.12; Brian2 >= 2.10 needs Python >= 3.12." >&2; exit 1; }
	@echo "creating $(VENV) with $(PYTHON) ($$($(PYTHON) --version))"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	@touch $(STAMP)

lock:  ## re-resolve the dependencies into $(LOCK): keeps current pins, UPGRADE=1 takes newest
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q uv
	@grep -v '^#' $(LOCK) > $(LOCK).new  # uv prefers the versions already in its output file
	$(BIN)/uv pip compile pyproject.toml requirements/build.in --all-extras --universal \
	  --python-version 3.12 --generate-hashes --no-header $(if $(UPGRADE),--upgrade,) \
	  -o $(LOCK).new
	@{ echo "# allonet's locked dependencies, with hashes; written by 'make lock' (uv pip compile"; \
	   echo "# --universal --generate-hashes) from pyproject.toml and requirements/build.in."; \
	   echo "# 'make run', 'make test' and CI install exactly these: edit pyproject.toml, then"; \
	   echo "# 'make lock', then commit this file."; cat $(LOCK).new; } > $(LOCK)
	@rm -f $(LOCK).new
	@echo "wrote $(LOCK); reinstall with 'make clean venv'"

# The documentation site (mkdocs, material theme, mkdocstrings) in its own environment, so
# that allonet's install stays light; mkdocstrings reads the docstrings without importing.
DOCS_VENV ?= .venv-docs
DOCS_LOCK := requirements/docs.lock
DOCS_STAMP := $(DOCS_VENV)/.installed

$(DOCS_STAMP): $(DOCS_LOCK)
	@test -n "$(PYTHON)" || { echo "error: no Python >= 3.12 found (tried: $(CANDIDATES))." >&2; exit 1; }
	$(PYTHON) -m venv $(DOCS_VENV)
	$(DOCS_VENV)/bin/python -m pip install -q --require-hashes --no-deps -r $(DOCS_LOCK)
	@touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)  ## build the manual (docs/) as a site into site/, warnings are errors
	NO_MKDOCS_2_WARNING=1 $(DOCS_VENV)/bin/mkdocs build --strict

docs-serve: $(DOCS_STAMP)  ## serve the manual at http://127.0.0.1:8000 while editing
	NO_MKDOCS_2_WARNING=1 $(DOCS_VENV)/bin/mkdocs serve

lock-docs:  ## re-resolve the site's tools into $(DOCS_LOCK)
	@test -x $(DOCS_VENV)/bin/python || $(PYTHON) -m venv $(DOCS_VENV)
	$(DOCS_VENV)/bin/python -m pip install -q uv
	$(DOCS_VENV)/bin/uv pip compile requirements/docs.in --universal --python-version 3.12 \
	  --generate-hashes --no-header -o $(DOCS_LOCK).new
	@{ echo "# The documentation site's locked tools, with hashes; written by 'make lock-docs' (uv pip"; \
	   echo "# compile --universal --generate-hashes) from requirements/docs.in. 'make docs' installs"; \
	   echo "# exactly these into .venv-docs."; cat $(DOCS_LOCK).new; } > $(DOCS_LOCK)
	@rm -f $(DOCS_LOCK).new

run: $(STAMP)  ## the default simulation (full network, one probe) -> outputs/runs/...
	$(BIN)/allonet $(ARGS)

test: $(STAMP)  ## the fast tier: pure functions, config errors in-process (~2 min on 2 cores)
	$(BIN)/python -m pytest -m "not slow and not integration" -n auto $(ARGS)

test-integration: $(STAMP)  ## real commands, compiled networks, long runs (~30 min on 2 cores)
	$(BIN)/python -m pytest -m "integration and not slow" $(ARGS)

test-slow: $(STAMP)  ## only the checks marked slow
	$(BIN)/python -m pytest -m slow $(ARGS)

test-all: $(STAMP)  ## everything, including slow checks
	$(BIN)/python -m pytest $(ARGS)

parameters-page: $(STAMP)  ## docs/parameters.md from the schemas' declarations
	$(BIN)/python -m sims.configuration.parameters > docs/parameters.md

lint: $(STAMP)  ## ruff, and the layer contract of pyproject.toml (import-linter)
	$(BIN)/ruff check sims analysis tests bench hydra_plugins
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python bench/run.py

bench-review: $(STAMP)  ## the model review's numbers (docs/changelog.md "Model review"), ~6 min
	$(BIN)/python bench/model_review.py

bench-validity: $(STAMP)  ## the model-validity review's numbers (docs/changelog.md "Model validity"), ~3 min
	$(BIN)/python bench/model_validity.py

clean:
	rm -rf $(VENV) $(DOCS_VENV) site .pytest_cache
