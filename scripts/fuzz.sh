#!/usr/bin/env bash
# `make fuzz [EXAMPLES=n]`: the Schemathesis run of tests/hardening/test_openapi_fuzz.py with many examples per
# operation and a fresh random seed each time (the bounded run in `make test` is derandomized).
set -euo pipefail
export CIVIC311_FUZZ_EXAMPLES="${1:-500}"
exec bash "$(dirname "${BASH_SOURCE[0]}")/test.sh" -q -p no:cacheprovider tests/hardening/test_openapi_fuzz.py
