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
