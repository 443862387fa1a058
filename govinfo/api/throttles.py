"""The API's throttles count per client as the login lockout does (govinfo.clientip)."""

from rest_framework import throttling

from govinfo.clientip import client_ip


class ScopedRateThrottle(throttling.ScopedRateThrottle):
    """DRF's scoped throttle, keyed on the trusted client address. DRF's own get_ident
    reads X-Forwarded-For, which a client can fill with a new address per request."""

    def get_ident(self, request) -> str:
        return client_ip(request) or ""
