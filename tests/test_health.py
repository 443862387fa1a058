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
        ITEM_ENCRYPTION_KEYS=Fernet.generate_key().decode(), AUDIT_CHAIN_KEY="c" * 43,
        ALLOWED_HOSTS="govinfo.example.gov.cn",
        SITE_URL="https://govinfo.example.gov.cn", GOVINFO_VAR_DIR=str(tmp_path),
    )  # fmt: skip
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_provisional_calendar_is_a_warning_not_a_failure(client, db, monkeypatch):
    """From 60 days before a year with only the provisional calendar, the calendar check
    is degraded; the node stays in the load balancer (200), since every node shares it."""
    import datetime as dt

    from publications.models import CalendarYear
    from tests.publications.calendar_helpers import move_today, treat_as_uncovered

    treat_as_uncovered(monkeypatch, 2027)
    heartbeat()
    move_today(monkeypatch, dt.date(2026, 10, 15))
    body = client.get(reverse("health")).json()
    assert body["calendar"] == "ok" and body["warnings"] == []

    move_today(monkeypatch, dt.date(2026, 11, 20))
    response = client.get(reverse("health"))
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok"
    assert body["calendar"].startswith("degraded") and "2027" in body["calendar"]
    assert body["warnings"] == ["calendar"]

    move_today(monkeypatch, dt.date(2027, 2, 1))  # the year has begun, still provisional
    assert client.get(reverse("health")).json()["warnings"] == ["calendar"]

    CalendarYear.objects.create(year=2027, notice_text="2027-01-01 休")
    body = client.get(reverse("health")).json()
    assert body["calendar"] == "ok" and body["warnings"] == []
