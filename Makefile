# Two commands do all the set-up: `make book` and `make test`. Each creates the virtual
# environment .venv on first use (Python 3.11 by default: `make PYTHON=python3 test` to choose
# another interpreter) and reinstalls only when a requirements file changes.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: book test lab clean browser-test binder-check lock

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

lab: $(VENV)/.book-installed
	$(BIN)/jupyter lab book/

clean:
	rm -rf _build $(VENV) .venv-binder

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.book-installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.test-installed: requirements-test.lock $(VENV)/.book-installed
	$(BIN)/python -m pip install --quiet -r requirements-test.lock
	touch $@

# The lock files: every package of the book and test environments, transitive ones included, at
# the version a fresh resolution of requirements.txt and requirements-test.txt picks today. Run
# after changing either file, then build and test before committing the new locks. torch is the
# CPU build (`+cpu`, no CUDA packages): pip finds it through PIP_EXTRA_INDEX_URL (see README).
LOCK_VENV := .venv-lock
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/python -m pip install --quiet -r requirements.txt
	{ echo "# The book environment, every package pinned. Made by \`make lock\` from requirements.txt: do not edit."; \
	  $(LOCK_VENV)/bin/python -m pip freeze --exclude-editable; } > requirements.lock
	$(LOCK_VENV)/bin/python -m pip install --quiet -c requirements.lock -r requirements-test.txt
	{ echo "# The test environment, every package pinned. Made by \`make lock\` from requirements-test.txt: do not edit."; \
	  $(LOCK_VENV)/bin/python -m pip freeze --exclude-editable; } > requirements-test.lock
	rm -rf $(LOCK_VENV)
