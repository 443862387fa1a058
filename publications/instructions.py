"""Instructions (批示) and feedback (反馈): who may write, see and answer them, the acts
that change them, and the reads that the pages and the export share.

A leader — or an editor recording a leader's written instruction — instructs on an item
of a signed issue; the units named must report back by the deadline. Writing one credits
the submitting unit through `signals.instruction_made` in the same transaction; a report
back missing at the deadline is penalised through `submissions.signals.penalty_due` by the
scheduled check below, once per handler.
"""

import datetime as dt
import io
import uuid
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from submissions import access as item_access
from submissions import signals as item_signals
from submissions import uploads
from submissions.models import Item
from submissions.workflow import TransitionError
from units.access import holds
from units.models import Reminder, Role, Unit, User
from units.notify import notify, people_with_roles

from . import access, signals
from .models import (
    Adoption,
    FeedbackAttachment,
    Instruction,
    InstructionHandler,
    InstructionLevel,
    Issue,
    IssueState,
)

# People of a handling unit who see, and may answer, its instructions.
HANDLER_ROLES = (Role.STAFF, Role.UNIT_APPROVER, Role.LEADER)
# People of the office who follow its instructions (the list page and the export).
OFFICE_ROLES = access.OFFICE_READERS
MAX_FEEDBACK_FILES = 5
MAX_FEEDBACK_BYTES = uploads.MAX_ATTACHMENT_BYTES
MAX_FEEDBACK_CHARS = 5000


class InstructionError(TransitionError):
    """An act on an instruction that is not allowed now."""


class Status:
    """The state of an instruction (or of one handler's report back), computed from the
    handlers' rows and the deadline; no column stores it, so it can never go stale."""

    OVERDUE = "overdue"
    WAITING = "waiting"
    DONE = "done"
    LABELS = {OVERDUE: "逾期未反馈", WAITING: "待反馈", DONE: "已反馈"}
    CHOICES = [(WAITING, "待反馈"), (OVERDUE, "逾期未反馈"), (DONE, "已反馈")]


# --- Access ------------------------------------------------------------------------------


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.unit_id)


def is_office_reader(user: User, office_id: int) -> bool:
    """Editors, leaders and issue approvers of the office follow its instructions."""
    return _active(user) and user.unit_id == office_id and any(holds(user, r) for r in OFFICE_ROLES)


def is_handler_member(user: User, unit_id: int) -> bool:
    return _active(user) and user.unit_id == unit_id and any(holds(user, r) for r in HANDLER_ROLES)


def item_in_issue(item: Item, issue: Issue) -> bool:
    return Adoption.objects.filter(issue=issue, withdrawn_at=None, sources=item).exists()


def can_instruct(user: User, issue: Issue) -> bool:
    """A leader who may read the signed issue, or an editor of its office (recording a
    leader's written instruction) may instruct on its items.

    Instructions come from above: the leaders of the issuing office and of the offices
    over it (its 报 list). A leader of a unit the issue is sent down (发) or across (送)
    to reads it but does not instruct on it: they would name handling units that are not
    theirs, and credit their own unit with instruction points."""
    if not (_active(user) and issue.state == IssueState.SIGNED):
        return False
    if access.is_editor_of(user, issue.publication):
        return True
    office = issue.publication.office
    above = user.unit_id == office.pk or user.unit_id in office.ancestor_ids
    return above and holds(user, Role.LEADER) and access.can_read_issue(user, issue)


def instructable_issues(user: User, item: Item) -> list[Issue]:
    """Signed issues carrying the item on which this person may instruct, newest first."""
    if not (_active(user) and (holds(user, Role.LEADER) or holds(user, Role.EDITOR))):
        return []
    issues = (
        Issue.objects.filter(state=IssueState.SIGNED, adoptions__sources=item, adoptions__withdrawn_at=None)
        .select_related("publication__office")
        .distinct()
        .order_by("-signed_at", "-pk")
    )
    return [issue for issue in issues if can_instruct(user, issue)]


def get_target_for_instruction(user: User, item_pk, issue_pk=None) -> tuple[Item, Issue]:
    """The item and the issue an instruction is written on, or 404: the issue must be
    signed, carry the item and be open to this person for instructing. Without an issue,
    the newest such issue is taken."""
    try:
        item = Item.objects.select_related("unit", "office").get(pk=int(item_pk))
    except (Item.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该信息") from None
    if item.is_sensitive and not item_access.can_read(user, item):
        # The issue's copy withholds it from this person (access.withheld_adoptions).
        raise Http404("没有找到该信息")
    if issue_pk in (None, ""):
        issues = instructable_issues(user, item)
        if not issues:
            raise Http404("没有找到可批示的刊发信息")
        return item, issues[0]
    issue = get_issue_for_instruction(user, issue_pk)
    if not item_in_issue(item, issue):
        raise Http404("本期没有该信息")
    return item, issue


def get_issue_for_instruction(user: User, issue_pk) -> Issue:
    try:
        issue = access.get_issue_for_user(user, int(issue_pk))
    except (ValueError, TypeError):
        raise Http404("没有找到该期") from None
    if not can_instruct(user, issue):
        raise Http404("没有找到该期")
    return issue


def can_view(user: User, instruction: Instruction) -> bool:
    """The office, the handling units, the leader who wrote it and whoever may read the
    item see an instruction and its feedback; nobody else."""
    if not _active(user):
        return False
    if user.pk in (instruction.leader_id, instruction.recorded_by_id):
        return True
    if is_office_reader(user, instruction.office_id):
        return True
    if any(holds(user, r) for r in HANDLER_ROLES) and instruction.handler_links.filter(unit_id=user.unit_id).exists():
        return True
    return item_access.can_read(user, instruction.item)


def get_instruction_for_user(user: User, pk) -> Instruction:
    """An instruction this person may see, or 404 (missing and forbidden look the same)."""
    try:
        instruction = Instruction.objects.select_related(
            "item__unit", "item__office", "issue__publication", "office", "leader", "recorded_by"
        ).get(pk=int(pk))
    except (Instruction.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该批示") from None
    if not can_view(user, instruction):
        raise Http404("没有找到该批示")
    return instruction


def handler_for(user: User, instruction: Instruction) -> InstructionHandler | None:
    """The row through which this person's unit answers the instruction, if it must."""
    if not (_active(user) and any(holds(user, r) for r in HANDLER_ROLES)):
        return None
    return instruction.handler_links.filter(unit_id=user.unit_id).select_related("unit").first()


def get_attachment_for_user(user: User, pk) -> FeedbackAttachment:
    try:
        attachment = FeedbackAttachment.objects.select_related("handler").get(pk=int(pk))
    except (FeedbackAttachment.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该附件") from None
    get_instruction_for_user(user, attachment.handler.instruction_id)
    return attachment


def handler_units(office: Unit, item: Item) -> QuerySet[Unit]:
    """Units that may be asked to handle an instruction: the office's subtree (and the
    item's own unit, wherever it sits)."""
    return (
        Unit.objects.filter(Q(path__startswith=office.path, is_active=True) | Q(pk=item.unit_id))
        .exclude(pk=office.pk)
        .order_by("path")
    )


def level_names() -> list[str]:
    return list(InstructionLevel.objects.order_by("order", "pk").values_list("name", flat=True))


def can_follow_office(user: User) -> bool:
    """Whether the office list (and export) is open to this person for their own unit."""
    return _active(user) and any(holds(user, r) for r in OFFICE_ROLES)


def masked_title(user: User, item: Item, *, office_editor: bool) -> str:
    """敏感 titles only for those who may read them."""
    if not item.is_sensitive or office_editor:
        return item.plain_title
    return item.plain_title if item_access.can_read(user, item) else "（敏感信息）"


# --- Acts --------------------------------------------------------------------------------


def _notify_handlers(instruction: Instruction, units: Iterable[Unit]) -> None:
    url = reverse("instruction_detail", args=[instruction.pk])
    title = "（敏感信息）" if instruction.item.is_sensitive else instruction.item.plain_title
    for unit in units:
        notify(
            recipients=people_with_roles(unit, HANDLER_ROLES),
            verb="instruction",
            title=f"批示待办：{instruction.leader_name}（{instruction.level}）对《{title}》作出批示",
            body=f"请于 {instruction.deadline:%Y-%m-%d} 前反馈办理情况。批示内容：{instruction.text}",
            url=url,
        )


@transaction.atomic
def make_instruction(
    *,
    item: Item,
    issue: Issue,
    user: User,
    leader_name: str,
    level: str,
    text: str,
    date: dt.date,
    deadline: dt.date,
    units: Sequence[Unit],
) -> Instruction:
    """Record a leader's instruction on an item of a signed issue, name the units that
    must report back, notify them and credit the submitting unit (scoring listens to
    `instruction_made`, inside this transaction)."""
    if not can_instruct(user, issue):
        raise InstructionError("只有可阅读本期的领导或本刊物主办单位的编辑可以批示。")
    if not item_in_issue(item, issue):
        raise InstructionError("该信息不在本期中。")
    leader_name = (leader_name or "").strip()
    is_leader = holds(user, Role.LEADER)
    if not leader_name and is_leader:
        leader_name = user.get_full_name()
    errors = []
    if not leader_name:
        errors.append("请填写批示领导姓名。")
    if not InstructionLevel.objects.filter(name=level).exists():
        errors.append("请选择有效的批示级别。")
    text = (text or "").strip()
    if not text:
        errors.append("请填写批示内容。")
    today = timezone.localdate()
    if date > today:
        errors.append("批示日期不能晚于今天。")
    if deadline < date:
        errors.append("反馈期限不能早于批示日期。")
    elif deadline < today:
        errors.append("反馈期限不能早于今天。")
    office = issue.publication.office
    units = list(dict.fromkeys(units))
    if not units:
        errors.append("请至少选择一个承办单位。")
    allowed = set(handler_units(office, item).values_list("pk", flat=True))
    if any(u.pk not in allowed for u in units):
        errors.append("承办单位只能是本单位的下级单位。")
    if errors:
        raise ValidationError(errors)
    instruction = Instruction.objects.create(
        item=item, issue=issue, office=office, leader_name=leader_name[:50],
        leader=user if is_leader and leader_name == user.get_full_name() else None,
        level=level, text=text, date=date, deadline=deadline, recorded_by=user,
    )  # fmt: skip
    InstructionHandler.objects.bulk_create(InstructionHandler(instruction=instruction, unit=u) for u in units)
    signals.instruction_made.send(sender=Instruction, instruction=instruction, user=user)
    _notify_handlers(instruction, units)
    if item.forwarded_from_id:
        from .forwarding import notify_flow_back_instruction

        notify_flow_back_instruction(instruction)
    return instruction


def check_files(files: Sequence) -> list[uploads.UploadKind]:
    """What each upload really is; `UploadRejected` (a Chinese sentence) for the first
    file refused, with its name."""
    if len(files) > MAX_FEEDBACK_FILES:
        raise uploads.UploadRejected(f"最多上传 {MAX_FEEDBACK_FILES} 个附件。", code="too_many")
    kinds = []
    for f in files:
        try:
            kinds.append(uploads.sniff(f, name=f.name, max_bytes=MAX_FEEDBACK_BYTES))
        except uploads.UploadRejected as exc:
            raise uploads.UploadRejected(f"{f.name}：{exc.message}", code=exc.code) from exc
    return kinds


def report_feedback(*, handler: InstructionHandler, user: User, text: str, files: Sequence = ()) -> InstructionHandler:
    """A handling unit reports back (反馈), once; after the deadline it is marked late.

    Files are checked by their content, stored under generated names and removed again
    if the database part fails, so a refused report leaves neither rows nor files.
    """
    if not is_handler_member(user, handler.unit_id):
        raise InstructionError("只有承办单位的信息员、审签人或领导可以反馈。")
    text = (text or "").strip()
    if not text:
        raise ValidationError("请填写反馈内容。")
    if len(text) > MAX_FEEDBACK_CHARS:
        raise ValidationError(f"反馈内容不能超过 {MAX_FEEDBACK_CHARS} 字。")
    if handler.feedback_at:
        raise InstructionError("本单位已反馈过该批示，不能重复反馈。")
    kinds = check_files(files)
    stored: list[FeedbackAttachment] = []
    for f, kind in zip(files, kinds, strict=True):
        attachment = FeedbackAttachment(
            handler=handler, original_name=f.name[:200], content_type=kind.content_type, size=f.size
        )
        # The uploader's name stays in the database; on disk only a generated one.
        attachment.file.save(f"{uuid.uuid4().hex}{kind.extension}", f, save=False)
        stored.append(attachment)
    try:
        with transaction.atomic():
            handler = _save_feedback(handler, user, text, stored)
    except BaseException:
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return handler


def _save_feedback(
    handler: InstructionHandler, user: User, text: str, attachments: list[FeedbackAttachment]
) -> InstructionHandler:
    instruction = Instruction.objects.select_related("item", "office").get(pk=handler.instruction_id)
    now = timezone.now()
    late = timezone.localdate(now) > instruction.deadline
    # "Not yet answered" is part of the write: two people of the unit answering at once
    # get one report and a clear refusal, never an overwrite.
    updated = InstructionHandler.objects.filter(pk=handler.pk, feedback_at=None).update(
        feedback=text, feedback_at=now, feedback_by=user, is_late=late
    )
    if not updated:
        raise InstructionError("本单位已反馈过该批示，不能重复反馈。")
    for attachment in attachments:
        attachment.save()
    handler.refresh_from_db()
    office_people = people_with_roles(instruction.office, [Role.EDITOR])
    title = f"批示反馈：{handler.unit.display_name}已反馈{instruction.leader_name}批示" + ("（逾期）" if late else "")
    notify(
        recipients=[*office_people, instruction.recorded_by, *([instruction.leader] if instruction.leader else [])],
        verb="instruction_feedback",
        title=title,
        body=text[:200],
        url=reverse("instruction_detail", args=[instruction.pk]),
    )
    return handler


def check_feedback_deadlines(today: dt.date | None = None) -> dict[str, int]:
    """The scheduled check: penalise each handler whose deadline has passed without a
    report back (once: `penalized_at` is set in the same write), and remind each handler
    whose deadline is today or tomorrow (once: keyed `Reminder`). Safe to run twice."""
    today = today or timezone.localdate()
    penalized = 0
    overdue = InstructionHandler.objects.filter(
        feedback_at=None, penalized_at=None, instruction__deadline__lt=today
    ).select_related("instruction__item", "instruction__office", "unit")
    for handler in overdue:
        if _penalize(handler):
            penalized += 1
    reminded = 0
    due = (
        InstructionHandler.objects.filter(
            feedback_at=None, instruction__deadline__gte=today, instruction__deadline__lte=today + dt.timedelta(days=1)
        )
        .select_related("instruction__item", "unit")
        .order_by("pk")
    )
    for handler in due:
        if _remind(handler):
            reminded += 1
    return {"penalized": penalized, "reminded": reminded}


@transaction.atomic
def _penalize(handler: InstructionHandler) -> bool:
    instruction = handler.instruction
    updated = InstructionHandler.objects.filter(pk=handler.pk, feedback_at=None, penalized_at=None).update(
        penalized_at=timezone.now()
    )
    if not updated:
        return False  # answered or penalised meanwhile (another run)
    unit = handler.unit
    item_signals.penalty_due.send(
        sender=InstructionHandler,
        office=instruction.office,
        unit=unit,
        kind="feedback",
        reason=f"批示未按期反馈：{instruction.leader_name}（{instruction.level}）批示，"
        f"反馈期限 {instruction.deadline:%Y-%m-%d}",
        ref=f"instruction:{instruction.pk}:unit:{unit.pk}",
        item=instruction.item,
        user=None,
    )
    notify(
        recipients=people_with_roles(unit, HANDLER_ROLES),
        verb="instruction_overdue",
        title=f"批示反馈已逾期：{instruction.leader_name}（{instruction.level}）批示",
        body=f"反馈期限 {instruction.deadline:%Y-%m-%d} 已过，请尽快反馈。",
        url=reverse("instruction_detail", args=[instruction.pk]),
    )
    return True


@transaction.atomic
def _remind(handler: InstructionHandler) -> bool:
    instruction = handler.instruction
    _, created = Reminder.objects.get_or_create(key=f"instruction:{instruction.pk}:unit:{handler.unit_id}:due")
    if not created:
        return False
    notify(
        recipients=people_with_roles(handler.unit, HANDLER_ROLES),
        verb="instruction_reminder",
        title=f"批示反馈即将到期：{instruction.leader_name}（{instruction.level}）批示",
        body=f"反馈期限为 {instruction.deadline:%Y-%m-%d}，请按时反馈办理情况。",
        url=reverse("instruction_detail", args=[instruction.pk]),
    )
    return True


# --- Reads -------------------------------------------------------------------------------


def _with_status(qs: QuerySet[Instruction], today: dt.date) -> QuerySet[Instruction]:
    return qs.annotate(
        pending=Count("handler_links", filter=Q(handler_links__feedback_at=None)),
        late=Count("handler_links", filter=Q(handler_links__is_late=True)),
    ).annotate(
        status_rank=Case(
            When(pending=0, then=Value(2)),
            When(deadline__lt=today, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    )


STATUS_RANKS = {Status.OVERDUE: 0, Status.WAITING: 1, Status.DONE: 2}


def office_instructions(
    office_id: int, *, today: dt.date | None = None, status: str = "", level: str = "", q: str = ""
) -> QuerySet[Instruction]:
    """The office's instructions, overdue feedback first, then waiting (nearest deadline
    first), then done; each with its handlers and their units in one extra query."""
    today = today or timezone.localdate()
    qs = _with_status(Instruction.objects.filter(office_id=office_id), today)
    if status in STATUS_RANKS:
        qs = qs.filter(status_rank=STATUS_RANKS[status])
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(Q(leader_name__contains=q) | Q(text__contains=q) | Q(item__title__contains=q))
    return (
        qs.select_related("item__unit", "issue__publication")
        .prefetch_related("handler_links__unit")
        .order_by("status_rank", "deadline", "-date", "-pk")
    )


def status_of(instruction: Instruction, today: dt.date) -> str:
    rank = getattr(instruction, "status_rank", None)
    if rank is None:
        links = list(instruction.handler_links.all())
        if all(h.feedback_at for h in links):
            return Status.DONE
        return Status.OVERDUE if instruction.deadline < today else Status.WAITING
    return {0: Status.OVERDUE, 1: Status.WAITING, 2: Status.DONE}[rank]


def handler_status(handler: InstructionHandler, today: dt.date) -> str:
    if handler.feedback_at:
        return Status.DONE
    return Status.OVERDUE if handler.instruction.deadline < today else Status.WAITING


def inbox(user: User, *, today: dt.date | None = None, status: str = "") -> QuerySet[InstructionHandler]:
    """'Instructions to handle': the rows of this person's unit, unanswered first
    (overdue, then nearest deadline), answered last."""
    if not (_active(user) and any(holds(user, r) for r in HANDLER_ROLES)):
        return InstructionHandler.objects.none()
    today = today or timezone.localdate()
    qs = InstructionHandler.objects.filter(unit_id=user.unit_id).annotate(
        status_rank=Case(
            When(feedback_at__isnull=False, then=Value(2)),
            When(instruction__deadline__lt=today, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    )
    if status in STATUS_RANKS:
        qs = qs.filter(status_rank=STATUS_RANKS[status])
    return qs.select_related("instruction__item", "instruction__office", "instruction__issue__publication").order_by(
        "status_rank", "instruction__deadline", "-pk"
    )


def item_instructions(item: Item) -> list[Instruction]:
    """An item's instructions with every handler's feedback and files (item page)."""
    return list(
        Instruction.objects.filter(item=item)
        .select_related("office", "issue__publication")
        .prefetch_related("handler_links__unit", "handler_links__attachments")
        .order_by("date", "pk")
    )


# --- Export ------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    # A leader's text starting with "=" must stay text in the spreadsheet.
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def export_xlsx(instructions: Iterable[Instruction], *, user: User, office_editor: bool, today: dt.date) -> bytes:
    """The office list as an Excel workbook: one row per handler."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "批示办理情况"
    header = ["批示日期", "批示领导", "级别", "批示内容", "信息标题", "报送单位", "刊物期号", "反馈期限",
              "承办单位", "办理状态", "反馈时间", "反馈内容"]  # fmt: skip
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="B3121B")
        cell.alignment = Alignment(horizontal="center")
    for instruction in instructions:
        title = masked_title(user, instruction.item, office_editor=office_editor)
        issue = f"《{instruction.issue.publication.name}》{instruction.issue.label}" if instruction.issue else ""
        for h in instruction.handler_links.all():
            h.instruction = instruction
            status = Status.LABELS[handler_status(h, today)] + ("（逾期反馈）" if h.is_late else "")
            row = [instruction.date, instruction.leader_name, instruction.level, instruction.text, title,
                   instruction.item.unit.display_name, issue, instruction.deadline, h.unit.display_name, status,
                   timezone.localtime(h.feedback_at).strftime("%Y-%m-%d %H:%M") if h.feedback_at else "",
                   h.feedback]  # fmt: skip
            ws.append([_cell(v) for v in row])
    for column, width in zip("ABCDEFGHIJKL", (12, 12, 14, 40, 36, 16, 24, 12, 16, 14, 18, 40), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


__all__ = [
    "InstructionError",
    "Status",
    "can_instruct",
    "can_view",
    "check_feedback_deadlines",
    "export_xlsx",
    "get_attachment_for_user",
    "get_instruction_for_user",
    "get_target_for_instruction",
    "handler_for",
    "inbox",
    "instructable_issues",
    "item_instructions",
    "make_instruction",
    "office_instructions",
    "report_feedback",
]
