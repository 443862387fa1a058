from django import forms


class CodeForm(forms.Form):
    """The 6-digit code, on every two-factor page."""

    code = forms.CharField(
        label="动态验证码",
        max_length=10,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "placeholder": "6 位数字",
            }
        ),
        error_messages={"required": "请输入身份验证器显示的 6 位验证码。"},
    )
