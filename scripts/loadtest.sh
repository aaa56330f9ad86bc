#!/usr/bin/env bash
# `make loadtest [RATE=r SECONDS=s]`: start the production setup on this machine (gunicorn, DJANGO_DEBUG=false,
# a Celery worker) on LOADTEST_PORT, send bench/loadtest.py's mixed workload at RATE requests/s for SECONDS,
# print the report, and stop what it started. Exit status 1 on any error or lost filing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_all
cd "$ROOT"
RATE="${1:-20}"; SECONDS_="${2:-60}"
PORT="${LOADTEST_PORT:-8089}"
export DJANGO_DEBUG=false DJANGO_SETTINGS_MODULE=config.settings LOG_LEVEL="${LOG_LEVEL:-WARNING}"
"$PY" manage.py migrate --no-input -v0
"$PY" manage.py collectstatic --no-input -v0
if [ ! -f "$STATE/demo-loaded" ]; then
  say "Loading the demo city (first start only)"
  "$PY" manage.py load_demo && touch "$STATE/demo-loaded"
fi
RUN="$STATE/loadtest"; mkdir -p "$RUN"
export PROMETHEUS_MULTIPROC_DIR="$RUN/prometheus"; rm -rf "$PROMETHEUS_MULTIPROC_DIR"; mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
pids=()
stop_started() {
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done; done
}
trap stop_started EXIT
# config/gunicorn.py: threaded workers (WEB_THREADS) that shed load past capacity.
setsid "$VENV/bin/gunicorn" config.wsgi:application --config python:config.gunicorn --bind "127.0.0.1:$PORT" --workers "${WEB_WORKERS:-3}" \
  --graceful-timeout 5 >"$RUN/web.log" 2>&1 &
pids+=($!)
setsid "$VENV/bin/celery" -A config worker --loglevel WARNING --concurrency "${CELERY_CONCURRENCY:-2}" \
  --hostname "loadtest@%h" >"$RUN/worker.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.3; done
say "Load: $RATE requests/s for ${SECONDS_}s against 127.0.0.1:$PORT (gunicorn ${WEB_WORKERS:-3}x${WEB_THREADS:-4} gthread, Celery)"
"$PY" -m bench.loadtest --base-url "http://127.0.0.1:$PORT" --rate "$RATE" --seconds "$SECONDS_"
