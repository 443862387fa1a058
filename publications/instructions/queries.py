"""Reads of instructions that the pages, the API and the export share: the office's list,
the handlers' inbox, an item's instructions, and the status of each instruction and of
each handler's report back (computed here, once, for all of them)."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from submissions.models import Item
from units.models import Unit, User

from ..models import Instruction, InstructionHandler, InstructionLevel
from . import access


class Status:
    """The state of an instruction (or of one handler's report back), computed from the
    handlers' rows and the deadline; no column stores it, so it can never go stale."""

    OVERDUE = "overdue"
    WAITING = "waiting"
    DONE = "done"
    LABELS = {OVERDUE: "逾期未反馈", WAITING: "待反馈", DONE: "已反馈"}
    CHOICES = [(WAITING, "待反馈"), (OVERDUE, "逾期未反馈"), (DONE, "已反馈")]


STATUS_RANKS = {Status.OVERDUE: 0, Status.WAITING: 1, Status.DONE: 2}
_RANK_STATUS = {rank: status for status, rank in STATUS_RANKS.items()}


def level_names() -> list[str]:
    """The instruction levels set in admin, in their order."""
    return list(InstructionLevel.objects.order_by("order", "pk").values_list("name", flat=True))


def handler_units(office: Unit, item: Item) -> QuerySet[Unit]:
    """Units that may be asked to handle an instruction: the office's subtree (and the
    item's own unit, wherever it sits)."""
    return (
        Unit.objects.filter(Q(path__startswith=office.path, is_active=True) | Q(pk=item.unit_id))
        .exclude(pk=office.pk)
        .order_by("order_key")
    )


# --- Status --------------------------------------------------------------------------------


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


def status_of(instruction: Instruction, today: dt.date) -> str:
    """Done when every handler has reported back, else overdue or waiting by the deadline;
    read from the list's annotation where there is one."""
    rank = getattr(instruction, "status_rank", None)
    if rank is None:
        links = list(instruction.handler_links.all())
        if all(h.feedback_at for h in links):
            return Status.DONE
        return Status.OVERDUE if instruction.deadline < today else Status.WAITING
    return _RANK_STATUS[rank]


def handler_status(handler: InstructionHandler, today: dt.date) -> str:
    """One handler's report back: done once given, else overdue or waiting by the deadline."""
    if handler.feedback_at:
        return Status.DONE
    return Status.OVERDUE if handler.instruction.deadline < today else Status.WAITING


def _mark_handler(handler: InstructionHandler, today: dt.date) -> None:
    handler.status = handler_status(handler, today)
    handler.status_label = Status.LABELS[handler.status]


def with_statuses(
    instructions: Iterable[Instruction], user: User, today: dt.date, *, titles: bool = True
) -> list[Instruction]:
    """The instructions as pages, the API and the export show them to this person: each
    gets `status` and `status_label`, `title` (the item's title as they may see it; left
    out with `titles=False` where the page names the item already) and `handler_list`,
    whose rows carry their own `status` and `status_label`. Handlers come from
    `handler_links.all()`, so prefetch them for a list."""
    instructions = list(instructions)
    for instruction in instructions:
        instruction.status = status_of(instruction, today)
        instruction.status_label = Status.LABELS[instruction.status]
        if titles:
            instruction.title = access.title_for(user, instruction)
        handlers = list(instruction.handler_links.all())
        for h in handlers:
            h.instruction = instruction  # handler_status reads the deadline without a query
            _mark_handler(h, today)
        instruction.handler_list = handlers
    return instructions


def with_inbox_statuses(handlers: Iterable[InstructionHandler], user: User, today: dt.date) -> list[InstructionHandler]:
    """Rows of the inbox as the page and the API show them: each gets `status`,
    `status_label` and `title`; its instruction gets `title` too."""
    handlers = list(handlers)
    for h in handlers:
        _mark_handler(h, today)
        h.title = h.instruction.title = access.title_for(user, h.instruction)
    return handlers


# --- Lists ---------------------------------------------------------------------------------


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


def inbox(user: User, *, today: dt.date | None = None, status: str = "") -> QuerySet[InstructionHandler]:
    """'Instructions to handle': the rows of this person's unit, unanswered first
    (overdue, then nearest deadline), answered last."""
    if not access.has_handler_role(user):
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
