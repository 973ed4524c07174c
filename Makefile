# Kehu. The README's two commands: `make demo` (try it) and `make test` (what CI runs).
# Everything else here is a step of those two, or a daily helper. Run `make help` for the list.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
# The PostgreSQL run of the suite (pytest-django creates and drops test_kehu next to it).
PG_URL ?= postgres://postgres@127.0.0.1:5432/kehu
# pytest options: two workers (pytest-xdist; each has its own test database), e.g. PYTEST_ARGS="-n 0" for
# one process, or PYTEST_ARGS="-n 2 -m 'not e2e'" for a quick local run without the browser tests.
PYTEST_ARGS ?= -n 2
export DJANGO_SETTINGS_MODULE := kehu.settings

.PHONY: help demo test setup setup-dev venv venv-dev assets messages system-deps lint fix \
        test-sqlite test-postgres serve dev clean distclean

help:
	@echo "The two commands:"
	@echo "  make demo           set up (Python 3.12+ venv, front-end assets), load demo data into an empty"
	@echo "                      database, then serve on http://$(HOST):$(PORT)/  (HOST=, PORT= to change)"
	@echo "  make test           set up with dev tools, lint, then every test on SQLite and on PostgreSQL"
	@echo "Steps and helpers:"
	@echo "  make setup          venv + assets + translations (what demo needs)"
	@echo "  make setup-dev      setup with dev tools, Chromium and gettext (what test needs)"
	@echo "  make lint           ruff check, ruff format --check, manage.py check, makemigrations --check"
	@echo "  make fix            ruff check --fix and ruff format"
	@echo "  make test-sqlite    pytest on SQLite          make test-postgres   pytest on PostgreSQL (PG_URL=)"
	@echo "  make serve          kehu serve (gunicorn + huey worker) without loading demo data"
	@echo "  make dev            Django's runserver with DEBUG=true"
	@echo "  make clean          remove collected static files and test reports"
	@echo "  make distclean      also remove .venv, node_modules and kehu/static/vendor (keeps var/ data)"

# --- the two commands -----------------------------------------------------------------------------

demo: setup
	@$(BIN)/kehu demo --if-empty
	@$(BIN)/kehu serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

test:
	@rm -rf var/test-reports
	@scripts/step "setup (venv, assets, apt)" $(MAKE) setup-dev
	@scripts/step "lint" $(MAKE) lint
	@scripts/step "tests on SQLite" $(MAKE) test-sqlite
	@scripts/step "tests on PostgreSQL" $(MAKE) test-postgres
	@echo
	@echo "Timings:"
	@cat var/test-reports/timings.txt
	@echo
	@$(BIN)/python scripts/test-summary

# --- setup ---------------------------------------------------------------------------------------

setup: venv assets messages

setup-dev: system-deps venv-dev assets messages

venv: $(VENV)/.kehu-base
venv-dev: $(VENV)/.kehu-dev

$(VENV)/.kehu-base: pyproject.toml
	@scripts/setup-venv $(VENV)
	@touch $@

$(VENV)/.kehu-dev: pyproject.toml
	@scripts/setup-venv $(VENV) dev
	@touch $@ $(VENV)/.kehu-base

assets: node_modules/.package-lock.json
	@$(BIN)/python scripts/copy-assets

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the front-end assets (apt-get install npm)." >&2; exit 1; }
	npm ci --no-audit --no-fund
	@touch $@

# Compiled translations (.mo) are committed, so a machine without gettext's msgfmt still has them.
messages:
	@if ! command -v msgfmt >/dev/null; then \
		echo "msgfmt (gettext) not found: using the committed .mo translation files."; \
	elif [ -d kehu/locale ]; then \
		$(BIN)/python manage.py compilemessages --ignore='.venv' --ignore='node_modules' -v 0; \
		echo "Translations compiled."; \
	fi

system-deps:
	@scripts/system-deps

# --- checks --------------------------------------------------------------------------------------

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run

fix:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# pytest exits 5 when it collected no tests; that must fail, not pass quietly.
define pytest
	@mkdir -p var/test-reports
	@code=0; $(1) $(BIN)/pytest $(PYTEST_ARGS) $(3) --junitxml=var/test-reports/$(2).xml || code=$$?; \
	if [ $$code -eq 5 ]; then echo "pytest collected no tests: failing." >&2; exit 1; fi; exit $$code
endef

# The SQLite run also measures coverage: services and selectors, where the rules live, need 90 %.
test-sqlite:
	$(call pytest,env -u DATABASE_URL COVERAGE_FILE=var/test-reports/.coverage,sqlite,--cov --cov-report=)
	@COVERAGE_FILE=var/test-reports/.coverage $(BIN)/coverage report --include='*/services.py,*/selectors.py' \
		--fail-under=90 --skip-empty

test-postgres:
	@DATABASE_URL=$(PG_URL) $(BIN)/python scripts/ensure-postgres
	$(call pytest,env DATABASE_URL=$(PG_URL) SECRET_KEY=kehu-tests-only-not-a-secret,postgres)

# --- running -------------------------------------------------------------------------------------

serve: setup
	@$(BIN)/kehu serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

dev: setup
	DEBUG=true $(BIN)/kehu runserver $(HOST):$(PORT)

clean:
	rm -rf var/static var/test-reports test-results

distclean: clean
	rm -rf $(VENV) node_modules kehu/static/vendor
