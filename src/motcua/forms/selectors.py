"""What each official form shows, read from the dossier, its event log and its control slip.

Forms are printed from the events (the truth): the supplement request shows the content of the last
`supplement_requested` event, the apology its old and new dates, and so on. A form that does not apply
to the dossier is refused with a Vietnamese `ValidationFailed`, never printed half empty."""

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from motcua.core import timeutil
from motcua.core.errors import ValidationFailed
from motcua.core.formatting import date_vi, datetime_vi, number_vi
from motcua.dossiers.models import (
    Channel,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierStep,
    Outcome,
)
from motcua.dossiers.selectors import dossier_events
from motcua.portal.selectors import dossier_tracking_url
from motcua.units.models import Role, Unit, UnitLevel
from motcua.units.selectors import unit_leader
from motcua.units.services import unit_derive_short_name

# The forms of Circular 03/2025/TT-VPCP (15/9/2025, replacing Circular 01/2018/TT-VPCP), under
# its numbers and titles. The exact field lists of each form are not confirmed (docs/forms.md).
CIRCULAR = _("Thông tư số 03/2025/TT-VPCP ngày 15/9/2025 của Văn phòng Chính phủ")
LEGAL_BASIS = _("Ban hành kèm theo %(circular)s")


@dataclass(frozen=True)
class FormKind:
    kind: str  # code name, the `kind` of form_render_pdf
    slug: str  # Vietnamese URL part: /bieu-mau/<code>/<slug>.pdf
    number: str  # "01" … "07": Mẫu số of the circular
    title: Any
    template: str
    # Event kinds the form is printed from (the last one counts); empty: needs only the receipt.
    events: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return form_number_label(number=self.number)


FORM_KINDS: tuple[FormKind, ...] = (
    FormKind(
        "receipt",
        "giay-tiep-nhan",
        "01",
        _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
        "officialforms/receipt.html",
    ),
    FormKind(
        "supplement",
        "phieu-yeu-cau-bo-sung",
        "02",
        _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
        "officialforms/supplement.html",
        ("supplement_requested",),
    ),
    FormKind(
        "rejection",
        "phieu-tu-choi",
        "03",
        _("Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
        "officialforms/rejection.html",
        ("not_accepted", "rejected"),
    ),
    FormKind(
        "apology",
        "phieu-xin-loi",
        "04",
        _("Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"),
        "officialforms/apology.html",
        ("apologised",),
    ),
    FormKind(
        "stop",
        "thong-bao-dung-xu-ly",
        "05",
        _("Thông báo dừng giải quyết hồ sơ"),
        "officialforms/stop.html",
        ("stopped",),
    ),
    FormKind(
        "control_slip",
        "phieu-kiem-soat",
        "06",
        _("Phiếu kiểm soát quá trình giải quyết hồ sơ"),
        "officialforms/control_slip.html",
    ),
)
BY_KIND = {f.kind: f for f in FORM_KINDS}
BY_SLUG = {f.slug: f for f in FORM_KINDS}

LOGBOOK_NUMBER = "07"
LOGBOOK_TITLE = _("Sổ theo dõi hồ sơ")


def form_legal_basis() -> str:
    """ "Ban hành kèm theo Thông tư số 03/2025/TT-VPCP …", printed under each form's number."""
    return str(LEGAL_BASIS) % {"circular": str(CIRCULAR)}


def form_number_label(*, number: str) -> str:
    """ "Mẫu số 01" """
    return gettext("Mẫu số %(number)s") % {"number": number}


LOGBOOK_TEMPLATE = "officialforms/logbook.html"
# One printed register stays printable: a year at most, and a row cap well above a commune's year.
LOGBOOK_MAX_DAYS = 366
LOGBOOK_MAX_ROWS = 3000

DESK_BODY = _("Bộ phận tiếp nhận và trả kết quả")
_ADMINISTRATIVE_LEVELS = (UnitLevel.COMMUNE, UnitLevel.DISTRICT, UnitLevel.PROVINCE)


def form_kind_get(*, kind: str) -> FormKind:
    form = BY_KIND.get(kind) or BY_SLUG.get(kind)
    if form is None:
        raise ValidationFailed(
            gettext("Không có biểu mẫu “%(kind)s”.") % {"kind": kind}, code="form_kind_unknown"
        )
    return form


# --- QR code (Circular 01/2023/TT-VPCP) ------------------------------------------------------------


def form_qr_payload(*, dossier: Dossier) -> str:
    """Compact JSON with the national portal's field names (docs/domain.md §10) — dossier code,
    procedure code, the applicant's identifier masked to its last four characters (personal data:
    a printed slip travels; the code and the masked number are enough to look the dossier up) —
    and the portal's tracking address for a phone to open."""
    return json.dumps(
        {
            "MaHoSo": dossier.code,
            "MaTTHC": dossier.procedure.code,
            "SoGiayToChuHoSo": dossier.masked_id_number,
            "DuongDanTraCuu": dossier_tracking_url(code=dossier.code),
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


# --- Vietnamese administrative style (Decree 30/2020/NĐ-CP) --------------------------------------


def place_date_vi(*, place: str, day: date | datetime) -> str:
    """ "Tiên Động, ngày 04 tháng 3 năm 2024": days below 10 and months 1–2 take a leading zero."""
    if isinstance(day, datetime):
        day = timeutil.local_date(day)
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return gettext("%(place)s, ngày %(day)s tháng %(month)s năm %(year)s") % {
        "place": place,
        "day": f"{day.day:02d}",
        "month": month,
        "year": day.year,
    }


def moment_vi(value: datetime | None) -> str:
    """ "08 giờ 00 phút, ngày 04/03/2024" — the forms' way of writing a moment."""
    if value is None:
        return ""
    local = timeutil.to_local(value)
    return gettext("%(hour)s giờ %(minute)s phút, ngày %(date)s") % {
        "hour": f"{local.hour:02d}",
        "minute": f"{local.minute:02d}",
        "date": date_vi(local),
    }


def money_vi(amount: int) -> str:
    return gettext("%(amount)s đồng") % {"amount": number_vi(amount)}


def _administrative_unit(unit: Unit) -> Unit:
    """The commune, district or province a unit belongs to (a desk or department is not a place)."""
    current = unit
    while current is not None and current.level not in _ADMINISTRATIVE_LEVELS:
        current = current.parent
    return current or unit


def unit_place_name(*, unit: Unit) -> str:
    return unit_derive_short_name(name=_administrative_unit(unit).name)


def unit_issuer_lines(*, unit: Unit, desk: bool) -> tuple[str, str]:
    """(governing body, issuing body) of the top-left block, upper-cased by the template. Desk forms
    are issued by the unit's one-stop desk; a centre or department is governed by its parent."""
    if unit.level in _ADMINISTRATIVE_LEVELS:
        return (unit.name, str(DESK_BODY)) if desk else ("", unit.name)
    return (unit.parent.name if unit.parent else "", unit.name)


HEAD_TITLE = _("THỦ TRƯỞNG CƠ QUAN")


def _user_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


# --- which forms apply ---------------------------------------------------------------------------


def _event_kinds(dossier: Dossier) -> set[str]:
    return {event.kind for event in dossier_events(dossier=dossier)}


def forms_available(*, dossier: Dossier) -> list[FormKind]:
    """The forms that can be printed for the dossier now (for the links on the dossier page)."""
    kinds = _event_kinds(dossier)
    return [
        form
        for form in FORM_KINDS
        if (set(form.events) & kinds if form.events else dossier.received_at is not None)
    ]


NOT_APPLICABLE = {
    "receipt": _("Hồ sơ chưa được tiếp nhận nên chưa có giấy tiếp nhận và hẹn trả kết quả."),
    "supplement": _("Hồ sơ chưa có yêu cầu bổ sung, hoàn thiện nào nên không có phiếu này."),
    "rejection": _(
        "Hồ sơ không bị từ chối tiếp nhận hay từ chối giải quyết nên không có phiếu này."
    ),
    "apology": _("Hồ sơ chưa được xin lỗi và hẹn lại ngày trả kết quả nên không có phiếu này."),
    "stop": _("Hồ sơ không bị dừng giải quyết nên không có thông báo dừng giải quyết hồ sơ."),
    "control_slip": _("Hồ sơ chưa được tiếp nhận nên chưa có phiếu kiểm soát."),
}


def _refuse(kind: str) -> ValidationFailed:
    return ValidationFailed(str(NOT_APPLICABLE[kind]), code="form_not_applicable")


def _last_event(dossier: Dossier, kinds: tuple[str, ...]) -> DossierEvent | None:
    return (
        dossier.events.filter(kind__in=kinds)
        .select_related("actor_unit", "actor")
        .order_by("-seq")
        .first()
    )


def _payload_moment(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    return timeutil.parse_aware(value) if isinstance(value, str) else timeutil.to_local(value)


# --- one dossier's forms -------------------------------------------------------------------------


def form_context(*, kind: str, dossier: Dossier, now: datetime | None = None) -> dict[str, Any]:
    """Everything a form's template shows, or ValidationFailed when the form does not apply."""
    form = form_kind_get(kind=kind)
    now = now or timeutil.now()
    builder = {
        "receipt": _receipt,
        "supplement": _supplement,
        "rejection": _rejection,
        "apology": _apology,
        "stop": _stop,
        "control_slip": _control_slip,
    }[form.kind]
    specific = builder(dossier, now)
    # The desk that received the dossier issues the desk's forms (a centre, for a dossier filed
    # there with another agency).
    issuer_unit = specific.pop("issuer_unit", dossier.receiving_unit)
    governing, issuing = unit_issuer_lines(
        unit=issuer_unit,
        desk=specific.pop("desk", True) and issuer_unit == dossier.receiving_unit,
    )
    return {
        "form": form,
        "title": str(form.title),
        "form_number": form.label,
        "legal_basis": form_legal_basis(),
        "dossier": dossier,
        "procedure": dossier.procedure,
        "unit": dossier.unit,
        "governing": governing,
        "issuing": issuing,
        "place_date": place_date_vi(
            place=unit_place_name(unit=issuer_unit), day=specific.pop("issued_at")
        ),
        "qr_payload": form_qr_payload(dossier=dossier),
        "received_moment": moment_vi(dossier.received_at),
        **specific,
    }


def _require_received(dossier: Dossier, kind: str) -> None:
    if dossier.received_at is None:
        raise _refuse(kind)


def _fee_status(dossier: Dossier) -> str:
    if dossier.fee_amount == 0:
        return gettext("Không thu phí, lệ phí")
    if dossier.fee_paid_amount >= dossier.fee_amount:
        if dossier.paid_online:
            return gettext("Đã thanh toán trực tuyến")
        return gettext("Đã nộp tại Bộ phận tiếp nhận và trả kết quả")
    if dossier.fee_paid_amount:
        return gettext("Đã nộp %(paid)s, còn phải nộp %(left)s") % {
            "paid": money_vi(dossier.fee_paid_amount),
            "left": money_vi(dossier.fee_amount - dossier.fee_paid_amount),
        }
    return gettext("Chưa nộp")


def _receipt(dossier: Dossier, now: datetime) -> dict[str, Any]:
    _require_received(dossier, "receipt")
    receipt_event = _last_event(dossier, ("received", "accepted"))
    documents = list(
        dossier.documents.filter(
            kind=DossierDocument.Kind.COMPONENT, added_at__lte=dossier.received_at
        )
        .select_related("component")
        .order_by("added_at", "pk")
    )
    if dossier.channel == Channel.POSTAL:
        return_at = gettext("Qua dịch vụ bưu chính công ích, theo địa chỉ của người nộp hồ sơ")
    else:
        return_at = gettext("%(desk)s – %(unit)s") % {
            "desk": DESK_BODY,
            "unit": dossier.receiving_unit.name,
        }
    return {
        "issued_at": dossier.received_at,
        "documents": documents,
        "fees": list(dossier.procedure.fees.all()),
        "fee_total": money_vi(dossier.fee_amount),
        "fee_status": _fee_status(dossier),
        "time_limit": dossier.procedure.time_limit_display,
        # The slip's promise is the one made at receipt; a later apology issues its own slip.
        "promised_moment": moment_vi(dossier.first_due_at or dossier.due_at),
        "return_at": return_at,
        "officer_name": receipt_event.actor_name if receipt_event else "",
    }


def _supplement(dossier: Dossier, now: datetime) -> dict[str, Any]:
    event = _last_event(dossier, ("supplement_requested",))
    if event is None:
        raise _refuse("supplement")
    return {
        "issued_at": event.at,
        "event": event,
        "content": event.payload.get("content", ""),
        "requested_moment": moment_vi(event.at),
        "repeated": bool(event.payload.get("repeated")),
        "officer_name": event.actor_name,
        "officer_unit": event.actor_unit.name if event.actor_unit else dossier.unit.name,
    }


def _rejection(dossier: Dossier, now: datetime) -> dict[str, Any]:
    event = _last_event(dossier, ("not_accepted", "rejected"))
    if event is None:
        raise _refuse("rejection")
    return {
        "issued_at": event.at,
        "event": event,
        "at_intake": event.kind == "not_accepted",
        "submitted_moment": moment_vi(dossier.received_at or dossier.submitted_at),
        "reason": event.payload.get("reason", ""),
        "officer_name": event.actor_name,
    }


def _apology(dossier: Dossier, now: datetime) -> dict[str, Any]:
    event = _last_event(dossier, ("apologised",))
    if event is None:
        raise _refuse("apology")
    return {
        "issued_at": event.at,
        "event": event,
        "reason": event.payload.get("reason", ""),
        "previous_moment": moment_vi(_payload_moment(event.payload.get("previous_due_at"))),
        "new_moment": moment_vi(_payload_moment(event.payload.get("new_due_at"))),
        **_leader_signature(dossier.current_unit or dossier.unit),
        "issuer_unit": event.actor_unit or dossier.unit,
    }


def _leader_signature(unit: Unit) -> dict[str, str]:
    """The apology is the agency's, signed by its head — not by the specialist who typed it: the
    `leader` of the unit holding the dossier or the nearest one above. When none is known, a blank
    block under the head's title, to be signed by hand."""
    leader = unit_leader(unit=unit)
    if leader is None:
        return {"sign_title": str(HEAD_TITLE), "officer_name": ""}
    return {
        "sign_title": (leader.title or str(HEAD_TITLE)).upper(),
        "officer_name": _user_name(leader.user),
    }


def _stop(dossier: Dossier, now: datetime) -> dict[str, Any]:
    event = _last_event(dossier, ("stopped",))
    if event is None:
        raise _refuse("stop")
    return {
        "issued_at": event.at,
        "event": event,
        "reason": event.payload.get("reason", ""),
        "stopped_moment": moment_vi(event.at),
        "officer_name": event.actor_name,
        # The unit that stopped processing issues the notice, not the desk.
        "issuer_unit": event.actor_unit or dossier.current_unit,
        "desk": False,
    }


@dataclass(frozen=True)
class SlipRow:
    step: DossierStep
    number: int
    unit_name: str
    role: str
    person: str
    started: str
    due: str
    finished: str
    result: str
    note: str


def _step_result(step: DossierStep, now: datetime) -> str:
    if step.finished_at is None:
        if step.due_at is not None and now > step.due_at:
            return gettext("Đang xử lý, đã quá hạn")
        return gettext("Đang xử lý")
    if step.due_at is None or step.on_time is None:
        return gettext("Không tính thời hạn")
    if not step.on_time:
        return gettext("Quá hạn")
    if timeutil.local_date(step.finished_at) < timeutil.local_date(step.due_at):
        return gettext("Trước hạn")
    return gettext("Đúng hạn")


def slip_rows(*, dossier: Dossier, now: datetime | None = None) -> list[SlipRow]:
    now = now or timeutil.now()
    steps = (
        DossierStep.objects.filter(dossier=dossier)
        .select_related("unit", "assignee", "finished_by")
        .order_by("seq")
    )
    roles = dict(Role.choices)
    return [
        SlipRow(
            step=step,
            number=i,
            unit_name=step.unit.name,
            role=str(roles.get(step.role, step.role)),
            person=_user_name(step.assignee) or _user_name(step.finished_by),
            # Compact in the table cells; the header lines spell moments out.
            started=datetime_vi(step.started_at),
            due=datetime_vi(step.due_at),
            finished=datetime_vi(step.finished_at),
            result=_step_result(step, now),
            note=gettext("Thời gian chờ công dân không tính vào thời hạn")
            if step.due_at is None and step.position is None
            else "",
        )
        for i, step in enumerate(steps, start=1)
    ]


def _control_slip(dossier: Dossier, now: datetime) -> dict[str, Any]:
    _require_received(dossier, "control_slip")
    rows = slip_rows(dossier=dossier, now=now)
    if not rows:
        raise _refuse("control_slip")
    others = []
    for row in rows:
        if row.step.unit_id != dossier.unit_id and row.unit_name not in others:
            others.append(row.unit_name)
    intake = _last_event(dossier, ("received", "accepted"))
    payload = intake.payload if intake else {}
    return {
        "issued_at": now,
        "rows": rows,
        "cooperating_units": others,
        # Taken by the desk without some required components: what was missing, and why.
        "missing_components": [c.get("name", "") for c in payload.get("missing_components", [])],
        "missing_components_reason": payload.get("missing_components_reason", ""),
        "promised_moment": moment_vi(dossier.due_at),
        "first_promised_moment": moment_vi(dossier.first_due_at),
        "ended_moment": moment_vi(dossier.ended_at),
    }


# --- the log book --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogbookRow:
    number: int
    dossier: Dossier
    contact: str
    processing_unit: str
    received: str
    promised: str
    forwarded: str
    result_received: str
    returned: str
    note: str


def _logbook_row(number: int, dossier: Dossier) -> LogbookRow:
    steps = list(dossier.steps.all())
    processing = next((s for s in steps if s.role != Role.DESK_OFFICER), None)
    first_desk = next((s for s in steps if s.role == Role.DESK_OFFICER), None)
    if dossier.is_open:
        note = dossier.get_state_display()
    else:
        note = dossier.get_outcome_display() if dossier.outcome else dossier.get_state_display()
    ended_with_result = dossier.outcome in (Outcome.GRANTED, Outcome.REJECTED)
    return LogbookRow(
        number=number,
        dossier=dossier,
        contact=", ".join(v for v in (dossier.applicant_address, dossier.applicant_phone) if v),
        processing_unit=(processing.unit if processing else dossier.unit).name,
        received=date_vi(dossier.received_at),
        promised=date_vi(dossier.due_at),
        forwarded=date_vi(first_desk.finished_at) if first_desk and processing else "",
        result_received=date_vi(dossier.ended_at) if ended_with_result else "",
        returned=date_vi(dossier.returned_at),
        note=str(note),
    )


def logbook_rows(*, unit: Unit, start: date, end: date) -> list[LogbookRow]:
    """Dossiers the unit received (its own desk's register, not the subtree's) between two local
    dates, both inclusive, in order of receipt."""
    if end < start:
        raise ValidationFailed(
            gettext("Ngày kết thúc phải bằng hoặc sau ngày bắt đầu."), code="range_invalid"
        )
    if (end - start).days >= LOGBOOK_MAX_DAYS:
        raise ValidationFailed(
            gettext("Mỗi lần in sổ theo dõi tối đa %(days)s ngày.") % {"days": LOGBOOK_MAX_DAYS},
            code="range_too_long",
        )
    dossiers = (
        Dossier.objects.filter(
            unit=unit,
            received_at__gte=timeutil.local_datetime(start),
            received_at__lt=timeutil.local_datetime(end + timedelta(days=1)),
        )
        .select_related("procedure")
        .prefetch_related(
            Prefetch("steps", queryset=DossierStep.objects.select_related("unit").order_by("seq"))
        )
        .order_by("received_at", "pk")
    )
    found = list(dossiers[: LOGBOOK_MAX_ROWS + 1])
    if len(found) > LOGBOOK_MAX_ROWS:
        raise ValidationFailed(
            gettext(
                "Khoảng thời gian có hơn %(rows)s hồ sơ; vui lòng chọn khoảng ngắn hơn để in sổ."
            )
            % {"rows": number_vi(LOGBOOK_MAX_ROWS)},
            code="logbook_too_many",
        )
    return [_logbook_row(i, d) for i, d in enumerate(found, start=1)]


def logbook_context(
    *, unit: Unit, start: date, end: date, now: datetime | None = None
) -> dict[str, Any]:
    now = now or timeutil.now()
    governing, issuing = unit_issuer_lines(unit=unit, desk=True)
    return {
        "title": str(LOGBOOK_TITLE),
        "form_number": form_number_label(number=LOGBOOK_NUMBER),
        "legal_basis": form_legal_basis(),
        "unit": unit,
        "governing": governing,
        "issuing": issuing,
        "place_date": place_date_vi(place=unit_place_name(unit=unit), day=now),
        "start": date_vi(start),
        "end": date_vi(end),
        "rows": logbook_rows(unit=unit, start=start, end=end),
    }
