import threading

import pytest
from django.db import connection

from frontend.models import IdempotentSubmission
from frontend.services import submit_request_once
from requests_app.models import ServiceRequest
from requests_app.services import Submission


@pytest.mark.django_db(transaction=True)
def test_two_sends_of_one_queued_request_arriving_together_file_it_once(pothole):
    barrier, results = threading.Barrier(2), []

    def send():
        try:
            barrier.wait()
            results.append(submit_request_once(Submission(service_type=pothole, address="Pine and Battery"),
                                               key="same-key-from-the-outbox"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ServiceRequest.objects.count() == 1 and IdempotentSubmission.objects.count() == 1
    assert sorted(created for _, created in results) == [False, True]
    assert results[0][0].pk == results[1][0].pk
