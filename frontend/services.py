"""State changes that belong to the resident pages themselves."""
from django.db import connection, transaction

from requests_app.models import ServiceRequest
from requests_app.services import Submission, submit_request

from .models import IdempotentSubmission


@transaction.atomic
def submit_request_once(submission: Submission, *, key: str, submit=submit_request) -> tuple[ServiceRequest, bool]:
    """File ``submission`` with ``submit`` (submit_request, or permits' apply_for_permit for an application)
    unless the same Idempotency-Key already filed one; return (request, created).

    Raises InvalidSubmission like submit_request; nothing is stored then, so the key stays free.
    """
    # Two sends of one queued request can arrive together: serialise them on the key.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"frontend.idempotency:{key}"])
    earlier = IdempotentSubmission.objects.select_related("service_request").filter(key=key).first()
    if earlier is not None:
        return earlier.service_request, False
    sr = submit(submission)
    IdempotentSubmission.objects.create(key=key, service_request=sr)
    return sr, True
