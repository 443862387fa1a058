"""Kept apart from the views: DRF imports authentication classes while it loads."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed


class TokenRefused(exceptions.APIException):
    """A real token that may no longer be used. Not an AuthenticationFailed, whose message
    the error handler replaces with the generic one: the caller needs to know that
    obtaining a new token (with the code) is the way back."""

    status_code = 401
    auth_header = "Bearer"  # DRF's handler sends it as WWW-Authenticate, as for any 401


class TokenExpired(TokenRefused):
    default_code = "token_expired"
    default_detail = "令牌已过期，请重新获取令牌。"


class TokenNeedsSecondFactor(TokenRefused):
    default_code = "otp_required"
    default_detail = (
        "该账号现须两步验证，此令牌获取时未经验证，请在 otp_code 中提供身份验证器的 6 位验证码重新获取令牌。"
    )


def token_expiry(token) -> dt.datetime:
    grant = getattr(token, "grant", None)
    if grant is not None:
        return grant.expires_at
    # A token made without the obtain endpoint (Django admin, or before grants existed)
    # lives as long as an obtained one, counted from its creation.
    return token.created + dt.timedelta(seconds=settings.API_TOKEN_TTL)


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

    def authenticate_credentials(self, key):
        from units.twofactor.access import role_requires_two_factor

        model = self.get_model()
        try:
            token = model.objects.select_related("user", "grant").get(key=key)
        except model.DoesNotExist:
            raise AuthenticationFailed("令牌无效。") from None
        user = token.user
        if not user.is_active:
            raise AuthenticationFailed("账号已停用。")
        if timezone.now() >= token_expiry(token):
            token.delete()
            raise TokenExpired()
        # Revocation on a role change normally removes such a token already; this holds
        # even for a role granted by a path that sends no signal.
        grant = getattr(token, "grant", None)
        if not (grant is not None and grant.verified) and role_requires_two_factor(user):
            raise TokenNeedsSecondFactor()
        return (user, token)

    def authenticate_header(self, request) -> str:
        return "Bearer"
