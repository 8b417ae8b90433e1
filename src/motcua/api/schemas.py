"""Shapes of the REST API (OpenAPI is generated from them)."""

from datetime import date, datetime

from ninja import Schema
from pydantic import Field


class Error(Schema):
    code: str
    message: str
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
        ..., ge=0, description="phiên bản hồ sơ đã xem (`version` của GET); bắt buộc"
    )
    reason: str = ""
    content: str = ""
    note: str = ""
    result_summary: str = ""
    electronic: bool = False
    new_due_at: datetime | None = None
    to_unit: str | None = Field(None, description="mã đơn vị nhận (chuyển liên thông)")
    method: str = Field(
        "cash", description="hình thức nộp tại quầy: cash (tiền mặt), card (máy POS), transfer"
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
