"""What the publications part of the API reads and writes.

Input serializers check only the shape of a request; every rule stays in the actions.
Where a page form already bounds a field (lengths, choices, ranges), the serializer takes
the bound from that form, so the page and the API cannot drift apart.
"""

from rest_framework import serializers

from publications.forms import AdoptForm, CompositeForm, SignOffForm, WithdrawForm
from publications.models import (
    Adoption,
    ExternalAdoption,
    Issue,
    IssueState,
    Publication,
)

# One error component and one unit reference for the whole schema.
from .base import UnitRefSerializer  # noqa: F401 (used by the views)
from .errors import ErrorSerializer, errors  # noqa: F401

# The largest id a filter may carry: larger numbers do not fit the database's integer.
MAX_ID = 2**63 - 1


def _form_field(form, name: str):
    return form.base_fields[name]


def id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


# --- Output --------------------------------------------------------------------------------


class PublicationSerializer(serializers.ModelSerializer):
    office = UnitRefSerializer()
    pool_count = serializers.IntegerField(read_only=True, help_text="已采用、尚未编入任何一期的条数")
    draft_count = serializers.IntegerField(read_only=True, help_text="编排中的期数")

    class Meta:
        model = Publication
        fields = ["id", "name", "kind", "schedule", "confidentiality", "allows_briefs", "is_public", "points_full",
                  "points_brief", "default_copies", "office", "pool_count", "draft_count"]  # fmt: skip


class PublicationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AdoptionSerializer(serializers.ModelSerializer):
    """An adopted text; `items` are every item it draws on (several for a composite)."""

    publication = PublicationRefSerializer()
    title = serializers.CharField(source="plain_title")
    body = serializers.CharField(source="plain_body")
    adopted_by = serializers.StringRelatedField()
    source = serializers.SerializerMethodField(help_text="来源单位，多个用“、”分隔")
    items = serializers.SerializerMethodField()

    class Meta:
        model = Adoption
        fields = ["id", "publication", "item", "items", "form", "title", "body", "source", "adopted_by",
                  "adopted_at", "issue", "position", "withdrawn_at"]  # fmt: skip

    def get_source(self, adoption: Adoption) -> str:
        return "、".join(dict.fromkeys(s.unit.display_name for s in adoption.sources.all()))

    def get_items(self, adoption: Adoption) -> list[int]:
        return [s.pk for s in adoption.sources.all()]


class IssueSerializer(serializers.ModelSerializer):
    publication = PublicationRefSerializer()
    label = serializers.CharField(help_text="如“2026年第12期（总第345期）”；未签发为“（待签发）”")
    signed_by = serializers.StringRelatedField(allow_null=True)
    sent_by = serializers.StringRelatedField(allow_null=True, help_text="送签人；未送签为 null")
    adoption_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Issue
        fields = ["id", "publication", "special", "state", "label", "year", "number", "total", "signed_by",
                  "signed_at", "signed_date", "sent_at", "sent_by", "created_at", "version",
                  "adoption_count"]  # fmt: skip


class IssueDetailSerializer(IssueSerializer):
    """The view sets `ordered` (copies.ordered_adoptions), `can_compose` and `can_sign_off`."""

    adoptions = AdoptionSerializer(source="ordered", many=True, help_text="按本期顺序")
    can_compose = serializers.BooleanField(help_text="调用者可编排本期（本刊物的编辑，且本期未签发）")
    can_sign_off = serializers.BooleanField(help_text="调用者可签发本期（本刊物的签发人，且本期未签发）")
    withheld = serializers.IntegerField(help_text="本期中调用者无权阅读、因而未列出的敏感信息条数")
    withheld_note = serializers.CharField(help_text="有信息未列出时的说明，否则为空")

    class Meta(IssueSerializer.Meta):
        fields = [*IssueSerializer.Meta.fields, "copies", "extra_recipients", "note_title", "note_body",
                  "adoptions", "withheld", "withheld_note", "can_compose", "can_sign_off"]  # fmt: skip


class ExternalAdoptionSerializer(serializers.ModelSerializer):
    recorded_by = serializers.StringRelatedField()

    class Meta:
        model = ExternalAdoption
        fields = ["id", "adoption", "level", "date", "evidence", "recorded_by", "recorded_at"]


class ForwardedSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="转报后在上级单位生成的信息")
    office = UnitRefSerializer()
    state = serializers.CharField()
    forwarded_from = serializers.IntegerField(source="forwarded_from_id")


# --- Input ---------------------------------------------------------------------------------


class AdoptIn(serializers.Serializer):
    publication = serializers.PrimaryKeyRelatedField(
        queryset=Publication.objects.none(), help_text="调用者可编辑的、本单位的刊物"
    )
    form = serializers.ChoiceField(choices=_form_field(AdoptForm, "form").choices, default="full")
    title = serializers.CharField(
        max_length=_form_field(AdoptForm, "title").max_length, required=False, allow_blank=True, default="",
        help_text="留空则用原标题",
    )  # fmt: skip
    body = serializers.CharField(required=False, allow_blank=True, default="", help_text="可压缩为简讯；留空则用原文")
    version = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, help_text="信息的版本号（乐观锁），可省略"
    )

    def __init__(self, *args, publications=None, **kwargs):
        super().__init__(*args, **kwargs)
        if publications is not None:
            self.fields["publication"].queryset = publications


class CompositeIn(serializers.Serializer):
    items = serializers.ListField(child=id_field(), min_length=1, max_length=100, help_text="编辑台上信息的 id")
    title = serializers.CharField(max_length=_form_field(CompositeForm, "title").max_length)
    body = serializers.CharField()


class WithdrawIn(serializers.Serializer):
    reason = serializers.CharField(max_length=_form_field(WithdrawForm, "reason").max_length)


class ExternalAdoptionIn(serializers.Serializer):
    level = serializers.CharField(
        max_length=ExternalAdoption._meta.get_field("level").max_length, required=False, default="国办"
    )
    date = serializers.DateField()
    evidence = serializers.CharField(
        max_length=ExternalAdoption._meta.get_field("evidence").max_length, help_text="如：国办《每日要情》2026年第88期"
    )


class ForwardIn(serializers.Serializer):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class IssueCreateIn(serializers.Serializer):
    publication = id_field()
    special = serializers.BooleanField(required=False, default=False, help_text="增刊")
    adoptions = serializers.ListField(
        child=id_field(), required=False, default=list, max_length=500, help_text="待编池中要编入的采用记录"
    )


class IssueAddIn(serializers.Serializer):
    adoptions = serializers.ListField(child=id_field(), min_length=1, max_length=500)


class IssueRemoveIn(serializers.Serializer):
    adoption = id_field()


class IssueReorderIn(serializers.Serializer):
    order = serializers.ListField(child=id_field(), max_length=500, help_text="本期全部采用记录的 id，按新顺序")


class IssueSignOffIn(serializers.Serializer):
    copies = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=_form_field(SignOffForm, "copies").min_value,
        max_value=_form_field(SignOffForm, "copies").max_value, help_text="印数；省略则沿用",
    )  # fmt: skip
    extra_recipients = serializers.CharField(
        max_length=_form_field(SignOffForm, "extra_recipients").max_length, required=False, allow_blank=True,
        default="", help_text="本期增送，多个单位用“，”分隔",
    )  # fmt: skip


class IssueFilter(serializers.Serializer):
    publication = id_field(required=False)
    state = serializers.ChoiceField(choices=IssueState.choices, required=False)
