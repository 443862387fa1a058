"""Shared personas, in the manner of healthchecks' alice/bob/charlie.

The tree: a province office; under it city office A (昆明) and city office B (曲靖);
under A a department (发改委). Items of the department go to A's editors.
"""

import os

import pytest

from units.models import Role, UnitKind

from .factories import UnitFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; Django would then refuse
# ORM calls from that thread. The tests drive the browser and the ORM one after another.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def province(db):
    return UnitFactory(name="省政府办公厅", kind=UnitKind.PROVINCE_OFFICE, parent=None)


@pytest.fixture
def city(province):
    return UnitFactory(name="昆明市人民政府办公室", short_name="昆明市", kind=UnitKind.CITY_OFFICE, parent=province)


@pytest.fixture
def other_city(province):
    return UnitFactory(name="曲靖市人民政府办公室", short_name="曲靖市", kind=UnitKind.CITY_OFFICE, parent=province)


@pytest.fixture
def department(city):
    return UnitFactory(name="昆明市发展和改革委员会", short_name="市发展改革委", kind=UnitKind.DEPARTMENT, parent=city)


@pytest.fixture
def writer(department):
    return UserFactory(username="writer", unit=department, roles=[Role.STAFF])


@pytest.fixture
def unit_approver(department):
    return UserFactory(username="approver", unit=department, roles=[Role.UNIT_APPROVER])


@pytest.fixture
def editor(city):
    return UserFactory(username="editor", unit=city, roles=[Role.EDITOR])


@pytest.fixture
def issue_approver(city):
    return UserFactory(username="signer", unit=city, roles=[Role.ISSUE_APPROVER])


@pytest.fixture
def leader(city):
    return UserFactory(username="leader", unit=city, roles=[Role.LEADER])


@pytest.fixture
def city_admin(city):
    return UserFactory(username="cityadmin", unit=city, roles=[Role.SYSTEM_ADMIN])


@pytest.fixture
def province_admin(province):
    return UserFactory(username="provadmin", unit=province, roles=[Role.SYSTEM_ADMIN])


@pytest.fixture
def city_security_admin(city):
    return UserFactory(username="citysec", unit=city, roles=[Role.SECURITY_ADMIN])


@pytest.fixture
def province_security_admin(province):
    return UserFactory(username="provsec", unit=province, roles=[Role.SECURITY_ADMIN])


@pytest.fixture
def city_auditor(city):
    return UserFactory(username="cityaudit", unit=city, roles=[Role.AUDITOR])


@pytest.fixture
def province_auditor(province):
    return UserFactory(username="provaudit", unit=province, roles=[Role.AUDITOR])


@pytest.fixture
def outsider(other_city):
    """Staff, editor and administrator of a sibling city: powerful, but not here."""
    return UserFactory(username="outsider", unit=other_city, roles=[Role.STAFF, Role.EDITOR, Role.SYSTEM_ADMIN])


@pytest.fixture(autouse=True)
def _tasks_run_in_process(request):
    """Tasks queued by pages run in the test's own process, so a test sees their effect.
    The wiring through a real broker and worker is tested in tests marked `worker`."""
    from govinfo.celery import app

    if request.node.get_closest_marker("worker"):
        yield
        return
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False
    # An eager task runs under celery.result.denied_join_result, which saves and restores a
    # process-wide flag. Two eager tasks in two threads (two approvers signing at once, each
    # queueing the PDF task) can restore it in the wrong order and leave it set, and every
    # later result.get() in this process — the real-worker tests — then refuses. The test
    # process is never a worker, so the flag is put back to what it is outside a task.
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)


@pytest.fixture
def other_editor(other_city):
    return UserFactory(username="other_editor", unit=other_city, roles=[Role.EDITOR])


@pytest.fixture
def colleague(department):
    """Another staff member of the writer's unit."""
    return UserFactory(username="colleague", unit=department, roles=[Role.STAFF])


@pytest.fixture
def other_writer(other_city, province):
    """A staff member of a department under the other city."""
    dept = UnitFactory(name="曲靖市农业农村局", parent=other_city)
    return UserFactory(username="other_writer", unit=dept, roles=[Role.STAFF])


def database_url_for_subprocess() -> str:
    """DATABASE_URL of the test database, for a worker process started by a test."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    user = s.get("USER") or ""
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


@pytest.fixture
def live_worker(transactional_db):
    """A real Celery worker process on a queue of its own, using the test database."""
    import subprocess
    import sys
    import uuid
    from pathlib import Path

    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": database_url_for_subprocess()}
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "govinfo", "worker", "--pool=solo", "-Q", queue,
         "--without-gossip", "--without-mingle", "-n", f"{queue}@%h", "--loglevel=WARNING"],
        cwd=Path(__file__).resolve().parent.parent, env=env,
    )  # fmt: skip
    try:
        yield queue
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(autouse=True)
def _migration_data_after_flush(request):
    """Transactional tests empty every table after they run, migration data included;
    put the guide's categories back for the ones that need a real commit."""
    marker = request.node.get_closest_marker("django_db")
    transactional = {"transactional_db", "live_server", "live_worker"} & set(request.fixturenames) or (
        marker is not None and marker.kwargs.get("transaction")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        from submissions.categories import ensure_categories
        from submissions.models import Category

        ensure_categories(Category)
    yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing a persona's password the production way costs ~0.1 s; tests need no strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "redis_cache: depends on the cache; runs on the Redis cache production uses when REDIS_URL is set (CI)",
    )


def redis_cache_required() -> bool:
    """CI must not let the Redis-backed tests fall back to local memory unnoticed."""
    return bool(os.environ.get("CI"))


@pytest.fixture(autouse=True)
def _fresh_cache(request, settings):
    """Each test starts with an empty cache of its own: local memory, except for tests
    marked `redis_cache` when REDIS_URL is set (CI), which use Redis as production does.
    That Redis is shared by parallel runs, so such a test gets a key prefix of its own and
    its keys are deleted after it; `cache.clear()` would flush everyone's database."""
    import uuid

    from django.core.cache import cache

    if request.node.get_closest_marker("redis_cache"):
        if settings.REDIS_URL:
            prefix = f"test-{uuid.uuid4().hex}"
            settings.CACHES = {
                "default": {
                    "BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": settings.REDIS_URL,
                    "KEY_PREFIX": prefix,
                }
            }
            yield
            client = cache._cache.get_client(write=True)
            keys = list(client.scan_iter(match=f"{prefix}:*"))
            if keys:
                client.delete(*keys)
            return
        if redis_cache_required():
            pytest.fail("CI is set but REDIS_URL is not: this test would run on local memory instead of Redis")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """`client.force_login(editor)` stands for a finished login: for a person who needs a
    second factor that includes the code. Their authenticator is set up if they have none,
    and the session is marked verified with it, as django_otp.login does after a right code.
    Tests of the two-factor pages log in with `client.login` or the login form instead."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from units.twofactor.access import requires_two_factor

    from .otp import device_for

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if requires_two_factor(user):
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device_for(user).persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)
