"""Token authentication: obtain with username and password, revoke by the user or by an
administrator (Django admin lists tokens)."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView


class Credentials(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"}, trim_whitespace=False)


TokenOut = inline_serializer("TokenOut", {"token": serializers.CharField()})


class TokenView(APIView):
    permission_classes = [AllowAny]
    throttle_scope = "token"

    @extend_schema(request=Credentials, responses={200: TokenOut}, auth=[])
    def post(self, request):
        data = Credentials(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request._request, **data.validated_data)
        if user is None or not user.is_active:
            return Response(
                {"code": "invalid_credentials", "message": "用户名或密码不正确。"}, status=status.HTTP_400_BAD_REQUEST
            )
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

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
