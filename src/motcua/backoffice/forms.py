"""Forms of the officer pages. They only shape input; the services decide what is allowed."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from motcua.backoffice import throttle
from motcua.catalog.models import Field
from motcua.core.forms import PlausibleDateField, VietnameseModelChoiceField
from motcua.dossiers.models import Channel, State
from motcua.payments.models import PaymentMethod
from motcua.payments.services import DESK_METHODS
from motcua.units.models import Unit
from motcua.units.selectors import unit_list_current


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng."),
        "inactive": _("Tài khoản này đã bị khóa."),
        "throttled": _(
            "Đăng nhập sai quá nhiều lần. Vì an toàn, vui lòng thử lại sau %(minutes)d phút."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Tên đăng nhập")
        self.fields["password"].label = _("Mật khẩu")

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = throttle.client_ip(self.request)
        # Checked before the password, so a locked account cannot be probed at all.
        if throttle.login_is_blocked(username=username, ip=ip):
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": max(1, throttle.lockout_seconds() // 60)},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            throttle.login_failure_record(username=username, ip=ip)
            raise
        throttle.login_success_reset(username=username, ip=ip)
        return cleaned


class PasswordChangeForm(forms.Form):
    """The officer's own password: the rules are `units.services.staff_password_change`'s."""

    current_password = forms.CharField(
        label=_("Mật khẩu hiện tại"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("Mật khẩu mới"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=_("Nhập lại mật khẩu mới"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


OVERDUE_CHOICES = [("", _("Tất cả")), ("1", _("Chỉ hồ sơ quá hạn"))]


class InboxFilterForm(forms.Form):
    """Filters that may appear in the address bar: nothing here identifies a person."""

    state = forms.TypedChoiceField(
        label=_("Trạng thái"),
        choices=[("", _("Đang giải quyết (tất cả)")), *State.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    procedure = forms.CharField(
        label=_("Mã thủ tục"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "1.001193"}),
    )
    channel = forms.TypedChoiceField(
        label=_("Kênh nộp"),
        choices=[("", _("Tất cả")), *Channel.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    overdue = forms.TypedChoiceField(
        label=_("Hạn xử lý"),
        choices=OVERDUE_CHOICES,
        coerce=lambda value: value == "1",
        empty_value=False,
        required=False,
    )
    scope = forms.TypedChoiceField(
        label=_("Phạm vi"),
        choices=[("", _("Toàn bộ hồ sơ của đơn vị")), ("toi", _("Chờ vai trò của tôi"))],
        coerce=lambda value: value == "toi",
        empty_value=False,
        required=False,
    )
    field = VietnameseModelChoiceField(
        label=_("Lĩnh vực"),
        queryset=Field.objects.order_by("name"),
        empty_label=_("Tất cả"),
        required=False,
    )
    received_from = PlausibleDateField(
        label=_("Tiếp nhận từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = PlausibleDateField(
        label=_("đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."))
        return data


class InboxSearchForm(forms.Form):
    """Free-text search. Posted, never put in the address: it may be a name or an ID number."""

    q = forms.CharField(
        label=_("Tìm theo mã hồ sơ, tên hoặc số giấy tờ của chủ hồ sơ"),
        max_length=100,
        required=False,
    )


# --- dossier actions -----------------------------------------------------------------------------


class ActionForm(forms.Form):
    # The version the officer saw; the service refuses the action if someone acted since.
    expected_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class NoteForm(ActionForm):
    note = forms.CharField(
        label=_("Ghi chú"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ContentForm(ActionForm):
    content = forms.CharField(
        label=_("Nội dung cần bổ sung, hoàn thiện (hướng dẫn một lần, đầy đủ)"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReasonForm(ActionForm):
    reason = forms.CharField(
        label=_("Lý do"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResultForm(ActionForm):
    result_summary = forms.CharField(
        label=_("Nội dung kết quả giải quyết"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    electronic = forms.BooleanField(label=_("Kết quả là văn bản điện tử"), required=False)


class ResultDraftUploadForm(ActionForm):
    """The processing officer's drafted result, uploaded (the scan check judges the file)."""

    draft = forms.FileField(
        label=_("Tệp dự thảo kết quả (PDF)"),
        error_messages={
            "required": _("Chưa chọn tệp dự thảo kết quả (PDF)."),
            "empty": _("Tệp dự thảo kết quả rỗng."),
            "invalid": _("Không nhận được tệp dự thảo kết quả; hãy chọn lại tệp."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


class ResultDraftGenerateForm(ActionForm):
    """A draft made from the default template, stating the result."""

    result_summary = forms.CharField(
        label=_("Nội dung kết quả giải quyết (dự thảo theo mẫu)"),
        max_length=1000,
        error_messages={"required": _("Chưa nhập nội dung kết quả.")},
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReturnForm(ActionForm):
    tracking_number = forms.CharField(
        label=_("Số hiệu bưu gửi (khi trả qua bưu chính công ích)"),
        max_length=64,
        required=False,
    )


class TransferForm(ActionForm):
    to_unit = VietnameseModelChoiceField(
        label=_("Đơn vị nhận hồ sơ liên thông"),
        queryset=Unit.objects.none(),
        to_field_name="code",
        empty_label=_("— Chọn đơn vị —"),
    )
    note = forms.CharField(
        label=_("Nội dung chuyển"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = unit_list_current()


# Money is whole đồng; the ceiling keeps a typing slip from overflowing the columns.
MAX_AMOUNT = 10**15


class ObligationForm(ActionForm):
    content = forms.CharField(
        label=_("Nội dung nghĩa vụ tài chính (thuế, phí phải nộp)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    amount = forms.IntegerField(
        label=_("Số tiền (đồng)"), min_value=0, max_value=MAX_AMOUNT, required=False
    )


class PaymentForm(ActionForm):
    """A desk payment; the payments app records it and issues the receipt (one service for this
    form, the API and its own desk page)."""

    method = forms.ChoiceField(
        label=_("Hình thức nộp"),
        choices=[(m.value, m.label) for m in DESK_METHODS],
        initial=PaymentMethod.CASH,
    )
    amount = forms.IntegerField(label=_("Số tiền đã nộp (đồng)"), min_value=1, max_value=MAX_AMOUNT)
    reference = forms.CharField(
        label=_("Mã giao dịch ngân hàng hoặc số hóa đơn máy POS"), max_length=64, required=False
    )


class ApologyForm(ActionForm):
    new_due_at = forms.DateTimeField(
        label=_("Ngày hẹn trả mới"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(
        label=_("Lý do chậm trễ"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
