"""Who may see emergency cases (突发事件) and write their reports. Pages and the API get
cases only through these functions; a case the caller may not read looks missing (404).
A case shows no report text: each report is read under the item rules (submissions.access)."""

from django.db.models import Q, QuerySet
from django.http import Http404

from units.access import holds
from units.models import Role, User

from ..access import UNIT_READERS, edits_for_office
from ..models import EmergencyCase


def is_unit_staff(user: User) -> bool:
    """Staff write a unit's emergency reports (its approvers sign them off)."""
    return holds(user, Role.STAFF)


def is_unit_reader(user: User) -> bool:
    """The staff, approvers and leaders of a unit follow the cases it reported."""
    return any(holds(user, r) for r in UNIT_READERS)


def is_receiving_editor(user: User) -> bool:
    """Editors follow the cases reported to their own office."""
    return user.is_authenticated and edits_for_office(user, user.unit_id)


def can_see_emergencies(user: User) -> bool:
    """May this person open the list of cases at all (reporting or receiving side)?"""
    return is_receiving_editor(user) or is_unit_reader(user)


def can_report_emergency(user: User) -> bool:
    """Staff of a unit with an office above it (to which the reports go) report a case."""
    return is_unit_staff(user) and user.unit.parent_id is not None


def is_case_editor(user: User, case: EmergencyCase) -> bool:
    """An editor of the office the case is reported to."""
    return edits_for_office(user, case.office_id)


def is_case_unit_reader(user: User, case: EmergencyCase) -> bool:
    """Staff, approver or leader of the unit that reported the case."""
    return user.unit_id == case.unit_id and is_unit_reader(user)


def can_read_case(user: User, case: EmergencyCase) -> bool:
    """The reporting unit's staff, approvers and leaders, and the receiving office's
    editors. A case shows no report text; each report is read under the item rules."""
    if not (user.is_authenticated and user.is_active):
        return False
    return is_case_editor(user, case) or is_case_unit_reader(user, case)


def can_write_reports(user: User, case: EmergencyCase) -> bool:
    """The reporting unit's staff write the case's 续报 and 终报 (other readers only follow)."""
    return user.unit_id == case.unit_id and is_unit_staff(user)


def can_add_report(user: User, case: EmergencyCase) -> bool:
    """A report can be added now: the case is open and this person writes its reports."""
    return case.closed_at is None and can_write_reports(user, case)


def get_case_for_user(user: User, pk: int) -> EmergencyCase:
    """A case this person may read, or 404."""
    try:
        case = EmergencyCase.objects.select_related("unit", "office").get(pk=pk)
    except (EmergencyCase.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该突发事件") from None
    if not can_read_case(user, case):
        raise Http404("没有找到该突发事件")
    return case


def cases_for_user(user: User) -> QuerySet[EmergencyCase]:
    """Cases reported by this person's unit (for its readers) and to it (for its editors)."""
    if not (user.is_authenticated and user.is_active and user.unit_id):
        return EmergencyCase.objects.none()
    scope = Q()
    if is_receiving_editor(user):
        scope |= Q(office_id=user.unit_id)
    if is_unit_reader(user):
        scope |= Q(unit_id=user.unit_id)
    if not scope:
        return EmergencyCase.objects.none()
    return EmergencyCase.objects.filter(scope)
