"""Commissions (约稿) over the API, over submissions.commissions: an office's editors
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

from submissions import access, commissions
from submissions.commission_forms import CommissionFilterForm
from submissions.models import Commission
from units.access import holds
from units.models import Role

from . import item_serializers as s
from .items import item_detail_response

BOXES = ("office", "inbox")


def _inbox_row(commission: Commission, now) -> Commission:
    commission.box = "inbox"
    commission.is_open = commission.deadline > now
    commission.status = commissions.answer_status(commission.answered_at, commission.deadline, now)
    commission.status_label = commissions.STATUS_LABELS[commission.status]
    return commission


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
        responses={200: s.CommissionSerializer(many=True), 400: s.ErrorSerializer},
    ),
    retrieve=extend_schema(summary="约稿详情", responses={200: s.CommissionDetailSerializer, 404: s.ErrorSerializer}),
    create=extend_schema(
        summary="发布约稿（编辑）",
        request=s.CommissionInSerializer,
        responses={201: s.CommissionDetailSerializer, **s.errors(400, 404)},
    ),
)
class CommissionViewSet(viewsets.GenericViewSet):
    queryset = Commission.objects.none()  # lets the schema type the id; commissions come from the access functions
    serializer_class = s.CommissionSerializer

    def list(self, request):
        user = request.user
        box = request.query_params.get("box") or ("office" if holds(user, Role.EDITOR) else "inbox")
        if box not in BOXES:
            raise serializers.ValidationError({"box": ["box 只能是 office 或 inbox。"]})
        filters = CommissionFilterForm(request.query_params or None)
        now = timezone.now()
        if box == "office":
            qs = commissions.office_commissions(user).select_related("office").order_by("-created_at", "-pk")
        else:
            order = ("deadline", "pk") if filters.value("status") == "open" else ("-deadline", "-pk")
            qs = commissions.inbox(user).order_by(*order)
        if q := filters.value("q"):
            qs = qs.filter(topic__contains=q)
        if filters.value("status") == "open":
            qs = qs.filter(deadline__gt=now)
        elif filters.value("status") == "closed":
            qs = qs.filter(deadline__lte=now)
        page = self.paginate_queryset(qs)
        if box == "office":
            for commission in commissions.attach_counts(page, now=now):
                commission.box = "office"
        else:
            for commission in page:
                _inbox_row(commission, now)
        return self.get_paginated_response(s.CommissionSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(s.CommissionDetailSerializer(self._detail(pk)).data)

    def _detail(self, pk) -> Commission:
        """The office's view (every target's status) for its editors, else the inbox view
        (the caller's unit's status and answers) for the target units' people, else 404."""
        user = self.request.user
        now = timezone.now()
        try:
            commission = commissions.get_commission_for_editor(user, pk)
        except Http404:
            commission = get_object_or_404(commissions.inbox(user), pk=pk)
            commission.answers = list(
                access.unit_items(user).filter(commission=commission).order_by("created_at", "pk")
            )
            return _inbox_row(commission, now)
        commissions.attach_counts([commission], now=now)
        commission.box = "office"
        commission.target_rows = commissions.commission_targets(commission, now=now)
        return commission

    def create(self, request):
        user = request.user
        if not holds(user, Role.EDITOR):
            raise PermissionDenied  # only editors issue commissions; forbidden looks like missing
        data = s.CommissionInSerializer(data=request.data, context={"office": user.unit})
        data.is_valid(raise_exception=True)
        d = data.validated_data
        commission = commissions.issue_commission(
            user=user, topic=d["topic"], requirements=d["requirements"], deadline=d["deadline"], units=d["targets"]
        )
        return Response(s.CommissionDetailSerializer(self._detail(commission.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="回复约稿：撰写一条作为回复的草稿（约稿对象单位的信息员）",
        request=s.ItemWriteSerializer,
        responses={201: s.ItemDetailSerializer, **s.errors(400, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        user = request.user
        commission = commissions.get_commission_to_answer(user, pk)
        data = s.ItemWriteSerializer(data=request.data, context={"office": user.unit.parent})
        data.is_valid(raise_exception=True)
        item = commissions.answer_commission(author=user, commission=commission, data=data.validated_data["data"])
        return item_detail_response(item, self.get_serializer_context(), status.HTTP_201_CREATED)
