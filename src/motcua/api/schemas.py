"""Shapes of the REST API (OpenAPI is generated from them)."""

from datetime import date, datetime
from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, Field

# Dates and moments the API takes: a year outside these is a mistake (or a probe), answered 422
# before any date arithmetic can overflow (year 1 minus UTC+7, year 9999 plus a day).
from motcua.core.forms import EARLIEST_YEAR, LATEST_YEAR


def _year_in_range(value):
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"năm phải từ {EARLIEST_YEAR} đến {LATEST_YEAR}")
    return value


Day = Annotated[date, AfterValidator(_year_in_range)]
Moment = Annotated[datetime, AfterValidator(_year_in_range)]


# Longest free text an action or an intake takes (the services refuse longer, too).
TEXT_LIMIT = 2000


class Error(Schema):
    """Every error of the API, 422 and 500 included."""

    code: str = Field(..., description="mã lỗi ổn định cho máy")
    message: str = Field(..., description="thông báo bằng tiếng Việt")
    field: str | None = Field(None, description="trường gây lỗi, nếu có")
    details: dict | None = None


class UnitRef(Schema):
    code: str
    name: str


class DossierListItem(Schema):
    code: str
    procedure_code: str
    procedure_name: str
    applicant_name: str
    applicant_id_masked: str
    state: int
    state_label: str
    channel: int
    received_at: datetime | None
    due_at: datetime | None
    overdue: bool
    version: int


class DossierPage(Schema):
    items: list[DossierListItem]
    page: int
    has_next: bool


class DossierCursorPage(Schema):
    items: list[DossierListItem]
    next_cursor: str | None = Field(None, description="gửi lại làm `cursor` để lấy trang sau")


class Event(Schema):
    seq: int
    kind: str
    label: str
    at: datetime
    actor_name: str
    unit_name: str
    from_state: str
    to_state: str
    details: dict[str, str]


class Step(Schema):
    seq: int
    name: str
    unit: UnitRef
    role: str
    started_at: datetime
    due_at: datetime | None
    finished_at: datetime | None
    on_time: bool | None


class DossierDetail(DossierListItem):
    unit: UnitRef
    current_unit: UnitRef
    current_role: str
    outcome: str
    summary: str
    ended_at: datetime | None
    returned_at: datetime | None
    supplement_count: int
    fee_amount: int
    paid_online: bool
    available_actions: list[str]
    events: list[Event]
    steps: list[Step]


class ActionIn(Schema):
    """The inputs of every action; each action reads only its own (dossiers.lifecycle)."""

    # Required: an action taken on a dossier someone changed since is refused (409), never applied
    # over their change.
    expected_version: int = Field(
        ..., ge=0, le=2**31 - 1, description="phiên bản hồ sơ đã xem (`version` của GET); bắt buộc"
    )
    reason: str = Field("", max_length=TEXT_LIMIT)
    content: str = Field("", max_length=TEXT_LIMIT)
    note: str = Field("", max_length=TEXT_LIMIT)
    result_summary: str = Field("", max_length=TEXT_LIMIT)
    electronic: bool = False
    new_due_at: Moment | None = None
    to_unit: str | None = Field(
        None, max_length=32, description="mã đơn vị nhận (chuyển liên thông)"
    )
    method: str = Field(
        "cash",
        max_length=16,
        description="hình thức nộp tại quầy: cash (tiền mặt), card (máy POS), transfer",
    )
    amount: int | None = Field(None, ge=0, le=10**15, description="số tiền, đồng")
    reference: str = Field("", max_length=100, description="số biên lai, mã giao dịch")
    tracking_number: str = Field(
        "", max_length=64, description="số hiệu bưu gửi (trả kết quả qua bưu chính công ích)"
    )


class RateOut(Schema):
    numerator: int
    denominator: int
    percent: float | None


class DrilldownItem(Schema):
    code: str
    unit_code: str
    procedure_code: str
    state: int
    received_at: datetime | None
    ended_at: datetime | None
    due_at: datetime | None
    in_numerator: bool


class DrilldownPage(Schema):
    metric: str
    unit: UnitRef
    start: date
    end: date
    numerator: int
    denominator: int
    items: list[DrilldownItem]
    page: int
    has_next: bool


class ApplicantIn(Schema):
    name: str = Field(..., max_length=255)
    id_number: str = Field("", max_length=20)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=500)


class DossierIn(Schema):
    """A new dossier: handed in at the desk (channel 1), filed online (2) or by post (3)."""

    channel: int = Field(..., ge=1, le=3, description="1 trực tiếp, 2 trực tuyến, 3 bưu chính")
    unit: str = Field(..., max_length=32, description="mã đơn vị tiếp nhận (trực tuyến: nơi nộp)")
    procedure: str = Field(..., max_length=64, description="mã thủ tục")
    processing_unit: str | None = Field(None, max_length=32, description="cơ quan giải quyết")
    applicant: ApplicantIn
    summary: str = Field("", max_length=TEXT_LIMIT)
    components: list[str] = Field(
        default_factory=list, max_length=100, description="mã các thành phần hồ sơ đã nộp"
    )
    missing_components_reason: str = Field("", max_length=TEXT_LIMIT)


class ProcedureItem(Schema):
    code: str
    national_code: str
    name: str
    field_name: str
    level: str
    online_level: str
    active: bool


class ComponentOut(Schema):
    code: str
    name: str
    required: bool


class FeeOut(Schema):
    name: str
    amount: int


class ProcedureDetail(ProcedureItem):
    time_limit_value: float
    time_limit_unit: str
    result_kind: str
    components: list[ComponentOut]
    fees: list[FeeOut]


class ProcedurePage(Schema):
    items: list[ProcedureItem]
    next_cursor: str | None = None


class UnitItem(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None
    agency_id: str


class DocumentOut(Schema):
    id: int
    name: str
    kind: str
    component_code: str | None
    digitized: bool
    reused: bool
    has_file: bool
    supplement: bool
    added_at: datetime | None


class ReceiptOut(Schema):
    number: str
    method: str
    amount: int
    issued_at: datetime


class PaymentsOut(Schema):
    fee_total: int
    amount_owed: int
    paid_online: bool
    receipts: list[ReceiptOut]


class SyncStateOut(Schema):
    state: str = Field(..., description="synced | pending | failed | not_sent")
    label: str
    added: bool
    trail_sent: int
    pending: int
    dead: int
    attempts: int
    last_error: str
    next_attempt_at: datetime | None
    last_delivery_at: datetime | None
    synced_to_portal: bool


class FeedbackIn(Schema):
    """A feedback (phản ánh, kiến nghị) another system received: the national portal's PAKN
    system, a hotline. `sent_at`: when the citizen sent it (the clock of its deadlines)."""

    name: str = Field(..., max_length=255)
    content: str = Field(..., max_length=TEXT_LIMIT)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    unit: str = Field(..., max_length=32, description="mã cơ quan tiếp nhận")
    dossier: str | None = Field(None, max_length=64, description="mã hồ sơ được phản ánh")
    category: str = Field(
        "", max_length=16, description="rules | conduct (để trống: chưa phân loại)"
    )
    sent_at: Moment | None = None


class FeedbackOut(Schema):
    code: str
    status: str
    unit_code: str
    dossier_code: str | None
    category: str
    channel: str
    sent_at: datetime
    late: bool


class CriterionScore(Schema):
    code: str
    name: str
    score: int | None = Field(None, description="1–5 (1 rất không hài lòng … 5 rất hài lòng)")


class RatingDetail(Schema):
    score: int = Field(..., description="mức hài lòng chung: trung bình làm tròn của các tiêu chí")
    comment: str
    channel: str = Field(..., description="portal | kiosk | link")
    created_at: datetime
    updated_at: datetime
    changes: int


class RatingOut(Schema):
    dossier_code: str
    rateable: bool = Field(..., description="hồ sơ đã có kết quả (trạng thái 9 hoặc 10)")
    may_change: bool = Field(..., description="còn được đánh giá hoặc sửa đánh giá")
    criteria: list[CriterionScore]
    rating: RatingDetail | None


class RatingIn(Schema):
    """A citizen's rating recorded by a desk's kiosk or counter system: a score per active
    criterion (the criteria's codes are in `GET …/rating`)."""

    scores: dict[str, int] = Field(..., max_length=50, description="mã tiêu chí → điểm 1–5")
    comment: str = Field("", max_length=TEXT_LIMIT)


class ResultOut(Schema):
    dossier_code: str
    state: int
    resolved: bool = Field(..., description="đã có kết quả (trạng thái 9 hoặc 10)")
    outcome: str
    summary: str
    electronic: bool = Field(..., description="kết quả là văn bản điện tử")
    signed: bool = Field(..., description="có tệp PDF kết quả đã ký số lưu cùng hồ sơ")
    signer: str | None = Field(None, description="người phê duyệt và ký")
    unit: UnitRef | None = Field(None, description="đơn vị ký, phê duyệt kết quả")
    signed_at: datetime | None
    sha256: str | None = None
    document_code: str | None = Field(None, description="MaGiayToKetQua: KQ.<mã hồ sơ>")
    delivery: str = Field(..., description="desk | post | online (trống: tại quầy)")
    tracking_number: str = Field(..., description="số hiệu bưu gửi BCCI, khi trả qua bưu chính")
    returned_at: datetime | None
    download: bool = Field(..., description="có thể tải tệp: GET …/result/file")


class VerificationOut(Schema):
    """What `motcua result verify --json` answers (docs/results.md, Verification)."""

    valid: bool
    code: str = Field(..., description="valid | unsigned | modified | modified_after_signing | …")
    message: str
    signer: str | None
    unit_code: str | None
    unit_name: str | None
    signed_at: datetime | None
    dossier_code: str | None
    certificate_subject: str | None
    certificate_fingerprint: str | None
    signatures: int
    demo: bool
    notice: str | None = None
