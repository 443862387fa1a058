"""manage.py import_directory FILE.xlsx [--dry-run] [--valid-only] [--as USERNAME]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from units.directory.apply import DirectoryRefused, apply_directory
from units.directory.parse import DirectoryFileError, parse_workbook
from units.directory.plan import ACTION_LABELS, REFUSED, UNCHANGED, build_plan
from units.directory.template import template_xlsx
from units.models import User


class Command(BaseCommand):
    help = "从 Excel 模板导入单位和人员（--dry-run 只预览）；--template 写出空模板。"

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 文件（与 --template 同用时为写出的路径）")
        parser.add_argument("--dry-run", action="store_true", help="只预览，不写入")
        parser.add_argument("--valid-only", action="store_true", help="有被拒绝的行时，只导入通过检查的行")
        parser.add_argument("--as", dest="as_user", default="", help="以该管理员的身份导入（限其管理范围）")
        parser.add_argument("--template", action="store_true", help="把空模板写到 FILE，然后退出")
        parser.add_argument("--all-rows", action="store_true", help="预览列出无变化的行")

    def handle(self, *args, file: str, dry_run: bool, valid_only: bool, as_user: str, template: bool, **options):
        path = Path(file)
        if template:
            path.write_bytes(template_xlsx())
            self.stdout.write(f"模板已写出：{path}")
            return
        importer = None
        if as_user:
            importer = User.objects.filter(username=as_user, is_active=True).first()
            if importer is None:
                raise CommandError(f"没有启用的用户“{as_user}”。")
        try:
            with path.open("rb") as fh:
                parsed = parse_workbook(fh)
        except FileNotFoundError:
            raise CommandError(f"找不到文件：{path}") from None
        except DirectoryFileError as exc:
            raise CommandError(str(exc)) from None
        plan = build_plan(parsed, importer=importer)
        self._report(plan, all_rows=options["all_rows"])
        if dry_run:
            self.stdout.write("预览（--dry-run）：没有写入任何内容。")
            return
        if not plan.changes_anything:
            self.stdout.write(self.style.SUCCESS("文件与系统中的通讯录一致，没有需要修改的内容。"))
            return
        try:
            result = apply_directory(parsed=parsed, importer=importer, valid_only=valid_only)
        except DirectoryRefused as exc:
            raise CommandError(f"{exc} 可修正后重新导入，或加 --valid-only 只导入通过检查的行。") from None
        skipped = f"（跳过被拒绝的 {result.skipped} 行）" if result.skipped else ""
        self.stdout.write(self.style.SUCCESS(f"导入完成。{skipped}"))
        if result.passwords:
            self.stdout.write("新建人员的一次性密码（只显示这一次，首次登录须修改）：")
            for p in result.passwords:
                self.stdout.write(f"  {p.username}\t{p.full_name}\t{p.unit}\t{p.password}")
        if result.emailed:
            self.stdout.write(f"另有 {len(result.emailed)} 人的一次性密码已发送到其邮箱。")

    def _report(self, plan, *, all_rows: bool) -> None:
        counts = plan.counts()
        for sheet, key in (("单位", "units"), ("人员", "people")):
            parts = "，".join(f"{ACTION_LABELS[a]} {n}" for a, n in counts[key].items())
            self.stdout.write(f"{sheet}：{parts}")
        for row in (*plan.units, *plan.people):
            if row.action == UNCHANGED and not all_rows:
                continue
            detail = "；".join(row.reasons if row.action == REFUSED else row.changes)
            line = f"  {row.sheet}第{row.line}行 {row.key} {row.label}：{ACTION_LABELS[row.action]}"
            self.stdout.write(line + (f"（{detail}）" if detail else ""))
