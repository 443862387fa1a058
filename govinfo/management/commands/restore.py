from pathlib import Path

from django.core.management.base import BaseCommand

from govinfo.backup import restore


class Command(BaseCommand):
    help = "把备份恢复到一个空数据库和文件目录。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("source", help="backup 命令生成的备份目录")
        parser.add_argument("--database-url", required=True, help="空的目标数据库，如 postgres://…/govinfo_restored")
        parser.add_argument("--media-root", required=True, help="恢复文件的目标目录（media）")

    def handle(self, *args, source: str, database_url: str, media_root: str, **options) -> None:
        manifest = restore(Path(source), database_url=database_url, media_root=Path(media_root))
        self.stdout.write(self.style.SUCCESS(f"恢复完成：备份时信息 {manifest['items']} 条"))
