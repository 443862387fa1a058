"""`runall` stopped by SIGTERM (kill, systemd, a container stop) takes web, worker and
beat down with it: the port is free again and no child is left running."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _until(condition, timeout: float, step: float = 0.2):
    """Poll `condition` until it returns something true or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return condition()


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def _port_free(port: int) -> bool:
    """Nothing listens on the port. SO_REUSEADDR as any server sets it: the connections the
    test made leave TIME_WAIT entries behind, which would refuse a plain bind for a minute."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _children(pid: int) -> list[int]:
    """Direct children of `pid`, read from /proc (each task's `children` list)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie (a zombie holds no port and runs nothing)."""
    try:
        state = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("State:"))
    except (OSError, StopIteration):
        return False
    return "Z" not in state.split()[1]


def test_sigterm_stops_web_worker_and_beat_and_frees_the_port(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL")}
    env["GOVINFO_VAR_DIR"] = str(tmp_path)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                   capture_output=True)  # fmt: skip
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "runall", "--addr", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    children: list[int] = []
    try:
        assert _until(lambda: _answers(port), timeout=60), "runall never served the login page"
        # The children start within the first second; the web one answering proves little
        # about the two Celery ones, so wait for all three.
        children = _until(lambda: len(_children(proc.pid)) == 3, timeout=30) and _children(proc.pid)
        assert len(children) == 3, "web, worker and beat should each be a child of runall"
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        for pid in children:  # never leave the test's own processes behind, whatever failed
            if _running(pid):
                os.killpg(pid, signal.SIGKILL)
    assert "正在停止" in out
    assert _until(lambda: not any(_running(pid) for pid in children), timeout=10), [
        pid for pid in children if _running(pid)
    ]
    assert _until(lambda: _port_free(port), timeout=10), f"port {port} still held after SIGTERM"
