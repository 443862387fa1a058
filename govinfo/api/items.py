"""Items and notifications over the API: thin views over the same access functions,
queries, forms and actions the pages use.

Every item is fetched through `submissions.access`, so an item the caller may not read
is 404 whatever they ask of it; an act the caller may not take now on an item they can
read is refused by the action itself (409, or 400 for a missing comment).
"""

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from submissions import access, actions, queries
from submissions.downloads import attachment_response
from submissions.forms import FilterForm
from submissions.models import Attachment, Item
from submissions.workflow import TRANSITIONS, Transition
from units.models import Notification
from units.reads import record_read

from . import item_serializers as s
from .base import AnyAccept

SCOPES = ("desk", "unit")
ATTACHMENT_ID = OpenApiParameter("att_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="附件 id")


def item_detail_response(item: Item, context: dict, code: int = status.HTTP_200_OK) -> Response:
    """The item as it is now (an act may just have changed it), with what its page shows."""
    item = (
        Item.objects.select_related("unit", "office", "category__parent", "author", "signed_off_by")
        .prefetch_related("topics", "named_readers", "attachments__uploaded_by")
        .get(pk=item.pk)
    )
    return Response(s.ItemDetailSerializer(item, context=context).data, status=code)


def default_scope(user) -> str:
    """People of a writing unit see their unit's items; an editor alone sees the desk."""
    return "unit" if access.can_see_unit_items(user) else "desk"


@extend_schema_view(
    list=extend_schema(
        summary="信息列表（编辑台 / 本单位信息）",
        parameters=[
            OpenApiParameter(
                "scope",
                OpenApiTypes.STR,
                enum=list(SCOPES),
                description="desk：本办公室编辑台（编辑）；unit：本单位信息。默认：有本单位角色时为 unit，否则 desk",
            ),
            *s.filter_parameters(),
        ],
        responses={200: s.ItemSerializer(many=True), 400: s.ErrorSerializer},
    ),
    retrieve=extend_schema(summary="信息详情", responses={200: s.ItemDetailSerializer, 404: s.ErrorSerializer}),
    create=extend_schema(
        summary="撰写草稿（信息员）",
        request=s.ItemWriteSerializer,
        responses={201: s.ItemDetailSerializer, **s.errors(400, 404, 409)},
    ),
    update=extend_schema(
        summary="修改草稿或退回的信息",
        request=s.ItemUpdateSerializer,
        responses={200: s.ItemDetailSerializer, **s.errors(400, 404, 409)},
    ),
    partial_update=extend_schema(
        summary="修改草稿或退回的信息（部分字段，version 必填）",
        request=s.ItemUpdateSerializer,
        responses={200: s.ItemDetailSerializer, **s.errors(400, 404, 409)},
    ),
)
class ItemViewSet(viewsets.GenericViewSet):
    """Information items. The transition acts (`submit/`, `sign-off/`, `return/` …) are
    added below from the transition table, one endpoint per act."""

    queryset = Item.objects.none()  # lets the schema type the id; items come from access.py
    serializer_class = s.ItemSerializer

    def get_item(self) -> Item:
        return access.get_item_for_user(self.request.user, self.kwargs["pk"])

    def detail_response(self, item: Item, code: int = status.HTTP_200_OK) -> Response:
        return item_detail_response(item, self.get_serializer_context(), code)

    # --- Reading -------------------------------------------------------------------------

    def list(self, request):
        user = request.user
        scope = request.query_params.get("scope") or default_scope(user)
        if scope not in SCOPES:
            raise serializers.ValidationError({"scope": ["scope 只能是 desk 或 unit。"]})
        if scope == "desk":
            base, office, listing = access.desk_items(user), user.unit, queries.desk
        else:
            base, office, listing = (
                access.unit_items(user),
                user.unit.parent if user.unit_id else None,
                queries.my_items,
            )
        # The pages' filter form: a value it cannot use is dropped, not an error; a
        # well-formed value the system will not search with (a date in year 9999, a NUL
        # character) is a 400 with the form's message, so the caller learns why.
        params = request.query_params
        filters = queries.ItemFilters()
        if params:
            form = FilterForm(params, office=office)
            if refused := form.refused():
                raise serializers.ValidationError(refused)
            filters = form.filters()
        page = self.paginate_queryset(listing(base, filters).select_related("office"))
        return self.get_paginated_response(
            s.ItemSerializer(page, many=True, context=self.get_serializer_context()).data
        )

    def retrieve(self, request, pk=None):
        item = self.get_item()
        if item.is_sensitive:
            record_read("read_sensitive_item", item)  # as the page does
        return self.detail_response(item)

    @extend_schema(summary="流转记录", responses={200: s.EventSerializer(many=True), 404: s.ErrorSerializer})
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        page = self.paginate_queryset(queries.history(self.get_item()))
        return self.get_paginated_response(s.EventSerializer(page, many=True).data)

    @extend_schema(
        summary="版本（每次报送一版，编辑每次修改一版）",
        responses={200: s.VersionSerializer(many=True), 404: s.ErrorSerializer},
    )
    @action(detail=True, methods=["get"])
    def versions(self, request, pk=None):
        versions = self.get_item().versions.select_related("created_by").order_by("number")
        page = self.paginate_queryset(versions)
        return self.get_paginated_response(s.VersionSerializer(page, many=True).data)

    @extend_schema(
        summary="两个版本的修改对比",
        parameters=[s.DiffQuerySerializer],
        responses={200: s.DiffSerializer, **s.errors(400, 404)},
    )
    @action(detail=True, methods=["get"])
    def diff(self, request, pk=None):
        item = self.get_item()
        query = s.DiffQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            found = queries.version_diff(item, query.validated_data.get("a"), query.validated_data.get("b"))
        except queries.NoDiff as exc:
            raise serializers.ValidationError({exc.field or "non_field_errors": [exc.message]}) from None
        return Response(
            {
                "a": found.a.number,
                "b": found.b.number,
                "html": str(found.html),
                "inserted": found.inserted,
                "deleted": found.deleted,
            }
        )

    @extend_schema(
        summary="写作检查与查重（与撰写页的实时检查相同）",
        request=s.CheckInSerializer,
        responses={200: s.CheckOutSerializer, **s.errors(400, 404)},
    )
    @action(detail=False, methods=["post"])
    def check(self, request):
        data = s.CheckInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        found = queries.live_writing_hints(
            request.user, d["title"], d["body"], form=d["form"], item_pk=d.get("item_id")
        )
        out = {
            "blocked": found.blocked,
            "hints": found.hints,
            "duplicates": found.duplicates.shown,
            "similar_notice": found.duplicates.notice,
        }
        return Response(s.CheckOutSerializer(out).data)

    # --- Writing -------------------------------------------------------------------------

    def create(self, request):
        user = request.user
        if not access.can_write_items(user):
            raise PermissionDenied  # only writers start items; forbidden looks like missing
        data = s.ItemWriteSerializer(data=request.data, context={"office": user.unit.parent})
        data.is_valid(raise_exception=True)
        item = actions.create_draft(author=user, data=data.validated_data["data"])
        return self.detail_response(item, status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        item = self.get_item()
        data = s.ItemUpdateSerializer(data=request.data, partial=partial, context={"office": item.office, "item": item})
        data.is_valid(raise_exception=True)
        d = data.validated_data
        actions.update_draft(item=item, user=request.user, data=d["data"], expected_version=d["version"])
        return self.detail_response(item)

    def partial_update(self, request, pk=None):
        return self.update(request, pk, partial=True)

    @extend_schema(
        summary="编辑修改正文（接收单位编辑；保留撰写人原稿）",
        request=s.EditorEditInSerializer,
        responses={200: s.ItemDetailSerializer, **s.errors(400, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="editor-edit")
    def editor_edit(self, request, pk=None):
        item = access.get_item_for_editor(request.user, pk)
        data = s.EditorEditInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        actions.edit_as_editor(
            item=item, user=request.user, title=d["title"], body=d["body"], expected_version=d["version"],
            note=d["note"],
        )  # fmt: skip
        return self.detail_response(item)

    # --- Attachments ---------------------------------------------------------------------

    @extend_schema(summary="附件列表", responses={200: s.AttachmentSerializer(many=True), 404: s.ErrorSerializer})
    @action(detail=True, methods=["get"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request, pk=None):
        items = self.get_item().attachments.select_related("uploaded_by").order_by("pk")
        page = self.paginate_queryset(items)
        return self.get_paginated_response(
            s.AttachmentSerializer(page, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(
        summary="上传附件（multipart/form-data，字段 file）",
        request={"multipart/form-data": s.AttachmentInSerializer},
        responses={201: s.AttachmentSerializer, **s.errors(400, 404, 409)},
    )
    @attachments.mapping.post
    def add_attachment(self, request, pk=None):
        item = self.get_item()
        data = s.AttachmentInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attachment = actions.add_attachment(item=item, user=request.user, upload=data.validated_data["file"])
        out = s.AttachmentSerializer(attachment, context=self.get_serializer_context())
        return Response(out.data, status=status.HTTP_201_CREATED)

    def get_attachment(self, att_id: str) -> Attachment:
        item = self.get_item()
        attachment = get_object_or_404(item.attachments.all(), pk=att_id)  # a bad id is 404 too
        attachment.item = item
        return attachment

    @extend_schema(summary="删除附件", parameters=[ATTACHMENT_ID], responses={204: None, **s.errors(404, 409)})
    @action(detail=True, methods=["delete"], url_path=r"attachments/(?P<att_id>[^/.]+)", url_name="attachment")
    def remove_attachment(self, request, pk=None, att_id=None):
        actions.remove_attachment(attachment=self.get_attachment(att_id), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="下载附件",
        parameters=[ATTACHMENT_ID],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: s.ErrorSerializer},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<att_id>[^/.]+)/download",
        url_name="attachment-download",
        content_negotiation_class=AnyAccept,
    )
    def download_attachment(self, request, pk=None, att_id=None):
        # The page's response: one place decides the headers that keep an uploaded file
        # from running in the browser (nosniff, sandbox, download).
        return attachment_response(self.get_attachment(att_id))

    # --- Transitions ---------------------------------------------------------------------

    def take(self, request, act: str) -> Response:
        item = self.get_item()
        data = s.ActionInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        actions.transition(
            item=item, user=request.user, action=act, expected_version=d["version"], comment=d["comment"]
        )
        return self.detail_response(item)


def _transition_endpoint(t: Transition):
    """POST items/{id}/<act>/ for one act of the transition table."""

    def endpoint(self, request, pk=None):
        return self.take(request, t.action)

    endpoint.__name__ = endpoint.__qualname__ = f"act_{t.action}"
    path = s.api_action_path(t.action)
    comment = f"；必须填写 comment（{t.comment_label}）" if t.needs_comment else ""
    endpoint = action(detail=True, methods=["post"], url_path=path, url_name=path)(endpoint)
    return extend_schema(
        summary=t.label,
        description=f"流转动作 {t.action}：{t.label}{comment}。当前状态不允许或版本已过期时返回 409（conflict）。",
        request=s.ActionInSerializer,
        responses={200: s.ItemDetailSerializer, **s.errors(400, 404, 409)},
    )(endpoint)


# One endpoint per act, from the table itself: an act added there is on the API too.
for _t in TRANSITIONS.values():
    setattr(ItemViewSet, f"act_{_t.action}", _transition_endpoint(_t))


# --- Notifications --------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="我的通知",
        parameters=[OpenApiParameter("unread", OpenApiTypes.STR, enum=["1"], description="1：只看未读")],
    ),
)
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's own notifications; another person's are 404."""

    queryset = Notification.objects.none()
    serializer_class = s.NotificationSerializer

    def get_queryset(self):
        qs = self.request.user.notifications.all()
        if self.action == "list" and self.request.query_params.get("unread") == "1":
            qs = qs.filter(read_at=None)
        return qs

    @extend_schema(
        summary="标记为已读", request=None, responses={200: s.NotificationSerializer, 404: s.ErrorSerializer}
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        summary="全部标记为已读",
        request=None,
        responses={200: inline_serializer("ReadAll", {"marked": serializers.IntegerField()})},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        marked = request.user.notifications.filter(read_at=None).update(read_at=timezone.now())
        return Response({"marked": marked})


def register(router) -> None:
    """Put the items, commissions and notifications endpoints on the API's router."""
    from .commissions import CommissionViewSet

    router.register("items", ItemViewSet, basename="api-item")
    router.register("commissions", CommissionViewSet, basename="api-commission")
    router.register("notifications", NotificationViewSet, basename="api-notification")
