"""manage.py copy_scheme SCHEME_ID --year Y: the scheme's rules for another year."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from scoring import actions
from scoring.models import Scheme


class Command(BaseCommand):
    help = "复制考核方案（设置、被考核单位、基数、计分规则、奖项，不含台账）到另一年度，供编辑。"

    def add_arguments(self, parser):
        parser.add_argument("scheme_id", type=int)
        parser.add_argument("--year", type=int, help="新年度（默认为原方案的下一年）")

    def handle(self, *args, scheme_id: int, year: int | None, **options):
        scheme = Scheme.objects.select_related("office").filter(pk=scheme_id).first()
        if scheme is None:
            raise CommandError(f"没有 id 为 {scheme_id} 的考核方案。")
        try:
            copy = actions.copy_scheme(scheme=scheme, year=year or scheme.year + 1)
        except (ValidationError, actions.ClosingError) as exc:
            raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(f"已复制为 {copy.year} 年度方案《{copy.name}》（id {copy.pk}），请在管理后台核对后启用。")
