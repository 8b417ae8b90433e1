"""The applicant's data as a form sees it: which field each of Applicant.cleaned()'s refusals belongs
to, and all of them at once (cleaned() stops at the first; a form should not make people submit once
per mistake) — and the applicant's choice of how to receive the result, asked by the desk and the
portal alike."""

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationFailed
from motcua.dossiers.models import ResultDelivery
from motcua.dossiers.services import Applicant


def result_delivery_field(**extra) -> forms.ChoiceField:
    """How the applicant receives the result (desk by default); `extra`: e.g. the portal's
    help text."""
    return forms.ChoiceField(
        label=_("Hình thức nhận kết quả"),
        choices=ResultDelivery.choices,
        initial=ResultDelivery.DESK,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": _("Hình thức nhận kết quả không hợp lệ.")},
        **extra,
    )


# Error code of Applicant.cleaned() → the form field it is about.
APPLICANT_ERROR_FIELDS = {
    "applicant_name_required": "applicant_name",
    "applicant_name_too_long": "applicant_name",
    "applicant_id_number_invalid": "applicant_id_number",
    "applicant_phone_invalid": "applicant_phone",
    "applicant_email_invalid": "applicant_email",
    "applicant_address_too_long": "applicant_address",
    "applicant_kind_invalid": "applicant_kind",
    "applicant_code_too_long": "applicant_code",
}

# A name that passes the name rule, so each other field is checked on its own.
_VALID_NAME = "A"


def applicant_field_errors(
    *, name: str, id_number: str = "", phone: str = "", email: str = "", address: str = ""
) -> dict[str, str]:
    """{form field: message} for every field Applicant.cleaned() would refuse — the rule itself is
    the service's, called once per field."""
    checks = [
        Applicant(name=name),
        Applicant(name=_VALID_NAME, id_number=id_number),
        Applicant(name=_VALID_NAME, phone=phone),
        Applicant(name=_VALID_NAME, email=email),
        Applicant(name=_VALID_NAME, address=address),
    ]
    errors: dict[str, str] = {}
    for applicant in checks:
        try:
            applicant.cleaned()
        except ValidationFailed as error:
            errors.setdefault(APPLICANT_ERROR_FIELDS.get(error.code, ""), error.message)
    return errors
