#!/usr/bin/env bash
# `make test`: the same setup as `make run` plus Chromium and the development dependencies, then the whole suite
# against the real services.
set -euo pipefail
export CIVIC311_FOR_TESTS=1 CIVIC311_DEV_DEPENDENCIES=1
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_all
cd "$ROOT"
"$PY" manage.py makemigrations --check --dry-run -v0 || { echo "Models and migrations disagree: run makemigrations" >&2; exit 1; }
set +e
# One pytest process per core (pytest-xdist), at most 8: config/settings_test.py gives each a Redis database of its
# own, counting down from 15. Tests on the stacks' session cluster share one process (tests/conftest.py, loadgroup).
# CIVIC311_TEST_PROCESSES=0 (or ARGS="-n 0") runs the tests in this process alone.
DJANGO_ALLOW_ASYNC_UNSAFE=true "$PY" -m pytest -n "${CIVIC311_TEST_PROCESSES:-auto}" --maxprocesses 8 --dist loadgroup "$@"
status=$?
set -e
# pytest exits 5 when it collected no tests: that is a failure here, never a silent pass.
if [ $status -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi
exit $status
