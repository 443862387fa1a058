"""Fault: several editors adopt, compose and sign issues of one publication at once, under load.

    .venv/bin/python bench/faults/concurrent_numbering.py [--items 120 --editors 4 --signers 3]

Against gunicorn (3 workers × 2 threads), PostgreSQL, Redis, a worker and beat. The
province office gets N submitted items (through the actions, as writers and approvers
would) and its own editors and issue approvers (with their authenticator codes). Then,
all over HTTP and at the same time:

* every editor goes through all items in their own random order and adopts each into
  《云南政务信息》 (so each item is tried by every editor: one must win, the others be
  told it is taken);
* the editors also compose draft issues from the pool now and then;
* the approvers sign whatever draft issue of the publication waits, racing each other;
* two readers load the desk and the bulletins all along.

At the end the pool is composed and signed. Checks: every adoption the pages reported is
recorded once, no item adopted twice, each item's history shows one adoption; all
adoptions sit in signed issues; issue numbers 1…k and totals contiguous, none twice
or skipped; no empty draft issue left behind; no server error.
"""

import argparse
import random
import re
import threading
import time
from collections import Counter

import requests

from common import PASSWORD, Verdict, fresh_stack, log, person, web

PUBLICATION = "云南政务信息"
OFFICE = "云南省人民政府办公厅"


def seed_items(n: int) -> list[int]:
    from submissions import actions
    from submissions.models import Category
    from units.models import User

    writer, approver = User.objects.get(username="city_staff"), User.objects.get(username="city_approver")
    category = Category.objects.filter(parent__isnull=False).first()
    ids = []
    for i in range(n):
        title = f"昆明市第{i + 1}条并发采用测试信息"
        body = "今年以来，昆明市推进重大项目建设。" * 5
        item = actions.create_draft(author=writer, data=actions.ItemData(title=title, body=body, category=category))
        for user, act in ((writer, "send_for_signoff"), (approver, "sign_off")):
            item.refresh_from_db()
            actions.transition(item=item, user=user, action=act, expected_version=item.version)
        ids.append(item.pk)
    return ids


class Run:
    def __init__(self, base: str) -> None:
        self.base = base
        self.lock = threading.Lock()
        self.adopted: list[tuple[str, int]] = []  # (editor, item) the page said adopted
        self.refused: Counter = Counter()  # messages of refused adoptions
        self.statuses: Counter = Counter()
        self.server_errors: list[str] = []
        self.signed: list[str] = []
        self.sign_refusals: Counter = Counter()
        self.composed = 0
        self.stop = threading.Event()

    def note(self, response, what: str) -> None:
        with self.lock:
            self.statuses[response.status_code] += 1
            if response.status_code >= 500:
                self.server_errors.append(f"{what}: HTTP {response.status_code}")

    def session(self, username: str, secret: bytes | None) -> requests.Session:
        s = requests.Session()
        web.login(s, self.base, username, PASSWORD, secret=secret)
        return s

    def post(self, s, path: str, data: dict, what: str):
        r = s.post(f"{self.base}{path}", data=data, headers={"Referer": f"{self.base}{path}"}, timeout=120)
        self.note(r, what)
        return r

    def get(self, s, path: str, what: str):
        r = s.get(f"{self.base}{path}", timeout=120)
        self.note(r, what)
        return r


def editor_loop(run: Run, name: str, s, items: list[int], publication: int) -> None:
    order = items[:]
    random.shuffle(order)
    for n, pk in enumerate(order):
        page = run.get(s, f"/items/{pk}/", "item page")
        if page.status_code != 200:
            continue
        if 'id="adopt-form"' in page.text:
            data = {"csrfmiddlewaretoken": web.csrf_token(page.text), "publication": publication, "form": "full",
                    "title": "", "body": "", "version": web.field_value(page.text, "version")}  # fmt: skip
            done = run.post(s, f"/items/{pk}/adopt/", data, "adopt")
            said = [m for m in web.messages(done.text) if not m.startswith("可能重复")]  # the duplicate hint box
            with run.lock:
                if any(m.startswith("已采用到") for m in said):
                    run.adopted.append((name, pk))
                else:
                    run.refused[" / ".join(said) or f"HTTP {done.status_code}"] += 1
        if n % 15 == 14:
            compose(run, s, publication)


def compose(run: Run, s, publication: int) -> None:
    page = run.get(s, f"/publications/{publication}/", "publication page")
    pool = web.ids(page.text, r'name="adoptions" value="(\d+)"')
    if pool:
        r = run.post(s, f"/publications/{publication}/issues/new/",
                     {"csrfmiddlewaretoken": web.csrf_token(page.text), "adoptions": pool}, "compose")  # fmt: skip
        with run.lock:
            run.composed += 1 if re.match(r"^/issues/\d+/$", web.path_of(r.url)) else 0


def signer_loop(run: Run, s, publication_name: str) -> None:
    while not run.stop.is_set():
        queue = run.get(s, "/issues/pending/", "issues to sign")
        mine = [int(pk) for pk, name in re.findall(r'href="/issues/(\d+)/">《([^》]+)》', queue.text)
                if name == publication_name]  # fmt: skip
        if not mine:
            time.sleep(0.3)
            continue
        pk = random.choice(mine)
        page = run.get(s, f"/issues/{pk}/", "issue page")
        if f'action="/issues/{pk}/sign/"' not in page.text:
            continue
        done = run.post(s, f"/issues/{pk}/sign/", {"csrfmiddlewaretoken": web.csrf_token(page.text)}, "sign")
        said = web.messages(done.text)
        with run.lock:
            signed = [m for m in said if m.startswith("已签发")]
            if signed:
                run.signed.extend(signed)
            else:
                run.sign_refusals[" / ".join(said) or f"HTTP {done.status_code}"] += 1


def reader_loop(run: Run, s, paths: list[str]) -> None:
    while not run.stop.is_set():
        run.get(s, random.choice(paths), "reader")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=120)
    parser.add_argument("--editors", type=int, default=4)
    parser.add_argument("--signers", type=int, default=3)
    args = parser.parse_args()
    verdict = Verdict("editors adopting, composing and signing one publication at once")
    stack = fresh_stack("numbering", port=8744, redis_db=10)
    stack.flush_redis()
    stack.setup_django()
    from publications.models import Adoption, Issue, IssueState, Publication
    from submissions.models import ItemEvent
    from units.models import Role, Unit

    office = Unit.objects.get(name=OFFICE)
    publication = Publication.objects.get(office=office, name=PUBLICATION)
    items = seed_items(args.items)
    editors = {f"fault_editor_{i}": person(f"fault_editor_{i}", office, [Role.EDITOR]) for i in range(args.editors)}
    signers = {f"fault_signer_{i}": person(f"fault_signer_{i}", office, [Role.ISSUE_APPROVER])
               for i in range(args.signers)}  # fmt: skip
    leader = person("fault_leader", office, [Role.LEADER])
    reader_editor = person("fault_reader", office, [Role.EDITOR])
    log(f"{len(items)} submitted items at {OFFICE}; {args.editors} editors, {args.signers} approvers; "
        f"publication 《{PUBLICATION}》 (total starts after {publication.total_start})")  # fmt: skip
    try:
        stack.start_web(workers=3, threads=2)
        stack.start_worker()
        stack.start_beat()
        run = Run(stack.url)
        threads = [
            threading.Thread(target=editor_loop, args=(run, name, run.session(name, secret), items, publication.pk))
            for name, secret in editors.items()
        ]
        helpers = [threading.Thread(target=signer_loop, args=(run, run.session(name, secret), PUBLICATION))
                   for name, secret in signers.items()]  # fmt: skip
        helpers.append(threading.Thread(target=reader_loop, args=(run, run.session("fault_leader", leader),
                                                                   ["/bulletins/", "/", "/scoring/"])))  # fmt: skip
        helpers.append(threading.Thread(target=reader_loop, args=(run, run.session("fault_reader", reader_editor),
                                                                   ["/desk/", "/desk/?view=waiting"])))  # fmt: skip
        started = time.monotonic()
        for t in threads + helpers:
            t.start()
        for t in threads:
            t.join()
        log(f"editors done in {time.monotonic() - started:.0f} s; composing and signing what is left")
        final = run.session(*next(iter(editors.items())))
        compose(run, final, publication.pk)
        deadline = time.monotonic() + 60
        while (
            Issue.objects.filter(publication=publication, state=IssueState.DRAFT)
            .filter(adoptions__isnull=False)
            .exists()
            and time.monotonic() < deadline
        ):
            time.sleep(0.5)
        run.stop.set()
        for t in helpers:
            t.join()
        log(f"requests by status: {dict(run.statuses)}")
        log(f"adoptions the pages reported: {len(run.adopted)}; refused: {sum(run.refused.values())}")
        for message, count in run.refused.most_common(5):
            log(f"  refused × {count}: {message[:120]}")
        refusals = sum(run.sign_refusals.values())
        log(f"issues composed: {run.composed}; signed: {len(run.signed)}; sign refused: {refusals}")
        for message, count in run.sign_refusals.most_common(5):
            log(f"  sign refused × {count}: {message[:120]}")

        # --- checks --------------------------------------------------------------
        verdict.check(not run.server_errors, f"no server error ({run.server_errors[:3]})")
        reported = Counter(pk for _, pk in run.adopted)
        verdict.check(all(c == 1 for c in reported.values()), "no item reported adopted twice")
        live = list(
            Adoption.objects.filter(publication=publication, withdrawn_at=None).values_list("item_id", "issue_id")
        )
        recorded = Counter(item for item, _ in live)
        verdict.check(set(recorded) == set(reported), f"every reported adoption is recorded, and only those "
                      f"({len(recorded)} recorded, {len(reported)} reported)")  # fmt: skip
        verdict.check(all(c == 1 for c in recorded.values()), "no item has two adoptions in the publication")
        verdict.check(len(recorded) == len(items), f"every item adopted once ({len(recorded)}/{len(items)})")
        events = Counter(ItemEvent.objects.filter(item_id__in=items, action="adopt").values_list("item_id", flat=True))
        verdict.check(all(events[pk] == 1 for pk in recorded), "each item's history shows one adoption")
        signed = list(
            Issue.objects.filter(publication=publication, state=IssueState.SIGNED).values_list("number", "total", "pk")
        )
        in_signed = {issue for _, issue in live} <= {pk for _, _, pk in signed}
        verdict.check(in_signed, "every adoption sits in a signed issue (none lost in a draft)")
        numbers = sorted(n for n, _, _ in signed)
        totals = sorted(t for _, t, _ in signed)
        k = len(signed)
        log(f"signed issues: {k}; numbers {numbers}; totals {totals[:1]}…{totals[-1:]}")
        verdict.check(numbers == list(range(1, k + 1)), "issue numbers 1…k, none twice, none skipped")
        first = publication.total_start + 1
        verdict.check(totals == list(range(first, first + k)), f"total numbers {first}…{first + k - 1}, contiguous")
        empty = Issue.objects.filter(publication=publication, state=IssueState.DRAFT, adoptions__isnull=True).count()
        verdict.check(empty == 0, f"no empty draft issue left by composing races ({empty})")
    finally:
        stack.stop_all()
    verdict.finish()


if __name__ == "__main__":
    main()
