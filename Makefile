# briefing: `make help` lists every target.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BRIEFING := $(VENV)/bin/briefing
STAMP := $(VENV)/.installed
LAB_VENV := .venv-lab
LAB_STAMP := $(LAB_VENV)/.installed
PIP_FLAGS := --quiet --disable-pip-version-check

# AS_OF, when not given: the newest publication date among the sources, read by the same
# code as render's default (`briefing dates --newest`) and kept in $(AS_OF_MK). GNU make
# remakes an included makefile before any goal, then reads it again: so a fresh clone builds
# .venv first, a source `briefing dates` rejects stops make with its messages, and with
# nothing changed no Python starts. Only the goals that use the date include it, so
# `make help` builds nothing; under -n make still remakes it (and .venv, if out of date).
AS_OF ?=
AS_OF_MK := reports/.as-of.mk
DATED_GOALS := briefing verify check-outputs reports/%
ifeq ($(AS_OF),)
ifneq ($(filter $(DATED_GOALS),$(MAKECMDGOALS)),)
include $(AS_OF_MK)
endif
endif
# Everything a briefing is built from: a briefing is rebuilt only when one of these changes.
INPUTS := $(shell find data notebooks src/briefing -type f -not -path '*/__pycache__/*' \
	-not -path '*/.ipynb_checkpoints/*') requirements.lock pyproject.toml
REPORT := reports/$(AS_OF)/manifest.json

.PHONY: help venv briefing briefings preview validate verify bench check-outputs test lint lab lock clean signer

help: ## list every target with one line
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-12s %s\n", $$1, $$2}'

# tools/venv.sh builds a venv under a lock (VENV/.lock), so two makes at once wait for each
# other, and the second finds it up to date.
$(STAMP): pyproject.toml requirements.lock tools/system-deps.sh
	@PIP_FLAGS="$(PIP_FLAGS)" bash tools/venv.sh $(PYTHON) $(VENV) requirements.lock $^

venv: $(STAMP) ## create or update .venv from requirements.lock

# what `briefing dates --newest` reads: the sources (their folder too, for a source removed),
# the package's code, .venv; `override` so that an empty AS_OF= also means the default
DATES_INPUTS := data/sources $(wildcard data/sources/*.md) $(filter src/briefing/%.py,$(INPUTS))
$(AS_OF_MK): $(STAMP) $(DATES_INPUTS)
	@mkdir -p $(@D)
	@newest=$$($(BRIEFING) dates --newest) && echo "override AS_OF := $$newest" > $@.$$$$ && \
		mv -f $@.$$$$ $@

validate: $(STAMP) ## check codebooks, sources and claims; list every problem
	$(BRIEFING) validate

briefing: $(REPORT) ## render reports/<date>/briefing-<date>.{html,pdf,ipynb} (AS_OF=YYYY-MM-DD, default newest)

# render validates the data first, in the same process, and never starts the notebook on
# invalid data (a separate `briefing validate` would only load and check everything twice).
# With BRIEFING_SIGNER set (see `make signer`), render signs the PDF. reports/.signer holds
# the identity the last render was asked to sign with (path, time, size; empty: none), and
# is rewritten only when that changes: setting, changing or unsetting BRIEFING_SIGNER
# renders again, and with nothing changed make still does nothing.
SIGNER_STAMP := reports/.signer
ifneq ($(filter $(DATED_GOALS),$(MAKECMDGOALS)),)
SIGNER_ID := $(if $(BRIEFING_SIGNER),$(BRIEFING_SIGNER) $(shell stat -c '%Y %s' -- '$(BRIEFING_SIGNER)' 2>/dev/null))
ifneq ($(SIGNER_ID),$(file < $(SIGNER_STAMP)))
$(shell mkdir -p $(dir $(SIGNER_STAMP)) && printf '%s' '$(SIGNER_ID)' > $(SIGNER_STAMP))
endif
endif
$(REPORT): $(STAMP) $(INPUTS) $(wildcard $(SIGNER_STAMP))
	$(BRIEFING) render --as-of $(AS_OF)

verify: $(STAMP) ## re-render the AS_OF briefing, compare it with its manifest, check its signature (TRUST=PEM…)
	$(BRIEFING) verify $(REPORT)$(foreach pem,$(TRUST), --trust $(pem))

briefings: validate ## render one briefing per source date in parallel, and reports/index.html
	$(BRIEFING) series

preview: $(STAMP) ## serve the briefing on http://127.0.0.1:8765/, re-rendered on every save (AS_OF=…)
	$(BRIEFING) preview $(if $(AS_OF),--as-of $(AS_OF))

SIGNER_DIR := .signer
signer: $(STAMP) ## create a self-signed signing identity in .signer/ (git-ignored), for local use and tests
	@if [ -f $(SIGNER_DIR)/signer.p12 ]; then \
		echo "$(SIGNER_DIR)/signer.p12 exists (remove it to make a new one)"; \
	else $(BRIEFING) signer $(SIGNER_DIR); fi

bench: $(STAMP) $(LAB_STAMP) ## benchmark ours vs the usual pipeline vs the floor, scale and series: bench/results.md
	$(PY) bench/run.py --out bench/results.md

CHECKERS := tools/checkers/node_modules/.installed
$(CHECKERS): tools/checkers/package.json tools/checkers/package-lock.json tools/install-checkers.sh
	bash tools/install-checkers.sh
	@touch $@

check-outputs: $(REPORT) $(CHECKERS) ## validate the AS_OF briefing: vnu, axe-core, qpdf, pdffonts, tags, bookmarks
	$(PY) tools/check_outputs.py reports/$(AS_OF)

test: $(STAMP) lint ## run lint, check-outputs, then the test suite (real renders)
	$(MAKE) --no-print-directory check-outputs
	$(PY) -m pytest

lint: $(STAMP) ## ruff on the package, tests, bench and notebooks; notebooks clean and paired
	$(VENV)/bin/ruff check src tests bench tools notebooks
	$(VENV)/bin/ruff format --check src tests
	$(PY) tools/check_notebooks.py notebooks

$(LAB_STAMP): pyproject.toml requirements.lock requirements-lab.lock
	@PIP_FLAGS="$(PIP_FLAGS)" bash tools/venv.sh $(PYTHON) $(LAB_VENV) requirements-lab.lock $^

lab: $(LAB_STAMP) ## open JupyterLab on notebooks/ (separate .venv-lab, same package)
	cd notebooks && ../$(LAB_VENV)/bin/jupyter lab $(LAB_ARGS) $$([ "$$(id -u)" = 0 ] && echo --allow-root)

lock: ## re-resolve pyproject.toml's ranges into requirements.lock and requirements-lab.lock
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install $(PIP_FLAGS) -U setuptools
	.venv-lock/bin/python -m pip install $(PIP_FLAGS) -e '.[test]'
	{ echo "# Exact versions that make installs into .venv (runtime + tests)."; \
	  echo "# Regenerate: make lock (resolves pyproject.toml's ranges in a scratch venv)."; \
	  .venv-lock/bin/python -m pip freeze --all --exclude-editable | grep -v -i -E '^(pip|wheel)=='; \
	} > requirements.lock
	.venv-lock/bin/python -m pip install $(PIP_FLAGS) jupyterlab -c requirements.lock
	{ echo "# Exact versions for make lab's .venv-lab: requirements.lock plus JupyterLab."; \
	  .venv-lock/bin/python -m pip freeze --all --exclude-editable | grep -v -i -E '^(pip|wheel)=='; \
	} > requirements-lab.lock
	rm -rf .venv-lock

clean: ## remove rendered reports and caches (keeps .venv)
	find reports -mindepth 1 -not -name README.md -delete
	rm -rf .pytest_cache .ruff_cache .cache
