"""Serializers of the emergencies (突发事件) API.

Output serializers shape what the case pages show. Input serializers check only the JSON
types; the rules (grade, times in the past, the item fields, 涉密 refused …) stay in the
page forms (submissions/emergencies/forms.py), which they call, so no rule is copied here.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from submissions.emergencies.forms import EmergencyStartForm, FollowUpForm
from submissions.models import EmergencyGrade, ReportKind

from .base import UnitRefSerializer
from .item_serializers import ItemWriteSerializer, run_form

# Shown in place of the title of a report the caller may not read (as everywhere else).
WITHHELD_TITLE = "（敏感信息）"

STATUSES = {"open": "未结案", "closed": "已结案"}
LATE = {"1": "迟报", "0": "按时"}


def _choice(choices: dict[str, str], name: str, label: str) -> serializers.ChoiceField:
    listed = "、".join(choices)
    return serializers.ChoiceField(
        choices=list(choices.items()),
        required=False,
        allow_blank=True,
        help_text=f"按{label}筛选；留空为全部",
        error_messages={"invalid_choice": f"{name} 只能是 {listed}。"},
    )


class EmergencyCaseFilterSerializer(serializers.Serializer):
    """The list's filters. Unlike the page, which drops a bad value, the API says what
    was wrong (400) so a client's typo does not silently widen the list."""

    grade = _choice(dict(EmergencyGrade.choices), "grade", "等级")
    status = _choice(STATUSES, "status", "是否结案")
    late = _choice(LATE, "late", "首报是否迟报")


class EmergencyTimerSerializer(serializers.Serializer):
    deadline = serializers.DateTimeField(help_text="书面报告时限")
    running = serializers.BooleanField(help_text="首报书面报告尚未报送且未结案时为 true（计时中）")
    overdue = serializers.BooleanField(help_text="计时中已超过时限，或首报报送时已超过时限")
    remaining_seconds = serializers.IntegerField(allow_null=True, help_text="计时中、未超时：距时限的秒数；否则为空")
    overdue_seconds = serializers.IntegerField(
        allow_null=True, help_text="计时中已超时：超过的秒数；首报迟报：迟报的秒数；否则为空"
    )
    text = serializers.CharField(allow_null=True, help_text="计时中时如“剩余12分钟”“已超时3分钟”，否则为空")


class EmergencyReportSerializer(serializers.Serializer):
    """One report of the case. The title is shown only to those who may read the item."""

    id = serializers.IntegerField(source="item.pk", help_text="信息 id")
    kind = serializers.CharField(source="item.report_kind", help_text="first 首报；follow_up 续报；final 终报")
    seq = serializers.IntegerField(source="item.report_seq", help_text="续报序号（首报、终报为 0）")
    label = serializers.CharField(help_text="首报、续报一、续报二 …、终报")
    state = serializers.CharField(source="item.state", help_text="信息状态（取值同信息的 state）")
    state_label = serializers.CharField(source="item.get_state_display")
    title = serializers.SerializerMethodField(help_text=f"无权阅读该信息时为“{WITHHELD_TITLE}”")
    readable = serializers.BooleanField(help_text="调用者可否阅读该信息（可通过信息接口查看全文）")
    first_submitted_at = serializers.DateTimeField(source="item.first_submitted_at", allow_null=True)
    is_late = serializers.BooleanField(source="item.is_late")

    def get_title(self, row) -> str:
        return row.item.plain_title if row.readable else WITHHELD_TITLE


class EmergencyCaseSerializer(serializers.Serializer):
    """A case as listed: grade, times, the written report and the timer; no report text."""

    id = serializers.IntegerField()
    unit = UnitRefSerializer(help_text="报送单位")
    office = UnitRefSerializer(help_text="接收单位")
    grade = serializers.ChoiceField(choices=EmergencyGrade.choices)
    grade_label = serializers.CharField(source="get_grade_display")
    occurred_at = serializers.DateTimeField(help_text="事件发生时间")
    phoned_at = serializers.DateTimeField(allow_null=True, help_text="电话报告时间")
    written_deadline = serializers.DateTimeField(help_text="书面报告时限（按等级从发生时间起算）")
    written_at = serializers.DateTimeField(allow_null=True, help_text="首报书面报告时间（首次审签报送）；未报送为空")
    report_count = serializers.IntegerField(help_text="已报送的报告数")
    is_late = serializers.BooleanField(help_text="首报迟报")
    is_closed = serializers.SerializerMethodField(help_text="终报已报送，已结案")
    closed_at = serializers.DateTimeField(allow_null=True, help_text="结案时间")
    created_at = serializers.DateTimeField()
    timer = EmergencyTimerSerializer()
    url = serializers.SerializerMethodField()

    def get_is_closed(self, case) -> bool:
        return case.closed_at is not None

    @extend_schema_field(serializers.URLField())
    def get_url(self, case) -> str:
        return reverse("api-emergency-detail", args=[case.pk], request=self.context.get("request"))


class EmergencyCaseDetailSerializer(EmergencyCaseSerializer):
    reports = EmergencyReportSerializer(
        source="report_rows", many=True, help_text="首报、续报、终报，按顺序；接收单位编辑只看到已报送到本单位的"
    )
    can_add_report = serializers.BooleanField(help_text="调用者可否续报或终报（报送单位的信息员，未结案）")


class _EmergencyReportInSerializer(ItemWriteSerializer):
    """A report's item fields; the type (突发事件) and the event date come from the case."""

    category = None
    event_date = None
    form_class = None

    def _form_data(self, attrs: dict) -> dict:
        return attrs

    def validate(self, attrs: dict) -> dict:
        form = self.form_class(data=self._form_data(attrs), office=self.context["office"])
        run_form(form)
        return {"form": form}


class EmergencyCaseInSerializer(_EmergencyReportInSerializer):
    """首报: the case's grade and times with the first report. Types only; the page's
    EmergencyStartForm checks them."""

    form_class = EmergencyStartForm
    grade = serializers.ChoiceField(choices=EmergencyGrade.choices)
    occurred_at = serializers.DateTimeField(help_text="事件发生时间；书面报告时限从此起算")
    phoned_at = serializers.DateTimeField(required=False, allow_null=True, help_text="已先行电话报告的，报告时间")

    def _form_data(self, attrs: dict) -> dict:
        phoned = attrs.get("phoned_at")
        return {**attrs, "occurred_at": attrs["occurred_at"].isoformat(), "phoned_at": phoned and phoned.isoformat()}


class EmergencyReportInSerializer(_EmergencyReportInSerializer):
    """续报 or 终报 (the final report closes the case once it is signed off)."""

    form_class = FollowUpForm
    kind = serializers.ChoiceField(
        choices=[(ReportKind.FOLLOW_UP, "续报"), (ReportKind.FINAL, "终报")],
        default=ReportKind.FOLLOW_UP,
        help_text="follow_up 续报；final 终报（报送后结案）",
    )
