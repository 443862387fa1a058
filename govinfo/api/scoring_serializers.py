"""Serializers of the year-end assessment in the API: the 公示 and final boards,
appeals and the acts on them (scoring/actions.py)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from scoring.forms import AppealForm, DecideAppealForm, UnlockForm
from scoring.models import Appeal, AppealAttachment, Stage

POINTS = {"max_digits": 10, "decimal_places": 1}


class SnapshotRowSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField()
    unit = serializers.CharField(help_text="单位简称")
    full_name = serializers.CharField()
    assessment_class = serializers.CharField()
    rank = serializers.IntegerField()
    class_rank = serializers.IntegerField()
    quota = serializers.CharField(allow_null=True, help_text="基数（十进制字符串）")
    points = serializers.CharField(help_text="积分（十进制字符串）")
    completion = serializers.CharField(allow_null=True, help_text="完成率（%）")
    reached_quota = serializers.BooleanField()
    penalties = serializers.CharField()
    adoptions = serializers.IntegerField()
    instructions = serializers.IntegerField()
    tier = serializers.CharField(help_text="奖项；未获奖为空")
    vetoed = serializers.BooleanField()
    veto_reasons = serializers.ListField(child=serializers.CharField(), help_text="一票否决的原因")


class SnapshotSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="publicity 公示 / final 定稿")
    created_at = serializers.DateTimeField()
    rows = SnapshotRowSerializer(many=True)


class ClosingSerializer(serializers.Serializer):
    """Where the scheme-year stands, with the board shown for it."""

    scheme = serializers.IntegerField(source="scheme.pk")
    year = serializers.IntegerField(source="scheme.year")
    stage = serializers.ChoiceField(source="scheme.stage", choices=Stage.choices)
    stage_display = serializers.CharField(source="scheme.get_stage_display")
    publicity_ends_on = serializers.DateField(source="scheme.publicity_ends_on", allow_null=True)
    snapshot = SnapshotSerializer(allow_null=True, help_text="公示快照，定稿后为定稿积分榜")


class AppealAttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = AppealAttachment
        fields = ["id", "original_name", "content_type", "size", "url"]

    def get_url(self, attachment) -> str:
        from django.urls import reverse

        return reverse("appeal_attachment", args=[attachment.pk])


class AppealSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.display_name")
    unit_id = serializers.IntegerField()
    subject = serializers.CharField(read_only=True)
    # A plain string: an enum named "status" would collide with the other status enums.
    status = serializers.CharField(help_text="pending 待处理 / accepted 已采纳 / refused 不予采纳")
    status_display = serializers.CharField(source="get_status_display")
    filed_by = serializers.StringRelatedField()
    decided_by = serializers.StringRelatedField(allow_null=True)
    correction_points = serializers.DecimalField(source="correction.points", **POINTS, allow_null=True, default=None)
    attachments = AppealAttachmentSerializer(many=True)

    class Meta:
        model = Appeal
        fields = ["id", "scheme", "unit_id", "unit", "entry", "adoption", "subject", "reason", "filed_by",
                  "filed_at", "decide_by", "status", "status_display", "decided_by", "decided_at", "decision",
                  "correction", "correction_points", "attachments"]  # fmt: skip


class OpenPublicityIn(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=30, default=5, help_text="公示期（工作日），默认 5")


class AppealIn(serializers.Serializer):
    entry = serializers.IntegerField(required=False, allow_null=True, help_text="申诉的台账记录 id")
    adoption = serializers.IntegerField(required=False, allow_null=True, help_text="未计分的采用 id")
    reason = serializers.CharField(max_length=AppealForm.base_fields["reason"].max_length, help_text="申诉理由")
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="证明材料（multipart），最多 5 个"
    )

    def validate(self, data):
        if data.get("entry") and data.get("adoption"):
            raise serializers.ValidationError("一件申诉只能针对一条台账记录或一次采用。")
        return data


_points = DecideAppealForm.base_fields["points"]


class DecideIn(serializers.Serializer):
    accept = serializers.BooleanField(help_text="true 采纳（记入更正分），false 不予采纳")
    decision = serializers.CharField(max_length=DecideAppealForm.base_fields["decision"].max_length)
    points = serializers.DecimalField(
        max_digits=_points.max_digits, decimal_places=_points.decimal_places, min_value=_points.min_value,
        max_value=_points.max_value, required=False, allow_null=True, help_text="采纳时的更正分值，扣减填负数",
    )  # fmt: skip


class UnlockIn(serializers.Serializer):
    reason = serializers.CharField(max_length=UnlockForm.base_fields["reason"].max_length, help_text="解锁理由")


class HistoryCellSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField()
    unit = serializers.CharField()
    points = serializers.CharField()
    completion = serializers.CharField(allow_null=True)
    rank = serializers.IntegerField()
    tier = serializers.CharField(allow_blank=True)
    vetoed = serializers.BooleanField()


class HistoryYearSerializer(serializers.Serializer):
    """One year of the last five: the stored final board (`final`), else the live board."""

    year = serializers.IntegerField(source="scheme.year")
    scheme_id = serializers.IntegerField(source="scheme.pk")
    scheme = serializers.CharField(source="scheme.name")
    final = serializers.BooleanField()
    rows = serializers.SerializerMethodField()

    @extend_schema_field(HistoryCellSerializer(many=True))
    def get_rows(self, column) -> list[dict]:
        return [{"unit_id": unit_id, **cell} for unit_id, cell in column.cells.items()]
