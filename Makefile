# Two commands do all the set-up: `make book` and `make test`. Each creates the virtual
# environment .venv on first use (Python 3.11 by default: `make PYTHON=python3 test` to choose
# another interpreter) and reinstalls only when a requirements file changes.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: book test lab clean browser-test binder-check mutation

book: $(VENV)/.book-installed
	$(BIN)/jupyter-book build . -W -n --keep-going

# The linter, then unit tests, doctests and every notebook under nbval (strict: stored outputs
# must match a fresh execution).
test: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/python -m pytest --nbval

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

# Mutation testing, not part of CI: CPU-heavy (2521 mutants, hours on a busy 2-core machine).
# mutmut changes the loss modules one small fault at a time and checks that a test fails; one
# module after another, at low priority, each mutant running only the tests that call the
# function it changes. The
# score excludes the equivalent mutants listed, with reasons, in tests/mutation_equivalent.toml.
# Survivors: `.venv/bin/mutmut results`; one of them: `.venv/bin/mutmut show NAME`.
MUTATION_MODULES := primitives cross_entropy binary information scale focal regression

mutation: $(VENV)/.mutation-installed
	mkdir -p mutants
	for module in $(MUTATION_MODULES); do \
		XENTBOOK_HYPOTHESIS_PROFILE=mutation OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 nice -n 10 \
			$(BIN)/mutmut run --max-children 1 "xentbook.$$module.*" > mutants/run-$$module.log || exit 1; \
	done
	$(BIN)/python tests/mutation_score.py --min-score 95

lab: $(VENV)/.book-installed
	$(BIN)/jupyter lab book/

clean:
	rm -rf _build $(VENV) .venv-binder mutants

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.book-installed: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements-test.txt $(VENV)/.book-installed
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $@

$(VENV)/.mutation-installed: requirements-mutation.txt $(VENV)/.test-installed
	$(BIN)/python -m pip install --quiet -r requirements-mutation.txt
	touch $@
