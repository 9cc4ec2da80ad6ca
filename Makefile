# Two commands do all set-up on a fresh machine with python3 and make:
#   make demo   the main job on the bundled sample data
#   make test   every test (installs Chromium through apt when run as root and it is missing)
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
OUT     ?= out
# Keep Jupyter and matplotlib out of $HOME.
export JUPYTER_CONFIG_DIR  := $(CURDIR)/$(OUT)/.jupyter/config
export JUPYTER_DATA_DIR    := $(CURDIR)/$(OUT)/.jupyter/data
export JUPYTER_RUNTIME_DIR := $(CURDIR)/$(OUT)/.jupyter/runtime
export IPYTHONDIR          := $(CURDIR)/$(OUT)/.jupyter/ipython
export MPLCONFIGDIR        := $(CURDIR)/$(OUT)/.jupyter/matplotlib
export MPLBACKEND          := Agg

.PHONY: demo test bench app lab clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m reinstate.demo --out $(OUT)

test: $(STAMP)
	bash scripts/ensure-chromium
	$(BIN)/python -m pytest -q tests

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(OUT) .pytest_cache
