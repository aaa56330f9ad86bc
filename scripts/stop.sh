#!/usr/bin/env bash
# Stops what `make run` started: web, worker, beat, and the private PostgreSQL/Redis if it started them.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$ROOT/.state"
quiet=0; [ "${1:-}" = --quiet ] && quiet=1; [ "${1:-}" = --processes-only ] && quiet=1
for f in "$STATE"/pids/*.pid; do
  [ -f "$f" ] || continue
  pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then
    [ $quiet = 1 ] || echo "stopping $(basename "$f" .pid)"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$f"
done
[ "${1:-}" = --quiet ] && exit 0
# The private database and Redis only when this checkout started them: never a server it found running.
if [ -f "$STATE/pg-started-by-us" ]; then
  dir="$(cat "$STATE/pg-started-by-us")"
  [ $quiet = 1 ] || echo "stopping private PostgreSQL"
  runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$dir" -m fast stop >/dev/null 2>&1
  rm -f "$STATE/pg-started-by-us"
fi
if [ -f "$STATE/redis-started-by-us" ]; then
  pidfile="$(cat "$STATE/redis-started-by-us")"
  [ $quiet = 1 ] || echo "stopping private Redis"
  kill "$(cat "$pidfile" 2>/dev/null)" 2>/dev/null
  rm -f "$STATE/redis-started-by-us"
fi
exit 0
