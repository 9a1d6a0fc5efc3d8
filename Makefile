# Bellwether: two commands do all the set-up on a machine with only Python 3.11, pip and make.
#   make demo   create the environment, install, run the main job on the bundled data (no network)
#   make test   create the environment, install, run the whole test suite
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

.PHONY: install demo test ui lint format validate clean

$(UV): .ci/uv-requirements.txt
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check --require-hashes -r .ci/uv-requirements.txt

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	touch $@

install: $(VENV)/.synced

demo: install
	$(BIN)/bellwether demo

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

validate: install
	$(BIN)/dagster definitions validate -w workspace.yaml

ui: install
	$(BIN)/dagster dev -w workspace.yaml --host 127.0.0.1 --port 3000

lint: install
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .ruff_cache
