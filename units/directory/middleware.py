"""A person with a one-time password (directory import, an administrator's reset, a new
account) or an expired one (the password policy's age, units/passwords.py) must choose
their own first.

Until they have, every page sends them to the password change page, except signing
out, the two-factor pages (which come first where roles need them) and static files;
the API refuses their session. A successful change clears the flag.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from units.passwords import password_expired

ONE_TIME = "您正在使用一次性密码，请先设置自己的新密码。"
EXPIRED = "您的密码已过有效期，请先修改密码再继续使用。"
API_ONE_TIME = "请先在网页上修改一次性密码，再使用接口。"
API_EXPIRED = "密码已过有效期，请先在网页上修改密码，再使用接口。"


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        one_time = getattr(user, "must_change_password", False)
        if not one_time and not password_expired(user):
            return self.get_response(request)
        path = request.path_info
        change = reverse("password_change")
        if path == change:
            response = self.get_response(request)
            if request.method == "POST" and response.status_code in (301, 302, 303):
                # PasswordChangeView redirects only after the new password is saved.
                # (request.user is a lazy wrapper: type(user) would not be the model.)
                get_user_model().objects.filter(pk=user.pk).update(must_change_password=False)
                user.must_change_password = False
            return response
        open_paths = (reverse("logout"), reverse("two_factor"), "/" + settings.STATIC_URL.lstrip("/"), "/favicon.ico")
        if path.startswith(open_paths) or path == reverse("password_change_done"):
            return self.get_response(request)
        if path.startswith("/api/") and "HTTP_AUTHORIZATION" not in request.META:
            return JsonResponse(
                {
                    "code": "password_change_required",
                    "message": API_ONE_TIME if one_time else API_EXPIRED,
                },
                status=403,
            )
        if path.startswith("/api/"):
            return self.get_response(request)
        messages.warning(request, ONE_TIME if one_time else EXPIRED)
        return redirect(change)
