# Two commands do all the set-up: `make book` and `make test`. Each creates the virtual
# environment .venv on first use (Python 3.11 by default: `make PYTHON=python3 test` to choose
# another interpreter) and reinstalls only when a requirements file changes.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: book test test-oldest-numpy lab clean browser-test binder-check

book: $(VENV)/.book-installed
	$(BIN)/jupyter-book build . -W -n --keep-going

# The linter, then unit tests, doctests and every notebook under nbval (strict: stored outputs
# must match a fresh execution).
test: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/mypy --strict -p xentbook
	$(BIN)/pyright --pythonpath $(BIN)/python xentbook
	$(BIN)/python -m pytest --nbval

# The unit tests and doctests (not the notebooks) in a small separate environment with the oldest
# NumPy that pyproject.toml declares, so the declared floor is a tested one.
test-oldest-numpy:
	rm -rf .venv-oldest-numpy
	$(PYTHON) -m venv .venv-oldest-numpy
	.venv-oldest-numpy/bin/python -m pip install --quiet -r requirements-oldest-numpy.txt
	.venv-oldest-numpy/bin/python -m pip install --quiet --no-deps -e .
	.venv-oldest-numpy/bin/python -c "import numpy; assert numpy.__version__ == '1.26.4', numpy.__version__"
	.venv-oldest-numpy/bin/python -m pytest -p no:cacheprovider tests xentbook README.md \
		--ignore=tests/test_notebooks.py

# Every built page in headless Chromium (Debian's package `chromium`), network blocked.
browser-test: $(VENV)/.test-installed
	$(BIN)/python -m pytest browser_tests -p no:cacheprovider

# What Binder does: a fresh environment from requirements.txt alone, then every notebook executed.
binder-check:
	rm -rf .venv-binder
	$(PYTHON) -m venv .venv-binder
	.venv-binder/bin/python -m pip install --quiet -r requirements.txt
	mkdir -p _build/binder-check
	.venv-binder/bin/jupyter nbconvert --to notebook --execute --output-dir _build/binder-check book/[0-9][0-9]_*.ipynb

lab: $(VENV)/.book-installed
	$(BIN)/jupyter lab book/

clean:
	rm -rf _build $(VENV) .venv-binder .venv-oldest-numpy

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.book-installed: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements-test.txt $(VENV)/.book-installed
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $@
