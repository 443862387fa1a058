"""When the database cannot be reached, say so in plain Chinese and keep what was typed.

A dropped or refused PostgreSQL connection raises django.db.OperationalError (or
InterfaceError on a connection that is already closed). Without this middleware the
user gets a bare 500 page, and the text they typed into a form is gone. With it:

* the answer is HTTP 503 with a Retry-After header and a Chinese page (templates/503_db.html);
* for a POST, the page shows the posted text fields again in a form that posts back to
  the same address, with a fresh CSRF token, so the user can resubmit once the database
  is back (files cannot be kept: the page says so);
* the API (/api/) gets the API's JSON error shape {code, message, errors}.

The error can come from the view (process_exception) or from a middleware before it,
e.g. loading the session or the user (LoginRequiredMiddleware.process_view). Django
turns the latter into a 500 response before any outer middleware sees it, so a receiver
of got_request_exception, which Django sends while handling that exception, marks the
request, and __call__ replaces the 500 by the 503 page. The page is rendered without
context processors and without touching the database.
"""

import logging
import re
import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

DB_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER = 30  # seconds
MESSAGE = "数据库暂时无法连接，本次操作没有保存。请稍后重试。"
_MARK = "_govinfo_database_error"
# Values that look like an id or a choice code (12, full, internal) travel as hidden
# fields; everything a person typed (Chinese text, dates, phone numbers) is shown.
_CODE = re.compile(r"[0-9a-z_]{1,32}")
# Labels for the fields of the app's forms; any other field shows its name.
LABELS = {
    "title": "标题",
    "body": "正文",
    "comment": "意见",
    "note": "说明",
    "reason": "理由",
    "evidence": "依据",
    "writers": "撰稿人",
    "phone": "联系电话",
    "signature": "落款",
    "event_date": "日期",
    "date": "日期",
    "extra_recipients": "增发单位",
    "content": "内容",
    "text": "内容",
    "name": "名称",
    "email": "电子邮箱",
    "q": "检索词",
}
logger = logging.getLogger(__name__)


def _remember(sender, request=None, **kwargs) -> None:
    """got_request_exception is sent inside Django's `except`: the error is in sys.exc_info()."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DB_ERRORS):
        setattr(request, _MARK, error)


got_request_exception.connect(_remember, dispatch_uid="govinfo.middleware.dberrors.remember")


class DatabaseUnavailableMiddleware:
    """Turn OperationalError/InterfaceError anywhere in a request into the 503 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        error = getattr(request, _MARK, None)
        if error is not None and response.status_code >= 500:
            return database_unavailable(request, error)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DB_ERRORS):
            return database_unavailable(request, exception)
        return None


def _kept_fields(request) -> tuple[list[dict], list[dict]]:
    """The posted fields to send back: (shown, hidden). Never the CSRF token, never files."""
    shown, hidden = [], []
    if request.method != "POST":
        return shown, hidden
    try:
        posted = list(request.POST.lists())
    except Exception:  # an unreadable or oversized body: nothing to keep
        return shown, hidden
    for name, values in posted:
        if name == "csrfmiddlewaretoken":
            continue
        for value in values:
            if not value or _CODE.fullmatch(value):
                hidden.append({"name": name, "value": value})
            else:
                shown.append(
                    {
                        "name": name,
                        "label": LABELS.get(name, name),
                        "value": value,
                        "long": "\n" in value or len(value) > 60,
                    }
                )
    return shown, hidden


def _has_files(request) -> bool:
    try:
        return bool(request.FILES)
    except Exception:
        return False


def database_unavailable(request, error: Exception) -> HttpResponse:
    logger.warning("database unavailable during %s %s: %s", request.method, request.path, error)
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"code": "database_unavailable", "message": MESSAGE, "errors": {}}, status=503)
    else:
        shown, hidden = _kept_fields(request)
        context = {
            "message": MESSAGE,
            "is_post": request.method == "POST",
            "action": request.get_full_path(),
            "shown": shown,
            "hidden": hidden,
            "had_files": request.method == "POST" and _has_files(request),
            # A fresh token from the CSRF cookie the browser already holds.
            "csrf_token": get_token(request),
        }
        response = HttpResponse(render_to_string("503_db.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response
