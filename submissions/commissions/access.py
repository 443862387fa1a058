"""Who may issue, follow and answer commissions (约稿), and see the monthly progress
roll-call. Pages and the API get commissions only through these functions; another
office's commission, or one not addressed to the caller's unit, looks missing (404)."""

from django.db.models import QuerySet
from django.http import Http404

from units.access import holds
from units.models import Role, User

from ..access import edits_for_office
from ..models import Commission, Item

# Who in a target unit sees its commissions; only staff answer them.
INBOX_ROLES = (Role.STAFF, Role.UNIT_APPROVER, Role.LEADER)


def can_issue_commission(user: User) -> bool:
    """Editors issue commissions in the name of their own office and follow who answered."""
    return user.is_authenticated and edits_for_office(user, user.unit_id)


def can_follow_progress(user: User) -> bool:
    """Editors see which of their office's child units reported the monthly progress."""
    return user.is_authenticated and edits_for_office(user, user.unit_id)


def can_use_inbox(user: User) -> bool:
    """The staff, approvers and leaders of a unit see the commissions addressed to it."""
    return bool(user.is_authenticated and user.unit_id) and any(holds(user, r) for r in INBOX_ROLES)


def can_answer(user: User) -> bool:
    """Only staff write answers (the approvers sign them off as any other item)."""
    return holds(user, Role.STAFF)


def can_link_answer(user: User, item: Item) -> bool:
    """A staff member of the item's own unit may make it the unit's answer to a commission."""
    return can_answer(user) and user.unit_id == item.unit_id


def office_commissions(user: User) -> QuerySet[Commission]:
    """The commissions of the office this editor works in (none for anyone else)."""
    if not can_issue_commission(user):
        return Commission.objects.none()
    return Commission.objects.filter(office_id=user.unit_id)


def inbox_commissions(user: User) -> QuerySet[Commission]:
    """The commissions that ask this person's unit for items (none for non-readers)."""
    if not can_use_inbox(user):
        return Commission.objects.none()
    return Commission.objects.filter(target_links__unit_id=user.unit_id)


def get_commission_for_editor(user: User, pk: int) -> Commission:
    """A commission of this editor's office, or 404 (another office's looks missing)."""
    try:
        return office_commissions(user).select_related("office", "created_by").get(pk=pk)
    except (Commission.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该约稿") from None


def get_commission_to_answer(user: User, pk: int) -> Commission:
    """A commission this staff member's unit is asked to answer, or 404."""
    if not can_answer(user):
        raise Http404("没有找到该约稿")
    try:
        return Commission.objects.select_related("office").get(pk=pk, target_links__unit_id=user.unit_id)
    except (Commission.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该约稿") from None
