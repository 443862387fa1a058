"""The project's Chinese 404 page in DEBUG too (the demo runs with DEBUG on).

With DEBUG on, Django answers a missing page with its English technical page, which
lists every URL pattern; the 403 (PermissionDenied) and CSRF pages already use the
project's templates whatever DEBUG says. Django has no setting for this:
`response_for_exception` calls `technical_404_response` whenever settings.DEBUG is on.
So this middleware gives DEBUG the production path for the two ways a 404 arises:

- a view raises Http404: `process_exception` answers with Django's own handler404 view
  (`page_not_found`, which renders templates/404.html), as production does;
- no URL pattern matches: the resolver raises Resolver404 before any view, outside
  `process_exception`, and Django turns it into the technical page inside the handler
  before any middleware sees it. Resolving the path here first (only in DEBUG, where the
  extra lookup costs nothing that matters) catches it while it is still an exception.
  Answering a plain 404 keeps CommonMiddleware's APPEND_SLASH redirect working, since it
  acts on the 404 status on the way out.

Set GOVINFO_TECHNICAL_404=1 to see Django's technical page (e.g. to list the URL patterns).
"""

import os

from django.conf import settings
from django.http import Http404
from django.urls import Resolver404, get_resolver
from django.views.defaults import page_not_found


class ChineseNotFoundInDebugMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.technical = os.environ.get("GOVINFO_TECHNICAL_404", "") not in ("", "0")

    def _active(self) -> bool:
        # Read per request: tests (and runserver's settings) may switch DEBUG after start.
        return settings.DEBUG and not self.technical

    def __call__(self, request):
        if self._active():
            try:
                get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
            except Resolver404 as exc:
                return page_not_found(request, exc)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if self._active() and isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None
