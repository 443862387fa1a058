"""Fault: the PostgreSQL connection drops while a writer submits an item.

    .venv/bin/python bench/faults/db_drop.py

gunicorn reaches PostgreSQL through a small TCP proxy in this script (127.0.0.1:6543 →
5432). A writer (dept_staff) signs in and opens the new-item form; the proxy then drops
every connection and refuses new ones; the writer posts the form. Expected:

* HTTP 503 (not a bare 500) with a clear Chinese page, showing what was typed in a
  form that posts back to the same address, with a fresh CSRF token;
* an ordinary page during the outage: 503 asking to reload;
* nothing saved while the database was away;
* once the proxy passes traffic again, posting the page's form saves the item, once.
"""

import contextlib
import html
import re
import socket
import threading
import time

import requests

from common import PASSWORD, Verdict, fresh_stack, log, psql, web

PROXY_PORT = 6543
TITLE = "昆明市发展改革委推进重大项目建设（断线测试）"
BODY = (
    "今年以来，昆明市发展改革委围绕重大项目建设，建立“周调度、月通报”工作机制。\n"
    "一是强化要素保障，协调解决用地、用林、资金等问题63个。\n"
    "二是优化审批服务，项目审批平均用时压缩至28个工作日。"
)


class DroppingProxy:
    """A TCP proxy that can drop every connection at once and refuse new ones."""

    def __init__(self, listen: int, target: int) -> None:
        self.target = target
        self.server = socket.create_server(("127.0.0.1", listen), reuse_port=False)
        self.server.settimeout(0.2)
        self.refusing = False
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.lock = threading.Lock()
        self.running = True
        self.accepted = self.refused = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self.running:
            try:
                client, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self.refusing:
                self.refused += 1
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                client.close()
                continue
            self.accepted += 1
            with self.lock:
                self.pairs.append((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for s in (source, sink):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> int:
        """Drop every open connection (both ends) and refuse new ones."""
        self.refusing = True
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            for s in pair:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
        return len(pairs)

    def restore(self) -> None:
        self.refusing = False

    def close(self) -> None:
        self.running = False
        self.cut()
        self.server.close()


def kept_form(page: str) -> tuple[str, dict[str, list[str]]]:
    action = html.unescape(re.search(r'<form method="post" action="([^"]*)"', page).group(1))
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)" value="([^"]*)"', page):
        fields.setdefault(html.unescape(name), []).append(html.unescape(value))
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        fields.setdefault(html.unescape(name), []).append(html.unescape(value))
    return action, fields


def saved(database: str) -> int:
    """Items with the test title, read directly from PostgreSQL (not through the proxy)."""
    return int(psql(f"SELECT count(*) FROM submissions_item WHERE title = '{TITLE}'", database=database))


def main() -> None:
    verdict = Verdict("PostgreSQL connection drops during a submission")
    proxy = DroppingProxy(PROXY_PORT, 5432)
    stack = fresh_stack("dbdrop", port=8743, redis_db=10, db_port=PROXY_PORT)
    try:
        stack.start_web(workers=2)
        stack.start_worker()
        base = stack.url
        writer = requests.Session()
        web.login(writer, base, "dept_staff", PASSWORD)
        form = writer.get(f"{base}/items/new/")
        token = web.csrf_token(form.text)
        typed = {
            "csrfmiddlewaretoken": token,
            "title": TITLE,
            "body": BODY,
            "category": web.select_options(form.text, "category")[0],
            "form": "full",
            "confidentiality": "internal",
            "event_date": "2026-11-20",
            "writers": "张三、李四",
            "phone": "0871-63612345",
        }
        log(f"writer signed in and opened the new-item form ({form.status_code}); proxy connections: {proxy.accepted}")

        dropped = proxy.cut()
        log(f"proxy: dropped {dropped} connection(s) to PostgreSQL, refusing new ones")
        started = time.monotonic()
        response = writer.post(f"{base}/items/new/", data=typed, headers={"Referer": f"{base}/items/new/"},
                               allow_redirects=False, timeout=60)  # fmt: skip
        took = time.monotonic() - started
        page = response.text
        log(f"POST /items/new/ during the outage → HTTP {response.status_code} in {took:.1f} s, "
            f"Retry-After {response.headers.get('Retry-After')}")  # fmt: skip
        verdict.check(response.status_code == 503, f"HTTP 503, not a bare 500 (got {response.status_code})")
        verdict.check("数据库暂时无法连接" in page and "尚未保存" in page, "a clear Chinese message: not saved, retry")
        action, fields = kept_form(page) if "<form" in page else ("", {})
        shown = {k: v[0] for k, v in fields.items()}
        kept = [k for k in ("title", "body", "writers", "phone", "event_date", "category") if shown.get(k) == typed[k]]
        verdict.check(len(kept) == 6, f"what was typed is on the page and in its form ({', '.join(kept)})")
        verdict.check(action == "/items/new/", f"the form posts back to the same address ({action!r})")
        fresh = shown.get("csrfmiddlewaretoken", "")
        verdict.check(bool(fresh) and fresh != token, "a fresh CSRF token, not the posted one")
        other = writer.get(f"{base}/items/", allow_redirects=False, timeout=60)
        log(f"GET /items/ during the outage → HTTP {other.status_code}")
        verdict.check(
            other.status_code == 503 and "请稍后刷新" in other.text, "an ordinary page says 503, reload later"
        )
        verdict.check(saved(stack.database) == 0, "nothing saved during the outage")
        log(f"proxy refused {proxy.refused} connection attempt(s) during the outage")

        proxy.restore()
        log("proxy passes traffic again; the writer presses 重新提交")
        again = writer.post(f"{base}{action}", data=fields, headers={"Referer": f"{base}{action}"}, timeout=60)
        log(f"resubmitted → HTTP {again.status_code}, now at {web.path_of(again.url)}")
        verdict.check(again.status_code == 200 and re.match(r"^/items/\d+/$", web.path_of(again.url)) is not None,
                      "the resubmission saves the draft and shows the item")  # fmt: skip
        verdict.check(
            TITLE in again.text and "草稿已保存" in again.text, "the item page shows the title and 草稿已保存"
        )
        count = saved(stack.database)
        verdict.check(count == 1, f"saved exactly once ({count})")
    finally:
        stack.stop_all()
        proxy.close()
    verdict.finish()


if __name__ == "__main__":
    main()
