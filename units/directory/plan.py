"""What an import would do, row by row: the preview, and the plan apply.py writes.

Every row of both sheets gets one action — 新建, 修改, 停用, 无变化 or 拒绝 — with the
changes in Chinese, or the reasons it is refused. The database is read in a few bulk
queries (all units, the people named in the file and their roles), never per row.

Units are matched by 代码; a unit created by hand has none, and is matched by its name
under the same parent (and given the code). People are matched by 用户名.
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from .. import access, handover
from ..models import ADMIN_DUTIES, ONE_ADMIN_DUTY, AssessmentClass, RoleGrant, Unit, User
from .parse import ParsedDirectory, Row, parse_bool
from .template import KIND_BY_LABEL, KIND_LABELS, PERSON_SHEET, ROLE_BY_LABEL, ROLE_LABELS, ROLE_SEPARATOR, UNIT_SHEET

CREATE, CHANGE, DISABLE, UNCHANGED, REFUSED = "create", "change", "disable", "unchanged", "refused"
ACTION_LABELS = {CREATE: "新建", CHANGE: "修改", DISABLE: "停用", UNCHANGED: "无变化", REFUSED: "拒绝"}
HAND_CODE = re.compile(r"U([1-9][0-9]{0,17})")
ROLE_SPLIT = (ROLE_SEPARATOR, "，", ",", "；", ";", " ")


@dataclass
class RowPlan:
    sheet: str
    line: int
    key: str  # 代码 or 用户名
    label: str  # 名称 or 姓名
    action: str = UNCHANGED
    changes: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)  # resolved values for apply.py
    existing_id: int | None = None

    def refuse(self, reason: str) -> None:
        self.action = REFUSED
        self.reasons.append(reason)

    @property
    def refused(self) -> bool:
        return self.action == REFUSED

    def as_dict(self) -> dict:
        """What the preview page shows (no resolved data)."""
        return {
            "sheet": self.sheet,
            "line": self.line,
            "key": self.key,
            "label": self.label,
            "action": self.action,
            "action_label": ACTION_LABELS[self.action],
            "changes": self.changes,
            "reasons": self.reasons,
        }


@dataclass
class Plan:
    units: list[RowPlan]
    people: list[RowPlan]

    def counts(self) -> dict[str, dict[str, int]]:
        """{"units": {action: n}, "people": {action: n}} with every action present."""
        out = {}
        for name, rows in (("units", self.units), ("people", self.people)):
            c = Counter(r.action for r in rows)
            out[name] = {a: c.get(a, 0) for a in ACTION_LABELS}
        return out

    @property
    def refused(self) -> list[RowPlan]:
        return [r for r in (*self.units, *self.people) if r.refused]

    @property
    def changes_anything(self) -> bool:
        return any(r.action in (CREATE, CHANGE, DISABLE) for r in (*self.units, *self.people))


def _text(row: Row, column: str, max_length: int, plan: RowPlan, *, required: bool = False) -> str:
    value = row.get(column)
    if required and not value:
        plan.refuse(f"“{column}”不能为空")
    elif len(value) > max_length:
        plan.refuse(f"“{column}”超过 {max_length} 个字")
    return value


def _bool(row: Row, column: str, plan: RowPlan) -> bool | None:
    text = row.get(column)
    if not text:
        return None
    value = parse_bool(text)
    if value is None:
        plan.refuse(f"“{column}”应填“是”或“否”，不是“{text}”")
    return value


class _Scope:
    """Which units the importer may touch: everything (the command, a superuser) or the
    administrator's subtree (units.access.administered_units)."""

    def __init__(self, importer):
        self.unrestricted = importer is None or importer.is_superuser
        self.importer = importer
        self.ids: set[int] = set()
        if not self.unrestricted:
            self.ids = set(access.administered_units(importer).values_list("pk", flat=True))

    def covers(self, unit_id: int | None) -> bool:
        return self.unrestricted or unit_id in self.ids


def build_plan(parsed: ParsedDirectory, *, importer) -> Plan:
    """The plan of importing `parsed` as `importer` (a User; None: the system, unrestricted)."""
    scope = _Scope(importer)
    units = _plan_units(parsed.units, scope)
    people = _plan_people(parsed.people, units, scope)
    return Plan(units=units, people=people)


# --- Units --------------------------------------------------------------------------------


class _CodeIndex:
    """Units by code. The export writes a unit that has no code as U<id> (exports.py);
    such a code finds that unit again, so that a round trip changes nothing."""

    def __init__(self, db: dict[int, dict]):
        self.codes = {u["code"]: u for u in db.values() if u["code"]}
        self.db = db

    def get(self, code: str, default=None) -> dict | None:
        if code in self.codes:
            return self.codes[code]
        m = HAND_CODE.fullmatch(code or "")
        unit = self.db.get(int(m[1])) if m else None
        return unit if unit is not None and not unit["code"] else default

    def __contains__(self, code) -> bool:
        return self.get(code) is not None

    def __getitem__(self, code: str) -> dict:
        unit = self.get(code)
        if unit is None:
            raise KeyError(code)
        return unit


def _plan_units(rows: list[Row], scope: _Scope) -> list[RowPlan]:
    db = {u["id"]: u for u in Unit.objects.values(
        "id", "code", "name", "short_name", "parent_id", "kind", "assessment_class_id", "sort_order", "is_active"
    )}  # fmt: skip
    by_code = _CodeIndex(db)
    by_parent_name = {(u["parent_id"], u["name"]): u for u in db.values()}
    classes = {}
    for c in AssessmentClass.objects.all():
        classes[c.name] = classes[c.code] = c
    plans: list[RowPlan] = []
    first_line: dict[str, int] = {}
    for row in rows:
        code, name = row.get("代码"), row.get("名称")
        p = RowPlan(sheet=UNIT_SHEET, line=row.line, key=code, label=name)
        for problem in row.problems:
            p.refuse(problem)
        _text(row, "代码", 40, p, required=True)
        _text(row, "名称", 100, p, required=True)
        short = _text(row, "简称", 30, p)
        kind_text = row.get("单位类型")
        kind = KIND_BY_LABEL.get(kind_text) if kind_text else None
        if kind_text and kind is None:
            p.refuse(f"未知单位类型“{kind_text}”（可填：{'、'.join(KIND_LABELS.values())}）")
        class_text = row.get("考核类别")
        klass = classes.get(class_text) if class_text else None
        if class_text and klass is None:
            p.refuse(f"未知考核类别“{class_text}”")
        order_text = row.get("排序号")
        order = None
        if order_text:
            if order_text.isascii() and order_text.isdigit() and int(order_text) < 2**31:
                order = int(order_text)
            else:
                p.refuse(f"“排序号”应为非负整数，不是“{order_text}”")
        active = _bool(row, "是否启用", p)
        if code in first_line:
            p.refuse(f"代码“{code}”与第 {first_line[code]} 行重复")
        elif code:
            first_line[code] = row.line
        p.data = {
            "code": code, "name": name, "short_name": short or None, "kind": kind,
            "assessment_class_id": klass.pk if klass else None, "sort_order": order, "is_active": active,
            "parent_code": row.get("上级单位代码"),
        }  # fmt: skip
        plans.append(p)

    # Which row stands for which node of the tree: an existing unit's id, or "new:<code>".
    file_rows = {p.key: p for p in plans if p.key and not any("重复" in r for r in p.reasons)}

    def existing_for(p: RowPlan) -> dict | None:
        if p.key in by_code:
            return by_code[p.key]
        parent_code = p.data["parent_code"]
        parent = by_code.get(parent_code) if parent_code else None
        if parent_code and parent is None and parent_code in file_rows:
            parent_row = file_rows[parent_code]
            parent = by_code.get(parent_row.key)
        parent_id = parent["id"] if parent else None
        if parent_code and parent_id is None:
            return None
        match = by_parent_name.get((parent_id, p.data["name"]))
        return match if match is not None and not match["code"] else None

    for p in plans:
        found = existing_for(p) if p.key else None
        if found is not None:
            p.existing_id = found["id"]
            if not found["code"] and p.key == f"U{found['id']}":
                p.data["code"] = ""  # the export's stand-in for "no code": keep none
    node_of = {code: (p.existing_id if p.existing_id is not None else f"new:{code}") for code, p in file_rows.items()}

    # The tree as it would be: existing parents, overridden by the file's.
    parent_of: dict = {u["id"]: u["parent_id"] for u in db.values()}
    for p in plans:
        if not p.key or p.key not in file_rows or file_rows[p.key] is not p:
            continue
        node = node_of[p.key]
        parent_code = p.data["parent_code"]
        if not parent_code:
            parent_of[node] = None
        elif parent_code == p.key:
            p.refuse("上级单位代码不能是本单位的代码")
            parent_of[node] = None
        elif parent_code in node_of:
            parent_of[node] = node_of[parent_code]
        elif parent_code in by_code:
            parent_of[node] = by_code[parent_code]["id"]
        else:
            p.refuse(f"上级单位代码“{parent_code}”不存在（文件和系统中都没有）")
            parent_of[node] = None
        p.data["node"] = node
        p.data["parent_node"] = parent_of[node]

    def chain(node) -> tuple[list, bool]:
        """Ancestors of node, nearest first, and whether the walk came back to it."""
        seen, out, cur = {node}, [], parent_of.get(node)
        while cur is not None:
            if cur in seen:
                return out, True
            seen.add(cur)
            out.append(cur)
            cur = parent_of.get(cur)
        return out, False

    for p in plans:
        if "node" not in p.data:
            continue
        ancestors, cycle = chain(p.data["node"])
        if cycle:
            p.refuse("上级单位关系形成循环（一个单位不能在自己的下级之下）")
            continue
        p.data["depth"] = len(ancestors)
        if not scope.unrestricted:
            if p.existing_id is not None and not scope.covers(p.existing_id):
                p.refuse("该单位不在您管理的范围内")
            elif p.data["parent_node"] is None and not (
                p.existing_id is not None and db[p.existing_id]["parent_id"] is None
            ):
                p.refuse("只有系统管理员可以导入顶级单位（上级单位代码不能为空）")
            elif not any(isinstance(a, int) and scope.covers(a) for a in ancestors) and not (
                p.existing_id is not None and p.existing_id == scope.importer.unit_id
            ):
                p.refuse("上级单位不在您管理的范围内")
            elif p.existing_id == scope.importer.unit_id and p.data["parent_node"] != db[p.existing_id]["parent_id"]:
                p.refuse("不能调整本人所在单位的上级单位")

    # Names are unique under one parent: the tree as it would be must keep that.
    final_names: dict = defaultdict(list)
    in_file = {p.existing_id for p in plans if p.existing_id is not None and "node" in p.data}
    for u in db.values():
        if u["id"] not in in_file:
            final_names[(u["parent_id"], u["name"])].append(u["id"])
    for p in plans:
        if "node" in p.data and not p.refused:
            final_names[(p.data["parent_node"], p.data["name"])].append(p.data["node"])
    for p in plans:
        if "node" in p.data and not p.refused and len(final_names[(p.data["parent_node"], p.data["name"])]) > 1:
            p.refuse(f"同一上级单位下已有名为“{p.data['name']}”的单位")

    # A row whose parent row is refused cannot be imported either.
    refused_nodes = {p.data.get("node") for p in plans if p.refused}
    changed = True
    while changed:
        changed = False
        for p in plans:
            if not p.refused and "node" in p.data and p.data["parent_node"] in refused_nodes:
                p.refuse(f"上级单位（代码“{p.data['parent_code']}”）所在行未通过检查")
                refused_nodes.add(p.data["node"])
                changed = True

    names = {u["id"]: u["name"] for u in db.values()} | {f"new:{p.key}": p.data["name"] for p in plans}
    for p in plans:
        if p.refused:
            continue
        d = p.data
        if p.existing_id is None:
            p.action = CREATE
            continue
        old = db[p.existing_id]
        diffs = []
        if old["code"] != d["code"]:
            diffs.append(f"代码：{old['code'] or '（空）'} → {d['code']}")
        if old["name"] != d["name"]:
            diffs.append(f"名称：{old['name']} → {d['name']}")
        if d["short_name"] is not None and old["short_name"] != d["short_name"]:
            diffs.append(f"简称：{old['short_name'] or '（空）'} → {d['short_name']}")
        if old["parent_id"] != d["parent_node"]:
            diffs.append(f"上级单位：{names.get(old['parent_id'], '（无）')} → {names.get(d['parent_node'], '（无）')}")
        if d["kind"] is not None and old["kind"] != d["kind"]:
            diffs.append(f"单位类型：{KIND_LABELS.get(old['kind'], old['kind'])} → {KIND_LABELS[d['kind']]}")
        if d["assessment_class_id"] is not None and old["assessment_class_id"] != d["assessment_class_id"]:
            diffs.append(
                "考核类别："
                + (classes_name(old["assessment_class_id"]) + " → " + classes_name(d["assessment_class_id"]))
            )
        if d["sort_order"] is not None and old["sort_order"] != d["sort_order"]:
            diffs.append(f"排序号：{old['sort_order']} → {d['sort_order']}")
        if d["is_active"] is not None and old["is_active"] != d["is_active"]:
            diffs.append("启用 → 停用" if old["is_active"] else "停用 → 启用")
        p.changes = diffs
        if d["is_active"] is False and old["is_active"]:
            p.action = DISABLE
        elif diffs:
            p.action = CHANGE
    return plans


def classes_name(pk: int | None) -> str:
    if pk is None:
        return "（无）"
    return AssessmentClass.objects.filter(pk=pk).values_list("name", flat=True).first() or "（无）"


# --- People -------------------------------------------------------------------------------


def _roles(text: str, p: RowPlan) -> set[str] | None:
    if not text:
        return None
    parts = [text]
    for sep in ROLE_SPLIT:
        parts = [piece for part in parts for piece in part.split(sep)]
    wanted, unknown = set(), []
    for part in (x.strip() for x in parts):
        if not part:
            continue
        role = ROLE_BY_LABEL.get(part)
        if role is None:
            unknown.append(part)
        else:
            wanted.add(role)
    if unknown:
        p.refuse(f"未知角色：{'、'.join(unknown)}（可填：{'、'.join(ROLE_LABELS.values())}）")
    if len(wanted & set(ADMIN_DUTIES)) > 1:
        p.refuse(ONE_ADMIN_DUTY)
    return wanted


def _plan_people(rows: list[Row], unit_plans: list[RowPlan], scope: _Scope) -> list[RowPlan]:
    usernames = [r.get("用户名") for r in rows if r.get("用户名")]
    existing = {u.username: u for u in User.objects.filter(username__in=usernames).select_related("unit")}
    roles_of: dict[tuple[int, int], set[str]] = defaultdict(set)
    for user_id, unit_id, role in RoleGrant.objects.filter(user__in=existing.values()).values_list(
        "user_id", "unit_id", "role"
    ):
        roles_of[(user_id, unit_id)].add(role)
    unit_rows: dict[str, RowPlan] = {}
    for up in unit_plans:
        if up.key:
            unit_rows.setdefault(up.key, up)  # a repeated code: the first row stands
    db_units = _CodeIndex({u["id"]: u for u in Unit.objects.values("id", "code", "name", "is_active")})
    unit_names = {u["id"]: u["name"] for u in Unit.objects.values("id", "name")}
    validate_username = UnicodeUsernameValidator()
    first_line: dict[str, int] = {}
    plans = []
    moves: list[tuple[RowPlan, User, Unit]] = []
    for row in rows:
        username, full_name = row.get("用户名"), row.get("姓名")
        p = RowPlan(sheet=PERSON_SHEET, line=row.line, key=username, label=full_name)
        for problem in row.problems:
            p.refuse(problem)
        _text(row, "用户名", 150, p, required=True)
        _text(row, "姓名", 50, p, required=True)
        phone = _text(row, "手机", 30, p)
        email = _text(row, "邮箱", 254, p)
        if username:
            try:
                validate_username(username)
            except ValidationError:
                p.refuse("用户名只能包含字母、数字和 @ . + - _")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                p.refuse(f"邮箱“{email}”格式不正确")
        roles = _roles(row.get("角色"), p)
        active = _bool(row, "是否启用", p)
        if username in first_line:
            p.refuse(f"用户名“{username}”与第 {first_line[username]} 行重复")
        elif username:
            first_line[username] = row.line
        code = row.get("单位代码")
        unit_node, unit_name, target = None, "", None
        if not code:
            p.refuse("“单位代码”不能为空")
        elif code in unit_rows:
            unit_row = unit_rows[code]
            if unit_row.refused:
                p.refuse(f"所属单位（代码“{code}”，单位表第 {unit_row.line} 行）未通过检查")
            else:
                unit_node, unit_name = unit_row.data["node"], unit_row.data["name"]
                unit_active = unit_row.data["is_active"]
                if unit_active is None:  # the row leaves the flag as it is (a new unit is active)
                    unit_active = unit_row.existing_id is None or db_units.db[unit_row.existing_id]["is_active"]
                target = Unit(pk=unit_row.existing_id, name=unit_name, is_active=unit_active)
        elif code in db_units:
            unit_node, unit_name = db_units[code]["id"], db_units[code]["name"]
            target = Unit(pk=unit_node, name=unit_name, is_active=db_units[code]["is_active"])
            if not scope.covers(unit_node):
                p.refuse(f"单位“{unit_name}”不在您管理的范围内")
                unit_node = None
        else:
            p.refuse(f"单位代码“{code}”不存在（文件和系统中都没有）")
        user = existing.get(username)
        if user is not None:
            p.existing_id = user.pk
            if user.is_superuser and not scope.unrestricted:
                p.refuse("该用户是系统管理员，只有系统管理员可以修改")
            elif not scope.covers(user.unit_id) and user.unit_id is not None:
                p.refuse(f"该用户属于您管理范围以外的单位（{user.unit.name}）")
            elif scope.importer is not None and user.pk == scope.importer.pk and active is False:
                p.refuse("不能停用自己的账号")
        p.data = {
            "username": username, "full_name": full_name, "unit_node": unit_node, "roles": roles,
            "phone": phone or None, "email": email or None, "is_active": active,
        }  # fmt: skip
        plans.append(p)
        if p.refused:
            continue
        if user is None:
            p.action = CREATE
            if active is False:
                p.changes.append("新建为停用状态（不生成密码）")
            continue
        old_roles = roles_of.get((user.pk, user.unit_id), set())
        diffs = []
        if user.full_name != full_name:
            diffs.append(f"姓名：{user.full_name or '（空）'} → {full_name}")
        if user.unit_id != unit_node:
            diffs.append(f"所属单位：{unit_names.get(user.unit_id, '（无）')} → {unit_name}")
        moving = user.unit_id != unit_node
        # A move ends the grants of the old unit; a row that names no roles keeps the
        # working ones (handover.carried_roles), as every route of a move does.
        target_roles = (handover.carried_roles(old_roles) if moving else old_roles) if roles is None else roles
        if target_roles != old_roles:
            diffs.append(f"角色：{_role_text(old_roles)} → {_role_text(target_roles)}")
        if phone and user.phone != phone:
            diffs.append(f"手机：{user.phone or '（空）'} → {phone}")
        if email and user.email != email:
            diffs.append(f"邮箱：{user.email or '（空）'} → {email}")
        if active is not None and user.is_active != active:
            diffs.append("启用 → 停用" if user.is_active else "停用 → 启用")
        p.data["roles"] = target_roles
        p.data["roles_changed"] = target_roles != old_roles or user.unit_id != unit_node
        p.changes = diffs
        if active is False and user.is_active:
            p.action = DISABLE
        elif diffs:
            p.action = CHANGE
        if moving and user.unit_id is not None:
            moves.append((p, user, target))
        elif p.action == DISABLE and user.unit_id is not None:
            moves.append((p, user, None))
    _plan_handovers(moves, plans)
    return plans


def _plan_handovers(moves: list[tuple[RowPlan, User, Unit | None]], plans: list[RowPlan]) -> None:
    """A person whose unit changes moves as on the move page (units.handover): the preview
    lists their open work and the colleague of the old unit it goes to (chosen by
    handover.choose_colleague, never someone this file moves or disables); a move with
    work to hand over and nobody to take it is refused. A person disabled (target None)
    hands over the same way, but is disabled even when nobody can take the work."""
    leaving = {p.existing_id for p in plans if not p.refused and p.action == DISABLE}
    leaving |= {p.existing_id for p, _, _ in moves}
    for p, user, target in moves:
        if target is None:
            preview = handover.preview_leave(user, leaving=leaving)
            p.data["leaving"] = True
            p.data["handover_to"] = preview.colleague.pk if preview.colleague is not None else None
            if preview.work:  # a departure with nothing open says nothing more
                p.changes += [f"交接：{line}" for line in preview.lines()]
            continue
        preview = handover.preview_move(user, target, leaving=leaving)
        if preview.refusal:
            p.refuse(preview.refusal)
            continue
        p.data["moving"] = True
        p.data["handover_to"] = preview.colleague.pk if preview.colleague is not None else None
        p.changes += [f"交接：{line}" for line in preview.lines()]


def _role_text(roles: set[str]) -> str:
    order = list(ROLE_LABELS)
    return "、".join(ROLE_LABELS[r] for r in sorted(roles, key=order.index)) or "（无）"
