"""A working day at a provincial information office, for locust.

    locust -f bench/load/locustfile.py --host http://127.0.0.1:8731 --headless -u 40 -r 2 -t 3m

(bench/load/run.py starts the stack and runs this; LOAD_ACCOUNTS names the accounts file
that bench/load/prepare.py wrote.)

The mix, per simulated person (weights are the share of people online at once):

* Writer (信息员, 45 %): looks at their unit's items, opens the new-item form, the live
  writing check runs, saves a draft, sends it for sign-off.
* Approver (单位审签人, 10 %): opens the sign-off queue and an item, signs it off.
* Editor (编辑, 25 %): the desk (plain, waiting, a search), opens a submitted item, then
  adopts it into one of the office's publications (about half), returns it with a
  comment, or holds it; now and then composes an issue from the pool.
* Signer (签发人, 3 %): the issues waiting for sign-off; signs one.
* Leader (领导, 17 %): home, my bulletins, an issue page, the scoreboard, now and then
  the Word file of an issue.

Everyone thinks 3–12 s between pages. Each simulated person logs in once, with a
login of their own (a two-factor code is good only once, so editors do not share).

LOAD_SMOKE=1 (bench/load/run.py --smoke): one person of each role, half a second between
pages, each going through every page of their role in a fixed order (a round) instead of
picking at random, so that a short run with five users reaches every page of the mix.
"""

import itertools
import json
import os
import random
import sys
import threading
from pathlib import Path

from locust import HttpUser, between, constant, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import web  # noqa: E402

from bench.texts import THEMES, TextMaker  # noqa: E402

ACCOUNTS = json.loads(Path(os.environ.get("LOAD_ACCOUNTS", "var/bench-load/accounts.json")).read_text("utf-8"))
PASSWORD = ACCOUNTS["password"]
_counters = {role: itertools.count() for role in ("writer", "approver", "editor", "signer", "leader")}
_lock = threading.Lock()
SEARCHES = ["森林防火", "乡村振兴", "招商引资", "旅游", "边境"]
# Seconds after the last user started before the figures count: everyone has logged in
# (a deliberately slow password hash) and the pages' caches are warm.
WARMUP = float(os.environ.get("LOAD_WARMUP", "30"))
# Seconds measured after that; then the run stops itself (run.py's -t is only a bound).
MEASURE = float(os.environ.get("LOAD_MEASURE", "0"))
# At most this long for everyone to log in: on a busy machine 40 password hashes at once
# take minutes, and a window that still has logins in it measures them, not the pages.
LOGIN_PATIENCE = float(os.environ.get("LOAD_LOGIN_PATIENCE", "300"))
SMOKE = os.environ.get("LOAD_SMOKE") == "1"
SIGNED_OUT = ("/login/", "/2fa/")
_logins_done = itertools.count(1)
_logged_in = 0


@events.spawning_complete.add_listener
def _reset_after_warmup(user_count: int, **kwargs) -> None:
    import time

    import gevent

    if SMOKE:  # every request counts, the logins too; done once every page has answered
        gevent.spawn(_stop_when_every_page_answered)
        return

    def reset() -> None:
        started = time.monotonic()
        while _logged_in < user_count and time.monotonic() - started < LOGIN_PATIENCE:
            gevent.sleep(0.5)
        print(f"logins done {time.monotonic() - started:.0f} s after the last user started "
              f"({_logged_in} of {user_count})", flush=True)  # fmt: skip
        gevent.sleep(WARMUP)
        for env in _environments:
            env.runner.stats.reset_all()
        if MEASURE:
            gevent.sleep(MEASURE)
            for env in _environments:
                env.runner.quit()

    gevent.spawn(reset)


_environments: list = []
# --smoke: the pages that must answer (run.py passes the mix's, read from this file).
SMOKE_PAGES = [page for page in os.environ.get("LOAD_SMOKE_PAGES", "").split("|") if page]


def _stop_when_every_page_answered() -> None:
    """A busy machine makes a round slow (an issue composed late is still compiling when
    the signer looks): the smoke run lasts until every page has answered, within -t."""
    import gevent

    while SMOKE_PAGES:
        gevent.sleep(1)
        for env in _environments:
            answered = {name for (name, _), e in env.runner.stats.entries.items() if e.num_requests > e.num_failures}
            if answered.issuperset(SMOKE_PAGES):
                env.runner.quit()
                return


@events.init.add_listener
def _keep_environment(environment, **kwargs) -> None:
    _environments.append(environment)


def _account(role: str) -> dict:
    with _lock:
        n = next(_counters[role])
    pool = ACCOUNTS[role]
    return pool[n % len(pool)]


class Person(HttpUser):
    abstract = True
    role = ""
    wait_time = between(3, 12)

    def on_start(self) -> None:
        global _logged_in
        self.account = _account(self.role)
        secret = bytes.fromhex(self.account["totp_hex"]) if self.account.get("totp_hex") else None
        try:
            web.login(self.client, "", self.account["username"], PASSWORD, secret=secret)
        except web.LoginFailed as exc:
            events.request.fire(request_type="LOGIN", name="login", response_time=0, response_length=0,
                                exception=exc, context={})  # fmt: skip
            self.stop()
        finally:  # counted either way: the measurement waits for every login to end
            _logged_in = next(_logins_done)

    def get(self, url: str, name: str, **kwargs):
        return self._checked(self.client.get(url, name=name, catch_response=True, **kwargs))

    def post(self, url: str, name: str, data: dict, referer: str, **kwargs):
        headers = {"Referer": self.host + referer, **kwargs.pop("headers", {})}
        return self._checked(self.client.post(url, name=name, data=data, headers=headers, catch_response=True))

    @staticmethod
    def _checked(context):
        """A page that ends on the login or second-factor form answered 200, but the person
        was signed out (a lost session, a middleware sending them back): a failure."""
        with context as response:
            if response.ok and web.path_of(response.url).startswith(SIGNED_OUT):
                response.failure(f"signed out: ended at {web.path_of(response.url)}")
        return response

    def check_messages(self, response, name: str) -> list[str]:
        """Messages the page shows; a 503 or a server error page counts as a failure."""
        texts = web.messages(response.text)
        if any("数据库暂时无法连接" in t for t in texts):
            events.request.fire(request_type="CHECK", name=name, response_time=0, response_length=0,
                                exception=RuntimeError("database unavailable page"), context={})  # fmt: skip
        return texts


class Writer(Person):
    weight = 45
    role = "writer"

    def on_start(self) -> None:
        super().on_start()
        self.texts = TextMaker(random.Random())

    @task(3)
    def my_items(self) -> None:
        self.get("/items/", "my items")

    @task(6)
    def write_and_send(self) -> None:
        form = self.get("/items/new/", "new item form")
        if form.status_code != 200:
            return
        token = web.csrf_token(form.text)
        categories = web.select_options(form.text, "category")
        title, body = self.texts.item("本单位", random.sample(THEMES, 1), brief=random.random() < 0.1)
        check = {"csrfmiddlewaretoken": token, "title": title, "body": body[:300], "form": "full"}
        headers = {"HX-Request": "true", "X-CSRFToken": token}
        self.post("/items/check/", "writing check (htmx)", check, "/items/new/", headers=headers)
        data = {
            "csrfmiddlewaretoken": token,
            "title": title[:200],
            "body": body,
            "category": random.choice(categories),
            "form": "full",
            "confidentiality": "internal",
            "writers": self.texts.person(),
            "phone": "0871-63612345",
        }
        saved = self.post("/items/new/", "save draft", data, "/items/new/")
        item = web.ids(web.path_of(saved.url), r"^/items/(\d+)/$")
        if not item:
            return
        version = web.field_value(saved.text, "version")
        data = {"csrfmiddlewaretoken": web.csrf_token(saved.text), "version": version}
        self.post(f"/items/{item[0]}/act/send_for_signoff/", "send for sign-off", data, f"/items/{item[0]}/")

    def smoke_round(self) -> None:
        self.my_items()
        self.write_and_send()


class Approver(Person):
    weight = 10
    role = "approver"

    @task
    def sign_off(self) -> None:
        queue = self.get("/signoff/", "sign-off queue")
        waiting = web.ids(queue.text, r'href="/items/(\d+)/"')
        if not waiting:
            return
        pk = random.choice(waiting[:10])
        page = self.get(f"/items/{pk}/", "item page")
        if 'data-action="sign_off"' not in page.text:
            return
        self.post(f"/items/{pk}/act/sign_off/", "sign off",
                  {"csrfmiddlewaretoken": web.csrf_token(page.text), "version": web.field_value(page.text, "version")},
                  f"/items/{pk}/")  # fmt: skip

    def smoke_round(self) -> None:
        self.sign_off()


class Editor(Person):
    weight = 25
    role = "editor"

    @task(2)
    def desk(self) -> None:
        self.get("/desk/", "desk")

    @task(1)
    def desk_filtered(self) -> None:
        if random.random() < 0.5:
            self.desk_waiting()
        else:
            self.desk_search()

    def desk_waiting(self) -> None:
        self.get("/desk/?view=waiting", "desk waiting")

    def desk_search(self) -> None:
        self.get(f"/desk/?q={random.choice(SEARCHES)}", "desk search")

    @task(6)
    def review(self, act: str | None = None) -> None:
        """Open a submitted item and adopt it (55 %), return it (20 %) or hold it; `act`
        chooses instead of chance."""
        desk = self.get("/desk/?state=submitted", "desk submitted")
        items = web.ids(desk.text, r'href="/items/(\d+)/"')
        if not items:
            return
        pk = random.choice(items[:30])
        page = self.get(f"/items/{pk}/", "item page")
        if page.status_code != 200:
            return
        token = web.csrf_token(page.text)
        version = web.field_value(page.text, "version")
        roll = random.random()
        act = act or ("adopt" if roll < 0.55 else "return" if roll < 0.75 else "hold")
        publications = web.select_options(page.text, "publication")
        if act == "adopt" and publications and 'id="adopt-form"' in page.text:
            data = {"csrfmiddlewaretoken": token, "publication": random.choice(publications), "form": "full",
                    "title": "", "body": "", "version": version}  # fmt: skip
            done = self.post(f"/items/{pk}/adopt/", "adopt", data, f"/items/{pk}/")
            self.check_messages(done, "adopt")
        elif act == "return" and 'data-action="return"' in page.text:
            data = {"csrfmiddlewaretoken": token, "version": version, "comment": "请补充具体数据和典型事例。"}
            self.post(f"/items/{pk}/act/return/", "return", data, f"/items/{pk}/")
        elif act == "hold" and 'data-action="hold"' in page.text:
            self.post(f"/items/{pk}/act/hold/", "hold", {"csrfmiddlewaretoken": token, "version": version},
                      f"/items/{pk}/")  # fmt: skip

    @task(1)
    def compose(self, *, always: bool = False) -> None:
        """Compose an issue from a publication's pool (half the times the pool has 3+
        adoptions; `always`: whenever one of the office's publications has a pool)."""
        listing = self.get("/publications/", "publications")
        publications = web.ids(listing.text, r'href="/publications/(\d+)/"')
        random.shuffle(publications)
        for pk in publications if always else publications[:1]:
            page = self.get(f"/publications/{pk}/", "publication page")
            if pool := web.ids(page.text, r'name="adoptions" value="(\d+)"'):
                break
        else:
            return
        if not always and (len(pool) < 3 or random.random() < 0.5):
            return
        data = {"csrfmiddlewaretoken": web.csrf_token(page.text), "adoptions": pool[:8]}
        self.post(f"/publications/{pk}/issues/new/", "compose issue", data, f"/publications/{pk}/")

    def smoke_round(self) -> None:
        self.desk()
        self.desk_waiting()
        self.desk_search()
        for act in ("hold", "return", "adopt", "adopt"):  # the rarer acts first: the desk may run dry
            self.review(act)
        self.compose(always=True)


class Signer(Person):
    weight = 3
    role = "signer"

    @task
    def sign(self) -> None:
        queue = self.get("/issues/pending/", "issues to sign")
        issues = web.ids(queue.text, r'href="/issues/(\d+)/"')
        if not issues:
            return
        pk = random.choice(issues)
        page = self.get(f"/issues/{pk}/", "issue page (draft)")
        if f'action="/issues/{pk}/sign/"' not in page.text:
            return
        self.post(f"/issues/{pk}/sign/", "sign issue", {"csrfmiddlewaretoken": web.csrf_token(page.text)},
                  f"/issues/{pk}/")  # fmt: skip

    def smoke_round(self) -> None:
        self.sign()


class Leader(Person):
    weight = 17
    role = "leader"

    @task(2)
    def home(self) -> None:
        self.get("/", "home")

    @task(4)
    def bulletins(self, *, docx: bool | None = None) -> None:
        listing = self.get("/bulletins/", "my bulletins")
        issues = web.ids(listing.text, r'href="/issues/(\d+)/"')
        if issues:
            pk = random.choice(issues[:10])
            self.get(f"/issues/{pk}/", "issue page")
            if docx or (docx is None and random.random() < 0.2):
                self.get(f"/issues/{pk}/docx/", "issue docx")

    @task(2)
    def scoreboard(self, *, board: bool = False) -> None:
        """The list of scoreboards, then one of them; with one scheme only the list is that
        board already (a redirect), and `board` opens it once more as the board."""
        listing = self.get("/scoring/", "scoreboards")
        schemes = web.ids(listing.text, r'href="/scoring/(\d+)/"')
        if not schemes and board:
            schemes = web.ids(web.path_of(listing.url), r"^/scoring/(\d+)/")
        if schemes:
            self.get(f"/scoring/{random.choice(schemes)}/", "scoreboard")

    def smoke_round(self) -> None:
        self.home()
        self.bulletins(docx=True)
        self.scoreboard(board=True)


def _smoke_mode() -> None:
    """One of each, going round every page of their role (see the module's docstring).
    In a function: a User class left in a module global would count as one more kind."""
    for kind in (Writer, Approver, Editor, Signer, Leader):
        kind.fixed_count = 1
        kind.wait_time = constant(0.5)
        kind.tasks = [kind.smoke_round]


if SMOKE:
    _smoke_mode()
