"""Token authentication: obtain with username and password (and the two-factor code for
those who need one), revoke by the user or by an administrator (Django admin lists tokens)."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from units import twofactor


class Credentials(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"}, trim_whitespace=False)
    otp_code = serializers.CharField(
        max_length=10,
        required=False,
        allow_blank=True,
        help_text="两步验证的 6 位动态验证码：编辑、签发人、管理员及自行启用两步验证的用户必填。",
    )


TokenOut = inline_serializer("TokenOut", {"token": serializers.CharField()})
TokenError = inline_serializer("TokenError", {"code": serializers.CharField(), "message": serializers.CharField()})


class TokenView(APIView):
    permission_classes = [AllowAny]
    throttle_scope = "token"

    @extend_schema(request=Credentials, responses={200: TokenOut, 400: TokenError, 429: TokenError}, auth=[])
    def post(self, request):
        data = Credentials(data=request.data)
        data.is_valid(raise_exception=True)
        otp_code = data.validated_data.pop("otp_code", "")
        user = authenticate(request._request, **data.validated_data)
        if user is None or not user.is_active:
            return Response(
                {"code": "invalid_credentials", "message": "用户名或密码不正确。"}, status=status.HTTP_400_BAD_REQUEST
            )
        refusal = self._second_factor(user, otp_code)
        if refusal is not None:
            return refusal
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    @staticmethod
    def _second_factor(user, otp_code: str) -> Response | None:
        """A token stands for a full login, so it costs the same second factor."""
        if not twofactor.requires_two_factor(user):
            return None
        device = twofactor.confirmed_device(user)
        if device is None:
            message = "该账号须使用两步验证，请先在网页上登录并绑定身份验证器，再获取令牌。"
            return Response({"code": "otp_setup_required", "message": message}, status=status.HTTP_400_BAD_REQUEST)
        if not otp_code:
            message = "该账号已启用两步验证，请在 otp_code 中提供身份验证器显示的 6 位验证码。"
            return Response({"code": "otp_required", "message": message}, status=status.HTTP_400_BAD_REQUEST)
        result = twofactor.check_code(device, otp_code)
        if result.ok:
            return None
        if result.throttled:
            return Response({"code": "otp_throttled", "message": result.message}, status=429)
        return Response({"code": "invalid_otp", "message": result.message}, status=status.HTTP_400_BAD_REQUEST)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        """Revoke the caller's token."""
        if not IsAuthenticated().has_permission(request, self):
            return Response({"code": "not_authenticated", "message": "请先登录或提供有效的令牌。"}, status=401)
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserTokenView(APIView):
    """An administrator revokes the token of a person in the units they administer."""

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, user_id: int):
        from django.http import Http404

        from units import access

        person = access.administered_users(request.user).filter(pk=user_id).first()
        if person is None:
            raise Http404
        Token.objects.filter(user=person).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
