# One command per habit; CI runs the same ones (.ci/run calls `make test`).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# pytest-xdist workers: most tests wait on servers and subprocesses, so two overlap well on two cores
WORKERS ?= 2

.PHONY: run test unit lint fix bench services services-stop clean

$(STAMP): pyproject.toml libs/spbe_common/webassets.py
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m spbe_common.webassets
	touch $(STAMP)

## Start the API, the consumer and the scan schedules on the embedded default (SQLite + embedded log).
run: $(STAMP)
	$(BIN)/spbe up

## The whole test suite, against real Kafka, PostgreSQL and nmap (started here when not running).
test: $(STAMP)
	@eval "$$(deploy/local/services.sh start)" \
		&& $(BIN)/python -m pytest -q -m serial --durations=5 \
		&& $(BIN)/python -m pytest -q -n $(WORKERS) --dist loadfile -m "not serial" --durations=20

unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/spbe events schemas --check

fix: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Benchmarks print key=value figures (they take minutes; not part of CI). Like `make test`, it
## starts or installs what they need first (Kafka, PostgreSQL, nmap: deploy/local/services.sh).
bench: $(STAMP)
	@eval "$$(deploy/local/services.sh start)" && \
	for b in bench/*.py; do case $$b in */_*) continue;; esac; echo "== $$b"; $(BIN)/python $$b || exit 1; done

## Real Kafka and PostgreSQL on loopback (and nmap) for the integration tests.
services:
	deploy/local/services.sh start

services-stop:
	deploy/local/services.sh stop

clean:
	rm -rf $(VENV) .spbe
