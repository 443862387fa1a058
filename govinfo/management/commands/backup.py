from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from govinfo.backup import backup


class Command(BaseCommand):
    help = "备份数据库与上传、生成的文件（PostgreSQL 用 pg_dump）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", default="", help="备份目录（默认 var/backups/时间戳）")

    def handle(self, *args, out: str, **options) -> None:
        from django.conf import settings

        target = Path(out) if out else Path(settings.VAR_DIR) / "backups" / timezone.now().strftime("%Y%m%d-%H%M%S")
        manifest = backup(target)
        self.stdout.write(self.style.SUCCESS(f"备份完成：{target}（信息 {manifest['items']} 条）"))
