"""What the instructions part of the API reads and writes.

Input serializers check only the shape of a request; every rule stays in the actions.
Bounds come from the page forms (publications.instructions.forms), so the page and the
API cannot drift apart.
"""

from django.utils import timezone
from rest_framework import serializers

from publications.instructions.forms import FeedbackForm, InstructionForm
from publications.instructions.queries import Status
from publications.models import Instruction, InstructionHandler

from .base import UnitRefSerializer
from .publication_serializers import PublicationRefSerializer, id_field

# --- Output --------------------------------------------------------------------------------


class FeedbackAttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class HandlerSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer()
    status = serializers.ChoiceField(choices=Status.CHOICES)
    feedback_by = serializers.StringRelatedField(allow_null=True)
    attachments = FeedbackAttachmentSerializer(many=True)

    class Meta:
        model = InstructionHandler
        fields = ["id", "unit", "status", "feedback", "feedback_at", "feedback_by", "is_late", "attachments"]


class IssueRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    publication = PublicationRefSerializer()
    label = serializers.CharField()


class ItemRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(help_text="敏感信息对无权阅读者显示为“（敏感信息）”")
    unit = UnitRefSerializer()


class InstructionSerializer(serializers.ModelSerializer):
    """An instruction with every handler's report back; the view prepares `status`,
    `handler_list` (queries.with_statuses) and `item_ref` (with the masked title)."""

    item = ItemRefSerializer(source="item_ref")
    issue = IssueRefSerializer(allow_null=True)
    office = UnitRefSerializer()
    status = serializers.ChoiceField(choices=Status.CHOICES)
    handlers = HandlerSerializer(source="handler_list", many=True)

    class Meta:
        model = Instruction
        fields = ["id", "item", "issue", "office", "leader_name", "level", "text", "date", "deadline", "status",
                  "created_at", "handlers"]  # fmt: skip


class InboxInstructionSerializer(serializers.ModelSerializer):
    """The instruction of an inbox row; `title` is set by queries.with_inbox_statuses."""

    title = serializers.CharField(help_text="所批示信息的标题")
    issue = IssueRefSerializer(allow_null=True)
    office = UnitRefSerializer()

    class Meta:
        model = Instruction
        fields = ["id", "title", "issue", "office", "leader_name", "level", "text", "date", "deadline"]


class InboxEntrySerializer(serializers.ModelSerializer):
    """One row of 待办批示: what this person's unit must report back on."""

    instruction = InboxInstructionSerializer()
    status = serializers.ChoiceField(choices=Status.CHOICES)

    class Meta:
        model = InstructionHandler
        fields = ["id", "instruction", "status", "feedback", "feedback_at", "is_late"]


# --- Input ---------------------------------------------------------------------------------


class InstructionIn(serializers.Serializer):
    issue = id_field(required=False, allow_null=True, help_text="刊发该信息的已签发期；省略则取最新一期")
    leader_name = serializers.CharField(
        max_length=InstructionForm.base_fields["leader_name"].max_length, required=False, allow_blank=True,
        default="", help_text="批示领导；领导本人批示时可省略",
    )  # fmt: skip
    level = serializers.CharField(max_length=Instruction._meta.get_field("level").max_length)
    text = serializers.CharField(max_length=InstructionForm.base_fields["text"].max_length)
    # The page form's range (years 1900–2100): checked here, before any item is looked
    # up, so a year-9999 date is a 400 for anyone, never an overflow further on.
    date = serializers.DateField(
        required=False, validators=InstructionForm.base_fields["date"].validators, help_text="批示日期，默认今天"
    )
    deadline = serializers.DateField(
        required=False, validators=InstructionForm.base_fields["deadline"].validators,
        help_text="反馈期限，默认批示日期后 7 天",
    )  # fmt: skip
    units = serializers.ListField(child=id_field(), max_length=200, help_text="承办单位 id")

    def validate(self, data):
        data.setdefault("date", timezone.localdate())
        if "deadline" not in data:  # a given deadline stands as it is; only a missing one is computed
            data["deadline"] = InstructionForm.defaults(data["date"])["deadline"]
        return data


class FeedbackIn(serializers.Serializer):
    text = serializers.CharField(max_length=FeedbackForm.base_fields["text"].max_length)
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="附件（multipart），最多 5 个"
    )


class InstructionFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.CHOICES, required=False)
    level = serializers.CharField(max_length=Instruction._meta.get_field("level").max_length, required=False)
    q = serializers.CharField(max_length=50, required=False, help_text="领导、批示内容或标题")


class InboxFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.CHOICES, required=False)
