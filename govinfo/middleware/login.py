"""A login for every page; the API authenticates itself."""

from django.contrib.auth.middleware import LoginRequiredMiddleware


class LoginRequiredExceptApi(LoginRequiredMiddleware):
    """Pages need a login; the API authenticates itself (session or token) and answers
    401 in JSON instead of redirecting to the login page."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
