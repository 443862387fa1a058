"""Who may do what to which unit or person.

The one place that answers such questions about units and roles, for pages, admin and
the JSON API alike: each answer is a named function (`can_manage_unit(user, unit)` …)
that the other apps' access modules call. `holds` is the primitive under them, and only
access modules call it. Views get objects through the get_*_for_user functions, for which
a missing object and a forbidden one look the same (404), so that ids of other units
leak nothing.
"""

from django.db.models import QuerySet
from django.http import Http404

from .models import Role, Unit, User


def holds(user, role: str) -> bool:
    """True when an active, signed-in person holds `role` in their own unit."""
    return bool(user.is_authenticated and user.is_active and user.unit_id and user.has_role(role))


def can_manage_unit(user, unit: Unit | None) -> bool:
    """Administrators manage their own unit and everything below it; superusers all."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    if unit is None or not holds(user, Role.ADMIN):
        return False
    return unit.pk == user.unit_id or user.unit_id in unit.ancestor_ids


def reviews_items_of(user, unit: Unit | None) -> bool:
    """Editors of a unit's parent office review the items that unit submits (a unit's
    own editors do not: a city's items go up to the province)."""
    return bool(unit is not None and unit.parent_id and unit.parent_id == user.unit_id and holds(user, Role.EDITOR))


def writes_items_for(user, unit: Unit | None) -> bool:
    """Staff (信息员) write items for their own unit only."""
    return bool(unit is not None and unit.pk == user.unit_id and holds(user, Role.STAFF))


def signs_off_items_of(user, unit: Unit | None) -> bool:
    """Unit approvers sign off the items of their own unit only."""
    return bool(unit is not None and unit.pk == user.unit_id and holds(user, Role.UNIT_APPROVER))


def signs_off_issues_of(user, office: Unit | None) -> bool:
    """Issue approvers sign off the issues of their own office's publications only."""
    return bool(office is not None and office.pk == user.unit_id and holds(user, Role.ISSUE_APPROVER))


def mask_phone(phone: str) -> str:
    """138****1234: the first three and last four digits kept, the rest starred; a short
    number keeps only its last two."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    if len(phone) >= 8:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * max(len(phone) - 2, 1) + phone[-2:]


def phone_for(viewer, person_or_item) -> str:
    """The phone number of a person (a User) or of an item's writers (an Item's `phone`)
    as `viewer` may see it (GB/T 22239 8.1.4.6): in full for the person themselves (the
    item's author), the approvers of their unit and the editors of the office their unit
    reports to; masked (138****1234) for everyone else. Every page, export and API field
    that shows a phone goes through here."""
    if hasattr(person_or_item, "author_id"):  # an item: the writers' number
        phone, person_id, unit = person_or_item.phone, person_or_item.author_id, person_or_item.unit
    else:
        phone, person_id, unit = person_or_item.phone, person_or_item.pk, person_or_item.unit
    if not phone:
        return ""
    full = viewer.pk == person_id or signs_off_items_of(viewer, unit) or reviews_items_of(viewer, unit)
    return phone if viewer.is_authenticated and viewer.is_active and full else mask_phone(phone)


def can_use_admin(user) -> bool:
    """Django admin and the unit directory are for administrators only."""
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or holds(user, Role.ADMIN)))


def can_set_password_policy(user) -> bool:
    """The password policy holds for the whole installation, so only an administrator of a
    top unit (the province office) or a superuser sets it. (三员分立 is not built yet: the
    security administrator of GB/T 22239 is this administrator for now.)"""
    if not can_use_admin(user):
        return False
    return user.is_superuser or bool(user.unit_id and user.unit.parent_id is None)


def administered_units(user) -> QuerySet[Unit]:
    """The units this person administers: their subtree, or all for a superuser."""
    if not can_use_admin(user):
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    return Unit.objects.descendants_of(user.unit, include_self=True)


def administered_users(user) -> QuerySet[User]:
    """The people this person administers: those of their units, or all for a superuser."""
    if user.is_authenticated and user.is_superuser:
        return User.objects.all()
    return User.objects.filter(unit__in=administered_units(user))


def get_unit_for_admin(user, pk: int) -> Unit:
    """The unit `pk` if `user` administers it; 404 otherwise."""
    try:
        return administered_units(user).select_related("parent", "assessment_class").get(pk=pk)
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该单位") from None
