"""State changes that belong to the resident pages themselves."""
from requests_app.idempotency import run_once
from requests_app.models import ServiceRequest
from requests_app.services import Submission, submit_request


def submit_request_once(submission: Submission, *, client: str, key: str, content: dict,
                        submit=submit_request) -> tuple[ServiceRequest, bool]:
    """File ``submission`` with ``submit`` (submit_request, or permits' apply_for_permit for an application)
    unless this client already filed this content with this Idempotency-Key; return (request, created).

    Raises IdempotencyConflict for the key with other content, and InvalidSubmission like submit_request
    (nothing is stored then, so the key stays free).
    """
    payload, replayed = run_once(client=f"web:{client}", key=key, content=content,
                                 write=lambda: {"service_request_id": submit(submission).pk})
    return ServiceRequest.objects.get(pk=payload["service_request_id"]), not replayed
