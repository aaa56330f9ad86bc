"""Open311 filing through the real web server, next to the framework's floor and raw PostgreSQL.

- POST requests.json per second through gunicorn (production settings) at 1, 4 and 16 concurrent clients,
  beside (a) the same server answering a no-op Open311 endpoint and (b) single-row INSERT + COMMIT straight
  into the same PostgreSQL at the same concurrency.

The Open311 reads (GET requests, the update feed) are measured by bench/open311_listing.py on this server.

The no-op endpoint exists only in this benchmark's server: ``wsgi_app()`` adds it in front of config.urls.
"""

import http.client
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from bench.figures import Figure

PORT = int(os.environ.get("BENCH_OPEN311_PORT", "8150"))
WORKERS = int(os.environ.get("WEB_WORKERS", "3"))  # as `make run` starts gunicorn
SECONDS = float(os.environ.get("BENCH_OPEN311_SECONDS", "5"))
CONCURRENCY = (1, 4, 16)
BENCH_DESCRIPTION = "Benchmark pothole by the bus stop"
ROOT = Path(__file__).resolve().parent.parent


def wsgi_app():
    """gunicorn entry point: the production settings, plus POST /bench/noop.json (an empty Open311 answer)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.conf import settings

    django.setup()
    from django.core.wsgi import get_wsgi_application
    from django.urls import include, path

    from open311.views import Open311View

    class NoopView(Open311View):
        def post(self, request, fmt):
            self.params(request)  # parse the same form body a filing would
            return self.answer([], "service_requests", "request")

    class BenchUrls:
        urlpatterns = [path("bench/noop.<str:fmt>", NoopView.as_view()), path("", include("config.urls"))]

    settings.ROOT_URLCONF = BenchUrls
    return get_wsgi_application()


# --- load generation: one process per client, each posting as fast as it gets answers ---


def _http_worker(args):
    method, path, body, seconds = args
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Host": "127.0.0.1"}
    done = failed = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        conn.close()
        if response.status == 200:
            done += 1
        else:
            failed += 1
    return done, failed


def _sql_worker(args):
    dsn, seconds = args
    import psycopg

    done = 0
    with psycopg.connect(dsn, autocommit=True) as conn:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            conn.execute(
                "INSERT INTO bench_open311_raw (location, description, created_at) "
                "VALUES (ST_SetSRID(ST_MakePoint(%s, %s), 4326), %s, now())",
                (-122.42, 37.77, "Raw insert benchmark"),
            )
            done += 1
    return done, 0


def _rate(worker, args, clients: int) -> float:
    with multiprocessing.get_context("fork").Pool(clients) as pool:
        started = time.monotonic()
        results = pool.map(worker, [args] * clients)
        elapsed = time.monotonic() - started
    done = sum(r[0] for r in results)
    failed = sum(r[1] for r in results)
    if failed:
        raise RuntimeError(f"{failed} requests failed during the benchmark")
    return done / elapsed


def _dsn() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    return (
        f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} dbname={db['NAME']} "
        f"user={db['USER']} password={db['PASSWORD']}"
    )


def _start_server() -> subprocess.Popen:
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.open311_filing:wsgi_app()",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/open311/v2/discovery.json")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def _stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def _filing_body(jurisdiction, raw_key: str) -> tuple[str, str]:
    from requests_app.models import Question

    service_type = jurisdiction.service_types.filter(active=True, delivery="realtime").order_by("code").first()
    params = {
        "api_key": raw_key,
        "jurisdiction_id": jurisdiction.slug,
        "service_code": service_type.code,
        "lat": "37.7749",
        "long": "-122.4194",
        "description": BENCH_DESCRIPTION,
        "address_string": "1 Market St",
    }
    for question in service_type.questions.filter(required=True):
        params[f"attribute[{question.code}]"] = (
            question.allowed_keys[0] if question.datatype in Question.LIST_TYPES else "1"
        )
    return urllib.parse.urlencode(params), service_type.code


def run(jurisdiction_id: int) -> list[Figure]:
    from django.db import connection

    from open311.models import ApiKey
    from open311.services import create_api_key
    from requests_app.models import Jurisdiction, ServiceRequest

    jurisdiction = Jurisdiction.objects.get(pk=jurisdiction_id)
    key, raw_key = create_api_key(application="bench", jurisdiction=jurisdiction, writes_per_minute=10**9)
    body, _code = _filing_body(jurisdiction, raw_key)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_open311_raw (id bigserial PRIMARY KEY, "
            "location geometry(Point, 4326), description text, created_at timestamptz)"
        )
    connection.close()  # forked clients must not share this connection
    figures = []
    server = _start_server()
    try:
        # Warm every worker (imports, URL map, connections) on both endpoints before measuring either.
        _rate(_http_worker, ("POST", "/open311/v2/requests.json", body, 1.0), WORKERS * 2)
        _rate(_http_worker, ("POST", "/bench/noop.json", body, 1.0), WORKERS * 2)
        for clients in CONCURRENCY:
            print(f"  filing with {clients} client(s)", flush=True)
            filing = _rate(_http_worker, ("POST", "/open311/v2/requests.json", body, SECONDS), clients)
            noop = _rate(_http_worker, ("POST", "/bench/noop.json", body, SECONDS), clients)
            raw = _rate(_sql_worker, (_dsn(), SECONDS), clients)
            figures.append(
                Figure(
                    "open311_filing",
                    f"POST requests.json, {clients} clients vs no-op",
                    filing,
                    noop,
                    "req/s",
                    True,
                    "no-op endpoint",
                )
            )
            figures.append(
                Figure(
                    "open311_filing",
                    f"POST requests.json, {clients} clients vs raw INSERT",
                    filing,
                    raw,
                    "req/s",
                    True,
                    "INSERT+COMMIT",
                )
            )
    finally:
        _stop_server(server)
    # Leave the benchmark dataset as it was for the other benchmarks.
    ServiceRequest.objects.filter(channel="open311", description=BENCH_DESCRIPTION).delete()
    ApiKey.objects.filter(pk=key.pk).delete()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_open311_raw")
    return figures
