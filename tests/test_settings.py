import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _django_check(env_overrides: dict, tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update({"GOVINFO_VAR_DIR": str(tmp_path), **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = _django_check({"GOVINFO_ENV": "production", "ALLOWED_HOSTS": "govinfo.example"}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_development_generates_a_secret_key_into_var(tmp_path):
    result = _django_check({"GOVINFO_ENV": "development"}, tmp_path)
    assert result.returncode == 0, result.stderr
    key_file = tmp_path / "secret_key"
    assert key_file.exists() and len(key_file.read_text()) >= 40
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_language_and_time_zone(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ


def test_celery_is_configured_to_lose_no_work(settings):
    assert settings.CELERY_TASK_ACKS_LATE
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1


def _cipher(env_overrides: dict, tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("ITEM_CIPHER", "ITEM_ENCRYPTION_KEYS")}
    env.update({"GOVINFO_VAR_DIR": str(tmp_path), "GOVINFO_ENV": "development", **env_overrides})
    code = "from django.conf import settings; from submissions import sealing; print(sealing.seal('x')[:4])"
    command = [sys.executable, "manage.py", "shell", "-c", code]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_development_seals_with_sm4_by_default_and_fernet_stays_selectable(tmp_path):
    # The development key file is made on first use and serves SM4 (derived) as well.
    default = _cipher({}, tmp_path)
    assert default.returncode == 0, default.stderr
    assert default.stdout.split()[-1] == "sm4:" and (tmp_path / "item_encryption_key").exists()
    fernet = _cipher({"ITEM_CIPHER": "fernet"}, tmp_path)
    assert fernet.returncode == 0, fernet.stderr
    assert fernet.stdout.split()[-1] == "fern"
    wrong = _cipher({"ITEM_CIPHER": "aes"}, tmp_path)
    assert wrong.returncode != 0 and "ITEM_CIPHER 只能是 sm4 或 fernet" in wrong.stderr
