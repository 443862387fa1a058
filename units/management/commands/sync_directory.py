"""manage.py sync_directory [--dry-run] [--all-rows]"""

from django.core.management.base import BaseCommand, CommandError

from units.directory.ldap import DirectoryUnavailable, is_enabled, sync_directory
from units.directory.report import preview_lines


class Command(BaseCommand):
    help = "从目录服务（LDAP / AD）同步人员：新建、修改、停用（不删除）；--dry-run 只预览。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只预览，不写入")
        parser.add_argument("--all-rows", action="store_true", help="预览列出无变化的行")

    def handle(self, *args, dry_run: bool, all_rows: bool, **options):
        if not is_enabled():
            raise CommandError("未配置目录服务：请设置 LDAP_SERVER_URI 等环境变量（见 README“目录登录”）。")
        try:
            plan, result = sync_directory(dry_run=dry_run)
        except DirectoryUnavailable as exc:
            raise CommandError(str(exc)) from None
        for line in preview_lines(plan, all_rows=all_rows, sheets=(("人员", "people"),)):
            self.stdout.write(line)
        if dry_run:
            self.stdout.write("预览（--dry-run）：没有写入任何内容。")
        elif result is None:
            self.stdout.write(self.style.SUCCESS("系统中的人员与目录服务一致，没有需要修改的内容。"))
        else:
            skipped = f"（跳过未通过检查的 {result.skipped} 行）" if result.skipped else ""
            self.stdout.write(self.style.SUCCESS(f"同步完成。{skipped}"))
