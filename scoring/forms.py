from decimal import Decimal

from django import forms


class AdjustForm(forms.Form):
    points = forms.DecimalField(
        label="调整分值", max_digits=6, decimal_places=1, min_value=Decimal("-999"), max_value=Decimal("999"),
        error_messages={"invalid": "请输入数字，可带一位小数，扣分填负数。", "required": "请填写调整分值。"},
    )  # fmt: skip
    reason = forms.CharField(label="调整理由", max_length=200, error_messages={"required": "手工调整必须填写理由。"})


class PeriodForm(forms.Form):
    """The period of a 采用情况通报: a month or quarter of the scheme's year that has
    begun (China time), or the year to date."""

    period = forms.ChoiceField(label="统计期间", error_messages={"invalid_choice": "请选择已开始的统计期间。"})

    def __init__(self, *args, year: int, today, **kwargs):
        from .statistics import QUARTERS, default_period

        super().__init__(*args, **kwargs)
        months = 12 if today.year > year else (today.month if today.year == year else 0)
        choices = [(f"m{m}", f"{year}年{m}月") for m in range(months, 0, -1)]
        choices += [(f"q{q}", f"{year}年第{QUARTERS[q - 1]}季度") for q in range(4, 0, -1) if 3 * q - 2 <= months]
        choices += [("ytd", f"{year}年1月至今" if today.year == year else f"{year}年全年（1—12月）")]
        self.fields["period"].choices = choices
        self.fields["period"].initial = default_period(year, today)


# --- The year-end assessment ----------------------------------------------------------------


class OpenPublicityForm(forms.Form):
    days = forms.IntegerField(
        label="公示期（工作日）", min_value=1, max_value=30, initial=5,
        error_messages={"required": "请填写公示期。", "invalid": "公示期请填写整数。",
                        "min_value": "公示期应为 1 至 30 个工作日。", "max_value": "公示期应为 1 至 30 个工作日。"},
    )  # fmt: skip


class AppealForm(forms.Form):
    """A unit's appeal: the ledger row or the unscored adoption it is about, or neither
    (a missing entry described in the reason), why, and supporting files."""

    subject = forms.ChoiceField(label="申诉事项", error_messages={"invalid_choice": "请选择本单位的台账记录或采用。"})
    reason = forms.CharField(
        label="申诉理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "请填写申诉理由。", "max_length": "申诉理由不能超过 %(limit_value)d 字。"},
    )  # fmt: skip

    def __init__(self, *args, entries=(), adoptions=(), **kwargs):
        from publications.instructions.forms import MultipleFileField

        super().__init__(*args, **kwargs)
        choices = [("other", "其他未记入的分数（在理由中说明）")]
        for a in adoptions:
            choices.append((f"adoption:{a.pk}", f"未计分的采用：《{a.publication.name}》{a.adopted_at:%Y-%m-%d}"))
        choices += [(f"entry:{e.pk}", f"台账记录：{e.date:%Y-%m-%d} {e.reason}（{e.points:+}）") for e in entries]
        self.fields["subject"].choices = choices
        self.fields["files"] = MultipleFileField(
            label="证明材料", required=False, help_text="可选；图片、PDF、Word、Excel，最多 5 个，单个不超过 20 MB"
        )

    def subject_ids(self) -> dict:
        kind, _, pk = self.cleaned_data["subject"].partition(":")
        return {"entry_id": int(pk)} if kind == "entry" else {"adoption_id": int(pk)} if kind == "adoption" else {}


class DecideAppealForm(forms.Form):
    outcome = forms.ChoiceField(
        label="处理结果", choices=[("accept", "采纳（记入更正分）"), ("refuse", "不予采纳")], widget=forms.RadioSelect,
        error_messages={"required": "请选择采纳或不予采纳。"},
    )  # fmt: skip
    points = forms.DecimalField(
        label="更正分值", required=False, max_digits=6, decimal_places=1, min_value=Decimal("-999"),
        max_value=Decimal("999"), help_text="采纳时填写，扣减填负数",
        error_messages={"invalid": "请输入数字，可带一位小数。"},
    )  # fmt: skip
    decision = forms.CharField(
        label="处理意见", max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写处理意见（采纳或不予采纳的理由）。"},
    )  # fmt: skip

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "accept" and not data.get("points"):
            self.add_error("points", "采纳申诉须填写更正分值（不能为 0）。")
        return data


class UnlockForm(forms.Form):
    reason = forms.CharField(
        label="解锁理由", max_length=250, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "解锁必须填写理由。"},
    )  # fmt: skip
