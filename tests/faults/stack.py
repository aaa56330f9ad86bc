"""A whole Civic311 stack of real processes for fault tests: a private PostgreSQL cluster and Redis that the
test may stop, restart and kill, gunicorn web processes and Celery workers, all on loopback ports."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[2]
PGBIN = Path("/usr/lib/postgresql/15/bin")
PYTHON = sys.executable
VENV_BIN = Path(PYTHON).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(*cmd, **kwargs):
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *map(str, cmd)], check=True, capture_output=True, **kwargs
    )


class Stack:
    def __init__(self, folder: Path):
        self.folder = folder
        self.pg_dir = folder / "pg"
        self.pg_port, self.redis_port = free_port(), free_port()
        self.processes: dict[str, subprocess.Popen] = {}
        self.web_port = None
        self.settings: dict[str, str] = {}  # extra environment for the Django processes started after setting it
        self.api_key = ""

    @property
    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "DATABASE_URL": f"postgis://postgres@127.0.0.1:{self.pg_port}/civic311",
                "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
                "DJANGO_MEDIA_ROOT": str(self.folder / "media"),
                "DATABASE_CONN_MAX_AGE": "60",
                "LOG_FORMAT": "plain",
            }
        )
        env.update(self.settings)
        return env

    # --- PostgreSQL ---------------------------------------------------------------------------
    def create_database(self):
        self.folder.chmod(0o755)  # the postgres user must reach its data folder
        self.pg_dir.mkdir()
        shutil.chown(self.pg_dir, "postgres", "postgres")
        _as_postgres(PGBIN / "initdb", "-D", self.pg_dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale")
        self.start_postgres()
        _as_postgres("psql", "-h", "127.0.0.1", "-p", self.pg_port, "-U", "postgres", "-qc", "create database civic311")
        _as_postgres(
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            self.pg_port,
            "-U",
            "postgres",
            "-d",
            "civic311",
            "-qc",
            "create extension postgis",
        )
        self.manage("migrate", "--no-input", "-v0")

    def seed(self) -> str:
        """The demo cities (their areas, service types and routing rules, no requests) and an Open311 API key
        for Shenzhen, made as an operator would: with the management commands."""
        self.manage("load_demo", "--sf-rows", "0", "--no-accounts")
        # The demo's permit applications are requests too: the tests count only the ones they file.
        self.sql("truncate requests_app_servicerequest cascade")
        self.api_key = self.manage(
            "open311_key",
            "create",
            "--application",
            "Fault tests",
            "--jurisdiction",
            "sz.gov.cn",
            "--writes-per-minute",
            "100000",
        ).stdout.strip()
        return self.api_key

    def copy_database(self, template: Path):
        """Start from a stopped, migrated and seeded cluster: a copy takes a second, migrating takes many."""
        self.folder.chmod(0o755)
        subprocess.run(["cp", "-a", str(template), str(self.pg_dir)], check=True)
        self.start_postgres()

    def start_postgres(self):
        _as_postgres(
            PGBIN / "pg_ctl",
            "-D",
            self.pg_dir,
            "-l",
            self.pg_dir / "server.log",
            "-w",
            "-o",
            f"-p {self.pg_port} -k {self.pg_dir} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )

    def start_replica(self) -> str:
        """A streaming replica of the running cluster (pg_basebackup, as an operator makes one); its URL."""
        self.replica_dir, self.replica_port = self.folder / "replica", free_port()
        self.replica_dir.mkdir(mode=0o700)
        shutil.chown(self.replica_dir, "postgres", "postgres")
        _as_postgres(
            PGBIN / "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            self.pg_port,
            "-U",
            "postgres",
            "-D",
            self.replica_dir,
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
        )
        _as_postgres(
            PGBIN / "pg_ctl",
            "-D",
            self.replica_dir,
            "-l",
            self.replica_dir / "server.log",
            "-w",
            "-o",
            f"-p {self.replica_port} -k {self.replica_dir} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )
        return f"postgis://postgres@127.0.0.1:{self.replica_port}/civic311"

    def replica_sql(self, query: str) -> str:
        return _as_postgres(
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            self.replica_port,
            "-U",
            "postgres",
            "-d",
            "civic311",
            "-qtAc",
            query,
            text=True,
        ).stdout.strip()

    def stop_postgres(self, mode: str = "fast"):
        _as_postgres(PGBIN / "pg_ctl", "-D", self.pg_dir, "-m", mode, "-w", "stop")

    def sql(self, query: str) -> str:
        return _as_postgres(
            "psql", "-h", "127.0.0.1", "-p", self.pg_port, "-U", "postgres", "-d", "civic311", "-qtAc", query, text=True
        ).stdout.strip()

    def query(self, query: str, params=()) -> list[tuple]:
        with psycopg.connect(
            host="127.0.0.1", port=self.pg_port, user="postgres", dbname="civic311", autocommit=True, connect_timeout=5
        ) as conn:
            return conn.execute(query, params).fetchall()

    def value(self, query: str, params=()):
        return self.query(query, params)[0][0]

    # --- Redis --------------------------------------------------------------------------------
    def start_redis(self):
        self.processes["redis"] = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.wait_for(lambda: self.redis("ping") == "PONG", "redis")

    def redis(self, *command: str) -> str:
        return subprocess.run(
            ["redis-cli", "-p", str(self.redis_port), *command], capture_output=True, text=True, check=True
        ).stdout.strip()

    def stop_redis(self):
        self._stop("redis", signal.SIGKILL)  # an abrupt loss, as in a crash

    # --- Django processes ---------------------------------------------------------------------
    def manage(self, *args):
        done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True)
        if done.returncode:  # say why, or a failed setup is a bare exit status
            raise RuntimeError(f"manage.py {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
        return done

    def start_web(self, name: str = "web", workers: int = 2) -> str:
        port = free_port()
        self.processes[name] = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=open(self.folder / f"{name}.log", "ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        self.wait_for(lambda: httpx.get(url + "/healthz", timeout=2).status_code in (200, 503), name)
        return url

    def start_balancer(self, *web_urls: str) -> str:
        """HAProxy (Debian's) in front of the web processes, as a city's load balancer: round robin, liveness
        checks on /livez every 300 ms, and a request whose connection fails sent to the other server."""
        port = free_port()
        servers = "\n".join(
            f"  server web{n} {url.removeprefix('http://')} check inter 300ms fall 1 rise 2"
            for n, url in enumerate(web_urls)
        )
        config = self.folder / "haproxy.cfg"
        config.write_text(f"""global
  maxconn 512
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  retries 3
  option redispatch
  retry-on conn-failure
frontend public
  bind 127.0.0.1:{port}
  default_backend web
backend web
  balance roundrobin
  option httpchk GET /livez
{servers}
""")
        self.processes["balancer"] = subprocess.Popen(
            ["haproxy", "-db", "-f", str(config)],
            stdout=open(self.folder / "balancer.log", "ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        self.wait_for(lambda: httpx.get(url + "/livez", timeout=2).status_code == 200, "balancer")
        return url

    def start_worker(self, name: str = "worker", concurrency: int = 2, queues: str = ""):
        """A Celery worker on every queue, or on ``queues`` (comma-separated) only."""
        self.processes[name] = subprocess.Popen(
            [
                str(VENV_BIN / "celery"),
                "-A",
                "config",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                str(concurrency),
                "--hostname",
                f"{name}@%h",
                "--without-mingle",
                "--without-gossip",
                *(["--queues", queues] if queues else []),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=open(self.folder / f"{name}.log", "ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_worker_ready(self, name: str = "worker", seconds: float = 30):
        self.wait_for(lambda: " ready." in (self.folder / f"{name}.log").read_text(errors="replace"), name, seconds)

    def start_beat(self, name: str = "beat"):
        self.processes[name] = subprocess.Popen(
            [
                str(VENV_BIN / "celery"),
                "-A",
                "config",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(self.folder / f"{name}-schedule"),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=open(self.folder / f"{name}.log", "ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_routing(self, *, sweep_after: int, sweep_every: float, workers=("worker",)):
        """Celery workers and beat, whose sweep routes requests waiting over ``sweep_after`` seconds, every
        ``sweep_every`` seconds. Processes started later (the web) get the same settings."""
        self.settings.update(
            {"ROUTING_SWEEP_AFTER_SECONDS": str(sweep_after), "ROUTING_SWEEP_EVERY_SECONDS": str(sweep_every)}
        )
        for name in workers:
            self.start_worker(name)
        self.start_beat()

    def is_running(self, name: str) -> bool:
        return name in self.processes and self.processes[name].poll() is None

    def kill(self, name: str):
        """SIGKILL a process and all its children (a crashed machine, not a graceful stop)."""
        self._stop(name, signal.SIGKILL)

    def _stop(self, name: str, sig: int):
        process = self.processes.pop(name, None)
        if process is None:
            return
        try:
            os.killpg(process.pid, sig) if name != "redis" else process.send_signal(sig)
        except ProcessLookupError:
            pass
        process.wait(timeout=30)

    def close(self):
        # SIGKILL: the stack is thrown away, and a graceful stop of gunicorn and Celery takes seconds per test.
        for name in list(self.processes):
            self._stop(name, signal.SIGKILL)
        for data_dir in (self.pg_dir, getattr(self, "replica_dir", None)):
            if data_dir is not None and data_dir.exists():
                subprocess.run(
                    [
                        "runuser",
                        "-u",
                        "postgres",
                        "--",
                        str(PGBIN / "pg_ctl"),
                        "-D",
                        str(data_dir),
                        "-m",
                        "immediate",
                        "stop",
                    ],
                    capture_output=True,
                )

    # --- What the database holds -----------------------------------------------------------
    def stored_requests(self) -> dict[str, tuple]:
        """public_id -> (routing_state, routing decisions, history rows, filing history rows)."""
        return {
            row[0]: row[1:]
            for row in self.query("""
            select sr.public_id, sr.routing_state,
                   (select count(*) from routing_routingdecision d where d.service_request_id = sr.id),
                   (select count(*) from requests_app_statuschange c where c.service_request_id = sr.id),
                   (select count(*) from requests_app_statuschange c where c.service_request_id = sr.id
                                                                       and c.old_status = '')
            from requests_app_servicerequest sr""")
        }

    def wait_until_routed(self, count: int, seconds: float = 45) -> None:
        """Until ``count`` requests are stored and none waits for routing."""
        self.wait_for(
            lambda: (
                self.query(
                    "select count(*), count(*) filter (where routing_state = 'pending') "
                    "from requests_app_servicerequest"
                )[0]
                == (count, 0)
            ),
            f"routing of {count} requests",
            seconds,
        )

    def assert_each_stored_and_routed_once(self, acknowledged: set[str]) -> None:
        """Every acknowledged request stored once and nothing else; each with one routing decision and one
        routing history row beside its filing's."""
        stored = self.stored_requests()
        assert set(stored) == acknowledged
        assert {state for state, *_ in stored.values()} <= {"routed", "triage"}
        assert {(decisions, history, filing) for _state, decisions, history, filing in stored.values()} == {(1, 2, 1)}

    @staticmethod
    def wait_for(ready, what: str, seconds: float = 30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if ready():
                    return
            except Exception:  # not up yet: connection refused and the like
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{what} did not happen within {seconds}s")


class Client:
    """An Open311 client filing requests: each filing has its own Idempotency-Key, resent on any answer other
    than 200 (a 503, a 5xx, no answer at all) until the server acknowledges it, as a well-behaved client does."""

    def __init__(self, stack: Stack, *urls: str):
        self.stack, self.urls = stack, urls
        self.acknowledged: dict[str, str] = {}  # Idempotency-Key -> service_request_id
        self.answers: list[httpx.Response | Exception] = []
        self.lock = threading.Lock()

    def form(self, n: int = 0) -> dict:
        # Futian district, Shenzhen: inside the demo's district polygons, so routing has areas to match.
        return {
            "api_key": self.stack.api_key,
            "jurisdiction_id": "sz.gov.cn",
            "service_code": "pothole",
            "lat": 22.54 + n % 50 * 1e-4,
            "long": 114.05 + n % 40 * 1e-4,
            "description": f"Pothole number {n}",
        }

    def post(self, url: str, form: dict, key: str) -> httpx.Response | Exception:
        try:
            answer = httpx.post(
                url + "/open311/v2/requests.json", data=form, headers={"Idempotency-Key": key}, timeout=15
            )
        except httpx.HTTPError as exc:
            answer = exc
        with self.lock:
            self.answers.append(answer)
        return answer

    def file(self, n: int, seconds: float = 30, pause: float = 0.1) -> str:
        """File one request, retrying with the same key (on the next web process, if several) until it is
        acknowledged; returns its service_request_id."""
        key, form = uuid.uuid4().hex, self.form(n)
        deadline, attempt = time.monotonic() + seconds, 0
        while time.monotonic() < deadline:
            answer = self.post(self.urls[attempt % len(self.urls)], form, key)
            attempt += 1
            if isinstance(answer, httpx.Response) and answer.status_code == 200:
                request_id = answer.json()[0]["service_request_id"]
                with self.lock:
                    self.acknowledged[key] = request_id
                return request_id
            time.sleep(pause)
        raise RuntimeError(f"filing {n} was not acknowledged within {seconds}s")

    def statuses(self) -> list:
        with self.lock:
            return [a.status_code if isinstance(a, httpx.Response) else type(a).__name__ for a in self.answers]


def in_threads(work, count: int) -> None:
    """Run ``work(i)`` in ``count`` threads and re-raise the first failure."""
    failures = []

    def run(i):
        try:
            work(i)
        except Exception as exc:  # reported below, in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if failures:
        raise failures[0]
