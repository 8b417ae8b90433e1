"""The dossier actions the officer pages offer, each a thin adapter from a form to a service.

URL slugs are Vietnamese; `kind` is the service's event kind (dossiers.services.TRANSITIONS)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from motcua.backoffice import forms
from motcua.dossiers import services


@dataclass(frozen=True)
class WebAction:
    kind: str
    slug: str
    label: Any  # button text
    done: Any  # success message
    form_class: type[forms.ActionForm]
    call: Callable[..., Any]  # (actor, dossier, expected_version, **cleaned form data)
    danger: bool = False


WEB_ACTIONS: tuple[WebAction, ...] = (
    WebAction(
        "accepted",
        "tiep-nhan",
        _("Tiếp nhận hồ sơ trực tuyến"),
        _("Đã tiếp nhận hồ sơ."),
        forms.ActionForm,
        services.dossier_accept,
    ),
    WebAction(
        "forwarded",
        "chuyen-xu-ly",
        _("Chuyển bước tiếp theo"),
        _("Đã chuyển hồ sơ sang bước tiếp theo."),
        forms.NoteForm,
        services.dossier_forward,
    ),
    WebAction(
        "supplement_requested",
        "yeu-cau-bo-sung",
        _("Yêu cầu bổ sung hồ sơ"),
        _("Đã gửi yêu cầu bổ sung; thời hạn giải quyết tạm dừng."),
        forms.ContentForm,
        services.dossier_request_supplement,
    ),
    WebAction(
        "supplement_received",
        "nhan-bo-sung",
        _("Nhận hồ sơ bổ sung"),
        _("Đã nhận hồ sơ bổ sung; thời hạn giải quyết tiếp tục."),
        forms.NoteForm,
        services.dossier_receive_supplement,
    ),
    WebAction(
        "resolved",
        "phe-duyet",
        _("Phê duyệt kết quả"),
        _("Đã phê duyệt kết quả."),
        forms.ResultForm,
        services.dossier_resolve,
    ),
    WebAction(
        "result_returned",
        "tra-ket-qua",
        _("Trả kết quả"),
        _("Đã trả kết quả cho công dân."),
        forms.ActionForm,
        services.dossier_return_result,
    ),
    WebAction(
        "apologised",
        "xin-loi-hen-lai",
        _("Xin lỗi và hẹn lại ngày trả"),
        _("Đã lập phiếu xin lỗi và hẹn lại ngày trả."),
        forms.ApologyForm,
        services.dossier_apologise,
    ),
    WebAction(
        "not_accepted",
        "khong-tiep-nhan",
        _("Từ chối tiếp nhận"),
        _("Đã từ chối tiếp nhận hồ sơ."),
        forms.ReasonForm,
        services.dossier_not_accept,
        danger=True,
    ),
    WebAction(
        "rejected",
        "tu-choi",
        _("Từ chối giải quyết"),
        _("Đã từ chối giải quyết hồ sơ."),
        forms.ReasonForm,
        services.dossier_reject,
        danger=True,
    ),
    WebAction(
        "stopped",
        "dung-xu-ly",
        _("Dừng xử lý"),
        _("Đã dừng xử lý hồ sơ."),
        forms.ReasonForm,
        services.dossier_stop,
        danger=True,
    ),
    WebAction(
        "withdrawn",
        "rut-ho-so",
        _("Công dân rút hồ sơ"),
        _("Đã ghi nhận công dân rút hồ sơ."),
        forms.ReasonForm,
        services.dossier_withdraw,
        danger=True,
    ),
)

BY_SLUG = {action.slug: action for action in WEB_ACTIONS}
BY_KIND = {action.kind: action for action in WEB_ACTIONS}
