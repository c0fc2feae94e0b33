# Everything runs in a local virtualenv so a fresh machine needs only Python 3.11 and make.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PACKAGES := domain db ingest demo analysis planner jobs stridelift

.PHONY: venv compile test lint demo bench clean

$(BIN)/stridelift: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) on PATH (or: make PYTHON=python3 ...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(MAKE) --no-print-directory compile
	@touch $@

# Bytecode for our own modules, as pip writes it for installed packages: the editable install
# leaves it to the first run, which cannot write it where PYTHONDONTWRITEBYTECODE is set, and
# then every command compiles ~80 modules again (~0.09 s of `stridelift plan`, measured).
compile:
	@$(BIN)/python -m compileall -q -j 0 $(PACKAGES)

venv: $(BIN)/stridelift

lint: venv
	$(BIN)/ruff check $(PACKAGES) tests bench
	$(BIN)/mypy $(PACKAGES) tests
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest -n 2 -q

demo: venv
	$(BIN)/stridelift demo

bench: venv compile
	$(BIN)/python bench/import_fit.py
	$(BIN)/python bench/analysis.py
	$(BIN)/python bench/season.py
	$(BIN)/python bench/nightly.py
	$(BIN)/python bench/cli.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
