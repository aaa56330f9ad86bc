"""Open311 reads through the real web server (gunicorn, production settings), next to raw PostgreSQL.

- GET requests.json p50/p95: the first page of 1,000, a page of 100, and a deep page of 1,000 reached by keyset
  (``after``, as the Link header gives it), beside the raw SQL that reads the same rows and columns. The
  database's cost follows the page, not the table: the deep page and the first cost the same.
- GET servicerequestupdates.json over a busy window (more updates than any one page ever held), streamed,
  in updates per second beside the raw SQL that reads the same rows.
"""

import http.client
import time

from bench.figures import Figure, percentiles
from bench.open311_filing import PORT, WORKERS, _dsn, _start_server, _stop_server

SAMPLES = 40
WARM_UP = 2 * WORKERS
BUSY_WINDOW_UPDATES = 20_000
# The aims of issue 15: a listing within 2x of its raw SQL, the update feed within half of its raw rate.
LIST_AIM, FEED_AIM = 0.5, 0.5

RAW_LIST_SQL = """
SELECT sr.id, sr.public_id, sr.status, sr.service_type_id, sr.department_id, sr.public_description,
       sr.submitted_at, sr.updated_at, sr.expected_at, sr.address, sr.address_id, sr.zipcode,
       ST_X(sr.location), ST_Y(sr.location), sr.channel,
       (SELECT sc.public_note FROM requests_app_statuschange sc
         WHERE sc.service_request_id = sr.id AND sc.public_note <> '' ORDER BY sc.at DESC, sc.id DESC LIMIT 1),
       ARRAY(SELECT p.external_url FROM requests_app_photo p WHERE p.service_request_id = sr.id
             ORDER BY p.created_at, p.id)
FROM requests_app_servicerequest sr
WHERE sr.jurisdiction_id = %(j)s AND sr.submitted_at >= now() - interval '90 days' AND sr.submitted_at <= now()
  AND (sr.submitted_at, sr.id) < (%(at)s, %(id)s)
ORDER BY sr.submitted_at DESC, sr.id DESC LIMIT %(n)s
"""

RAW_FEED_SQL = """
SELECT sc.id, sr.public_id, sc.new_status, sc.at, sc.public_note
FROM requests_app_statuschange sc JOIN requests_app_servicerequest sr ON sr.id = sc.service_request_id
WHERE sr.jurisdiction_id = %s AND sc.at >= %s AND sc.at <= %s AND sc.old_status <> ''
ORDER BY sc.at, sc.id
"""


def _get(path: str) -> tuple[float, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    started = time.perf_counter()
    conn.request("GET", path, headers={"Host": "127.0.0.1"})
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    conn.close()
    assert response.status == 200, (response.status, body[:300])
    return elapsed, body


def _page_samples(path: str, rows: int) -> list[float]:
    samples = []
    for _ in range(SAMPLES + WARM_UP):
        elapsed, body = _get(path)
        assert body.count(b'"service_request_id"') == rows, body[:300]
        samples.append(elapsed)
    return samples[WARM_UP:]  # the first ones reach every worker once


def _raw_samples(sql: str, params, rows: int) -> list[float]:
    import psycopg

    samples = []
    with psycopg.connect(_dsn(), autocommit=True) as conn:
        for _ in range(SAMPLES + WARM_UP):
            started = time.perf_counter()
            found = conn.execute(sql, params).fetchall()
            samples.append((time.perf_counter() - started) * 1000)
            assert len(found) == rows, len(found)
    return samples[WARM_UP:]


def _latency_figures(name: str, page: list[float], raw: list[float]) -> list[Figure]:
    (p50, p95), (raw50, raw95) = percentiles(page), percentiles(raw)
    return [
        Figure("open311_listing", f"{name} p50", p50, raw50, "ms", False, "raw SQL", LIST_AIM),
        Figure("open311_listing", f"{name} p95", p95, raw95, "ms", False, "raw SQL", LIST_AIM),
    ]


def _anchor(jurisdiction_id: int, depth: int) -> tuple:
    """(submitted_at, id, public_id) of the request ``depth`` places down the default list."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT submitted_at, id, public_id FROM requests_app_servicerequest WHERE jurisdiction_id = %s "
            "AND submitted_at >= now() - interval '90 days' AND submitted_at <= now() "
            "ORDER BY submitted_at DESC, id DESC OFFSET %s LIMIT 1",
            [jurisdiction_id, depth - 1],
        )
        return cursor.fetchone()


def _busy_window(jurisdiction_id: int) -> tuple:
    """BUSY_WINDOW_UPDATES status changes within one hour a day ago; returns (start, end)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO requests_app_statuschange (service_request_id, at, old_status, new_status, public_note, "
            "internal_note) SELECT id, date_trunc('hour', now()) - interval '1 day' + (row_number() OVER () "
            "* interval '0.17 second'), 'acknowledged', 'in_progress', 'Bench crew note', 'bench-feed' "
            "FROM (SELECT id FROM requests_app_servicerequest WHERE jurisdiction_id = %s ORDER BY id LIMIT %s) r",
            [jurisdiction_id, BUSY_WINDOW_UPDATES],
        )
        cursor.execute("ANALYZE requests_app_statuschange")
        cursor.execute("SELECT date_trunc('hour', now()) - interval '1 day', date_trunc('hour', now())")
        return cursor.fetchone()


def _feed_figure(jurisdiction, start, end) -> Figure:
    import psycopg

    query = (
        f"jurisdiction_id={jurisdiction.slug}&start_date={start:%Y-%m-%dT%H:%M:%SZ}&end_date={end:%Y-%m-%dT%H:%M:%SZ}"
    )
    _get(f"/open311/v2/servicerequestupdates.json?{query}")  # warm
    elapsed, body = _get(f"/open311/v2/servicerequestupdates.json?{query}")
    updates = body.count(b'"update_id"')
    assert updates >= BUSY_WINDOW_UPDATES, (updates, query)
    with psycopg.connect(_dsn(), autocommit=True) as conn:
        conn.execute(RAW_FEED_SQL, (jurisdiction.pk, start, end)).fetchall()  # warm
        started = time.perf_counter()
        raw_rows = len(conn.execute(RAW_FEED_SQL, (jurisdiction.pk, start, end)).fetchall())
        raw_ms = (time.perf_counter() - started) * 1000
    print(f"  update feed: {updates:,} updates in one answer (raw SQL: {raw_rows:,} rows)", flush=True)
    return Figure(
        "open311_listing",
        f"servicerequestupdates, {updates:,} in a window, updates/s",
        updates / elapsed * 1000,
        raw_rows / raw_ms * 1000,
        "rows/s",
        True,
        "raw SQL",
        FEED_AIM,
    )


def run(jurisdiction_id: int) -> list[Figure]:
    from django.db import connection

    from requests_app.models import Jurisdiction, StatusChange

    jurisdiction = Jurisdiction.objects.get(pk=jurisdiction_id)
    base = f"/open311/v2/requests.json?jurisdiction_id={jurisdiction.slug}"
    first_at, first_id = _anchor(jurisdiction_id, 1)[:2]
    deep_at, deep_id, deep_public_id = _anchor(jurisdiction_id, 50_000)
    start, end = _busy_window(jurisdiction_id)
    connection.close()  # the server's workers are forked from a fresh interpreter, but keep nothing open
    figures = []
    server = _start_server()
    try:
        print("  listing pages of 1,000 and 100, and a deep page by keyset", flush=True)
        # The first page's raw SQL starts just past the newest row, like the page itself.
        first = {"j": jurisdiction_id, "at": first_at, "id": first_id + 1, "n": 1000}
        figures += _latency_figures(
            "GET requests.json 1,000", _page_samples(base, 1000), _raw_samples(RAW_LIST_SQL, first, 1000)
        )
        figures += _latency_figures(
            "GET requests.json 100",
            _page_samples(f"{base}&page_size=100", 100),
            _raw_samples(RAW_LIST_SQL, first | {"n": 100}, 100),
        )
        deep = {"j": jurisdiction_id, "at": deep_at, "id": deep_id, "n": 1000}
        figures += _latency_figures(
            "GET requests.json 1,000 after 50,000",
            _page_samples(f"{base}&after={deep_public_id}", 1000),
            _raw_samples(RAW_LIST_SQL, deep, 1000),
        )
        print("  the update feed of a busy window", flush=True)
        figures.append(_feed_figure(jurisdiction, start, end))
    finally:
        _stop_server(server)
        StatusChange.objects.filter(internal_note="bench-feed").delete()
    return figures
