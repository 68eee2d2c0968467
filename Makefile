# One command per habit; CI runs the same ones (.ci/run calls `make test`).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test unit lint bench services services-stop clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

## Start the API, the consumer and the scan schedules on the embedded default (SQLite + embedded log).
run: $(STAMP)
	$(BIN)/spbe up

## The whole test suite, against real services (started here when not already running).
test: $(STAMP)
	$(BIN)/python -m pytest -q

unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## Real Kafka and PostgreSQL on loopback (and nmap) for the integration tests.
services:
	deploy/local/services.sh start

services-stop:
	deploy/local/services.sh stop

clean:
	rm -rf $(VENV) .spbe
