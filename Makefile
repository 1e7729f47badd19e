# Two set-up commands (see README): `make demo` and `make test`. Both install everything:
# the core, the maze laboratory (`.[maze]`: torch, procgen) and the test tools (`.[dev]`).
# `make test-fast` runs the tests not marked slow (no kernels, environments, training,
# browser or installs).
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast browser lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# torch 2.13.0 first: the local CPU build; any other spelling pulls GBs of CUDA packages.
# The `maze` extra's torch range is then already satisfied, so pip pulls no other torch.
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[maze,dev]'
	touch $(STAMP)

# The whole loop on the shipped maze example (the four maze experiments on all cores with
# the shipped policy, notebooks/maze_policy.pt; retraining it is `kit run maze_train_policy`).
demo: $(STAMP)
	$(BIN)/kit check
	$(BIN)/kit seal
	$(BIN)/kit run all
	$(BIN)/kit resolve
	$(BIN)/kit status
	$(BIN)/kit report

# Browser tests use Debian's chromium; without root or apt they skip and say why.
browser:
	@command -v chromium >/dev/null 2>&1 || (command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] \
	  && (apt-get install -y -q chromium >/dev/null 2>&1 || (apt-get update -q >/dev/null 2>&1 \
	  && apt-get install -y -q chromium >/dev/null 2>&1))) \
	  || echo "chromium could not be installed: browser tests will be skipped"

# Lint and format checks cover the notebooks too (ruff reads .ipynb). If pytest collects
# no tests (exit code 5) the target fails and says so: an empty run is never a pass.
# KIT_TEST_ALL=1: tests/maze is collected or pytest fails (never left out because the
# maze laboratory's libraries are missing; see tests/conftest.py).
LINTED := kit tests notebooks
PYTEST := KIT_TEST_ALL=1 $(BIN)/pytest

test: $(STAMP) browser
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(PYTEST); rc=$$?; [ $$rc != 5 ] || echo "make test: pytest collected no tests" >&2; exit $$rc

# The fast lane: every test not marked slow (about a minute on 2 cores).
test-fast: $(STAMP)
	$(PYTEST) -m "not slow"; rc=$$?; [ $$rc != 5 ] || echo "make test-fast: pytest collected no tests" >&2; exit $$rc

lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

format: $(STAMP)
	$(BIN)/ruff format $(LINTED)
	$(BIN)/ruff check --fix $(LINTED)

clean:
	rm -rf $(VENV) build dist *.egg-info
