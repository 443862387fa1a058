"""Run the real thing on this machine: a PostgreSQL database of its own, gunicorn, a
Celery worker and beat over Redis. Shared by the load run (bench/load/run.py) and the
fault scripts (bench/faults/).

Every process is started in its own session and stopped by its own process group id,
so nothing else on the machine is touched. Logs go to <var dir>/logs/<name>.log.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = str(ROOT / ".venv" / "bin" / "python")
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", flush=True)


def psql(sql: str, *, database: str = "postgres", port: int = PG["port"]) -> str:
    """Run one SQL command as the postgres user; returns psql's unaligned output."""
    out = subprocess.run(
        ["psql", "-h", PG["host"], "-p", str(port), "-U", PG["user"], "-d", database, "-XAtq", "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def drop_database(name: str) -> None:
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create_database(name: str, *, template: str | None = None) -> None:
    drop_database(name)
    psql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def database_exists(name: str) -> bool:
    return psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


def free_port() -> int:
    """A port nobody listens on now (the kernel's pick), so that a smoke run started by a
    test never meets another run's server."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    """A redis-server of this run's own on a free port, without persistence: broker and
    cache of a smoke run, so that it flushes and mixes nobody's db numbers."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def __enter__(self) -> "OwnRedis":
        self.directory.mkdir(parents=True, exist_ok=True)
        cmd = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
               "--save", "", "--appendonly", "no", "--logfile", str(self.directory / "redis.log")]  # fmt: skip
        self.proc = subprocess.Popen(cmd, start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            ping = subprocess.run(["redis-cli", "-p", str(self.port), "PING"], capture_output=True, text=True)
            if ping.stdout.strip() == "PONG":
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"redis-server did not start on port {self.port}; see {self.directory / 'redis.log'}")

    def __exit__(self, *exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


class Stack:
    """One installation: database, Redis db numbers, var dir, and its processes."""

    def __init__(
        self,
        *,
        database: str,
        var_dir: Path,
        redis: str = "redis://127.0.0.1:6379",
        redis_db: int = 8,
        port: int = 8731,
        db_port: int = PG["port"],
        database_url: str | None = None,
        extra_env: dict | None = None,
    ) -> None:
        self.database = database
        self._database_url = database_url
        self.var_dir = Path(var_dir)
        self.var_dir.mkdir(parents=True, exist_ok=True)
        (self.var_dir / "logs").mkdir(exist_ok=True)
        self.redis = redis
        self.redis_db = redis_db
        self.port = port
        self.db_port = db_port
        self.extra_env = extra_env or {}
        self.procs: dict[str, subprocess.Popen] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database_url(self) -> str:
        """The database by name on the local PostgreSQL, or the caller's whole URL (a test's)."""
        return self._database_url or f"postgres://{PG['user']}@{PG['host']}:{self.db_port}/{self.database}"

    @property
    def broker_url(self) -> str:
        return f"{self.redis}/{self.redis_db}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        for name in (
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "CELERY_RESULT_BACKEND",
            "REDIS_URL",
            "DJANGO_SETTINGS_MODULE",
        ):
            env.pop(name, None)
        env.update(
            DATABASE_URL=self.database_url,
            CELERY_BROKER_URL=self.broker_url,
            REDIS_URL=f"{self.redis}/{self.redis_db + 1}",
            GOVINFO_VAR_DIR=str(self.var_dir),
            DEBUG="false",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
            # Sessions are cookies to the load tool; no TLS on loopback.
            SECURE_COOKIES="false",
        )
        env.update(self.extra_env)
        return env

    def manage(self, *args: str, check: bool = True, capture: bool = False) -> subprocess.CompletedProcess:
        return subprocess.run(
            [PY, "manage.py", *args], cwd=ROOT, env=self.env(), check=check, capture_output=capture, text=True
        )

    def python(self, script: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([PY, script, *args], cwd=ROOT, env=self.env(), check=check)

    def setup_django(self) -> None:
        """Use this installation's settings in the current process (the fault scripts' checks)."""
        os.environ.update({k: v for k, v in self.env().items() if k not in ("PYTHONUNBUFFERED",)})
        os.environ["DJANGO_SETTINGS_MODULE"] = "govinfo.settings"
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        import django

        django.setup()

    # --- processes ------------------------------------------------------------------

    def _start(self, name: str, cmd: list[str]) -> subprocess.Popen:
        handle = open(self.var_dir / "logs" / f"{name}.log", "ab")  # noqa: SIM115 (kept open for the child)
        proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env(), stdout=handle, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip
        self.procs[name] = proc
        return proc

    def start_web(self, *, workers: int = 3, threads: int = 1, timeout: int = 60) -> None:
        cmd = [PY, "-m", "gunicorn", "govinfo.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
               "--workers", str(workers), "--timeout", str(timeout), "--access-logfile", "-",
               "--access-logformat", '%(t)s "%(r)s" %(s)s %(b)s %(M)sms']  # fmt: skip
        if threads > 1:
            cmd += ["--worker-class", "gthread", "--threads", str(threads)]
        self._start("web", cmd)
        self.wait_http("/login/")

    def start_worker(self, *, concurrency: int = 1, name: str = "worker") -> subprocess.Popen:
        return self._start(
            name,
            [PY, "-m", "celery", "-A", "govinfo", "worker", "--pool=prefork", f"--concurrency={concurrency}",
             "--loglevel=INFO", "-n", f"{name}-{self.port}@%h", "--without-gossip", "--without-mingle"],
        )  # fmt: skip

    def start_beat(self) -> subprocess.Popen:
        schedule = self.var_dir / "celerybeat-schedule"
        return self._start(
            "beat", [PY, "-m", "celery", "-A", "govinfo", "beat", "--loglevel=INFO", "-s", str(schedule)]
        )

    def wait_worker(self, name: str = "worker", timeout: float = 60) -> None:
        """Until the worker's log says it is ready to take tasks."""
        path = self.var_dir / "logs" / f"{name}.log"
        start = path.stat().st_size if path.exists() else 0
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if path.exists():
                with open(path, "rb") as f:
                    f.seek(start)
                    if b"ready." in f.read():
                        return
            if self.procs[name].poll() is not None:
                raise RuntimeError(f"{name} exited; see {path}")
            time.sleep(0.3)
        raise RuntimeError(f"{name} not ready after {timeout:.0f} s; see {path}")

    def wait_http(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + path, timeout=5) as response:
                    if response.status < 500:
                        return
            except OSError:
                pass
            if self.procs.get("web") and self.procs["web"].poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.var_dir / 'logs' / 'web.log'}")
            time.sleep(0.3)
        raise RuntimeError(f"{self.url}{path} did not answer within {timeout:.0f} s")

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group of one of our processes (a worker and its children)."""
        proc = self.procs.get(name)
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, sig)
        proc.wait(timeout=30)

    def stop(self, name: str, timeout: float = 20) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.stop(name)

    def flush_redis(self) -> None:
        """Empty this installation's Redis db numbers (broker and cache)."""
        host_port = self.redis.removeprefix("redis://")
        host, port = host_port.split(":")
        for db in (self.redis_db, self.redis_db + 1):
            subprocess.run(["redis-cli", "-h", host, "-p", port, "-n", str(db), "FLUSHDB"], check=True,
                           capture_output=True)  # fmt: skip
