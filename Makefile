# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Where links in emails, the API, the sitemap and page metadata point (config/settings/base.py).
SHOP_BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test install install-dev lint migrations-check bench profile sqlite-load mutations cluster

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# The outside checkers (axe-core, Nu HTML Checker, Lighthouse) for tests/browser; without npm
# their tests skip and say so.
CHECKERS := tests/browser/checkers
$(CHECKERS)/node_modules/.installed: $(CHECKERS)/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix $(CHECKERS) --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the outside-checker tests will be skipped."; fi

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev $(CHECKERS)/node_modules/.installed

## Install, migrate, load the demo catalogue and serve the shop on SQLite.
run: install
	$(BIN)/python manage.py migrate --noinput
	SHOP_BASE_URL=$(SHOP_BASE_URL) $(BIN)/python manage.py seed_demo
	SHOP_BASE_URL=$(SHOP_BASE_URL) $(BIN)/python manage.py create_dev_superuser
	SHOP_BASE_URL=$(SHOP_BASE_URL) $(BIN)/python manage.py runserver $(HOST):$(PORT)

## Install the dev tools and run the whole test suite.
test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .

migrations-check: install-dev
	$(BIN)/python manage.py makemigrations --check --dry-run

## Mutate the money and order logic one line at a time and report how many mutations the tests
## catch (README, "Mutation check"). With DATABASE_URL on PostgreSQL the row-lock ones count too.
## E.g. make mutations MUTATIONS_ARGS="--list" or MUTATIONS_ARGS="--only 12"
mutations: install-dev
	$(BIN)/python -m bench.mutations $(MUTATIONS_ARGS)

## Benchmark the shop under gunicorn on PostgreSQL (README, "Benchmarks"). Needs wrk, which
## it installs with apt-get when run as root. E.g. make bench PRODUCTS=10000 BENCH_ARGS="--buyers 80"
## Against a git clone of wagtail/bakerydemo: make bench BENCH_ARGS="--peer ../bakerydemo"
PRODUCTS ?= 1000
bench: install
	$(BIN)/python -m bench --products $(PRODUCTS) $(BENCH_ARGS)

## Where one uncached request's time goes, page by page (README, "Benchmarks"), on the same
## database as make bench. E.g. make profile PROFILE_ARGS="--only product --logged-in"
profile: install
	$(BIN)/python -m bench.profile --products $(PRODUCTS) $(PROFILE_ARGS)

## A short concurrent cart load on `make run`'s SQLite set-up (a copy of db.sqlite3, or a new
## demo shop); fails on any server error or lost update. Loopback only, at most 60 requests.
sqlite-load: install
	$(BIN)/python -m bench.sqlite_load

## The production shape on loopback (README, "Scaling out"): nginx in front of one, then two
## gunicorn app servers, PgBouncer in transaction mode, Redis, a db_worker and the scheduled
## jobs; prints req/s and p50/p95 with 1 and 2 servers. Installs nginx, pgbouncer, redis-server
## and wrk with apt-get when missing (as root). E.g. make cluster CLUSTER_ARGS="--products 10000"
cluster: install
	$(BIN)/python -m bench.cluster $(CLUSTER_ARGS)
