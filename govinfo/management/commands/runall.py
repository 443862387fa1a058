"""Start web, Celery worker and Celery beat together; Ctrl-C stops all three.

Used by `make run`. Each runs as a child process in its own process group so that one
Ctrl-C reaches all of them, and if any dies the others are stopped too.
"""

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


def child_env(addr: str, environ) -> dict[str, str]:
    """The children's environment: links in e-mails (SITE_URL) point at the address
    served, unless SITE_URL was set on purpose (e.g. behind a reverse proxy)."""
    env = dict(environ)
    if not env.get("SITE_URL"):
        env["SITE_URL"] = site_url_for(addr)
    return env


class Command(BaseCommand):
    help = "同时启动网站、Celery worker 和 Celery beat（Ctrl-C 全部停止）。"

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
        procs = {name: subprocess.Popen(cmd, start_new_session=True, env=env) for name, cmd in commands.items()}
        try:
            # Let the children print their banners first, so the address is the last thing on screen.
            time.sleep(4)
            self._banner(addr, env["SITE_URL"])
            while all(p.poll() is None for p in procs.values()):
                time.sleep(0.5)
            dead = [name for name, p in procs.items() if p.poll() is not None]
            self.stderr.write(f"进程已退出：{', '.join(dead)}；正在停止其余进程。")
        except KeyboardInterrupt:
            self.stdout.write("\n正在停止……")
        finally:
            for p in procs.values():
                if p.poll() is None:
                    os.killpg(p.pid, signal.SIGTERM)
            deadline = time.time() + 10
            for p in procs.values():
                try:
                    p.wait(timeout=max(0.1, deadline - time.time()))
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)

    def _banner(self, addr: str, site_url: str) -> None:
        line = "=" * 64
        self.stdout.write(self.style.SUCCESS(f"\n{line}\ngovinfo 已启动：http://{addr}/   （Ctrl-C 全部停止）"))
        self.stdout.write(f"邮件通知中的链接指向 {site_url}（可用环境变量 SITE_URL 指定）。")
        self.stdout.write(f"演示账号（密码均为 {settings.DEMO_PASSWORD}，若未修改）：")
        for prefix, unit_name in DEMO_UNITS:
            names = " ".join(f"{prefix}_{suffix}" for suffix, _ in ROLE_NAMES.values())
            self.stdout.write(f"  {unit_name}: {names}")
        self.stdout.write(
            f"编辑（editor）、签发人（signer）、管理员（admin）还须输入两步验证码：身份验证器密钥 {DEMO_TOTP_SECRET}，"
            "或另开终端运行 .venv/bin/python manage.py totp <用户名>。"
        )
        self.stdout.write(self.style.SUCCESS(line))
