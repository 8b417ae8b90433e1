"""Every change to a dossier goes through one of these actions.

Each action checks the actor's role in the right unit, checks the dossier's state (and the version the
officer saw), computes the new state with the working-day calendar, appends exactly one event and
applies it to the projection — all in one transaction, under a row lock, so two officers acting on one
dossier at once cannot both win.
"""

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from motcua.catalog.models import Component, Procedure, ProcessStep
from motcua.catalog.selectors import procedure_is_offered_by
from motcua.core import timeutil
from motcua.core.bulk import ids_reserve, json_text, rows_insert, rows_prepare
from motcua.core.errors import InvalidTransition, PermissionDenied, StaleVersion, ValidationFailed
from motcua.dossiers import signals
from motcua.dossiers.models import (
    Channel,
    Dossier,
    DossierCodeSequence,
    DossierDocument,
    DossierEvent,
    DossierStep,
    Outcome,
    State,
)
from motcua.dossiers.projection import (
    PROJECTED_FIELDS,
    DossierState,
    apply_event,
    comparable,
    encode,
    encode_dict,
    state_from_rows,
    state_write,
    steps_write,
)
from motcua.units.models import Role, Unit
from motcua.units.selectors import user_has_role
from motcua.workcalendar.selectors import calendar_get

if TYPE_CHECKING:
    from motcua.indicators.counters import CounterRows

OFFICER_ROLES = (Role.DESK_OFFICER, Role.PROCESSOR, Role.LEADER)

# Which states each action may start from, and the state it leads to (None: unchanged).
TRANSITIONS: dict[str, tuple[frozenset[int], int | None]] = {
    "submitted_online": (frozenset(), State.SUBMITTED_ONLINE),
    "received": (frozenset(), State.RECEIVED),
    "accepted": (frozenset({State.SUBMITTED_ONLINE}), State.RECEIVED),
    "not_accepted": (frozenset({State.SUBMITTED_ONLINE}), State.NOT_ACCEPTED),
    "forwarded": (frozenset({State.RECEIVED, State.PROCESSING}), State.PROCESSING),
    "transferred": (frozenset({State.RECEIVED, State.PROCESSING}), State.PROCESSING),
    "supplement_requested": (
        frozenset({State.RECEIVED, State.PROCESSING}),
        State.SUPPLEMENT_REQUESTED,
    ),
    "supplement_received": (frozenset({State.SUPPLEMENT_REQUESTED}), State.PROCESSING),
    "financial_obligation_requested": (
        frozenset({State.PROCESSING}),
        State.FINANCIAL_OBLIGATION,
    ),
    "financial_obligation_fulfilled": (frozenset({State.FINANCIAL_OBLIGATION}), State.PROCESSING),
    "apologised": (
        frozenset(
            {
                State.RECEIVED,
                State.PROCESSING,
                State.SUPPLEMENT_REQUESTED,
                State.FINANCIAL_OBLIGATION,
            }
        ),
        None,
    ),
    "stopped": (
        frozenset({State.PROCESSING, State.SUPPLEMENT_REQUESTED, State.FINANCIAL_OBLIGATION}),
        State.STOPPED,
    ),
    "rejected": (frozenset({State.RECEIVED, State.PROCESSING}), State.RESOLVED),
    "withdrawn": (
        frozenset(
            {
                State.SUBMITTED_ONLINE,
                State.RECEIVED,
                State.PROCESSING,
                State.SUPPLEMENT_REQUESTED,
                State.FINANCIAL_OBLIGATION,
            }
        ),
        State.WITHDRAWN,
    ),
    "resolved": (frozenset({State.PROCESSING}), State.RESOLVED),
    "result_returned": (frozenset({State.RESOLVED}), State.RETURNED),
    "payment_recorded": (
        frozenset(
            {
                State.SUBMITTED_ONLINE,
                State.RECEIVED,
                State.PROCESSING,
                State.SUPPLEMENT_REQUESTED,
                State.FINANCIAL_OBLIGATION,
                State.RESOLVED,
            }
        ),
        None,
    ),
}

ACTION_NAMES = {
    "submitted_online": "nộp hồ sơ trực tuyến",
    "received": "tiếp nhận hồ sơ",
    "accepted": "tiếp nhận hồ sơ trực tuyến",
    "not_accepted": "từ chối tiếp nhận",
    "forwarded": "chuyển xử lý",
    "transferred": "chuyển liên thông",
    "supplement_requested": "yêu cầu bổ sung hồ sơ",
    "supplement_received": "nhận hồ sơ bổ sung",
    "financial_obligation_requested": "yêu cầu thực hiện nghĩa vụ tài chính",
    "financial_obligation_fulfilled": "xác nhận hoàn thành nghĩa vụ tài chính",
    "apologised": "xin lỗi và hẹn lại ngày trả",
    "stopped": "dừng xử lý",
    "rejected": "từ chối giải quyết",
    "withdrawn": "rút hồ sơ",
    "resolved": "phê duyệt kết quả",
    "result_returned": "trả kết quả",
    "payment_recorded": "ghi nhận nộp phí, lệ phí",
}

ID_NUMBER_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{5,19}$")
PHONE_RE = re.compile(r"^\+?[0-9]{9,15}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""

    def cleaned(self) -> "Applicant":
        name = " ".join(self.name.split())
        id_number = self.id_number.strip().upper().replace(" ", "")
        phone = re.sub(r"[\s.\-()]", "", self.phone)
        email = self.email.strip()
        if not name:
            raise ValidationFailed("Chưa nhập tên chủ hồ sơ.", code="applicant_name_required")
        if len(name) > 255:
            raise ValidationFailed(
                "Tên chủ hồ sơ quá dài (tối đa 255 ký tự).", code="applicant_name_too_long"
            )
        if id_number and not ID_NUMBER_RE.match(id_number):
            raise ValidationFailed(
                "Số giấy tờ tùy thân không hợp lệ: chỉ gồm chữ số, chữ cái và dấu '-', từ 6 đến 20 ký tự.",
                code="applicant_id_number_invalid",
            )
        if phone and not PHONE_RE.match(phone):
            raise ValidationFailed("Số điện thoại không hợp lệ.", code="applicant_phone_invalid")
        if email and not EMAIL_RE.match(email):
            raise ValidationFailed(
                "Địa chỉ thư điện tử không hợp lệ.", code="applicant_email_invalid"
            )
        if len(self.address) > 500:
            raise ValidationFailed(
                "Địa chỉ quá dài (tối đa 500 ký tự).", code="applicant_address_too_long"
            )
        return Applicant(
            name=name, id_number=id_number, phone=phone, email=email, address=self.address.strip()
        )


@dataclass(frozen=True)
class ReceivedComponent:
    """A document handed in with the dossier; `component` is the catalogue entry when known."""

    name: str
    component: Component | None = None
    digitized: bool = False
    reused: bool = False
    file: Any = None  # a Django File/UploadedFile, stored through the default storage


@dataclass
class _Change:
    """What an action does to the state; turned into one event's payload."""

    set: dict[str, Any] = field(default_factory=dict)
    step_close: dict[str, Any] | None = None
    step_open: dict[str, Any] | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"set": encode_dict(self.set), **encode_dict(self.details)}
        if self.step_close is not None:
            payload["step_close"] = encode_dict(self.step_close)
        if self.step_open is not None:
            payload["step_open"] = encode_dict(self.step_open)
        return payload


# --- helpers -------------------------------------------------------------------------------------


def _moment(at: datetime | None) -> datetime:
    return timeutil.now() if at is None else timeutil.to_local(at)


def _actor_name(actor) -> str:
    if actor is None:
        return "Người nộp hồ sơ"
    return actor.get_full_name() or actor.get_username()


def _require_role(actor, roles: tuple[str, ...], unit: Unit, action: str) -> None:
    if actor is None or not user_has_role(user=actor, role=roles, unit=unit):
        raise PermissionDenied(
            f"Bạn không có quyền {ACTION_NAMES.get(action, action)} tại {unit.name}.",
            details={"action": action, "unit": unit.code},
        )


def _require_state(dossier_state: int, action: str) -> int | None:
    allowed, target = TRANSITIONS[action]
    if dossier_state not in allowed:
        raise InvalidTransition(
            f"Không thể {ACTION_NAMES[action]} khi hồ sơ ở trạng thái “{State(dossier_state).label}”.",
            details={"action": action, "state": dossier_state},
        )
    return dossier_state if target is None else target


def _required_text(value: str, *, what: str, code: str, limit: int = 2000) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(f"Chưa nhập {what}.", code=code)
    if len(value) > limit:
        raise ValidationFailed(
            f"{what.capitalize()} quá dài (tối đa {limit} ký tự).", code=f"{code}_too_long"
        )
    return value


def _template(procedure: Procedure) -> list[dict[str, Any]]:
    """The procedure's process steps; a default split of its time limit when none is configured."""
    steps = list(ProcessStep.objects.filter(procedure=procedure).order_by("position"))
    if steps:
        return [
            {
                "position": s.position,
                "name": s.name,
                "role": s.role,
                "unit_id": s.unit_id,
                "seconds": int(s.working_hours * 3600),
            }
            for s in steps
        ]
    total = procedure.time_limit_seconds
    eighth = total // 8
    shares = [
        ("Tiếp nhận, chuyển hồ sơ", Role.DESK_OFFICER, eighth),
        ("Thẩm định, xử lý hồ sơ", Role.PROCESSOR, total - 3 * eighth),
        ("Phê duyệt, ký kết quả", Role.LEADER, eighth),
        ("Trả kết quả", Role.DESK_OFFICER, eighth),
    ]
    return [
        {"position": i, "name": name, "role": role, "unit_id": None, "seconds": seconds}
        for i, (name, role, seconds) in enumerate(shares, start=1)
    ]


def _step(
    *,
    state: DossierState,
    at: datetime,
    calendar,
    name: str,
    unit_id: int,
    role: str,
    seconds: int | None,
    position: int | None,
    assignee_id: int | None = None,
) -> dict[str, Any]:
    return {
        "seq": state.next_step_seq(),
        "position": position,
        "name": name,
        "unit_id": unit_id,
        "role": role,
        "assignee_id": assignee_id,
        "started_at": at,
        "due_at": None if seconds is None else calendar.add_working_seconds(at, seconds),
        "allotted_seconds": seconds or 0,
    }


def _close(step: dict[str, Any] | None, *, at: datetime, actor) -> dict[str, Any] | None:
    if step is None:
        return None
    due = step["due_at"]
    return {
        "seq": step["seq"],
        "finished_at": at,
        "finished_by_id": getattr(actor, "pk", None),
        "on_time": None if due is None else at <= due,
    }


def _hand_to(change: _Change, step: dict[str, Any]) -> None:
    change.step_open = step
    change.set.update(
        current_unit_id=step["unit_id"],
        current_role=step["role"],
        current_assignee_id=step["assignee_id"],
    )


def _clear_hands(change: _Change) -> None:
    change.set.update(current_role="", current_assignee_id=None)


def _unit_of(unit_id: int | None, fallback: Unit) -> Unit:
    if unit_id is None or unit_id == fallback.pk:
        return fallback
    return Unit.objects.get(pk=unit_id)


def _commit(
    *,
    dossier: Dossier,
    state: DossierState,
    kind: str,
    actor,
    actor_unit: Unit | None,
    at: datetime,
    from_state: int | None,
    to_state: int,
    change: _Change,
    attach=None,
) -> DossierEvent:
    """Apply the change, write the projection, append the event. `attach(dossier)` may return extra
    payload that needs the saved dossier (documents received with it)."""
    before = dict(state.fields)
    seq = state.fields["last_event_seq"] + 1
    payload = change.payload()
    changed = apply_event(state, seq=seq, to_state=to_state, payload=payload)
    state_write(dossier, state, changed=changed)
    if dossier.pk is None:
        dossier.save(force_insert=True)
    else:
        dossier.save(
            update_fields=[
                name.removesuffix("_id") if name.endswith("_id") else name for name in changed
            ]
        )
    touched = {s["seq"] for s in (change.step_close, change.step_open) if s}
    if touched:
        steps_write(dossier, state, seqs=touched)
    if attach is not None:
        payload.update(attach(dossier))
    event = DossierEvent(
        dossier=dossier,
        seq=seq,
        kind=kind,
        at=at,
        actor=actor,
        actor_name=_actor_name(actor),
        actor_unit=actor_unit,
        from_state=from_state,
        to_state=to_state,
        payload=payload,
    )
    event.save()
    signals.event_recorded.send(sender=Dossier, dossier=dossier, event=event, before=before)
    event_id, dossier_id = event.pk, dossier.pk
    transaction.on_commit(
        lambda: signals.event_committed.send(
            sender=Dossier, dossier_id=dossier_id, event_id=event_id, kind=kind
        )
    )
    return event


def _load(
    dossier: Dossier | int, *, expected_version: int | None, at: datetime
) -> tuple[Dossier, DossierState]:
    """Lock the dossier row and read its state; refuse a form loaded before someone else's change."""
    pk = dossier.pk if isinstance(dossier, Dossier) else dossier
    # Only the dossier row: locking the joined unit and procedure rows would queue every action of
    # the unit or procedure behind this one, and block other transactions' foreign-key checks on
    # those rows at their commit (a deadlock with the counters' upserts).
    locked = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("unit", "current_unit", "procedure")
        .get(pk=pk)
    )
    if expected_version is not None and expected_version != locked.last_event_seq:
        raise StaleVersion(
            "Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại trang và kiểm tra trước khi thao tác.",
            details={"expected": expected_version, "actual": locked.last_event_seq},
        )
    last_at = (
        DossierEvent.objects.filter(dossier=locked)
        .order_by("-seq")
        .values_list("at", flat=True)
        .first()
    )
    if last_at is not None and at < last_at:
        raise ValidationFailed(
            "Thời điểm thao tác không được sớm hơn thao tác trước đó của hồ sơ.",
            code="event_time_before_last",
        )
    steps = list(DossierStep.objects.filter(dossier=locked))
    return locked, state_from_rows(locked, steps)


def dossier_code_next(*, unit: Unit, day) -> str:
    """`<agency identifier>-<yyMMdd>-<sequence>`: one atomic upsert, so concurrent intakes never share a
    number, and a rolled-back intake returns its number (no gaps)."""
    table = DossierCodeSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (unit_id, day, last) VALUES (%s, %s, 1) "
            f"ON CONFLICT (unit_id, day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [unit.pk, day],
        )
        number = cursor.fetchone()[0]
    return f"{unit.dossier_code_prefix}-{day:%y%m%d}-{number:04d}"


def _documents_create(
    *, dossier: Dossier, components: list[ReceivedComponent], at: datetime
) -> list[dict]:
    described = []
    for item in components:
        name = (item.name or (item.component.name if item.component else "")).strip()
        if not name:
            raise ValidationFailed("Thành phần hồ sơ chưa có tên.", code="component_name_required")
        document = DossierDocument(
            dossier=dossier,
            component=item.component,
            name=name[:500],
            digitized=item.digitized,
            reused=item.reused,
            added_at=at,
        )
        if item.file is not None:
            document.file.save(getattr(item.file, "name", "tep"), item.file, save=False)
        document.save()
        described.append(
            {
                "document_id": document.pk,
                "component_code": item.component.code if item.component else "",
                "name": document.name,
                "digitized": item.digitized,
                "reused": item.reused,
                "file": document.file.name if document.file else "",
            }
        )
    return described


def _attach_documents(components: list[ReceivedComponent] | None, at: datetime):
    def attach(dossier: Dossier) -> dict:
        documents = _documents_create(dossier=dossier, components=components or [], at=at)
        return {"components": documents} if documents else {}

    return attach


# --- intake --------------------------------------------------------------------------------------


def _digitization_facts(components: list[ReceivedComponent]) -> dict[str, bool]:
    return {
        "components_digitized": bool(components) and all(c.digitized for c in components),
        "data_reused": any(c.reused for c in components),
    }


def _new_dossier(
    *,
    unit: Unit,
    procedure: Procedure,
    channel: int,
    applicant: Applicant,
    summary: str,
    at: datetime,
    components: list[ReceivedComponent],
) -> tuple[Dossier, DossierState, _Change]:
    if not procedure.active:
        raise ValidationFailed("Thủ tục này đã ngừng áp dụng.", code="procedure_inactive")
    if not procedure_is_offered_by(procedure=procedure, unit=unit):
        raise ValidationFailed(
            f"{unit.name} không giải quyết thủ tục “{procedure.name}”.",
            code="procedure_not_offered",
        )
    if channel not in Channel.values:
        raise ValidationFailed("Kênh nộp hồ sơ không hợp lệ.", code="channel_invalid")
    if len(summary) > 1000:
        raise ValidationFailed("Trích yếu quá dài (tối đa 1000 ký tự).", code="summary_too_long")
    applicant = applicant.cleaned()
    code = dossier_code_next(unit=unit, day=timeutil.local_date(at))
    change = _Change(
        set={
            "code": code,
            "procedure_id": procedure.pk,
            "unit_id": unit.pk,
            "current_unit_id": unit.pk,
            "current_role": Role.DESK_OFFICER,
            "channel": channel,
            "applicant_name": applicant.name,
            "applicant_id_number": applicant.id_number,
            "applicant_phone": applicant.phone,
            "applicant_email": applicant.email,
            "applicant_address": applicant.address,
            "summary": summary.strip(),
            "submitted_at": at,
            "budget_seconds": procedure.time_limit_seconds,
            "fee_amount": sum(procedure.fees.values_list("amount", flat=True)),
            **_digitization_facts(components),
        }
    )
    return Dossier(), DossierState(), change


def _start_clock(
    change: _Change,
    *,
    state: DossierState,
    procedure: Procedure,
    unit: Unit,
    at: datetime,
    calendar,
) -> None:
    budget = procedure.time_limit_seconds
    due = calendar.add_working_seconds(at, budget)
    change.set.update(
        received_at=at,
        due_at=due,
        first_due_at=due,
        budget_seconds=budget,
        remaining_seconds=budget,
        clock_started_at=at,
        clock_paused_at=None,
    )
    first = _template(procedure)[0]
    _hand_to(
        change,
        _step(
            state=state,
            at=at,
            calendar=calendar,
            name=first["name"],
            unit_id=first["unit_id"] or unit.pk,
            role=first["role"],
            seconds=first["seconds"],
            position=first["position"],
        ),
    )


@transaction.atomic
def dossier_receive(
    *,
    actor,
    unit: Unit,
    procedure: Procedure,
    applicant: Applicant,
    channel: int = Channel.DIRECT,
    summary: str = "",
    components: list[ReceivedComponent] | None = None,
    at: datetime | None = None,
) -> Dossier:
    """The desk receives a dossier handed in directly or by post: code, promised date, receipt."""
    at = _moment(at)
    _require_role(actor, (Role.DESK_OFFICER,), unit, "received")
    if channel == Channel.ONLINE:
        raise ValidationFailed(
            "Hồ sơ trực tuyến được tiếp nhận qua chức năng duyệt hồ sơ trực tuyến.",
            code="channel_invalid",
        )
    dossier, state, change = _new_dossier(
        unit=unit,
        procedure=procedure,
        channel=channel,
        applicant=applicant,
        summary=summary,
        at=at,
        components=components or [],
    )
    calendar = calendar_get(unit=unit)
    _start_clock(change, state=state, procedure=procedure, unit=unit, at=at, calendar=calendar)
    _commit(
        dossier=dossier,
        state=state,
        kind="received",
        actor=actor,
        actor_unit=unit,
        at=at,
        from_state=None,
        to_state=State.RECEIVED,
        change=change,
        attach=_attach_documents(components, at),
    )
    return dossier


@transaction.atomic
def dossier_submit_online(
    *,
    unit: Unit,
    procedure: Procedure,
    applicant: Applicant,
    summary: str = "",
    components: list[ReceivedComponent] | None = None,
    actor=None,
    at: datetime | None = None,
) -> Dossier:
    """A citizen files online; the dossier waits (state 1) until the desk accepts it."""
    at = _moment(at)
    if procedure.online_level == "none":
        raise ValidationFailed(
            "Thủ tục này chưa cung cấp dịch vụ công trực tuyến.", code="procedure_not_online"
        )
    dossier, state, change = _new_dossier(
        unit=unit,
        procedure=procedure,
        channel=Channel.ONLINE,
        applicant=applicant,
        summary=summary,
        at=at,
        components=components or [],
    )
    _commit(
        dossier=dossier,
        state=state,
        kind="submitted_online",
        actor=actor,
        actor_unit=None,
        at=at,
        from_state=None,
        to_state=State.SUBMITTED_ONLINE,
        change=change,
        attach=_attach_documents(components, at),
    )
    return dossier


# --- actions on an existing dossier ---------------------------------------------------------------

RECEIVING_UNIT = "receiving"  # the role is checked in the unit the dossier was filed with
CURRENT_UNIT = "current"  # … or in the unit that holds the dossier now

# Who may take each action on an existing dossier, and in which unit the role is checked. None: the
# role of the current step, or a leader of the unit (who may always step in).
ACTION_ROLES: dict[str, tuple[tuple[str, ...] | None, str]] = {
    "accepted": ((Role.DESK_OFFICER,), RECEIVING_UNIT),
    "not_accepted": ((Role.DESK_OFFICER,), RECEIVING_UNIT),
    "forwarded": (None, CURRENT_UNIT),
    "transferred": ((Role.PROCESSOR, Role.LEADER, Role.DESK_OFFICER), CURRENT_UNIT),
    "supplement_requested": (OFFICER_ROLES, CURRENT_UNIT),
    "supplement_received": (OFFICER_ROLES, RECEIVING_UNIT),
    "financial_obligation_requested": ((Role.PROCESSOR, Role.LEADER), CURRENT_UNIT),
    "financial_obligation_fulfilled": (OFFICER_ROLES, RECEIVING_UNIT),
    "apologised": (OFFICER_ROLES, CURRENT_UNIT),
    "stopped": ((Role.PROCESSOR, Role.LEADER), CURRENT_UNIT),
    "rejected": ((Role.LEADER,), CURRENT_UNIT),
    "withdrawn": ((Role.DESK_OFFICER,), RECEIVING_UNIT),
    "resolved": ((Role.LEADER,), CURRENT_UNIT),
    "result_returned": ((Role.DESK_OFFICER,), RECEIVING_UNIT),
    "payment_recorded": ((Role.DESK_OFFICER,), RECEIVING_UNIT),
}


def action_roles(*, kind: str, dossier: Dossier) -> tuple[str, ...]:
    roles, _ = ACTION_ROLES[kind]
    if roles is None:
        return (dossier.current_role or Role.PROCESSOR, Role.LEADER)
    return roles


def _act(
    *,
    dossier: Dossier | int,
    actor,
    kind: str,
    at: datetime | None,
    expected_version: int | None,
    build,
    applicant_allowed: bool = False,
    attach=None,
) -> Dossier:
    """The common frame of every action: lock, check version, role, state; build the change; commit.
    `build` returning None means nothing to do."""
    at = _moment(at)
    locked, state = _load(dossier, expected_version=expected_version, at=at)
    _, where = ACTION_ROLES[kind]
    unit = locked.unit if where == RECEIVING_UNIT else locked.current_unit
    if not (actor is None and applicant_allowed):
        _require_role(actor, action_roles(kind=kind, dossier=locked), unit, kind)
    from_state = locked.state
    to_state = _require_state(from_state, kind)
    calendar = calendar_get(unit=locked.unit)
    change = build(locked, state, at, calendar)
    if change is None:
        return locked
    _commit(
        dossier=locked,
        state=state,
        kind=kind,
        actor=actor,
        actor_unit=unit if actor is not None else None,
        at=at,
        from_state=from_state,
        to_state=to_state,
        change=change,
        attach=attach,
    )
    return locked


@transaction.atomic
def dossier_accept(
    *,
    actor,
    dossier: Dossier | int,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """The desk accepts an online dossier: the clock starts now and the promised date is set."""

    def build(d: Dossier, state: DossierState, at: datetime, calendar) -> _Change:
        change = _Change()
        _start_clock(
            change, state=state, procedure=d.procedure, unit=d.unit, at=at, calendar=calendar
        )
        return change

    return _act(
        dossier=dossier,
        actor=actor,
        kind="accepted",
        at=at,
        expected_version=expected_version,
        build=build,
    )


def _end(
    change: _Change, state: DossierState, *, at: datetime, actor, outcome: str, calendar
) -> None:
    change.step_close = _close(state.open_step(), at=at, actor=actor)
    change.set.update(ended_at=at, outcome=outcome)
    if state.fields["clock_paused_at"] is not None:
        # Ending while the applicant holds the dossier: the clock was stopped, so the promised date
        # moves by the pause exactly as a resume would move it — the wait is not the office's delay.
        change.set["clock_paused_at"] = None
        remaining = state.fields["remaining_seconds"]
        if remaining > 0:
            change.set["due_at"] = calendar.add_working_seconds(at, remaining)
    _clear_hands(change)


@transaction.atomic
def dossier_not_accept(
    *,
    actor,
    dossier: Dossier | int,
    reason: str,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Refuse an online submission (state 3): it never counts as received."""
    reason = _required_text(reason, what="lý do từ chối tiếp nhận", code="reason_required")

    def build(d: Dossier, state: DossierState, at: datetime, calendar) -> _Change:
        change = _Change(details={"reason": reason})
        _end(change, state, at=at, actor=actor, calendar=calendar, outcome=Outcome.NOT_ACCEPTED)
        change.set["rejected_at"] = at
        return change

    return _act(
        dossier=dossier,
        actor=actor,
        kind="not_accepted",
        at=at,
        expected_version=expected_version,
        build=build,
    )


def _forward_candidates(
    template: list[dict[str, Any]], position: int | None
) -> list[dict[str, Any]]:
    """Template steps after `position`, without the final hand-back step (that one follows approval)."""
    if len(template) > 1 and template[-1]["role"] == Role.DESK_OFFICER:
        template = template[:-1]
    return [s for s in template if position is not None and s["position"] > position]


@transaction.atomic
def dossier_forward(
    *,
    actor,
    dossier: Dossier | int,
    to_unit: Unit | None = None,
    to_role: str | None = None,
    to_assignee=None,
    working_hours: Decimal | int | None = None,
    note: str = "",
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Hand the dossier to the next step of the process template, or to a named unit, role or person."""
    if to_role is not None and to_role not in Role.values:
        raise ValidationFailed("Vai trò nhận hồ sơ không hợp lệ.", code="role_invalid")

    def build(d: Dossier, state: DossierState, at: datetime, calendar) -> _Change:
        current = state.open_step()
        position = current["position"] if current else None
        candidates = _forward_candidates(_template(d.procedure), position)
        nxt = candidates[0] if candidates else None
        if nxt is not None and to_role is not None and to_role != nxt["role"]:
            nxt = None  # an explicit role outside the template: an ad hoc step
        if nxt is None and to_role is None:
            raise ValidationFailed(
                "Đã hết các bước của quy trình: hãy chọn vai trò và đơn vị nhận hồ sơ.",
                code="forward_target_required",
            )
        role = nxt["role"] if nxt else to_role
        # A template step without a unit belongs to the unit that received the dossier; an ad hoc
        # hand-over stays in the unit that holds it unless one is named.
        if to_unit is not None:
            target_unit = to_unit
        elif nxt is not None:
            target_unit = _unit_of(nxt["unit_id"], d.unit)
        else:
            target_unit = d.current_unit
        if to_assignee is not None and not user_has_role(
            user=to_assignee, role=role, unit=target_unit
        ):
            raise ValidationFailed(
                "Cán bộ được chọn không có vai trò phù hợp tại đơn vị nhận.",
                code="assignee_invalid",
            )
        if working_hours is not None:
            seconds = int(Decimal(str(working_hours)) * 3600)
        else:
            seconds = nxt["seconds"] if nxt else calendar.working_day_seconds
        change = _Change(details={"note": note.strip()} if note.strip() else {})
        change.step_close = _close(current, at=at, actor=actor)
        _hand_to(
            change,
            _step(
                state=state,
                at=at,
                calendar=calendar,
                name=nxt["name"] if nxt else "Xử lý theo phân công",
                unit_id=target_unit.pk,
                role=role,
                seconds=seconds,
                position=nxt["position"] if nxt else position,
                assignee_id=getattr(to_assignee, "pk", None),
            ),
        )
        return change

    return _act(
        dossier=dossier,
        actor=actor,
        kind="forwarded",
        at=at,
        expected_version=expected_version,
        build=build,
    )


@transaction.atomic
def dossier_transfer(
    *,
    actor,
    dossier: Dossier | int,
    to_unit: Unit,
    to_role: str = Role.PROCESSOR,
    working_hours: Decimal | int | None = None,
    note: str = "",
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Liên thông: hand the dossier to another unit or agency, which then holds it."""
    if to_role not in Role.values:
        raise ValidationFailed("Vai trò nhận hồ sơ không hợp lệ.", code="role_invalid")

    def build(d: Dossier, state: DossierState, at: datetime, calendar) -> _Change:
        if to_unit.pk == d.current_unit_id:
            raise ValidationFailed(
                "Đơn vị nhận liên thông phải khác đơn vị đang xử lý.", code="transfer_same_unit"
            )
        seconds = (
            int(Decimal(str(working_hours)) * 3600)
            if working_hours is not None
            else calendar.working_day_seconds
        )
        change = _Change(details={"to_unit": to_unit.code, "note": note.strip()})
        current = state.open_step()
        change.step_close = _close(current, at=at, actor=actor)
        _hand_to(
            change,
            _step(
                state=state,
                at=at,
                calendar=calendar,
                name=f"Xử lý liên thông tại {to_unit.display_short_name}",
                unit_id=to_unit.pk,
                role=to_role,
                seconds=seconds,
                # Keep the template position, so forwarding afterwards resumes the process.
                position=current["position"] if current else None,
            ),
        )
        return change

    return _act(
        dossier=dossier,
        actor=actor,
        kind="transferred",
        at=at,
        expected_version=expected_version,
        build=build,
    )


def _pause(
    change: _Change,
    state: DossierState,
    *,
    at: datetime,
    actor,
    calendar,
    waiting_name: str,
    unit_id: int,
) -> None:
    """Stop the clock: what is left of the budget (and of the interrupted step) is kept for the resume."""
    fields = state.fields
    used = calendar.working_seconds_between(fields["clock_started_at"], at)
    current = state.open_step()
    step_left = 0
    if current is not None and current["due_at"] is not None:
        step_left = max(
            0,
            current["allotted_seconds"]
            - calendar.working_seconds_between(current["started_at"], at),
        )
    change.set.update(remaining_seconds=fields["remaining_seconds"] - used, clock_paused_at=at)
    change.step_close = _close(current, at=at, actor=actor)
    change.details["resume"] = {
        "name": current["name"] if current else "",
        "unit_id": current["unit_id"] if current else unit_id,
        "role": current["role"] if current else Role.PROCESSOR,
        "assignee_id": current["assignee_id"] if current else None,
        "position": current["position"] if current else None,
        "seconds": step_left,
    }
    _hand_to(
        change,
        _step(
            state=state,
            at=at,
            calendar=calendar,
            name=waiting_name,
            unit_id=unit_id,
            role=Role.DESK_OFFICER,
            seconds=None,
            position=None,
        ),
    )
    # While the applicant holds the dossier nobody is due to act on it.
    change.step_open["due_at"] = None


def _resume(
    change: _Change,
    state: DossierState,
    d: Dossier,
    *,
    at: datetime,
    actor,
    calendar,
    pause_kind: str,
) -> None:
    fields = state.fields
    remaining = fields["remaining_seconds"]
    previous_due = fields["due_at"]
    # An already overdue dossier stays late: its promised date does not move.
    new_due = calendar.add_working_seconds(at, remaining) if remaining > 0 else previous_due
    change.set.update(clock_started_at=at, clock_paused_at=None, due_at=new_due)
    change.details.update(previous_due_at=previous_due, new_due_at=new_due)
    change.step_close = _close(state.open_step(), at=at, actor=actor)
    pause_event = d.events.filter(kind=pause_kind).order_by("-seq").first()
    resume = pause_event.payload["resume"]
    _hand_to(
        change,
        _step(
            state=state,
            at=at,
            calendar=calendar,
            name=resume["name"] or "Tiếp tục xử lý",
            unit_id=resume["unit_id"],
            role=resume["role"],
            seconds=resume["seconds"],
            position=resume["position"],
            assignee_id=resume["assignee_id"],
        ),
    )


@transaction.atomic
def dossier_request_supplement(
    *,
    actor,
    dossier: Dossier | int,
    content: str,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Ask the applicant, once and in full, for what is missing; the clock stops until it arrives."""
    content = _required_text(
        content, what="nội dung yêu cầu bổ sung", code="supplement_content_required", limit=4000
    )

    def build(d: Dossier, state: DossierState, at: datetime, calendar) -> _Change:
        change = _Change(details={"content": content})
        change.set["supplement_count"] = state.fields["supplement_count"] + 1
        if state.fields["supplement_count"] >= 1:
            # Allowed, but the national scoring will count the dossier as late.
            change.details["repeated"] = True
        _pause(
            change,
            state,
            at=at,
            actor=actor,
            calendar=calendar,
            waiting_name="Chờ công dân bổ sung hồ sơ",
            unit_id=d.unit_id,
        )
        return change

    return _act(
        dossier=dossier,
        actor=actor,
        kind="supplement_requested",
        at=at,
        expected_version=expected_version,
        build=build,
    )


@transaction.atomic
def dossier_receive_supplement(
    *,
    actor,
    dossier: Dossier | int,
    note: str = "",
    components: list[ReceivedComponent] | None = None,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """The supplement arrived (at the desk, or online when `actor` is None): the clock runs again."""

    def build(d: Dossier, state: DossierState, at: datetime, calendar) -> _Change:
        change = _Change(details={"note": note.strip()} if note.strip() else {})
        _resume(
            change,
            state,
            d,
            at=at,
            actor=actor,
            calendar=calendar,
            pause_kind="supplement_requested",
        )
        if components:
            # "Every submitted component digitized" over all of them, the earlier ones included.
            facts = _digitization_facts(components)
            had_components = d.documents.filter(kind=DossierDocument.Kind.COMPONENT).exists()
            change.set.update(
                components_digitized=facts["components_digitized"]
                and (state.fields["components_digitized"] or not had_components),
                data_reused=state.fields["data_reused"] or facts["data_reused"],
            )
        return change

    at = _moment(at)
    return _act(
        dossier=dossier,
        actor=actor,
        kind="supplement_received",
        at=at,
        expected_version=expected_version,
        build=build,
        applicant_allowed=True,
        attach=_attach_documents(components, at),
    )


@transaction.atomic
def dossier_request_financial_obligation(
    *,
    actor,
    dossier: Dossier | int,
    content: str,
    amount: int = 0,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Notify the applicant of taxes or charges to pay; the clock stops while they do."""
    content = _required_text(
        content, what="nội dung nghĩa vụ tài chính", code="obligation_content_required"
    )
    if amount < 0:
        raise ValidationFailed("Số tiền không được âm.", code="amount_invalid")

    def build(d: Dossier, state: DossierState, at: datetime, calendar) -> _Change:
        change = _Change(details={"content": content, "amount": amount})
        _pause(
            change,
            state,
            at=at,
            actor=actor,
            calendar=calendar,
            waiting_name="Chờ thực hiện nghĩa vụ tài chính",
            unit_id=d.unit_id,
        )
        return change

    return _act(
        dossier=dossier,
        actor=actor,
        kind="financial_obligation_requested",
        at=at,
        expected_version=expected_version,
        build=build,
    )


@transaction.atomic
def dossier_fulfil_financial_obligation(
    *,
    actor,
    dossier: Dossier | int,
    note: str = "",
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    def build(d: Dossier, state: DossierState, at: datetime, calendar) -> _Change:
        change = _Change(details={"note": note.strip()} if note.strip() else {})
        _resume(
            change,
            state,
            d,
            at=at,
            actor=actor,
            calendar=calendar,
            pause_kind="financial_obligation_requested",
        )
        return change

    return _act(
        dossier=dossier,
        actor=actor,
        kind="financial_obligation_fulfilled",
        at=at,
        expected_version=expected_version,
        build=build,
        applicant_allowed=True,
    )


@transaction.atomic
def dossier_apologise(
    *,
    actor,
    dossier: Dossier | int,
    new_due_at: datetime,
    reason: str,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Phiếu xin lỗi và hẹn lại ngày trả: once per dossier, to a later working moment."""
    reason = _required_text(reason, what="lý do chậm trễ", code="reason_required")
    new_due_at = timeutil.to_local(new_due_at)

    def build(d: Dossier, state: DossierState, at: datetime, calendar) -> _Change:
        if state.fields["apology_count"] >= 1:
            raise InvalidTransition(
                "Hồ sơ đã được hẹn lại ngày trả một lần; không được hẹn lại lần nữa.",
                code="apology_once",
            )
        previous = state.fields["due_at"]
        if new_due_at <= max(at, previous or at):
            raise ValidationFailed(
                "Ngày hẹn trả mới phải sau ngày hẹn hiện tại và sau thời điểm hiện tại.",
                code="new_due_invalid",
            )
        if not (
            calendar.is_working_time(new_due_at)
            or calendar.is_working_time(new_due_at - timedelta(seconds=1))
        ):
            raise ValidationFailed(
                "Ngày hẹn trả mới phải rơi vào giờ làm việc.", code="new_due_not_working_time"
            )
        change = _Change(
            details={"reason": reason, "previous_due_at": previous, "new_due_at": new_due_at}
        )
        change.set.update(apology_count=state.fields["apology_count"] + 1, due_at=new_due_at)
        if state.fields["clock_paused_at"] is None:
            change.set.update(
                clock_started_at=at,
                remaining_seconds=calendar.working_seconds_between(at, new_due_at),
            )
        else:
            change.set["remaining_seconds"] = calendar.working_seconds_between(
                state.fields["clock_paused_at"], new_due_at
            )
        return change

    return _act(
        dossier=dossier,
        actor=actor,
        kind="apologised",
        at=at,
        expected_version=expected_version,
        build=build,
    )


def _end_with_reason(
    *,
    kind: str,
    outcome: str,
    what: str,
    actor,
    dossier: Dossier | int,
    reason: str,
    at: datetime | None,
    expected_version: int | None,
) -> Dossier:
    """Stop, reject and withdraw: end processing for a stated reason."""
    text = _required_text(reason, what=what, code="reason_required")

    def build(d: Dossier, state: DossierState, at: datetime, calendar) -> _Change:
        change = _Change(details={"reason": text})
        _end(change, state, at=at, actor=actor, calendar=calendar, outcome=outcome)
        if outcome == Outcome.REJECTED:
            change.set["rejected_at"] = at
            # The refusal letter goes back to the applicant through the desk.
            _hand_to(change, _return_step(d, state, at=at, calendar=calendar))
        return change

    return _act(
        dossier=dossier,
        actor=actor,
        kind=kind,
        at=at,
        expected_version=expected_version,
        build=build,
        applicant_allowed=kind == "withdrawn",
    )


@transaction.atomic
def dossier_stop(
    *,
    actor,
    dossier: Dossier | int,
    reason: str,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Dừng xử lý (state 8), e.g. the applicant never supplemented."""
    return _end_with_reason(
        kind="stopped",
        outcome=Outcome.STOPPED,
        what="lý do dừng xử lý",
        actor=actor,
        dossier=dossier,
        reason=reason,
        at=at,
        expected_version=expected_version,
    )


@transaction.atomic
def dossier_reject(
    *,
    actor,
    dossier: Dossier | int,
    reason: str,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Từ chối giải quyết: the refusal letter is the result (state 9, outcome rejected)."""
    return _end_with_reason(
        kind="rejected",
        outcome=Outcome.REJECTED,
        what="lý do từ chối giải quyết",
        actor=actor,
        dossier=dossier,
        reason=reason,
        at=at,
        expected_version=expected_version,
    )


@transaction.atomic
def dossier_withdraw(
    *,
    actor,
    dossier: Dossier | int,
    reason: str,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """The applicant withdraws (at the desk, or online when `actor` is None)."""
    return _end_with_reason(
        kind="withdrawn",
        outcome=Outcome.WITHDRAWN,
        what="lý do rút hồ sơ",
        actor=actor,
        dossier=dossier,
        reason=reason,
        at=at,
        expected_version=expected_version,
    )


def _return_step(d: Dossier, state: DossierState, *, at: datetime, calendar) -> dict[str, Any]:
    template = _template(d.procedure)
    last = template[-1]
    step = _step(
        state=state,
        at=at,
        calendar=calendar,
        name=last["name"] if last["role"] == Role.DESK_OFFICER else "Trả kết quả",
        unit_id=d.unit_id,
        role=Role.DESK_OFFICER,
        seconds=None,
        position=last["position"] if last["role"] == Role.DESK_OFFICER else None,
    )
    # The hand-back is due by the promised date itself.
    step["due_at"] = max(state.fields["due_at"] or at, at)
    step["allotted_seconds"] = calendar.working_seconds_between(at, step["due_at"])
    return step


@transaction.atomic
def dossier_resolve(
    *,
    actor,
    dossier: Dossier | int,
    result_summary: str,
    electronic: bool = False,
    result_file=None,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """The leader approves and signs the result (state 9); the desk then returns it."""
    result_summary = _required_text(
        result_summary, what="nội dung kết quả", code="result_required", limit=1000
    )

    def build(d: Dossier, state: DossierState, at: datetime, calendar) -> _Change:
        change = _Change(details={"result": result_summary, "electronic": electronic})
        _end(change, state, at=at, actor=actor, calendar=calendar, outcome=Outcome.GRANTED)
        change.set.update(
            result_summary=result_summary,
            result_electronic=bool(electronic),
            has_result_file=result_file is not None or bool(electronic),
        )
        _hand_to(change, _return_step(d, state, at=at, calendar=calendar))
        return change

    at = _moment(at)

    def attach(d: Dossier) -> dict:
        if result_file is None:
            return {}
        document = DossierDocument(
            dossier=d,
            kind=DossierDocument.Kind.RESULT,
            name=result_summary[:500],
            digitized=True,
            added_at=at,
        )
        document.file.save(getattr(result_file, "name", "ket-qua"), result_file, save=False)
        document.save()
        return {"result_file": document.file.name}

    return _act(
        dossier=dossier,
        actor=actor,
        kind="resolved",
        at=at,
        expected_version=expected_version,
        build=build,
        attach=attach,
    )


@transaction.atomic
def dossier_return_result(
    *,
    actor,
    dossier: Dossier | int,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    def build(d: Dossier, state: DossierState, at: datetime, calendar) -> _Change:
        change = _Change()
        change.step_close = _close(state.open_step(), at=at, actor=actor)
        change.set["returned_at"] = at
        _clear_hands(change)
        return change

    return _act(
        dossier=dossier,
        actor=actor,
        kind="result_returned",
        at=at,
        expected_version=expected_version,
        build=build,
    )


@transaction.atomic
def dossier_record_payment(
    *,
    actor,
    dossier: Dossier | int,
    amount: int,
    online: bool,
    reference: str = "",
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Record a fee payment. A reference already recorded is accepted again without a second event
    (a payment callback arriving twice)."""
    if amount <= 0:
        raise ValidationFailed("Số tiền nộp phải lớn hơn 0.", code="amount_invalid")

    def build(d: Dossier, state: DossierState, at: datetime, calendar) -> _Change | None:
        # Checked under the row lock, so two deliveries of one callback cannot both count.
        if reference and any(
            e.get("reference") == reference
            for e in d.events.filter(kind="payment_recorded").values_list("payload", flat=True)
        ):
            return None
        change = _Change(details={"amount": amount, "online": online, "reference": reference})
        change.set.update(
            fee_paid_amount=state.fields["fee_paid_amount"] + amount,
            paid_online=state.fields["paid_online"] or online,
            paid_at=at,
        )
        return change

    return _act(
        dossier=dossier,
        actor=actor,
        kind="payment_recorded",
        at=at,
        expected_version=expected_version,
        build=build,
        applicant_allowed=online,
    )


# --- replay ---------------------------------------------------------------------------------------


@dataclass
class RebuildReport:
    checked: int = 0
    differing: dict[str, list[str]] = field(default_factory=dict)
    fixed: int = 0


def dossier_projection_rebuild(*, dossier: Dossier, fix: bool = False) -> list[str]:
    """Fold the dossier's events again and compare with its rows; with `fix`, rewrite the rows."""
    from motcua.dossiers.projection import state_differences, state_fold

    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        expected = state_fold(list(DossierEvent.objects.filter(dossier=locked).order_by("seq")))
        actual = state_from_rows(locked, list(DossierStep.objects.filter(dossier=locked)))
        differences = state_differences(expected, actual)
        if differences and fix:
            state_write(locked, expected)
            locked.save()
            steps_write(locked, expected)
    return differences


def dossiers_projection_rebuild(
    *, fix: bool = False, codes: list[str] | None = None, batch: int = 500
) -> RebuildReport:
    """Replay every dossier (or the given codes) in primary-key batches, so memory stays flat."""
    report = RebuildReport()
    queryset = Dossier.objects.order_by("pk")
    if codes:
        queryset = queryset.filter(code__in=codes)
    last_pk = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last_pk)[:batch])
        if not chunk:
            break
        for dossier in chunk:
            report.checked += 1
            differences = dossier_projection_rebuild(dossier=dossier, fix=fix)
            if differences:
                report.differing[dossier.code] = differences
                report.fixed += int(fix)
        last_pk = chunk[-1].pk
    return report


# --- import ---------------------------------------------------------------------------------------

IMPORTABLE_FIELDS = frozenset(PROJECTED_FIELDS) - {"last_event_seq"}


def import_fields_validate(*, fields: dict[str, Any]) -> None:
    unknown = set(fields) - IMPORTABLE_FIELDS
    if unknown:
        raise ValidationFailed(
            f"Trường không nhập được: {', '.join(sorted(unknown))}.", code="import_field_unknown"
        )
    for name in ("code", "unit_id", "procedure_id", "channel", "state", "received_at"):
        if fields.get(name) in (None, ""):
            raise ValidationFailed(f"Thiếu trường bắt buộc: {name}.", code="import_field_required")
    if fields.get("ended_at") is not None and fields["ended_at"] < fields["received_at"]:
        raise ValidationFailed(
            "Ngày kết thúc xử lý sớm hơn ngày tiếp nhận.", code="import_end_before_receipt"
        )


def _import_change(*, changes: dict[str, Any], source: str, record: dict | None) -> _Change:
    return _Change(
        set=changes, details={"source": source, **({"record": record} if record else {})}
    )


def _import_changes(*, current: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """The imported fields whose values differ from the dossier's (datetimes as instants)."""
    return {
        name: value
        for name, value in fields.items()
        if comparable(current.get(name)) != comparable(value)
    }


def _codes_existing(codes: set[str]) -> set[str]:
    """Which of `codes` a dossier has: one plain query (the ORM prepares each of an import batch's
    thousands of parameters, which cost more than the query), so that only those are read whole."""
    if not codes:
        return set()
    table = connection.ops.quote_name(Dossier._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT code FROM {table} WHERE code = ANY(%s)", [list(codes)])
        else:
            marks = ", ".join(["%s"] * len(codes))
            cursor.execute(f"SELECT code FROM {table} WHERE code IN ({marks})", list(codes))
        return {code for (code,) in cursor.fetchall()}


def dossiers_import_classify(
    *, items: list[tuple[dict[str, Any], dict[str, Any] | None, datetime | None]]
) -> list[str]:
    """For each (fields, record, at) of an import, in order: "new" when no dossier has its code,
    "unchanged" when `dossier_import_upsert` would append nothing (same fields; same record as the
    last import, or none given), else "changed". Two reads for the lot, so re-importing a file
    costs no statement per dossier. Fields must have passed `import_fields_validate`."""
    codes = _codes_existing({fields["code"] for fields, _, _ in items})
    rows = {
        row["code"]: row
        for row in Dossier.objects.filter(code__in=codes).values("id", *PROJECTED_FIELDS)
    }
    statuses: list[str] = []
    compare_record: dict[int, int] = {}  # item index → dossier id
    for i, (fields, record, _) in enumerate(items):
        row = rows.get(fields["code"])
        if row is None:
            statuses.append("new")
        elif _import_changes(current=row, fields=fields):
            statuses.append("changed")
        else:
            statuses.append("unchanged")
            if record is not None:
                compare_record[i] = row["id"]
    if compare_record:
        last_record = {}
        for dossier_id, payload in (
            DossierEvent.objects.filter(
                dossier_id__in=set(compare_record.values()), kind="imported"
            )
            .order_by("dossier_id", "seq")
            .values_list("dossier_id", "payload")
        ):
            last_record[dossier_id] = payload.get("record")  # the last one wins
        for i, dossier_id in compare_record.items():
            if items[i][1] != last_record.get(dossier_id):
                statuses[i] = "changed"
    return statuses


# The projection of a dossier before its first event, and the columns a bulk import writes.
_EMPTY = DossierState().fields
_DOSSIER_COLUMNS = ("id", *PROJECTED_FIELDS)
_EVENT_COLUMNS = (
    "dossier_id",
    "seq",
    "kind",
    "at",
    "recorded_at",
    "actor_name",
    "from_state",
    "to_state",
    "payload",
)


def _import_first_event(
    fields: dict[str, Any], *, record: dict | None, source: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(projection, event payload) of a dossier created by its `imported` event: the payload as
    `dossier_import_upsert` writes it, and the projection `apply_event` would fold from it, computed
    directly — folding a first event onto the empty state only sets the payload's fields, and
    decoding them again would give the same instants (tests/interchange/test_bulk.py compares)."""
    fields = {"current_unit_id": fields["unit_id"], **fields}
    # The empty state holds no datetimes, so `comparable` reduces to plain inequality here, and
    # `_Change.payload` to encoding the values. Local datetimes are left to json_text (orjson
    # writes them as isoformat does, but for the seconds of offsets before 1976).
    changed = {}
    for name, value in fields.items():
        if _EMPTY.get(name) != value:
            if value.__class__ is datetime and (
                value.tzinfo is not timeutil.LOCAL_TZ or value.year < 1976
            ):
                value = encode(value)
            changed[name] = value
    payload: dict[str, Any] = {"set": changed, "source": source}
    if record:
        payload["record"] = record
    return {**_EMPTY, **fields, "last_event_seq": 1}, payload


@dataclass(frozen=True)
class ImportRows:
    """New dossiers of an import as the rows they add, before ids are drawn: `dossiers` in
    PROJECTED_FIELDS order and `events` in _EVENT_COLUMNS order, each without its id column and
    through `rows_prepare`, and the batch's summed counter rows."""

    dossiers: list[Sequence[Any] | str]
    events: list[Sequence[Any] | str]
    counters: "CounterRows"


def dossiers_import_rows(
    *,
    items: list[tuple[dict[str, Any], dict[str, Any] | None, datetime | None]],
    source: str = "interchange",
) -> ImportRows:
    """The rows that create dossiers new to the database — each exactly as `dossier_import_upsert`
    would (one `imported` event, the projection folded from it, its counter contribution). Reads
    the procedures' classes and the units' paths for the counters; writes nothing."""
    from motcua.indicators.contributions import contribution
    from motcua.indicators.counters import counter_rows

    recorded_at = timezone.now()
    actor_name = _actor_name(None)
    dossiers, events = [], []
    delta: dict = defaultdict(Counter)
    for fields, record, at in items:
        import_fields_validate(fields=fields)
        projection, payload = _import_first_event(fields, record=record, source=source)
        dossiers.append(tuple(map(projection.__getitem__, PROJECTED_FIELDS)))
        events.append(
            (
                1,
                "imported",
                _moment(at),
                recorded_at,
                actor_name,
                None,
                projection["state"],
                json_text(payload),
            )
        )
        for key, counts in contribution(projection).items():
            into = delta[key]
            for column, value in counts.items():
                into[column] += value
    counters = counter_rows({key: counts for key, counts in delta.items() if any(counts.values())})
    return ImportRows(
        dossiers=list(rows_prepare(model=Dossier, columns=_DOSSIER_COLUMNS[1:], rows=dossiers)),
        events=list(rows_prepare(model=DossierEvent, columns=_EVENT_COLUMNS[1:], rows=events)),
        counters=counters,
    )


def dossiers_import_rows_write(*, rows: ImportRows) -> int:
    """Write `rows` (dossiers_import_rows) in four statements: ids drawn, dossiers, events,
    counters (`core.bulk`). Returns the number of dossiers. The caller runs this in a transaction
    and guarantees the codes were new when the rows were made; a code taken since makes the
    insert fail as a whole (unique constraint), nothing half-written. No `event_recorded` signal:
    the counters, its only in-transaction listener, get the batch's summed rows."""
    from motcua.indicators.counters import counter_rows_add

    ids = ids_reserve(model=Dossier, count=len(rows.dossiers))
    for model, columns, table_rows in (
        (Dossier, _DOSSIER_COLUMNS, rows.dossiers),
        (DossierEvent, _EVENT_COLUMNS, rows.events),  # an event's first column: its dossier
    ):
        rows_insert(model=model, columns=columns, rows=table_rows, prepared=True, keys=ids)
    counter_rows_add(rows.counters)
    return len(ids)


@transaction.atomic
def dossier_import_upsert(
    *,
    fields: dict[str, Any],
    source: str = "interchange",
    record: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> tuple[Dossier, str]:
    """Create or update a dossier from another system's record (national-portal payload), as an
    `imported` event like any other. Returns (dossier, "created" | "updated" | "unchanged"); importing
    the same record twice appends nothing. `record` (the source lists: components, fees, results,
    supplements) is kept in the event for audit and export."""
    import_fields_validate(fields=fields)
    at = _moment(at)
    existing = Dossier.objects.select_for_update().filter(code=fields["code"]).first()
    if existing is None:
        dossier, state = Dossier(), DossierState()
        fields = {"current_unit_id": fields["unit_id"], **fields}
        from_state = None
    else:
        dossier = existing
        state = state_from_rows(existing, list(DossierStep.objects.filter(dossier=existing)))
        from_state = existing.state
    changes = _import_changes(current=state.fields, fields=fields)
    previous_record = None
    if existing is not None:
        last_import = existing.events.filter(kind="imported").order_by("-seq").first()
        previous_record = last_import.payload.get("record") if last_import else None
    if existing is not None and not changes and (record is None or record == previous_record):
        return existing, "unchanged"
    change = _import_change(changes=changes, source=source, record=record)
    _commit(
        dossier=dossier,
        state=state,
        kind="imported",
        actor=None,
        actor_unit=None,
        at=at,
        from_state=from_state,
        to_state=fields["state"],
        change=change,
    )
    return dossier, "created" if existing is None else "updated"
