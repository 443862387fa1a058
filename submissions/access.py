"""Who may see and handle which item. Views get items only through these functions;
missing and forbidden look the same (404).

Reading rules (DOMAIN.md 4–5):
- the writer's unit: its staff, unit approvers and leaders read the unit's items;
- the receiving office: its editors read every item submitted to it;
- 敏感 items: only the office's editors and the leaders named on the item — plus the
  author and the unit approvers, without whom the item could not be written and signed off.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from units.access import holds
from units.models import Role, User

from .models import AT_OFFICE, Confidentiality, Item

UNIT_READERS = (Role.STAFF, Role.UNIT_APPROVER, Role.LEADER)


def is_office_editor(user: User, item: Item) -> bool:
    return user.unit_id == item.office_id and holds(user, Role.EDITOR)


def can_read(user: User, item: Item) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if is_office_editor(user, item):
        return item.state in AT_OFFICE
    if item.is_sensitive:
        if item.author_id == user.pk:
            return True
        if user.unit_id == item.unit_id and holds(user, Role.UNIT_APPROVER):
            return True
        return item.state in AT_OFFICE and item.named_readers.filter(pk=user.pk).exists()
    return user.unit_id == item.unit_id and any(holds(user, r) for r in UNIT_READERS)


def unit_items(user: User) -> QuerySet[Item]:
    """'My items': the unit's items this person may read."""
    if not user.unit_id or not any(holds(user, r) for r in UNIT_READERS):
        return Item.objects.none()
    qs = Item.objects.filter(unit_id=user.unit_id)
    if not holds(user, Role.UNIT_APPROVER):
        qs = qs.filter(~Q(confidentiality=Confidentiality.SENSITIVE) | Q(author=user))
    return qs


def desk_items(user: User) -> QuerySet[Item]:
    """The editor's desk: every item that has reached this person's office."""
    if not holds(user, Role.EDITOR):
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
