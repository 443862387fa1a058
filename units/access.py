"""Who may do what to which unit or person.

The only place that answers such questions for pages, admin and (later) the API.
Predicates are django-rules predicates, so `user.has_perm("units.manage_unit", unit)`
works too; views use the get_*_for_user functions, for which a missing object and a
forbidden one look the same (404), so that ids of other units leak nothing.
"""

import rules
from django.db.models import QuerySet
from django.http import Http404

from .models import Role, Unit, User


def holds(user, role: str) -> bool:
    """True when an active, signed-in person holds `role` in their own unit."""
    return bool(user.is_authenticated and user.is_active and user.unit_id and user.has_role(role))


@rules.predicate
def is_unit_admin(user, unit: Unit | None) -> bool:
    """Administrators manage their own unit and everything below it; superusers all."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    if unit is None or not holds(user, Role.ADMIN):
        return False
    return unit.pk == user.unit_id or user.unit_id in unit.ancestor_ids


@rules.predicate
def is_reviewing_editor(user, unit: Unit | None) -> bool:
    """Editors of a unit's parent office review the items that unit submits."""
    return bool(unit is not None and unit.parent_id and unit.parent_id == user.unit_id and holds(user, Role.EDITOR))


@rules.predicate
def is_unit_staff(user, unit: Unit | None) -> bool:
    return bool(unit is not None and unit.pk == user.unit_id and holds(user, Role.STAFF))


@rules.predicate
def is_unit_approver(user, unit: Unit | None) -> bool:
    return bool(unit is not None and unit.pk == user.unit_id and holds(user, Role.UNIT_APPROVER))


@rules.predicate
def is_issue_approver(user, office: Unit | None) -> bool:
    return bool(office is not None and office.pk == user.unit_id and holds(user, Role.ISSUE_APPROVER))


rules.add_perm("units.manage_unit", is_unit_admin)
rules.add_perm("units.write_items", is_unit_staff)
rules.add_perm("units.sign_off_items", is_unit_approver)
rules.add_perm("units.review_items_of", is_reviewing_editor)
rules.add_perm("units.sign_off_issues", is_issue_approver)


def can_use_admin(user) -> bool:
    """Django admin and the unit directory are for administrators only."""
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or holds(user, Role.ADMIN)))


def administered_units(user) -> QuerySet[Unit]:
    """The units this person administers: their subtree, or all for a superuser."""
    if not can_use_admin(user):
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    return Unit.objects.descendants_of(user.unit, include_self=True)


def administered_users(user) -> QuerySet[User]:
    if user.is_authenticated and user.is_superuser:
        return User.objects.all()
    return User.objects.filter(unit__in=administered_units(user))


def get_unit_for_admin(user, pk: int) -> Unit:
    """The unit `pk` if `user` administers it; 404 otherwise."""
    try:
        return administered_units(user).select_related("parent", "assessment_class").get(pk=pk)
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该单位") from None
