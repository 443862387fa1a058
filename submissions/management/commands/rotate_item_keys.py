"""Re-seal every sealed column with the first key of ITEM_ENCRYPTION_KEYS and ITEM_CIPHER.

    manage.py rotate_item_keys [--batch-size 500]

Each batch is its own transaction, its rows locked while they are re-sealed, so the run
can be stopped at any point and started again: a second run finds only what is left
(nothing, once done) and changes nothing that is already current. Ciphertexts in the
audit record are not rewritten (it is append-only and chained): keep an old key listed
after the first until the audit rows it sealed are archived (manage.py audit_archive).

Attachment files go next (submissions/filesealing.py): those of 敏感 items sealed with
the first key (always SM4-GCM), those of items no longer 敏感 opened; each file is
replaced atomically, so a stopped run leaves each file done or not, and a second run
rewrites none.
"""

import time

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q

import audit
from submissions import filesealing, sealing


def sealed_models() -> list:
    """Every model whose text columns may hold sealed text (SealedTextMixin), found through
    the app registry: the adoptions of publications too, without importing them."""
    return [m for m in apps.get_models() if issubclass(m, sealing.SealedTextMixin)]


def _candidates(model, fields):
    """Rows that may need re-sealing, narrowed in SQL where the prefix tells."""
    first = sealing.keys()[0]
    query = Q()
    for name in fields:
        if sealing.cipher() == "sm4":
            current = f"{sealing.SM4_PREFIX}{first.id}:"
            sealed = Q(**{f"{name}__startswith": sealing.FERNET_PREFIX}) | Q(
                **{f"{name}__startswith": sealing.SM4_PREFIX}
            )
            query |= sealed & ~Q(**{f"{name}__startswith": current})
        else:  # a Fernet token does not name its key: every sealed row is looked at
            query |= Q(**{f"{name}__startswith": sealing.FERNET_PREFIX}) | Q(
                **{f"{name}__startswith": sealing.SM4_PREFIX}
            )
    return model._base_manager.filter(query)


class Command(BaseCommand):
    help = "把所有加密字段用第一个密钥和 ITEM_CIPHER 重新加密（可中断、可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size: int, verbosity: int = 1, **options):
        started = time.monotonic()
        totals: dict[str, dict[str, int]] = {}
        for model in sealed_models():
            fields = list(model.SEALED_FIELDS)
            name = model._meta.label_lower
            todo = _candidates(model, fields).count()
            counts = totals[name] = {"looked_at": 0, "resealed": 0}
            last_pk = 0
            while True:
                with transaction.atomic():
                    rows = list(
                        _candidates(model, fields)
                        .filter(pk__gt=last_pk)
                        .order_by("pk")
                        .select_for_update()[:batch_size]
                    )
                    if not rows:
                        break
                    changed = []
                    for row in rows:
                        before = [getattr(row, f) for f in fields]
                        for f, value in zip(fields, before, strict=True):
                            setattr(row, f, sealing.reseal(value))
                        if [getattr(row, f) for f in fields] != before:
                            changed.append(row)
                    if changed:
                        model._base_manager.bulk_update(changed, fields)
                    last_pk = rows[-1].pk
                counts["looked_at"] += len(rows)
                counts["resealed"] += len(changed)
                if verbosity:
                    self.stdout.write(f"  {name}: {counts['looked_at']}/{todo}")
        files = filesealing.sync_all(rotate=True, progress=self._file_progress if verbosity else None)
        summary = {name: f"{c['resealed']}/{c['looked_at']}" for name, c in totals.items()}
        summary["files"] = f"{files.changed}/{files.looked_at}"
        audit.record(
            action="rotate_item_keys", model="submissions.sealing", object_id=sealing.keys()[0].id,
            object_repr=f"重新加密（{sealing.cipher()}）", changes={"resealed": [None, summary]}, actor=None, unit=None,
        )  # fmt: skip
        resealed = sum(c["resealed"] for c in totals.values())
        self.stdout.write(
            f"重新加密 {resealed} 行（{', '.join(f'{n} {s}' for n, s in summary.items())}），"
            f"附件文件：新加密 {files.sealed}、换密钥 {files.resealed}、解密 {files.opened}、缺失 {files.missing}，"
            f"共查看 {files.looked_at} 个；密钥 {sealing.keys()[0].id}，算法 {sealing.cipher()}（附件文件 sm4），"
            f"用时 {time.monotonic() - started:.1f} 秒。"
        )

    def _file_progress(self, counts) -> None:
        if counts.looked_at and counts.looked_at % 500 == 0:
            self.stdout.write(f"  附件文件: {counts.looked_at}")
