"""The access-control matrix: for every URL name, who may use it.

Each entry is one or more checks. A check names the HTTP method, the object the URL is
about (through `kwargs`, from the scenario), the unit that owns that object (`anchor`),
and the people allowed, as `role@relation` to the anchor:

    own       the object's own unit         (an item's writing unit; an issue's office)
    parent    the unit above it             (the office an item is submitted to)
    child     a unit below it               (the department an office's issue, commission
                                             or instruction is for), city anchor only
    other_child another unit below it       (a department it is not for), city anchor only
    sibling   a unit beside it under the same parent
    unrelated a unit in another branch of the tree

`*` stands for any role or any relation; `anonymous` is a visitor who has not signed in.
Every role of every relation of the anchor is tried, plus the anonymous visitor.

How a response counts (test_access_matrix.py): 401, 403, 404, 409 and a redirect to a
login page refuse; anything else below 500 lets the person in. `effect` tightens that for
acts: the act must have happened for an allowed person, and must not have for a refused
one; `redirect_refuses` counts a redirect (a page sending the person away with a
message) as a refusal. A refused request must write nothing to the database but
bookkeeping (the session, the login guard's log, the audit trail).

The roles and scopes come from docs/domain.md §2–§4 and the apps' access.py; the comments say
why where the rule is not obvious.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from publications.models import Adoption, CalendarYear, CompileRun, ExternalAdoption, Instruction, Issue, IssueState
from scoring.models import LedgerEntry
from submissions.models import Attachment, Category, Item
from submissions.workflow import TRANSITIONS

from .scenario import PDF, Scenario

ANCHORS = {
    "dept": {"own": "dept", "parent": "city", "sibling": "dept2", "unrelated": "other_dept"},
    "city": {
        "own": "city",
        "parent": "province",
        "child": "dept",
        "other_child": "dept2",
        "sibling": "other_city",
        "unrelated": "other_dept",
    },
}

SIGNED_IN = frozenset({"*@*"})
EVERYONE = frozenset({"*@*", "anonymous"})
NOBODY = frozenset()
UNIT_READERS = ("staff", "unit_approver", "leader")  # submissions.access.UNIT_READERS
OFFICE_READERS = ("editor", "issue_approver", "leader")  # publications.access.OFFICE_READERS
SCHEME_OFFICE = ("leader", "editor", "system_admin", "issue_approver")  # scoring.access.OFFICE_ROLES


def at(relation: str, *roles: str) -> frozenset[str]:
    return frozenset(f"{role}@{relation}" for role in roles)


def anywhere(*roles: str) -> frozenset[str]:
    return at("*", *roles)


@dataclass(frozen=True)
class Check:
    method: str
    allow: frozenset[str]
    anchor: str = "city"
    kwargs: Callable[[Scenario], dict] = lambda s: {}
    query: Callable[[Scenario], dict] | None = None
    data: Callable[[Scenario], dict] | None = None
    variant: str = ""
    api: bool = False
    effect: Callable[[Scenario], bool] | None = None
    redirect_refuses: bool = False
    success_redirects: tuple[str, ...] = ()  # a redirect to exactly this lets the person in
    ok_statuses: frozenset[int] = field(default_factory=frozenset)


def page(method="GET", allow=NOBODY, **kw) -> Check:
    return Check(method=method, allow=frozenset(allow), **kw)


def api(method="GET", allow=NOBODY, **kw) -> Check:
    return Check(method=method, allow=frozenset(allow), api=True, **kw)


# --- Objects of the scenario -------------------------------------------------------------


def pk(name: str) -> Callable[[Scenario], dict]:
    return lambda s: {"pk": getattr(s, name).pk}


def state_of(name: str) -> Callable[[Scenario], str]:
    return lambda s: Item.objects.get(pk=getattr(s, name).pk).state


def pdf(name: str = "新附件.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _today() -> str:
    return timezone.localdate().isoformat()


def _category() -> int:
    return Category.objects.get(code="measures").pk


# Readers of an ordinary item of the department (DOMAIN §4–5, submissions.access.can_read):
# its unit's staff, approvers and leaders, and the editors of the office it went to.
ITEM_READERS = at("own", *UNIT_READERS) | at("parent", "editor")
# 敏感: the office's editors and the leaders named on the item; the unit approver who
# signed it off (and its author, not a persona here). Not a colleague, not the unit's leader.
SENSITIVE_READERS = at("own", "unit_approver") | at("parent", "editor", "leader")
DRAFT_READERS = at("own", *UNIT_READERS)  # not yet at the office
# A signed issue of the city's 政务信息 (报 province, 发 dept): the units on the list and
# the issuing office's leaders, editors and issue approvers ("上下有别、内外有别").
SIGNED_ISSUE_READERS = at("parent", "*") | at("child", "*") | at("own", *OFFICE_READERS)
DRAFT_ISSUE_READERS = at("own", "editor", "issue_approver")
# Who instructs on an item of the city's signed issue (DOMAIN §8): its office's editors
# (recording a leader's words) and the leaders of the office and of the one above it (报).
# Not the department's leader, who reads the issue (发) but would credit their own unit.
INSTRUCTORS = at("own", "editor", "leader") | at("parent", "leader")
# An instruction of the city office on the department's item, handled by the department.
INSTRUCTION_VIEWERS = at("own", *OFFICE_READERS) | at("child", *UNIT_READERS)
# The city's scheme assessing its departments (public to the assessed units).
BOARD_VIEWERS = at("own", *SCHEME_OFFICE) | at("child", "*") | at("other_child", "*")
# A scheme that keeps its board to the office: the department still sees its own ledger.
PRIVATE_BOARD_VIEWERS = at("own", *SCHEME_OFFICE)
PRIVATE_LEDGER_VIEWERS = at("own", *SCHEME_OFFICE) | at("child", "*")
# The year-end (scoring.access): the office's issue approver or administrator decides; a
# unit's approver appeals; an appeal is read by the office and the appealing unit (dept).
CLOSING_DECIDERS = at("own", "issue_approver", "system_admin")
APPELLANTS = at("child", "unit_approver") | at("other_child", "unit_approver")
APPEAL_READERS = at("own", *SCHEME_OFFICE) | at("child", "*")
# The scenario's year-end schemes assess both departments (scenario.py), so both read the final board.
FINAL_READERS = at("own", *SCHEME_OFFICE) | at("child", "*") | at("other_child", "*")
# Staff write for their unit, to the office above it: the top office has none above it.
WRITERS = frozenset(f"staff@{r}" for r in ("own", "child", "other_child", "sibling", "unrelated"))


# --- Item acts: one check per act of the transition table ------------------------------------

# act: (the scenario's item in a state the act starts from, who may take it)
ACTS = {
    "send_for_signoff": ("draft", at("own", "staff")),
    "withdraw": ("pending", at("own", "staff")),
    "sign_off": ("pending", at("own", "unit_approver")),
    "send_back": ("pending", at("own", "unit_approver")),
    "start_review": ("submitted", at("parent", "editor")),
    "return": ("submitted", at("parent", "editor")),
    "reject": ("submitted", at("parent", "editor")),
    "hold": ("submitted", at("parent", "editor")),
}
assert set(ACTS) == set(TRANSITIONS), "a new act in the transition table needs its row in ACTS"


def _act_checks(*, api_names: bool) -> dict[str, list[Check]]:
    from govinfo.api.item_serializers import api_action_path

    checks: dict[str, list[Check]] = {}
    for action, (obj, allow) in ACTS.items():
        target = TRANSITIONS[action].target

        def data(s, obj=obj):
            return {"version": Item.objects.get(pk=getattr(s, obj).pk).version, "comment": "矩阵测试意见"}

        def moved(s, obj=obj, target=target):
            return state_of(obj)(s) == target

        if api_names:
            name = f"api-item-{api_action_path(action)}"
            checks[name] = [api("POST", allow, anchor="dept", kwargs=pk(obj), data=data, effect=moved)]
        else:
            checks.setdefault("item_act", []).append(
                page("POST", allow, anchor="dept", variant=action, data=data, effect=moved,
                     kwargs=lambda s, obj=obj, action=action: {"pk": getattr(s, obj).pk, "action": action})
            )  # fmt: skip
    return checks


# --- Effects -------------------------------------------------------------------------------


def _staff_of_dept(s: Scenario) -> dict:
    return {"pk": s.person("staff", "dept").pk}


def _staff_now(s: Scenario):
    staff = s.person("staff", "dept")
    return type(staff).objects.get(pk=staff.pk)


def _directory_rename(s: Scenario) -> dict:
    staff = s.person("staff", "dept")
    return {"people": [{"username": staff.username, "full_name": "矩阵改名", "unit_code": f"U{staff.unit_id}"}]}


def _directory_disabled(s: Scenario) -> bool:
    staff = s.person("staff", "dept")
    return type(staff).objects.filter(pk=staff.pk, is_active=False).exists()


def _directory_renamed(s: Scenario) -> bool:
    staff = s.person("staff", "dept")
    return type(staff).objects.filter(pk=staff.pk, full_name="矩阵改名").exists()


def _new_item(s: Scenario) -> bool:
    return Item.objects.filter(title="矩阵测试新信息").exists()


def _attachments(name: str, n: int) -> Callable[[Scenario], bool]:
    return lambda s: Attachment.objects.filter(item=getattr(s, name)).count() == n


def _adopted(name: str) -> Callable[[Scenario], bool]:
    return lambda s: Adoption.objects.filter(item=getattr(s, name)).exists()


def _new_case(s: Scenario) -> bool:
    return Item.objects.filter(title="矩阵测试突发事件", emergency_case__isnull=False).exists()


def _case_data(s: Scenario) -> dict:
    occurred = (timezone.now() - dt.timedelta(minutes=5)).isoformat()
    return {"title": "矩阵测试突发事件", "body": "某县发生山体滑坡。", "grade": "major", "occurred_at": occurred}


def _forwarded(s: Scenario) -> bool:
    return Item.objects.filter(forwarded_from=s.published).exists()


def _withdrawn(s: Scenario) -> bool:
    return Adoption.objects.get(pk=s.pool_adoption.pk).withdrawn_at is not None


def _external(s: Scenario) -> bool:
    return ExternalAdoption.objects.filter(adoption=s.published_adoption).exists()


def _issues(n: int) -> Callable[[Scenario], bool]:
    return lambda s: Issue.objects.filter(publication=s.bulletin).count() == n


def _in_draft_issue(s: Scenario) -> bool:
    return Adoption.objects.get(pk=s.pool_adoption.pk).issue_id == s.draft_issue.pk


def _out_of_draft_issue(s: Scenario) -> bool:
    return Adoption.objects.get(pk=s.draft_issue_adoption.pk).issue_id is None


def _signed(s: Scenario) -> bool:
    return Issue.objects.get(pk=s.draft_issue.pk).state == IssueState.SIGNED


def _sent(s: Scenario) -> bool:
    return Issue.objects.get(pk=s.draft_issue.pk).sent_at is not None


def _taken_back(s: Scenario) -> bool:
    return Issue.objects.get(pk=s.sent_issue.pk).sent_at is None


def _compile_runs(s: Scenario) -> bool:
    return CompileRun.objects.filter(publication=s.bulletin).count() == 2


def _answered(s: Scenario) -> bool:
    return s.open_instruction.handler_links.get().feedback_at is not None


def _adjusted(s: Scenario) -> bool:
    return LedgerEntry.objects.filter(scheme=s.scheme, reason__contains="矩阵测试调整").exists()


def _stage(name: str, stage: str) -> Callable[[Scenario], bool]:
    from scoring.models import Scheme

    return lambda s: Scheme.objects.get(pk=getattr(s, name).pk).stage == stage


def _proposed(s: Scenario) -> bool:
    from scoring.models import StageChange

    return StageChange.objects.filter(scheme=s.scheme, reason__startswith="提议开始公示").exists()


def _appeals(n: int) -> Callable[[Scenario], bool]:
    from scoring.models import Appeal

    return lambda s: Appeal.objects.filter(scheme=s.publicity_scheme).count() == n


def _decided(s: Scenario) -> bool:
    from scoring.models import Appeal

    return Appeal.objects.get(pk=s.appeal.pk).status != "pending"


def _instructions(s: Scenario) -> bool:
    return Instruction.objects.filter(item=s.published).count() == 3


def _composite(s: Scenario) -> bool:
    return Adoption.objects.filter(title="矩阵测试综合").exists()


def _draft_title(s: Scenario) -> bool:
    return Item.objects.get(pk=s.draft.pk).title == "矩阵测试改标题"


def _editor_edited(s: Scenario) -> bool:
    return Item.objects.get(pk=s.item.pk).title == "矩阵测试编辑修改"


def _issue_data(s: Scenario) -> dict:
    return {"adoptions": [s.pool_adoption.pk]}


def _instruction_data(s: Scenario) -> dict:
    today = timezone.localdate()
    deadline = today + dt.timedelta(days=5)
    return {
        "issue": s.signed_issue.pk, "level": "市政府领导", "text": "矩阵测试批示", "leader_name": "某领导",
        "date": today.isoformat(), "deadline": deadline.isoformat(), "units": [s.units["dept"].pk],
    }  # fmt: skip


def _instruction_query(s: Scenario) -> dict:
    return {"issue": s.signed_issue.pk, "item": s.published.pk}


ADMINS = ("system_admin", "security_admin", "auditor")  # 三员分立 (units.models.ADMIN_DUTIES)
# The security administrators who look after the department's accounts: its own and the city's.
SECURES_DEPT = at("own", "security_admin") | at("parent", "security_admin")


def _verification_requested(s: Scenario) -> bool:
    from audit.models import AuditEntry

    return AuditEntry.objects.filter(action="audit_verify_requested").exists()


def _role_change_approved(s: Scenario) -> bool:
    from units.models import RoleChange

    return RoleChange.objects.get(pk=s.role_change.pk).state == RoleChange.State.APPROVED


def admin_change(object_id: Callable[[Scenario], int], anchor: str = "city") -> Check:
    """An admin change page of an object of the anchor's unit: for the administrators of that
    unit and of the one above it; anyone else is sent back to the admin index."""
    admins = at("own", "system_admin") | at("parent", "system_admin")
    return page("GET", admins, anchor=anchor, redirect_refuses=True, kwargs=lambda s: {"object_id": object_id(s)})


def _creation_entry(item: Item) -> int:
    from audit.models import AuditEntry

    return AuditEntry.objects.get(model="submissions.item", object_id=str(item.pk), action="create").pk


def _ledger_kwargs(s: Scenario) -> dict:
    return {"pk": s.scheme.pk, "unit_pk": s.units["dept"].pk}


def _private_ledger_kwargs(s: Scenario) -> dict:
    return {"pk": s.private_scheme.pk, "unit_pk": s.units["dept"].pk}


def _notice_data(s: Scenario) -> dict:
    """A confirmed notice for next year (the digest is what its preview would carry)."""
    from publications.admin import NoticeForm

    data = {"year": timezone.localdate().year + 1, "notice": f"{timezone.localdate().year + 1}-01-01 休"}
    form = NoticeForm(data)
    assert form.is_valid(), form.errors
    return {**data, "previewed": form.digest(), "confirm": "确认保存"}


def _notice_entered(s: Scenario) -> bool:
    return CalendarYear.objects.filter(year=timezone.localdate().year + 1).exists()


# --- The matrix ------------------------------------------------------------------------------

MATRIX: dict[str, list[Check]] = {
    # Signing in and out, the home page, health, two-factor pages.
    "login": [page("GET", EVERYONE)],
    # Signing out ends on the login page; a visitor is sent to sign in first.
    "logout": [page("POST", SIGNED_IN, success_redirects=("/login/",))],
    "password_change": [page("GET", SIGNED_IN), page("POST", SIGNED_IN)],
    "password_change_done": [page("GET", SIGNED_IN)],
    "home": [page("GET", SIGNED_IN)],
    # Load balancers ask without a login; 503 is the answer "something is down".
    "health": [page("GET", EVERYONE, ok_statuses=frozenset({503}))],
    "two_factor": [page("GET", SIGNED_IN)],
    "two_factor_verify": [page("GET", SIGNED_IN)],
    "two_factor_setup": [page("GET", SIGNED_IN)],
    # Administration: the admin site and the unit directory are for administrators; a
    # unit's page for administrators of it or of a unit above it.
    # The admin site is the three administrators' (三员分立); each model's page says which.
    "admin:index": [page("GET", anywhere(*ADMINS))],
    # The audit trail lives in the admin: the auditor reads all of their subtree and alone
    # exports it; the system and security administrators read the other administrators'
    # actions only (the list opens for them, with those rows).
    "admin:audit_auditentry_changelist": [page("GET", anywhere(*ADMINS))],
    "admin:audit_auditentry_export_xlsx": [page("GET", anywhere("auditor"))],
    "admin:audit_auditentry_export_csv": [page("GET", anywhere("auditor"))],
    # The chains are the installation's: their verification is for the top unit's auditor.
    "admin:audit_auditentry_verify": [
        page("GET", at("parent", "auditor")),
        page("POST", at("parent", "auditor"), variant="queue", effect=_verification_requested),
    ],
    # Instructions are read-only in the admin, for the administrators of their office and
    # above; one on a 敏感 item must not show its title there (test_access_matrix.py).
    "admin:publications_instruction_changelist": [page("GET", anywhere("system_admin"))],
    "admin:publications_instruction_change": [
        page(
            "GET",
            at("own", "system_admin") | at("parent", "system_admin"),
            redirect_refuses=True,
            kwargs=lambda s: {"object_id": s.sensitive_instruction.pk},
        ),
    ],
    # The working-day calendar is the whole installation's: any administrator reads it,
    # only the top office's administrators enter the year's 放假调休 notice.
    "admin:publications_calendaryear_changelist": [page("GET", anywhere("system_admin"))],
    "admin:publications_calendaryear_calendar": [
        page("GET", anywhere("system_admin"), kwargs=lambda s: {"year": timezone.localdate().year + 1})
    ],
    "admin:publications_calendaryear_enter": [
        page("GET", at("parent", "system_admin")),
        page("POST", at("parent", "system_admin"), variant="confirm", data=_notice_data, effect=_notice_entered),
    ],
    "unit_directory": [page("GET", anywhere("system_admin"))],
    # The directory import (issue 16): administrators anywhere, each into their own subtree
    # (refused per row: tests/units/test_directory_import.py). An import belongs to the
    # person who uploaded it, and lives in the cache, which this test clears after every
    # request: a token nobody owns is refused to all; the owner's view is tested in
    # tests/units/test_directory_pages.py.
    "directory_import": [page("GET", anywhere("system_admin")), page("POST", anywhere("system_admin"))],
    "directory_template": [page("GET", anywhere("system_admin"))],
    "directory_export": [page("GET", anywhere("system_admin"))],
    "directory_import_job": [page("GET", NOBODY, kwargs=lambda s: {"token": "no-such-import"})],
    "directory_import_apply": [page("POST", NOBODY, kwargs=lambda s: {"token": "no-such-import"})],
    "unit_detail": [
        page(
            "GET",
            at("own", "system_admin") | at("parent", "system_admin"),
            anchor="dept",
            kwargs=lambda s: {"pk": s.units["dept"].pk},
        )
    ],
    # Moving a person, or recording that they left (issue 16): the administrators of their
    # unit; a move goes only into a unit the administrator administers, so the department's
    # administrator cannot move its staff to the department beside it (the form refuses).
    "person_move": [
        page("GET", at("own", "system_admin") | at("parent", "system_admin"), anchor="dept", kwargs=_staff_of_dept),
        page(
            "POST",
            at("parent", "system_admin"),
            anchor="dept",
            kwargs=_staff_of_dept,
            data=lambda s: {"unit": s.units["dept2"].pk, "colleague": s.person("unit_approver", "dept").pk},
            effect=lambda s: _staff_now(s).unit_id == s.units["dept2"].pk,
        ),
    ],
    "person_leave": [
        page("GET", at("own", "system_admin") | at("parent", "system_admin"), anchor="dept", kwargs=_staff_of_dept),
        page(
            "POST",
            at("own", "system_admin") | at("parent", "system_admin"),
            anchor="dept",
            kwargs=_staff_of_dept,
            data=lambda s: {"colleague": s.person("unit_approver", "dept").pk},
            effect=lambda s: not _staff_now(s).is_active,
        ),
    ],
    "notifications": [page("GET", SIGNED_IN)],
    "notifications_read": [page("POST", SIGNED_IN)],
    # Items (DOMAIN §4–5).
    "my_items": [page("GET", anywhere(*UNIT_READERS))],
    # Staff write for their unit, to the office above it: the top office has none.
    "item_create": [
        page("GET", WRITERS),
        page("POST", WRITERS),
    ],
    "item_import": [page("POST", WRITERS)],
    "item_check": [
        page("POST", SIGNED_IN, data=lambda s: {"title": "标题", "body": "正文"}),
        # Checking against an item one cannot read must not reveal it exists.
        page(
            "POST",
            SENSITIVE_READERS,
            anchor="dept",
            variant="sensitive",
            data=lambda s: {"title": "标题", "body": "正文", "item_id": s.sensitive.pk},
        ),
    ],
    "item_detail": [
        page("GET", ITEM_READERS, anchor="dept", kwargs=pk("item")),
        page("GET", SENSITIVE_READERS, anchor="dept", kwargs=pk("sensitive"), variant="sensitive"),
        page("GET", DRAFT_READERS, anchor="dept", kwargs=pk("draft"), variant="draft"),
        # Written as 内部 and made 敏感 after the office had returned it.
        page("GET", SENSITIVE_READERS, anchor="dept", kwargs=pk("turned"), variant="sensitive-turned"),
    ],
    # The writer's unit's staff revise a returned item; readers are sent back to it.
    "item_edit": [
        page("GET", at("own", "staff"), anchor="dept", kwargs=pk("returned"), redirect_refuses=True),
        page("POST", at("own", "staff"), anchor="dept", kwargs=pk("returned"), redirect_refuses=True),
    ],
    "item_editor_edit": [
        page("GET", at("parent", "editor"), anchor="dept", kwargs=pk("item")),
        page("POST", at("parent", "editor"), anchor="dept", kwargs=pk("item")),
    ],
    # "Editors' edits keep the writer's original text; the diff is visible to both."
    "item_diff": [
        page("GET", ITEM_READERS, anchor="dept", kwargs=pk("item"), redirect_refuses=True),
        page(
            "GET", SENSITIVE_READERS, anchor="dept", kwargs=pk("sensitive"), variant="sensitive", redirect_refuses=True
        ),
    ],
    **_act_checks(api_names=False),
    "attachment_add": [
        page(
            "POST",
            at("own", "staff"),
            anchor="dept",
            kwargs=pk("draft"),
            data=lambda s: {"file": pdf()},
            effect=_attachments("draft", 2),
        ),
    ],
    "attachment_download": [
        page("GET", ITEM_READERS, anchor="dept", kwargs=pk("attachment")),
        page("GET", SENSITIVE_READERS, anchor="dept", kwargs=pk("sensitive_attachment"), variant="sensitive"),
    ],
    "attachment_delete": [
        page("POST", at("own", "staff"), anchor="dept", kwargs=pk("draft_attachment"), effect=_attachments("draft", 0))
    ],
    # 随文刊发 (issue 17): the editors of the office the item went to, no one else.
    "attachment_print": [
        page(
            "POST",
            at("parent", "editor"),
            anchor="dept",
            kwargs=pk("picture"),
            data=lambda s: {"for_print": "1"},
            effect=lambda s: Attachment.objects.get(pk=s.picture.pk).for_print,
        )
    ],
    "signoff_queue": [page("GET", anywhere("unit_approver"))],
    "desk": [page("GET", anywhere("editor"))],
    # Commissions (DOMAIN §9): the office's editors issue them; the target units answer.
    "commission_list": [page("GET", anywhere("editor"))],
    "commission_create": [page("GET", anywhere("editor")), page("POST", anywhere("editor"))],
    "commission_inbox": [page("GET", anywhere(*UNIT_READERS))],
    "commission_detail": [page("GET", at("own", "editor"), kwargs=pk("commission"))],
    "commission_answer": [
        page("GET", at("child", "staff"), kwargs=pk("commission")),
        page("POST", at("child", "staff"), kwargs=pk("commission")),
    ],
    "progress_status": [page("GET", anywhere("editor"))],
    # Emergencies: the reporting unit's readers and the receiving office's editors.
    "emergency_list": [page("GET", anywhere("editor", *UNIT_READERS))],
    "emergency_create": [
        page("GET", WRITERS),
        page("POST", WRITERS),
    ],
    "emergency_case": [page("GET", ITEM_READERS, anchor="dept", kwargs=pk("case"))],
    "emergency_followup": [
        page("GET", at("own", "staff"), anchor="dept", kwargs=pk("case")),
        page("POST", at("own", "staff"), anchor="dept", kwargs=pk("case")),
    ],
    # Adoption, forwarding, publications and issues (DOMAIN §5–6).
    "item_adopt": [
        page(
            "POST",
            at("parent", "editor"),
            anchor="dept",
            kwargs=pk("submitted"),
            effect=_adopted("submitted"),
            data=lambda s: {
                "publication": s.bulletin.pk,
                "form": "full",
                "version": Item.objects.get(pk=s.submitted.pk).version,
            },
        ),
    ],
    "item_forward": [
        page(
            "POST",
            at("parent", "editor"),
            anchor="dept",
            kwargs=pk("published"),
            effect=_forwarded,
            data=lambda s: {"note": "矩阵测试转报"},
        ),
    ],
    "adoption_withdraw": [
        page(
            "POST",
            at("own", "editor"),
            kwargs=pk("pool_adoption"),
            data=lambda s: {"reason": "矩阵测试"},
            effect=_withdrawn,
        ),
    ],
    "external_adoption": [
        page(
            "POST",
            at("own", "editor"),
            kwargs=pk("published_adoption"),
            effect=_external,
            data=lambda s: {"date": _today(), "level": "国办", "evidence": "国办《每日要情》第1期"},
        ),
    ],
    "issue_list": [page("GET", anywhere("editor", "issue_approver"))],
    "publication_detail": [page("GET", at("own", "editor", "issue_approver"), kwargs=pk("bulletin"))],
    "composite": [
        page("GET", at("own", "editor"), kwargs=pk("bulletin")),
        page("POST", at("own", "editor"), kwargs=pk("bulletin")),
    ],
    # Editors compose issues; issue approvers sign them off (DOMAIN §2).
    "issue_create": [page("POST", at("own", "editor"), kwargs=pk("bulletin"), effect=_issues(3))],
    "compile_now": [page("POST", at("own", "editor"), kwargs=pk("bulletin"), effect=_compile_runs)],
    "compile_run": [page("GET", at("own", "editor", "issue_approver"), kwargs=pk("compile_run"))],
    "issue_signoff_queue": [page("GET", anywhere("issue_approver"))],
    "issue_detail": [
        page("GET", SIGNED_ISSUE_READERS, kwargs=pk("signed_issue")),
        page("GET", DRAFT_ISSUE_READERS, kwargs=pk("draft_issue"), variant="draft"),
        # The 敏感 动态信息专报 goes to the same list; its 敏感 item only to its readers.
        page("GET", SIGNED_ISSUE_READERS, kwargs=pk("restricted_issue"), variant="restricted"),
    ],
    "issue_add": [
        page("POST", at("own", "editor"), kwargs=pk("draft_issue"), data=_issue_data, effect=_in_draft_issue)
    ],
    "issue_remove": [
        page(
            "POST",
            at("own", "editor"),
            kwargs=pk("draft_issue"),
            effect=_out_of_draft_issue,
            data=lambda s: {"adoption": s.draft_issue_adoption.pk},
        ),
    ],
    "issue_move": [
        page(
            "POST",
            at("own", "editor"),
            kwargs=pk("draft_issue"),
            data=lambda s: {"adoption": s.draft_issue_adoption.pk, "direction": "up"},
        ),
    ],
    "issue_sign": [
        page(
            "POST", at("own", "issue_approver"), kwargs=pk("draft_issue"), data=lambda s: {"copies": 10}, effect=_signed
        ),
    ],
    # 送签: the office's editors hand the draft to the signer (issue 14).
    "issue_send": [page("POST", at("own", "editor"), kwargs=pk("draft_issue"), effect=_sent)],
    # Undoing 送签 (撤回送签, 退回编辑) is for the office's editors and issue approvers.
    "issue_take_back": [
        page(
            "POST",
            at("own", "editor", "issue_approver"),
            kwargs=pk("sent_issue"),
            data=lambda s: {"comment": "矩阵"},
            effect=_taken_back,
        )
    ],
    "issue_docx": [
        page("GET", SIGNED_ISSUE_READERS, kwargs=pk("signed_issue")),
        page("GET", DRAFT_ISSUE_READERS, kwargs=pk("draft_issue"), variant="draft"),
        page("GET", SIGNED_ISSUE_READERS, kwargs=pk("restricted_issue"), variant="restricted"),
    ],
    # The PDF beside the .docx (issue 17): the same readers, the same withheld-copy rule.
    "issue_pdf": [
        page("GET", SIGNED_ISSUE_READERS, kwargs=pk("signed_issue")),
        page("GET", DRAFT_ISSUE_READERS, kwargs=pk("draft_issue"), variant="draft"),
        page("GET", SIGNED_ISSUE_READERS, kwargs=pk("restricted_issue"), variant="restricted"),
    ],
    # A picture printed in the issue (issue 17): its readers, from the copy they get.
    "issue_picture": [
        page("GET", SIGNED_ISSUE_READERS, kwargs=lambda s: {"pk": s.signed_issue.pk, "attachment": s.signed_picture.pk})
    ],
    "my_bulletins": [page("GET", SIGNED_IN)],
    # 公开 publications: their signed issues' public items, without login; nothing of a
    # publication that is not public.
    "public_index": [page("GET", EVERYONE)],
    "public_publication": [
        page("GET", EVERYONE, kwargs=pk("public_pub")),
        page("GET", NOBODY, kwargs=pk("bulletin"), variant="not-public"),
    ],
    "public_feed": [
        page("GET", EVERYONE, kwargs=pk("public_pub")),
        page("GET", NOBODY, kwargs=pk("bulletin"), variant="not-public"),
    ],
    "public_issue": [
        page("GET", EVERYONE, kwargs=pk("public_issue")),
        page("GET", NOBODY, kwargs=pk("signed_issue"), variant="not-public"),
    ],
    # Instructions (DOMAIN §8): leaders who read the issue, or the office's editors
    # recording one, write them; the office follows them; the handling unit reports back.
    "instruction_list": [page("GET", anywhere(*OFFICE_READERS))],
    "instruction_export": [page("GET", anywhere(*OFFICE_READERS))],
    "instruction_inbox": [page("GET", anywhere(*UNIT_READERS))],
    "instruction_create": [
        page(
            "GET",
            INSTRUCTORS,
            query=_instruction_query,
        ),
        page(
            "POST",
            INSTRUCTORS,
            query=_instruction_query,
        ),
    ],
    "instruction_detail": [page("GET", INSTRUCTION_VIEWERS, kwargs=pk("instruction"))],
    "instruction_feedback": [
        page(
            "POST",
            at("child", *UNIT_READERS),
            kwargs=pk("open_instruction"),
            effect=_answered,
            data=lambda s: {"text": "矩阵测试反馈"},
        ),
    ],
    "feedback_attachment": [page("GET", INSTRUCTION_VIEWERS, kwargs=pk("feedback_attachment"))],
    # Scoring (DOMAIN §7): the assessing office sees its schemes; assessed units their own
    # ledger, and the board when the scheme is public to them; its administrators adjust.
    "scoreboard": [page("GET", SIGNED_IN)],
    "scheme_board": [
        page("GET", BOARD_VIEWERS, kwargs=pk("scheme")),
        page("GET", PRIVATE_BOARD_VIEWERS, kwargs=pk("private_scheme"), variant="private"),
    ],
    "scheme_board_export": [
        page("GET", BOARD_VIEWERS, kwargs=pk("scheme")),
        page("GET", PRIVATE_BOARD_VIEWERS, kwargs=pk("private_scheme"), variant="private"),
    ],
    "scheme_recompute": [page("POST", at("own", "system_admin"), kwargs=pk("scheme"))],
    "scheme_statistics": [page("POST", at("own", *SCHEME_OFFICE), kwargs=pk("scheme"))],
    "unit_ledger": [
        page("GET", BOARD_VIEWERS, kwargs=_ledger_kwargs),
        page("GET", PRIVATE_LEDGER_VIEWERS, kwargs=_private_ledger_kwargs, variant="private"),
        page(
            "POST",
            at("own", "system_admin"),
            kwargs=_ledger_kwargs,
            effect=_adjusted,
            data=lambda s: {"points": "1", "reason": "矩阵测试调整"},
        ),
    ],
    "unit_ledger_export": [
        page("GET", BOARD_VIEWERS, kwargs=_ledger_kwargs),
        page("GET", PRIVATE_LEDGER_VIEWERS, kwargs=_private_ledger_kwargs, variant="private"),
    ],
    # The year-end (issue 19): the 公示 and final boards go to every assessed unit whatever
    # the running board's setting; the office's issue approver or administrator decides;
    # a unit's approver appeals for their unit; only the administrator unlocks.
    "scheme_closing": [
        page("GET", BOARD_VIEWERS, kwargs=pk("scheme")),
        page("GET", BOARD_VIEWERS, kwargs=pk("private_scheme"), variant="private"),
    ],
    "scheme_open_publicity": [
        page(
            "POST",
            CLOSING_DECIDERS,
            kwargs=pk("scheme"),
            data=lambda s: {"days": "5"},
            effect=_stage("scheme", "publicity"),
        )
    ],
    # The office's editors propose; the deciders decide (and have no proposal to make).
    "scheme_propose_closing": [
        page(
            "POST",
            at("own", "editor"),
            kwargs=pk("scheme"),
            data=lambda s: {"act": "open_publicity"},
            effect=_proposed,
        )
    ],
    "scheme_file_appeal": [
        page(
            "POST",
            APPELLANTS,
            kwargs=pk("publicity_scheme"),
            effect=_appeals(2),
            data=lambda s: {"subject": "other", "reason": "矩阵测试新申诉"},
        )
    ],  # fmt: skip
    "appeal_decide": [
        page(
            "POST",
            CLOSING_DECIDERS,
            kwargs=pk("appeal"),
            effect=_decided,
            data=lambda s: {f"a{s.appeal.pk}-outcome": "refuse", f"a{s.appeal.pk}-decision": "矩阵测试"},
        )
    ],  # fmt: skip
    "appeal_attachment": [page("GET", APPEAL_READERS, kwargs=pk("appeal_attachment"))],
    "scheme_finalise": [
        page("POST", CLOSING_DECIDERS, kwargs=pk("ended_scheme"), effect=_stage("ended_scheme", "final"))
    ],
    "scheme_unlock": [
        page(
            "POST",
            at("own", "system_admin"),
            kwargs=pk("final_scheme"),
            effect=_stage("final_scheme", "reopened"),
            data=lambda s: {"reason": "矩阵测试解锁"},
        )
    ],  # fmt: skip
    # The year-end 通报 (issue 19), from the stored final board: whoever reads the final board
    # (the office and the units it assesses).
    "scheme_report_docx": [page("GET", FINAL_READERS, kwargs=pk("final_scheme"))],
    "scheme_report_xlsx": [page("GET", FINAL_READERS, kwargs=pk("final_scheme"))],
    # Issued in the 采用情况通报 by the office's readers (the publication's act then checks
    # its editors; the scenario's office has none, and the page says so).
    "scheme_report_issue": [page("POST", at("own", *SCHEME_OFFICE), kwargs=pk("final_scheme"))],
    # --- The API: the same rules; 401 without credentials -----------------------------------
    "api-root": [api("GET", SIGNED_IN)],
    "api-token": [api("POST", EVERYONE)],
    "api-user-token": [
        api(
            "DELETE",
            SECURES_DEPT,
            anchor="dept",
            kwargs=lambda s: {"user_id": s.person("staff", "dept").pk},
        ),
    ],
    "api-me": [api("GET", SIGNED_IN)],
    # Building the schema takes a while and depends on nobody's unit: the shorter anchor.
    "api-schema": [api("GET", SIGNED_IN, anchor="dept")],
    "api-docs": [api("GET", SIGNED_IN)],
    # Paths no route matches: the API's JSON 404 for everyone, signed in or not.
    "api-not-found": [api("GET", NOBODY, kwargs=lambda s: {"unmatched": "nonexistent"})],
    "api-unit-list": [api("GET", SIGNED_IN)],
    # A person sees their unit, the units above it and those below it.
    "api-unit-detail": [
        api("GET", at("own", "*") | at("parent", "*"), anchor="dept", kwargs=lambda s: {"pk": s.units["dept"].pk})
    ],
    # The directory API (issue 16): administrators, each over the people of their subtree;
    # writes go through the import's plan, which refuses rows outside it (a 400, no effect).
    "api-person-list": [api("GET", anywhere("system_admin"))],
    "api-person-detail": [
        api(
            "GET",
            at("own", "system_admin") | at("parent", "system_admin"),
            anchor="dept",
            kwargs=lambda s: {"pk": s.person("staff", "dept").pk},
        )
    ],
    "api-directory": [
        api(
            "POST",
            at("own", "system_admin") | at("parent", "system_admin"),
            anchor="dept",
            data=_directory_rename,
            effect=_directory_renamed,
        )
    ],
    "api-directory-disable": [
        api(
            "POST",
            at("own", "system_admin") | at("parent", "system_admin"),
            anchor="dept",
            data=lambda s: {"usernames": [s.person("staff", "dept").username]},
            effect=_directory_disabled,
        )
    ],
    # Moving a person (issue 16): an administrator of the person's unit who also administers
    # the unit they go to — the city's, for a move from dept to dept2 (dept's own
    # administrator does not administer dept2: a 400, no effect). The leader has no open
    # work to hand over, so the move goes ahead without naming a colleague.
    "api-person-move": [
        api(
            "POST",
            at("parent", "system_admin"),
            anchor="dept",
            kwargs=lambda s: {"pk": s.person("leader", "dept").pk},
            data=lambda s: {"unit": s.units["dept2"].pk},
            effect=lambda s: (
                type(s.person("leader", "dept"))
                .objects.filter(pk=s.person("leader", "dept").pk, unit=s.units["dept2"])
                .exists()
            ),
        )
    ],
    "api-item-list": [
        api("GET", SIGNED_IN),
        api(
            "POST",
            WRITERS,
            data=lambda s: {"title": "矩阵测试新信息", "body": "完成投资486.3亿元。", "category": _category()},
            effect=_new_item,
        ),
    ],
    "api-item-check": [
        api("POST", SIGNED_IN, data=lambda s: {"title": "标题", "body": "正文"}),
        api(
            "POST",
            SENSITIVE_READERS,
            anchor="dept",
            variant="sensitive",
            data=lambda s: {"title": "标题", "body": "正文", "item_id": s.sensitive.pk},
        ),
    ],
    "api-item-detail": [
        api("GET", ITEM_READERS, anchor="dept", kwargs=pk("item")),
        api("GET", SENSITIVE_READERS, anchor="dept", kwargs=pk("sensitive"), variant="sensitive"),
        api("GET", DRAFT_READERS, anchor="dept", kwargs=pk("draft"), variant="draft"),
        api(
            "PATCH",
            at("own", "staff"),
            anchor="dept",
            kwargs=pk("draft"),
            effect=_draft_title,
            data=lambda s: {"title": "矩阵测试改标题", "version": Item.objects.get(pk=s.draft.pk).version},
        ),
        api(
            "PUT",
            at("own", "staff"),
            anchor="dept",
            kwargs=pk("draft"),
            effect=_draft_title,
            data=lambda s: {
                "title": "矩阵测试改标题",
                "body": "正文",
                "category": _category(),
                "version": Item.objects.get(pk=s.draft.pk).version,
            },
        ),
    ],
    "api-item-history": [
        api("GET", ITEM_READERS, anchor="dept", kwargs=pk("item")),
        api("GET", SENSITIVE_READERS, anchor="dept", kwargs=pk("sensitive"), variant="sensitive"),
    ],
    "api-item-versions": [
        api("GET", ITEM_READERS, anchor="dept", kwargs=pk("item")),
        api("GET", SENSITIVE_READERS, anchor="dept", kwargs=pk("sensitive"), variant="sensitive"),
    ],
    "api-item-diff": [
        api("GET", ITEM_READERS, anchor="dept", kwargs=pk("item")),
        api("GET", SENSITIVE_READERS, anchor="dept", kwargs=pk("sensitive"), variant="sensitive"),
    ],
    "api-item-editor-edit": [
        api(
            "POST",
            at("parent", "editor"),
            anchor="dept",
            kwargs=pk("item"),
            effect=_editor_edited,
            data=lambda s: {
                "title": "矩阵测试编辑修改",
                "body": "正文",
                "version": Item.objects.get(pk=s.item.pk).version,
            },
        ),
    ],
    "api-item-attachments": [
        api("GET", ITEM_READERS, anchor="dept", kwargs=pk("item")),
        api("GET", SENSITIVE_READERS, anchor="dept", kwargs=pk("sensitive"), variant="sensitive"),
        api(
            "POST",
            at("own", "staff"),
            anchor="dept",
            kwargs=pk("draft"),
            data=lambda s: {"file": pdf()},
            effect=_attachments("draft", 2),
        ),
    ],
    "api-item-attachment": [
        api(
            "DELETE",
            at("own", "staff"),
            anchor="dept",
            effect=_attachments("draft", 0),
            kwargs=lambda s: {"pk": s.draft.pk, "att_id": s.draft_attachment.pk},
        ),
    ],
    "api-item-attachment-download": [
        api("GET", ITEM_READERS, anchor="dept", kwargs=lambda s: {"pk": s.item.pk, "att_id": s.attachment.pk}),
        api(
            "GET",
            SENSITIVE_READERS,
            anchor="dept",
            variant="sensitive",
            kwargs=lambda s: {"pk": s.sensitive.pk, "att_id": s.sensitive_attachment.pk},
        ),
    ],
    **_act_checks(api_names=True),
    "api-item-adopt": [
        api(
            "POST",
            at("parent", "editor"),
            anchor="dept",
            kwargs=pk("submitted"),
            effect=_adopted("submitted"),
            data=lambda s: {"publication": s.bulletin.pk},
        ),
    ],
    "api-item-forward": [api("POST", at("parent", "editor"), anchor="dept", kwargs=pk("published"), effect=_forwarded)],
    "api-item-instructions": [
        api("GET", INSTRUCTION_VIEWERS | at("parent", "leader"), kwargs=pk("published")),
        api(
            "POST",
            INSTRUCTORS,
            kwargs=pk("published"),
            data=_instruction_data,
            effect=_instructions,
        ),
    ],
    "api-commission-list": [api("GET", SIGNED_IN), api("POST", anywhere("editor"))],
    "api-commission-detail": [api("GET", at("own", "editor") | at("child", *UNIT_READERS), kwargs=pk("commission"))],
    "api-commission-answer": [api("POST", at("child", "staff"), kwargs=pk("commission"))],
    # Emergencies as on their pages: the reporting unit's readers and the office's editors;
    # others get an empty list. The case's 首报 is still a draft, so a follow-up is posted
    # empty: its staff get the form's 400 (let in), everyone else 404.
    "api-emergency-list": [api("GET", SIGNED_IN), api("POST", WRITERS, data=_case_data, effect=_new_case)],
    "api-emergency-detail": [api("GET", ITEM_READERS, anchor="dept", kwargs=pk("case"))],
    "api-emergency-reports": [api("POST", at("own", "staff"), anchor="dept", kwargs=pk("case"))],
    "api-notification-list": [api("GET", SIGNED_IN)],
    "api-notification-read-all": [api("POST", SIGNED_IN)],
    # A person's own notification; another person's is missing.
    "api-notification-read": [api("POST", at("own", "staff"), anchor="dept", kwargs=pk("notification"))],
    "api-publication-list": [api("GET", SIGNED_IN)],
    "api-publication-detail": [api("GET", at("own", "editor", "issue_approver"), kwargs=pk("bulletin"))],
    "api-publication-pool": [api("GET", at("own", "editor", "issue_approver"), kwargs=pk("bulletin"))],
    "api-publication-composite": [
        api(
            "POST",
            at("own", "editor"),
            kwargs=pk("bulletin"),
            effect=_composite,
            data=lambda s: {"items": [s.submitted.pk, s.item.pk], "title": "矩阵测试综合", "body": "综合正文"},
        ),
    ],
    "api-issue-list": [
        api("GET", SIGNED_IN),
        api("POST", at("own", "editor"), data=lambda s: {"publication": s.bulletin.pk}, effect=_issues(3)),
    ],
    "api-issue-detail": [
        api("GET", SIGNED_ISSUE_READERS, kwargs=pk("signed_issue")),
        api("GET", DRAFT_ISSUE_READERS, kwargs=pk("draft_issue"), variant="draft"),
        api("GET", SIGNED_ISSUE_READERS, kwargs=pk("restricted_issue"), variant="restricted"),
    ],
    "api-issue-add": [
        api("POST", at("own", "editor"), kwargs=pk("draft_issue"), data=_issue_data, effect=_in_draft_issue)
    ],
    "api-issue-remove": [
        api(
            "POST",
            at("own", "editor"),
            kwargs=pk("draft_issue"),
            effect=_out_of_draft_issue,
            data=lambda s: {"adoption": s.draft_issue_adoption.pk},
        ),
    ],
    "api-issue-reorder": [
        api(
            "POST", at("own", "editor"), kwargs=pk("draft_issue"), data=lambda s: {"order": [s.draft_issue_adoption.pk]}
        )
    ],
    "api-issue-sign-off": [api("POST", at("own", "issue_approver"), kwargs=pk("draft_issue"), effect=_signed)],
    "api-issue-send": [api("POST", at("own", "editor"), kwargs=pk("draft_issue"), effect=_sent)],
    "api-issue-take-back": [
        api(
            "POST",
            at("own", "editor", "issue_approver"),
            kwargs=pk("sent_issue"),
            data=lambda s: {"comment": "矩阵"},
            effect=_taken_back,
        )
    ],
    "api-issue-docx": [
        api("GET", SIGNED_ISSUE_READERS, kwargs=pk("signed_issue")),
        api("GET", DRAFT_ISSUE_READERS, kwargs=pk("draft_issue"), variant="draft"),
        api("GET", SIGNED_ISSUE_READERS, kwargs=pk("restricted_issue"), variant="restricted"),
    ],
    # The PDF beside the .docx (issue 17), as the page issue_pdf.
    "api-issue-pdf": [
        api("GET", SIGNED_ISSUE_READERS, kwargs=pk("signed_issue")),
        api("GET", DRAFT_ISSUE_READERS, kwargs=pk("draft_issue"), variant="draft"),
        api("GET", SIGNED_ISSUE_READERS, kwargs=pk("restricted_issue"), variant="restricted"),
    ],
    "api-adoption-detail": [api("GET", at("own", "editor"), kwargs=pk("published_adoption"))],
    "api-adoption-external": [
        api(
            "POST",
            at("own", "editor"),
            kwargs=pk("published_adoption"),
            effect=_external,
            data=lambda s: {"date": _today(), "evidence": "国办《每日要情》第1期"},
        ),
    ],
    "api-adoption-withdraw": [
        api(
            "POST",
            at("own", "editor"),
            kwargs=pk("pool_adoption"),
            data=lambda s: {"reason": "矩阵测试"},
            effect=_withdrawn,
        ),
    ],
    "api-instruction-list": [api("GET", SIGNED_IN)],
    "api-instruction-inbox": [api("GET", SIGNED_IN)],
    "api-instruction-detail": [api("GET", INSTRUCTION_VIEWERS, kwargs=pk("instruction"))],
    "api-instruction-feedback": [
        api(
            "POST",
            at("child", *UNIT_READERS),
            kwargs=pk("open_instruction"),
            effect=_answered,
            data=lambda s: {"text": "矩阵测试反馈"},
        ),
    ],
    "api-scheme-list": [api("GET", SIGNED_IN)],
    # The scheme itself (its name and year) is shown to the assessed units whatever the
    # board's setting; the board and the ledgers follow the same rules as the pages.
    "api-scheme-detail": [
        api("GET", BOARD_VIEWERS, kwargs=pk("scheme")),
        api("GET", BOARD_VIEWERS, kwargs=pk("private_scheme"), variant="private"),
    ],
    "api-scheme-scoreboard": [
        api("GET", BOARD_VIEWERS, kwargs=pk("scheme")),
        api("GET", PRIVATE_BOARD_VIEWERS, kwargs=pk("private_scheme"), variant="private"),
    ],
    "api-scheme-ledger": [
        api("GET", BOARD_VIEWERS, kwargs=_ledger_kwargs),
        api("GET", PRIVATE_LEDGER_VIEWERS, kwargs=_private_ledger_kwargs, variant="private"),
    ],
    "api-scheme-adjust": [
        api(
            "POST",
            at("own", "system_admin"),
            kwargs=_ledger_kwargs,
            effect=_adjusted,
            data=lambda s: {"points": "1", "reason": "矩阵测试调整"},
        ),
    ],
    "api-scheme-publicity": [
        api("GET", BOARD_VIEWERS, kwargs=pk("scheme")),
        api("GET", BOARD_VIEWERS, kwargs=pk("private_scheme"), variant="private"),
        api(
            "POST",
            CLOSING_DECIDERS,
            kwargs=pk("scheme"),
            data=lambda s: {"days": 5},
            effect=_stage("scheme", "publicity"),
        ),
    ],  # fmt: skip
    "api-scheme-appeals": [
        api("GET", BOARD_VIEWERS, kwargs=pk("publicity_scheme")),
        api(
            "POST",
            APPELLANTS,
            kwargs=pk("publicity_scheme"),
            effect=_appeals(2),
            data=lambda s: {"reason": "矩阵测试新申诉"},
        ),
    ],  # fmt: skip
    "api-appeal-detail": [api("GET", APPEAL_READERS, kwargs=pk("appeal"))],
    "api-appeal-decide": [
        api(
            "POST",
            CLOSING_DECIDERS,
            kwargs=pk("appeal"),
            effect=_decided,
            data=lambda s: {"accept": False, "decision": "矩阵测试"},
        ),
    ],  # fmt: skip
    "api-scheme-finalise": [
        api("POST", CLOSING_DECIDERS, kwargs=pk("ended_scheme"), effect=_stage("ended_scheme", "final"))
    ],
    "api-scheme-unlock": [
        api(
            "POST",
            at("own", "system_admin"),
            kwargs=pk("final_scheme"),
            effect=_stage("final_scheme", "reopened"),
            data=lambda s: {"reason": "矩阵测试解锁"},
        ),
    ],  # fmt: skip
    # The last five years: the office and every assessed unit (each year filtered inside).
    "api-scheme-history": [
        api("GET", BOARD_VIEWERS, kwargs=pk("scheme")),
        api("GET", BOARD_VIEWERS, kwargs=pk("private_scheme"), variant="private"),
    ],
    "api-scheme-report-docx": [api("GET", FINAL_READERS, kwargs=pk("final_scheme"))],
    "api-scheme-report-xlsx": [api("GET", FINAL_READERS, kwargs=pk("final_scheme"))],
    # The admin's own pages for the records an office keeps (a refused change page sends
    # the administrator back to the index). Each list and page is searched for the 敏感
    # marker like any other answer: a related item shown by name, an audit value.
    "admin:units_user_changelist": [page("GET", anywhere("system_admin"))],
    "admin:units_unit_changelist": [page("GET", anywhere("system_admin"))],
    "admin:publications_publication_changelist": [page("GET", anywhere("system_admin"))],
    "admin:publications_publication_change": [admin_change(lambda s: s.restricted_issue.publication_id)],
    "admin:scoring_scheme_change": [admin_change(lambda s: s.scheme.pk)],
    "admin:scoring_ledgerentry_changelist": [page("GET", anywhere("system_admin"))],
    "admin:scoring_ledgerentry_change": [admin_change(lambda s: s.sensitive_entry.pk)],
    # A staff member's act, in the record: the auditors of the unit and above only.
    "admin:audit_auditentry_change": [
        page(
            "GET",
            at("own", "auditor") | at("parent", "auditor"),
            anchor="dept",
            redirect_refuses=True,
            kwargs=lambda s: {"object_id": _creation_entry(s.turned)},
        )
    ],  # fmt: skip
    # 三员分立 (issue 15): the security administrator's pages — accounts (passwords, second
    # factors), lockouts, the password policy — and the approval of role changes, which the
    # system administrator proposes and may watch; nobody else opens them.
    "admin:units_account_changelist": [page("GET", anywhere("security_admin"))],
    "admin:units_account_change": [
        page(
            "GET",
            SECURES_DEPT,
            anchor="dept",
            redirect_refuses=True,
            kwargs=lambda s: {"object_id": s.person("staff", "dept").pk},
        )
    ],  # fmt: skip
    "admin:units_account_password_change": [
        page(
            "GET",
            SECURES_DEPT,
            anchor="dept",
            redirect_refuses=True,
            kwargs=lambda s: {"id": s.person("staff", "dept").pk},
        )
    ],  # fmt: skip
    "admin:units_lockedaccount_changelist": [page("GET", anywhere("security_admin"))],
    "admin:units_passwordpolicy_changelist": [page("GET", anywhere("security_admin"))],
    "admin:units_rolechange_changelist": [
        page("GET", anywhere("security_admin", "system_admin")),
        page(
            "POST",
            SECURES_DEPT,
            anchor="dept",
            variant="approve",
            data=lambda s: {"action": "approve", "_selected_action": [s.role_change.pk]},
            effect=_role_change_approved,
        ),
    ],  # fmt: skip
}
