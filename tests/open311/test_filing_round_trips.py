"""What one Open311 filing costs the database, pinned: the figure the README gives. Transactional, so that the
filing's own transaction is the outermost one (BEGIN/COMMIT, which Django does not count) as in production."""

import pytest

from open311.models import ApiKey
from open311.services import revoke_api_key, set_api_key_scopes
from requests_app.models import Question, ServiceRequest
from tests.factories import QuestionFactory

from .conftest import errors_of, parse_json
from .test_post_requests import file_light

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_filing_is_one_statement_in_one_transaction_once_the_key_and_type_are_known(
    client, streetlight, api_key, django_assert_num_queries
):
    file_light(client, api_key, jurisdiction_id="sf.example")  # the first reads the key and the type
    with django_assert_num_queries(3) as captured:
        response = file_light(client, api_key, jurisdiction_id="sf.example")
    assert response.status_code == 200, response.content
    begin, insert, commit = (query["sql"] for query in captured.captured_queries)
    assert (begin, commit) == ("BEGIN", "COMMIT") and insert.startswith("WITH sr AS (INSERT INTO")
    assert ServiceRequest.objects.count() == 2


def test_a_changed_service_type_is_read_again(client, streetlight, api_key):
    file_light(client, api_key, jurisdiction_id="sf.example")
    streetlight.active = False
    streetlight.save()
    response = file_light(client, api_key, jurisdiction_id="sf.example")
    assert response.status_code == 400 and b"not accepting" in response.content


def test_a_public_id_already_taken_is_drawn_again(client, streetlight, api_key, monkeypatch):
    [first] = parse_json(file_light(client, api_key))
    drawn = iter([first["service_request_id"], "ZZZZ-9999"])
    monkeypatch.setattr("requests_app.services.new_public_id", lambda: next(drawn))
    [second] = parse_json(file_light(client, api_key))
    assert second["service_request_id"] == "ZZZZ-9999"
    assert ServiceRequest.objects.count() == 2


def test_a_revoked_key_files_nothing_at_once(client, streetlight, api_key):
    assert file_light(client, api_key, jurisdiction_id="sf.example").status_code == 200  # the key is now kept
    revoke_api_key(ApiKey.objects.get())
    assert file_light(client, api_key, jurisdiction_id="sf.example").status_code == 403


def test_a_filing_in_xml_is_one_statement_too(client, streetlight, api_key, django_assert_num_queries):
    file_light(client, api_key, "xml", jurisdiction_id="sf.example")
    with django_assert_num_queries(3):
        response = file_light(client, api_key, "xml", jurisdiction_id="sf.example")
    assert response.status_code == 200, response.content
    assert ServiceRequest.objects.count() == 2


def test_a_question_made_required_is_asked_for_at_once(client, streetlight, api_key):
    assert file_light(client, api_key, jurisdiction_id="sf.example").status_code == 200  # the type is now kept
    QuestionFactory(service_type=streetlight, code="height", datatype=Question.Datatype.STRING, required=True, order=4)
    response = file_light(client, api_key, "xml", jurisdiction_id="sf.example")
    assert response.status_code == 400 and "height" in errors_of(response)[0]["description"]
    assert ServiceRequest.objects.count() == 1


def test_a_key_whose_filing_scope_is_taken_away_files_nothing_at_once(client, streetlight, api_key):
    assert file_light(client, api_key, jurisdiction_id="sf.example").status_code == 200  # the key is now kept
    set_api_key_scopes(ApiKey.objects.get(), ["read", "update"])
    assert file_light(client, api_key, jurisdiction_id="sf.example").status_code == 403
    assert ServiceRequest.objects.count() == 1
