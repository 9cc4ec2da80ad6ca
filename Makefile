# Two commands do all set-up on a fresh machine with python3 and make:
#   make demo   the main job on the bundled sample data
#   make test   every test (installs Chromium through apt when run as root and it is missing)
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
OUT     ?= out
# Keep Jupyter and matplotlib out of $HOME (inside the git-ignored venv instead).
JHOME   := $(CURDIR)/$(VENV)/home
export JUPYTER_CONFIG_DIR  := $(JHOME)/jupyter-config
export JUPYTER_DATA_DIR    := $(JHOME)/jupyter-data
export JUPYTER_RUNTIME_DIR := $(JHOME)/jupyter-runtime
export IPYTHONDIR          := $(JHOME)/ipython
export MPLCONFIGDIR        := $(JHOME)/matplotlib
# No MPLBACKEND here: Jupyter kernels inherit the environment, and a kernel told "Agg" draws no inline plots
# (executed notebooks, nbval and `make lab` would lose their figures). Scripts pick Agg themselves.
unexport MPLBACKEND

.PHONY: demo test bench app lab clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m reinstate.demo --out $(OUT)

test: $(STAMP)
	bash scripts/ensure-chromium
	$(BIN)/python -m pytest -q tests
	$(BIN)/python -m pytest -q --nbval-lax --nbval-current-env notebooks/

# BENCH_ARGS, e.g. "--full" (adds 10M orders) or "--sizes 100k --no-notebooks"; see benchmarks/run.py --help
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

app: $(STAMP)
	bash scripts/serve-app

lab: $(STAMP)
	$(BIN)/jupyter lab --ip=127.0.0.1 --no-browser --allow-root notebooks/

clean:
	rm -rf $(OUT) .pytest_cache
