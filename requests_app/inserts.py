"""The filing's one statement: a new request and its first history row, written by a single INSERT ... RETURNING.

Every filing runs it, and the ORM would compile two INSERTs of some twenty-five columns (a geometry among them)
and send them one after the other. The column lists come from the models' own fields, so a field added to either
model is written here too; the values are prepared by each field, as the ORM prepares them.
"""

from functools import cache

from django.db import connection

from .models import ServiceRequest, StatusChange


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
        f"({', '.join(quote(f.column) for f in request_fields)}) VALUES ({placeholders}) RETURNING id), "
        f"history AS (INSERT INTO {quote(StatusChange._meta.db_table)} "
        f"({quote('service_request_id')}, {', '.join(quote(f.column) for f in history_fields)}) "
        f"SELECT sr.id, {', '.join('%s' for _ in history_fields)} FROM sr RETURNING id) "
        "SELECT sr.id, history.id FROM sr, history"
    )


def _prepared(field, instance) -> tuple[str, object]:
    value = field.get_db_prep_save(field.pre_save(instance, True), connection)
    placeholder = field.get_placeholder(value, None, connection) if hasattr(field, "get_placeholder") else "%s"
    return placeholder, value


def insert_request_with_history(sr: ServiceRequest, history: StatusChange) -> None:
    """Write ``sr`` and ``history`` (whose request is ``sr``) in one round trip; sets both primary keys.

    Raises IntegrityError like Model.save (a public id collision among them)."""
    request_part = [_prepared(f, sr) for f in _columns(ServiceRequest, set())]
    history_values = [_prepared(f, history)[1] for f in _columns(StatusChange, {"service_request_id"})]
    sql = _statement().format(*(placeholder for placeholder, _value in request_part))
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for _placeholder, value in request_part] + history_values)
        sr.pk, history.pk = cursor.fetchone()
    for row in (sr, history):
        row._state.adding, row._state.db = False, connection.alias
    history.service_request = sr
