# Two commands do everything on a fresh machine:
#   make run        - create .venv if missing, install the project with every extra the README's
#                     commands use (dashboard, EMA Workbench, Dask, notebooks), run the baseline
#   make test       - the same set-up plus the dev tools, Debian's chromium for the browser tests
#                     (.ci/install-chromium, needs root or sudo), then the whole suite (the CI gate)
#   make test-fast  - the suite without browser, notebook, docking and slow end-to-end tests
#                     (the edit loop, under 2 minutes)
PYTHON  ?= $(shell command -v python3.12 2>/dev/null || command -v python3)
VENV    := .venv
BIN     := $(VENV)/bin
# pip is quiet by default; `make run PIP_FLAGS=` shows everything it does.
PIP_FLAGS ?= --quiet
PIP     := $(BIN)/python -m pip install $(PIP_FLAGS)
# What `make run` installs: the extras behind `dashboard`, `experiment discovery.yaml`,
# `--scheduler` and the notebooks.
EXTRAS  := viz,ema,dask,notebooks
# pytest-xdist workers; modules whose tests share state stay on one worker (tests/conftest.py).
TEST_WORKERS ?= 2
PYTEST  := $(BIN)/python -m pytest -n $(TEST_WORKERS)

.PHONY: run test test-fast chromium bench lint format clean warm

# Compile the model core once (numba, cached on disk) before test workers start, so two xdist
# workers do not each compile it; a no-op when the cache is warm.
warm:
	@$(BIN)/python -c "from werklandschap.model import compiled; compiled.warm_up()"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "werklandschap needs Python >= 3.12, found " + sys.version.split()[0] + " at " + sys.executable + "; set PYTHON=/path/to/python3.12")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) -e ".[$(EXTRAS)]"
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(PIP) -e ".[dev]"
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/werklandschap run baseline --replications 40 --per-draw 2 --overwrite

test: $(VENV)/.installed-dev chromium warm
	$(PYTEST)

test-fast: $(VENV)/.installed-dev warm
	$(PYTEST) -m "not slow"

# Debian's chromium at /usr/bin/chromium for the dashboard's browser tests (never a download).
chromium:
	@.ci/install-chromium

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
