"""manage.py recompute_scheme SCHEME_ID [--dry-run]: apply the current rules.

A running year gets the differences written as 重算差额 rows (unless --dry-run); a final
year is only compared with its stored board, and nothing is written."""

from django.core.management.base import BaseCommand, CommandError

from scoring import actions
from scoring.models import Scheme, Stage


class Command(BaseCommand):
    help = "按现行规则重算考核方案的采用积分；已定稿的年度只报告与定稿积分榜的差异，不作更改。"

    def add_arguments(self, parser):
        parser.add_argument("scheme_id", type=int)
        parser.add_argument("--dry-run", action="store_true", help="只报告差额，不记入台账")

    def handle(self, *args, scheme_id: int, dry_run: bool, **options):
        scheme = Scheme.objects.select_related("office").filter(pk=scheme_id).first()
        if scheme is None:
            raise CommandError(f"没有 id 为 {scheme_id} 的考核方案。")
        final = scheme.stage == Stage.FINAL
        if final:
            differences, board = actions.recompute_report(scheme)
            self.stdout.write(f"《{scheme.name}》{scheme.year}年度已定稿：只报告差异，未作任何更改。")
            for d in board:
                self.stdout.write(f"{d.unit}：定稿 {d.stored}，重算 {d.recomputed}，差额 {d.delta:+}")
            if not board:
                self.stdout.write("重算结果与定稿积分榜一致。")
        elif dry_run:
            differences = actions.rule_differences(scheme)
        else:
            differences = actions.recompute(scheme=scheme, user=None)
        # Items by id only: a command's output may end up in logs read by anyone.
        for d in differences:
            self.stdout.write(f"{d.unit.display_name} 信息#{d.item.pk}：{d.before} → {d.after}（{d.delta:+}）")
        written = "" if final or dry_run else "，已记入台账"
        self.stdout.write(f"共 {len(differences)} 处差额{written}。")
