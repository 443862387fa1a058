"""Archive the audit rows older than a date to a signed file, then prune them.

    manage.py audit_archive --before 2025-01-01 [--dir var/audit-archives] [--keep]
    manage.py audit_archive --check FILE

Only rows older than AUDIT_RETENTION_DAYS may go (refused otherwise, and by the
database's trigger on PostgreSQL). The file is written and fsynced, checked again from
disk, and only then are the rows removed, in one transaction that leaves the chain's
anchor; both steps are audit rows. --keep writes the file and removes nothing.
"""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit import archive


class Command(BaseCommand):
    help = "把保存期限以前的审计记录归档为签名文件，然后删除；或校验一个归档文件。"

    def add_arguments(self, parser):
        parser.add_argument("--before", help="归档此日期（YYYY-MM-DD，本地时间零点）之前的记录")
        parser.add_argument("--dir", default=str(Path(settings.VAR_DIR) / "audit-archives"))
        parser.add_argument("--keep", action="store_true", help="只写归档文件，不删除")
        parser.add_argument("--check", metavar="FILE", help="校验归档文件的签名和校验链")

    def handle(self, *args, before, dir, keep, check, **options):
        try:
            if check:
                done = archive.check_archive(Path(check))
                self.stdout.write(f"归档文件一致：{done.rows} 行，截至 #{done.through_id}，SM3 {done.sm3}。")
                return
            if not before:
                raise CommandError("请用 --before YYYY-MM-DD 指定归档截止日期，或用 --check FILE 校验文件。")
            try:
                day = dt.date.fromisoformat(before)
            except ValueError as exc:
                raise CommandError(f"日期格式不对：{before}（应为 YYYY-MM-DD）。") from exc
            cutoff = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
            done = archive.write_archive(before=cutoff, directory=Path(dir))
            self.stdout.write(f"已归档 {done.rows} 行（截至 #{done.through_id}）到 {done.path}，SM3 {done.sm3}。")
            if not keep:
                deleted = archive.prune(done, before=cutoff)
                self.stdout.write(f"已删除 {deleted} 行；校验链从 #{done.through_id} 的校验值继续。")
        except archive.ArchiveError as exc:
            raise CommandError(str(exc)) from exc
