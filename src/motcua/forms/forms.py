"""Input of the log-book page. Dates come as yyyy-mm-dd (the date picker) or dd/mm/yyyy."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class LogbookForm(forms.Form):
    unit = forms.ChoiceField(label=_("Đơn vị"))
    start = forms.DateField(
        label=_("Từ ngày"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Chưa chọn ngày bắt đầu."),
            "invalid": _("Ngày không hợp lệ."),
        },
    )
    end = forms.DateField(
        label=_("Đến ngày"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Chưa chọn ngày kết thúc."),
            "invalid": _("Ngày không hợp lệ."),
        },
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.code, u.name) for u in units]
        self.fields["unit"].error_messages = {
            "required": _("Chưa chọn đơn vị."),
            "invalid_choice": _("Đơn vị không nằm trong phạm vi của bạn."),
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            raise ValidationError(_("Ngày kết thúc phải bằng hoặc sau ngày bắt đầu."))
        return cleaned
