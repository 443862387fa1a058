"""One error shape for the whole API: {"code": machine code, "message": Chinese text,
"errors": field errors (optional)}. Illegal transitions 409, validation 400,
missing-or-forbidden 404, unauthenticated 401."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from submissions.uploads import UploadRejected
from submissions.workflow import TransitionError


def _flatten(detail) -> str:
    if isinstance(detail, dict):
        return "；".join(_flatten(v) for v in detail.values())
    if isinstance(detail, list):
        return "；".join(_flatten(v) for v in detail)
    return str(detail)


def api_exception_handler(exc, context):
    if isinstance(exc, TransitionError):
        return Response({"code": "conflict", "message": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, UploadRejected):
        return Response({"code": "invalid_upload", "message": exc.message}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        return Response({"code": "invalid", "message": "；".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404 | DjangoPermissionDenied | exceptions.PermissionDenied | exceptions.NotFound):
        # Forbidden looks like missing, so ids of other units leak nothing.
        return Response({"code": "not_found", "message": "没有找到该资源。"}, status=status.HTTP_404_NOT_FOUND)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response.data = {"code": "not_authenticated", "message": "请先登录或提供有效的令牌。"}
        response.status_code = status.HTTP_401_UNAUTHORIZED
    elif isinstance(exc, exceptions.ValidationError):
        response.data = {"code": "invalid", "message": _flatten(exc.detail), "errors": exc.detail}
    elif isinstance(exc, exceptions.MethodNotAllowed):
        response.data = {"code": "method_not_allowed", "message": "不支持该请求方法。"}
    elif isinstance(exc, exceptions.Throttled):
        response.data = {"code": "throttled", "message": "请求过于频繁，请稍后再试。"}
    else:
        response.data = {"code": getattr(exc, "default_code", "error"), "message": _flatten(response.data)}
    return response


# For the schema: every endpoint documents its errors with this one shape.
ErrorSerializer = inline_serializer(
    "Error",
    {
        "code": serializers.CharField(help_text="机器可读的错误代码，如 invalid、not_found、conflict"),
        "message": serializers.CharField(help_text="中文错误说明"),
        "errors": serializers.DictField(required=False, help_text="按字段列出的错误（仅 400 invalid）"),
    },
)


def errors(*statuses: int) -> dict:
    """The error responses of an endpoint, for the schema."""
    return dict.fromkeys(statuses, ErrorSerializer)
