# Two set-up commands (see README): `make demo` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test browser lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# torch 2.13.0 first: the local CPU build; any other spelling pulls GBs of CUDA packages.
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
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

test: $(STAMP) browser
	$(BIN)/ruff check kit tests
	$(BIN)/ruff format --check kit tests
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check kit tests

format: $(STAMP)
	$(BIN)/ruff format kit tests
	$(BIN)/ruff check --fix kit tests

clean:
	rm -rf $(VENV) build dist *.egg-info
