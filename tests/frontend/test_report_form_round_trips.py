"""What one filing through the resident form costs the database, pinned (see tests/open311/
test_filing_round_trips.py)."""

import pytest

from requests_app.models import ServiceRequest

pytestmark = pytest.mark.django_db(transaction=True)

FORM = {
    "description": "Dark since Tuesday",
    "lat": "37.7749",
    "lon": "-122.4194",
    "q_pole": "P-17",
    "q_state": "dark",
}


def test_a_form_filing_is_one_statement_in_one_transaction_once_the_city_and_type_are_known(
    client, streetlight, django_assert_num_queries
):
    def file():
        return client.post("/sf.example/report/streetlight/", FORM, headers={"Accept": "application/json"})

    assert file().status_code == 201  # the first reads the city and the type
    with django_assert_num_queries(3) as captured:
        response = file()
    assert response.status_code == 201, response.content
    begin, insert, commit = (query["sql"] for query in captured.captured_queries)
    assert (begin, commit) == ("BEGIN", "COMMIT") and insert.startswith("WITH sr AS (INSERT INTO")
    assert ServiceRequest.objects.count() == 2
