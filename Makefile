# Two commands on a fresh machine with only python3: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-slow lint format openapi migrate demo bench bench-floor clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

## Serve the API on SQLite at http://127.0.0.1:8000 (Swagger UI at /docs).
run: $(STAMP)
	$(BIN)/referral-api db upgrade
	$(BIN)/referral-api demo --if-empty
	$(BIN)/referral-api serve

## The test suite (SQLite; PostgreSQL too when REFERRALS_TEST_DATABASE_URL is set).
test: $(STAMP)
	$(BIN)/pytest -q -m "not slow"

## The slow suite; the Swagger UI browser test needs Debian's chromium.
test-slow: $(STAMP)
	bash .ci/ensure-chromium
	$(BIN)/pytest -q -m slow

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Regenerate the committed OpenAPI document from the app.
openapi: $(STAMP)
	$(BIN)/python -m app.openapi_export openapi/openapi.json

## Benchmarks: hot paths as ratios to /healthz (see README, Performance).
bench: $(STAMP)
	$(BIN)/python -m tests.benchmarks.bench

## Where a read's time goes, layer by layer, as ratios to /healthz (README, Performance).
bench-floor: $(STAMP)
	$(BIN)/python -m tests.benchmarks.floor

migrate: $(STAMP)
	$(BIN)/referral-api db upgrade

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
