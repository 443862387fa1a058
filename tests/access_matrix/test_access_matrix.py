"""The access-control matrix: every URL, every role of the object's own unit, the unit
above it, a unit beside it and an unrelated one, and an anonymous visitor — allowed or
refused as matrix.py (from docs/domain.md §2–§4) says. A URL without an entry fails.

The scenario is built once for the module inside a transaction that is rolled back at
the end; each request runs in a savepoint of its own, so what an allowed person does
(signing off, adopting …) is undone before the next one tries.
"""

import copy
import re
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .downloads import readable_text
from .matrix import ANCHORS, MATRIX, Check
from .scenario import EXTRA_PERSONAS, ROLES, SENSITIVE_READERS, SENSITIVE_TITLE, UNITS, Scenario, build

# The admin site's own pages are Django's and are guarded as one (AdminSite.has_permission):
# the matrix must have its index ("admin:index") and may have others (the audit trail).
# Static files are not views of the project.
ADMIN = "admin"


def url_names(*, admin: bool = False) -> set[str]:
    """Every URL pattern of the project: its name (namespaced), or its route if unnamed;
    with `admin`, those of the admin site instead."""

    def walk(patterns, prefix: str, namespace: str | None):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace or namespace
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if route.startswith(("static/", "^static/", "media/")):
                    continue
                if (namespace == ADMIN) != admin:
                    continue
                if p.name:
                    yield f"{namespace}:{p.name}" if namespace else p.name
                else:
                    yield route

    return set(walk(get_resolver().url_patterns, "", None))


def test_every_url_is_in_the_matrix():
    names = url_names() | {"admin:index"}
    missing = sorted(names - set(MATRIX))
    stale = sorted(set(MATRIX) - names - url_names(admin=True))
    assert not missing, f"URL(s) without an entry in tests/access_matrix/matrix.py: {missing}"
    assert not stale, f"matrix entries for URL(s) that no longer exist: {stale}"


def test_every_entry_names_known_roles_and_relations():
    for name, checks in MATRIX.items():
        for check in checks:
            relations = ANCHORS[check.anchor]
            for token in check.allow - {"anonymous"}:
                role, _, relation = token.partition("@")
                assert role in {*ROLES, "*"} and relation in {*relations, "*"}, f"{name}: {token}"


# --- Personas ----------------------------------------------------------------------------------

# One person per role per unit of the tree, the city's second leader (named on no 敏感
# item), and a visitor who has not signed in.
PERSONAS = [(role, unit) for unit in UNITS for role in ROLES] + [("unnamed_leader", "city"), (None, None)]


def relation_of(check: Check, unit: str) -> str | None:
    """How `unit` stands to the check's object: own, parent, … or None when the check's
    anchor does not try that unit (the other city for a department's item, say)."""
    return next((rel for rel, u in ANCHORS[check.anchor].items() if u == unit), None)


def expected_allowed(check: Check, role: str | None, relation: str | None) -> bool:
    if role is None:
        return "anonymous" in check.allow
    tokens = {f"*@{relation}", "*@*"}
    if role in EXTRA_PERSONAS:
        # Holds the role, but is named on no 敏感 item: a 敏感 variant lets in only the
        # readers the check names by role, which the role alone does not make them.
        if not check.variant.startswith("sensitive"):
            tokens |= {f"{EXTRA_PERSONAS[role]}@{relation}", f"{EXTRA_PERSONAS[role]}@*"}
    else:
        tokens |= {f"{role}@{relation}", f"{role}@*"}
    return bool(tokens & check.allow)


# --- The scenario, once per module ----------------------------------------------------------------


@pytest.fixture(scope="module")
def scenario(django_db_setup, django_db_blocker, tmp_path_factory):
    override = override_settings(
        MEDIA_ROOT=str(tmp_path_factory.mktemp("matrix-media")),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    override.enable()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            override.disable()
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
    override.disable()


# Tables a refused request may still write: the session (its idle clock), the login
# guard's access log and the audit trail, which may record the attempt itself.
BOOKKEEPING = ("django_session", "axes_", "audit_")
WRITE = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.IGNORECASE)


def data_writes(queries) -> list[str]:
    """The statements that changed the project's data, from a captured request."""
    out = []
    for q in queries:
        m = WRITE.match(q["sql"])
        if m and not m.group(2).startswith(BOOKKEEPING):
            out.append(q["sql"][:120])
    return out


def request(client, s: Scenario, name: str, check: Check):
    url = reverse(name, kwargs=check.kwargs(s))
    if check.query:
        url = f"{url}?{urlencode(check.query(s))}"
    data = check.data(s) if check.data else {}
    method = check.method.lower()
    if check.method == "GET":
        return client.get(url)
    has_files = any(hasattr(v, "read") for v in data.values())
    if check.api and not has_files:
        return getattr(client, method)(url, data, content_type="application/json")
    if check.method == "POST":
        return client.post(url, data)
    return getattr(client, method)(url, data)


LOGIN_PATHS = ("/login/", "/admin/login/")
REFUSING = {401, 403, 404, 409}
TWO_FACTOR = "/2fa/"


def outcome(response, check: Check) -> str:
    """'allowed', 'refused', or what went wrong."""
    code = response.status_code
    if code in REFUSING:
        return "refused"
    if code in (301, 302, 303):
        location = response["Location"]
        path = urlsplit(location).path
        if location in check.success_redirects:
            return "allowed"
        if path in LOGIN_PATHS:
            return "refused"
        if path.startswith(TWO_FACTOR) and not response.wsgi_request.path.startswith(TWO_FACTOR):
            return f"sent to the two-factor page {path}: the persona is not verified"
        return "refused" if check.redirect_refuses else "allowed"
    if code == 405 or (code >= 500 and code not in check.ok_statuses):
        return f"unexpected {code}"
    return "allowed"


def try_check(
    client, s: Scenario, name: str, check: Check, who: str, want: str, may_read_sensitive: bool
) -> str | None:
    """Make the request as the signed-in client; what is wrong with the answer, or None.
    Besides allowed or refused: no answer, to anyone but its readers, may carry the title
    of the 敏感 item (a list, a hint, a notification, an export …)."""
    with CaptureQueriesContext(connection) as queries:
        response = request(client, s, name, check)
    got = outcome(response, check)
    label = f"{name}[{check.variant}]" if check.variant else name
    if got not in ("allowed", "refused"):
        return f"{label} {check.method} as {who}: {got}"
    done = check.effect(s) if check.effect else None
    if got == "allowed" and done is False:
        got = "refused"
    if got != want:
        where = f" → {response['Location']}" if response.has_header("Location") else ""
        act = "" if done is None else f" (act {'done' if done else 'not done'})"
        body = b"" if response.streaming else response.content
        said = f": {body[:200].decode(errors='replace')}" if check.api and body else ""
        return f"{label} {check.method} as {who}: expected {want}, got {response.status_code}{where}{act}{said}"
    if want == "refused" and (writes := data_writes(queries.captured_queries)):
        return f"{label} {check.method} as {who}: refused, but it wrote {writes}"
    if not may_read_sensitive and SENSITIVE_TITLE in readable_text(response):
        return f"{label} {check.method} as {who}: shows the 敏感 item's title to someone who may not read it"
    return None


@pytest.mark.parametrize(("role", "unit"), PERSONAS, ids=[f"{r}-{u}" if r else "anonymous" for r, u in PERSONAS])
def test_access(scenario, client, db, role, unit):
    """Every check of the matrix as one person. Each request runs in a savepoint that is
    rolled back, with the person's cookies and the cache put back after it, so the checks
    cannot disturb one another; all the wrong answers are listed, each with URL and person."""
    if role is not None:
        client.force_login(scenario.person(role, unit))
    cookies = copy.deepcopy(client.cookies)
    may_read_sensitive = f"{role}@{unit}" in SENSITIVE_READERS
    failures = []
    for name, checks in MATRIX.items():
        for check in checks:
            relation = relation_of(check, unit) if unit else None
            if unit is not None and relation is None:
                continue
            who = f"{role}@{relation} ({unit})" if role else "anonymous"
            want = "allowed" if expected_allowed(check, role, relation) else "refused"
            try:
                with transaction.atomic():
                    failure = try_check(client, scenario, name, check, who, want, may_read_sensitive)
                    transaction.set_rollback(True)
            finally:
                client.cookies = copy.deepcopy(cookies)
                cache.clear()
            if failure:
                failures.append(failure)
    assert not failures, f"{len(failures)} wrong answer(s):\n" + "\n".join(failures)
