"""Fill the search grams of items that have none (issue 18): after a restore without the
search table, or to finish an interrupted migration 0009. Idempotent and resumable."""

from django.core.management.base import BaseCommand

from submissions import search


class Command(BaseCommand):
    help = "为尚未建立检索索引的信息补建索引（分批提交，可重复运行）"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args, batch: int, **options):
        filled = search.backfill(batch=batch, log=self.stdout.write)
        self.stdout.write(f"补建检索索引 {filled} 条。")
