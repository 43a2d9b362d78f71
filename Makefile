# Every target creates or refreshes .venv itself: a fresh Debian machine needs only Python,
# Node/npm and apt-get.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-engine-test
LABSTAMP:= $(VENV)/.installed-lab
PYTEST_ARGS ?=

JS_SRC  := $(wildcard js/src/*) js/package.json js/build.mjs
STATIC  := nemo_widgets/static/.built

.PHONY: demo test lab bench bench-quick lint format serve clean js browser screenshots notebooks

$(BIN)/python:
	@$(PY) -m venv $(VENV) 2>/dev/null || { \
	  echo "python3 -m venv failed; installing python3-venv with apt-get"; \
	  apt-get install -y -q python3-venv >/dev/null && $(PY) -m venv $(VENV); }

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	@# opencv-contrib replaced opencv: both own cv2/, so the plain one must go first
	$(BIN)/python -m pip uninstall -q -y opencv-python-headless 2>/dev/null || true
	$(BIN)/python -m pip install -q -e ".[engine,test]"
	@# (had both been installed, the uninstall above took the shared files with it)
	$(BIN)/python -c "import cv2; cv2.xphoto" 2>/dev/null || \
	  $(BIN)/python -m pip install -q --force-reinstall --no-deps opencv-contrib-python-headless
	@touch $@

$(LABSTAMP): $(STAMP)
	$(BIN)/python -m pip install -q -e ".[engine,test,lab]"
	@touch $@

# The anywidget front-end: npm ci, then esbuild bundles js/src into nemo_widgets/static/.
js/node_modules/.installed: js/package.json js/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed to build the widgets' front-end (apt-get install nodejs npm)"; exit 1; }
	cd js && npm install --no-audit --no-fund --loglevel=error  # npm ci trips over this machine's npmrc
	@touch $@

$(STATIC): $(JS_SRC) js/node_modules/.installed
	cd js && npm run --silent build
	@touch $@

js: $(STATIC)

# Debian's Chromium for the browser tests (never `playwright install`: it cannot download here).
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then echo "installing Debian's chromium for the browser tests"; \
	    apt-get install -y -q chromium >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }; \
	  else echo "the browser tests need /usr/bin/chromium: sudo apt-get install chromium"; exit 1; fi; }

## make demo: the main job, headless, on the embedded engine; results land in out/
demo: $(STAMP)
	$(BIN)/python -m nemo_widgets.demo --out out

## make test: lint, then the whole suite; the exit code is the truth
test: $(STAMP) $(STATIC) browser
	$(BIN)/ruff check nemo_widgets tests benchmarks scripts
	cd js && npx vitest run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make lab: JupyterLab with notebooks/ open
lab: $(LABSTAMP) $(STATIC)
	$(BIN)/jupyter lab --notebook-dir=notebooks $$([ "$$(id -u)" = 0 ] && echo --allow-root)

## make bench: every benchmark under benchmarks/, one table
bench: $(STAMP)
	$(BIN)/python -m benchmarks

bench-quick: $(STAMP)
	$(BIN)/python -m benchmarks --quick

## make screenshots: the README's images, made by code (browser test + before/after stills)
screenshots: $(STAMP) $(STATIC) browser
	$(BIN)/python scripts/screenshots.py

notebooks: $(STAMP)
	$(BIN)/python scripts/make_notebooks.py

serve: $(STAMP)
	$(BIN)/nemo-widgets serve

lint: $(STAMP)
	$(BIN)/ruff check nemo_widgets tests benchmarks scripts
	$(BIN)/ruff format --check nemo_widgets tests benchmarks

format: $(STAMP)
	$(BIN)/ruff check --fix nemo_widgets tests benchmarks
	$(BIN)/ruff format nemo_widgets tests benchmarks

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
