import os
import subprocess
import sys
from pathlib import Path

from django.core.cache import cache
from django.urls import reverse

from govinfo.tasks import HEARTBEAT_KEY, heartbeat

ROOT = Path(__file__).resolve().parent.parent


def test_health_reports_database_broker_and_beat(client, db):
    response = client.get(reverse("health"))
    assert response.status_code == 503 and response.json()["beat"] == "never"
    assert response.json()["database"] == "ok" and response.json()["broker"] == "ok"
    heartbeat()
    response = client.get(reverse("health"))
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_stale_beat_is_reported(client, db):
    cache.set(HEARTBEAT_KEY, "2020-01-01T00:00:00+00:00")
    body = client.get(reverse("health")).json()
    assert body["status"] == "degraded" and body["beat"].startswith("stale")


def test_deploy_checks_pass_with_production_settings(tmp_path):
    from cryptography.fernet import Fernet

    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(
        GOVINFO_ENV="production", SECRET_KEY="x" * 60 + "-production-key-for-the-check-only",
        ITEM_ENCRYPTION_KEYS=Fernet.generate_key().decode(), ALLOWED_HOSTS="govinfo.example.gov.cn",
        GOVINFO_VAR_DIR=str(tmp_path),
    )  # fmt: skip
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
