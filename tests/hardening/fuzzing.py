"""Schemathesis against our OpenAPI document, shared by the bounded run in `make test` and `make fuzz`.

Generated requests go through the WSGI application in the test's own thread, so they see the test database.
The write operations get a real API key on most cases, so fuzzed bodies reach validation and filing
instead of stopping at the key check.
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from config.wsgi import application
from open311.services import create_api_key

SCHEMA_PATH = "/api/schema/?format=json"


# What the issue asks of every answer: no 5xx, a documented status, content type, headers and body. Not asked:
# that every schema-invalid request is refused (GeoReport v2 counts an empty optional value as absent, so
# `jurisdiction_id=` is accepted) or that every schema-valid one succeeds (an unknown service_code is a 404).
NOT_ASKED = [negative_data_rejection, positive_data_acceptance]


def call_and_validate(case):
    return case.call_and_validate(excluded_checks=NOT_ASKED)


def load_schema():
    return schemathesis.openapi.from_wsgi(SCHEMA_PATH, application)


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """Like Django's test client: a request finishing must not close the connection holding the test's
    transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def fuzz_settings(max_examples: int):
    return settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=max_examples <= 50,
        suppress_health_check=list(HealthCheck),
    )


def with_api_key(case, jurisdiction) -> None:
    """Give a write a working key unless the generated case exercises the key check itself."""
    if case.method.upper() != "POST":
        return
    query = dict(case.query or {})
    if not query.get("api_key") or len(str(query["api_key"])) < 40:
        query["api_key"] = create_api_key(
            application="Fuzzer", jurisdiction=jurisdiction, scopes=["read", "file", "update"]
        )[1]
        query["jurisdiction_id"] = jurisdiction.slug
    case.query = query
