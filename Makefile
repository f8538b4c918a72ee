# Two commands do everything on a fresh machine:
#   make run   - create .venv if missing, install the project, run the baseline scenario
#   make test  - the same set-up with the dev extras, then the whole test suite
PYTHON ?= $(shell command -v python3.12 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test bench lint format clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "werklandschap needs Python >= 3.12, found " + sys.version.split()[0] + " at " + sys.executable + "; set PYTHON=/path/to/python3.12")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/werklandschap run baseline --replications 20

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

bench: $(VENV)/.installed
	$(BIN)/werklandschap bench

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
