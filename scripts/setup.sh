#!/usr/bin/env bash
# Brings a machine to the point where Civic311 can run: Debian packages, the virtualenv with the locked
# dependencies, PostgreSQL with PostGIS and Redis (reused when already running, started privately otherwise),
# and the migrated database. Sourced by run.sh and test.sh; safe to run again (it skips what is done).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$ROOT/.state"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
mkdir -p "$STATE"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# --- Debian packages -------------------------------------------------------------------------
DEB_PACKAGES=(postgresql-15 postgresql-15-postgis-3 postgresql-client-15 gdal-bin libgdal32 libgeos-c1v5
              libproj25 redis-server redis-tools gettext)
[ "${CIVIC311_FOR_TESTS:-0}" = 1 ] && DEB_PACKAGES+=(chromium fonts-wqy-microhei docker-compose haproxy)

ensure_debian_packages() {
  local missing=()
  for p in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  python3 -c 'import sys; assert sys.version_info[:2] >= (3, 11)' 2>/dev/null || missing+=(python3)
  python3 -m venv --help >/dev/null 2>&1 || missing+=(python3-venv)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "Missing Debian packages: ${missing[*]}. Run as root, or install them first." >&2; exit 1
  fi
  say "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Debian's postgresql-common would create and start a cluster; we decide which server to use ourselves.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# --- Python ----------------------------------------------------------------------------------
# requirements.lock holds what the application runs on; requirements-dev.lock adds the test and benchmark tools
# (test.sh and bench.sh set CIVIC311_DEV_DEPENDENCIES=1). Each set has its own stamp: the digest of the lock
# files it was installed from, so an edit to either lock reinstalls.
ensure_virtualenv() {
  local locks=("$ROOT/requirements.lock") stamp="$VENV/.lock-sha256" want
  if [ "${CIVIC311_DEV_DEPENDENCIES:-0}" = 1 ]; then
    locks+=("$ROOT/requirements-dev.lock"); stamp="$VENV/.dev-lock-sha256"
  fi
  want="$(cat "${locks[@]}" | sha256sum | cut -d' ' -f1)"
  if [ -x "$PY" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then return 0; fi
  say "Installing Python dependencies (${locks[*]##*/})"
  [ -x "$PY" ] || python3 -m venv "$VENV"
  # (Some machines' pip configuration names extra package folders that may not exist; that noise is dropped.)
  # The development lock includes the runtime one (-r), so the last lock file installs both.
  "$PY" -m pip install -q --disable-pip-version-check --no-deps -r "${locks[-1]}" 2>&1 \
    | { grep -v "^WARNING: Location 'file:" || true; }
  echo "$want" > "$stamp"
  # The runtime set is in place too.
  sha256sum < "$ROOT/requirements.lock" | cut -d' ' -f1 > "$VENV/.lock-sha256"
}

# --- PostgreSQL + PostGIS --------------------------------------------------------------------
PGBIN="/usr/lib/postgresql/15/bin"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A private server's port: the one this checkout used before, else the first free one from the default up
# (another checkout on the same machine may hold the default).
private_port() {  # name, default
  local file="$STATE/$1-port" port
  if [ -f "$file" ]; then cat "$file"; return 0; fi
  port="$2"
  while port_in_use "$port"; do port=$((port + 1)); done
  echo "$port" > "$file"; echo "$port"
}

pg_private_dir() {
  # The postgres user must be able to reach the data folder; a checkout under /root is not reachable.
  if runuser -u postgres -- test -x "$STATE" 2>/dev/null; then echo "$STATE/pg"
  else echo "/var/lib/civic311/$(echo "$ROOT" | sha1sum | cut -c1-12)/pg"; fi
}

start_private_postgres() {
  local dir; dir="$(pg_private_dir)"
  PG_PRIVATE_PORT="${CIVIC311_PG_PORT:-$(private_port pg 5433)}"
  mkdir -p "$dir"; chown postgres:postgres "$dir"; chmod 0700 "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    say "Creating a private PostgreSQL cluster in $dir"
    runuser -u postgres -- "$PGBIN/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
  fi
  if ! runuser -u postgres -- "$PGBIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    say "Starting private PostgreSQL on 127.0.0.1:$PG_PRIVATE_PORT"
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -o \
      "-p $PG_PRIVATE_PORT -k $dir -c listen_addresses=127.0.0.1 -c fsync=${CIVIC311_PG_FSYNC:-on}" start >/dev/null
    echo "$dir" > "$STATE/pg-started-by-us"
  fi
  DATABASE_URL="postgis://postgres@127.0.0.1:$PG_PRIVATE_PORT/civic311"
  PSQL_ADMIN=(psql -h 127.0.0.1 -p "$PG_PRIVATE_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA)
}

use_local_postgres() {
  # An existing server on 5432: make our own superuser role there (needed for CREATE EXTENSION in tests).
  local as_postgres=(runuser -u postgres -- psql -p 5432 -v ON_ERROR_STOP=1 -qtA)
  "${as_postgres[@]}" -c 'select 1' >/dev/null 2>&1 || as_postgres=(psql -h 127.0.0.1 -p 5432 -U postgres -v ON_ERROR_STOP=1 -qtA)
  if [ "$("${as_postgres[@]}" -d postgres -c "select 1 from pg_roles where rolname='civic311'")" != 1 ]; then
    "${as_postgres[@]}" -d postgres -c "create role civic311 superuser login password 'civic311'"
  fi
  DATABASE_URL="postgis://civic311:civic311@127.0.0.1:5432/civic311"
  PSQL_ADMIN=(env PGPASSWORD=civic311 psql -h 127.0.0.1 -p 5432 -U civic311 -v ON_ERROR_STOP=1 -qtA)
}

ensure_postgres() {
  export PGOPTIONS="-c client_min_messages=warning"
  if [ -n "${DATABASE_URL:-}" ]; then return 0; fi
  if [ "${CIVIC311_PRIVATE_SERVICES:-0}" != 1 ] && pg_isready -q -h 127.0.0.1 -p 5432; then
    use_local_postgres
  else
    start_private_postgres
  fi
  if [ "$("${PSQL_ADMIN[@]}" -d postgres -c "select 1 from pg_database where datname='civic311'")" != 1 ]; then
    "${PSQL_ADMIN[@]}" -d postgres -c "create database civic311"
  fi
  # In template1 too, so the test database that pytest creates has PostGIS from birth.
  "${PSQL_ADMIN[@]}" -d template1 -c "create extension if not exists postgis" >/dev/null
  "${PSQL_ADMIN[@]}" -d civic311 -c "create extension if not exists postgis" >/dev/null
}

# --- Redis -----------------------------------------------------------------------------------
ensure_redis() {
  if [ -n "${REDIS_URL:-}" ]; then return 0; fi
  if [ "${CIVIC311_PRIVATE_SERVICES:-0}" != 1 ] && redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
    REDIS_URL="redis://127.0.0.1:6379/0"; TEST_REDIS_URL="redis://127.0.0.1:6379/15"; return 0
  fi
  local REDIS_PRIVATE_PORT="${CIVIC311_REDIS_PORT:-$(private_port redis 6390)}"
  if ! redis-cli -h 127.0.0.1 -p "$REDIS_PRIVATE_PORT" ping 2>/dev/null | grep -q PONG; then
    say "Starting private Redis on 127.0.0.1:$REDIS_PRIVATE_PORT"
    mkdir -p "$STATE/redis"
    redis-server --port "$REDIS_PRIVATE_PORT" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
      --dir "$STATE/redis" --pidfile "$STATE/redis/redis.pid" --logfile "$STATE/redis/redis.log"
    for _ in $(seq 50); do redis-cli -p "$REDIS_PRIVATE_PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
    echo "$STATE/redis/redis.pid" > "$STATE/redis-started-by-us"
  fi
  REDIS_URL="redis://127.0.0.1:$REDIS_PRIVATE_PORT/0"; TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PRIVATE_PORT/15"
}

write_env_file() {
  {
    echo "# Written by scripts/setup.sh: the services this checkout uses. Delete to re-detect."
    echo "DATABASE_URL=$DATABASE_URL"
    echo "REDIS_URL=$REDIS_URL"
    echo "TEST_REDIS_URL=${TEST_REDIS_URL:-${REDIS_URL%/*}/15}"
    echo "# A developer's machine: the development secret key, console mail and localhost links are accepted."
    echo "CIVIC311_DEVELOPMENT=true"
  } > "$STATE/env"
  export DATABASE_URL REDIS_URL TEST_REDIS_URL="${TEST_REDIS_URL:-${REDIS_URL%/*}/15}"
}

compile_translations() {
  # Each app keeps its catalogue in <app>/locale; recompile only when one changed.
  if [ -f "$STATE/translations-compiled" ] && \
     [ -z "$(find "$ROOT" -path "$VENV" -prune -o -name '*.po' -newer "$STATE/translations-compiled" -print | head -1)" ]; then
    return 0
  fi
  (cd "$ROOT" && "$PY" manage.py compilemessages -v0 --ignore=.venv) && touch "$STATE/translations-compiled"
}

setup_all() {
  ensure_debian_packages
  ensure_virtualenv
  ensure_postgres
  ensure_redis
  write_env_file
  compile_translations
}
