from django import forms

from .models import AdoptionForm, Publication


class AdoptForm(forms.Form):
    publication = forms.ModelChoiceField(
        label="采用刊物", queryset=Publication.objects.none(), error_messages={"required": "请选择刊物。"}
    )
    form = forms.ChoiceField(
        label="采用体裁",
        choices=[c for c in AdoptionForm.choices if c[0] != AdoptionForm.COMPOSITE],
        initial=AdoptionForm.FULL,
    )
    title = forms.CharField(label="采用标题", max_length=200, required=False, help_text="留空则用原标题")
    body = forms.CharField(
        label="采用正文",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="可压缩为简讯；留空则用原文",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, publications=None, **kwargs):
        super().__init__(*args, **kwargs)
        if publications is not None:
            self.fields["publication"].queryset = publications


class CompositeForm(forms.Form):
    publication = forms.ModelChoiceField(label="采用刊物", queryset=Publication.objects.none())
    title = forms.CharField(label="综合信息标题", max_length=200, error_messages={"required": "请填写标题。"})
    body = forms.CharField(
        label="综合信息正文", widget=forms.Textarea(attrs={"rows": 14}), error_messages={"required": "请填写正文。"}
    )

    def __init__(self, *args, publications=None, **kwargs):
        super().__init__(*args, **kwargs)
        if publications is not None:
            self.fields["publication"].queryset = publications


class SignOffForm(forms.Form):
    copies = forms.IntegerField(label="印数", min_value=1, max_value=100000, required=False)
    extra_recipients = forms.CharField(label="本期增送", max_length=300, required=False, help_text="多个单位用“，”分隔")


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="撤销理由", max_length=300, error_messages={"required": "请填写撤销理由。"})
