"""Backup and restore round trip: restore into an empty database and the item count
matches; uploaded files come back too."""

import sqlite3
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from submissions import actions
from submissions.models import Item
from tests.submissions.helpers import draft, submitted
from tests.submissions.pdf_files import minimal_pdf

PDF = minimal_pdf()  # a real PDF: uploads are parsed


def _count_items(url_or_path: str, vendor: str) -> int:
    if vendor == "sqlite":
        with sqlite3.connect(url_or_path) as conn:
            return conn.execute("SELECT COUNT(*) FROM submissions_item").fetchone()[0]
    import psycopg2

    with psycopg2.connect(url_or_path) as conn, conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM submissions_item")
        return cur.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_an_empty_database_with_files(tmp_path, settings, writer, unit_approver):
    settings.MEDIA_ROOT = tmp_path / "media"
    item = draft(writer)
    actions.add_attachment(item=item, user=writer, upload=SimpleUploadedFile("数据表.pdf", PDF))
    submitted(writer, unit_approver, title="第二条")
    expected = Item.objects.count()
    call_command("backup", out=str(tmp_path / "backup"))

    vendor = connection.vendor
    media_target = tmp_path / "restored" / "media"
    if vendor == "postgresql":
        import psycopg2
        from psycopg2 import sql

        s = connection.settings_dict
        name = f"restore_{uuid.uuid4().hex[:8]}"
        admin = psycopg2.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"] or "postgres",
                                 password=s["PASSWORD"] or None, dbname="postgres")  # fmt: skip
        admin.autocommit = True
        admin.cursor().execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        url = f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"
        try:
            call_command("restore", str(tmp_path / "backup"), database_url=url, media_root=str(media_target))
            assert _count_items(url.replace("postgres://", "postgresql://"), vendor) == expected
        finally:
            admin.cursor().execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            admin.close()
    else:
        target = tmp_path / "restored.sqlite3"
        call_command("restore", str(tmp_path / "backup"), database_url=f"sqlite:///{target}",
                     media_root=str(media_target))  # fmt: skip
        assert _count_items(str(target), vendor) == expected
    stored = Path(item.attachments.get().file.name)
    assert (media_target / stored).read_bytes() == PDF


def test_restore_refuses_a_database_that_is_not_empty(tmp_path, db):
    import subprocess

    call_command("backup", out=str(tmp_path / "b"))
    if connection.vendor == "sqlite":
        occupied = tmp_path / "occupied.sqlite3"
        sqlite3.connect(occupied).execute("CREATE TABLE x (y int)").connection.commit()
        url, expected = f"sqlite:///{occupied}", FileExistsError
    else:
        # The test database itself already has every table: pg_restore must stop.
        s = connection.settings_dict
        url = f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        expected = subprocess.CalledProcessError
    with pytest.raises(expected):
        call_command("restore", str(tmp_path / "b"), database_url=url, media_root=str(tmp_path / "m"))
