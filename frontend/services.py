"""State changes that belong to the resident pages themselves."""

from contacts import crypto
from requests_app.idempotency import run_once
from requests_app.models import ServiceRequest
from requests_app.services import Submission, submit_request


def submit_request_once(
    submission: Submission, *, client: str, key: str, content: dict, submit=submit_request
) -> tuple[ServiceRequest, bool]:
    """File ``submission`` with ``submit`` (submit_request, or permits' apply_for_permit for an application)
    unless this client already filed this content with this Idempotency-Key; return (request, created).

    Raises IdempotencyConflict for the key with other content, and InvalidSubmission like submit_request
    (nothing is stored then, so the key stays free).
    """

    def write() -> dict:
        sr = submit(submission)
        # A replay must answer with the same private link, and the request keeps only the token's digest: the
        # token waits here, encrypted with the contact keys, until the idempotency record expires.
        return {"service_request_id": sr.pk, "sealed_token": crypto.encrypt(sr.tracking_token)}

    payload, replayed = run_once(client=f"web:{client}", key=key, content=content, write=write)
    sr = ServiceRequest.objects.get(pk=payload["service_request_id"])
    sr.tracking_token = crypto.decrypt(payload["sealed_token"])
    return sr, not replayed
