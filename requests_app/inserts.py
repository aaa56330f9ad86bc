"""The filing's statements, in SQL where the ORM would take several round trips or its compile cost dominates.

A new request and its first history row are written by a single INSERT ... RETURNING.

Every filing runs it, and the ORM would compile two INSERTs of some twenty-five columns (a geometry among them)
and send them one after the other. The column lists come from the models' own fields, so a field added to either
model is written here too; the values are prepared by each field, as the ORM prepares them. A retried write's
key is claimed by one INSERT ... ON CONFLICT, with no savepoint and no separate clean-up of an expired record.
"""

from functools import cache

from django.db import connection
from django.utils import timezone

from .models import IdempotentWrite, ServiceRequest, StatusChange


def _columns(model, skip: set[str]) -> list:
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in skip]


@cache
def _statement() -> str:
    quote = connection.ops.quote_name
    request_fields = _columns(ServiceRequest, set())
    history_fields = _columns(StatusChange, {"service_request_id"})
    placeholders = ", ".join("{}" for _ in request_fields)  # one per field, filled in per call (geometry)
    return (
        f"WITH sr AS (INSERT INTO {quote(ServiceRequest._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in request_fields)}) VALUES ({placeholders}) "
        "ON CONFLICT (public_id) DO NOTHING RETURNING id), "
        f"history AS (INSERT INTO {quote(StatusChange._meta.db_table)} "
        f"({quote('service_request_id')}, {', '.join(quote(f.column) for f in history_fields)}) "
        f"SELECT sr.id, {', '.join('%s' for _ in history_fields)} FROM sr RETURNING id) "
        "SELECT sr.id, history.id FROM sr, history"
    )


def _prepared(field, instance) -> tuple[str, object]:
    value = field.get_db_prep_save(field.pre_save(instance, True), connection)
    placeholder = field.get_placeholder(value, None, connection) if hasattr(field, "get_placeholder") else "%s"
    return placeholder, value


def insert_request_with_history(sr: ServiceRequest, history: StatusChange) -> bool:
    """Write ``sr`` and ``history`` (whose request is ``sr``) in one round trip and set both primary keys; False
    (and nothing written) when ``sr.public_id`` is taken. No savepoint is needed around it for that case."""
    request_part = [_prepared(f, sr) for f in _columns(ServiceRequest, set())]
    history_values = [_prepared(f, history)[1] for f in _columns(StatusChange, {"service_request_id"})]
    sql = _statement().format(*(placeholder for placeholder, _value in request_part))
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for _placeholder, value in request_part] + history_values)
        ids = cursor.fetchone()
    if ids is None:
        return False
    sr.pk, history.pk = ids
    for row in (sr, history):
        row._state.adding, row._state.db = False, connection.alias
    history.service_request = sr
    return True


def claim_idempotency_key(*, key_digest: str, fingerprint: str, expired_before) -> IdempotentWrite | None:
    """Insert the record of a first write under ``key_digest`` (or take over an expired one) in one statement;
    None when a live record holds the key. A concurrent claim of the same key waits for the first to commit."""
    table = connection.ops.quote_name(IdempotentWrite._meta.db_table)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key_digest, fingerprint, payload, created_at) VALUES (%s, %s, '{{}}', %s) "
            "ON CONFLICT (key_digest) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, payload = EXCLUDED.payload, "
            f"created_at = EXCLUDED.created_at WHERE {table}.created_at < %s RETURNING id",
            [key_digest, fingerprint, now, expired_before],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    record = IdempotentWrite(pk=row[0], key_digest=key_digest, fingerprint=fingerprint, payload={}, created_at=now)
    record._state.adding, record._state.db = False, connection.alias
    return record
