"""A whole Civic311 stack of real processes for fault tests: a private PostgreSQL cluster and Redis that the
test may stop, restart and kill, gunicorn web processes and Celery workers, all on loopback ports."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
PGBIN = Path("/usr/lib/postgresql/15/bin")
PYTHON = sys.executable
VENV_BIN = Path(PYTHON).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(*cmd, **kwargs):
    return subprocess.run(["runuser", "-u", "postgres", "--", *map(str, cmd)], check=True, capture_output=True,
                          **kwargs)


class Stack:
    def __init__(self, folder: Path):
        self.folder = folder
        self.pg_dir = folder / "pg"
        self.pg_port, self.redis_port = free_port(), free_port()
        self.processes: dict[str, subprocess.Popen] = {}
        self.web_port = None

    @property
    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
        env.update({
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"postgis://postgres@127.0.0.1:{self.pg_port}/civic311",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "DJANGO_MEDIA_ROOT": str(self.folder / "media"),
            "DATABASE_CONN_MAX_AGE": "60",
            "LOG_FORMAT": "plain",
        })
        return env

    # --- PostgreSQL ---------------------------------------------------------------------------
    def create_database(self):
        self.folder.chmod(0o755)  # the postgres user must reach its data folder
        self.pg_dir.mkdir()
        shutil.chown(self.pg_dir, "postgres", "postgres")
        _as_postgres(PGBIN / "initdb", "-D", self.pg_dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale")
        self.start_postgres()
        _as_postgres("psql", "-h", "127.0.0.1", "-p", self.pg_port, "-U", "postgres", "-qc", "create database civic311")
        _as_postgres("psql", "-h", "127.0.0.1", "-p", self.pg_port, "-U", "postgres", "-d", "civic311", "-qc",
                     "create extension postgis")
        self.manage("migrate", "--no-input", "-v0")

    def start_postgres(self):
        _as_postgres(PGBIN / "pg_ctl", "-D", self.pg_dir, "-l", self.pg_dir / "server.log", "-w", "-o",
                     f"-p {self.pg_port} -k {self.pg_dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def stop_postgres(self, mode: str = "fast"):
        _as_postgres(PGBIN / "pg_ctl", "-D", self.pg_dir, "-m", mode, "-w", "stop")

    def sql(self, query: str) -> str:
        return _as_postgres("psql", "-h", "127.0.0.1", "-p", self.pg_port, "-U", "postgres", "-d", "civic311",
                            "-qtAc", query, text=True).stdout.strip()

    # --- Redis --------------------------------------------------------------------------------
    def start_redis(self):
        self.processes["redis"] = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
             "no", "--dir", str(self.folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait(lambda: subprocess.run(["redis-cli", "-p", str(self.redis_port), "ping"], capture_output=True,
                                          text=True).stdout.strip() == "PONG", "redis")

    def stop_redis(self):
        self._stop("redis", signal.SIGKILL)  # an abrupt loss, as in a crash

    # --- Django processes ---------------------------------------------------------------------
    def manage(self, *args):
        return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, check=True, capture_output=True,
                              text=True)

    def start_web(self, name: str = "web", workers: int = 2) -> str:
        port = free_port()
        self.processes[name] = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers",
             str(workers), "--log-level", "warning"], cwd=ROOT, env=self.env,
            stdout=open(self.folder / f"{name}.log", "ab"), stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        self._wait(lambda: httpx.get(url + "/healthz", timeout=2).status_code in (200, 503), name)
        return url

    def start_worker(self, name: str = "worker", concurrency: int = 2):
        self.processes[name] = subprocess.Popen(
            [str(VENV_BIN / "celery"), "-A", "config", "worker", "--loglevel", "WARNING", "--concurrency",
             str(concurrency), "--hostname", f"{name}@%h", "--without-mingle", "--without-gossip"],
            cwd=ROOT, env=self.env, stdout=open(self.folder / f"{name}.log", "ab"), stderr=subprocess.STDOUT,
            start_new_session=True)

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
        for name in list(self.processes):
            self._stop(name, signal.SIGTERM if name != "redis" else signal.SIGKILL)
        if self.pg_dir.exists():
            subprocess.run(["runuser", "-u", "postgres", "--", str(PGBIN / "pg_ctl"), "-D", str(self.pg_dir), "-m",
                            "immediate", "stop"], capture_output=True)

    @staticmethod
    def _wait(ready, what: str, seconds: float = 30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if ready():
                    return
            except Exception:  # not up yet: connection refused and the like
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{what} did not start within {seconds}s")
