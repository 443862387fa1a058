"""Forms of the instructions workflow: writing an instruction, reporting back, and the
office list's filters."""

import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils import timezone

from submissions.forms import DATE_INVALID, date_range_validators
from units.models import Unit

from .actions import MAX_FEEDBACK_CHARS, MAX_FEEDBACK_FILES
from .queries import Status, level_names

DEFAULT_FEEDBACK_DAYS = 7


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class InstructionForm(forms.Form):
    leader_name = forms.CharField(label="批示领导", max_length=50, required=False)
    level = forms.ChoiceField(
        label="批示级别",
        choices=(),
        error_messages={"required": "请选择批示级别。", "invalid_choice": "请选择有效的批示级别。"},
    )
    text = forms.CharField(
        label="批示内容",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "请填写批示内容。", "max_length": "批示内容不能超过 %(limit_value)d 字。"},
    )
    date = forms.DateField(
        label="批示日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写批示日期。", "invalid": DATE_INVALID},
        validators=date_range_validators(),  # the API's InstructionIn takes these too
    )
    deadline = forms.DateField(
        label="反馈期限",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="承办单位须在此日期（含）前反馈办理情况。",
        error_messages={"required": "请填写反馈期限。", "invalid": DATE_INVALID},
        validators=date_range_validators(),
    )
    units = UnitChoiceField(
        label="承办单位",
        queryset=Unit.objects.none(),
        # Rendered by the template as a filterable list of checkboxes (unit_options):
        # a multi-select needs Ctrl on a desktop and is unusable on a phone.
        widget=forms.CheckboxSelectMultiple,
        help_text="默认为报送单位；可勾选本单位的多个下级单位，输入名称筛选。",
        error_messages={
            "required": "请至少选择一个承办单位。",
            "invalid_choice": "承办单位只能是本单位的下级单位。",
            "invalid_pk_value": "承办单位只能是本单位的下级单位。",
        },
    )

    def __init__(self, *args, units, leader_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", "请选择"), *((n, n) for n in level_names())]
        self.fields["units"].queryset = units
        self.leader_required = leader_required
        if leader_required:
            self.fields["leader_name"].help_text = "代领导录入书面批示时，请填写作出批示的领导姓名。"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("leader_name"), Column("level")),
            "text",
            Row(Column("date"), Column("deadline")),
        )

    def unit_options(self) -> list[dict]:
        """The handling units for the picker, in the official order of the tree (each
        level by sort_order, as lists and distribution footers are), indented by depth,
        with the chosen ones (as posted, or the default) ticked."""
        units = list(self.fields["units"].queryset.order_by("order_key"))
        chosen = {str(v.pk if isinstance(v, Unit) else v) for v in (self["units"].value() or [])}
        top = min((u.depth for u in units), default=0)
        return [{"pk": u.pk, "name": u.name, "indent": u.depth - top, "checked": str(u.pk) in chosen} for u in units]

    def clean_leader_name(self) -> str:
        name = self.cleaned_data["leader_name"].strip()
        if not name and self.leader_required:
            raise forms.ValidationError("请填写批示领导姓名。")
        return name

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("请填写批示内容。")
        return text

    def clean(self):
        data = super().clean()
        date, deadline = data.get("date"), data.get("deadline")
        today = timezone.localdate()
        if date and date > today:
            self.add_error("date", "批示日期不能晚于今天。")
        if date and deadline and deadline < date:
            self.add_error("deadline", "反馈期限不能早于批示日期。")
        elif deadline and deadline < today:
            self.add_error("deadline", "反馈期限不能早于今天。")
        return data

    @staticmethod
    def defaults(today: dt.date) -> dict:
        return {"date": today, "deadline": today + dt.timedelta(days=DEFAULT_FEEDBACK_DAYS)}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by its content in the action."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(d, initial) for d in data if d]
        else:
            files = [single(data, initial)] if data else []
        files = [f for f in files if f]
        if len(files) > MAX_FEEDBACK_FILES:
            raise forms.ValidationError(f"最多上传 {MAX_FEEDBACK_FILES} 个附件。")
        return files


class FeedbackForm(forms.Form):
    text = forms.CharField(
        label="办理情况",
        max_length=MAX_FEEDBACK_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "请填写反馈内容。", "max_length": "反馈内容不能超过 %(limit_value)d 字。"},
    )
    files = MultipleFileField(
        label="附件",
        required=False,
        help_text=f"可选；图片、PDF、Word、Excel，最多 {MAX_FEEDBACK_FILES} 个，单个不超过 20 MB",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("请填写反馈内容。")
        return text


class InstructionFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", choices=[("", "全部状态"), *Status.CHOICES], required=False)
    level = forms.ChoiceField(label="级别", choices=(), required=False)
    q = forms.CharField(label="关键词", max_length=50, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", "全部级别"), *((n, n) for n in level_names())]
        self.fields["q"].widget.attrs.update({"placeholder": "领导、批示内容或标题", "class": "form-control"})
        for name in ("status", "level"):
            self.fields[name].widget.attrs.update({"class": "form-select"})

    def value(self, name: str) -> str:
        return self.cleaned_data.get(name, "") if self.is_valid() else ""


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", choices=[("", "全部"), *Status.CHOICES], required=False)
