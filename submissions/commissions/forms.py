"""Forms of the commission and monthly-progress pages."""

import datetime as dt
import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.utils import timezone

from units.models import Unit

from ..forms import DATE_MAX, DATE_MIN
from .queries import eligible_targets, previous_month

# A deadline is typed as a local time: a year-9999 one would overflow when shown in
# Asia/Shanghai, or when the API turns it into local time. The same years as every date.
DEADLINE_OUT_OF_RANGE = f"截止时间超出范围，请填写 {DATE_MIN.year} 年至 {DATE_MAX.year} 年之间的时间。"


def deadline_in_range(value: dt.datetime) -> bool:
    """Whether a deadline's date, as written (before any conversion between time zones,
    which is what overflows), lies within DATE_MIN..DATE_MAX."""
    return DATE_MIN <= value.replace(tzinfo=None).date() <= DATE_MAX


class TargetChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class CommissionForm(forms.Form):
    topic = forms.CharField(
        label="约稿主题",
        max_length=200,
        error_messages={"required": "请填写约稿主题。", "max_length": "约稿主题不能超过200字。"},
    )
    requirements = forms.CharField(
        label="写作要求",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="如报送重点、字数、需要的数据和图片等。",
    )
    deadline = forms.DateTimeField(
        label="截止时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        error_messages={"required": "请填写截止时间。", "invalid": "请输入有效的截止时间，例如 2026-11-27 17:30。"},
    )
    all_targets = forms.BooleanField(label="全部下级单位", required=False)
    targets = TargetChoiceField(
        label="约稿对象",
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "所选单位（编号 %(value)s）不是本单位的下级单位，不能作为约稿对象。",
            "invalid_pk_value": "“%(pk)s”不是有效的单位。",
            "invalid_list": "请从列表中选择约稿对象单位。",
        },
    )

    def __init__(self, *args, office: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.office = office
        self.fields["targets"].queryset = eligible_targets(office)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout("topic", "requirements", "deadline", "all_targets", "targets")

    def clean_deadline(self) -> dt.datetime:
        deadline = self.cleaned_data["deadline"]
        if not deadline_in_range(deadline):
            raise forms.ValidationError(DEADLINE_OUT_OF_RANGE, code="out_of_range")
        if deadline <= timezone.now():
            raise forms.ValidationError("截止时间必须晚于当前时间。")
        return deadline

    def clean(self):
        data = super().clean()
        if "targets" in self.errors:
            return data
        if data.get("all_targets"):
            data["targets"] = list(self.fields["targets"].queryset)
        if not data.get("targets"):
            self.add_error("targets", "请至少选择一个约稿对象单位，或勾选“全部下级单位”。")
        return data


class CommissionFilterForm(forms.Form):
    """GET filters of the commission list; a bad value is ignored, not an error page."""

    q = forms.CharField(label="主题", required=False, max_length=50)
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), ("open", "未截止"), ("closed", "已截止")]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"class": "form-control form-control-sm", "placeholder": "搜索主题"})
        self.fields["status"].widget.attrs["class"] = "form-select form-select-sm"

    def value(self, name: str) -> str:
        if not self.is_bound or not self.is_valid():
            return ""
        return (self.cleaned_data.get(name) or "").strip()


MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_month(raw: str | None, *, today: dt.date | None = None) -> tuple[int, int, bool]:
    """'2026-03' → (2026, 3, True); empty or bad input → last month and False."""
    match = MONTH_RE.match((raw or "").strip())
    if match:
        year, month = int(match[1]), int(match[2])
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return year, month, True
    year, month = previous_month(today or timezone.localdate())
    return year, month, False
