"""Session timeouts: a login ends after SESSION_IDLE_TIMEOUT seconds without a request,
and SESSION_COOKIE_AGE seconds after the password was entered, however busy the person.

Django alone cannot say either: the session's expiry date moves forward every time the
session is saved, so it measures neither idleness exactly nor the time since login. The
two moments are kept in the session itself. Requests with a Bearer token carry no session
and are not affected.
"""

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme

import audit

LOGIN_AT = "govinfo_login_at"
SEEN_AT = "govinfo_seen_at"
# Writing the session on every request would cost a database write per click; the idle
# clock is refreshed at most once a minute, which is all a 30-minute timeout needs.
SEEN_RESOLUTION = 60
EXPIRED_MESSAGE = "登录已超时，请重新登录。"


@receiver(user_logged_in, dispatch_uid="govinfo.middleware.sessions.stamp_login")
def stamp_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGIN_AT] = now
        request.session[SEEN_AT] = now


def session_expired(session, now: float) -> bool:
    """True when the signed-in session in `session` is too old or has been idle too long."""
    login_at = session.get(LOGIN_AT)
    seen_at = session.get(SEEN_AT, login_at)
    if login_at is None:
        # A session from before this check existed: start its clocks now.
        return False
    return now - login_at > settings.SESSION_COOKIE_AGE or now - seen_at > settings.SESSION_IDLE_TIMEOUT


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Ask the session, not request.user: a session without a login needs no clock,
        # and reading the user would cost a query on every anonymous request.
        session = request.session
        if SESSION_KEY in session:
            now = time.time()
            if session_expired(session, now):
                return self._expired(request)
            if LOGIN_AT not in session:
                session[LOGIN_AT] = int(now)
            if now - session.get(SEEN_AT, 0) >= SEEN_RESOLUTION:
                session[SEEN_AT] = int(now)
        return self.get_response(request)

    def _expired(self, request) -> HttpResponse:
        next_path = request.get_full_path()
        # The audit record says the login timed out, not that the person signed out.
        audit.record(action="session_expired", obj=request.user, actor=request.user)
        request._govinfo_session_expired = True
        logout(request)  # flushes the session: the second factor goes with it
        if request.path_info.startswith("/api/"):
            return JsonResponse({"code": "session_expired", "message": EXPIRED_MESSAGE}, status=401)
        messages.warning(request, EXPIRED_MESSAGE)
        return login_redirect(request, next_path)


def login_redirect(request, next_path: str, to: str | None = None) -> HttpResponse:
    """Send the browser to the login page (or `to`), coming back to `next_path` after.
    htmx would swap that page into a fragment, so it is told to load it as a page, and
    to come back to the page the fragment was part of."""
    if request.headers.get("HX-Request"):
        current = request.headers.get("HX-Current-URL", "")
        if url_has_allowed_host_and_scheme(current, allowed_hosts={request.get_host()}):
            parts = urlsplit(current)
            next_path = parts.path + (f"?{parts.query}" if parts.query else "")
        response = HttpResponse(status=204)
        response["HX-Redirect"] = redirect_to_login(next_path, to).url
        return response
    return redirect_to_login(next_path, to)
