"""The instructions part of the API: an item's instructions, writing one, the office's
list, the handlers' inbox and their feedback.

Thin like the pages: objects come through the instruction access functions (missing and
forbidden both answer 404); the actions decide whether the caller may act.
"""

from django.urls import re_path
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from publications.instructions import access, actions, queries
from publications.models import Instruction
from units.models import Unit

from . import instruction_serializers as s
from .base import id_param, pick
from .errors import errors
from .parsers import JSONParser  # bounded nesting, like every other endpoint

ID = r"[^/.]+"  # the routers' own lookup: any id reaches the view, which answers 404 in JSON


def _prepare(user, instructions) -> list[Instruction]:
    """Give instructions what InstructionSerializer reads: statuses, handlers and the
    item's title as this person may see it (queries.with_statuses), as `item_ref`."""
    instructions = queries.with_statuses(instructions, user, timezone.localdate())
    for i in instructions:
        i.item_ref = {"id": i.item.pk, "title": i.title, "unit": i.item.unit}
    return instructions


def _instruction_detail(user, pk) -> dict:
    instruction = access.get_instruction_for_user(user, pk)
    instruction = (
        Instruction.objects.select_related("item__unit", "issue__publication", "office")
        .prefetch_related("handler_links__unit", "handler_links__feedback_by", "handler_links__attachments")
        .get(pk=instruction.pk)
    )
    return s.InstructionSerializer(_prepare(user, [instruction])[0]).data


@extend_schema(tags=["instructions"], parameters=[id_param("id", "信息 id")])
class ItemInstructionViewSet(viewsets.GenericViewSet):
    """GET/POST items/{id}/instructions/: an item's instructions, and writing one."""

    serializer_class = s.InstructionSerializer

    @extend_schema(
        operation_id="items_instructions_list",
        responses={200: s.InstructionSerializer(many=True), **errors(404)},
        description="该信息上调用者可见的批示及反馈。",
    )
    def list(self, request, pk):
        _, visible = access.get_item_for_instructions(request.user, pk)
        page = self.paginate_queryset(visible)
        return self.get_paginated_response(s.InstructionSerializer(_prepare(request.user, page), many=True).data)

    @extend_schema(
        operation_id="items_instructions_create",
        request=s.InstructionIn,
        responses={201: s.InstructionSerializer, **errors(400, 404, 409)},
        description="写批示：可阅读该期的领导，或本刊物主办单位的编辑（代录领导的书面批示）；"
        "`issue` 为刊发该信息的已签发期，省略则取最新一期。级别取自管理后台的批示级别。",
    )
    def create(self, request, pk):
        data = s.InstructionIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        item, issue = access.get_target_for_instruction(request.user, pk, d.get("issue"))
        units = pick(Unit.objects.all(), d["units"], "units", "没有找到部分承办单位。")
        instruction = actions.make_instruction(
            item=item, issue=issue, user=request.user, leader_name=d["leader_name"], level=d["level"],
            text=d["text"], date=d["date"], deadline=d["deadline"], units=units,
        )  # fmt: skip
        return Response(_instruction_detail(request.user, instruction.pk), status=status.HTTP_201_CREATED)


@extend_schema(tags=["instructions"])
@extend_schema_view(
    list=extend_schema(
        parameters=[s.InstructionFilter],
        responses={200: s.InstructionSerializer(many=True), **errors(400)},
        description="本单位作出的批示及办理情况，逾期未反馈在前（本单位的编辑、领导和签发人）；其他人得到空列表。",
    ),
    retrieve=extend_schema(responses={200: s.InstructionSerializer, **errors(404)}),
)
class InstructionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.InstructionSerializer
    queryset = Instruction.objects.none()

    def list(self, request):
        filters = s.InstructionFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        user = request.user
        if not access.can_follow_office(user):
            queryset = Instruction.objects.none()
        else:
            queryset = queries.office_instructions(
                user.unit_id, status=f.get("status", ""), level=f.get("level", ""), q=f.get("q", "")
            )
            queryset = queryset.select_related("office").prefetch_related(
                "handler_links__feedback_by", "handler_links__attachments"
            )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.InstructionSerializer(_prepare(user, page), many=True).data)

    def retrieve(self, request, pk):
        return Response(_instruction_detail(request.user, pk))

    @extend_schema(
        parameters=[s.InboxFilter],
        responses={200: s.InboxEntrySerializer(many=True), **errors(400)},
        description="待办批示：本单位须反馈的批示，未反馈的在前（信息员、单位审签人和领导）。",
    )
    @action(detail=False, methods=["get"], serializer_class=s.InboxEntrySerializer)
    def inbox(self, request):
        filters = s.InboxFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        today = timezone.localdate()
        queryset = queries.inbox(request.user, today=today, status=filters.validated_data.get("status", ""))
        page = self.paginate_queryset(queryset.select_related("instruction__office"))
        page = queries.with_inbox_statuses(page, request.user, today)
        return self.get_paginated_response(s.InboxEntrySerializer(page, many=True).data)

    @extend_schema(
        request={"application/json": s.FeedbackIn, "multipart/form-data": s.FeedbackIn},
        responses={200: s.InstructionSerializer, **errors(400, 404, 409)},
        description="承办单位反馈办理情况（一次）；附件用 multipart/form-data 的 `files` 上传。逾期反馈标记为逾期。",
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser, FormParser])
    def feedback(self, request, pk):
        instruction, handler = access.get_handler_for_user(request.user, pk)
        data = s.FeedbackIn(data=request.data)
        data.is_valid(raise_exception=True)
        actions.report_feedback(
            handler=handler, user=request.user, text=data.validated_data["text"], files=data.validated_data["files"]
        )
        return Response(_instruction_detail(request.user, instruction.pk))


def register(router) -> None:
    router.register("instructions", InstructionViewSet, basename="api-instruction")


urlpatterns = [
    re_path(
        rf"^items/(?P<pk>{ID})/instructions/$",
        ItemInstructionViewSet.as_view({"get": "list", "post": "create"}),
        name="api-item-instructions",
    ),
]
