"""Serializers of the commissions (约稿) API.

Output serializers shape what the commission pages show. The input serializer checks
the JSON types and the deadline's years; the page's CommissionForm checks the rest.
"""

from rest_framework import serializers

from submissions.commissions.forms import DEADLINE_OUT_OF_RANGE, CommissionForm, deadline_in_range

from .base import UnitRefSerializer
from .item_serializers import run_form


class CommissionSerializer(serializers.Serializer):
    """A commission as listed. `box` says from whose side: "office" rows carry the
    answer counts, "inbox" rows the caller's unit's status."""

    id = serializers.IntegerField()
    box = serializers.ChoiceField(choices=["office", "inbox"])
    topic = serializers.CharField()
    requirements = serializers.CharField()
    deadline = serializers.DateTimeField()
    office = UnitRefSerializer()
    created_at = serializers.DateTimeField()
    is_open = serializers.BooleanField()
    targets_count = serializers.IntegerField(allow_null=True, default=None)
    on_time = serializers.IntegerField(allow_null=True, default=None)
    late = serializers.IntegerField(allow_null=True, default=None)
    unanswered = serializers.IntegerField(allow_null=True, default=None)
    status = serializers.CharField(allow_null=True, default=None, help_text="on_time / late / missing / pending")
    status_label = serializers.CharField(allow_null=True, default=None)
    answered_at = serializers.DateTimeField(allow_null=True, default=None)


class TargetSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    status = serializers.CharField()
    status_label = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    reminded_at = serializers.DateTimeField(allow_null=True)
    penalized_at = serializers.DateTimeField(allow_null=True)
    items = serializers.SerializerMethodField(help_text="已报送到约稿单位的回复信息 id")

    def get_items(self, obj) -> list[int]:
        return [item.pk for item in obj.items]


class AnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(source="plain_title")
    state = serializers.CharField()


class CommissionDetailSerializer(CommissionSerializer):
    targets = TargetSerializer(
        source="target_rows", many=True, allow_null=True, default=None, help_text="各约稿对象的报送情况（仅编辑）"
    )
    answers = AnswerSerializer(many=True, allow_null=True, default=None, help_text="本单位的回复信息（仅约稿对象单位）")


class DeadlineField(serializers.DateTimeField):
    """An ISO date-time within the page form's years: refused with the form's message
    before DRF converts it to local time, where a year-9999 value would overflow (500)."""

    default_error_messages = {"out_of_range": DEADLINE_OUT_OF_RANGE}

    def enforce_timezone(self, value):
        if not deadline_in_range(value):
            self.fail("out_of_range")
        return super().enforce_timezone(value)


class CommissionInSerializer(serializers.Serializer):
    """Types, and the deadline's years (DeadlineField); CommissionForm of the page checks
    the rest of the deadline and the target units."""

    topic = serializers.CharField()
    requirements = serializers.CharField(required=False, allow_blank=True, default="")
    deadline = DeadlineField()
    targets = serializers.ListField(child=serializers.IntegerField(), default=list, help_text="下级单位 id")
    all_targets = serializers.BooleanField(default=False, help_text="约稿全部下级单位")

    def validate(self, attrs: dict) -> dict:
        data = {**attrs, "deadline": attrs["deadline"].isoformat()}
        return run_form(CommissionForm(data=data, office=self.context["office"]))
