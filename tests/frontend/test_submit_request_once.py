import hashlib
import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from frontend.services import submit_request_once
from requests_app.idempotency import IdempotencyConflict, fingerprint, forget_expired
from requests_app.models import IdempotentWrite, ServiceRequest
from requests_app.services import Submission
from requests_app.tasks import forget_expired_idempotency_keys_task

CONTENT = {"fields": {"address": ["Pine and Battery"], "email": ["ana@example.org"]}}


@pytest.mark.django_db(transaction=True)
def test_two_sends_of_one_queued_request_arriving_together_file_it_once(pothole):
    barrier, results = threading.Barrier(2), []

    def send():
        try:
            barrier.wait()
            results.append(
                submit_request_once(
                    Submission(service_type=pothole, address="Pine and Battery"),
                    client="browser-1",
                    key="same-key-from-the-outbox",
                    content=CONTENT,
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ServiceRequest.objects.count() == 1 and IdempotentWrite.objects.count() == 1
    assert sorted(created for _, created in results) == [False, True]
    assert results[0][0].pk == results[1][0].pk


def test_the_key_is_bound_to_the_content_and_the_client(pothole):
    submission = Submission(service_type=pothole, address="Pine and Battery")
    first, created = submit_request_once(submission, client="browser-1", key="k", content=CONTENT)
    assert created
    with pytest.raises(IdempotencyConflict):
        submit_request_once(submission, client="browser-1", key="k", content={"fields": {"address": ["Elsewhere"]}})
    # Another browser with the same key and even the same content files its own request, never gets this one.
    other, created = submit_request_once(submission, client="browser-2", key="k", content=CONTENT)
    assert created and other.pk != first.pk


def test_only_keyed_hashes_are_kept_and_they_expire(pothole, settings):
    submit_request_once(
        Submission(service_type=pothole, address="Pine and Battery"), client="browser-1", key="k", content=CONTENT
    )
    record = IdempotentWrite.objects.get()
    stored = json.dumps([record.key_digest, record.fingerprint, record.payload])
    assert "ana@example.org" not in stored and "browser-1" not in stored
    # Not a plain hash of the content, which anyone could recompute from a guess: an HMAC with the server's secret.
    plain = hashlib.sha256(json.dumps(CONTENT, sort_keys=True).encode()).hexdigest()
    assert record.fingerprint != plain
    assert fingerprint(CONTENT) == record.fingerprint
    settings.SECRET_KEY = "another-server-secret-" + "x" * 40
    assert fingerprint(CONTENT) != record.fingerprint
    IdempotentWrite.objects.filter(pk=record.pk).update(
        created_at=timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEEP_HOURS, minutes=1)
    )
    fresh = submit_request_once(
        Submission(service_type=pothole, address="Pine and Battery"), client="b", key="fresh", content=CONTENT
    )
    assert fresh[1]
    assert forget_expired_idempotency_keys_task() == 1
    assert list(IdempotentWrite.objects.values_list("pk", flat=True)) != [record.pk]
    assert forget_expired() == 0
