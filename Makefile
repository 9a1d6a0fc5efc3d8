# Bellwether: two commands do all the set-up on a machine with only Python 3.11, pip and make.
#   make demo   create the environment, install, run the main job on the bundled data (no network)
#   make test   create the environment, install, lint the SQL (sqlfluff), run ruff and the test suite
#               (the long suites: make test-long, soak, bench-smoke, e2e; .ci/run runs them all)
# Installs are reproducible: uv (pinned, installed with hashes into .tools/) syncs .venv from uv.lock.

SHELL := /bin/bash
PYTHON ?= python3
ROOT := $(CURDIR)
TOOLS := $(ROOT)/.tools
UV := $(TOOLS)/bin/uv
VENV := $(ROOT)/.venv
BIN := $(VENV)/bin

export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON := $(PYTHON)
export UV_NO_PYTHON_DOWNLOADS := 1
export DAGSTER_HOME := $(ROOT)/dagster_home
# The offline default: the real bundled sample. Use BELLWETHER_SOURCE=yfinance for live data.
export BELLWETHER_SOURCE ?= bundled

.PHONY: install demo test test-long soak bench-smoke ui sql lint format validate clean bench

$(UV): .ci/uv-requirements.txt
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check --require-hashes -r .ci/uv-requirements.txt

# --compile-bytecode: every package's .pyc is written at install, so no command compiles
# Dagster, Great Expectations & co. on its first run (or on every run where the environment
# sets PYTHONDONTWRITEBYTECODE): about half of a fresh `make demo` otherwise.
$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet --compile-bytecode
	touch $@

install: $(VENV)/.synced

demo: install
	$(BIN)/bellwether demo

# tests/test_dagster_postgres.py starts a PostgreSQL server of its own: Debian's postgresql
# package, installed when missing (root or sudo), like Chromium for make e2e.
PG_CTL := $(firstword $(shell command -v pg_ctl) $(wildcard /usr/lib/postgresql/*/bin/pg_ctl))
.PHONY: postgresql
postgresql:
	@if [ -z "$(PG_CTL)" ]; then $(SUDO) apt-get update && \
		$(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql; fi

# make test: ruff, then the suite on PYTEST_WORKERS processes (pytest-xdist; a test file's
# tests share one worker, so its module fixtures are built once), without the long suites
# (their own targets and steps of .ci/run: the end-to-end `slow` tests, the soak, the bench
# smoke, the browser test); prints its wall time.
PYTEST_WORKERS ?= 2
test: install lint-sql
	@start=$$(date +%s); status=0; \
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports && \
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile \
		-m "not slow and not soak and not bench_smoke and not e2e" || status=$$?; \
	echo "make test: wall time $$(( $$(date +%s) - start )) s (exit $$status)"; exit $$status

# The end-to-end suite (marker `slow`): Dagster through its CLI, daemon and PostgreSQL,
# processes killed, racing or holding the file, random sequences of runs against one full
# build, corporate actions landed day by day. Its own step of .ci/run.
test-long: install postgresql
	@start=$$(date +%s); status=0; \
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile -m "slow and not soak and not bench_smoke" \
		|| status=$$?; \
	echo "make test-long: wall time $$(( $$(date +%s) - start )) s (exit $$status)"; exit $$status

# The soak (tests/test_soak.py, BELLWETHER_SOAK_DAYS sessions, default 50) and the bench at a
# tiny size (tests/test_bench_smoke.py): long, so not in make test; .ci/run runs both.
soak: install
	@start=$$(date +%s); status=0; \
	$(BIN)/pytest -m soak tests/test_soak.py || status=$$?; \
	echo "make soak: wall time $$(( $$(date +%s) - start )) s (exit $$status)"; exit $$status

bench-smoke: install
	@start=$$(date +%s); status=0; \
	$(BIN)/pytest -m bench_smoke tests/test_bench_smoke.py || status=$$?; \
	echo "make bench-smoke: wall time $$(( $$(date +%s) - start )) s (exit $$status)"; exit $$status

# Every file in sql/ linted with sqlfluff, DuckDB dialect (rules and placeholders in
# pyproject.toml [tool.sqlfluff.*], files it cannot parse in .sqlfluffignore).
.PHONY: lint-sql
lint-sql: install
	$(BIN)/sqlfluff lint sql --processes 2

# An interactive DuckDB shell (the locked duckdb-cli) on the published warehouse, read-only,
# with the bw macros; runs never wait for it and it never waits for them.
sql: install
	$(BIN)/bellwether sql

validate: install
	$(BIN)/dagster definitions validate -w workspace.yaml

ui: install
	$(BIN)/dagster dev -w workspace.yaml --host 127.0.0.1 --port 3000

# Browser tests: dagster dev + headless Chromium (Debian's, installed when missing; root or
# sudo) driven by Playwright through the UI; artifacts in tmp/artifacts/e2e/.
#   make e2e           the end-to-end test (.ci/run runs it after make test)
#   make screenshots   the same over a longer range, refreshing docs/screenshots/ for the README
.PHONY: e2e screenshots
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
E2E_SCREENSHOT_RANGE ?= 2025-09-02...2025-12-05

$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium

e2e: install $(CHROMIUM)
	BELLWETHER_E2E=1 $(BIN)/pytest -m e2e tests/e2e

screenshots: install $(CHROMIUM)
	BELLWETHER_E2E=1 BELLWETHER_E2E_DOCS=1 BELLWETHER_E2E_RANGE=$(E2E_SCREENSHOT_RANGE) \
		$(BIN)/pytest -m e2e tests/e2e

# Benchmarks side by side (bench/, writes docs/BENCHMARKS.md; long: hours at the default sizes).
#   make bench BENCH_SIZES=small        quick: tiny + the bundled sample
#   make bench BENCH_SIZES=sample,500x10y BENCH_REPEATS=1
# Also BENCH_GROUPS (backfill,engines,daily,queries), BENCH_DAILY_SYMBOLS, BENCH_RESUME=1.
BENCH_SIZES ?= all
BENCH_REPEATS ?= 3
bench: install
	BENCH_COMMAND="make bench BENCH_SIZES=$(BENCH_SIZES) BENCH_REPEATS=$(BENCH_REPEATS)" \
		$(BIN)/python -m bench --sizes "$(BENCH_SIZES)" --repeats "$(BENCH_REPEATS)"

lint: install
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .ruff_cache
