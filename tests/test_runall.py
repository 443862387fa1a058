"""`make run`'s last step on the embedded defaults: web, worker and beat start together,
serve the login page in Chinese, and one Ctrl-C stops all of them."""

import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _login_page(port: int) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2) as r:
            return r.read().decode()
    except OSError:
        return ""


def _gone(pid: str) -> bool:
    status = Path(f"/proc/{pid}/status")
    try:
        return "zombie" in status.read_text().lower()
    except FileNotFoundError:
        return True


def test_runall_serves_login_and_stops_everything_on_ctrl_c(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL")}
    env["GOVINFO_VAR_DIR"] = str(tmp_path)
    # Unbuffered, so the banner reaches the pipe when it is printed, not when runall exits.
    env["PYTHONUNBUFFERED"] = "1"
    for step in (["migrate", "--noinput"], ["loaddemo"]):
        subprocess.run([sys.executable, "manage.py", *step], cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "runall", "--addr", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    children: list[str] = []
    try:
        body = wait_for(lambda: _login_page(port), timeout=60, interval=0.2, what="the login page is served")
        assert "登录政务信息报送系统" in body
        # runall prints its banner after the children's own; a Ctrl-C before it would cut it off.
        wait_for(lambda: "".join(lines).count("=" * 64) >= 2, timeout=30, what="runall's banner is complete")
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        assert len(children) == 3
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        reader.join(timeout=10)
    out = "".join(lines)
    assert f"http://127.0.0.1:{port}/" in out and "prov_editor" in out
    wait_for(lambda: all(_gone(pid) for pid in children), timeout=10, what="web, worker and beat have exited")
