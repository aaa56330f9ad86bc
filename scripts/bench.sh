#!/usr/bin/env bash
# `make bench`: every benchmark in bench/, then one report of each figure beside its raw baseline.
set -euo pipefail
export CIVIC311_DEV_DEPENDENCIES=1  # matplotlib and scikit-image (requirements-dev.lock)
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_all
cd "$ROOT"
"$PY" manage.py migrate --no-input -v0
exec "$PY" -m bench "$@"
