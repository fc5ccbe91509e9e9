# wuye-sso: the two commands are `make up` (the stack with sample data) and `make test` (every test).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: help setup up up-cluster down status test test-fast lint test-python test-java bench clean

help:
	@echo "make up      start Keycloak, mail and SMS sinks, the work-order API and the workbench, with sample staff"
	@echo "make up-cluster  the same on NODES Keycloak nodes (default 2) on PostgreSQL behind HAProxy, 2 workbenches"
	@echo "make down    stop all of it"
	@echo "make status  what is running"
	@echo "make test    run every test: lint and types, Java extension unit tests, then pytest against a real Keycloak"
	@echo "make test-fast  the tests that start no server (seconds): run while you edit"
	@echo "make lint    ruff check, ruff format --check, mypy --strict"
	@echo "make bench   run the benchmarks (long)"

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/install-system-packages.sh
	./scripts/install-system-packages.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

up: setup
	$(PY) -m wuye_sso stack up

#: NODES Keycloak nodes (>= 2) on PostgreSQL, behind HAProxy; see README "Cluster".
NODES ?= 2
up-cluster: setup
	$(PY) -m wuye_sso stack up --nodes $(NODES)

down:
	$(PY) -m wuye_sso stack down

status:
	$(PY) -m wuye_sso stack status

test: setup lint test-java test-python

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test-fast: setup
	$(PY) -m pytest -q -m "not services" $(PYTEST_ARGS)

test-java:
	cd keycloak-extensions && mvn -q -B verify

test-python:
	$(PY) -m pytest -q -ra --durations=15 $(PYTEST_ARGS)

bench: setup
	$(PY) -m bench.run_all $(BENCH_ARGS)

clean:
	rm -rf .wuye keycloak-extensions/target test-artifacts
