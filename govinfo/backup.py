"""Backup and restore: the database (pg_dump custom format, or SQLite's online backup)
plus the uploaded and generated files under MEDIA_ROOT, in one folder with a manifest."""

import json
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone


def _pg_args(db: dict) -> tuple[list[str], dict]:
    args = ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432), "-U", db.get("USER") or "postgres"]
    env = {"PGPASSWORD": db["PASSWORD"]} if db.get("PASSWORD") else {}
    return args, env


def backup(out: Path) -> dict:
    """Write db.dump or db.sqlite3, media.tar.gz and manifest.json into `out`."""
    import os

    out.mkdir(parents=True, exist_ok=True)
    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        args, env = _pg_args(db)
        subprocess.run(
            ["pg_dump", "-Fc", "--no-owner", *args, "-f", str(out / "db.dump"), db["NAME"]],
            check=True, env={**os.environ, **env},
        )  # fmt: skip
        database_file = "db.dump"
    else:
        source = sqlite3.connect(db["NAME"])
        target = sqlite3.connect(out / "db.sqlite3")
        with target:
            source.backup(target)  # consistent even while the app writes (WAL)
        source.close()
        target.close()
        database_file = "db.sqlite3"
    with tarfile.open(out / "media.tar.gz", "w:gz") as tar:
        media = Path(settings.MEDIA_ROOT)
        if media.exists():
            tar.add(media, arcname="media")
    from submissions.models import Item

    manifest = {
        "created_at": timezone.now().isoformat(),
        "vendor": connection.vendor,
        "database_file": database_file,
        "items": Item.objects.count(),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest


def restore(source: Path, *, database_url: str, media_root: Path) -> dict:
    """Restore a backup into an EMPTY database named by `database_url` and a media folder."""
    import os

    import environ

    manifest = json.loads((source / "manifest.json").read_text())
    db = environ.Env.db_url_config(database_url)
    if manifest["vendor"] == "postgresql":
        args, env = _pg_args(db)
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", *args, "-d", db["NAME"], str(source / "db.dump")],
            check=True, env={**os.environ, **env},
        )  # fmt: skip
    else:
        target = Path(db["NAME"])
        if target.exists() and target.stat().st_size:
            raise FileExistsError(f"{target} is not empty: restore only into a new database")
        shutil.copyfile(source / "db.sqlite3", target)
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / "media.tar.gz", "r:gz") as tar:
        tar.extractall(media_root.parent, filter="data")
    return manifest
