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
