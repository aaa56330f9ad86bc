"""State changes of the Open311 edge: keys, batch tokens, replayable writes, client status updates."""

import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config import config_cache, ratelimits
from open311_format.mapping import inbound_fms_target
from requests_app.idempotency import IdempotencyConflict, run_once
from requests_app.models import Jurisdiction, ServiceRequest, ServiceType
from requests_app.services import Submission, change_status, submit_request
from requests_app.statuses import ALLOWED_TRANSITIONS

from .errors import Open311Error, bad_request
from .models import ApiKey, BatchToken, default_scopes, key_digest, new_raw_key


def create_api_key(
    *,
    application: str,
    jurisdiction: Jurisdiction,
    writes_per_minute: int | None = None,
    consent_wording: str = "",
    scopes: list[str] | None = None,
) -> tuple[ApiKey, str]:
    """Make a key for a client application (by default: read and file); returns the row and the raw key, which
    is shown once only."""
    raw = new_raw_key()
    key = ApiKey.objects.create(
        application=application.strip(),
        jurisdiction=jurisdiction,
        digest=key_digest(raw),
        prefix=raw[:8],
        writes_per_minute=writes_per_minute,
        consent_wording=consent_wording.strip(),
        scopes=sorted(set(scopes)) if scopes is not None else default_scopes(),
    )
    return key, raw


def revoke_api_key(key: ApiKey) -> ApiKey:
    """Stop a key from working. Revoking twice keeps the first revocation time."""
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    config_cache.bump()  # an update() sends no post_save
    key.refresh_from_db(fields=["revoked_at"])
    return key


def set_api_key_scopes(key: ApiKey, scopes: list[str]) -> ApiKey:
    """Give a key exactly these scopes (the next call with it sees them)."""
    key.scopes = sorted(set(scopes))
    key.save(update_fields=["scopes"])
    return key


def count_write(key: ApiKey) -> None:
    """Count one write against the key's per-minute allowance, with the rate counter every edge uses.

    Raises Open311Error 429 once the allowance is used up. While Redis is unreachable writes are not counted
    (fail open): a resident's filing matters more than the count, and the database keeps every write.
    """
    limit = key.writes_per_minute or settings.OPEN311_WRITES_PER_MINUTE
    try:
        ratelimits.count(ratelimits.Limit("open311-writes", limit, 60), key.digest[:16])
    except ratelimits.RateLimited as exc:
        raise Open311Error(
            429,
            _("Too many requests with this api_key: at most %(n)d a minute.") % {"n": limit},
            headers={"Retry-After": str(exc.retry_after)},
        ) from None


def replayable(key: ApiKey, idempotency_key: str, params: dict, write) -> list[dict]:
    """Run ``write()`` once per (api key, idempotency key) through requests_app.idempotency; a retry gets the
    first payload. Raises Open311Error 400 when the key is reused for a different request."""
    try:
        payload, _replayed = run_once(client=f"open311:{key.pk}", key=idempotency_key, content=params, write=write)
    except IdempotencyConflict as exc:
        raise bad_request(str(exc)) from None
    return payload


def file_request(submission: Submission) -> tuple[ServiceRequest, BatchToken | None]:
    """File a request from an Open311 client; a batch service type also gets a token.

    Raises InvalidSubmission like submit_request.
    """
    if submission.service_type.delivery != ServiceType.Delivery.BATCH:
        return submit_request(submission), None  # its own transaction
    with transaction.atomic():
        sr = submit_request(submission)
        return sr, BatchToken.objects.create(token=secrets.token_urlsafe(18), service_request=sr)


@transaction.atomic
def apply_client_update(service_request: ServiceRequest, *, wire_status: str, note: str) -> int:
    """Apply a FixMyStreet service request update: move the status as far as the pipeline allows and keep the
    note as the public note. Returns the id of the history row written.

    Raises Open311Error 400 when no status the update stands for can follow the current one.
    """
    sr = ServiceRequest.objects.select_for_update().get(pk=service_request.pk)
    target = inbound_fms_target(wire_status, sr.status, ALLOWED_TRANSITIONS[sr.status])
    if target is None:
        raise bad_request(
            _("A request that is %(status)s can't take the status %(wire)s.")
            % {"status": sr.get_status_display(), "wire": wire_status}
        )
    change_status(sr, to=target, public_note=note)
    return sr.status_changes.order_by("-at", "-id").values_list("id", flat=True)[0]
