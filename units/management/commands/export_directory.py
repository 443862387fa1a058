"""manage.py export_directory FILE.xlsx [--as USERNAME]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from units import access
from units.directory.exports import directory_xlsx
from units.directory.queries import export_rows
from units.models import Unit, User


class Command(BaseCommand):
    help = "把当前的单位和人员按导入模板导出为 Excel（可修改后再导入）。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--as", dest="as_user", default="", help="只导出该管理员管理的范围")

    def handle(self, *args, file: str, as_user: str, **options):
        units = Unit.objects.all()
        if as_user:
            user = User.objects.filter(username=as_user, is_active=True).first()
            if user is None or not access.can_use_admin(user):
                raise CommandError(f"“{as_user}”不是启用的管理员。")
            units = access.administered_units(user)
        unit_rows, people = export_rows(units)
        Path(file).write_bytes(directory_xlsx(unit_rows, people))
        self.stdout.write(f"已导出 {len(unit_rows)} 个单位、{len(people)} 人：{file}")
