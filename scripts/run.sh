#!/usr/bin/env bash
# `make run`: set up, migrate, load the demo city once, start web + Celery worker + beat, and wait.
# Ctrl-C (or `make stop` from another shell) stops what this started, and nothing else.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_all

cd "$ROOT"
PORT="${PORT:-8000}"
export DJANGO_DEBUG="${DJANGO_DEBUG:-false}"
say "Migrating the database"
"$PY" manage.py migrate --no-input -v0
"$PY" manage.py collectstatic --no-input -v0
if [ ! -f "$STATE/demo-loaded" ]; then
  say "Loading the demo city (first start only)"
  "$PY" manage.py load_demo && touch "$STATE/demo-loaded"
fi

"$ROOT/scripts/stop.sh" --quiet
mkdir -p "$STATE/pids" "$STATE/logs"
# Request metrics from all gunicorn workers add up in /metrics through files here.
export PROMETHEUS_MULTIPROC_DIR="$STATE/prometheus"
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
start() {  # name, command...
  local name="$1"; shift
  setsid "$@" >>"$STATE/logs/$name.log" 2>&1 &
  echo $! > "$STATE/pids/$name.pid"
}
start web "$VENV/bin/gunicorn" config.wsgi:application --config python:config.gunicorn --bind "0.0.0.0:$PORT" --workers "${WEB_WORKERS:-3}" \
  --graceful-timeout 5
# Routing has a worker of its own, so photos or exports piling up never delay it; the other worker takes
# every queue (routing too, when it is free).
start worker "$VENV/bin/celery" -A config worker --loglevel INFO --concurrency "${CELERY_CONCURRENCY:-2}" \
  --hostname "worker@%h"
start routing-worker "$VENV/bin/celery" -A config worker --loglevel INFO --concurrency 1 --queues routing \
  --hostname "routing@%h"
start beat "$VENV/bin/celery" -A config beat --loglevel INFO --schedule "$STATE/celerybeat-schedule"

for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.3; done
BASE="http://localhost:$PORT"
cat <<MSG

$(say "Civic311 is running")
  Report a problem (resident form)  $BASE/sfgov.org/report/   (Shenzhen: $BASE/sz.gov.cn/report/)
  Staff queue                       $BASE/staff/
  Public status map                 $BASE/map/sfgov.org/
  Statistics and open data          $BASE/stats/sfgov.org/  ·  $BASE/open-data/sfgov.org/
  Open311 API                       $BASE/open311/v2/discovery.json
  API documentation                 $BASE/api/docs/
  Admin (operators)                 $BASE/admin/
  Health                            $BASE/healthz

  Demo logins (demo only, never use these passwords elsewhere):
$(sed 's/^/    /; s/\t/  /g' "$STATE/demo-logins.txt" 2>/dev/null || echo "    (none: $STATE/demo-logins.txt is missing)")

  Logs in $STATE/logs/. Stop with Ctrl-C here or 'make stop'.
MSG

trap '"$ROOT/scripts/stop.sh"; exit 0' INT TERM
# Stay in the foreground while the services live; if one dies, say so and stop the others.
while true; do
  for name in web worker routing-worker beat; do
    # `make stop` from another shell removes the pid files: then this was a requested stop.
    [ -f "$STATE/pids/$name.pid" ] || { echo "stopped"; exit 0; }
    if ! kill -0 "$(cat "$STATE/pids/$name.pid")" 2>/dev/null; then
      echo "$name stopped unexpectedly; see $STATE/logs/$name.log" >&2
      "$ROOT/scripts/stop.sh"; exit 1
    fi
  done
  sleep 2 & wait $!
done
