"""Fault: the Celery worker is killed (SIGKILL, the whole worker) in the middle of
compiling a bulletin, then started again.

    .venv/bin/python bench/faults/compile_kill.py [--adoptions 2000]

Expected: after the restart exactly one issue for that publication and day, holding every
adopted item (nothing lost, nothing twice), and the compile run finished (not left
"running"). A second delivery of the same compile changes nothing.

How: a fresh database with the demo province and N adoptions waiting in the pool of
《每日要情》 (bulk-inserted: the set-up is not what is tested), a worker over Redis db 10,
the compile queued as beat queues it (publications.compile_publication, key
"daily:<today>"). The script watches pg_locks until the worker's transaction has
inserted the issue and is putting items into it, waits a moment, and kills the worker's
process group with SIGKILL.
"""

import argparse
import time

from common import Verdict, fresh_stack, log

POLL = 0.05


def seed_pool(n: int):
    """N submitted items of the province office, each adopted into 每日要情."""
    from django.db import transaction

    from publications.models import Adoption, Publication
    from submissions import actions as item_actions
    from submissions.models import Category, Item, State
    from units.models import Unit, User

    office = Unit.objects.get(name="云南省人民政府办公厅")
    publication = Publication.objects.get(office=office, name="每日要情")
    writer = User.objects.get(username="city_staff")
    editor = User.objects.get(username="prov_editor")
    category = Category.objects.filter(parent__isnull=False).first()
    template = item_actions.create_draft(
        author=writer,
        data=item_actions.ItemData(title="昆明市推进重大项目建设", body="今年以来，昆明市推进重大项目建设。" * 20,
                                   category=category),
    )  # fmt: skip
    with transaction.atomic():
        fields = {f.attname: getattr(template, f.attname) for f in Item._meta.concrete_fields if f.attname != "id"}
        fields.update(state=State.ADOPTED)
        items = Item.objects.bulk_create(
            [Item(**{**fields, "title": f"昆明市推进重大项目建设（{i}）"}) for i in range(n)], batch_size=2000
        )
        Adoption.objects.bulk_create(
            [Adoption(publication=publication, item=item, form="full", adopted_by=editor, title=item.title,
                      body=item.body) for item in items],
            batch_size=2000,
        )  # fmt: skip
    return publication


def compile_locks(database: str) -> int:
    """Backends of other sessions holding a write lock on the issue table: the compile
    transaction has created its issue and not yet committed."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(DISTINCT l.pid) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
               JOIN pg_stat_activity a ON a.pid = l.pid
               WHERE c.relname = 'publications_issue' AND l.mode = 'RowExclusiveLock'
                 AND a.datname = %s AND l.pid <> pg_backend_pid()""",
            [database],
        )
        return cursor.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--adoptions", type=int, default=2_000)
    parser.add_argument("--wait", type=float, default=180, help="seconds to wait for the compile after the restart")
    args = parser.parse_args()
    verdict = Verdict("kill -9 the Celery worker while it compiles a bulletin")
    stack = fresh_stack("compile", port=8741, redis_db=10)
    stack.flush_redis()
    stack.setup_django()
    from django.utils import timezone

    from publications.models import Adoption, CompileRun, CompileStatus, Issue
    from publications.tasks import compile_publication

    publication = seed_pool(args.adoptions)
    pool = set(Adoption.objects.filter(publication=publication, issue=None).values_list("pk", flat=True))
    log(f"pool of 《{publication.name}》: {len(pool):,} adoptions waiting")
    key = f"daily:{timezone.localdate().isoformat()}"
    try:
        stack.start_worker(concurrency=1)
        stack.wait_worker()
        compile_publication.delay(publication.pk, key)
        log(f"queued publications.compile_publication({publication.pk}, {key!r}) as beat does")
        deadline = time.monotonic() + 60
        while compile_locks(stack.database) == 0:
            if time.monotonic() > deadline:
                verdict.check(False, "the compile transaction was seen running")
                verdict.finish()
            time.sleep(POLL)
        started = time.monotonic()
        time.sleep(0.5)
        still = compile_locks(stack.database)
        stack.kill("worker")
        log(f"worker killed with SIGKILL {time.monotonic() - started:.1f} s into the compile transaction "
            f"(transaction still open at kill: {bool(still)})")  # fmt: skip
        verdict.check(bool(still), "the kill landed inside the compile transaction")
        time.sleep(1)
        issues = Issue.objects.filter(publication=publication, compile_key=key).count()
        runs = list(CompileRun.objects.filter(publication=publication, key=key).values_list("status", flat=True))
        log(f"after the kill: {issues} issue(s) for {key}; compile runs: {runs}; "
            f"pool: {Adoption.objects.filter(publication=publication, issue=None).count():,}")  # fmt: skip
        verdict.check(issues == 0, "nothing half-done was committed (no issue yet)")

        stack.start_worker(concurrency=1)
        stack.wait_worker()
        log("worker started again")
        deadline = time.monotonic() + args.wait
        while time.monotonic() < deadline:
            if (
                Issue.objects.filter(publication=publication, compile_key=key).exists()
                and not CompileRun.objects.filter(
                    publication=publication, key=key, status=CompileStatus.RUNNING
                ).exists()
            ):
                break
            time.sleep(0.5)
        waited = args.wait - max(0.0, deadline - time.monotonic())
        log(f"waited {waited:.0f} s after the restart")

        # A second delivery of the same compile (beat's next half hour, or a redelivery).
        compile_publication.delay(publication.pk, key)
        time.sleep(1)
        deadline = time.monotonic() + args.wait
        while CompileRun.objects.filter(publication=publication, key=key, status=CompileStatus.RUNNING).exists():
            if time.monotonic() > deadline:
                break
            time.sleep(0.5)
        issues = list(Issue.objects.filter(publication=publication, compile_key=key))
        runs = list(CompileRun.objects.filter(publication=publication, key=key).order_by("pk"))
        for run in runs:
            log(f"compile run #{run.pk}: {run.status} total={run.total} done={run.done} issue={run.issue_id} "
                f"“{run.message}”")  # fmt: skip
        verdict.check(len(issues) == 1, f"exactly one issue for {key} (found {len(issues)})")
        if issues:
            in_issue = set(issues[0].adoptions.values_list("pk", flat=True))
            positions = list(issues[0].adoptions.order_by("position").values_list("position", flat=True))
            verdict.check(in_issue == pool, f"every adopted item is in it ({len(in_issue):,} of {len(pool):,})")
            verdict.check(positions == list(range(1, len(pool) + 1)), "positions 1…N, none twice")
        left = Adoption.objects.filter(publication=publication, issue=None, withdrawn_at=None).count()
        verdict.check(left == 0, f"the pool is empty ({left} left)")
        statuses = [r.status for r in runs]
        verdict.check(CompileStatus.RUNNING not in statuses, f"no compile run left running ({statuses})")
        verdict.check(statuses.count(CompileStatus.DONE) == 1, "one run says done, with the issue")
    finally:
        stack.stop_all()
    verdict.finish()


if __name__ == "__main__":
    main()
