"""Filing (Open311 and the web form) through the real web server, next to the framework's floor and raw
PostgreSQL.

- POST requests.json and the web form per second through gunicorn (production settings) at 1, 4 and 16
  concurrent clients, beside (a) the same server answering a no-op Open311 endpoint and (b) single-row
  INSERT + COMMIT straight into the same PostgreSQL at the same concurrency. Aim: half the no-op's rate.
- Server CPU per filing by process (gunicorn workers, PostgreSQL, the Celery worker that routes it), read from
  /proc before and after a fixed number of filings and the routing of all of them. Aim: under 6 ms in all.
- How long one request waits to be routed after its filing is answered. Aim: 100 ms.

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

from bench.figures import Figure, percentiles

PORT = int(os.environ.get("BENCH_OPEN311_PORT", "8150"))
WORKERS = int(os.environ.get("WEB_WORKERS", "3"))  # as `make run` starts gunicorn
SECONDS = float(os.environ.get("BENCH_OPEN311_SECONDS", "5"))
CONCURRENCY = (1, 4, 16)
CPU_FILINGS = int(os.environ.get("BENCH_OPEN311_CPU_FILINGS", "400"))
RATE_AIM = 0.5  # of the no-op endpoint's rate
CPU_AIM_MS = 6.0  # all the server CPU one filing causes, routing included
ROUTED_AIM_MS = 100.0
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
    method, path, body, seconds, extra_headers = args
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Host": "127.0.0.1", **extra_headers}
    done = failed = 0
    # A duration, or a number of requests when ``seconds`` is negative (the CPU measurement).
    deadline = time.monotonic() + seconds if seconds > 0 else None
    while (time.monotonic() < deadline) if deadline else (done + failed < -seconds):
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        conn.close()
        if 200 <= response.status < 300:
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


def _server_env() -> dict:
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        # The web form's per-address limit still counts every filing (the same Redis round trip); the benchmark's
        # one address must not hit it.
        "RATE_LIMIT_FILINGS": f"{10**9}/3600",
    }


def _start_worker() -> subprocess.Popen:
    """The Celery worker that routes what is filed (and sends what filing queues), as `make run` starts it."""
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel", "WARNING", "--concurrency", "1"],
        cwd=ROOT,
        env=_server_env(),
        start_new_session=True,
    )


def _start_server() -> subprocess.Popen:
    env = _server_env()
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


def _process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def _cpu_ms(pids: list[int]) -> float:
    """utime + stime of these processes, in milliseconds (children that ended are not counted)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total * 1000 / os.sysconf("SC_CLK_TCK")


def _postmaster_pid() -> int | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW data_directory")
        data_directory = cursor.fetchone()[0]
    try:
        return int((Path(data_directory) / "postmaster.pid").read_text().split()[0])
    except OSError:
        return None  # PostgreSQL on another machine or in a container: its CPU is not seen from here


def _cpu_by_process(server: subprocess.Popen, worker: subprocess.Popen, postmaster: int | None) -> dict:
    return {
        "web": _cpu_ms(_process_tree(server.pid)),
        "PostgreSQL": _cpu_ms(_process_tree(postmaster)) if postmaster else 0.0,
        "Celery worker": _cpu_ms(_process_tree(worker.pid)),
    }


def _wait_until_routed(limit_s: float = 120) -> None:
    from requests_app.models import ServiceRequest

    deadline = time.monotonic() + limit_s
    pending = ServiceRequest.objects.filter(description=BENCH_DESCRIPTION, routing_state="pending")
    while pending.exists():
        if time.monotonic() > deadline:
            raise RuntimeError("the worker did not route the benchmark's filings in time")
        time.sleep(0.2)


def _routed_after_ms(body: str, samples: int = 10) -> list[float]:
    """For one filing at a time: from its answer until the worker stored its routing."""
    import json

    from requests_app.models import ServiceRequest

    waits = []
    for _ in range(samples):
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        conn.request("POST", "/open311/v2/requests.json", body=body, headers=_FORM_HEADERS)
        public_id = json.loads(conn.getresponse().read())[0]["service_request_id"]
        conn.close()
        answered = time.perf_counter()
        routed = ServiceRequest.objects.filter(public_id=public_id).exclude(routing_state="pending")
        while not routed.exists():
            if time.perf_counter() - answered > 30:
                raise RuntimeError("a filing was not routed within 30 s")
            time.sleep(0.002)
        waits.append((time.perf_counter() - answered) * 1000)
        time.sleep(0.2)  # one at a time, on an idle worker
    return waits


_FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded", "Host": "127.0.0.1"}


def _web_form(slug: str, code: str, answers: dict) -> tuple[str, str, dict]:
    """The resident form's POST (as the page's script sends it, answered in JSON): path, body and headers, with
    the CSRF cookie and token a first GET of the form gave."""
    path = f"/{slug}/report/{code}/"
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    conn.request("GET", path, headers={"Host": "127.0.0.1"})
    response = conn.getresponse()
    response.read()
    conn.close()
    cookie = response.getheader("Set-Cookie", "")
    token = cookie.split("csrftoken=", 1)[1].split(";", 1)[0]
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "description": BENCH_DESCRIPTION,
            "address": "1 Market St",
            "lat": "37.7749",
            "lon": "-122.4194",
            **{f"q_{code}": value for code, value in answers.items()},
        }
    )
    return path, body, {"Cookie": f"csrftoken={token}", "Accept": "application/json"}


def _filing_body(jurisdiction, raw_key: str) -> tuple[str, str, dict]:
    from requests_app.models import Question

    service_type = (
        jurisdiction.service_types.filter(active=True, delivery="realtime", kind="problem").order_by("code").first()
    )
    params = {
        "api_key": raw_key,
        "jurisdiction_id": jurisdiction.slug,
        "service_code": service_type.code,
        "lat": "37.7749",
        "long": "-122.4194",
        "description": BENCH_DESCRIPTION,
        "address_string": "1 Market St",
    }
    answers = {
        question.code: question.allowed_keys[0] if question.datatype in Question.LIST_TYPES else "1"
        for question in service_type.questions.filter(required=True)
    }
    params.update({f"attribute[{code}]": value for code, value in answers.items()})
    return urllib.parse.urlencode(params), service_type.code, answers


def run(jurisdiction_id: int) -> list[Figure]:
    from django.db import connection

    from open311.models import ApiKey
    from open311.services import create_api_key
    from requests_app.models import Jurisdiction, ServiceRequest

    jurisdiction = Jurisdiction.objects.get(pk=jurisdiction_id)
    key, raw_key = create_api_key(application="bench", jurisdiction=jurisdiction, writes_per_minute=10**9)
    body, code, answers = _filing_body(jurisdiction, raw_key)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_open311_raw (id bigserial PRIMARY KEY, "
            "location geometry(Point, 4326), description text, created_at timestamptz)"
        )
    postmaster = _postmaster_pid()
    connection.close()  # forked clients must not share this connection
    figures = []
    server, worker = _start_server(), _start_worker()
    try:
        form_path, form_body, form_headers = _web_form(jurisdiction.slug, code, answers)
        edges = {
            "POST requests.json": ("POST", "/open311/v2/requests.json", body, {}),
            "web form POST": ("POST", form_path, form_body, form_headers),
        }
        noop = ("POST", "/bench/noop.json", body, {})
        # Warm every worker (imports, URL map, connections) on every endpoint before measuring any.
        for method, path, payload, headers in [*edges.values(), noop]:
            _rate(_http_worker, (method, path, payload, 1.0, headers), WORKERS * 2)
        _wait_until_routed()
        for clients in CONCURRENCY:
            print(f"  filing with {clients} client(s)", flush=True)
            noop_rate = _rate(_http_worker, (*noop[:3], SECONDS, noop[3]), clients)
            raw = _rate(_sql_worker, (_dsn(), SECONDS), clients)
            for edge, (method, path, payload, headers) in edges.items():
                filing = _rate(_http_worker, (method, path, payload, SECONDS, headers), clients)
                # Whether the aim is met is said once, by each Figure's line (bench/figures.py).
                print(
                    f"  {edge}, {clients} clients: {filing:.0f}/s, no-op {noop_rate:.0f}/s, "
                    f"ratio {filing / noop_rate:.2f}",
                    flush=True,
                )
                figures.append(
                    Figure(
                        "open311_filing",
                        f"{edge}, {clients} clients vs no-op",
                        filing,
                        noop_rate,
                        "req/s",
                        True,
                        "no-op endpoint",
                        aim_ratio=RATE_AIM,
                    )
                )
                figures.append(
                    Figure(
                        "open311_filing",
                        f"{edge}, {clients} clients vs raw INSERT",
                        filing,
                        raw,
                        "req/s",
                        True,
                        "INSERT+COMMIT",
                    )
                )
            _wait_until_routed()
        figures += _cpu_figures(server, worker, postmaster, edges)
        waits = _routed_after_ms(body)
        p50, p95 = percentiles(waits)
        print(f"  routed after filing: p50 {p50:.0f} ms, p95 {p95:.0f} ms", flush=True)
        figures.append(
            Figure(
                "open311_filing",
                "routed after filing p95",
                p95,
                ROUTED_AIM_MS,
                "ms",
                False,
                "aim",
                aim_value=ROUTED_AIM_MS,
            )
        )
    finally:
        _stop_server(server)
        _stop_server(worker)
    # Leave the benchmark dataset as it was for the other benchmarks.
    ServiceRequest.objects.filter(description=BENCH_DESCRIPTION).delete()
    ApiKey.objects.filter(pk=key.pk).delete()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_open311_raw")
    return figures


def _cpu_figures(server, worker, postmaster, edges: dict) -> list[Figure]:
    """Server CPU per filing, by process: CPU_FILINGS filings from 4 clients, then until the worker routed them."""
    figures = []
    for edge, (method, path, payload, headers) in edges.items():
        clients = 4
        before = _cpu_by_process(server, worker, postmaster)
        with multiprocessing.get_context("fork").Pool(clients) as pool:
            results = pool.map(_http_worker, [(method, path, payload, -(CPU_FILINGS // clients), headers)] * clients)
        _wait_until_routed()
        after = _cpu_by_process(server, worker, postmaster)
        filings = sum(done for done, _failed in results)
        per_filing = {name: (after[name] - before[name]) / filings for name in before}
        total = sum(per_filing.values())
        parts = ", ".join(f"{name} {ms:.2f}" for name, ms in per_filing.items())
        print(f"  {edge}: server CPU per filing {total:.2f} ms ({parts})", flush=True)
        for name, ms in [*per_filing.items(), ("all", total)]:
            figures.append(
                Figure(
                    "open311_filing",
                    f"{edge} CPU per filing, {name}",
                    ms,
                    CPU_AIM_MS,
                    "ms",
                    False,
                    "aim, all",
                    aim_value=CPU_AIM_MS if name == "all" else None,
                )
            )
    return figures


def profile(filings: int = 300, top: int = 25) -> None:
    """cProfile of the web process over ``filings`` Open311 filings (production settings, benchmark database),
    in process through Django's full handler and middleware; prints the functions by own and by total time."""
    import cProfile
    import pstats

    from django.test import Client

    from open311.models import ApiKey
    from open311.services import create_api_key
    from requests_app.models import Jurisdiction, ServiceRequest

    jurisdiction = Jurisdiction.objects.get(slug="sfgov.org")
    key, raw_key = create_api_key(application="bench-profile", jurisdiction=jurisdiction, writes_per_minute=10**9)
    body, _code, _answers = _filing_body(jurisdiction, raw_key)
    client = Client(HTTP_HOST="127.0.0.1")

    def file():
        response = client.post("/open311/v2/requests.json", body, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 200, response.content

    for _ in range(20):  # imports, URL map, connections, caches
        file()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(filings):
        file()
    profiler.disable()
    print(f"{(time.perf_counter() - started) * 1000 / filings:.2f} ms of wall time per filing (under the profiler)")
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    ServiceRequest.objects.filter(description=BENCH_DESCRIPTION).delete()
    ApiKey.objects.filter(pk=key.pk).delete()


if __name__ == "__main__":
    # `python -m bench.open311_filing profile`: where a filing's time goes in the web process.
    from bench.dataset import use_bench_database

    use_bench_database()
    os.environ.update(_server_env() | {"DJANGO_ALLOWED_HOSTS": "127.0.0.1"})
    import django

    django.setup()
    profile()
