"""REST API, version 1: the same selectors and services as the pages, with stable machine codes.

Callers: an officer's Django session (state-changing calls need the CSRF token) or a system token
(`Authorization: Bearer …`, `motcua tokens create`), which acts as its own account with ordinary
roles, so every permission answer is the pages' own. Errors are `{"code", "message", "field",
"details"}` with a Vietnamese message, for every status (docs/api.md)."""

import base64
import binascii
import json
import logging
from dataclasses import asdict
from datetime import date

from django.http import FileResponse, HttpRequest
from ninja import Field, File, Form, NinjaAPI, Query, Status, UploadedFile
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import django_auth

from motcua.api import schemas
from motcua.api.auth import SystemTokenAuth
from motcua.catalog.selectors import procedure_list, procedure_search
from motcua.core import health, timeutil
from motcua.core.errors import (
    DomainError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
)
from motcua.core.formatting import json_plain
from motcua.core.replica import figures_reads
from motcua.digitization.scans import max_scan_bytes
from motcua.digitization.selectors import dossier_result_metadata
from motcua.digitization.verdicts import Verification
from motcua.dossiers import lifecycle, services
from motcua.dossiers.models import Channel, Dossier, State
from motcua.dossiers.selectors import (
    dossier_available_actions,
    dossier_documents,
    dossier_get_for_user,
    dossier_inbox,
    dossier_list_for_user,
    dossier_steps,
    dossier_timeline,
)
from motcua.feedback import services as feedback_services
from motcua.feedback.models import FeedbackChannel, RatingChannel
from motcua.feedback.selectors import (
    dossier_rateable,
    feedback_get_for_user,
    rating_criteria,
    rating_get,
    rating_may_change,
    rating_may_record,
)
from motcua.indicators.selectors import RATE_COLUMNS, rate_dossiers, rates_for
from motcua.payments.selectors import dossier_amount_owed, dossier_fee_total, dossier_receipts
from motcua.privacy.models import AccessAction
from motcua.privacy.services import personal_data_access_record
from motcua.reports.selectors import form06_report, rates_report
from motcua.scorecard.definitions import DEFAULT_VERSION, scorecard_versions_list
from motcua.scorecard.selectors import scorecard_report
from motcua.sync.selectors import dossier_sync_state
from motcua.units.models import Unit
from motcua.units.selectors import (
    unit_get_by_code,
    unit_list_current,
    user_has_role,
    user_may_view_figures,
)

audit = logging.getLogger("motcua.audit")
logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Một Cửa API",
    version="1",
    description=(
        "Hồ sơ thủ tục hành chính, thao tác xử lý và chỉ số. Mọi lỗi: {code, message, field, "
        "details}. Xác thực: phiên đăng nhập của cán bộ hoặc khóa hệ thống (Bearer)."
    ),
    urls_namespace="api",
    auth=[SystemTokenAuth(), django_auth],
)

# Every operation answers these with the one error shape (the OpenAPI document lists them).
ERRORS = {status: schemas.Error for status in (400, 401, 403, 404, 409, 422, 500)}


class FileTooLarge(ValidationFailed):
    """An upload over its limit (cut off while it streamed in): 413."""


def _refuse_discarded(file, *, limit: int) -> None:
    """The upload handler cut the file off while it streamed in (`portal.uploads`): 413."""
    if getattr(file, "discarded", False):
        raise FileTooLarge(
            f"Tệp quá lớn; chỉ nhận tệp đến {limit} byte.",
            code="file_too_large",
            details={"field": "file", "limit": limit},
        )


# HTTP status by the kind of error; the machine code in the body stays the precise one.
STATUS_BY_ERROR = (
    (FileTooLarge, 413),
    (PermissionDenied, 403),
    (NotFound, 404),
    (StaleVersion, 409),
    (InvalidTransition, 409),
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, error: DomainError):
    status = next((code for kind, code in STATUS_BY_ERROR if isinstance(error, kind)), 400)
    body = error.as_dict()
    body.setdefault("field", error.details.get("field") if error.details else None)
    return api.create_response(request, body, status=status)


def _field_of(error: dict) -> str:
    # ("body", "body", "applicant", "name") → "applicant.name"; ("query", "page") → "page";
    # ("file", "file") → "file" (the first part names where the value came from)
    loc = [str(part) for part in error.get("loc", ())]
    if loc and loc[0] in ("body", "query", "path", "file", "form", "header"):
        loc = loc[1:]
    while loc and loc[0] == "body":
        loc = loc[1:]
    return ".".join(loc)


def _errors_out(errors: list) -> list[dict]:
    # Only what helps the caller: where and why (pydantic's `input` may echo megabytes back).
    return [
        {"field": _field_of(e), "type": str(e.get("type", "")), "message": str(e.get("msg", ""))}
        for e in errors[:20]
    ]


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, error: ValidationError):
    errors = _errors_out(error.errors)
    body = {
        "code": "validation_failed",
        "message": "Dữ liệu gửi lên không hợp lệ.",
        "field": errors[0]["field"] if errors else None,
        "details": {"errors": errors},
    }
    return api.create_response(request, body, status=422)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, error: HttpError):
    # ninja's own refusals (a body that is not JSON, a method not offered, …).
    body = {"code": "bad_request", "message": "Yêu cầu không hợp lệ."}
    if error.status_code == 405:
        body = {"code": "method_not_allowed", "message": "Phương thức không được hỗ trợ."}
    return api.create_response(request, body, status=error.status_code)


@api.exception_handler(Exception)
def server_error(request: HttpRequest, error: Exception):
    # Every error has the same shape, this one too; the details stay in the server's log.
    if health.database_lost(error):  # a database restart: 503 and a retry hint, not a 500
        return health.unavailable_response(request, error)
    logger.exception("API error on %s %s", request.method, request.path)
    body = {
        "code": "server_error",
        "message": "Hệ thống gặp lỗi khi xử lý yêu cầu. Vui lòng thử lại sau.",
    }
    return api.create_response(request, body, status=500)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, error: AuthenticationError):
    body = {"code": "not_authenticated", "message": "Vui lòng đăng nhập."}
    return api.create_response(request, body, status=401)


def _list_item(dossier: Dossier, now) -> dict:
    return {
        "code": dossier.code,
        "procedure_code": dossier.procedure.code,
        "procedure_name": dossier.procedure.name,
        "applicant_name": dossier.applicant_name,
        "applicant_id_masked": dossier.masked_id_number,
        "state": dossier.state,
        "state_label": str(State(dossier.state).label),
        "channel": dossier.channel,
        "received_at": dossier.received_at,
        "due_at": dossier.due_at,
        "overdue": bool(
            dossier.is_open and dossier.due_at and not dossier.clock_paused and dossier.due_at < now
        ),
        "version": dossier.last_event_seq,
    }


def _unit_ref(unit: Unit) -> dict:
    return {"code": unit.code, "name": unit.name}


PAGE_LIMIT = 10**6  # a page number past this is refused (422), never an offset overflow


@api.get("/inbox", response={200: schemas.DossierPage, **ERRORS}, tags=["hồ sơ"])
def dossiers_inbox(
    request,
    state: int | None = Query(None, ge=1, le=10),
    overdue: bool = False,
    page: int = Query(1, ge=1, le=PAGE_LIMIT),
):
    """Hộp việc của người dùng: hồ sơ đang ở đơn vị mình, quá hạn trước, rồi theo ngày hẹn trả."""
    size = 50
    rows = list(
        dossier_inbox(user=request.user, state=state, overdue_only=overdue)[
            (page - 1) * size : page * size + 1
        ]
    )
    now = timeutil.now()
    return {
        "items": [_list_item(d, now) for d in rows[:size]],
        "page": page,
        "has_next": len(rows) > size,
    }


def _cursor_out(pk: int) -> str:
    return base64.urlsafe_b64encode(f"id:{pk}".encode()).decode().rstrip("=")


def _cursor_in(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        pk = int(value)
        if kind != "id" or not 0 < pk < 2**63:
            raise ValueError
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed(
            "Con trỏ trang không hợp lệ.", code="cursor_invalid", details={"field": "cursor"}
        ) from None
    return pk


def _unit_or_404(code: str, *, field: str = "unit") -> Unit:
    unit = unit_get_by_code(code=code)
    if unit is None:
        raise NotFound(
            f"Không tìm thấy đơn vị mã {code}.", code="unit_not_found", details={"field": field}
        )
    return unit


class DossierFilters(schemas.Schema):
    state: int | None = Field(None, ge=1, le=10)
    procedure: str = Field("", max_length=64)
    channel: int | None = Field(None, ge=1, le=3)
    unit: str | None = Field(None, max_length=32, description="mã đơn vị: cây đơn vị thụ lý")
    received_from: schemas.Day | None = None
    received_to: schemas.Day | None = None
    cursor: str | None = Field(None, max_length=64)
    limit: int = Field(50, ge=1, le=200)


@api.get("/dossiers", response={200: schemas.DossierCursorPage, **ERRORS}, tags=["hồ sơ"])
def dossiers_list(request, filters: Query[DossierFilters]):
    """Mọi hồ sơ người dùng được xem, mới nhất trước; phân trang bằng con trỏ (`next_cursor`)."""
    rows = list(
        dossier_list_for_user(
            user=request.user,
            state=filters.state,
            procedure_code=filters.procedure,
            channel=filters.channel,
            unit=_unit_or_404(filters.unit) if filters.unit else None,
            received_from=filters.received_from,
            received_to=filters.received_to,
            before_id=_cursor_in(filters.cursor),
        )[: filters.limit + 1]
    )
    now = timeutil.now()
    page = rows[: filters.limit]
    return {
        "items": [_list_item(d, now) for d in page],
        "next_cursor": _cursor_out(page[-1].pk) if len(rows) > filters.limit else None,
    }


def _detail(request, dossier: Dossier) -> dict:
    audit.info("action=view user_id=%s dossier=%s via=api", request.user.pk, dossier.code)
    return {
        **_list_item(dossier, timeutil.now()),
        "unit": _unit_ref(dossier.unit),
        "current_unit": _unit_ref(dossier.current_unit),
        "current_role": dossier.current_role,
        "outcome": dossier.outcome,
        "summary": dossier.summary,
        "ended_at": dossier.ended_at,
        "returned_at": dossier.returned_at,
        "supplement_count": dossier.supplement_count,
        "fee_amount": dossier.fee_amount,
        "paid_online": dossier.paid_online,
        "available_actions": [
            lifecycle.BY_KIND[kind].slug
            for kind in dossier_available_actions(user=request.user, dossier=dossier)
        ],
        "events": [
            {
                "seq": e.seq,
                "kind": e.kind,
                "label": str(e.label),
                "at": e.at,
                "actor_name": e.actor_name,
                "unit_name": str(e.unit_name),
                "from_state": str(e.from_state),
                "to_state": str(e.to_state),
                "details": {str(label): str(value) for label, value in e.details},
            }
            for e in dossier_timeline(dossier=dossier)
        ],
        "steps": [
            {
                "seq": s.seq,
                "name": s.name,
                "unit": _unit_ref(s.unit),
                "role": s.role,
                "started_at": s.started_at,
                "due_at": s.due_at,
                "finished_at": s.finished_at,
                "on_time": s.on_time,
            }
            for s in dossier_steps(dossier=dossier)
        ],
    }


@api.get(
    "/dossiers/{code}",
    response={200: schemas.DossierDetail, **ERRORS},
    tags=["hồ sơ"],
)
def dossier_detail(request, code: str):
    return _detail(request, dossier_get_for_user(user=request.user, code=code))


@api.post(
    "/dossiers/{code}/actions/{action}",
    response={200: schemas.DossierDetail, **ERRORS},
    tags=["hồ sơ"],
)
def dossier_act(request, code: str, action: str, body: schemas.ActionIn):
    """Thực hiện một thao tác (`action` là một giá trị của `available_actions`); gửi kèm
    `expected_version` (số phiên bản đã xem) để tránh ghi đè. Mỗi thao tác chỉ dùng các trường
    của nó (xem docs/api.md)."""
    if action not in lifecycle.BY_SLUG:
        raise NotFound(f"Không có thao tác “{action}”.", code="action_unknown")
    dossier = dossier_get_for_user(user=request.user, code=code)
    inputs = body.dict(exclude={"expected_version"}, exclude_unset=True)
    services.dossier_perform(
        actor=request.user,
        dossier=dossier,
        slug=action,
        expected_version=body.expected_version,
        inputs=inputs,
    )
    return _detail(
        request,
        Dossier.objects.select_related("unit", "current_unit", "procedure").get(pk=dossier.pk),
    )


def _indicator_unit(request, code: str) -> Unit:
    unit = _unit_or_404(code)
    if not user_may_view_figures(user=request.user, unit=unit):
        raise PermissionDenied(f"Bạn không được xem số liệu của {unit.name}.")
    return unit


def _period(start: date, end: date) -> None:
    if start > end:
        raise ValidationFailed(
            "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.", code="period_invalid"
        )


class PeriodQuery(schemas.Schema):
    unit: str = Field(..., max_length=32)
    start: schemas.Day
    end: schemas.Day


@api.get(
    "/indicators/rates",
    response={200: dict[str, schemas.RateOut], **ERRORS},
    tags=["chỉ số"],
)
def indicator_rates(request, period: Query[PeriodQuery]):
    """Bốn tỷ lệ của chỉ thị cho cây đơn vị và kỳ (ngày địa phương, tính cả hai đầu)."""
    unit = _indicator_unit(request, period.unit)
    _period(period.start, period.end)
    with figures_reads():  # the figures alone (the drill-down reads the primary: core.replica)
        rates = rates_for(unit=unit, start=period.start, end=period.end)
    return {metric: rate.as_dict() for metric, rate in rates.items()}


@api.get(
    "/indicators/rates/{metric}/dossiers",
    response={200: schemas.DrilldownPage, **ERRORS},
    tags=["chỉ số"],
)
def indicator_rate_dossiers(
    request, metric: str, period: Query[PeriodQuery], page: int = Query(1, ge=1, le=PAGE_LIMIT)
):
    """Danh sách hồ sơ sau một tỷ lệ (mẫu số; `in_numerator` đánh dấu hồ sơ thuộc tử số)."""
    if metric not in RATE_COLUMNS:
        raise NotFound(f"Không có chỉ số “{metric}”.", code="metric_unknown")
    unit = _indicator_unit(request, period.unit)
    _period(period.start, period.end)
    size = 100
    denominator = rate_dossiers(unit=unit, start=period.start, end=period.end, metric=metric)
    rows = list(
        denominator.select_related("unit", "procedure").order_by("received_at", "pk")[
            (page - 1) * size : page * size + 1
        ]
    )
    in_numerator = set(
        rate_dossiers(
            unit=unit, start=period.start, end=period.end, metric=metric, part="numerator"
        )
        .filter(pk__in=[d.pk for d in rows])
        .values_list("pk", flat=True)
    )
    rate = rates_for(unit=unit, start=period.start, end=period.end)[metric]
    return {
        "metric": metric,
        "unit": _unit_ref(unit),
        "start": period.start,
        "end": period.end,
        "numerator": rate.numerator,
        "denominator": rate.denominator,
        "items": [
            {
                "code": d.code,
                "unit_code": d.unit.code,
                "procedure_code": d.procedure.code,
                "state": d.state,
                "received_at": d.received_at,
                "ended_at": d.ended_at,
                "due_at": d.due_at,
                "in_numerator": d.pk in in_numerator,
            }
            for d in rows[:size]
        ],
        "page": page,
        "has_next": len(rows) > size,
    }


# --- intake: a new dossier through every channel --------------------------------------------------


def _procedure_or_404(code: str):
    procedure = procedure_list(active_only=False).filter(code=code).first()
    if procedure is None:
        raise NotFound(
            f"Không tìm thấy thủ tục mã {code}.",
            code="procedure_not_found",
            details={"field": "procedure"},
        )
    return procedure


@api.post("/dossiers", response={201: schemas.DossierDetail, **ERRORS}, tags=["hồ sơ"])
def dossier_create(request, body: schemas.DossierIn):
    """Tiếp nhận hồ sơ: trực tiếp hoặc bưu chính (1, 3: tại bộ phận một cửa của `unit`, cần vai
    trò cán bộ tiếp nhận ở đó) hoặc trực tuyến (2: hồ sơ chờ tiếp nhận, như nộp trên cổng)."""
    unit = _unit_or_404(body.unit)
    procedure = _procedure_or_404(body.procedure)
    wanted = list(dict.fromkeys(body.components))
    catalogue = {c.code: c for c in procedure.components.filter(code__in=wanted)}
    unknown = [code for code in wanted if code not in catalogue]
    if unknown:
        raise ValidationFailed(
            f"Thủ tục không có thành phần hồ sơ mã: {', '.join(unknown)}.",
            code="component_unknown",
            details={"field": "components", "unknown": unknown},
        )
    components = [
        services.ReceivedComponent(name=catalogue[code].name, component=catalogue[code])
        for code in wanted
    ]
    applicant = services.Applicant(**body.applicant.dict())
    if body.channel == Channel.ONLINE:
        # An online filing relayed by a system or an officer: the caller must work in that unit
        # (a citizen files on the portal, not here).
        if not user_has_role(user=request.user, role=lifecycle.OFFICER_ROLES, unit=unit):
            raise PermissionDenied(f"Bạn không có vai trò tại {unit.name}.")
        dossier = services.dossier_submit_online(
            actor=request.user,
            unit=unit,
            procedure=procedure,
            applicant=applicant,
            summary=body.summary,
            components=components,
        )
    else:
        dossier = services.dossier_receive(
            actor=request.user,
            unit=unit,
            procedure=procedure,
            applicant=applicant,
            channel=body.channel,
            summary=body.summary,
            components=components,
            missing_components_reason=body.missing_components_reason,
            processing_unit=(
                _unit_or_404(body.processing_unit, field="processing_unit")
                if body.processing_unit
                else None
            ),
        )
    return Status(201, _detail(request, dossier_get_for_user(user=request.user, code=dossier.code)))


# --- a dossier's documents and payments -----------------------------------------------------------


@api.get(
    "/dossiers/{code}/documents",
    response={200: list[schemas.DocumentOut], **ERRORS},
    tags=["hồ sơ"],
)
def dossier_documents_list(request, code: str):
    """Giấy tờ của hồ sơ (thành phần, kết quả, thông báo); tệp mở trên trang hồ sơ."""
    dossier = dossier_get_for_user(user=request.user, code=code)
    return [
        {
            "id": row.document.pk,
            "name": row.document.name,
            "kind": row.document.kind,
            "component_code": row.document.component.code if row.document.component else None,
            "digitized": row.document.digitized,
            "reused": row.document.reused,
            "has_file": bool(row.document.file),
            "supplement": row.supplement,
            "added_at": row.document.added_at,
        }
        for row in dossier_documents(dossier=dossier)
    ]


@api.get("/dossiers/{code}/payments", response={200: schemas.PaymentsOut, **ERRORS}, tags=["hồ sơ"])
def dossier_payments(request, code: str):
    """Phí, lệ phí của hồ sơ: tổng, còn phải nộp, biên lai."""
    dossier = dossier_get_for_user(user=request.user, code=code)
    return {
        "fee_total": dossier_fee_total(dossier=dossier),
        "amount_owed": dossier_amount_owed(dossier=dossier),
        "paid_online": dossier.paid_online,
        "receipts": [
            {"number": r.number, "method": r.method, "amount": r.amount, "issued_at": r.issued_at}
            for r in dossier_receipts(dossier=dossier)
        ],
    }


# --- reference data: procedures and units ---------------------------------------------------------


def _procedure_item(procedure) -> dict:
    return {
        "code": procedure.code,
        "national_code": procedure.national_code,
        "name": procedure.name,
        "field_name": procedure.field.name,
        "level": procedure.level,
        "online_level": procedure.online_level,
        "active": procedure.active,
    }


class ProcedureFilters(schemas.Schema):
    q: str = Field("", max_length=200, description="từ khóa, không cần dấu")
    level: str = Field("", max_length=16)
    cursor: str | None = Field(None, max_length=64)
    limit: int = Field(100, ge=1, le=500)


@api.get("/procedures", response={200: schemas.ProcedurePage, **ERRORS}, tags=["thủ tục"])
def procedures_list(request, filters: Query[ProcedureFilters]):
    """Thủ tục đang áp dụng (tìm theo từ khóa không dấu), phân trang bằng con trỏ."""
    queryset = procedure_search(query=filters.q, level=filters.level).order_by("pk")
    after = _cursor_in(filters.cursor)
    if after is not None:
        queryset = queryset.filter(pk__gt=after)
    rows = list(queryset[: filters.limit + 1])
    page = rows[: filters.limit]
    return {
        "items": [_procedure_item(p) for p in page],
        "next_cursor": _cursor_out(page[-1].pk) if len(rows) > filters.limit else None,
    }


@api.get("/procedures/{code}", response={200: schemas.ProcedureDetail, **ERRORS}, tags=["thủ tục"])
def procedure_detail(request, code: str):
    procedure = _procedure_or_404(code)
    return {
        **_procedure_item(procedure),
        "time_limit_value": float(procedure.time_limit_value),
        "time_limit_unit": procedure.time_limit_unit,
        "result_kind": procedure.result_kind,
        "components": [
            {"code": c.code, "name": c.name, "required": c.required}
            for c in procedure.components.order_by("position", "pk")
        ],
        "fees": [{"name": f.name, "amount": int(f.amount)} for f in procedure.fees.all()],
    }


@api.get("/units", response={200: list[schemas.UnitItem], **ERRORS}, tags=["đơn vị"])
def units_list(request, under: str | None = Query(None, max_length=32)):
    """Đơn vị đang hoạt động (cả cây, hoặc cây con của `under`), theo đường dẫn cây."""
    units = unit_list_current().select_related("parent")
    if under:
        units = units.filter(path__startswith=_unit_or_404(under, field="under").path)
    return [
        {
            "code": u.code,
            "name": u.name,
            "level": u.level,
            "parent_code": u.parent.code if u.parent_id else None,
            "agency_id": u.agency_id,
        }
        for u in units
    ]


# --- reports ---------------------------------------------------------------------------------------


@api.get("/reports/rates", response={200: dict, **ERRORS}, tags=["báo cáo"])
def report_rates(request, period: Query[PeriodQuery]):
    """Báo cáo bốn tỷ lệ của đơn vị và các đơn vị trực thuộc (như lệnh `motcua rates --json`)."""
    unit = _indicator_unit(request, period.unit)
    _period(period.start, period.end)
    return rates_report(unit=unit, start=period.start, end=period.end)


@api.get("/reports/form06", response={200: dict, **ERRORS}, tags=["báo cáo"])
def report_form06(request, period: Query[PeriodQuery]):
    """Số liệu mẫu 06 của cây đơn vị trong kỳ (như `motcua report form06 --json`)."""
    unit = _indicator_unit(request, period.unit)
    _period(period.start, period.end)
    return form06_report(unit=unit, start=period.start, end=period.end)


class ScorecardQuery(PeriodQuery):
    version: str = Field(DEFAULT_VERSION, max_length=32)
    with_predecessors: bool = False


@api.get("/reports/scorecard", response={200: dict, **ERRORS}, tags=["báo cáo"])
def report_scorecard(request, period: Query[ScorecardQuery]):
    """Bảng điểm Quyết định 766 của đơn vị (cơ quan xử lý) và cây trực thuộc — cùng dạng với
    `motcua scorecard --json` (docs/scorecard.md)."""
    unit = _indicator_unit(request, period.unit)
    _period(period.start, period.end)
    if period.version not in scorecard_versions_list():
        raise ValidationFailed(
            f"Không có phiên bản bảng điểm “{period.version}”.",
            code="scorecard_version_unknown",
            details={"field": "version"},
        )
    report = scorecard_report(
        unit=unit,
        start=period.start,
        end=period.end,
        version=period.version,
        with_predecessors=period.with_predecessors,
    )
    return json.loads(json.dumps(report, default=json_plain))


# --- feedback (phản ánh, kiến nghị) --------------------------------------------------------------


def _feedback_out(item) -> dict:
    return {
        "code": item.reference,
        "status": item.status,
        "unit_code": item.unit.code,
        "dossier_code": item.dossier.code if item.dossier_id else None,
        "category": item.category,
        "channel": item.channel,
        "sent_at": item.sent_at,
        "late": item.late,
    }


@api.post("/feedback", response={201: schemas.FeedbackOut, **ERRORS}, tags=["phản ánh"])
def feedback_create(request, body: schemas.FeedbackIn):
    """Tiếp nhận một phản ánh, kiến nghị mà hệ thống khác đã nhận (cần vai trò tại cơ quan tiếp
    nhận); thời hạn tính từ `sent_at`, thời điểm công dân gửi."""
    unit = _unit_or_404(body.unit)
    dossier = None
    if body.dossier:
        dossier = dossier_get_for_user(user=request.user, code=body.dossier)
    item = feedback_services.feedback_receive(
        name=body.name,
        content=body.content,
        phone=body.phone,
        email=body.email,
        channel=FeedbackChannel.API,
        unit=unit,
        dossier=dossier,
        category=body.category,
        actor=request.user,
        at=body.sent_at,
    )
    return Status(201, _feedback_out(item))


@api.get("/feedback/{code}", response={200: schemas.FeedbackOut, **ERRORS}, tags=["phản ánh"])
def feedback_detail(request, code: str):
    """Một phản ánh, kiến nghị (mã PAKN-…) trong phạm vi đơn vị của người gọi."""
    item = feedback_get_for_user(user=request.user, reference=code)
    if item is None:
        raise NotFound(f"Không tìm thấy phản ánh {code}.", code="feedback_not_found")
    return _feedback_out(item)


@api.get("/dossiers/{code}/sync", response={200: schemas.SyncStateOut, **ERRORS}, tags=["hồ sơ"])
def dossier_sync(request, code: str):
    """Trạng thái đồng bộ hồ sơ lên Cổng Dịch vụ công quốc gia."""
    dossier = dossier_get_for_user(user=request.user, code=code)
    state = dossier_sync_state(dossier=dossier)
    return {**asdict(state), "synced_to_portal": dossier.synced_to_portal}


# --- satisfaction ratings -------------------------------------------------------------------------


def _rating_out(dossier: Dossier) -> dict:
    rating = rating_get(dossier=dossier)
    given = {s.criterion_id: s.score for s in rating.scores.all()} if rating is not None else {}
    return {
        "dossier_code": dossier.code,
        "rateable": dossier_rateable(dossier=dossier),
        "may_change": dossier_rateable(dossier=dossier) and rating_may_change(rating=rating),
        "criteria": [
            {"code": c.code, "name": c.name, "score": given.get(c.pk)} for c in rating_criteria()
        ],
        "rating": (
            None
            if rating is None
            else {
                "score": rating.score,
                "comment": rating.comment,
                "channel": rating.channel,
                "created_at": rating.created_at,
                "updated_at": rating.updated_at,
                "changes": rating.changes,
            }
        ),
    }


@api.get("/dossiers/{code}/rating", response={200: schemas.RatingOut, **ERRORS}, tags=["đánh giá"])
def dossier_rating(request, code: str):
    """Đánh giá mức độ hài lòng của hồ sơ theo từng tiêu chí (`rating` null khi chưa có), và các
    tiêu chí đang dùng để gửi đánh giá."""
    return _rating_out(dossier_get_for_user(user=request.user, code=code))


@api.post(
    "/dossiers/{code}/rating",
    response={200: schemas.RatingOut, 201: schemas.RatingOut, **ERRORS},
    tags=["đánh giá"],
)
def dossier_rating_submit(request, code: str, body: schemas.RatingIn):
    """Ghi đánh giá của công dân thay cho máy đánh giá, quầy của bộ phận một cửa nơi nộp hồ sơ
    (cần vai trò cán bộ tiếp nhận ở đó). Đánh giá lại trong thời hạn sửa thay đánh giá trước
    (200); lần đầu 201."""
    dossier = dossier_get_for_user(user=request.user, code=code)
    if not rating_may_record(user=request.user, dossier=dossier):
        raise PermissionDenied(
            f"Chỉ bộ phận tiếp nhận của {dossier.receiving_unit.name} ghi được đánh giá hồ sơ này."
        )
    existed = rating_get(dossier=dossier) is not None
    feedback_services.rating_submit(
        dossier=dossier, scores=body.scores, comment=body.comment, channel=RatingChannel.KIOSK
    )
    audit.info("action=rating user_id=%s dossier=%s via=api", request.user.pk, dossier.code)
    return Status(200 if existed else 201, _rating_out(dossier))


# --- results --------------------------------------------------------------------------------------


@api.get("/dossiers/{code}/result", response={200: schemas.ResultOut, **ERRORS}, tags=["kết quả"])
def dossier_result(request, code: str):
    """Kết quả của hồ sơ: đã ký số chưa, người ký, đơn vị, thời điểm, hình thức nhận, số hiệu
    bưu gửi."""
    dossier = dossier_get_for_user(user=request.user, code=code)
    meta = dossier_result_metadata(dossier=dossier)
    return {
        "dossier_code": dossier.code,
        "state": dossier.state,
        "resolved": meta.resolved,
        "outcome": dossier.outcome,
        "summary": dossier.result_summary,
        "electronic": meta.electronic,
        "signed": meta.signed,
        "signer": meta.signer,
        "unit": _unit_ref(meta.unit) if meta.unit is not None else None,
        "signed_at": meta.signed_at,
        "sha256": meta.sha256,
        "document_code": meta.document_code,
        "delivery": meta.delivery,
        "tracking_number": meta.tracking_number,
        "returned_at": meta.returned_at,
        "download": meta.signed,
    }


PDF_RESPONSE = {
    "responses": {
        "200": {
            "description": "Tệp PDF kết quả đã ký số",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@api.get(
    "/dossiers/{code}/result/file",
    response=ERRORS,
    tags=["kết quả"],
    openapi_extra=PDF_RESPONSE,
)
def dossier_result_file(request, code: str):
    """Tải tệp PDF kết quả đã ký số của hồ sơ. Mỗi lần tải được ghi vào nhật ký truy cập dữ liệu
    cá nhân."""
    dossier = dossier_get_for_user(user=request.user, code=code)
    document = dossier_result_metadata(dossier=dossier).document
    if document is None or not document.file.storage.exists(document.file.name):
        raise NotFound("Hồ sơ chưa có tệp kết quả điện tử đã ký số.", code="result_file_missing")
    # The result names the applicant: a download is an access to personal data, logged and kept.
    personal_data_access_record(
        user=request.user, action=AccessAction.VIEW_DOCUMENT, dossier=dossier, document=document
    )
    response = FileResponse(
        document.file.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"ket-qua-{dossier.code}.pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@api.post(
    "/results/verify",
    response={200: schemas.VerificationOut, 413: schemas.Error, **ERRORS},
    tags=["kết quả"],
)
def result_verify(request, file: File[UploadedFile]):
    """Xác thực chữ ký số của một tệp PDF kết quả (multipart, trường `file`): trả lời như
    `motcua result verify --json`; `valid` false kèm mã lý do khi tệp không hợp lệ. Tệp không
    được lưu."""
    from motcua.digitization.views import max_bytes

    _refuse_discarded(file, limit=max_bytes())
    # pyHanko is slow to import: loaded with the first file checked (as the public page does).
    from motcua.digitization.services import result_pdf_verify

    file.seek(0)
    verification: Verification = result_pdf_verify(pdf=file.read())
    logger.info("result verification via api: %s", verification.code)
    return {**verification.as_dict(), "signed_at": verification.signed_at}


# --- the drafted result (its own door: a file upload) ----------------------------------------------


@api.post(
    "/dossiers/{code}/result-draft",
    response={200: schemas.DossierDetail, 413: schemas.Error, **ERRORS},
    tags=["hồ sơ"],
)
def dossier_result_draft_upload(
    request,
    code: str,
    file: File[UploadedFile],
    expected_version: Form[int],
):
    """Đính kèm (hoặc thay) dự thảo kết quả: tệp PDF gửi dạng multipart (`file`) kèm
    `expected_version`; lãnh đạo ký số dự thảo khi phê duyệt kết quả điện tử (docs/api.md)."""
    dossier = dossier_get_for_user(user=request.user, code=code)
    _refuse_discarded(file, limit=max_scan_bytes())
    services.dossier_attach_result_draft(
        actor=request.user,
        dossier=dossier,
        draft=file,
        name=file.name or "",
        expected_version=expected_version,
    )
    return _detail(
        request,
        Dossier.objects.select_related("unit", "current_unit", "procedure").get(pk=dossier.pk),
    )
