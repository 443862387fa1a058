"""Serializers of the items and notifications API (commissions: commission_serializers.py).

Output serializers shape what the pages show. Input serializers check only the JSON
types; the rules (leaf categories, the office's topics and leaders, 涉密 refused, a
sensitive item needs a named leader, deadlines in the future …) stay in the page forms
and the actions, which the input serializers call, so no rule is copied here.
"""

from django import forms
from django.utils.text import Truncator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.reverse import reverse

from submissions import checks
from submissions.actions import transitions_for
from submissions.forms import SECRET, ActionForm, EditorEditForm, FilterForm, ItemEditForm
from submissions.models import (
    Attachment,
    Category,
    Confidentiality,
    Item,
    ItemEvent,
    ItemForm,
    ItemVersion,
    Topic,
)
from units.access import phone_for
from units.models import Notification, User

from .base import UnitRefSerializer  # noqa: F401  (re-exported for the other API modules)
from .errors import ErrorSerializer, errors  # noqa: F401


def run_form(form: forms.Form) -> dict:
    """Validate a page form and return its cleaned data, or raise its errors in the API's shape."""
    if not form.is_valid():
        raise serializers.ValidationError(
            {("non_field_errors" if name == "__all__" else name): list(msgs) for name, msgs in form.errors.items()}
        )
    return form.cleaned_data


def api_action_path(action: str) -> str:
    """URL segment of a transition: "send_for_signoff" is `submit/`, the rest are the act
    in kebab case (`sign-off/`, `send-back/`, `start-review/`, `return/` …)."""
    return "submit" if action == "send_for_signoff" else action.replace("_", "-")


def filter_parameters() -> list[OpenApiParameter]:
    """The desk's filters, documented from FilterForm itself so the two cannot drift."""
    params = []
    for name, field in FilterForm.base_fields.items():
        enum = None
        if isinstance(field, forms.ModelChoiceField):
            kind = OpenApiTypes.INT
        elif isinstance(field, forms.DateField):
            kind = OpenApiTypes.DATE
        else:
            kind = OpenApiTypes.STR
            if isinstance(field, forms.ChoiceField):
                enum = [value for value, _ in field.choices if value]
        params.append(
            OpenApiParameter(
                name,
                kind,
                enum=enum,
                description=f"{field.label}（无效的值被忽略，与网页一致；超出范围的日期或含空字符的文本返回 400）",
            )
        )
    return params


# --- References -------------------------------------------------------------------------


class PersonRefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__")

    class Meta:
        model = User
        fields = ["id", "name"]


class CategoryRefSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="__str__", help_text="含上级类型，如“交流工作 › 工作进展”")

    class Meta:
        model = Category
        fields = ["id", "code", "name", "parent", "label"]


class TopicRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["id", "name"]


# --- Items ------------------------------------------------------------------------------


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")
    uploaded_by = PersonRefSerializer()
    download = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "kind", "content_type", "size", "uploaded_by", "uploaded_at", "download"]

    def get_download(self, obj: Attachment) -> str:
        return reverse("api-item-attachment-download", args=[obj.item_id, obj.pk], request=self.context.get("request"))


class ItemSerializer(serializers.ModelSerializer):
    """An item as the desk and "my items" list it: plain (decrypted) title, no body."""

    title = serializers.CharField(source="plain_title")
    state_label = serializers.CharField(source="get_state_display")
    category = CategoryRefSerializer()
    topics = TopicRefSerializer(many=True)
    unit = UnitRefSerializer()
    office = UnitRefSerializer()
    author = PersonRefSerializer()
    has_attachments = serializers.BooleanField(read_only=True)
    links = serializers.SerializerMethodField()

    class Meta:
        model = Item
        fields = [
            "id", "title", "state", "state_label", "form", "confidentiality", "category", "topics", "unit",
            "office", "author", "event_date", "deadline", "is_late", "created_at", "updated_at", "submitted_at",
            "first_submitted_at", "commission", "version", "has_attachments", "links",
        ]  # fmt: skip

    @extend_schema_field(
        inline_serializer(
            "ItemLinks",
            {
                name: serializers.URLField()
                for name in ("self", "attachments", "versions", "diff", "history", "editor_edit")
            },
        )
    )
    def get_links(self, obj: Item) -> dict:
        request = self.context.get("request")
        return {
            "self": reverse("api-item-detail", args=[obj.pk], request=request),
            **{
                name: reverse(f"api-item-{name.replace('_', '-')}", args=[obj.pk], request=request)
                for name in ("attachments", "versions", "diff", "history", "editor_edit")
            },
        }


class ItemActionSerializer(serializers.Serializer):
    action = serializers.CharField(help_text="流转动作，如 sign_off")
    label = serializers.CharField()
    url = serializers.URLField()
    needs_comment = serializers.BooleanField()
    comment_label = serializers.CharField()


class ItemDetailSerializer(ItemSerializer):
    """One item: its text, the people on it, its attachments and the acts the caller may take now."""

    has_attachments = None
    body = serializers.CharField(source="plain_body")
    named_readers = PersonRefSerializer(many=True, help_text="可阅读该敏感信息的领导")
    signed_off_by = PersonRefSerializer(allow_null=True)
    attachments = AttachmentSerializer(many=True)
    actions = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField(
        help_text="撰稿人联系电话：本人、本单位审签人和上级办公厅（室）编辑看到完整号码，其他人看到 138****1234"
    )

    class Meta(ItemSerializer.Meta):
        fields = [
            *(f for f in ItemSerializer.Meta.fields if f != "has_attachments"),
            "body", "writers", "phone", "signature", "named_readers", "signed_off_by", "signed_off_at",
            "forwarded_from", "attachments", "actions",
        ]  # fmt: skip

    def get_phone(self, obj: Item) -> str:
        return phone_for(self.context["request"].user, obj)

    @extend_schema_field(ItemActionSerializer(many=True))
    def get_actions(self, obj: Item) -> list[dict]:
        request = self.context["request"]
        return [
            {
                "action": t.action,
                "label": t.label,
                "url": reverse(f"api-item-{api_action_path(t.action)}", args=[obj.pk], request=request),
                "needs_comment": t.needs_comment,
                "comment_label": t.comment_label,
            }
            for t in transitions_for(obj, request.user)
        ]


class ConfidentialityField(serializers.ChoiceField):
    """The three levels an item may have. "secret" (涉密) is let through to the form,
    which refuses it with the page's words (SECRET_REFUSAL) rather than "not a choice"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", f"secret（涉密）一律拒绝：{checks.SECRET_REFUSAL}")
        super().__init__(choices=Confidentiality.choices, **kwargs)

    def to_internal_value(self, data):
        return SECRET if data == SECRET else super().to_internal_value(data)


class ItemWriteSerializer(serializers.Serializer):
    """A draft's fields. Types are checked here; everything else by the writer's page form
    (ItemEditForm) for the office the item goes to."""

    title = serializers.CharField(trim_whitespace=False)
    body = serializers.CharField(trim_whitespace=False)
    category = serializers.IntegerField(help_text="信息类型 id，只能选二级类型")
    form = serializers.ChoiceField(choices=ItemForm.choices, default=ItemForm.FULL)
    topics = serializers.ListField(child=serializers.IntegerField(), default=list, help_text="接收单位的主题标签 id")
    event_date = serializers.DateField(required=False, allow_null=True)
    writers = serializers.CharField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, default="")
    signature = serializers.CharField(required=False, allow_blank=True, default="", help_text="留空则为本单位名称")
    confidentiality = ConfidentialityField(default=Confidentiality.INTERNAL)
    named_readers = serializers.ListField(
        child=serializers.IntegerField(), default=list, help_text="敏感信息必填：接收单位的领导 id"
    )

    def _current(self) -> dict:
        """What a PATCH leaves unchanged: the item's values, as its edit page starts with."""
        item: Item | None = self.context.get("item")
        if item is None or not self.partial:
            return {}
        return {
            "title": item.plain_title, "body": item.plain_body, "category": item.category_id, "form": item.form,
            "topics": [t.pk for t in item.topics.all()], "event_date": item.event_date, "writers": item.writers,
            "phone": item.phone, "signature": item.signature, "confidentiality": item.confidentiality,
            "named_readers": [u.pk for u in item.named_readers.all()],
        }  # fmt: skip

    def validate(self, attrs: dict) -> dict:
        values = {**self._current(), **attrs}
        values.pop("version", None)
        form = ItemEditForm(data=values, office=self.context["office"])
        run_form(form)
        return {"data": form.to_data(), "version": attrs.get("version")}


class ItemUpdateSerializer(ItemWriteSerializer):
    version = serializers.IntegerField(help_text="读取时的 version；他人已修改时返回 409")

    def validate(self, attrs: dict) -> dict:
        if attrs.get("version") is None:
            raise serializers.ValidationError({"version": ["请提供读取时的版本号 version，以免覆盖他人的修改。"]})
        return super().validate(attrs)


class ActionInSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="读取时的 version；他人已处理时返回 409")
    comment = serializers.CharField(required=False, allow_blank=True, default="", help_text="退回、退稿等必填")

    def validate(self, attrs: dict) -> dict:
        return run_form(ActionForm(data=attrs))


class EditorEditInSerializer(serializers.Serializer):
    title = serializers.CharField(trim_whitespace=False)
    body = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="修改说明")
    version = serializers.IntegerField()

    def validate(self, attrs: dict) -> dict:
        return run_form(EditorEditForm(data=attrs))


class AttachmentInSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="图片、PDF、Word、Excel，单个不超过 20 MB")


class VersionSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="plain_title")
    body = serializers.CharField(source="plain_body")
    kind_label = serializers.CharField(source="get_kind_display")
    created_by = PersonRefSerializer()

    class Meta:
        model = ItemVersion
        fields = ["number", "kind", "kind_label", "title", "body", "note", "created_by", "created_at"]


class DiffQuerySerializer(serializers.Serializer):
    a = serializers.IntegerField(required=False, help_text="旧版本号，默认倒数第二版")
    b = serializers.IntegerField(required=False, help_text="新版本号，默认最新版")


class DiffSerializer(serializers.Serializer):
    a = serializers.IntegerField()
    b = serializers.IntegerField()
    html = serializers.CharField(help_text='每段一个 <p>，删除为 <del class="gi-del">，新增为 <ins class="gi-ins">')
    inserted = serializers.IntegerField(help_text="新增字数（不计空白）")
    deleted = serializers.IntegerField(help_text="删除字数（不计空白）")


class EventSerializer(serializers.ModelSerializer):
    action_label = serializers.CharField()
    # Plain strings in the schema: the values are those of `state`, and a second enum
    # name for the same set would only confuse generated clients.
    from_state = serializers.CharField(help_text="原状态（取值同信息的 state；创建时为空）")
    to_state = serializers.CharField(help_text="新状态（取值同信息的 state）")
    actor = PersonRefSerializer()
    actor_unit = UnitRefSerializer(allow_null=True)

    class Meta:
        model = ItemEvent
        fields = ["id", "action", "action_label", "from_state", "to_state", "actor", "actor_unit", "at", "comment"]


class CheckInSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    body = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    form = serializers.ChoiceField(choices=ItemForm.choices, default=ItemForm.FULL)
    item_id = serializers.IntegerField(required=False, allow_null=True, help_text="正在修改的信息，查重时排除它自身")


class HintSerializer(serializers.Serializer):
    code = serializers.CharField()
    level = serializers.ChoiceField(choices=[checks.INFO, checks.WARNING, checks.BLOCK])
    message = serializers.CharField()
    field = serializers.CharField()
    excerpt = serializers.CharField()


class DuplicateSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="item.pk")
    unit = serializers.CharField(source="item.unit.display_name")
    title = serializers.SerializerMethodField()
    score = serializers.FloatField()

    def get_title(self, obj) -> str:
        # As the live check shows it: only items the caller may open, title shortened.
        return Truncator(obj.item.plain_title).chars(40)


class CheckOutSerializer(serializers.Serializer):
    blocked = serializers.BooleanField(help_text="有“禁止”级提示（涉密）时为 true，保存会被拒绝")
    hints = HintSerializer(many=True)
    duplicates = DuplicateSerializer(many=True, help_text="近 90 天已报送、调用者可以打开的相似信息")
    similar_notice = serializers.CharField(
        help_text="本级办公室还收到调用者无权打开的相似信息时为“本级办公室已收到相似信息”（不含标题、单位），否则为空"
    )


# --- Notifications ------------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "verb", "title", "body", "url", "created_at", "read_at", "is_read"]

    def get_is_read(self, obj: Notification) -> bool:
        return obj.read_at is not None
