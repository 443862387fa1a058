"""Token authentication: obtain with username and password (and the two-factor code for
those who need one), revoke by the user or by an administrator (Django admin lists tokens).

Each obtain issues a new key and ends the old one. A token expires API_TOKEN_TTL seconds
after it was obtained, and ends with the owner's sign-out, password change, second-factor
reset, role change or deactivation (units/signals.py).
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

import audit
from govinfo import clientip
from govinfo.models import TokenGrant
from units.models import User
from units.passwords import password_expired
from units.twofactor.access import confirmed_device, requires_two_factor
from units.twofactor.actions import check_code


@transaction.atomic
def issue_token(*, user: User, verified: bool) -> Token:
    """A new token for `user`, replacing any they had; `verified` says whether the
    second factor was checked to obtain it."""
    # Two obtains at once would both try to create the user's one token.
    User.objects.select_for_update().filter(pk=user.pk).first()
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    now = timezone.now()
    TokenGrant.objects.create(
        token=token, verified=verified, issued_at=now, expires_at=now + dt.timedelta(seconds=settings.API_TOKEN_TTL)
    )
    return token


class Credentials(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"}, trim_whitespace=False)
    otp_code = serializers.CharField(
        max_length=10,
        required=False,
        allow_blank=True,
        help_text="两步验证的 6 位动态验证码：编辑、签发人、管理员及自行启用两步验证的用户必填。",
    )


TokenOut = inline_serializer(
    "TokenOut",
    {"token": serializers.CharField(), "expires_at": serializers.DateTimeField(help_text="令牌过期时间")},
)
TokenError = inline_serializer("TokenError", {"code": serializers.CharField(), "message": serializers.CharField()})


class TokenView(APIView):
    permission_classes = [AllowAny]
    throttle_scope = "token"

    def get_authenticators(self):
        # Obtaining brings its own credentials: an expired token a client still sends
        # along, or a session cookie, must neither refuse it nor stand in for them.
        if self.request is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    @extend_schema(request=Credentials, responses={200: TokenOut, 400: TokenError, 429: TokenError}, auth=[])
    def post(self, request):
        data = Credentials(data=request.data)
        data.is_valid(raise_exception=True)
        otp_code = data.validated_data.pop("otp_code", "")
        user = authenticate(request._request, **data.validated_data)
        if getattr(request._request, "axes_locked_out", False):
            # django-axes refused to check the password (too many failures for this name
            # or from this address); say so in the API's shape, not with the login page.
            return clientip.locked_out_api_response()
        if user is None or not user.is_active:
            return Response(
                {"code": "invalid_credentials", "message": "用户名或密码不正确。"}, status=status.HTTP_400_BAD_REQUEST
            )
        verified, refusal = self._second_factor(user, otp_code)
        if refusal is not None:
            return refusal
        if user.must_change_password or password_expired(user):
            # As on the pages: nothing else until the person has chosen a new password.
            message = "请先在网页上修改密码（一次性密码或密码已过有效期），再获取令牌。"
            return Response({"code": "password_change_required", "message": message}, status=403)
        token = issue_token(user=user, verified=verified)
        audit.record(action="login", obj=user, actor=user, changes={"via": "api_token"})  # a sign-in too
        return Response({"token": token.key, "expires_at": token.grant.expires_at})

    @staticmethod
    def _second_factor(user, otp_code: str) -> tuple[bool, Response | None]:
        """A token stands for a full login, so it costs the same second factor. Returns
        whether a code was checked, and the refusal if it was wrong or missing."""
        if not requires_two_factor(user):
            return False, None
        device = confirmed_device(user)
        if device is None:
            message = "该账号须使用两步验证，请先在网页上登录并绑定身份验证器，再获取令牌。"
            return False, Response({"code": "otp_setup_required", "message": message}, status=400)
        if not otp_code:
            message = "该账号已启用两步验证，请在 otp_code 中提供身份验证器显示的 6 位验证码。"
            return False, Response({"code": "otp_required", "message": message}, status=400)
        result = check_code(device, otp_code)
        if result.ok:
            return True, None
        if result.throttled:
            return False, Response({"code": "otp_throttled", "message": result.message}, status=429)
        return False, Response({"code": "invalid_otp", "message": result.message}, status=400)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        """Revoke the caller's token."""
        if not IsAuthenticated().has_permission(request, self):
            return Response({"code": "not_authenticated", "message": "请先登录或提供有效的令牌。"}, status=401)
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserTokenView(APIView):
    """A security administrator revokes the token of a person whose account they look
    after (三员分立: account security is theirs, not the system administrator's)."""

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, user_id: int):
        from django.http import Http404

        from units import access

        person = access.secured_users(request.user).filter(pk=user_id).first()
        if person is None:
            raise Http404
        Token.objects.filter(user=person).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
