"""The scoring part of the API: schemes, the scoreboard, a unit's ledger and manual
adjustments, over scoring/access.py, scoring/queries.py and scoring/actions.py."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from scoring import access, actions, queries
from scoring.forms import AdjustForm
from scoring.models import LedgerEntry, Scheme

from . import scoring_serializers as ys
from .base import AnyAccept
from .pagination import Pagination
from .parsers import JSONParser
from .publication_serializers import PublicationRefSerializer, UnitRefSerializer, errors

POINTS = {"max_digits": 10, "decimal_places": 1}


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


# --- Serializers ------------------------------------------------------------------------------


class SchemeSerializer(serializers.ModelSerializer):
    office = UnitRefSerializer()
    can_view_board = serializers.SerializerMethodField(help_text="调用者可查看积分榜")
    can_manage = serializers.SerializerMethodField(help_text="调用者可手工调整积分（考核单位的管理员）")

    class Meta:
        model = Scheme
        fields = ["id", "name", "year", "office", "is_active", "public_to_assessed", "can_view_board", "can_manage"]

    def get_can_view_board(self, scheme: Scheme) -> bool:
        return access.can_view_board(self.context["request"].user, scheme)

    def get_can_manage(self, scheme: Scheme) -> bool:
        return access.can_manage(self.context["request"].user, scheme)


class BoardUnitSerializer(UnitRefSerializer):
    assessment_class = serializers.CharField(source="assessment_class.name", allow_null=True, default=None)

    class Meta(UnitRefSerializer.Meta):
        fields = [*UnitRefSerializer.Meta.fields, "assessment_class"]


class PublicationCountSerializer(serializers.Serializer):
    publication = serializers.IntegerField()
    count = serializers.IntegerField(help_text="本年度被该刊物采用的条数")


class RowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(help_text="总排名（并列同名次）")
    class_rank = serializers.IntegerField(help_text="考核类别内排名")
    unit = BoardUnitSerializer()
    quota = serializers.DecimalField(**POINTS, allow_null=True, help_text="基数")
    points = serializers.DecimalField(**POINTS, help_text="总积分（台账合计）")
    completion = serializers.DecimalField(**POINTS, allow_null=True, help_text="完成率（%）；无基数为 null")
    reached_quota = serializers.BooleanField()
    penalties = serializers.DecimalField(**POINTS, help_text="扣分合计（负数）")
    instructions = serializers.IntegerField(help_text="获批示次数")
    submissions = serializers.IntegerField(help_text="本年度报送条数")
    adoptions = serializers.IntegerField(help_text="本年度被采用条数")
    per_publication = serializers.SerializerMethodField()
    monthly = serializers.ListField(child=serializers.DecimalField(**POINTS), help_text="1—12 月各月积分")
    tier = serializers.CharField(help_text="奖项；未获奖为空")
    vetoed = serializers.BooleanField(help_text="被一票否决评奖")

    @extend_schema_field(PublicationCountSerializer(many=True))
    def get_per_publication(self, row) -> list[dict]:
        return [{"publication": pk, "count": n} for pk, n in row.per_publication.items()]


class SchemeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    year = serializers.IntegerField()


class BoardSerializer(serializers.Serializer):
    scheme = SchemeRefSerializer()
    publications = PublicationRefSerializer(many=True, help_text="考核单位的刊物，即 per_publication 的列")
    rows = RowSerializer(many=True)
    zero_submissions = BoardUnitSerializer(many=True, help_text="本年度零报送的单位")
    zero_adoptions = BoardUnitSerializer(many=True, help_text="本年度零采用的单位")


class LedgerEntrySerializer(serializers.ModelSerializer):
    source_display = serializers.CharField(source="get_source_display")
    publication = serializers.CharField(source="adoption.publication.name", allow_null=True, default=None)
    created_by = serializers.StringRelatedField(allow_null=True)
    item_label = serializers.CharField(
        read_only=True, default="", help_text="信息标题；调用者无权阅读的信息显示为“（敏感信息）”或编号"
    )

    class Meta:
        model = LedgerEntry
        fields = ["id", "date", "source", "source_display", "points", "reason", "rule", "adoption", "publication",
                  "item", "item_label", "reverses", "created_by", "created_at"]  # fmt: skip


_adjust = AdjustForm.base_fields


class AdjustIn(serializers.Serializer):
    points = serializers.DecimalField(
        max_digits=_adjust["points"].max_digits, decimal_places=_adjust["points"].decimal_places,
        min_value=_adjust["points"].min_value, max_value=_adjust["points"].max_value, help_text="调整分值，扣分填负数",
    )  # fmt: skip
    reason = serializers.CharField(max_length=_adjust["reason"].max_length, help_text="调整理由")


class BoardFilter(serializers.Serializer):
    group = serializers.ChoiceField(choices=[("class", "按考核类别分组")], required=False)


class LedgerPagination(Pagination):
    """A page of a unit's ledger, with the unit's total over every page."""

    page_size = 50

    def paginate_queryset(self, queryset, request, view=None):
        self.total = view.ledger_total if view is not None else None
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["total"] = serializers.DecimalField(**POINTS).to_representation(self.total)
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["total"] = {"type": "string", "format": "decimal", "description": "该单位积分合计"}
        schema["required"] = [*schema.get("required", []), "total"]
        return schema


# --- Views ------------------------------------------------------------------------------------

_unit_param = OpenApiParameter("unit_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="被考核单位 id")


@extend_schema(tags=["scoring"])
@extend_schema_view(
    list=extend_schema(description="调用者可见的考核方案：本单位的（领导、编辑、管理员、签发人）和考核本单位的。"),
    retrieve=extend_schema(responses={200: SchemeSerializer, **errors(404)}),
)
class SchemeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SchemeSerializer
    queryset = Scheme.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Scheme.objects.none()
        return access.visible_schemes(self.request.user)

    def get_object(self) -> Scheme:
        scheme = self.get_queryset().filter(pk=_int(self.kwargs["pk"])).first()
        if scheme is None:
            raise Http404
        return scheme

    @extend_schema(
        parameters=[BoardFilter],
        responses={200: BoardSerializer, **errors(400, 404)},
        description="积分榜：按总积分排名（并列同名次），含基数、完成率、各刊物采用条数、批示、扣分、奖项。"
        "`group=class` 按考核类别分组排列。",
    )
    @action(detail=True, methods=["get"], serializer_class=BoardSerializer)
    def scoreboard(self, request, pk):
        scheme = access.get_scheme_for_board(request.user, pk)
        filters = BoardFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        board = queries.scoreboard(scheme)
        if filters.validated_data.get("group") == "class":
            board.rows = sorted(board.rows, key=lambda r: (str(r.unit.assessment_class or ""), r.class_rank))
        return Response(BoardSerializer(board).data)

    @extend_schema(
        parameters=[_unit_param],
        responses={200: LedgerEntrySerializer(many=True), **errors(404)},
        description="一个被考核单位的积分台账（只增不改：更正为冲正行），新的在前；`total` 为合计。",
    )
    @action(
        detail=True, methods=["get"], url_path=r"units/(?P<unit_pk>[^/.]+)/ledger",
        serializer_class=LedgerEntrySerializer, pagination_class=LedgerPagination,
    )  # fmt: skip
    def ledger(self, request, pk, unit_pk):
        scheme, unit = access.get_scheme_and_unit_for_ledger(request.user, pk, _int(unit_pk))
        self.ledger_total = queries.unit_total(scheme, unit)
        page = access.name_ledger_items(request.user, self.paginate_queryset(queries.unit_ledger(scheme, unit)))
        return self.get_paginated_response(LedgerEntrySerializer(page, many=True).data)

    @extend_schema(
        parameters=[_unit_param],
        request=AdjustIn,
        responses={201: LedgerEntrySerializer, **errors(400, 404)},
        description="手工调整积分（考核单位的管理员），须填理由；记为台账新行。",
    )
    @action(detail=True, methods=["post"], url_path=r"units/(?P<unit_pk>[^/.]+)/adjust", serializer_class=AdjustIn)
    def adjust(self, request, pk, unit_pk):
        scheme, unit = access.get_scheme_and_unit_for_ledger(request.user, pk, _int(unit_pk))
        if not access.can_manage(request.user, scheme):
            raise Http404
        data = AdjustIn(data=request.data)
        data.is_valid(raise_exception=True)
        entry = actions.adjust(scheme=scheme, unit=unit, user=request.user, **data.validated_data)
        entry = LedgerEntry.objects.select_related("adoption__publication", "created_by").get(pk=entry.pk)
        return Response(LedgerEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    # --- The year-end assessment (公示, 申诉, 定稿, unlock) -----------------------------------------

    def _closing(self, scheme, kind=None):
        from scoring.models import SnapshotKind, Stage

        scheme.refresh_from_db()
        if kind is None:
            final = scheme.stage in (Stage.FINAL, Stage.REOPENED)
            kind = SnapshotKind.FINAL if final else SnapshotKind.PUBLICITY
        snapshot = actions.latest_snapshot(scheme, kind)
        if snapshot is None and kind == SnapshotKind.FINAL:
            snapshot = actions.latest_snapshot(scheme, SnapshotKind.PUBLICITY)
        return ys.ClosingSerializer({"scheme": scheme, "snapshot": snapshot}).data

    @extend_schema(
        methods=["GET"],
        responses={200: ys.ClosingSerializer, **errors(404)},
        description="年度考核的阶段和公示结果（定稿后为定稿积分榜）：考核单位和每个被考核单位可见。",
    )
    @extend_schema(
        methods=["POST"],
        request=ys.OpenPublicityIn,
        responses={201: ys.ClosingSerializer, **errors(400, 404, 409)},
        description="开始公示（考核单位的签发人或管理员）：保存积分榜快照，公示期按工作日计（默认 5 个）。",
    )
    @action(detail=True, methods=["get", "post"], serializer_class=ys.ClosingSerializer)
    def publicity(self, request, pk):
        scheme = access.get_scheme_for_closing(request.user, _int(pk))
        if request.method == "GET":
            return Response(self._closing(scheme))
        if not access.is_closing_decider(request.user, scheme):
            raise Http404
        data = ys.OpenPublicityIn(data=request.data)
        data.is_valid(raise_exception=True)
        actions.open_publicity(scheme=scheme, user=request.user, days=data.validated_data["days"])
        return Response(self._closing(scheme), status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        responses={200: ys.AppealSerializer(many=True), **errors(404)},
        description="申诉：考核单位看全部，被考核单位看本单位的。",
    )
    @extend_schema(
        methods=["POST"],
        request={"application/json": ys.AppealIn, "multipart/form-data": ys.AppealIn},
        responses={201: ys.AppealSerializer, **errors(400, 404, 409)},
        description="公示期内由被考核单位的审签人提出申诉：针对一条台账记录（`entry`）、一次未计分的采用"
        "（`adoption`），或都不填而在理由中说明未记入的分数；证明材料用 multipart/form-data 的 `files` 上传。",
    )
    @action(
        detail=True, methods=["get", "post"], serializer_class=ys.AppealSerializer,
        parser_classes=[JSONParser, MultiPartParser, FormParser],
    )  # fmt: skip
    def appeals(self, request, pk):
        scheme = access.get_scheme_for_closing(request.user, _int(pk))
        if request.method == "GET":
            appeals = access.visible_appeals(request.user, scheme).prefetch_related("attachments")
            page = self.paginate_queryset(appeals)
            return self.get_paginated_response(ys.AppealSerializer(page, many=True).data)
        if not access.can_appeal(request.user, scheme):
            raise Http404
        data = ys.AppealIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        appeal = actions.file_appeal(
            scheme=scheme, user=request.user, reason=v["reason"], entry_id=v.get("entry"),
            adoption_id=v.get("adoption"), files=v["files"],
        )  # fmt: skip
        return Response(ys.AppealSerializer(_appeal(appeal.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: ys.ClosingSerializer, **errors(404, 409)},
        description="定稿（考核单位的签发人或管理员）：公示结束且申诉全部处理后，保存定稿积分榜并锁定该年度积分。",
    )
    @action(detail=True, methods=["post"], serializer_class=ys.ClosingSerializer)
    def finalise(self, request, pk):
        scheme = access.get_scheme_for_closing(request.user, _int(pk))
        if not access.is_closing_decider(request.user, scheme):
            raise Http404
        actions.finalise(scheme=scheme, user=request.user)
        return Response(self._closing(scheme))

    @extend_schema(
        request=ys.UnlockIn,
        responses={200: ys.ClosingSerializer, **errors(400, 404, 409)},
        description="解锁已定稿的年度（系统管理员），须填理由；解锁记录保留，更正后须重新定稿。",
    )
    @action(detail=True, methods=["post"], serializer_class=ys.UnlockIn)
    def unlock(self, request, pk):
        scheme = access.get_scheme_for_closing(request.user, _int(pk))
        if not access.can_unlock(request.user, scheme):
            raise Http404
        data = ys.UnlockIn(data=request.data)
        data.is_valid(raise_exception=True)
        actions.unlock(scheme=scheme, user=request.user, reason=data.validated_data["reason"])
        return Response(self._closing(scheme))

    # --- The 通报 and the final boards of past years ---------------------------------------------

    @extend_schema(
        responses={200: ys.HistoryYearSerializer(many=True), **errors(404)},
        description="近五年（至本方案年度）同一考核单位的考核结果，旧的在前：已定稿的年度为定稿积分榜"
        "（`final` 为 true），其余为当前积分榜（未定稿）；只含调用者可看的年度。",
    )
    @action(detail=True, methods=["get"], serializer_class=ys.HistoryYearSerializer, pagination_class=None)
    def history(self, request, pk):
        scheme = access.get_scheme_for_closing(request.user, _int(pk))
        columns = queries.history(access.history_schemes(request.user, scheme))
        return Response(ys.HistoryYearSerializer(columns, many=True).data)

    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"): OpenApiResponse(
                OpenApiTypes.BINARY, description="Word 文件"
            ),
            **errors(404),
        },
        description="定稿后的《关于N年度……政务信息工作考核情况的通报》Word 文件（据定稿积分榜生成：获奖单位、"
        "完成基数的单位、一票否决单位及原因，附件为各单位积分表）；可看定稿结果的人可下载，未定稿或解锁中为 404。",
    )
    @action(detail=True, methods=["get"], url_path="report.docx", content_negotiation_class=AnyAccept)
    def report_docx(self, request, pk):
        from scoring.views import report_response

        scheme, snapshot = access.get_final_board(request.user, _int(pk))
        return report_response(scheme, snapshot, "docx")

    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiResponse(
                OpenApiTypes.BINARY, description="Excel 文件"
            ),
            **errors(404),
        },
        description="考核情况通报的附件表（各单位排名、积分、完成率、奖项、否决）为 Excel，规则同 Word 文件。",
    )
    @action(detail=True, methods=["get"], url_path="report.xlsx", content_negotiation_class=AnyAccept)
    def report_xlsx(self, request, pk):
        from scoring.views import report_response

        scheme, snapshot = access.get_final_board(request.user, _int(pk))
        return report_response(scheme, snapshot, "xlsx")


def _appeal(pk: int):
    from scoring.models import Appeal

    return Appeal.objects.select_related("unit", "filed_by", "decided_by", "entry", "adoption__publication",
                                         "correction").prefetch_related("attachments").get(pk=pk)  # fmt: skip


@extend_schema(tags=["scoring"])
@extend_schema_view(retrieve=extend_schema(responses={200: ys.AppealSerializer, **errors(404)}))
class AppealViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One appeal: read by the office and the appealing unit; decided by the office."""

    serializer_class = ys.AppealSerializer
    queryset = Scheme.objects.none()

    def retrieve(self, request, pk):
        appeal = access.get_appeal_for_user(request.user, _int(pk))
        return Response(ys.AppealSerializer(_appeal(appeal.pk)).data)

    @extend_schema(
        request=ys.DecideIn,
        responses={200: ys.AppealSerializer, **errors(400, 404, 409)},
        description="处理申诉（考核单位的签发人或管理员）：采纳时记入更正分（台账新行，说明为该申诉），"
        "或不予采纳并说明理由；申诉单位都会收到通知。",
    )
    @action(detail=True, methods=["post"], serializer_class=ys.DecideIn)
    def decide(self, request, pk):
        appeal = access.get_appeal_for_user(request.user, _int(pk), decide=True)
        data = ys.DecideIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        actions.decide_appeal(
            appeal=appeal, user=request.user, accept=v["accept"], decision=v["decision"], points=v.get("points")
        )
        return Response(ys.AppealSerializer(_appeal(appeal.pk)).data)


def register(router) -> None:
    router.register("schemes", SchemeViewSet, basename="api-scheme")
    router.register("appeals", AppealViewSet, basename="api-appeal")
