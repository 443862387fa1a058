"""What the fault scripts share: a fresh installation (own database, own Redis db numbers
10 and 11 or an own Redis server, a temporary var dir), people to log in as, and the
verdict. Each script prints what happened and exits 0 on PASS, 1 on FAIL."""

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "load"))
import web  # noqa: E402,F401  (re-exported for the fault scripts)
from stack import ROOT, Stack, create_database, drop_database, log, psql  # noqa: E402,F401

PASSWORD = "fault-test-pass-2026"


def fresh_stack(name: str, *, port: int, redis: str = "redis://127.0.0.1:6379", redis_db: int = 10,
                db_port: int = 5432, migrate_port: int | None = None) -> Stack:  # fmt: skip
    """Database govinfo_fault_<name> dropped and created, migrated, the demo province loaded."""
    database = f"govinfo_fault_{name}"
    var_dir = Path(tempfile.mkdtemp(prefix=f"govinfo-fault-{name}-"))
    create_database(database)
    stack = Stack(database=database, var_dir=var_dir, redis=redis, redis_db=redis_db, port=port, db_port=db_port,
                  extra_env={"DEMO_PASSWORD": PASSWORD})  # fmt: skip
    setup = stack if migrate_port is None else Stack(database=database, var_dir=var_dir, db_port=migrate_port,
                                                     extra_env={"DEMO_PASSWORD": PASSWORD})  # fmt: skip
    log(f"database {database}, var dir {var_dir}")
    setup.manage("migrate", "--noinput", "-v", "0")
    setup.manage("loaddemo", capture=True)
    setup.manage("collectstatic", "--noinput", "-v", "0")
    return stack


def person(username: str, unit, roles: list[str]) -> bytes | None:
    """A login in `unit` with `roles` and the fault password; returns the authenticator
    secret when the roles need a second factor (and two-factor login is installed)."""
    from units.actions import set_roles
    from units.models import User

    user, _ = User.objects.get_or_create(username=username, defaults={"unit": unit, "full_name": username})
    user.unit = unit
    user.set_password(PASSWORD)
    user.save()
    set_roles(user=user, roles=roles)
    return second_factor(user)


def second_factor(user) -> bytes | None:
    try:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from units.twofactor.access import requires_two_factor, role_requires_two_factor
    except ImportError:
        return None
    if not requires_two_factor(user) and not role_requires_two_factor(user):
        return None
    TOTPDevice.objects.filter(user=user).delete()
    return bytes.fromhex(TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=True).key)


def secret_of(username: str) -> bytes | None:
    """The demo user's authenticator: made now if their role needs one."""
    from units.models import User

    return second_factor(User.objects.get(username=username))


class Verdict:
    def __init__(self, title: str) -> None:
        self.title = title
        self.failures: list[str] = []
        self.started = time.monotonic()
        print(f"\n=== FAULT: {title} ===", flush=True)

    def check(self, ok: bool, what: str) -> bool:
        print(f"  [{'ok' if ok else 'FAIL'}] {what}", flush=True)
        if not ok:
            self.failures.append(what)
        return ok

    def finish(self) -> None:
        took = time.monotonic() - self.started
        if self.failures:
            print(f"RESULT: FAIL — {self.title} ({len(self.failures)} checks failed, {took:.0f} s)", flush=True)
            sys.exit(1)
        print(f"RESULT: PASS — {self.title} ({took:.0f} s)", flush=True)
        sys.exit(0)
