"""Kept apart from the views: DRF imports authentication classes while it loads."""

from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed


class BearerTokenAuthentication(TokenAuthentication):
    """Accepts "Authorization: Token <key>" and "Authorization: Bearer <key>"."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if parts and parts[0].lower() == b"bearer":
            if len(parts) != 2:
                raise AuthenticationFailed("令牌格式不正确。")
            try:
                key = parts[1].decode()
            except UnicodeError:
                raise AuthenticationFailed("令牌格式不正确。") from None
            return self.authenticate_credentials(key)
        return super().authenticate(request)

    def authenticate_header(self, request) -> str:
        return "Bearer"
