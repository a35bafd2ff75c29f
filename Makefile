# Immune Balance: the two commands of the README are `make lab` and `make test`.
# Everything else here is a helper for contributors and teachers.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
JUPYTER_PORT ?= 8888
# Jupyter refuses to run as root unless told; containers and CI machines often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
# Scratch space for tests, so they never write to ~/.jupyter, ~/.ipython or ~/.cache.
TEST_HOME := $(CURDIR)/build/test-home
PYTEST_ARGS ?=
# make test runs on two pytest-xdist workers (tests/conftest.py groups the tests); TEST_WORKERS=0
# runs it in one process. Two became the default on 4 December 2026, once three runs in a row beside
# stress-ng had passed with them (docs/performance.md, "Under load"): 6.4-7.0 minutes of tests, not 10.4.
TEST_WORKERS ?= 2

export MPLBACKEND := Agg
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help setup dev lab test test-unit test-notebooks bench test-under-load slides html student answer-key clean-notebooks lock clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

setup: $(STAMP) ## Create .venv and install the pinned dependencies (only when the pins change)

# The stamp is newer than the pins once they are installed, so a second run does nothing.
$(STAMP): requirements.lock pyproject.toml tools/setup_env.sh tools/lab-overrides.json
	@bash tools/setup_env.sh "$(PYTHON)" "$(VENV)"
	@touch $(STAMP)

dev: $(STAMP) ## Set up, then install the git pre-commit hook that strips notebook outputs (nbstripout)
	$(BIN)/pre-commit install

lab: $(STAMP) ## Set up, then open the series in JupyterLab on 127.0.0.1 (port 8888 or $$JUPYTER_PORT)
	$(BIN)/jupyter lab notebooks/00-start-here.ipynb \
		--ServerApp.ip=127.0.0.1 --ServerApp.port=$(JUPYTER_PORT) --ServerApp.port_retries=0 \
		--ServerApp.root_dir="$(CURDIR)" $(ROOT_FLAG) $(LAB_ARGS)

# The wall time goes to build/bench-suite.json for `make bench`; the exit status stays pytest's.
# Every notebook runs under nbval once, offline, in tests/test_offline.py (so `notebooks` is not
# collected a second time here).
test: export SUITE_PYTEST_ARGS := $(PYTEST_ARGS)
test: $(STAMP) ## Set up, then run every test: unit, browser and build tests, every notebook under nbval
	@mkdir -p $(TEST_HOME)
	@started=$$(date +%s); \
	set -x; IPYTHONDIR=$(TEST_HOME)/ipython JUPYTER_CONFIG_DIR=$(TEST_HOME)/jupyter-config \
	JUPYTER_RUNTIME_DIR=$(TEST_HOME)/jupyter-runtime MPLCONFIGDIR=$(TEST_HOME)/matplotlib \
	IMMUNE_BALANCE_PROGRESS_DIR=$(TEST_HOME)/progress \
		$(BIN)/python -m pytest tests -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder \
		-p no:cacheprovider $(PYTEST_ARGS); \
	{ status=$$?; set +x; } 2>/dev/null; \
	SUITE_SECONDS=$$(( $$(date +%s) - started )) SUITE_STATUS=$$status $(BIN)/python -c \
		'import json, os, datetime as d; print(json.dumps({"seconds": int(os.environ["SUITE_SECONDS"]), "exit_status": int(os.environ["SUITE_STATUS"]), "finished_utc": d.datetime.now(d.timezone.utc).isoformat(timespec="seconds"), "pytest_args": os.environ.get("SUITE_PYTEST_ARGS", ""), "under_load": os.environ.get("UNDER_LOAD") == "1"}))' \
		> build/bench-suite.json || true; \
	exit $$status

test-unit: $(STAMP) ## Only the unit tests (fast)
	$(BIN)/python -m pytest tests -p no:cacheprovider $(PYTEST_ARGS)

test-notebooks: $(STAMP) ## Only the notebooks, under nbval
	$(BIN)/python -m pytest notebooks --nbval-lax --nbval-cell-timeout=120 -p no:cacheprovider $(PYTEST_ARGS)

bench: $(STAMP) ## Measure redraw and kernel memory, write build/bench.json, print the goals beside the figures
	$(BIN)/python tools/kernel_footprint.py --json build/kernel-footprint.json
	$(BIN)/python tools/bench.py --kernel build/kernel-footprint.json --out build/bench.json

# Fails if any run fails; the load stops whatever happens. Without stress-ng it says how to install it
# and loads one core with a Python busy loop. PYTEST_ARGS reaches every run: a quick check of the
# mechanics is `make test-under-load PYTEST_ARGS='-k test_data.py'` (the whole target takes hours here).
test-under-load: $(STAMP) ## Run the whole `make test` three times in a row beside a CPU-bound process (stress-ng)
	@MAKE="$(MAKE)" bash tools/test_under_load.sh "$(BIN)/python" 3

slides: $(STAMP) ## Execute every notebook and write offline reveal.js decks to build/slides/
	$(BIN)/python tools/build_site.py slides

html: $(STAMP) ## Build the offline Sphinx site (search, glossary, references) in build/html/; execution cached
	$(BIN)/python tools/build_site.py html

student: $(STAMP) ## Write the student copy of the series (exercise solutions removed) to build/student/
	$(BIN)/python tools/make_student.py

summaries: $(STAMP) ## Write the printable one-page summaries for families to build/summaries/ (offline HTML)
	$(BIN)/python tools/family_summaries.py

answer-key: $(STAMP) ## Regenerate docs/answer-key.md and docs/speaker-notes.md from the quizzes, solutions and speaker notes
	$(BIN)/python tools/answer_key.py
	$(BIN)/python tools/speaker_notes.py

clean-notebooks: $(STAMP) ## Strip outputs, execution counts and saved widget state from every notebook
	$(BIN)/python tools/clean_notebooks.py notebooks

# pip-compile with hashes; LOCK_ARGS=--upgrade (or --upgrade-package NAME) moves versions on.
COMPILE = build/lock-venv/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links
LOCK_ARGS ?=

lock: ## Refresh requirements.lock, requirements-runtime.lock and environment.yml (needs network; review the diff)
	$(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/pip install --quiet pip-tools
	$(COMPILE) $(LOCK_ARGS) --extra test --extra site --output-file requirements.lock \
		pyproject.toml tools/build-requirements.in
	@# The learner's set: runtime dependencies only, held to the versions and hashes above.
	$(COMPILE) --constraint requirements.lock --output-file requirements-runtime.lock \
		pyproject.toml tools/build-requirements.in
	$(PYTHON) tools/sync_environment.py
	$(PYTHON) tools/sync_environment.py --check

clean: ## Remove build output (keeps .venv)
	rm -rf build
