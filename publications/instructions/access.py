"""Who may write, see and answer instructions. Pages and the API get instructions, their
targets and feedback files only through the get_* functions here; missing and forbidden
look the same (404). Every role check of the instructions feature lives in this module.
"""

from django.http import Http404

from submissions import access as item_access
from submissions.models import Item
from units.access import holds
from units.models import Role, User

from .. import access as publication_access
from ..models import Adoption, FeedbackAttachment, Instruction, InstructionHandler, Issue, IssueState

# People of a handling unit who see, and may answer, its instructions.
HANDLER_ROLES = (Role.STAFF, Role.UNIT_APPROVER, Role.LEADER)
# People of the office who follow its instructions (the list page and the export).
OFFICE_ROLES = publication_access.OFFICE_READERS


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.unit_id)


# --- Roles ---------------------------------------------------------------------------------


def instructs_as_leader(user: User) -> bool:
    """A leader writes an instruction in their own name (the form fills it in and the
    instruction is linked to them); anyone else records a leader's written one."""
    return holds(user, Role.LEADER)


def has_handler_role(user: User) -> bool:
    """Staff, unit approvers and leaders answer the instructions their unit handles."""
    return _active(user) and any(holds(user, r) for r in HANDLER_ROLES)


def is_handler_member(user: User, unit_id: int) -> bool:
    """Whether this person answers for the handling unit `unit_id`."""
    return has_handler_role(user) and user.unit_id == unit_id


def can_follow_office(user: User) -> bool:
    """Whether the office list (and export) is open to this person for their own unit."""
    return _active(user) and any(holds(user, r) for r in OFFICE_ROLES)


def is_office_reader(user: User, office_id: int) -> bool:
    """Editors, leaders and issue approvers of the office follow its instructions."""
    return can_follow_office(user) and user.unit_id == office_id


def reads_as_office_editor(user: User, instruction: Instruction) -> bool:
    """An editor of the instruction's office, who reads every item submitted there and so
    sees 敏感 titles in the office's lists."""
    # The instruction's office (its issue's), not necessarily the item's office.
    return item_access.edits_for_office(user, instruction.office_id)


def masked_title(user: User, item: Item, *, office_editor: bool) -> str:
    """The item's title as this person may see it: 敏感 titles only for those who may
    read the item (or edit for its office)."""
    if not item.is_sensitive or office_editor:
        return item.plain_title
    return item.plain_title if item_access.can_read(user, item) else "（敏感信息）"


def title_for(user: User, instruction: Instruction) -> str:
    """The title of the instructed item as this person may see it."""
    return masked_title(user, instruction.item, office_editor=reads_as_office_editor(user, instruction))


# --- Instructing --------------------------------------------------------------------------


def item_in_issue(item: Item, issue: Issue) -> bool:
    """Whether the issue carries the item (through an adoption not withdrawn)."""
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
    if publication_access.is_editor_of(user, issue.publication):
        return True
    office = issue.publication.office
    above = user.unit_id == office.pk or user.unit_id in office.ancestor_ids
    return above and holds(user, Role.LEADER) and publication_access.can_read_issue(user, issue)


def instructable_issues(user: User, item: Item) -> list[Issue]:
    """Signed issues carrying the item on which this person may instruct, newest first."""
    # Only leaders and editors can pass can_instruct: spare everyone else the query.
    if not (_active(user) and (holds(user, Role.LEADER) or holds(user, Role.EDITOR))):
        return []
    issues = (
        Issue.objects.filter(state=IssueState.SIGNED, adoptions__sources=item, adoptions__withdrawn_at=None)
        .select_related("publication__office")
        .distinct()
        .order_by("-signed_at", "-pk")
    )
    return [issue for issue in issues if can_instruct(user, issue)]


def get_issue_for_instruction(user: User, issue_pk) -> Issue:
    """A signed issue this person may instruct on, or 404."""
    try:
        issue = publication_access.get_issue_for_user(user, int(issue_pk))
    except (ValueError, TypeError):
        raise Http404("没有找到该期") from None
    if not can_instruct(user, issue):
        raise Http404("没有找到该期")
    return issue


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


def get_item_for_instructions(user: User, pk) -> tuple[Item, list[Instruction]]:
    """An item whose instructions this person may list, with those they may see; 404 when
    they see none, may not read the item and may not instruct on it either."""
    from .queries import item_instructions

    try:
        item = Item.objects.select_related("unit", "office").get(pk=int(pk))
    except (Item.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
    visible = [i for i in item_instructions(item) if can_view(user, i)]
    if not (visible or item_access.can_read(user, item) or instructable_issues(user, item)):
        raise Http404
    return item, visible


# --- Seeing and answering -----------------------------------------------------------------


def can_view(user: User, instruction: Instruction) -> bool:
    """The office, the handling units, the leader who wrote it and whoever may read the
    item see an instruction and its feedback; nobody else."""
    if not _active(user):
        return False
    if user.pk in (instruction.leader_id, instruction.recorded_by_id):
        return True
    if is_office_reader(user, instruction.office_id):
        return True
    if has_handler_role(user) and instruction.handler_links.filter(unit_id=user.unit_id).exists():
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
    if not has_handler_role(user):
        return None
    return instruction.handler_links.filter(unit_id=user.unit_id).select_related("unit").first()


def get_handler_for_user(user: User, instruction_pk) -> tuple[Instruction, InstructionHandler]:
    """An instruction this person's unit must answer, with its row, or 404."""
    instruction = get_instruction_for_user(user, instruction_pk)
    handler = handler_for(user, instruction)
    if handler is None:
        raise Http404("没有找到该批示")
    return instruction, handler


def get_attachment_for_user(user: User, pk) -> FeedbackAttachment:
    """A feedback file of an instruction this person may see, or 404."""
    try:
        attachment = FeedbackAttachment.objects.select_related("handler").get(pk=int(pk))
    except (FeedbackAttachment.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该附件") from None
    get_instruction_for_user(user, attachment.handler.instruction_id)
    return attachment
