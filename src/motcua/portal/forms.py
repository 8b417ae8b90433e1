"""Portal forms. Applicant data is checked by the same rules the services apply (Applicant.cleaned),
so the form reports a problem next to the field instead of as a page-level error."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Component, Procedure, ProcedureLevel
from motcua.core.formatting import number_vi
from motcua.core.forms import VietnameseModelChoiceField
from motcua.digitization.scans import ScanRefused, scan_check
from motcua.dossiers.applicant_fields import (
    APPLICANT_ERROR_FIELDS,
    applicant_field_errors,
    result_delivery_field,
)
from motcua.dossiers.services import Applicant
from motcua.portal import uploads
from motcua.privacy.selectors import consent_text_get
from motcua.units.models import Unit
from motcua.units.selectors import unit_list_current

REQUIRED = {"required": _("Vui lòng nhập thông tin này.")}


def _mb(size: int) -> str:
    return number_vi(size / uploads.MB, decimals=1) + " MB"


def validate_upload(file) -> None:
    """Size first (an over-limit file arrives without its bytes), then the real type."""
    if file.size > uploads.max_file_bytes():
        raise ValidationError(
            _("Tệp “%(name)s” quá lớn (%(size)s); mỗi tệp tối đa %(limit)s."),
            params={
                "name": file.name,
                "size": _mb(file.size),
                "limit": _mb(uploads.max_file_bytes()),
            },
            code="file_too_large",
        )
    if getattr(file, "discarded", False):
        return  # dropped because the dossier as a whole is too large: reported by the form
    kind = uploads.sniff(file)
    if kind is None or not uploads.extension_matches(name=file.name, kind=kind):
        raise ValidationError(
            _(
                "Tệp “%(name)s” không phải tệp PDF, JPG hoặc PNG hợp lệ (nội dung tệp phải đúng "
                "với đuôi tên tệp)."
            ),
            params={"name": file.name},
            code="file_type",
        )
    try:  # the one check of scans (digitization.scans): pages, active content, image bounds
        scan_check(upload=file)
    except ScanRefused as refusal:
        raise ValidationError(refusal.message, code=refusal.code) from None


class UploadsMixin:
    """One optional or required file field per component, named `component_<id>`."""

    def add_component_fields(self, components, *, required: bool) -> None:
        self.components = list(components)
        for component in self.components:
            self.fields[f"component_{component.pk}"] = forms.FileField(
                label=component.name,
                required=required and component.required,
                validators=[validate_upload],
                error_messages={
                    "required": _("Vui lòng đính kèm tệp cho thành phần này."),
                    "empty": _("Tệp đính kèm rỗng."),
                    "invalid": _("Tệp đính kèm không hợp lệ."),
                },
                widget=forms.ClearableFileInput(
                    attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
                ),
            )

    def component_fields(self):
        return [self[f"component_{c.pk}"] for c in self.components]

    def clean_uploads_total(self, cleaned_data) -> None:
        total = sum(self.files[name].size for name in self.files if name.startswith("component_"))
        if total > uploads.max_dossier_bytes():
            raise ValidationError(
                _("Tổng dung lượng các tệp (%(size)s) vượt quá %(limit)s cho một hồ sơ."),
                params={"size": _mb(total), "limit": _mb(uploads.max_dossier_bytes())},
                code="dossier_too_large",
            )

    def uploaded_files(self) -> dict[Component, object]:
        """Valid files by component, renamed to a short name with their true ending."""
        files = {}
        for component in self.components:
            file = self.cleaned_data.get(f"component_{component.pk}")
            if file:
                kind = uploads.sniff(file)
                file.name = uploads.safe_name(name=file.name, kind=kind, prefix=component.code)
                files[component] = file
        return files


class CatalogueSearchForm(forms.Form):
    q = forms.CharField(label=_("Tìm thủ tục"), required=False, max_length=200)
    field = forms.TypedChoiceField(
        label=_("Lĩnh vực"), required=False, coerce=int, empty_value=None
    )
    level = forms.ChoiceField(
        label=_("Cấp thực hiện"),
        required=False,
        choices=[("", _("Tất cả các cấp")), *ProcedureLevel.choices],
    )

    def __init__(self, *args, fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", _("Tất cả lĩnh vực"))] + [
            (f.pk, f.name) for f in fields
        ]
        self.fields["q"].widget.input_type = "search"
        self.fields["q"].widget.attrs.update(placeholder=_("Ví dụ: dang ky khai sinh"))


# Service error codes that belong to one field of the filing form (shown next to it).
APPLICANT_FIELD_ERRORS = APPLICANT_ERROR_FIELDS


class SubmitForm(UploadsMixin, forms.Form):
    unit = VietnameseModelChoiceField(
        label=_("Nơi nộp hồ sơ (cơ quan tiếp nhận)"),
        queryset=Unit.objects.none(),
        empty_label=_("— Chọn cơ quan —"),
        error_messages={
            "required": _("Vui lòng chọn cơ quan tiếp nhận."),
            "invalid_choice": _("Cơ quan được chọn không giải quyết thủ tục này."),
        },
    )
    applicant_name = forms.CharField(
        label=_("Họ và tên người nộp"), max_length=255, error_messages=REQUIRED
    )
    applicant_id_number = forms.CharField(
        label=_("Số CCCD, CMND hoặc hộ chiếu"),
        max_length=20,
        error_messages=REQUIRED,
        help_text=_("Dùng để đối chiếu; trên trang tra cứu chỉ hiện 4 ký tự cuối."),
    )
    applicant_phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        error_messages=REQUIRED,
        help_text=_("Dùng để tra cứu hồ sơ và nhận thông báo."),
    )
    applicant_email = forms.CharField(label=_("Thư điện tử"), max_length=254, required=False)
    applicant_address = forms.CharField(label=_("Địa chỉ"), max_length=500, required=False)
    result_delivery = result_delivery_field(
        help_text=_("Nhận trực tuyến: tải kết quả điện tử có chữ ký số tại trang tra cứu hồ sơ."),
    )
    summary = forms.CharField(
        label=_("Nội dung yêu cầu (trích yếu)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # The text is the recorded one (privacy.selectors.CONSENT_TEXTS), so what was shown is what
    # the consent record says.
    consent = forms.BooleanField(
        label=consent_text_get(purpose="dossier_filing").text,
        error_messages={"required": _("Vui lòng đánh dấu xác nhận cam đoan để nộp hồ sơ.")},
    )

    def __init__(
        self, *args, procedure: Procedure, units, held_offers=None, verified_number=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        # The citizen's store (after the one-time code): one held document per component, and
        # the number the session verified; both None/empty without a verified code.
        self.held_offers = held_offers or {}
        self.verified_number = verified_number
        self.fields["unit"].queryset = units
        self.fields["applicant_phone"].widget.input_type = "tel"
        self.fields["applicant_phone"].widget.attrs.update(autocomplete="tel")
        self.fields["applicant_email"].widget.input_type = "email"
        self.fields["applicant_email"].widget.attrs.update(autocomplete="email")
        self.fields["applicant_name"].widget.attrs.update(autocomplete="name")
        self.fields["applicant_address"].widget.attrs.update(autocomplete="street-address")
        self.add_component_fields(procedure.components.all(), required=True)
        for component in self.components:
            # "Dùng giấy tờ đã có" ticked: that component needs no upload.
            if self.is_bound and self.data.get(f"reuse_{component.pk}"):
                self.fields[f"component_{component.pk}"].required = False

    def reuse_rows(self) -> dict[int, dict]:
        """Per component id: the offered held document and whether its box is ticked."""
        return {
            component_id: {
                "held": held,
                "name": f"reuse_{component_id}",
                "checked": str(self.data.get(f"reuse_{component_id}", "")) == str(held.pk)
                if self.is_bound
                else False,
            }
            for component_id, held in self.held_offers.items()
        }

    def _clean_reuse(self, cleaned_data) -> None:
        """A ticked box must name the document offered to this session for that component, for
        the number it verified, which must be the applicant's: anything else was not offered
        (a tampered form, or a verification that ran out)."""
        self.reused = {}
        for component in self.components:
            posted = str(self.data.get(f"reuse_{component.pk}", "")).strip()
            if not posted:
                continue
            field = f"component_{component.pk}"
            if not self.verified_number:
                self.add_error(
                    field,
                    _(
                        "Chưa xác thực mã một lần cho số định danh, hoặc phiên xác thực đã hết "
                        "hạn: không dùng được giấy tờ trong kho dữ liệu. Vui lòng xác thực lại "
                        "hoặc đính kèm tệp."
                    ),
                )
                continue
            held = self.held_offers.get(component.pk)
            if held is None or posted != str(held.pk):
                self.add_error(
                    field,
                    _(
                        "Giấy tờ trong kho dữ liệu không thuộc người nộp hoặc không dùng được "
                        "cho thành phần này."
                    ),
                )
                continue
            self.reused[component] = held.pk
        typed = (cleaned_data.get("applicant_id_number") or "").strip().upper().replace(" ", "")
        if self.reused and typed and typed != self.verified_number:
            self.add_error(
                "applicant_id_number",
                _(
                    "Số CCCD của người nộp khác số định danh đã xác thực để dùng kho dữ liệu "
                    "(%(masked)s)."
                )
                % {
                    "masked": "*" * max(0, len(self.verified_number) - 4)
                    + self.verified_number[-4:]
                },
            )

    def uploaded_files(self) -> dict[Component, object]:
        # A component taken from the store uses the store's document, not a file also chosen.
        files = super().uploaded_files()
        return {c: f for c, f in files.items() if c not in getattr(self, "reused", {})}

    def clean(self):
        cleaned_data = super().clean()
        self._clean_reuse(cleaned_data)
        typed = {
            "name": cleaned_data.get("applicant_name", ""),
            "id_number": cleaned_data.get("applicant_id_number", ""),
            "phone": cleaned_data.get("applicant_phone", ""),
            "email": cleaned_data.get("applicant_email", ""),
            "address": cleaned_data.get("applicant_address", ""),
        }
        # Every applicant problem at once, each next to its field (the service's rules).
        problems = applicant_field_errors(**typed)
        for field, message in problems.items():
            if field not in self.errors:
                self.add_error(field or None, message)
        if not problems:
            self.applicant = Applicant(**typed).cleaned()
        self.clean_uploads_total(cleaned_data)
        return cleaned_data


class StoreNumberForm(forms.Form):
    """The optional step "Dùng giấy tờ đã có trong kho dữ liệu": the number whose store to open."""

    id_number = forms.CharField(
        label=_("Số định danh cá nhân (số CCCD)"),
        max_length=20,
        error_messages=REQUIRED,
        help_text=_(
            "Mã xác thực một lần được gửi tới số điện thoại (hoặc thư điện tử) đã ghi trong hồ sơ "
            "trước đây của bạn, không gửi tới số bạn nhập hôm nay."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["id_number"].widget.attrs.update(
            autocomplete="off", inputmode="numeric", spellcheck="false"
        )


class StoreCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Mã xác thực"),
        max_length=12,
        error_messages=REQUIRED,
        help_text=_("Mã gồm 6 chữ số, chỉ dùng một lần."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(autocomplete="one-time-code", inputmode="numeric")


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Mã hồ sơ"),
        max_length=64,
        error_messages=REQUIRED,
        help_text=_("In trên giấy tiếp nhận hoặc trang xác nhận nộp hồ sơ."),
    )
    contact = forms.CharField(
        label=_("Số điện thoại hoặc 4 ký tự cuối của số CCCD/CMND"),
        max_length=20,
        error_messages=REQUIRED,
        help_text=_("Số điện thoại hoặc số giấy tờ đã khai khi nộp hồ sơ."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(autocapitalize="characters", spellcheck="false")
        self.fields["contact"].widget.attrs.update(autocomplete="off", inputmode="text")


class SupplementForm(UploadsMixin, forms.Form):
    note = forms.CharField(
        label=_("Nội dung bổ sung"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, components, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_component_fields(components, required=False)

    def clean(self):
        cleaned_data = super().clean()
        self.clean_uploads_total(cleaned_data)
        if not self.errors and not cleaned_data.get("note", "").strip() and not self.files:
            raise ValidationError(
                _("Hãy đính kèm giấy tờ bổ sung hoặc ghi nội dung bổ sung."), code="empty"
            )
        return cleaned_data


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do rút hồ sơ"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Vui lòng nêu lý do rút hồ sơ.")},
    )


class FeedbackForm(forms.Form):
    name = forms.CharField(label=_("Họ và tên"), max_length=255, error_messages=REQUIRED)
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20, required=False)
    email = forms.EmailField(
        label=_("Thư điện tử"),
        max_length=254,
        required=False,
        error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")},
    )
    unit = VietnameseModelChoiceField(
        label=_("Cơ quan, đơn vị được phản ánh (nếu có)"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— Không chọn —"),
        error_messages={"invalid_choice": _("Cơ quan được chọn không hợp lệ.")},
    )
    content = forms.CharField(
        label=_("Nội dung phản ánh, kiến nghị"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages=REQUIRED,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_list_current()
        self.fields["phone"].widget.input_type = "tel"
        self.fields["phone"].widget.attrs.update(autocomplete="tel")

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        digits = "".join(ch for ch in phone if ch not in " .-()")
        if phone and not (digits.lstrip("+").isdigit() and 9 <= len(digits.lstrip("+")) <= 15):
            raise ValidationError(_("Số điện thoại không hợp lệ."), code="phone")
        return digits

    def clean(self):
        cleaned_data = super().clean()
        if not self.errors and not cleaned_data.get("phone") and not cleaned_data.get("email"):
            raise ValidationError(
                _("Hãy để lại số điện thoại hoặc thư điện tử để cơ quan trả lời."),
                code="contact",
            )
        return cleaned_data
