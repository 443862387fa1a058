import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from units.models import Unit, User

from . import checks, queries
from .actions import SECRET_REFUSAL, SENSITIVE_NEEDS_READER, SENSITIVE_NO_LEADERS, ItemData
from .models import Category, Confidentiality, ItemForm, State, Topic
from .widgets import QuickModelChoiceField, QuickSelect

SECRET = "secret"
CONFIDENTIALITY_CHOICES = [*Confidentiality.choices, (SECRET, "涉密")]

# The dates a person may type anywhere in the system. Python and PostgreSQL accept years
# 1 to 9999, but a day added to 9999-12-31 (an inclusive "to" date, a deadline rule) or
# a local midnight of 0001-01-01 turned into UTC no longer exists: refused here, with a
# message, rather than crashing further down.
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
DATE_INVALID = "请输入有效的日期，例如 2026-11-27。"
DATE_OUT_OF_RANGE = f"日期超出范围，请填写 {DATE_MIN.year} 年至 {DATE_MAX.year} 年之间的日期。"
OUT_OF_RANGE = "out_of_range"
NUL = "null_characters_not_allowed"
NUL_REFUSED = "不能含有空字符（\\x00），请删除后重试。"  # Django's own Chinese message for this misleads
REFUSED_CODES = {OUT_OF_RANGE, NUL}
# The edit page's hidden version is how a save knows what the writer saw; without it a
# stale page or a crafted post would overwrite silently, so it is refused, never guessed.
VERSION_REFUSED = "页面缺少版本信息，无法确认您修改的是最新内容，未保存。请复制您填写的内容，刷新页面后重新修改。"


def date_range_validators() -> list:
    """Validators that keep a date field within DATE_MIN..DATE_MAX (code "out_of_range")."""
    return [
        MinValueValidator(DATE_MIN, message=DATE_OUT_OF_RANGE),
        MaxValueValidator(DATE_MAX, message=DATE_OUT_OF_RANGE),
    ]


class BoundedDateField(forms.DateField):
    """A date within DATE_MIN..DATE_MAX, with Chinese messages."""

    default_error_messages = {"invalid": DATE_INVALID}

    def __init__(self, **kwargs):
        kwargs["validators"] = [*kwargs.get("validators", ()), *date_range_validators()]
        super().__init__(**kwargs)

    def run_validators(self, value):
        try:
            super().run_validators(value)
        except forms.ValidationError as exc:
            # One code for "a real date the system will not use", so a caller (the API's
            # list) can tell it from a value that is not a date at all.
            raise forms.ValidationError(exc.messages[0], code=OUT_OF_RANGE) from None


def too_long_message(label: str, limit: int) -> str:
    return f"{label}不能超过{limit}字（现为%(show_value)d字），请精简后再保存；已填写的内容保留在下面。"


class LimitedCharField(forms.CharField):
    """A text field whose length limit is refused in plain Chinese (Django's own
    message reads "确保该变量…"), and whose input carries no maxlength attribute: the
    browser would silently cut a pasted text at the limit, and the writer would lose
    its end without being told. The item form's script counts against data-max-length."""

    def __init__(self, *, max_length: int, **kwargs):
        label = kwargs.get("label", "")
        messages = {"max_length": too_long_message(label, max_length), **kwargs.pop("error_messages", {})}
        super().__init__(max_length=max_length, error_messages=messages, **kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        attrs["data-max-length"] = str(self.max_length)
        return attrs


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return str(obj)


TITLE_MAX_LENGTH = 200


class ItemEditForm(forms.Form):
    """The writer's form. Hints are shown beside it live; only 涉密 blocks."""

    title = LimitedCharField(
        label="标题",
        max_length=TITLE_MAX_LENGTH,
        error_messages={"required": "请填写标题。", NUL: f"标题{NUL_REFUSED}"},
        widget=forms.TextInput(attrs={"data-hint-length": checks.DEFAULT_CONFIG.title_max}),
        help_text=f"建议不超过{checks.DEFAULT_CONFIG.title_max}字，最多{TITLE_MAX_LENGTH}字。",
    )
    body = forms.CharField(
        label="正文",
        widget=forms.Textarea(attrs={"rows": 14}),
        error_messages={"required": "请填写正文。", NUL: f"正文{NUL_REFUSED}"},
    )
    category = CategoryChoiceField(
        label="信息类型",
        queryset=Category.objects.filter(parent__isnull=False).select_related("parent"),
        error_messages={"required": "请选择信息类型。"},
    )
    form = forms.ChoiceField(label="体裁", choices=ItemForm.choices, initial=ItemForm.FULL)
    topics = forms.ModelMultipleChoiceField(
        label="主题标签", queryset=Topic.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    event_date = BoundedDateField(
        label="事件/进展所属日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="事件类信息填发生日期，月度进展填该月任一日；用于判断是否迟报。",
    )
    writers = LimitedCharField(label="撰稿人", max_length=100, required=False)
    phone = LimitedCharField(label="联系电话", max_length=40, required=False)
    signature = LimitedCharField(label="落款", max_length=100, required=False, help_text="留空则为本单位名称")
    confidentiality = forms.ChoiceField(label="密级", choices=CONFIDENTIALITY_CHOICES, initial=Confidentiality.INTERNAL)
    named_readers = forms.ModelMultipleChoiceField(
        label="可阅读的领导（敏感信息）",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="敏感信息仅接收单位编辑和此处选定的领导可以阅读。",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, office: Unit, require_version: bool = False, **kwargs):
        """`require_version` for the edit page: a post must say which version it edits.
        A new item has none, and the API checks its own (ItemUpdateSerializer)."""
        super().__init__(*args, **kwargs)
        self.office = office
        self.require_version = require_version
        if require_version:
            self.fields["version"].required = True
        self.fields["topics"].queryset = Topic.objects.filter(office=office, is_active=True)
        self.fields["named_readers"].queryset = queries.office_leaders(office)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "title",
            "body",
            Row(Column("category"), Column("form"), Column("event_date")),
            "topics",
            Row(Column("writers"), Column("phone"), Column("signature")),
            Row(Column("confidentiality"), Column("named_readers")),
            "version",
        )

    def clean_confidentiality(self) -> str:
        value = self.cleaned_data["confidentiality"]
        if value == SECRET:
            raise forms.ValidationError(SECRET_REFUSAL)
        return value

    def clean(self):
        data = super().clean()
        if self.require_version and self.has_error("version"):
            # Missing, empty or not a number: one message above the form, since the writer
            # cannot see the hidden field's own error, let alone fix it.
            del self.errors["version"]
            self.add_error(None, VERSION_REFUSED)
        # Each field is checked on its own, so the refusal stands beside the field that
        # holds the marking. A title over the limit is not in cleaned_data: its raw
        # text is checked all the same, a marking is reported even then.
        for name in ("title", "body"):
            text = data.get(name, self.data.get(self.add_prefix(name), "") if self.is_bound else "")
            if markers := checks.find_secret_markers(text):
                self.add_error(name, f"{SECRET_REFUSAL}（发现标识：{'、'.join(markers)}）")
        if data.get("confidentiality") == Confidentiality.SENSITIVE and not data.get("named_readers"):
            # The action refuses it too (for callers without this form); here the
            # message can stand beside the field.
            has_leaders = self.fields["named_readers"].queryset.exists()
            self.add_error("named_readers", SENSITIVE_NEEDS_READER if has_leaders else SENSITIVE_NO_LEADERS)
        return data

    def to_data(self) -> ItemData:
        d = self.cleaned_data
        return ItemData(
            title=d["title"],
            body=d["body"],
            category=d["category"],
            topics=list(d["topics"]),
            form=d["form"],
            event_date=d["event_date"],
            writers=d["writers"],
            phone=d["phone"],
            signature=d["signature"],
            confidentiality=d["confidentiality"],
            named_readers=list(d["named_readers"]),
        )


class DocxImportForm(forms.Form):
    # The file input sits outside the item form but belongs to it (form="item-form"): the
    # import posts everything typed, so nothing typed is lost (submissions.views.item_import).
    # Not required as a field: the writer need not import anything, so the page must not
    # mark it with an asterisk; an import without a file is refused in clean_docx.
    docx = forms.FileField(
        label="导入 Word 文档（.docx，可选）",
        required=False,
        widget=forms.ClearableFileInput(
            attrs={
                "form": "item-form",
                "accept": ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            }
        ),
    )

    def clean_docx(self):
        upload = self.cleaned_data.get("docx")
        if not upload:
            raise forms.ValidationError("请选择要导入的 Word 文档。")
        return upload


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="添加附件",
        help_text="图片、PDF、Word、Excel，单个不超过 20 MB",
        error_messages={"required": "请选择文件。"},
    )


class EditorEditForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200, error_messages={"required": "请填写标题。"})
    body = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 16}), required=False)
    note = forms.CharField(label="修改说明", max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "保存修改", css_class="btn-danger"))


class ActionForm(forms.Form):
    comment = forms.CharField(label="意见", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": "页面已过期，请刷新后重试。"})


class FilterForm(forms.Form):
    """GET filters of the desk and of 'my items'; a bad value is ignored, not an error page
    (the page shows the field's error beside the filters)."""

    q = forms.CharField(label="搜索", required=False, max_length=50, error_messages={NUL: f"搜索词{NUL_REFUSED}"})
    state = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部状态"), *State.choices], widget=QuickSelect
    )
    unit = QuickModelChoiceField(label="报送单位", required=False, queryset=Unit.objects.none(), empty_label="全部单位")
    category = QuickModelChoiceField(
        label="类型", required=False, queryset=Category.objects.filter(parent__isnull=True), empty_label="全部类型"
    )
    topic = QuickModelChoiceField(label="标签", required=False, queryset=Topic.objects.none(), empty_label="全部标签")
    date_from = BoundedDateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = BoundedDateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    late = forms.ChoiceField(
        label="迟报", required=False, choices=[("", "全部"), ("1", "迟报"), ("0", "按时")], widget=QuickSelect
    )
    confidentiality = forms.ChoiceField(
        label="密级", required=False, choices=[("", "全部密级"), *Confidentiality.choices], widget=QuickSelect
    )
    view = forms.ChoiceField(
        label="视图", required=False, choices=[("", "最新报送"), ("waiting", "等待最久")], widget=QuickSelect
    )

    def __init__(self, *args, office: Unit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if office is not None:
            self.fields["unit"].queryset = Unit.objects.filter(parent=office).order_by("order_key")
            self.fields["topic"].queryset = Topic.objects.filter(office=office)
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)

    def refused(self) -> dict[str, list[str]]:
        """The fields whose value is well-formed but one the system will not search with
        (a date beyond DATE_MIN..DATE_MAX, text with a NUL character), with their
        messages. The API answers these with 400 rather than drop them silently, as it
        drops an unknown choice."""
        self.is_valid()
        return {
            name: [m for e in errors for m in e.messages]
            for name, errors in self.errors.as_data().items()
            if any(e.code in REFUSED_CODES for e in errors)
        }

    def filters(self):
        from .queries import ItemFilters

        if not self.is_valid():
            # Keep the valid parts: drop only the fields that failed.
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        else:
            data = self.cleaned_data
        return ItemFilters(
            state=data.get("state") or "",
            unit=data["unit"].pk if data.get("unit") else None,
            category=data["category"].pk if data.get("category") else None,
            topic=data["topic"].pk if data.get("topic") else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            late=data.get("late") or "",
            confidentiality=data.get("confidentiality") or "",
            q=(data.get("q") or "").strip(),
            view=data.get("view") or "",
        )
