"""The directory (LDAP / Active Directory) as a source of people (issue 16).

DirectoryBackend signs people in with their directory password (django-auth-ldap) and
refuses those the directory has disabled; read_directory() lists the directory's people
as rows of the Excel template's 人员 sheet, so that `manage.py sync_directory` and the
nightly task preview and apply them with the import's own plan (plan.py, apply.py).

Settings come from govinfo/ldapconf.py (AUTH_LDAP_* and GOVINFO_LDAP), present only
when LDAP_SERVER_URI is set.
"""

import logging

import ldap
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django_auth_ldap.backend import LDAPBackend, _LDAPUser

from ..models import Unit, User
from .parse import ParsedDirectory, Row
from .template import PERSON_SHEET

log = logging.getLogger(__name__)

# Attribute → person field, with the field's length (longer values are cut, not refused:
# a login must not fail on a long display name).
COPIED = (("mail", "email", 254), ("mobile", "phone", 30))
PAGE = 500


class DirectoryUnavailable(Exception):
    """The directory could not be read (down, wrong bind DN or password, bad base)."""


def conf() -> dict:
    """GOVINFO_LDAP, or {} when directory login is off."""
    return getattr(settings, "GOVINFO_LDAP", None) or {}


def is_enabled() -> bool:
    return bool(conf().get("server_uri"))


def _first(attrs: dict, name: str) -> str:
    # Attribute names are case-insensitive (departmentNumber, departmentnumber).
    values = next((v for k, v in attrs.items() if k.lower() == name.lower()), None) if name else None
    if not values:
        return ""
    value = values[0]
    return (value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)).strip()


def _is_disabled(connection, dn: str) -> bool:
    """Whether the entry at `dn` matches LDAP_DISABLED_FILTER (AD: the ACCOUNTDISABLE bit
    of userAccountControl), asked of the server so that AD's matching rules apply."""
    disabled = conf().get("disabled_filter")
    if not disabled:
        return False
    return bool(connection.search_s(dn, ldap.SCOPE_BASE, disabled, ["1.1"]))


class DirectoryBackend(LDAPBackend):
    """Signs a person in with the directory password.

    A person the directory has disabled is refused, and their account here is disabled
    too (PermissionDenied also stops the local-password backend behind this one). A new
    person is created in the unit named by LDAP_UNIT_ATTR, with no local password. A known
    person whose unit the directory changed is moved as on the move page (_follow_unit);
    name, e-mail and phone follow the directory."""

    def get_or_build_user(self, username: str, ldap_user: _LDAPUser):
        attrs = ldap_user.attrs or {}
        if _is_disabled(ldap_user.connection, ldap_user.dn):
            User.objects.filter(username__iexact=username, is_active=True).update(is_active=False)
            log.info("directory login refused: %s is disabled in the directory", username)
            raise PermissionDenied("disabled in the directory")
        user, built = super().get_or_build_user(username, ldap_user)
        c = conf()
        values = {"full_name": _first(attrs, c.get("name_attr", "cn"))[:50]}
        for attr, name, length in COPIED:
            value = _first(attrs, attr)
            if value:
                values[name] = value[:length]
        if built:
            code = _first(attrs, c.get("unit_attr", ""))
            unit = Unit.objects.filter(code=code, is_active=True).first() if code else None
            if unit is None:
                log.warning("directory login refused: %s has unknown unit code %r", username, code)
                raise _LDAPUser.AuthenticationFailed(f"unknown unit code {code!r}")
            user.unit = unit
            for name, value in values.items():
                setattr(user, name, value)
            return user, built
        user = _follow_unit(user, _first(attrs, c.get("unit_attr", "")))
        changed = [n for n, v in values.items() if v and getattr(user, n) != v]
        for name in changed:
            setattr(user, name, values[name])
        if changed:
            user.save(update_fields=changed)  # the audit record follows save
        return user, built


def _follow_unit(user: User, code: str) -> User:
    """The directory names another unit for `user`: move them through move_person, as the
    page, the import and the API do — open work to the colleague handover.choose_colleague
    names, the old unit's grants ended, the working roles kept. A move that may not go
    ahead (an unknown or disabled unit, open work and nobody to take it) is logged and the
    person signs in in their old unit; the sync's preview shows the reason too."""
    from .. import handover
    from ..actions import move_person

    if not code or user.unit_id is None or user.unit.code == code:
        return user
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        log.warning("directory login: %s stays in their unit; unknown unit code %r", user.username, code)
        return user
    preview = handover.preview_move(user, unit)
    if preview.refusal:
        log.warning("directory login: %s not moved to %s: %s", user.username, code, preview.refusal)
        return user
    roles = handover.carried_roles(user.role_set)
    return move_person(person=user, unit=unit, colleague=preview.colleague, actor=None, roles=roles)


def read_directory() -> ParsedDirectory:
    """The directory's people as rows of the template's 人员 sheet (no 角色: roles are
    kept as they are here), read with the service account (LDAP_BIND_DN), page by page.

    Raises DirectoryUnavailable when the directory cannot be read."""
    c = conf()
    if not c.get("server_uri"):
        raise DirectoryUnavailable("未配置目录服务（LDAP_SERVER_URI）。")
    listing = c["user_filter"].replace("%(user)s", "*")
    wanted = [c["username_attr"], c["name_attr"], c["unit_attr"], *(a for a, _, _ in COPIED)]
    try:
        connection = ldap.initialize(c["server_uri"])
        connection.set_option(ldap.OPT_REFERRALS, 0)
        connection.set_option(ldap.OPT_NETWORK_TIMEOUT, 10)
        connection.simple_bind_s(c["bind_dn"], c["bind_password"])
        entries = _search_paged(connection, c["search_base"], listing, wanted)
        disabled = set()
        if c.get("disabled_filter"):
            disabled = {dn for dn, _ in _search_paged(
                connection, c["search_base"], f"(&{listing}{c['disabled_filter']})", ["1.1"])}  # fmt: skip
        connection.unbind_s()
    except ldap.LDAPError as exc:
        raise DirectoryUnavailable(f"无法读取目录服务：{_ldap_message(exc)}") from None
    rows = []
    for line, (dn, attrs) in enumerate(sorted(entries, key=lambda e: _first(e[1], c["username_attr"])), start=2):
        values = {
            "用户名": _first(attrs, c["username_attr"]),
            "姓名": _first(attrs, c["name_attr"]),
            "单位代码": _first(attrs, c["unit_attr"]),
            "角色": "",
            "手机": _first(attrs, "mobile"),
            "邮箱": _first(attrs, "mail"),
            "是否启用": "否" if dn in disabled else "是",
        }
        rows.append(Row(sheet=PERSON_SHEET, line=line, values=values))
    return ParsedDirectory(units=[], people=rows)


def _search_paged(connection, base: str, filterstr: str, attrs: list[str]) -> list[tuple[str, dict]]:
    """All entries, with the paged-results control (AD returns at most 1,000 without it)."""
    from ldap.controls import SimplePagedResultsControl

    control = SimplePagedResultsControl(True, size=PAGE, cookie="")
    out = []
    while True:
        msgid = connection.search_ext(base, ldap.SCOPE_SUBTREE, filterstr, attrs, serverctrls=[control])
        _, data, _, controls = connection.result3(msgid)
        out += [(dn, a) for dn, a in data if dn]  # referrals come without a dn
        pages = [c for c in controls if c.controlType == SimplePagedResultsControl.controlType]
        if not pages or not pages[0].cookie:
            return out
        control.cookie = pages[0].cookie


def _ldap_message(exc: ldap.LDAPError) -> str:
    info = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
    return str(info.get("desc") or exc)


def directory_plan(*, importer=None):
    """(parsed, plan) of bringing the people here in line with the directory. People the
    directory lists as disabled but who were never here are left out (nothing to disable)."""
    from .plan import build_plan

    parsed = read_directory()
    known = set(User.objects.filter(username__in=[r.get("用户名") for r in parsed.people]).values_list(
        "username", flat=True))  # fmt: skip
    parsed.people = [r for r in parsed.people if r.get("是否启用") != "否" or r.get("用户名") in known]
    return parsed, build_plan(parsed, importer=importer)


def sync_directory(*, dry_run: bool = False):
    """Create, change and disable people as the directory has them (never delete).

    Returns (plan, result): result is None for a dry run or when nothing is to change.
    Rows the plan refuses (an unknown unit code, …) are reported and skipped; the valid
    rows are applied, so that one bad entry does not hold up the whole province. Safe to
    run twice: a second run finds nothing to change."""
    from .apply import apply_directory

    parsed, plan = directory_plan()
    if dry_run or not plan.changes_anything:
        return plan, None
    result = apply_directory(parsed=parsed, importer=None, valid_only=True, directory_login=True)
    return plan, result
