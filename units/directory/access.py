"""Who may import and export the directory (issue 16).

Administrators only (units.access.can_use_admin), each within the units they
administer: plan.py refuses, row by row, any unit or person outside that subtree. An
import in progress belongs to the person who uploaded it; anyone else — and a token
that does not exist — gets the same 404.
"""

from django.http import Http404

from .. import access
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
