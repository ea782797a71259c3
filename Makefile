# s2s: `make help` lists the targets.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
S2S := $(VENV)/bin/s2s
export S2S_DATA_DIR ?= $(CURDIR)/var

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-z][a-z-]*:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# Pins with hashes: requirements/base.txt is what production runs, requirements/dev.txt adds the
# test and lint tools to it (same versions of everything the two share). `make lock` writes both.
PIP := $(PY) -m pip --quiet --disable-pip-version-check
PIN := --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links

$(VENV)/.installed: pyproject.toml setup.py s2s/ctf/_leafscan.c requirements/base.txt requirements/dev.txt package.json package-lock.json
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --require-hashes -r requirements/dev.txt
	$(PIP) install --no-deps -e .
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The translation catalogues, compiled in pure Python (polib): no GNU gettext needed.
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard s2s/locale/*/LC_MESSAGES/django.po))
$(CATALOGUES): %.mo: %.po $(VENV)/.installed
	$(PY) -m s2s.core.catalogue $<

install: $(VENV)/.installed $(CATALOGUES) ## Create .venv, install the pinned Python and front-end packages, compile the catalogues

run: install ## Migrate, load demo data if empty, start the service (with its task worker and scheduler) on http://127.0.0.1:8000
	mkdir -p $(S2S_DATA_DIR)
	$(S2S) migrate --no-input
	$(S2S) demo --if-empty
	@# The task worker and the scheduler run in the background, and stop when runserver stops.
	$(S2S) task_worker & worker=$$!; \
	$(S2S) scheduler & scheduler=$$!; \
	trap 'kill $$worker $$scheduler 2>/dev/null; wait' EXIT; \
	$(S2S) runserver 127.0.0.1:8000

test: install ## Run the whole test suite (SQLite unless DATABASE_URL says otherwise)
	$(VENV)/bin/pytest

messages: install ## Collect the strings marked for translation into s2s/locale/cy (needs GNU gettext's xgettext)
	cd s2s && ../$(S2S) makemessages --locale cy --no-obsolete --add-location file --ignore 'static/*'
	$(MAKE) install

lint: install ## Check the code with ruff
	$(VENV)/bin/ruff check s2s bench

format: install ## Sort imports and fix what ruff can fix
	$(VENV)/bin/ruff check --fix s2s bench

lock: ## Re-pin requirements/base.txt and dev.txt (with hashes) after changing pyproject.toml's dependencies
	rm -rf .lockenv && python3 -m venv .lockenv
	.lockenv/bin/pip install --quiet pip-tools
	.lockenv/bin/pip-compile --quiet $(PIN) -o requirements/base.txt pyproject.toml
	.lockenv/bin/pip-compile --quiet $(PIN) --extra dev -c requirements/base.txt -o requirements/dev.txt pyproject.toml
	rm -rf .lockenv

clean: ## Remove the virtualenv, node_modules and local data
	rm -rf $(VENV) node_modules var

.PHONY: help install messages run test lint format lock clean
