"""A short Schemathesis run over every operation in /api/schema/: no 5xx, every response as documented.
`make fuzz` runs the same with many more examples (CIVIC311_FUZZ_EXAMPLES)."""

import os

import pytest

from tests.hardening.fuzzing import (
    call_and_validate,
    fuzz_settings,
    load_schema,
    with_api_key,
    wsgi_keeps_the_test_connection,  # noqa: F401 - a fixture the tests receive by name
)

schema = load_schema()


# Requests run in autocommit, as in production: a statement the database refuses (answered 400) must not
# poison a test-wide transaction for the examples after it.
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("wsgi_keeps_the_test_connection")
@schema.parametrize()
@fuzz_settings(max_examples=int(os.environ.get("CIVIC311_FUZZ_EXAMPLES", "8")))
def test_the_api_answers_every_generated_request_as_documented(case, jurisdiction, pothole):
    with_api_key(case, jurisdiction)
    call_and_validate(case)
