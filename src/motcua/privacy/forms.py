"""Forms of the officer pages; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.privacy.models import RequestKind


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại yêu cầu"), choices=RequestKind.choices)
    dossier_code = forms.CharField(label=_("Mã hồ sơ liên quan"), max_length=64, required=False)
    subject_name = forms.CharField(label=_("Họ và tên chủ thể dữ liệu"), max_length=255)
    subject_id_number = forms.CharField(
        label=_("Số định danh cá nhân"), max_length=20, required=False
    )
    contact = forms.CharField(
        label=_("Địa chỉ liên hệ để trả lời (điện thoại, thư điện tử, địa chỉ)"), max_length=255
    )
    content = forms.CharField(
        label=_("Nội dung yêu cầu"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


CORRECTION_FIELDS = (
    ("name", _("Họ và tên (mới)")),
    ("id_number", _("Số định danh (mới)")),
    ("phone", _("Số điện thoại (mới)")),
    ("email", _("Thư điện tử (mới)")),
    ("address", _("Địa chỉ (mới)")),
)


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Nội dung trả lời thêm"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    refuse_reason = forms.CharField(
        label=_("Từ chối yêu cầu — lý do (để trống nếu đáp ứng)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, correct: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if correct:
            for key, label in CORRECTION_FIELDS:
                self.fields[f"new_{key}"] = forms.CharField(
                    label=label, max_length=500, required=False
                )

    def corrections(self) -> dict[str, str]:
        return {
            key: self.cleaned_data[f"new_{key}"]
            for key, _label in CORRECTION_FIELDS
            if self.cleaned_data.get(f"new_{key}", "").strip()
        }
