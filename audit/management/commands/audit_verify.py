"""Walk the audit record's and the points ledger's chains (audit/chain.py).

    manage.py audit_verify

Exits 0 with a summary per chain when every row matches; exits 1 naming the first row
that does not. The chain runs in the order the linker gave it (chain_seq); rows written
but not linked yet are "pending" while younger than --grace-minutes (default 10), a break
after that (audit/chain.py). It only reads: linking is the linker's (audit.link_chains).
The run itself is an audit row (who checked, and what was found).
"""

import datetime as dt
import time

from django.core.management.base import BaseCommand

import audit
from audit import chain


class Command(BaseCommand):
    help = "校验审计记录和积分台账的防篡改链；发现不符时以状态 1 退出并指出第一行。"

    def add_arguments(self, parser):
        parser.add_argument("--grace-minutes", type=float, default=chain.LINK_GRACE.total_seconds() / 60)

    def handle(self, *args, grace_minutes: float, verbosity: int = 1, **options):
        started = time.monotonic()

        def progress(result):
            if verbosity:
                self.stderr.write(f"  {result.chain}: 已校验 {result.checked} 行…")

        grace = dt.timedelta(minutes=grace_minutes)
        results = [chain.verify(model, progress=progress, grace=grace) for model in chain.chained_models()]
        for r in results:
            if r.ok:
                span = f"#{r.first_id}–#{r.last_id}" if r.checked else "无"
                extra = f"，另有 {r.unchained} 行早于校验链（未覆盖）" if r.unchained else ""
                extra += f"，{r.pending} 行刚写入、待链接" if r.pending else ""
                self.stdout.write(f"{r.chain}: {r.checked} 行一致（{span}），末行校验值 {r.last_value[:16]}…{extra}")
            else:
                self.stdout.write(f"{r.chain}: 第一处不符在 #{r.broken_id}：{r.problem}（此前 {r.checked} 行一致）")
        broken = [r for r in results if not r.ok]
        audit.record(
            action="audit_verify", model="audit.chain", object_id="",
            object_repr="校验不符" if broken else "校验一致",
            changes={r.chain: [None, r.broken_id if not r.ok else r.checked] for r in results},
            actor=None, unit=None,
        )  # fmt: skip
        self.stdout.write(f"用时 {time.monotonic() - started:.1f} 秒。")
        if broken:
            raise SystemExit(1)
