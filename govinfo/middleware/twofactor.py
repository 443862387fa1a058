"""Keeps a session that still owes its second factor on the two-factor pages.

A person who needs a code (units/twofactor/) and has signed in with only the password
can open the login, logout and two-factor pages, static files and the health check;
every other page sends them to enter the code, or to set up an authenticator if they
have none. The admin site is no exception. The API refuses such a session with 403;
a Bearer token, obtained with the code, needs nothing more.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import JsonResponse
from django.urls import reverse

from govinfo.middleware.sessions import login_redirect
from units.twofactor.access import confirmed_device, is_verified, requires_two_factor

TOKEN_PATH = "/api/v1/auth/token/"


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._check(request)
        return response if response is not None else self.get_response(request)

    @staticmethod
    def _open_paths() -> tuple[str, ...]:
        return (
            reverse("login"),
            reverse("logout"),
            reverse("health"),
            reverse("two_factor"),  # the prefix of every two-factor page
            "/" + settings.STATIC_URL.lstrip("/"),
            "/favicon.ico",
        )

    def _check(self, request):
        user = request.user
        if not user.is_authenticated or is_verified(user) or not requires_two_factor(user):
            return None
        path = request.path_info
        if path.startswith("/api/"):
            if path == TOKEN_PATH or "HTTP_AUTHORIZATION" in request.META:
                # The half-signed-in session must not stand in for the token or the
                # credentials these requests bring themselves.
                request.user = AnonymousUser()
                return None
            return JsonResponse(
                {
                    "code": "two_factor_required",
                    "message": "该账号须先在网页上完成两步验证（输入动态验证码），才能使用接口。",
                },
                status=403,
            )
        if path.startswith(self._open_paths()):
            return None
        target = "two_factor_verify" if confirmed_device(user) else "two_factor_setup"
        return login_redirect(request, request.get_full_path(), reverse(target))
