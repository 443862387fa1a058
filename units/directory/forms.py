from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from .parse import MAX_FILE_BYTES


class UploadForm(forms.Form):
    file = forms.FileField(label="通讯录文件（.xlsx）", help_text="请使用本页下载的模板；不超过 20 MB。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".xlsx"
        self.helper = FormHelper()
        self.helper.add_input(Submit("upload", "上传并预览", css_class="btn-danger"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的 Excel 文件（.xls、.csv 请先另存为 .xlsx）。")
        if f.size > MAX_FILE_BYTES:
            raise forms.ValidationError("文件超过 20 MB，请分批导入。")
        return f


class HandOverForm(forms.Form):
    """The colleague who takes over a person's open work (moves and departures)."""

    colleague = forms.ModelChoiceField(
        label="交接人", queryset=None, required=False, empty_label="（无需交接）",
        help_text="接手其草稿、待审签和退回修改的信息，并收到本单位待办约稿和批示的提醒。",
    )  # fmt: skip

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["colleague"].queryset = colleagues
        self.fields["colleague"].label_from_instance = lambda u: f"{u.full_name or u.username}（{u.username}）"


class MoveForm(HandOverForm):
    unit = forms.ModelChoiceField(label="调入单位", queryset=None, empty_label="请选择")
    roles = forms.MultipleChoiceField(
        label="在新单位的角色", choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )

    field_order = ["unit", "roles", "colleague"]

    def __init__(self, *args, units, **kwargs):
        from ..models import Role

        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.order_by("order_key")
        self.fields["roles"].choices = Role.choices
