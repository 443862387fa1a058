"""The client's address, and what login throttling (django-axes) does with it.

Every count kept per client — axes' failed logins, the API's throttles, the audit
record's address — uses `client_ip`, so no two of them can disagree about who the
client is, and none trusts a header the client itself controls.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render


def client_ip(request) -> str | None:
    """The client's address for login throttling (django-axes) and the API's throttles.

    Behind nginx every request reaches gunicorn from 127.0.0.1, which would make one
    person's failures lock out the whole office. nginx overwrites X-Real-IP with the
    address it saw, so the header is trusted only when BEHIND_PROXY says nginx is there;
    otherwise a client could pick its own address. X-Forwarded-For is never used: nginx
    appends to what the client sent, so its first entries are the client's own words.
    """
    if settings.BEHIND_PROXY:
        real = request.META.get("HTTP_X_REAL_IP", "").strip()
        if real:
            return real
    return request.META.get("REMOTE_ADDR")


def _cooloff_minutes() -> int:
    return max(1, round(float(settings.AXES_COOLOFF_TIME) * 60))


def locked_out_message() -> str:
    return f"登录失败次数过多，已暂时锁定，请 {_cooloff_minutes()} 分钟后再试，或联系管理员解锁。"


def locked_out_api_response() -> JsonResponse:
    return JsonResponse(
        {"code": "locked_out", "message": locked_out_message()}, status=settings.AXES_HTTP_RESPONSE_CODE
    )


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the API answers a locked-out call in its own JSON shape;
    pages get the Chinese lockout page."""
    if request.path_info.startswith("/api/"):
        return locked_out_api_response()
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": _cooloff_minutes()}
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE)


class AddressLimitHandler(AxesDatabaseHandler):
    """axes' database handler, plus a limit per address across user names.

    AXES_LOCKOUT_PARAMETERS counts failures per user name and address, which leaves
    password spraying (one address, one guess for each of many names) unlimited. Adding
    "ip_address" to those parameters would lock an address at the same 5 failures, which
    is too few for an office behind one address, and axes' reset on a successful login
    would then clear the whole address's count, so a sprayer could reset it with an
    account of their own. Here the address's failures are summed from axes' own rows
    (one per name and address, reset only for the name that signed in) against their
    own limit, AXES_ADDRESS_FAILURE_LIMIT, within the same cool-off time.
    """

    def address_failures(self, request) -> int:
        address = getattr(request, "axes_ip_address", None) or client_ip(request)
        if not address:
            return 0
        attempts = AccessAttempt.objects.filter(ip_address=address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0

    def address_locked(self, request) -> bool:
        return self.address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        return bool(settings.AXES_LOCK_OUT_AT_FAILURE) and self.address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        # axes marks the request locked only by the per-name count; an attempt refused
        # (or made) while the address is over its limit must show the lockout too, or
        # the person would be told their password was wrong without it being checked.
        if request is not None and not getattr(request, "axes_locked_out", False) and self.address_locked(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials
