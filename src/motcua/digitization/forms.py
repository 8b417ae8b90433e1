from django import forms
from django.utils.translation import gettext_lazy as _


class VerifyUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp PDF kết quả"),
        help_text=_("Tệp PDF kết quả giải quyết đã được ký số, tối đa %(limit)s."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={
            "required": _("Vui lòng chọn tệp PDF cần xác thực."),
            "empty": _("Tệp gửi lên rỗng, không có nội dung."),
        },
    )

    def __init__(self, *args, limit: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.fields["file"].help_text % {"limit": limit}
