"""Forms of the intake desk. They shape input; dossiers.services decides what is allowed."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure
from motcua.core.text import vi_sorted
from motcua.digitization.scans import ScanRefused, scan_check
from motcua.dossiers.applicant_fields import (
    APPLICANT_ERROR_FIELDS,
    applicant_field_errors,
    result_delivery_field,
)
from motcua.dossiers.models import ApplicantKind, Channel
from motcua.dossiers.services import Applicant, ReceivedComponent

# Scans are trusted by their first bytes, never by their name or the browser's content type.
SCAN_SIGNATURES = ((b"%PDF-", "pdf"), (b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"))


def scan_kind(upload) -> str | None:
    """ "pdf", "jpg" or "png" from the file's magic bytes; None for anything else."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    return next((ext for magic, ext in SCAN_SIGNATURES if head.startswith(magic)), None)


def validate_scan(upload) -> None:
    """The one check of uploaded scans (digitization.scans): type from content, size, pages,
    active content, image bounds; its Vietnamese refusal next to the field."""
    try:
        scan_check(upload=upload)
    except ScanRefused as refusal:
        raise ValidationError(refusal.message, code=refusal.code) from None


class ProcedureSearchForm(forms.Form):
    unit = forms.ChoiceField(label=_("Đơn vị tiếp nhận"), required=False)
    q = forms.CharField(
        label=_("Tìm thủ tục (tên, mã hoặc lĩnh vực; gõ có dấu hoặc không dấu)"),
        max_length=200,
        required=False,
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.code, u.name) for u in vi_sorted(units)]
        self.fields["unit"].error_messages["invalid_choice"] = _(
            "Bạn không được phân công tiếp nhận hồ sơ tại đơn vị này."
        )


def _text(label, *, max_length: int, required_message=None, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required_message is not None,
        error_messages={
            "required": required_message or "",
            "max_length": _("Tối đa %(limit_value)d ký tự."),
        },
        **kwargs,
    )


class IntakeForm(forms.Form):
    applicant_id_number = _text(
        _("Số định danh cá nhân / số giấy tờ tùy thân"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    applicant_name = _text(
        _("Họ và tên chủ hồ sơ"),
        max_length=255,
        required_message=_("Chưa nhập họ và tên chủ hồ sơ."),
    )
    applicant_phone = _text(
        _("Số điện thoại"), max_length=32, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    applicant_email = _text(
        _("Thư điện tử"), max_length=254, widget=forms.TextInput(attrs={"inputmode": "email"})
    )
    applicant_address = _text(_("Địa chỉ"), max_length=500)
    applicant_kind = forms.TypedChoiceField(
        label=_("Loại đối tượng"),
        choices=ApplicantKind.choices,
        coerce=int,
        initial=ApplicantKind.CITIZEN.value,
        required=False,
        empty_value=ApplicantKind.CITIZEN.value,
        error_messages={"invalid_choice": _("Loại đối tượng không hợp lệ.")},
    )
    applicant_code = _text(
        _("Mã đối tượng (mã số doanh nghiệp, mã tổ chức; nếu có)"), max_length=64
    )
    channel = forms.TypedChoiceField(
        label=_("Hình thức nộp"),
        choices=[
            (Channel.DIRECT.value, Channel.DIRECT.label),
            (Channel.POSTAL.value, Channel.POSTAL.label),
        ],
        coerce=int,
        initial=Channel.DIRECT.value,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Hình thức nộp không hợp lệ.")},
    )
    result_delivery = result_delivery_field()
    summary = _text(
        _("Trích yếu nội dung yêu cầu"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # Offered only after the service's warning that required components are missing.
    missing_components_reason = _text(
        _("Lý do vẫn tiếp nhận khi còn thiếu thành phần bắt buộc"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    fee_collected = forms.BooleanField(label=_("Đã thu phí, lệ phí tại quầy"), required=False)
    extra_name = _text(_("Giấy tờ khác (nếu có)"), max_length=500)
    extra_digitized = forms.BooleanField(label=_("Đã số hóa"), required=False)
    extra_file = forms.FileField(label=_("Bản quét"), required=False, validators=[validate_scan])

    def __init__(
        self, *args, procedure: Procedure, processing_units=None, held_offers=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        # Documents of the applicant's store matching each component (digitization.store).
        self.held_offers = held_offers or {}
        if processing_units is not None:
            # Received here for another agency (filed anywhere in the province): which one.
            self.fields["processing_unit"] = forms.ModelChoiceField(
                label=_("Cơ quan giải quyết"),
                queryset=processing_units,
                to_field_name="code",
                empty_label=_("— Chọn cơ quan giải quyết —"),
                error_messages={
                    "required": _("Chưa chọn cơ quan giải quyết hồ sơ."),
                    "invalid_choice": _("Cơ quan được chọn không giải quyết thủ tục này."),
                },
            )
        self.components = list(procedure.components.all())
        for c in self.components:
            self.fields[f"c{c.pk}_received"] = forms.BooleanField(
                label=_("Đã nhận"), required=False
            )
            self.fields[f"c{c.pk}_digitized"] = forms.BooleanField(
                label=_("Đã số hóa"), required=False
            )
            self.fields[f"c{c.pk}_reused"] = forms.BooleanField(
                label=_("Tái sử dụng dữ liệu số"), required=False
            )
            self.fields[f"c{c.pk}_file"] = forms.FileField(
                label=_("Bản quét"), required=False, validators=[validate_scan]
            )
            if self.held_offers.get(c.pk):
                self.fields[f"c{c.pk}_held"] = forms.TypedChoiceField(
                    label=_("Dùng giấy tờ đã có trong kho dữ liệu"),
                    choices=[("", _("Không dùng"))]
                    + [
                        (held.pk, f"{held.name} — {held.added_at:%d/%m/%Y}")
                        for held in self.held_offers[c.pk]
                    ],
                    coerce=int,
                    empty_value=None,
                    required=False,
                    widget=forms.RadioSelect,
                )
        if procedure.total_fee == 0:
            del self.fields["fee_collected"]

    def component_rows(self) -> list[dict]:
        return [
            {
                "component": c,
                "received": self[f"c{c.pk}_received"],
                "digitized": self[f"c{c.pk}_digitized"],
                "reused": self[f"c{c.pk}_reused"],
                "file": self[f"c{c.pk}_file"],
                "held": self[f"c{c.pk}_held"] if f"c{c.pk}_held" in self.fields else None,
            }
            for c in self.components
        ]

    def clean(self):
        cleaned = super().clean()
        received = False
        for c in self.components:
            if cleaned.get(f"c{c.pk}_held"):
                cleaned[f"c{c.pk}_received"] = True  # handed in from the store
            if cleaned.get(f"c{c.pk}_received"):
                received = True
            elif cleaned.get(f"c{c.pk}_file"):
                self.add_error(
                    f"c{c.pk}_file",
                    _("Hãy đánh dấu “Đã nhận” cho thành phần này trước khi tải bản quét."),
                )
        # The service's applicant rules too, every field at once, beside the form's own errors.
        problems = applicant_field_errors(
            name=cleaned.get("applicant_name", ""),
            id_number=cleaned.get("applicant_id_number", ""),
            phone=cleaned.get("applicant_phone", ""),
            email=cleaned.get("applicant_email", ""),
            address=cleaned.get("applicant_address", ""),
        )
        for name, message in problems.items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
        if cleaned.get("extra_name"):
            received = True
        elif cleaned.get("extra_file"):
            self.add_error("extra_name", _("Hãy nhập tên giấy tờ của bản quét đã chọn."))
        if not received:
            raise ValidationError(
                _("Chưa đánh dấu thành phần hồ sơ nào đã nhận."), code="no_components"
            )
        return cleaned

    def received_components(self) -> list[ReceivedComponent]:
        data = self.cleaned_data
        items = []
        for c in self.components:
            if not data.get(f"c{c.pk}_received"):
                continue
            upload = data.get(f"c{c.pk}_file")
            held_id = data.get(f"c{c.pk}_held") if upload is None else None
            items.append(
                ReceivedComponent(
                    name=c.name,
                    component=c,
                    held_id=held_id,
                    # A scan handed in at the counter is the digitized copy.
                    digitized=bool(data.get(f"c{c.pk}_digitized") or upload),
                    reused=bool(data.get(f"c{c.pk}_reused")),
                    file=_renamed(upload, stem=c.code),
                )
            )
        if data.get("extra_name"):
            upload = data.get("extra_file")
            items.append(
                ReceivedComponent(
                    name=data["extra_name"],
                    digitized=bool(data.get("extra_digitized") or upload),
                    file=_renamed(upload, stem="khac"),
                )
            )
        return items

    def applicant(self) -> Applicant:
        data = self.cleaned_data
        return Applicant(
            name=data["applicant_name"],
            id_number=data.get("applicant_id_number", ""),
            phone=data.get("applicant_phone", ""),
            email=data.get("applicant_email", ""),
            address=data.get("applicant_address", ""),
            kind=data.get("applicant_kind") or ApplicantKind.CITIZEN.value,
            code=data.get("applicant_code", ""),
        )


def _renamed(upload, *, stem: str):
    """Store scans under the component code and the sniffed type: file names typed by citizens
    ("CCCD Nguyen Van A.pdf") carry personal data and odd characters."""
    if upload is None:
        return None
    upload.name = f"{stem or 'tep'}.{scan_kind(upload)}"
    return upload


# Service error codes that belong to one field of the form (shown next to it).
ERROR_FIELDS = {
    **APPLICANT_ERROR_FIELDS,
    "summary_too_long": "summary",
    "channel_invalid": "channel",
    "processing_unit_required": "processing_unit",
    "processing_unit_invalid": "processing_unit",
    "processing_unit_other_province": "processing_unit",
    "missing_components_reason_too_long": "missing_components_reason",
}
