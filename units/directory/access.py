"""Who may import and export the directory (issue 16).

Administrators only (units.access.can_use_admin), each within the units they
administer: plan.py refuses, row by row, any unit or person outside that subtree. An
import in progress belongs to the person who uploaded it; anyone else — and a token
that does not exist — gets the same 404.
"""

from django.http import Http404

from .. import access
from ..models import User
from . import jobs


def may_import(user) -> bool:
    """The import, export and template pages are for administrators."""
    return access.can_use_admin(user)


def get_import_for_user(user, token: str) -> dict:
    """The state of import `token` if `user` started it and is still an administrator; 404 otherwise."""
    state = jobs.load(token)
    if state is None or not may_import(user) or state.get("owner") != user.pk:
        raise Http404("没有找到该导入")
    return state


def may_push(user) -> bool:
    """The API's directory writes (a 统一身份认证平台 pushing changes) are for
    administrators, as the import is; plan.py keeps each within their subtree."""
    return may_import(user)


def people_for_user(user):
    """The people `user` may list through the API: those an administrator administers
    (as on the unit pages); nobody for anyone else."""
    if not may_import(user):
        return access.administered_users(user).none()
    return access.administered_users(user)


def get_person_for_user(user, pk) -> User:
    """Person `pk` if `user` administers them; 404 otherwise (missing looks the same)."""
    try:
        return people_for_user(user).select_related("unit").get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该人员") from None


def get_person_to_manage(user, pk) -> User:
    """Person `pk`, to move or disable, if `user` administers their unit; 404 otherwise
    (also for the administrator's own account: nobody moves or disables themselves here)."""
    person = get_person_for_user(user, pk)
    if person.pk == user.pk or person.unit_id is None or (person.is_superuser and not user.is_superuser):
        raise Http404("没有找到该人员")
    return person


def units_to_move_into(user):
    """The active units `user` may move a person into: those they administer."""
    return access.administered_units(user).filter(is_active=True)


def colleagues_of(person):
    """Who may take over `person`'s open work: the active people of their unit."""
    return User.objects.filter(unit_id=person.unit_id, is_active=True).exclude(pk=person.pk).order_by("username")
