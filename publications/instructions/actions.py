"""Acts on instructions (批示) and their feedback (反馈), and the scheduled deadline check.

A leader — or an editor recording a leader's written instruction — instructs on an item
of a signed issue; the units named must report back by the deadline. Writing one credits
the submitting unit through `signals.instruction_made` in the same transaction; a report
back missing at the deadline is penalised through `submissions.signals.penalty_due` by the
scheduled check below, once per handler. Who may do what is decided in `access`.
"""

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from submissions import signals as item_signals
from submissions import uploads
from submissions.models import Item
from submissions.workflow import TransitionError
from units import deadlines
from units.deadlines import Key
from units.models import Role, Unit, User
from units.notify import notify, people_with_roles

from .. import signals
from ..models import FeedbackAttachment, Instruction, InstructionHandler, InstructionLevel, Issue
from .access import HANDLER_ROLES, can_instruct, instructs_as_leader, is_handler_member, item_in_issue
from .queries import handler_units

MAX_FEEDBACK_FILES = 5
MAX_FEEDBACK_BYTES = uploads.MAX_ATTACHMENT_BYTES
MAX_FEEDBACK_CHARS = 5000


class InstructionError(TransitionError):
    """An act on an instruction that is not allowed now."""


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
    is_leader = instructs_as_leader(user)
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
        from ..flow_back import notify_flow_back_instruction

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


# The claim keys (units.deadlines); the penalty's is its ledger ref.
REMIND_KEY = Key("instruction:{instruction_id}:unit:{unit_id}:due")
PENALTY_KEY = Key("instruction:{instruction_id}:unit:{unit_id}")


def check_feedback_deadlines(today: dt.date | None = None) -> dict[str, int]:
    """The scheduled check: penalise each handler whose deadline has passed without a
    report back, and remind each handler whose deadline is today or tomorrow; each once,
    by its claimed key (units.deadlines). Safe to run twice.

    `penalized_at` records the penalty for the pages; the query also honours it so that
    handlers penalised before the keys were claimed stay penalised.
    """
    today = today or timezone.localdate()
    overdue = (
        InstructionHandler.objects.filter(feedback_at=None, penalized_at=None, instruction__deadline__lt=today)
        .filter(~PENALTY_KEY.claimed())
        .select_related("instruction__item", "instruction__office", "unit")
    )
    penalized = deadlines.each_once(overdue, key=PENALTY_KEY, act=_penalize)
    due = (
        InstructionHandler.objects.filter(
            feedback_at=None, instruction__deadline__gte=today, instruction__deadline__lte=today + dt.timedelta(days=1)
        )
        .filter(~REMIND_KEY.claimed())
        .select_related("instruction__item", "unit")
        .order_by("pk")
    )
    reminded = deadlines.each_once(due, key=REMIND_KEY, act=_remind)
    return {"penalized": penalized, "reminded": reminded}


def _penalize(handler: InstructionHandler) -> bool:
    instruction = handler.instruction
    # Re-checked under the claim: a report back that arrived meanwhile is not penalised.
    if not InstructionHandler.objects.filter(pk=handler.pk, feedback_at=None).update(penalized_at=timezone.now()):
        return False
    unit = handler.unit
    item_signals.penalty_due.send(
        sender=InstructionHandler,
        office=instruction.office,
        unit=unit,
        kind="feedback",
        reason=f"批示未按期反馈：{instruction.leader_name}（{instruction.level}）批示，"
        f"反馈期限 {instruction.deadline:%Y-%m-%d}",
        ref=PENALTY_KEY(handler),
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


def _remind(handler: InstructionHandler) -> None:
    instruction = handler.instruction
    notify(
        recipients=people_with_roles(handler.unit, HANDLER_ROLES),
        verb="instruction_reminder",
        title=f"批示反馈即将到期：{instruction.leader_name}（{instruction.level}）批示",
        body=f"反馈期限为 {instruction.deadline:%Y-%m-%d}，请按时反馈办理情况。",
        url=reverse("instruction_detail", args=[instruction.pk]),
    )
