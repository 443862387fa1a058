"""The instructions part of the API: an item's instructions, writing one, the office's
list, the handlers' inbox and their feedback.

Thin like the pages: objects come through the instruction access functions (missing and
forbidden both answer 404); the actions decide whether the caller may act.
"""

from django.http import Http404
from django.urls import re_path
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from publications import instructions as ins
from publications.models import Instruction
from submissions import access as item_access
from submissions.models import Item
from units.access import holds
from units.models import Role, Unit

from . import publication_serializers as s
from .base import id_param, pick
from .parsers import JSONParser  # bounded nesting, like every other endpoint

ID = r"[^/.]+"  # the routers' own lookup: any id reaches the view, which answers 404 in JSON


def _prepare(user, instruction: Instruction, today) -> Instruction:
    """Give an instruction what InstructionSerializer reads: its status, its handlers'
    statuses and the item's title as this person may see it."""
    office_editor = user.unit_id == instruction.office_id and holds(user, Role.EDITOR)
    instruction.status = ins.status_of(instruction, today)
    item = instruction.item
    title = ins.masked_title(user, item, office_editor=office_editor)
    instruction.item_ref = {"id": item.pk, "title": title, "unit": item.unit}
    handlers = list(instruction.handler_links.all())
    for h in handlers:
        h.instruction = instruction
        h.status = ins.handler_status(h, today)
    instruction.handler_list = handlers
    return instruction


def _instruction_detail(user, pk) -> dict:
    instruction = ins.get_instruction_for_user(user, pk)
    instruction = (
        Instruction.objects.select_related("item__unit", "issue__publication", "office")
        .prefetch_related("handler_links__unit", "handler_links__feedback_by", "handler_links__attachments")
        .get(pk=instruction.pk)
    )
    return s.InstructionSerializer(_prepare(user, instruction, timezone.localdate())).data


def _item_or_404(pk) -> Item:
    try:
        return Item.objects.select_related("unit", "office").get(pk=int(pk))
    except (Item.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


@extend_schema(tags=["instructions"], parameters=[id_param("id", "信息 id")])
class ItemInstructionViewSet(viewsets.GenericViewSet):
    """GET/POST items/{id}/instructions/: an item's instructions, and writing one."""

    serializer_class = s.InstructionSerializer

    @extend_schema(
        operation_id="items_instructions_list",
        responses={200: s.InstructionSerializer(many=True), **s.errors(404)},
        description="该信息上调用者可见的批示及反馈。",
    )
    def list(self, request, pk):
        item = _item_or_404(pk)
        user = request.user
        visible = [i for i in ins.item_instructions(item) if ins.can_view(user, i)]
        if not (visible or item_access.can_read(user, item) or ins.instructable_issues(user, item)):
            raise Http404
        today = timezone.localdate()
        page = self.paginate_queryset(visible)
        return self.get_paginated_response(s.InstructionSerializer([_prepare(user, i, today) for i in page],
                                                                   many=True).data)  # fmt: skip

    @extend_schema(
        operation_id="items_instructions_create",
        request=s.InstructionIn,
        responses={201: s.InstructionSerializer, **s.errors(400, 404, 409)},
        description="写批示：可阅读该期的领导，或本刊物主办单位的编辑（代录领导的书面批示）；"
        "`issue` 为刊发该信息的已签发期，省略则取最新一期。级别取自管理后台的批示级别。",
    )
    def create(self, request, pk):
        data = s.InstructionIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        item, issue = ins.get_target_for_instruction(request.user, pk, d.get("issue"))
        units = pick(Unit.objects.all(), d["units"], "units", "没有找到部分承办单位。")
        instruction = ins.make_instruction(
            item=item, issue=issue, user=request.user, leader_name=d["leader_name"], level=d["level"],
            text=d["text"], date=d["date"], deadline=d["deadline"], units=units,
        )  # fmt: skip
        return Response(_instruction_detail(request.user, instruction.pk), status=status.HTTP_201_CREATED)


@extend_schema(tags=["instructions"])
@extend_schema_view(
    list=extend_schema(
        parameters=[s.InstructionFilter],
        responses={200: s.InstructionSerializer(many=True), **s.errors(400)},
        description="本单位作出的批示及办理情况，逾期未反馈在前（本单位的编辑、领导和签发人）；其他人得到空列表。",
    ),
    retrieve=extend_schema(responses={200: s.InstructionSerializer, **s.errors(404)}),
)
class InstructionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.InstructionSerializer
    queryset = Instruction.objects.none()

    def list(self, request):
        filters = s.InstructionFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        user = request.user
        if not ins.can_follow_office(user):
            queryset = Instruction.objects.none()
        else:
            queryset = ins.office_instructions(
                user.unit_id, status=f.get("status", ""), level=f.get("level", ""), q=f.get("q", "")
            )
            queryset = queryset.select_related("office").prefetch_related(
                "handler_links__feedback_by", "handler_links__attachments"
            )
        today = timezone.localdate()
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(
            s.InstructionSerializer([_prepare(user, i, today) for i in page], many=True).data
        )

    def retrieve(self, request, pk):
        return Response(_instruction_detail(request.user, pk))

    @extend_schema(
        parameters=[s.InboxFilter],
        responses={200: s.InboxEntrySerializer(many=True), **s.errors(400)},
        description="待办批示：本单位须反馈的批示，未反馈的在前（信息员、单位审签人和领导）。",
    )
    @action(detail=False, methods=["get"], serializer_class=s.InboxEntrySerializer)
    def inbox(self, request):
        filters = s.InboxFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        today = timezone.localdate()
        queryset = ins.inbox(request.user, today=today, status=filters.validated_data.get("status", ""))
        page = self.paginate_queryset(queryset.select_related("instruction__office"))
        for h in page:
            h.status = ins.handler_status(h, today)
            h.instruction.masked_title = ins.masked_title(request.user, h.instruction.item, office_editor=False)
        return self.get_paginated_response(s.InboxEntrySerializer(page, many=True).data)

    @extend_schema(
        request={"application/json": s.FeedbackIn, "multipart/form-data": s.FeedbackIn},
        responses={200: s.InstructionSerializer, **s.errors(400, 404, 409)},
        description="承办单位反馈办理情况（一次）；附件用 multipart/form-data 的 `files` 上传。逾期反馈标记为逾期。",
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser, FormParser])
    def feedback(self, request, pk):
        instruction = ins.get_instruction_for_user(request.user, pk)
        handler = ins.handler_for(request.user, instruction)
        if handler is None:
            raise Http404
        data = s.FeedbackIn(data=request.data)
        data.is_valid(raise_exception=True)
        ins.report_feedback(
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
