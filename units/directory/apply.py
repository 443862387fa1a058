"""Writing an import: one transaction, planned again inside it.

The preview is only a picture of the file against the database as it was; between
preview and apply someone may have changed a unit, so apply_directory plans again
inside its transaction and writes that plan. Refused rows stop everything unless the
caller asked for the valid rows only.
"""

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr

import audit

from ..actions import deactivate_person, move_person
from ..grants import needs_no_approval, propose_roles
from ..models import Role, RoleChange, RoleGrant, Unit, User, order_segment
from .parse import ParsedDirectory
from .plan import CHANGE, CREATE, DISABLE, Plan, RowPlan, build_plan

log = logging.getLogger(__name__)

PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
PASSWORD_LENGTH = 12
# A one-time password is 12 random characters (about 70 bits): guessing it from its hash
# is hopeless at any iteration count, so it is hashed with few PBKDF2 rounds — 10,000
# people at the full count would take over an hour. Django upgrades the hash to the full
# count at the person's first login (must_update), and they must choose a new password.
ONE_TIME_ITERATIONS = 1_000
BATCH = 1_000

Progress = Callable[[int, int], None]


class DirectoryRefused(Exception):
    """Some rows are refused and the caller did not choose the valid rows only."""

    def __init__(self, plan: Plan):
        self.plan = plan
        super().__init__(f"有 {len(plan.refused)} 行未通过检查，没有导入任何内容。")


@dataclass
class OneTimePassword:
    username: str
    full_name: str
    unit: str
    password: str


@dataclass
class ApplyResult:
    counts: dict
    passwords: list[OneTimePassword] = field(default_factory=list)  # to show once
    emailed: list[str] = field(default_factory=list)  # usernames whose password went by e-mail
    skipped: int = 0  # refused rows left out (valid rows only)

    @property
    def changed_anything(self) -> bool:
        return any(self.counts[s][a] for s in ("units", "people") for a in (CREATE, CHANGE, DISABLE))


def new_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def one_time_hash(password: str) -> str:
    hasher = get_hasher()
    if isinstance(hasher, PBKDF2PasswordHasher):
        return hasher.encode(password, hasher.salt(), iterations=ONE_TIME_ITERATIONS)
    return make_password(password)


@transaction.atomic
def apply_directory(
    *,
    parsed: ParsedDirectory,
    importer,
    valid_only: bool = False,
    progress: Progress | None = None,
    directory_login: bool = False,
) -> ApplyResult:
    """Import the directory `parsed` as `importer` (None: the system) in one transaction.

    Raises DirectoryRefused, writing nothing, when any row is refused and `valid_only`
    is false. Existing people keep their passwords; new active people get a one-time
    password, e-mailed after commit when they have an address and returned otherwise,
    and must change it at their first login. Nothing is ever deleted.

    `directory_login` (the LDAP sync): new people sign in with the directory's password,
    so they get no local one, and nothing is shown or sent."""
    plan = build_plan(parsed, importer=importer)
    if plan.refused and not valid_only:
        raise DirectoryRefused(plan)
    work_units = [p for p in plan.units if p.action in (CREATE, CHANGE, DISABLE)]
    work_people = [p for p in plan.people if p.action in (CREATE, CHANGE, DISABLE)]
    total = len(work_units) + len(work_people)
    done = 0

    def tick(n: int = 1) -> None:
        nonlocal done
        done += n
        # Units advance a level at a time: report each time a multiple of 200 is passed.
        if progress is not None and (done // 200 != (done - n) // 200 or done == total):
            progress(done, total)

    if progress is not None:
        progress(0, total)
    node_unit = _apply_units(work_units, tick)
    result = ApplyResult(counts=plan.counts(), skipped=len(plan.refused))
    _apply_people(work_people, node_unit, result, tick, importer=importer, directory_login=directory_login)
    if result.emailed:
        mails = [(p.username, p.password) for p in result.passwords if p.username in set(result.emailed)]
        result.passwords = [p for p in result.passwords if p.username not in set(result.emailed)]
        addresses = {p.data["username"]: p.data["email"] for p in work_people if p.data.get("email")}
        transaction.on_commit(lambda: _send_passwords(mails, addresses))
    return result


UNIT_FIELDS = ("code", "name", "short_name", "kind", "parent", "assessment_class", "is_active", "sort_order")


def _apply_units(rows: list[RowPlan], tick) -> dict:
    """Create and change units level by level, parents first; returns {node: Unit}.

    New units are written with bulk_create and their tree paths computed here from the
    parent's (they cannot be known before the id is), then set with one bulk_update per
    level; changed units go through bulk_update. Both write the audit rows the save
    signals would have written (audit.record_many). A unit whose parent changes moves
    its whole subtree, so it goes through Unit.save as before (rare on an import)."""
    existing = Unit.objects.in_bulk([p.existing_id for p in rows if p.existing_id is not None])
    node_unit: dict = {}
    outside: dict = {}  # existing parents the file does not change

    def parent_for(node):
        if node is None:
            return None
        if node in node_unit:
            return node_unit[node]
        if node not in outside:
            outside[node] = Unit.objects.get(pk=node)
        return outside[node]

    shifted = False  # some unit's 排序号 changed: keys below it moved in the database
    by_depth: dict[int, list[RowPlan]] = {}
    for p in rows:
        by_depth.setdefault(p.data["depth"], []).append(p)
    for depth in sorted(by_depth):
        level = by_depth[depth]
        moved, changed, created, old_values = [], [], [], {}
        for p in level:
            d = p.data
            unit = existing[p.existing_id] if p.existing_id is not None else Unit(code=d["code"])
            if p.existing_id is not None:
                old_values[unit.pk] = {f: getattr(unit, Unit._meta.get_field(f).attname) for f in UNIT_FIELDS}
            unit.code, unit.name = d["code"], d["name"]
            for name in ("short_name", "kind", "assessment_class_id", "sort_order", "is_active"):
                if d[name] is not None:
                    setattr(unit, name, d[name])
            parent = parent_for(d["parent_node"])
            if p.existing_id is None:
                unit.parent = parent
                created.append(unit)
            elif unit.parent_id != (parent.pk if parent else None):
                unit.parent = parent
                moved.append(unit)
            else:
                changed.append(unit)
            node_unit[d["node"]] = unit
        for unit in moved:
            unit.save()  # Unit.save moves the subtree; the audit record follows save
        if moved:
            # Paths below a moved unit changed in the database: read them again.
            known = [u for u in (*node_unit.values(), *outside.values()) if u.pk is not None]
            fresh = {pk: (path, dep, key) for pk, path, dep, key in Unit.objects.filter(
                pk__in=[u.pk for u in known]).values_list("pk", "path", "depth", "order_key")}  # fmt: skip
            for u in known:
                u.path, u.depth, u.order_key = fresh[u.pk]
            shifted = True  # and so did the order keys of the listed units further down
        if changed:
            # A new 排序号 changes the order key of the unit and of its whole subtree; those
            # below that the file does not list are shifted here, the listed ones get theirs
            # from their parent on their own level.
            if shifted:
                # An ancestor's shift above moved these rows' keys in the database.
                stored = dict(Unit.objects.filter(pk__in=[u.pk for u in changed]).values_list("pk", "order_key"))
                for u in changed:
                    u.order_key = stored[u.pk]
            reordered = {}
            for u in changed:
                key = (u.parent.order_key if u.parent_id else "") + order_segment(u.sort_order, u.pk)
                if key != u.order_key:
                    reordered[u.order_key], u.order_key = key, key
            Unit.objects.bulk_update(
                changed, [f for f in UNIT_FIELDS if f != "parent"] + ["order_key"], batch_size=BATCH
            )
            for old_key, new_key in reordered.items():
                if old_key:
                    _shift_order_keys(old_key, new_key)
                    shifted = True
            audit.record_many(
                {"action": "update", "obj": u, "changes": audit.update_changes(u, old_values[u.pk], UNIT_FIELDS)}
                for u in changed
            )
        if created:
            Unit.objects.bulk_create(created, batch_size=BATCH)
            # The receiver records a create before Unit.save sets the path (excluded anyway).
            audit.record_many({"action": "create", "obj": u, "changes": audit.creation_changes(u)} for u in created)
            for u in created:
                u.path = (u.parent.path if u.parent_id else "/") + f"{u.pk}/"
                u.depth = u.path.count("/") - 2
                u.order_key = (u.parent.order_key if u.parent_id else "") + order_segment(u.sort_order, u.pk)
            Unit.objects.bulk_update(created, ["path", "depth", "order_key"], batch_size=BATCH)
        tick(len(level))
    return node_unit


def _shift_order_keys(old_key: str, new_key: str) -> None:
    """Give the subtree below a unit whose 排序号 changed its new order-key prefix: one
    UPDATE, the same on SQLite and PostgreSQL."""
    Unit.objects.filter(order_key__startswith=old_key).exclude(order_key=new_key).update(
        order_key=Concat(Value(new_key), Substr("order_key", len(old_key) + 1))
    )


def _apply_people(
    rows: list[RowPlan], node_unit: dict, result: ApplyResult, tick, *, importer=None, directory_login: bool = False
) -> None:
    unit_cache: dict = dict(node_unit)

    def unit_for(node) -> Unit:
        if node not in unit_cache:
            unit_cache[node] = Unit.objects.get(pk=node)
        return unit_cache[node]

    creating = [p for p in rows if p.action == CREATE]
    changing = [p for p in rows if p.action != CREATE]
    for start in range(0, len(creating), BATCH):
        batch = creating[start : start + BATCH]
        users, plain = [], {}
        for p in batch:
            d = p.data
            unit = unit_for(d["unit_node"])
            active = d["is_active"] is not False
            user = User(
                username=d["username"], full_name=d["full_name"], unit=unit, phone=d["phone"] or "",
                email=d["email"] or "", is_active=active, must_change_password=active and not directory_login,
            )  # fmt: skip
            if active and not directory_login:
                plain[d["username"]] = new_password()
                user.password = one_time_hash(plain[d["username"]])
            else:
                user.set_unusable_password()
            users.append(user)
        User.objects.bulk_create(users, batch_size=BATCH)
        grants = []
        for p, user in zip(batch, users, strict=True):
            grants += [RoleGrant(user=user, unit_id=user.unit_id, role=r) for r in sorted(p.data["roles"] or ())]
            if user.username in plain:
                result.passwords.append(
                    OneTimePassword(user.username, user.full_name, user.unit.name, plain[user.username])
                )
                if user.email:
                    result.emailed.append(user.username)
            tick()
        if not needs_no_approval(importer):
            # 三员分立: a system administrator's import proposes the roles; a security
            # administrator approves them (in bulk: admin → 角色变更审批 → select all).
            _propose(grants, importer)
            grants = []
        RoleGrant.objects.bulk_create(grants, batch_size=BATCH)
        # bulk_create sends no signal: the audit rows are written here, as set_roles does.
        audit.record_many(
            {
                "action": "create",
                "obj": user,
                "changes": {
                    f: [None, getattr(user, User._meta.get_field(f).attname)]
                    for f in ("username", "full_name", "unit", "phone", "email", "is_active", "password")
                },
            }
            for user in users
        )
        audit.record_many(
            {
                "action": "create",
                "obj": grant,
                "changes": {"user": [None, grant.user_id], "unit": [None, grant.unit_id], "role": [None, grant.role]},
            }
            for grant in grants
        )
    people = User.objects.in_bulk([p.existing_id for p in changing])
    colleagues = User.objects.in_bulk([p.data["handover_to"] for p in changing if p.data.get("handover_to")])
    for p in changing:
        d, user = p.data, people[p.existing_id]
        fields = ["full_name"]
        if d.get("moving"):
            # The move page's own path: open work to the colleague the plan named, the old
            # unit's grants ended, the roles held in the new one, an audit record.
            user = move_person(
                person=user, unit=unit_for(d["unit_node"]), colleague=colleagues.get(d["handover_to"]),
                actor=importer, roles=d["roles"],
            )  # fmt: skip
        else:
            if d.get("leaving") and d.get("handover_to"):
                # The leave page's own path: work to the colleague, who is told.
                user = deactivate_person(person=user, colleague=colleagues[d["handover_to"]], actor=importer)
            user.unit = unit_for(d["unit_node"])
            fields.append("unit")
        user.full_name = d["full_name"]
        for name in ("phone", "email", "is_active"):
            if d[name] is not None:
                setattr(user, name, d[name])
                fields.append(name)
        user.save(update_fields=fields)  # signals: the audit record, and tokens end on a unit move
        if d.get("roles_changed") and not d.get("moving"):
            propose_roles(user=user, roles=d["roles"], by=importer)  # at once only for the system
        tick()


def _propose(grants: list[RoleGrant], importer) -> None:
    """The new people's roles as pending role changes, in bulk, each audited."""
    changes = RoleChange.objects.bulk_create(
        [
            RoleChange(user=g.user, unit_id=g.unit_id, role=g.role, kind=RoleChange.Kind.GRANT, proposed_by=importer)
            for g in grants
        ],
        batch_size=BATCH,
    )
    labels = dict(Role.choices)
    audit.record_many(
        {"action": "role_proposed", "obj": c.user, "changes": {"role": [None, labels[c.role]], "kind": [None, "授予"]}}
        for c in changes
    )


def _send_passwords(mails: list[tuple[str, str]], addresses: dict[str, str]) -> None:
    """After commit: one message per new person with an address; a failure is logged
    (the administrator can reset that person's password), never raised into the import."""
    site = settings.SITE_URL.rstrip("/")
    messages = [
        EmailMessage(
            "[政务信息] 您的账号已开通",
            f"您好：\n\n您在政务信息报送系统的账号已开通。\n用户名：{username}\n一次性密码：{password}\n\n"
            f"请登录 {site}/login/ ，首次登录后须修改密码。本密码仅发送这一次，请勿转告他人。",
            None,
            [addresses[username]],
        )
        for username, password in mails
    ]
    try:
        with get_connection() as connection:
            connection.send_messages(messages)
    except Exception:  # the import is committed; only the mail failed
        log.exception("directory import: sending %d one-time passwords failed", len(messages))
