"""Forms of emergency reports: the writer's item form with the type fixed (突发事件), plus
the grade and times for the first report, or the kind for a later report."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from ..actions import ItemData
from ..forms import ItemEditForm
from ..models import EmergencyGrade, ReportKind
from .actions import CaseData, validate_case

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def _datetime_field(label: str, *, required: bool, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        error_messages={"required": f"请填写{label}。", "invalid": f"请输入有效的{label}，例如 2026-11-27 08:30。"},
    )


class _ReportForm(ItemEditForm):
    """The item fields of any emergency report; type and date are set by the case."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["category"], self.fields["event_date"], self.fields["version"]

    def to_data(self) -> ItemData:
        d = self.cleaned_data
        return ItemData(
            title=d["title"],
            body=d["body"],
            category=None,  # 突发事件, set by the action
            topics=list(d["topics"]),
            form=d["form"],
            writers=d["writers"],
            phone=d["phone"],
            signature=d["signature"],
            confidentiality=d["confidentiality"],
            named_readers=list(d["named_readers"]),
        )


class EmergencyStartForm(_ReportForm):
    """首报: what happened, how serious, when, and when it was phoned in."""

    grade = forms.ChoiceField(
        label="事件等级",
        choices=[("", "请选择"), *EmergencyGrade.choices],
        error_messages={"required": "请选择事件等级。", "invalid_choice": "请选择事件等级。"},
    )
    occurred_at = _datetime_field("事件发生时间", required=True, help_text="书面报告时限从发生时间起算。")
    phoned_at = _datetime_field("电话报告时间", required=False, help_text="已先行电话报告的，填写报告时间。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("grade"), Column("occurred_at"), Column("phoned_at")),
            "title",
            "body",
            Row(Column("form"), Column("topics")),
            Row(Column("writers"), Column("phone"), Column("signature")),
            Row(Column("confidentiality"), Column("named_readers")),
        )

    def clean(self):
        data = super().clean()
        if "grade" in data and "occurred_at" in data and "phoned_at" in data:
            try:
                validate_case(self.case_data(), timezone.now())
            except ValidationError as exc:
                self.add_error(None, exc)  # keyed by field: grade, occurred_at, phoned_at
        return data

    def case_data(self) -> CaseData:
        d = self.cleaned_data
        return CaseData(grade=d["grade"], occurred_at=d["occurred_at"], phoned_at=d.get("phoned_at"))


class FollowUpForm(_ReportForm):
    """续报 or 终报 of an open case."""

    kind = forms.ChoiceField(
        label="报告类型",
        choices=[(ReportKind.FOLLOW_UP, "续报"), (ReportKind.FINAL, "终报（报送后结案）")],
        initial=ReportKind.FOLLOW_UP,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择报告类型。", "invalid_choice": "请选择报告类型（续报或终报）。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "kind",
            "title",
            "body",
            Row(Column("form"), Column("topics")),
            Row(Column("writers"), Column("phone"), Column("signature")),
            Row(Column("confidentiality"), Column("named_readers")),
        )


class CaseFilterForm(forms.Form):
    """GET filters of the case list; a bad value is ignored, not an error page."""

    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), ("open", "未结案"), ("closed", "已结案")]
    )
    grade = forms.ChoiceField(label="等级", required=False, choices=[("", "全部等级"), *EmergencyGrade.choices])
    late = forms.ChoiceField(label="迟报", required=False, choices=[("", "全部"), ("1", "迟报"), ("0", "按时")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")

    def apply(self, qs):
        if not self.is_bound:
            return qs
        self.is_valid()
        d = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        if d.get("status") == "open":
            qs = qs.filter(closed_at__isnull=True)
        elif d.get("status") == "closed":
            qs = qs.filter(closed_at__isnull=False)
        if d.get("grade"):
            qs = qs.filter(grade=d["grade"])
        if d.get("late") in ("0", "1"):
            qs = qs.filter(is_late=d["late"] == "1")
        return qs
