"""A person with a one-time password (directory import) must choose their own first.

Until they have, every page sends them to the password change page, except signing
out, the two-factor pages (which come first where roles need them) and static files;
the API refuses their session. A successful change clears the flag.
"""

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not getattr(user, "must_change_password", False):
            return self.get_response(request)
        path = request.path_info
        change = reverse("password_change")
        if path == change:
            response = self.get_response(request)
            if request.method == "POST" and response.status_code in (301, 302, 303):
                # PasswordChangeView redirects only after the new password is saved.
                type(user).objects.filter(pk=user.pk).update(must_change_password=False)
                user.must_change_password = False
            return response
        open_paths = (reverse("logout"), reverse("two_factor"), "/" + settings.STATIC_URL.lstrip("/"), "/favicon.ico")
        if path.startswith(open_paths) or path == reverse("password_change_done"):
            return self.get_response(request)
        if path.startswith("/api/") and "HTTP_AUTHORIZATION" not in request.META:
            return JsonResponse(
                {"code": "password_change_required", "message": "请先在网页上修改一次性密码，再使用接口。"}, status=403
            )
        if path.startswith("/api/"):
            return self.get_response(request)
        messages.warning(request, "您正在使用一次性密码，请先设置自己的新密码。")
        return redirect(change)
