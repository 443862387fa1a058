"""Who may see and handle which item. Views get items only through these functions;
missing and forbidden look the same (404).

Reading rules (docs/domain.md §4–§5):
- the writer's unit: its staff, unit approvers and leaders read the unit's items;
- the receiving office: its editors read every item submitted to it;
- 敏感 items: only the office's editors and the leaders named on the item — plus the
  author and the unit approvers, without whom the item could not be written and signed off.
"""

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.http import Http404

from units.access import holds
from units.models import Role, User

from .models import AT_OFFICE, Confidentiality, Item, State
from .workflow import WRITER_EDITABLE

UNIT_READERS = (Role.STAFF, Role.UNIT_APPROVER, Role.LEADER)
# How an item someone may not read is named where a list must still mention it (a ledger
# row, an issue's withheld line): never its title, which for 敏感 items is itself the secret.
SENSITIVE_LABEL = "（敏感信息）"


def edits_for_office(user: User, office_id: int | None) -> bool:
    """Is this person an editor of office `office_id`? The one rule behind every "the
    office's editors may …" (items sent to it, its commissions, emergencies reported to it)."""
    return bool(office_id) and user.unit_id == office_id and holds(user, Role.EDITOR)


def is_office_editor(user: User, item: Item) -> bool:
    """Is this person an editor of the office the item is sent to?"""
    return edits_for_office(user, item.office_id)


# Pictures are chosen until the item is printed: a signed issue is locked, and its stored
# Word file and PDF must stay the document its page shows.
PRINT_MARKABLE = (State.SUBMITTED, State.IN_REVIEW, State.HELD, State.ADOPTED)


def can_mark_for_print(user: User, item: Item) -> bool:
    """May this person choose which of the item's pictures are printed with it (随文刊发)?
    The editors of the office it was sent to, until it is published (PRINT_MARKABLE);
    the action checks the same."""
    return item.state in PRINT_MARKABLE and is_office_editor(user, item)


def can_write_items(user: User) -> bool:
    """May this person start items? Staff of a unit that has an office above it to
    report to (the top of the tree reports outside the system)."""
    return holds(user, Role.STAFF) and user.unit.parent_id is not None


def can_edit_item(user: User, item: Item) -> bool:
    """May this person revise the item's text now? Staff of its writing unit, while it is
    a draft or back with the unit (WRITER_EDITABLE); the action checks the same."""
    return item.state in WRITER_EDITABLE and user.unit_id == item.unit_id and holds(user, Role.STAFF)


def can_see_unit_items(user: User) -> bool:
    """Does this person have "my items", the list of their unit's items? Staff, unit
    approvers and leaders of a unit (UNIT_READERS)."""
    return any(holds(user, r) for r in UNIT_READERS)


def can_sign_off_queue(user: User) -> bool:
    """Does this person have the unit's sign-off queue? Its unit approvers."""
    return holds(user, Role.UNIT_APPROVER)


def can_use_desk(user: User) -> bool:
    """Does this person have an editor's desk (the items submitted to their office)?"""
    return holds(user, Role.EDITOR)


def can_read(user: User, item: Item, *, named: bool | None = None) -> bool:
    """May this person read the item's title and text? `named` says, when the caller
    already knows it (readable_item_ids), whether they are among its named readers."""
    if not (user.is_authenticated and user.is_active):
        return False
    if is_office_editor(user, item):
        return item.state in AT_OFFICE
    if item.is_sensitive:
        if item.author_id == user.pk:
            return True
        if user.unit_id == item.unit_id and holds(user, Role.UNIT_APPROVER):
            return True
        # A named reader reads it while still a leader of the office it was named for: not
        # after leaving the post or moving to another unit.
        if item.state not in AT_OFFICE or user.unit_id != item.office_id or not holds(user, Role.LEADER):
            return False
        return named if named is not None else item.named_readers.filter(pk=user.pk).exists()
    return user.unit_id == item.unit_id and can_see_unit_items(user)


def readable_item_ids(user: User, items: Iterable[Item]) -> set[int]:
    """can_read for many items at once: the ids of those this person may read, with the
    named readers of the 敏感 ones looked up in one query."""
    items = list(items)
    sensitive = [i.pk for i in items if i.is_sensitive]
    named: set[int] = set()
    if sensitive and user.is_authenticated:
        named = set(Item.named_readers.through.objects.filter(item_id__in=sensitive, user_id=user.pk)
                    .values_list("item_id", flat=True))  # fmt: skip
    return {i.pk for i in items if can_read(user, i, named=i.pk in named)}


def item_label(item: Item, *, readable: bool) -> str:
    """The item as a list may name it to someone: its title if they may read it, else
    "（敏感信息）" for a 敏感 item and its number for any other."""
    if readable:
        return item.plain_title
    return SENSITIVE_LABEL if item.is_sensitive else f"第{item.pk}号信息"


def unit_items(user: User) -> QuerySet[Item]:
    """'My items': the unit's items this person may read (can_read as a query)."""
    if not can_see_unit_items(user):
        return Item.objects.none()
    qs = Item.objects.filter(unit_id=user.unit_id)
    # Of the unit's 敏感 items, staff and leaders see only their own; approvers sign them off.
    if not holds(user, Role.UNIT_APPROVER):
        qs = qs.filter(~Q(confidentiality=Confidentiality.SENSITIVE) | Q(author=user))
    return qs


def desk_items(user: User) -> QuerySet[Item]:
    """The editor's desk: every item that has reached this person's office."""
    if not can_use_desk(user):
        return Item.objects.none()
    # Every item at the office has a submission time; saying so lets PostgreSQL skip the
    # NULLs that its newest-first index keeps in front (the office's own drafts).
    return Item.objects.filter(office_id=user.unit_id, state__in=AT_OFFICE, submitted_at__isnull=False)


def get_item_for_user(user: User, pk: int) -> Item:
    """An item this person may read, or 404."""
    try:
        item = Item.objects.select_related("unit", "office", "category__parent", "author", "signed_off_by").get(pk=pk)
    except (Item.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该信息") from None
    if not can_read(user, item):
        raise Http404("没有找到该信息")
    return item


def get_item_for_editor(user: User, pk: int) -> Item:
    """An item on this editor's desk, or 404."""
    item = get_item_for_user(user, pk)
    if not is_office_editor(user, item):
        raise Http404("没有找到该信息")
    return item
