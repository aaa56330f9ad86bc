import json

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from config.middleware import _service_unavailable

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr("requests_app.selectors.jurisdictions_overview", refuse)
    monkeypatch.setattr("frontend.views.jurisdictions_overview", refuse)


def test_a_page_answers_503_with_retry_after_while_the_database_is_away(client, database_down):
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "try again" in response.content.decode()


def test_open311_callers_get_the_error_in_their_format():

    xml = _service_unavailable(RequestFactory().get("/open311/v2/requests.xml"))
    assert xml.status_code == 503 and xml["Content-Type"] == "text/xml; charset=utf-8"
    assert b"<errors><error><code>503</code>" in xml.content
    as_json = _service_unavailable(RequestFactory().get("/open311/v2/requests.json"))
    assert as_json.status_code == 503 and json.loads(as_json.content)[0]["code"] == 503
