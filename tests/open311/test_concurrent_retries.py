import threading

import pytest
from django.db import connections
from django.test import Client

from requests_app.models import ServiceRequest
from tests.open311.conftest import parse_json

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_retries_at_the_same_moment_file_one_request_and_get_the_same_answer(streetlight, api_key):
    start = threading.Barrier(4)
    answers = []

    def retry():
        try:
            start.wait()
            response = Client().post(
                "/open311/v2/requests.json",
                {
                    "api_key": api_key,
                    "service_code": "streetlight",
                    "address_string": "1 Market St",
                    "attribute[pole]": "P-1",
                },
                headers={"Idempotency-Key": "same-moment"},
            )
            answers.append(parse_json(response))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=retry) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == 4
    assert all(answer == answers[0] for answer in answers)
    assert ServiceRequest.objects.count() == 1
