# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: venv test unit lint demo eval bench bench-latency bench-core fuzz redmine redmine-stop clean

$(BIN)/sup-sla-sync: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

venv: $(BIN)/sup-sla-sync

## make test [REDMINE_VERSION=6.1]: ruff, mypy --strict on the core and ports, unit tests and
## the integration tests against a real local Redmine 5.0 (the host's Debian package), then
## the integration tests again against Redmine $(REDMINE_VERSION) (default 6.0; 6.0 and 6.1
## run in a cached Debian chroot, as root)
REDMINE_VERSION ?= 6.0
test: venv
	$(BIN)/ruff check src tests scripts eval
	$(BIN)/mypy --strict src/sup_sla_sync/core src/sup_sla_sync/ports
	REDMINE_VERSION=5.0 $(BIN)/python -m pytest
	REDMINE_VERSION=$(REDMINE_VERSION) $(BIN)/python -m pytest -m integration

## make unit: the tests that need no Redmine
unit: venv
	$(BIN)/python -m pytest -m "not integration"

lint: venv
	$(BIN)/ruff check src tests scripts eval
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy --strict src/sup_sla_sync/core src/sup_sla_sync/ports

## make demo: a local Redmine with demo issues, one pass, the queue and one explain
demo: venv
	$(BIN)/python scripts/demo.py

eval: venv
	$(BIN)/python eval/run.py

## make bench [N=10000]: seed a fresh local Redmine with N open issues and measure the passes
## against the floor (not part of the tests; see BENCHMARKS.md)
bench: venv
	$(BIN)/python bench/run.py --n $(or $(N),2000)

## make bench-latency [N=1000] [MINUTES=20]: `run` against a fresh local Redmine, the
## lateness of every note and move after its instant, requests per idle minute, CPU
bench-latency: venv
	$(BIN)/python bench/latency.py --n $(or $(N),1000) --minutes $(or $(MINUTES),20)

## make bench-core: the pure core in memory (no HTTP) at 1,000 / 10,000 / 100,000 issues
bench-core: venv
	$(BIN)/python bench/core_bench.py

## make fuzz: the generated-history properties, long and with a random seed (FUZZ_EXAMPLES
## per property, default 200000); each failure's minimal history is written as a test in
## tests/properties/found/
FUZZ_EXAMPLES ?= 200000
fuzz: venv
	SLA_FUZZ=1 SLA_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q \
		tests/properties/test_decide_properties.py

## make redmine [REDMINE_VERSION=6.0|6.1]: a local Redmine (default 5.0) in .redmine
redmine:
	scripts/redmine/start.sh .redmine

redmine-stop:
	scripts/redmine/stop.sh .redmine

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis build dist src/*.egg-info
