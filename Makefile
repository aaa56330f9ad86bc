.PHONY: run test stop bench help

help:
	@echo "make run    start Civic311 with the demo city (installs what is missing)"
	@echo "make test   run the whole test suite against real PostGIS, Redis, Celery and Chromium"
	@echo "make stop   stop what 'make run' started"
	@echo "make bench  run the benchmarks in bench/ and write bench/results/report.md"

run:
	@bash scripts/run.sh

test:
	@bash scripts/test.sh $(ARGS)

stop:
	@bash scripts/stop.sh

bench:
	@bash scripts/bench.sh
