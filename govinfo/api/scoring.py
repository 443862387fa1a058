"""The scoring part of the API: schemes, the scoreboard, a unit's ledger and manual
adjustments, over scoring/access.py, scoring/queries.py and scoring/actions.py."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from scoring import access, actions, queries
from scoring.forms import AdjustForm
from scoring.models import LedgerEntry, Scheme

from .pagination import Pagination
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


def register(router) -> None:
    router.register("schemes", SchemeViewSet, basename="api-scheme")
