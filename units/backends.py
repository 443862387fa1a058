"""An authentication backend that only refuses: the demo logins, in production."""

from django.core.exceptions import PermissionDenied

from .demo_guard import refuses_login


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
