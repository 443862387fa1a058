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

from .models import ADMIN_DUTIES, Role, Unit, User


def holds(user, role: str) -> bool:
    """True when an active, signed-in person holds `role` in their own unit."""
    return bool(user.is_authenticated and user.is_active and user.unit_id and user.has_role(role))


def can_manage_unit(user, unit: Unit | None) -> bool:
    """System administrators manage their own unit and everything below it; superusers all."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    if unit is None or not holds(user, Role.SYSTEM_ADMIN):
        return False
    return _within(user, unit)


def _within(user, unit: Unit | None) -> bool:
    """`unit` is the person's own unit or below it."""
    return bool(unit is not None and (unit.pk == user.unit_id or user.unit_id in unit.ancestor_ids))


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
    """The system administrator's work (units, people, publications, schemes, quotas,
    calendar, settings) — in the Django admin and the directory pages."""
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or holds(user, Role.SYSTEM_ADMIN)))


def admin_duty(user) -> str | None:
    """Which of the three administrator roles (三员) the person holds, if any."""
    if not (user.is_authenticated and user.is_active and user.unit_id):
        return None
    return next((role for role in ADMIN_DUTIES if role in user.role_set), None)


def can_enter_admin_site(user) -> bool:
    """The admin site is the three administrators' workplace; each sees only their part."""
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or admin_duty(user)))


def is_security_admin(user) -> bool:
    """The security administrator (安全管理员): approves role changes, resets passwords and
    second factors, unlocks accounts, sets the password policy; no business data."""
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or holds(user, Role.SECURITY_ADMIN)))


def is_auditor(user) -> bool:
    """The security auditor (安全审计员): reads, searches, exports and verifies the audit
    record; read-only everywhere else."""
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or holds(user, Role.AUDITOR)))


def secures_person(user, person: User | None) -> bool:
    """A security administrator looks after the accounts of their unit and below."""
    if person is None or not is_security_admin(user):
        return False
    return user.is_superuser or _within(user, person.unit)


def secured_users(user) -> QuerySet[User]:
    """The people whose accounts this security administrator looks after."""
    if not is_security_admin(user):
        return User.objects.none()
    if user.is_superuser:
        return User.objects.all()
    return User.objects.filter(unit__in=Unit.objects.descendants_of(user.unit, include_self=True))


def can_decide_role_change(user, change) -> bool:
    """A security administrator of the person's unit (or above) approves or refuses a
    proposed role change — never their own proposal, nor one about themselves."""
    if not is_security_admin(user) or change.proposed_by_id == user.pk or change.user_id == user.pk:
        return False
    return user.is_superuser or _within(user, change.unit)


def can_set_password_policy(user) -> bool:
    """The password policy holds for the whole installation, so only a security
    administrator of a top unit (the province office) or a superuser sets it."""
    if not is_security_admin(user):
        return False
    return user.is_superuser or bool(user.unit_id and user.unit.parent_id is None)


def reads_audit(user) -> bool:
    """Who opens the audit record at all: the auditor reads all of their scope; the
    system and security administrators read the other administrators' actions only
    (each of the three is watched by the others, GB/T 22239 8.1.4.3)."""
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or admin_duty(user)))


def reads_whole_audit(user) -> bool:
    """Only the auditor reads, searches and exports the whole record, and verifies it."""
    return is_auditor(user)


def audit_units(user) -> QuerySet[Unit]:
    """The units whose part of the audit record an administrator may read: their subtree."""
    if not reads_audit(user):
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    return Unit.objects.descendants_of(user.unit, include_self=True)


def watched_administrators(user) -> QuerySet[User] | None:
    """Whose actions a reader of the audit record sees: None for everyone's (the auditor);
    for the system and security administrators, the other administrators (三员) of their
    scope — never themselves."""
    if reads_whole_audit(user):
        return None
    from .models import RoleGrant

    duties = RoleGrant.objects.filter(role__in=ADMIN_DUTIES, unit__in=audit_units(user)).exclude(user=user)
    return User.objects.filter(pk__in=duties.values("user_id"))


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
