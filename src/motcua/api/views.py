"""REST API, version 1: the same selectors and services as the pages, with stable machine codes.

Authentication is the Django session for now (officers' browsers and the dashboard); state-changing
calls need the CSRF token. Errors are `{"code", "message", "details"}` with a Vietnamese message."""

import logging
from datetime import date

from django.http import HttpRequest
from ninja import NinjaAPI, Query
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import django_auth

from motcua.api import schemas
from motcua.core import health, timeutil
from motcua.core.errors import (
    DomainError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
)
from motcua.dossiers import lifecycle, services
from motcua.dossiers.models import Dossier, State
from motcua.dossiers.selectors import (
    dossier_available_actions,
    dossier_get_for_user,
    dossier_inbox,
    dossier_steps,
    dossier_timeline,
)
from motcua.indicators.selectors import RATE_COLUMNS, rate_dossiers, rates_for
from motcua.units.models import Unit
from motcua.units.selectors import unit_get_by_code, user_may_view_figures

audit = logging.getLogger("motcua.audit")
logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Một Cửa API",
    version="1",
    description="Hồ sơ thủ tục hành chính, thao tác xử lý và chỉ số. Lỗi: {code, message, details}.",
    urls_namespace="api",
    auth=django_auth,
)

# HTTP status by the kind of error; the machine code in the body stays the precise one.
STATUS_BY_ERROR = (
    (PermissionDenied, 403),
    (NotFound, 404),
    (StaleVersion, 409),
    (InvalidTransition, 409),
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, error: DomainError):
    status = next((code for kind, code in STATUS_BY_ERROR if isinstance(error, kind)), 400)
    return api.create_response(request, error.as_dict(), status=status)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, error: ValidationError):
    body = {
        "code": "validation_failed",
        "message": "Dữ liệu gửi lên không hợp lệ.",
        "details": {"errors": error.errors},
    }
    return api.create_response(request, body, status=422)


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


@api.get("/dossiers", response=schemas.DossierPage, tags=["hồ sơ"])
def dossiers_list(request, state: int | None = None, overdue: bool = False, page: int = 1):
    """Hồ sơ đang ở đơn vị của người dùng: quá hạn trước, rồi theo ngày hẹn trả."""
    page = max(1, page)
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
    response={200: schemas.DossierDetail, 403: schemas.Error, 404: schemas.Error},
    tags=["hồ sơ"],
)
def dossier_detail(request, code: str):
    return _detail(request, dossier_get_for_user(user=request.user, code=code))


@api.post(
    "/dossiers/{code}/actions/{action}",
    response={
        200: schemas.DossierDetail,
        400: schemas.Error,
        403: schemas.Error,
        404: schemas.Error,
        409: schemas.Error,
        422: schemas.Error,
    },
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
    unit = unit_get_by_code(code=code)
    if unit is None:
        raise NotFound(f"Không tìm thấy đơn vị mã {code}.", code="unit_not_found")
    if not user_may_view_figures(user=request.user, unit=unit):
        raise PermissionDenied(f"Bạn không được xem số liệu của {unit.name}.")
    return unit


def _period(start: date, end: date) -> None:
    if start > end:
        raise ValidationFailed(
            "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.", code="period_invalid"
        )


class PeriodQuery(schemas.Schema):
    unit: str
    start: date
    end: date


@api.get(
    "/indicators/rates",
    response={200: dict[str, schemas.RateOut], 403: schemas.Error, 404: schemas.Error},
    tags=["chỉ số"],
)
def indicator_rates(request, period: Query[PeriodQuery]):
    """Bốn tỷ lệ của chỉ thị cho cây đơn vị và kỳ (ngày địa phương, tính cả hai đầu)."""
    unit = _indicator_unit(request, period.unit)
    _period(period.start, period.end)
    return {
        metric: rate.as_dict()
        for metric, rate in rates_for(unit=unit, start=period.start, end=period.end).items()
    }


@api.get(
    "/indicators/rates/{metric}/dossiers",
    response={
        200: schemas.DrilldownPage,
        400: schemas.Error,
        403: schemas.Error,
        404: schemas.Error,
    },
    tags=["chỉ số"],
)
def indicator_rate_dossiers(request, metric: str, period: Query[PeriodQuery], page: int = 1):
    """Danh sách hồ sơ sau một tỷ lệ (mẫu số; `in_numerator` đánh dấu hồ sơ thuộc tử số)."""
    if metric not in RATE_COLUMNS:
        raise NotFound(f"Không có chỉ số “{metric}”.", code="metric_unknown")
    unit = _indicator_unit(request, period.unit)
    _period(period.start, period.end)
    page = max(1, page)
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
