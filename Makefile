# Every target creates or refreshes .venv itself: a fresh Debian machine needs only Python,
# Node/npm and apt-get.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-engine-test
LABSTAMP:= $(VENV)/.installed-lab
PYTEST_ARGS ?=

.PHONY: demo test lab bench bench-quick lint format serve clean

$(BIN)/python:
	@$(PY) -m venv $(VENV) 2>/dev/null || { \
	  echo "python3 -m venv failed; installing python3-venv with apt-get"; \
	  apt-get install -y -q python3-venv >/dev/null && $(PY) -m venv $(VENV); }

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[engine,test]"
	@touch $@

$(LABSTAMP): $(STAMP)
	$(BIN)/python -m pip install -q -e ".[engine,test,lab]"
	@touch $@

## make demo: the main job, headless, on the embedded engine; results land in out/
demo: $(STAMP)
	$(BIN)/python -m nemo_widgets.demo --out out

## make test: lint, then the whole suite; the exit code is the truth
test: $(STAMP)
	$(BIN)/ruff check nemo_widgets tests benchmarks
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make lab: JupyterLab with notebooks/ open
lab: $(LABSTAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks

## make bench: every benchmark under benchmarks/, one table
bench: $(STAMP)
	$(BIN)/python -m benchmarks

bench-quick: $(STAMP)
	$(BIN)/python -m benchmarks --quick

serve: $(STAMP)
	$(BIN)/nemo-widgets serve

lint: $(STAMP)
	$(BIN)/ruff check nemo_widgets tests benchmarks
	$(BIN)/ruff format --check nemo_widgets tests benchmarks

format: $(STAMP)
	$(BIN)/ruff check --fix nemo_widgets tests benchmarks
	$(BIN)/ruff format nemo_widgets tests benchmarks

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
