"""An import in progress: its uploaded file and its state, between the requests and the
Celery tasks that plan and apply it.

The file lies under MEDIA_ROOT (shared by web and worker hosts); the state — progress,
the preview rows, the outcome — lives in the cache, which web and workers share too.
One-time passwords are kept apart, only until the importer's page has shown them once,
and are never written to disk.
"""

import secrets
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

TTL = 6 * 3600
PLANNING, PLANNED, APPLYING, APPLIED, FAILED = "planning", "planned", "applying", "applied", "failed"
STATE_LABELS = {
    PLANNING: "正在检查文件",
    PLANNED: "已检查，待确认",
    APPLYING: "正在导入",
    APPLIED: "已导入",
    FAILED: "失败",
}


def _key(token: str) -> str:
    return f"directory-import:{token}"


def _password_key(token: str) -> str:
    return f"directory-import:{token}:passwords"


def directory() -> Path:
    path = Path(settings.MEDIA_ROOT) / "directory-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_path(token: str) -> Path:
    return directory() / f"{token}.xlsx"


def create(*, owner_id: int, filename: str, content, ip: str | None) -> str:
    """Store an upload and start its state; returns the job's token."""
    token = secrets.token_urlsafe(18)
    with file_path(token).open("wb") as out:
        for chunk in content.chunks() if hasattr(content, "chunks") else [content.read()]:
            out.write(chunk)
    save(token, {"owner": owner_id, "filename": filename[:200], "ip": ip, "state": PLANNING, "done": 0, "total": 0})
    return token


def load(token: str) -> dict | None:
    if not isinstance(token, str) or not token.replace("-", "").replace("_", "").isalnum() or len(token) > 40:
        return None
    return cache.get(_key(token))


def save(token: str, state: dict) -> None:
    cache.set(_key(token), state, TTL)


def update(token: str, **changes) -> dict:
    state = load(token) or {}
    state.update(changes)
    save(token, state)
    return state


def keep_passwords(token: str, passwords: list[dict]) -> None:
    cache.set(_password_key(token), passwords, TTL)


def take_passwords(token: str) -> list[dict]:
    """The one-time passwords of an applied import, once: they are deleted as they are read."""
    passwords = cache.get(_password_key(token)) or []
    cache.delete(_password_key(token))
    return passwords


def discard_file(token: str) -> None:
    file_path(token).unlink(missing_ok=True)
