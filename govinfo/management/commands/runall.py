"""Start web, Celery worker and Celery beat together; Ctrl-C or SIGTERM stops all three.

Used by `make run`. Each child runs in its own process group, so a Ctrl-C in the terminal
reaches only runall, which then stops each group in turn; if any child dies the others
are stopped too.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from govinfo.demo import DEMO_TOTP_SECRET, DEMO_UNITS, ROLE_NAMES


def site_url_for(addr: str) -> str:
    """The address people reach the site at when it serves on `addr` ("8000",
    "127.0.0.1:8000", "0.0.0.0:8000", "[::]:8000"). A wildcard bind has no one address:
    the machine's name is what others on the network would type."""
    host, _, port = addr.rpartition(":")
    if not host:
        host = "127.0.0.1"
    if host in ("0.0.0.0", "[::]", "::"):  # noqa: S104 (reading the bind address, not binding)
        host = socket.getfqdn()
    return f"http://{host}:{port}"


class Stop(Exception):  # noqa: N818 (a request to stop, not an error)
    """A SIGTERM or SIGHUP arrived: leave the wait loop and stop the children."""


def _raise_stop(signum, frame) -> None:
    raise Stop(signal.Signals(signum).name)


def banner_units() -> list[tuple[str, list[str]]]:
    """The demo units and their logins as the banner prints them: the unit's full name
    (the one loaddemo creates and prints) with one login per role."""
    suffixes = [suffix for suffix, _ in ROLE_NAMES.values()]
    return [(unit_name, [f"{prefix}_{suffix}" for suffix in suffixes]) for prefix, unit_name in DEMO_UNITS]


def child_env(addr: str, environ) -> dict[str, str]:
    """The children's environment: links in e-mails (SITE_URL) point at the address
    served, unless SITE_URL was set on purpose (e.g. behind a reverse proxy)."""
    env = dict(environ)
    if not env.get("SITE_URL"):
        env["SITE_URL"] = site_url_for(addr)
    return env


class Command(BaseCommand):
    help = "同时启动网站、Celery worker 和 Celery beat（Ctrl-C 或 SIGTERM 全部停止）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--addr", default=os.environ.get("GOVINFO_ADDR", "127.0.0.1:8000"))

    def handle(self, *args, addr: str, **options) -> None:
        py = sys.executable
        celery = [py, "-m", "celery", "-A", "govinfo"]
        commands = {
            "web": [py, "manage.py", "runserver", addr, "--noreload"],
            # solo pool: one task at a time is plenty for a demo and gentle on SQLite.
            "worker": [*celery, "worker", "--pool=solo", "--loglevel=INFO", "-n", "govinfo@%h"],
            "beat": [*celery, "beat", "--loglevel=INFO", "-s", settings.CELERY_BEAT_SCHEDULE_FILENAME],
        }
        env = child_env(addr, os.environ)
        # The children sit in their own sessions, so a TERM sent to runall (kill, systemd,
        # a container stop, a closed terminal's HUP) reaches only runall. Without a handler
        # Python dies on the spot and leaves web, worker and beat running, holding the port.
        # Turning the signal into an exception lets the same `finally` as Ctrl-C stop them.
        # Installed before the first child starts, so no child can outlive an early TERM.
        stopping = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
        previous = {sig: signal.getsignal(sig) for sig in stopping}
        signal.signal(signal.SIGTERM, _raise_stop)
        signal.signal(signal.SIGHUP, _raise_stop)
        procs: dict[str, subprocess.Popen] = {}
        try:
            for name, cmd in commands.items():
                procs[name] = subprocess.Popen(cmd, start_new_session=True, env=env)
            # Let the children print their banners first, so the address is the last thing on screen.
            time.sleep(4)
            self._banner(addr, env["SITE_URL"])
            while all(p.poll() is None for p in procs.values()):
                time.sleep(0.5)
            dead = [name for name, p in procs.items() if p.poll() is not None]
            self.stderr.write(f"进程已退出：{', '.join(dead)}；正在停止其余进程。")
        except KeyboardInterrupt:
            self.stdout.write("\n正在停止……")
        except Stop as stop:
            self.stdout.write(f"\n收到 {stop}，正在停止……")
        finally:
            # A second Ctrl-C or TERM must not cut the clean-up short and orphan a child:
            # it is bounded anyway (10 s, then SIGKILL).
            for sig in stopping:
                signal.signal(sig, signal.SIG_IGN)
            self._stop(procs.values())
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    @staticmethod
    def _stop(procs) -> None:
        procs = list(procs)
        for p in procs:
            if p.poll() is None:
                # The child may exit between poll() and here; its group is then gone.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGTERM)
        deadline = time.time() + 10
        for p in procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGKILL)
                p.wait()

    def _banner(self, addr: str, site_url: str) -> None:
        line = "=" * 64
        served = addr if ":" in addr else f"127.0.0.1:{addr}"  # runserver takes a bare port too
        self.stdout.write(self.style.SUCCESS(f"\n{line}\ngovinfo 已启动：http://{served}/   （Ctrl-C 全部停止）"))
        self.stdout.write(f"邮件通知中的链接指向 {site_url}（可用环境变量 SITE_URL 指定）。")
        self.stdout.write(f"演示账号（密码均为 {settings.DEMO_PASSWORD}，若未修改）：")
        for unit_name, usernames in banner_units():
            self.stdout.write(f"  {unit_name}：{' '.join(usernames)}")
        self.stdout.write(
            f"编辑（editor）、签发人（signer）、管理员（admin）还须输入两步验证码：身份验证器密钥 {DEMO_TOTP_SECRET}，"
            "或另开终端运行 .venv/bin/python manage.py totp <用户名>。"
        )
        self.stdout.write(self.style.SUCCESS(line))
