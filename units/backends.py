"""Authentication backends: one that only refuses (the demo logins, in production) and
the local accounts' backend, which in production refuses the superuser."""

import logging

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from .demo_guard import refuses_login, refuses_superuser

log = logging.getLogger(__name__)


class DemoLoginGuard:
    """Placed before the backends that check passwords: in production a demo login's
    name stops authentication at once (Django ends the chain on PermissionDenied and
    counts a failed sign-in), for the login page, the admin and the API's token alike.
    It never signs anyone in and has no get_user, so no session (nor
    force_login) names it."""

    def authenticate(self, request, username=None, **kwargs):
        if refuses_login(username):
            raise PermissionDenied
        return None


class LocalAccountBackend(ModelBackend):
    """Django's password check for local accounts; in production a superuser is refused
    like a wrong password (the page does not tell a stranger which name is a superuser),
    and a session that names one is not resumed (get_user)."""

    def user_can_authenticate(self, user) -> bool:
        if refuses_superuser(user):
            log.warning("superuser %s refused: GOVINFO_ENV=production (三员分立)", user.get_username())
            return False
        return super().user_can_authenticate(user)
