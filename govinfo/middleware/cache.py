"""Cache-Control for what a signed-in person sees and for every file download."""

from django.conf import settings
from django.http import FileResponse
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """Pages for a signed-in person and every file download are not kept by browsers or
    proxies (Cache-Control: no-store): a 敏感 issue's Word file left in a shared
    computer's cache, or in a proxy, is read by the next person who comes along.

    What anonymous visitors get — static files, the public issues and their feed — stays
    cacheable. The user is looked at after the view ran, so that an API request signed
    with a token (authenticated inside the view) counts as signed in too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith(f"/{settings.STATIC_URL.lstrip('/')}"):
            return response
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META
        if signed_in or _is_download(response):
            add_never_cache_headers(response)
        return response


def _is_download(response) -> bool:
    disposition = response.get("Content-Disposition", "")
    return isinstance(response, FileResponse) or disposition.lower().startswith("attachment")
