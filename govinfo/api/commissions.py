"""Commissions (约稿) over the API, over submissions/commissions/: an office's editors
issue commissions and follow who answered; the people of the target units see them in
their inbox, and its writers answer with a draft."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from submissions.commissions import access, actions, queries
from submissions.commissions.forms import CommissionFilterForm
from submissions.models import Commission

from . import commission_serializers as s
from .errors import ErrorSerializer, errors
from .item_serializers import ItemDetailSerializer, ItemWriteSerializer
from .items import item_detail_response

BOXES = ("office", "inbox")


def _inbox_rows(commissions, now) -> list[Commission]:
    rows = queries.attach_inbox_status(commissions, now=now)
    for commission in rows:
        commission.box = "inbox"
    return rows


@extend_schema_view(
    list=extend_schema(
        summary="约稿列表（编辑：本单位发出的；约稿对象单位：收到的）",
        parameters=[
            OpenApiParameter(
                "box",
                OpenApiTypes.STR,
                enum=list(BOXES),
                description="office：本单位发出的约稿（编辑）；inbox：本单位收到的约稿。"
                "默认：编辑为 office，其他人为 inbox",
            ),
            OpenApiParameter("q", OpenApiTypes.STR, description="按主题搜索"),
            OpenApiParameter(
                "status", OpenApiTypes.STR, enum=["open", "closed"], description="open 未截止；closed 已截止"
            ),
        ],
        responses={200: s.CommissionSerializer(many=True), 400: ErrorSerializer},
    ),
    retrieve=extend_schema(summary="约稿详情", responses={200: s.CommissionDetailSerializer, 404: ErrorSerializer}),
    create=extend_schema(
        summary="发布约稿（编辑）",
        request=s.CommissionInSerializer,
        responses={201: s.CommissionDetailSerializer, **errors(400, 404)},
    ),
)
class CommissionViewSet(viewsets.GenericViewSet):
    queryset = Commission.objects.none()  # lets the schema type the id; commissions come from the access functions
    serializer_class = s.CommissionSerializer

    def list(self, request):
        user = request.user
        box = request.query_params.get("box") or ("office" if access.can_issue_commission(user) else "inbox")
        if box not in BOXES:
            raise serializers.ValidationError({"box": ["box 只能是 office 或 inbox。"]})
        filters = CommissionFilterForm(request.query_params or None)
        now = timezone.now()
        listing = queries.office_listing if box == "office" else queries.inbox_listing
        page = self.paginate_queryset(listing(user, q=filters.value("q"), status=filters.value("status"), now=now))
        if box == "office":
            for commission in queries.attach_counts(page, now=now):
                commission.box = "office"
        else:
            _inbox_rows(page, now)
        return self.get_paginated_response(s.CommissionSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(s.CommissionDetailSerializer(self._detail(pk)).data)

    def _detail(self, pk) -> Commission:
        """The office's view (every target's status) for its editors, else the inbox view
        (the caller's unit's status and answers) for the target units' people, else 404."""
        user = self.request.user
        now = timezone.now()
        try:
            commission = access.get_commission_for_editor(user, pk)
        except Http404:
            commission = get_object_or_404(queries.inbox(user), pk=pk)
            queries.attach_answers(user, [commission])
            return _inbox_rows([commission], now)[0]
        queries.attach_counts([commission], now=now)
        commission.box = "office"
        commission.target_rows = queries.commission_targets(commission, now=now)
        return commission

    def create(self, request):
        user = request.user
        if not access.can_issue_commission(user):
            raise PermissionDenied  # only editors issue commissions; forbidden looks like missing
        data = s.CommissionInSerializer(data=request.data, context={"office": user.unit})
        data.is_valid(raise_exception=True)
        d = data.validated_data
        commission = actions.issue_commission(
            user=user, topic=d["topic"], requirements=d["requirements"], deadline=d["deadline"], units=d["targets"]
        )
        return Response(s.CommissionDetailSerializer(self._detail(commission.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="回复约稿：撰写一条作为回复的草稿（约稿对象单位的信息员）",
        request=ItemWriteSerializer,
        responses={201: ItemDetailSerializer, **errors(400, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        user = request.user
        commission = access.get_commission_to_answer(user, pk)
        data = ItemWriteSerializer(data=request.data, context={"office": user.unit.parent})
        data.is_valid(raise_exception=True)
        item = actions.answer_commission(author=user, commission=commission, data=data.validated_data["data"])
        return item_detail_response(item, self.get_serializer_context(), status.HTTP_201_CREATED)
