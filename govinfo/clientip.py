from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address for login throttling (django-axes).

    Behind nginx every request reaches gunicorn from 127.0.0.1, which would make one
    person's failures lock out the whole office. nginx overwrites X-Real-IP with the
    address it saw, so the header is trusted only when BEHIND_PROXY says nginx is there;
    otherwise a client could pick its own address.
    """
    if settings.BEHIND_PROXY:
        real = request.META.get("HTTP_X_REAL_IP", "").strip()
        if real:
            return real
    return request.META.get("REMOTE_ADDR")
