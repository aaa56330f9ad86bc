"""One way to make a write safe to retry, for every edge: the resident's form (a phone resending what it queued
offline) and Open311 (Idempotency-Key, FixMyStreet's update_id).

A retry is the same client, the same key and the same content: it gets the first answer and nothing is written
twice. The same key with other content is refused. Another client's key is another key, so a replayed key never
returns someone else's answer. Keys and contents are stored only as HMACs keyed with SECRET_KEY, and rows expire
after IDEMPOTENCY_KEEP_HOURS (a retry across a secret-key rotation files anew, which is the safe side).
"""

import json
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from .exceptions import DomainError
from .inserts import claim_idempotency_key
from .models import IdempotentWrite

_SALT = "civic311.idempotency"


class IdempotencyConflict(DomainError):
    """The key was already used, by this client, for different content."""

    def __init__(self):
        super().__init__(_("This Idempotency-Key was used for a different request."))


def keyed_hash(*parts: str) -> str:
    # The unit separator can't appear in a header or a form field name, so parts never run into each other.
    return salted_hmac(_SALT, "\x1f".join(parts), algorithm="sha256").hexdigest()


def fingerprint(content) -> str:
    return keyed_hash(json.dumps(content, sort_keys=True, default=str))


def _expired_before():
    return timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEEP_HOURS)


@transaction.atomic
def run_once(*, client: str, key: str, content, write: Callable[[], dict | list]) -> tuple[dict | list, bool]:
    """Run ``write()`` once per (client, key); returns (its payload, whether this was a replay).

    The record is inserted first (inserts.claim_idempotency_key), in the same transaction as the write: a
    concurrent retry waits on the unique index until the first commits, then replays it. A write that raises
    stores nothing, so a corrected retry goes through. Raises IdempotencyConflict when the key comes back with
    different content.
    """
    digest, print_ = keyed_hash(client, key), fingerprint(content)
    record = claim_idempotency_key(key_digest=digest, fingerprint=print_, expired_before=_expired_before())
    if record is None:
        first = IdempotentWrite.objects.get(key_digest=digest)
        if not constant_time_compare(first.fingerprint, print_):
            raise IdempotencyConflict()
        return first.payload, True
    payload = write()
    record.payload = payload
    record.save(update_fields=["payload"])
    return payload, False


def forget_expired() -> int:
    """Delete the records older than IDEMPOTENCY_KEEP_HOURS; returns how many."""
    deleted, _by_model = IdempotentWrite.objects.filter(created_at__lt=_expired_before()).delete()
    return deleted
