"""Personal data: what is processed and why (the record of processing), the consent texts, who
handles data subjects' requests, and the rules of those requests — one statement each."""

from dataclasses import dataclass

from django.db.models import QuerySet

from motcua.core.errors import NotFound, PermissionDenied
from motcua.core.text import fold
from motcua.dossiers.models import Dossier, DossierDocument, State
from motcua.privacy.models import (
    Consent,
    DataSubjectRequest,
    PersonalDataAccess,
    RequestKind,
    RequestStatus,
)
from motcua.units.models import Role, Unit
from motcua.units.selectors import user_has_role, user_unit_filter

# A data subject's request is answered within this many working days of its receipt (the
# unit's calendar). Law 91/2025 and Decree 356/2025 as summarised by law firms; the exact limit
# per kind of request is not confirmed (docs/privacy.md).
REQUEST_WORKING_DAYS = 2

# Who receives and answers requests: the desk that faces citizens and the unit's leaders.
REQUEST_ROLES = (Role.DESK_OFFICER, Role.LEADER)


@dataclass(frozen=True)
class ProcessingActivity:
    """One line of the record of processing (hồ sơ ghi nhận hoạt động xử lý dữ liệu cá nhân)."""

    key: str
    purpose: str
    data: str
    subjects: str
    sensitive: bool
    legal_basis: str
    recipients: str
    retention: str


PROCESSING_RECORD: tuple[ProcessingActivity, ...] = (
    ProcessingActivity(
        key="dossier",
        purpose="Tiếp nhận, giải quyết và trả kết quả thủ tục hành chính",
        data="Họ tên, số định danh cá nhân, số điện thoại, thư điện tử, địa chỉ, loại và mã "
        "đối tượng, nội dung yêu cầu, thành phần hồ sơ",
        subjects="Người nộp hồ sơ (công dân, người đại diện tổ chức)",
        sensitive=False,
        legal_basis="Nghị định 118/2025/NĐ-CP (thực hiện thủ tục hành chính theo cơ chế một cửa); "
        "Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15 (xử lý để thực hiện nhiệm vụ của cơ quan nhà "
        "nước) và sự đồng ý trên cổng dịch vụ công",
        recipients="Cán bộ tiếp nhận, chuyên viên xử lý, lãnh đạo của đơn vị giải quyết; Cổng "
        "Dịch vụ công quốc gia (đồng bộ hồ sơ)",
        retention="Theo thời hạn lưu trữ hồ sơ giải quyết thủ tục hành chính của pháp luật về lưu "
        "trữ; hồ sơ chưa được tiếp nhận có thể xóa theo yêu cầu",
    ),
    ProcessingActivity(
        key="identity_documents",
        purpose="Xác minh người nộp hồ sơ và thành phần hồ sơ",
        data="Ảnh, bản quét giấy tờ tùy thân (căn cước, hộ chiếu) và giấy tờ tương tự",
        subjects="Người nộp hồ sơ",
        sensitive=True,
        legal_basis="Luật 91/2025/QH15 và Nghị định 356/2025/NĐ-CP (dữ liệu cá nhân nhạy cảm)",
        recipients="Chỉ cán bộ được giao xử lý hồ sơ; mỗi lần xem được ghi nhật ký",
        retention="Cùng hồ sơ giải quyết thủ tục hành chính",
    ),
    ProcessingActivity(
        key="notifications",
        purpose="Thông báo tình trạng hồ sơ qua tin nhắn, thư điện tử",
        data="Số điện thoại, thư điện tử, mã hồ sơ",
        subjects="Người nộp hồ sơ",
        sensitive=False,
        legal_basis="Nghị định 118/2025/NĐ-CP; sự đồng ý trên cổng dịch vụ công",
        recipients="Nhà cung cấp dịch vụ tin nhắn, thư điện tử (chỉ nội dung thông báo)",
        retention="Nhật ký gửi lưu cùng hồ sơ",
    ),
    ProcessingActivity(
        key="store_code",
        purpose="Xác thực người nộp trực tuyến trước khi gợi ý giấy tờ đã có trong kho dữ liệu "
        "(mã xác thực một lần gửi tới liên hệ đã ghi nhận; không phải VNeID)",
        data="Số định danh cá nhân, liên hệ đã ghi nhận (che một phần), mã băm của mã xác thực, "
        "số lần nhập, thời điểm",
        subjects="Người nộp hồ sơ trực tuyến",
        sensitive=False,
        legal_basis="Nghị định 45/2020/NĐ-CP (không yêu cầu nộp lại giấy tờ đã số hóa); Luật "
        "91/2025/QH15",
        recipients="Nhà cung cấp dịch vụ tin nhắn, thư điện tử (chỉ nội dung mã); không cán bộ "
        "nào xem được mã",
        retention="Mã băm xóa ngay khi xác thực đúng, hoặc khi có yêu cầu mã mới sau khi mã hết "
        "hạn (10 phút); nội dung mã trong thông báo bị xóa ngay khi đã gửi",
    ),
    ProcessingActivity(
        key="access_log",
        purpose="Kiểm soát truy cập dữ liệu cá nhân",
        data="Cán bộ, thời điểm, mã hồ sơ, giấy tờ đã xem (không chứa dữ liệu đã xem)",
        subjects="Cán bộ, công chức sử dụng hệ thống",
        sensitive=False,
        legal_basis="Luật 91/2025/QH15 (biện pháp bảo vệ dữ liệu cá nhân)",
        recipients="Quản trị hệ thống, cơ quan kiểm tra",
        retention="Cùng hồ sơ giải quyết thủ tục hành chính",
    ),
    ProcessingActivity(
        key="data_subject_requests",
        purpose="Tiếp nhận và trả lời yêu cầu của chủ thể dữ liệu",
        data="Họ tên, số định danh, địa chỉ liên hệ, nội dung yêu cầu và trả lời",
        subjects="Chủ thể dữ liệu có yêu cầu",
        sensitive=False,
        legal_basis="Luật 91/2025/QH15 (quyền của chủ thể dữ liệu)",
        recipients="Cán bộ tiếp nhận, lãnh đạo của đơn vị giải quyết hồ sơ",
        retention="Cùng hồ sơ giải quyết thủ tục hành chính liên quan",
    ),
)


@dataclass(frozen=True)
class ConsentText:
    purpose: str
    version: str
    text: str


# The text shown beside the consent box of each portal form, by purpose; a new wording gets a new
# version, so each recorded consent says exactly what was agreed to.
CONSENT_TEXTS = {
    "dossier_filing": ConsentText(
        purpose="dossier_filing",
        version="2026-01",
        text=(
            "Tôi cam đoan thông tin đã khai là đúng sự thật và đồng ý để cơ quan nhà nước xử lý dữ "
            "liệu cá nhân của tôi (kể cả ảnh giấy tờ tùy thân đính kèm) nhằm giải quyết hồ sơ này, "
            "theo Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15."
        ),
    ),
}


# Words (folded: no diacritics, lower case) that name an identity document: its image is sensitive
# personal data (Law 91/2025), so the document is marked sensitive and every look at it is logged.
IDENTITY_DOCUMENT_WORDS = (
    "can cuoc",
    "cccd",
    "cmnd",
    "chung minh nhan dan",
    "ho chieu",
    "giay to tuy than",
    "dinh danh dien tu",
)


def document_is_sensitive(*, name: str, marked: bool = False) -> bool:
    """Sensitive when the door marked it so or its name says it is an identity document."""
    folded = fold(name)
    return marked or any(word in folded for word in IDENTITY_DOCUMENT_WORDS)


def consent_text_get(*, purpose: str) -> ConsentText:
    return CONSENT_TEXTS[purpose]


def request_may_handle(*, user, unit: Unit) -> bool:
    return user_has_role(user=user, role=REQUEST_ROLES, unit=unit)


def data_subject_requests_for(*, user, open_only: bool = False) -> QuerySet[DataSubjectRequest]:
    """Requests of the units in the user's remit (desk officers and leaders), soonest due first."""
    requests = DataSubjectRequest.objects.filter(
        user_unit_filter(user=user, field="unit", roles=REQUEST_ROLES)
    ).select_related("unit", "dossier")
    if open_only:
        requests = requests.filter(status=RequestStatus.RECEIVED)
    return requests.order_by("status", "due_at", "pk")


def data_subject_request_get(*, user, pk: int) -> DataSubjectRequest:
    request = DataSubjectRequest.objects.select_related("unit", "dossier").filter(pk=pk).first()
    if request is None:
        raise NotFound("Không tìm thấy yêu cầu này.")
    if not request_may_handle(user=user, unit=request.unit):
        raise PermissionDenied(
            "Bạn không được giao trả lời yêu cầu về dữ liệu cá nhân tại đơn vị này."
        )
    return request


def deletion_refusal(*, dossier: Dossier | None) -> str | None:
    """Why personal data may not be deleted, or None when it may (Law 91/2025 lets the controller
    keep data another law requires it to keep). A dossier the administration received is an
    administrative record kept under the archive rules; one never received and ended (refused at
    acceptance, withdrawn before it) holds data nothing requires us to keep."""
    if dossier is None:
        return (
            "Yêu cầu không gắn với hồ sơ nào: hệ thống không lưu dữ liệu cá nhân nào khác để xóa."
        )
    if dossier.received_at is not None:
        return (
            "Hồ sơ đã được tiếp nhận là hồ sơ giải quyết thủ tục hành chính, phải lưu trữ theo "
            "quy định của pháp luật về lưu trữ; dữ liệu cá nhân trong hồ sơ không được xóa "
            "(có thể yêu cầu chỉnh sửa nếu không chính xác)."
        )
    if dossier.state not in (State.NOT_ACCEPTED, State.WITHDRAWN):
        return "Hồ sơ đang chờ tiếp nhận: hãy rút hồ sơ trước khi yêu cầu xóa dữ liệu."
    return None


def personal_data_of(*, dossier: Dossier) -> dict:
    """What the system holds about the applicant of a dossier: the answer to a request to see it."""
    documents = DossierDocument.objects.filter(dossier=dossier).order_by("pk")
    return {
        "dossier": dossier.code,
        "applicant_name": dossier.applicant_name,
        "applicant_id_number": dossier.applicant_id_number,
        "applicant_phone": dossier.applicant_phone,
        "applicant_email": dossier.applicant_email,
        "applicant_address": dossier.applicant_address,
        "applicant_kind": dossier.get_applicant_kind_display(),
        "applicant_code": dossier.applicant_code,
        "summary": dossier.summary,
        "documents": [
            {"name": d.name, "sensitive": d.sensitive, "has_file": bool(d.file)} for d in documents
        ],
        "consents": [
            {"version": c.text_version, "given_at": c.given_at.isoformat()}
            for c in Consent.objects.filter(dossier=dossier).order_by("given_at")
        ],
        "accesses": PersonalDataAccess.objects.filter(dossier_code=dossier.code).count(),
    }


def personal_data_text(*, dossier: Dossier) -> str:
    """personal_data_of as the lines of a reply letter, in Vietnamese."""
    data = personal_data_of(dossier=dossier)
    labels = (
        ("applicant_name", "Họ và tên"),
        ("applicant_id_number", "Số định danh"),
        ("applicant_phone", "Số điện thoại"),
        ("applicant_email", "Thư điện tử"),
        ("applicant_address", "Địa chỉ"),
        ("applicant_kind", "Loại đối tượng"),
        ("applicant_code", "Mã đối tượng"),
        ("summary", "Nội dung yêu cầu"),
    )
    lines = [f"Dữ liệu cá nhân lưu trong hồ sơ {data['dossier']}:"]
    lines += [f"- {label}: {data[key]}" for key, label in labels if data[key]]
    for d in data["documents"]:
        mark = " (dữ liệu nhạy cảm)" if d["sensitive"] else ""
        lines.append(f"- Giấy tờ: {d['name']}{mark}")
    lines.append(f"- Số lần cán bộ truy cập giấy tờ được ghi nhật ký: {data['accesses']}")
    return "\n".join(lines)


KIND_LABELS = dict(RequestKind.choices)
