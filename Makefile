# hocvuso — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= auto

.PHONY: run setup test lint types pytest pytest-sqlite pytest-postgres browser speech pooler js bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

## make run: set everything up (venv, migrations, units, demo commune, accounts) and serve.
setup: $(VENV)/.installed speech
	$(BIN)/hocvuso demo

run: setup
	@echo "hocvuso is serving on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@$(BIN)/hocvuso db_worker --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/hocvuso runserver --noreload $(HOST):$(PORT)

## make test: lint, types and the whole test suite on SQLite (and PostgreSQL when
## HOCVUSO_TEST_DATABASE_URL is set).
test: $(VENV)/.installed-dev browser speech pooler js lint types pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check --output-format concise src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/lint-imports --no-logo

types: $(VENV)/.installed-dev
	$(BIN)/mypy

pytest: pytest-sqlite pytest-postgres

pytest-sqlite: $(VENV)/.installed-dev
	@echo "== tests on SQLite"
	env -u DATABASE_URL $(BIN)/pytest --create-db -n $(PYTEST_WORKERS) --dist worksteal

pytest-postgres: $(VENV)/.installed-dev
	@if [ -n "$$HOCVUSO_TEST_DATABASE_URL" ]; then \
		echo "== tests on PostgreSQL"; \
		DATABASE_URL="$$HOCVUSO_TEST_DATABASE_URL" $(BIN)/pytest --create-db -n $(PYTEST_WORKERS) --dist worksteal; \
	else \
		echo "== HOCVUSO_TEST_DATABASE_URL is not set: PostgreSQL run skipped"; \
	fi

## Browser tests need Debian's chromium; installed here when missing and we are root.
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "== installing chromium for the browser tests (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "== chromium is not installed and we are not root: browser tests will be skipped"; \
	fi

## The tests' front-end packages (axe-core, the accessibility checker injected in the browser
## sweep) from the npm registry, pinned by package-lock.json; skipped, saying so, without npm.
js: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "== npm is not installed: the accessibility sweep will be skipped"; \
	fi

## Read-aloud needs Debian's espeak-ng (Vietnamese voice) and opusenc, the narrated lesson videos
## ffmpeg too (with its SVG decoder, librsvg); installed here when
## missing and we are root, as chromium is.
speech:
	@if command -v espeak-ng >/dev/null 2>&1 && command -v opusenc >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "== installing espeak-ng and opus-tools for the read-aloud (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng opus-tools >/dev/null; \
	else \
		echo "== espeak-ng / opusenc are not installed and we are not root: lessons will have no read-aloud"; \
	fi
	@if command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "== installing ffmpeg for the narrated lesson videos (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg >/dev/null; \
	else \
		echo "== ffmpeg is not installed and we are not root: lessons will have no narrated videos"; \
	fi

## The PostgreSQL run tests the platform behind Debian's pgbouncer (transaction pooling);
## installed here when missing and we are root, as chromium is (the service is not enabled by us).
pooler:
	@if command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "== installing pgbouncer for the pooler test (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null; \
	else \
		echo "== pgbouncer is not installed and we are not root: the pooler test will be skipped"; \
	fi

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/registry_write.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
