"""Puts the current request where the audit receivers find it (audit/context.py)."""

from . import context


class AuditContextMiddleware:
    """Place after AuthenticationMiddleware. The user is read only when something is
    recorded, so pages that change nothing pay nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with context.for_request(request):
            return self.get_response(request)
