from decimal import Decimal

from django import forms


class AdjustForm(forms.Form):
    points = forms.DecimalField(
        label="调整分值", max_digits=6, decimal_places=1, min_value=Decimal("-999"), max_value=Decimal("999"),
        error_messages={"invalid": "请输入数字，可带一位小数，扣分填负数。", "required": "请填写调整分值。"},
    )  # fmt: skip
    reason = forms.CharField(label="调整理由", max_length=200, error_messages={"required": "手工调整必须填写理由。"})
