"""Links in e-mails point where the app really runs: `make run` sets SITE_URL from the
address it serves, and production refuses to start without it."""

import os
import subprocess
import sys
from pathlib import Path

from django.core import mail

from govinfo.management.commands import runall
from units.notify import notify

ROOT = Path(__file__).resolve().parent.parent


def _production_check(tmp_path, **extra) -> subprocess.CompletedProcess:
    from cryptography.fernet import Fernet

    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SITE_URL")}
    env.update({
        "GOVINFO_VAR_DIR": str(tmp_path), "GOVINFO_ENV": "production", "ALLOWED_HOSTS": "govinfo.example",
        "SECRET_KEY": "x" * 50, "ITEM_ENCRYPTION_KEYS": Fernet.generate_key().decode(), "AUDIT_CHAIN_KEY": "c" * 43,
        **extra,
    })  # fmt: skip
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_site_url(tmp_path):
    result = _production_check(tmp_path)
    assert result.returncode != 0 and "SITE_URL" in result.stderr
    result = _production_check(tmp_path, SITE_URL="https://govinfo.example/")
    assert "SITE_URL" not in result.stderr


def test_make_run_passes_the_served_address_to_web_worker_and_beat(monkeypatch):
    started = []

    class Finished:
        pid = 0

        def poll(self):
            return 0

        def wait(self, timeout=None):
            return 0

    def popen(cmd, **kwargs):
        started.append(kwargs["env"])
        return Finished()

    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.setattr(runall.subprocess, "Popen", popen)
    monkeypatch.setattr(runall.time, "sleep", lambda s: None)
    runall.Command().handle(addr="192.168.10.5:8080")
    assert [env["SITE_URL"] for env in started] == ["http://192.168.10.5:8080"] * 3


def test_served_address_gives_the_site_url():
    assert runall.site_url_for("127.0.0.1:8000") == "http://127.0.0.1:8000"
    assert runall.site_url_for("8000") == "http://127.0.0.1:8000"
    assert runall.site_url_for("0.0.0.0:9000").endswith(":9000")
    assert "0.0.0.0" not in runall.site_url_for("0.0.0.0:9000")
    # Set on purpose (a reverse proxy in front): kept.
    assert runall.child_env("0.0.0.0:8000", {"SITE_URL": "https://xx.gov.cn"})["SITE_URL"] == "https://xx.gov.cn"


def test_email_links_use_site_url(settings, writer, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://govinfo.example.gov.cn"
    writer.email = "writer@example.gov.cn"
    writer.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[writer], verb="test", title="测试通知", url="/items/1/")
    assert "https://govinfo.example.gov.cn/items/1/" in mail.outbox[-1].body
