.PHONY: run test stop bench backup restore fuzz loadtest help

help:
	@echo "make run    start Civic311 with the demo city (installs what is missing)"
	@echo "make test   run the whole test suite against real PostGIS, Redis, Celery and Chromium"
	@echo "make stop   stop what 'make run' started"
	@echo "make bench  run the benchmarks in bench/ and write bench/results/report.md"
	@echo "make fuzz [EXAMPLES=n]        Schemathesis over the OpenAPI document, n examples per operation (500)"
	@echo "make loadtest [RATE=r SECONDS=s]   mixed load on the production setup (gunicorn + Celery), with a report"
	@echo "make backup [BACKUP=folder]   back up the database and media"
	@echo "make restore BACKUP=folder    restore a backup (stop the services first)"

run:
	@bash scripts/run.sh

test:
	@bash scripts/test.sh $(ARGS)

stop:
	@bash scripts/stop.sh

bench:
	@bash scripts/bench.sh

backup:
	@bash scripts/backup.sh $(BACKUP)

restore:
	@bash scripts/restore.sh $(BACKUP)

fuzz:
	@bash scripts/fuzz.sh $(EXAMPLES)

loadtest:
	@bash scripts/loadtest.sh $(RATE) $(SECONDS)
