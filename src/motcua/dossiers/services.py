"""Every change to a dossier goes through one of these actions.

Each action checks the actor's role in the right unit, checks the dossier's state (and the version the
officer saw), computes the new state with the working-day calendar, appends exactly one event and
applies it to the projection — all in one transaction, under a row lock, so two officers acting on one
dossier at once cannot both win.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from motcua.catalog.models import Component, Procedure, ProcessStep
from motcua.catalog.selectors import (
    procedure_is_handled_by,
    procedure_is_received_by,
    procedure_is_resolved_by,
)
from motcua.core import timeutil
from motcua.core.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
)
from motcua.dossiers import lifecycle, signals
from motcua.dossiers.chain import ERASED
from motcua.dossiers.models import (
    ApplicantKind,
    Channel,
    Dossier,
    DossierCodeSequence,
    DossierDocument,
    DossierEvent,
    DossierStep,
    Outcome,
    ResultDelivery,
    State,
)
from motcua.dossiers.projection import (
    PROJECTED_FIELDS,
    DossierState,
    apply_event,
    comparable,
    encode_dict,
    state_from_rows,
    state_write,
    steps_write,
)
from motcua.privacy.selectors import document_is_sensitive
from motcua.units.models import Role, Unit
from motcua.units.selectors import (
    unit_get_by_code,
    unit_intake_desk,
    unit_is_current,
    unit_province,
    unit_successors,
    user_has_role,
    user_may_hand_over,
)
from motcua.workcalendar.selectors import calendar_get

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
    # LoaiDoiTuong and MaDoiTuong of the portal's payload: who files (citizen, business, …) and
    # the code the portal knows them by (e.g. a business registration number).
    kind: int = ApplicantKind.CITIZEN
    code: str = ""

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
        if self.kind not in ApplicantKind.values:
            raise ValidationFailed("Loại đối tượng không hợp lệ.", code="applicant_kind_invalid")
        code = self.code.strip()
        if len(code) > 64:
            raise ValidationFailed(
                "Mã đối tượng quá dài (tối đa 64 ký tự).", code="applicant_code_too_long"
            )
        return Applicant(
            name=name,
            id_number=id_number,
            phone=phone,
            email=email,
            address=self.address.strip(),
            kind=int(self.kind),
            code=code,
        )


@dataclass(frozen=True)
class ReceivedComponent:
    """A document handed in with the dossier; `component` is the catalogue entry when known."""

    name: str
    component: Component | None = None
    digitized: bool = False
    reused: bool = False
    file: Any = None  # a Django File/UploadedFile, checked and stored by digitization.scans
    # How it was digitized (DigitizationSource); empty: scanned at the desk when an officer hands
    # it in, uploaded online otherwise.
    source: str = ""
    # Taken from the citizen's store on the national portal (TaiLieuNop.DuocLayTuKhoDMQG).
    from_national_store: bool = False
    # An identity-document image or the like: sensitive personal data, access logged (privacy).
    sensitive: bool = False
    # A document from the applicant's store (digitization.HeldDocument) handed in again: reuse.
    held_id: int | None = None

    @property
    def is_reused(self) -> bool:
        return self.reused or self.held_id is not None

    @property
    def is_digitized(self) -> bool:
        # A component with a stored file (scanned, uploaded or taken from the store) is digitized,
        # whatever a checkbox said; the "reused" box alone proves no file.
        return self.digitized or self.file is not None or self.held_id is not None


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


def event_moment(at: datetime | None) -> datetime:
    return timeutil.now() if at is None else timeutil.to_local(at)


def actor_name(actor) -> str:
    if actor is None:
        return "Người nộp hồ sơ"
    return actor.get_full_name() or actor.get_username()


def _require_role(actor, roles: tuple[str, ...], unit: Unit, action: lifecycle.Action) -> None:
    if actor is None or not user_has_role(user=actor, role=roles, unit=unit):
        raise PermissionDenied(
            f"Bạn không có quyền {lifecycle.action_phrase(action)} tại {unit.name}.",
            details={"action": action.kind, "unit": unit.code},
        )


def _require_state(dossier_state: int, action: lifecycle.Action) -> int:
    if dossier_state not in action.from_states:
        raise InvalidTransition(
            f"Không thể {lifecycle.action_phrase(action)} khi hồ sơ ở trạng thái "
            f"“{State(dossier_state).label}”.",
            details={"action": action.kind, "state": dossier_state},
        )
    return lifecycle.action_target_state(action, dossier_state)


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
        actor_name=actor_name(actor),
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


def _version_current(dossier: Dossier, expected_version: int) -> bool:
    """The form was loaded at `expected_version`: current when nothing but version-neutral
    events (`lifecycle.VERSION_NEUTRAL_KINDS`) came after it."""
    if expected_version == dossier.last_event_seq:
        return True
    if expected_version > dossier.last_event_seq or expected_version < 0:
        return False
    return not (
        DossierEvent.objects.filter(dossier=dossier, seq__gt=expected_version)
        .exclude(kind__in=lifecycle.VERSION_NEUTRAL_KINDS)
        .exists()
    )


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
        .select_related("unit", "received_by", "current_unit", "procedure")
        .get(pk=pk)
    )
    if expected_version is not None and not _version_current(locked, expected_version):
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
    *, dossier: Dossier, components: list[ReceivedComponent], at: datetime, actor=None
) -> list[dict]:
    """The documents handed in, each file through the one scan check (digitization.scans) and
    stored under its content's SHA-256, with who digitized it, when, how and its page count."""
    from motcua.digitization.scans import scan_check, scan_store
    from motcua.digitization.store import held_document_for_reuse, held_document_reused
    from motcua.dossiers.models import DigitizationSource

    storage = DossierDocument._meta.get_field("file").storage
    described = []
    for item in components:
        name = (item.name or (item.component.name if item.component else "")).strip()
        if not name:
            raise ValidationFailed("Thành phần hồ sơ chưa có tên.", code="component_name_required")
        facts = scan_check(upload=item.file) if item.file is not None else None
        held = (
            held_document_for_reuse(
                held_id=item.held_id,
                id_number=dossier.applicant_id_number,
                component=item.component,
            )
            if item.held_id is not None and facts is None
            else None
        )
        source = item.source or (
            ""
            if not item.is_digitized
            else DigitizationSource.NATIONAL_STORE
            if item.from_national_store
            else DigitizationSource.REUSED
            if item.is_reused
            else DigitizationSource.SCANNED_AT_DESK
            if actor is not None
            else DigitizationSource.UPLOADED_ONLINE
        )
        document = DossierDocument(
            dossier=dossier,
            component=item.component,
            name=name[:500],
            digitized=item.is_digitized,
            reused=item.is_reused,
            from_national_store=item.from_national_store,
            sensitive=document_is_sensitive(name=name, marked=item.sensitive)
            or (held is not None and held.sensitive),
            digitization_source=source,
            digitized_by=actor if item.is_digitized else None,
            digitized_at=at if item.is_digitized else None,
            page_count=facts.page_count if facts else None,
            sha256=facts.sha256 if facts else "",
            added_at=at,
        )
        if facts is not None:
            document.file.name = scan_store(facts=facts, storage=storage)
        elif held is not None:
            # The stored content itself: reuse copies nothing.
            document.file.name = held.file.name
            document.sha256, document.page_count = held.sha256, held.page_count
        document.save()
        if held is not None:
            held_document_reused(held=held, actor=actor, dossier=dossier)
        described.append(
            {
                "document_id": document.pk,
                "component_code": item.component.code if item.component else "",
                "name": document.name,
                "digitized": document.digitized,
                "reused": item.is_reused,
                "held_document_id": held.pk if held is not None else None,
                "from_national_store": item.from_national_store,
                "source": source,
                "page_count": document.page_count,
                "sha256": document.sha256,
                "file": document.file.name if document.file else "",
            }
        )
    return described


def _attach_documents(components: list[ReceivedComponent] | None, at: datetime, actor=None):
    def attach(dossier: Dossier) -> dict:
        documents = _documents_create(
            dossier=dossier, components=components or [], at=at, actor=actor
        )
        return {"components": documents} if documents else {}

    return attach


# --- intake --------------------------------------------------------------------------------------


def _digitization_facts(components: list[ReceivedComponent]) -> dict[str, bool]:
    return {
        "components_digitized": bool(components) and all(c.is_digitized for c in components),
        "data_reused": any(c.is_reused for c in components),
    }


def _missing_components(
    *, procedure: Procedure, components: list[ReceivedComponent], reason: str
) -> dict[str, Any]:
    """The procedure's required components must all be handed in, whatever the channel. Only a desk
    officer may take a dossier without some of them, with a reason: both go into the received
    event (and so the timeline and the control slip). Returns the event's details."""
    handed_in = {c.component.pk for c in components if c.component is not None}
    missing = [
        c
        for c in procedure.components.order_by("position", "pk")
        if c.required and c.pk not in handed_in
    ]
    if not missing:
        return {}
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationFailed(
            "Chưa có thành phần hồ sơ bắt buộc: " + "; ".join(c.name for c in missing) + ".",
            code="component_required",
            details={"missing": [{"code": c.code, "name": c.name} for c in missing]},
        )
    if len(reason) > 2000:
        raise ValidationFailed(
            "Lý do quá dài (tối đa 2000 ký tự).", code="missing_components_reason_too_long"
        )
    return {
        "missing_components": [{"code": c.code, "name": c.name} for c in missing],
        "missing_components_reason": reason,
    }


def _result_delivery_valid(value: str) -> str:
    """How the applicant receives the result, chosen at filing ('' = not chosen: at the desk)."""
    value = (value or "").strip()
    if value and value not in ResultDelivery.values:
        raise ValidationFailed(
            "Hình thức nhận kết quả không hợp lệ.", code="result_delivery_invalid"
        )
    return value


def _new_dossier(
    *,
    unit: Unit,
    procedure: Procedure,
    channel: int,
    applicant: Applicant,
    summary: str,
    at: datetime,
    components: list[ReceivedComponent],
    received_by: Unit | None = None,
    missing_components_reason: str = "",
    result_delivery: str = "",
    vneid_verified: bool = False,
) -> tuple[Dossier, DossierState, _Change]:
    """A new dossier filed with `unit` (the processing agency), handed in at `received_by` when
    that is another unit (a centre of the province, or the desk serving `unit`)."""
    if not procedure.active:
        raise ValidationFailed("Thủ tục này đã ngừng áp dụng.", code="procedure_inactive")
    where = received_by or unit
    if not procedure_is_received_by(procedure=procedure, unit=where, on=timeutil.local_date(at)):
        raise ValidationFailed(
            f"{where.name} không tiếp nhận thủ tục “{procedure.name}”.",
            code="procedure_not_offered",
        )
    if received_by is not None:
        if not procedure_is_resolved_by(procedure=procedure, unit=unit):
            raise ValidationFailed(
                f"{unit.name} không giải quyết thủ tục “{procedure.name}”.",
                code="processing_unit_invalid",
            )
        if unit_province(unit=unit) != unit_province(unit=received_by):
            raise ValidationFailed(
                "Cơ quan giải quyết phải thuộc cùng tỉnh với nơi tiếp nhận.",
                code="processing_unit_other_province",
            )
    if channel not in Channel.values:
        raise ValidationFailed("Kênh nộp hồ sơ không hợp lệ.", code="channel_invalid")
    if len(summary) > 1000:
        raise ValidationFailed("Trích yếu quá dài (tối đa 1000 ký tự).", code="summary_too_long")
    applicant = applicant.cleaned()
    result_delivery = _result_delivery_valid(result_delivery)
    details = _missing_components(
        procedure=procedure, components=components, reason=missing_components_reason
    )
    code = dossier_code_next(unit=where, day=timeutil.local_date(at))
    change = _Change(
        set={
            "code": code,
            "procedure_id": procedure.pk,
            "unit_id": unit.pk,
            "received_by_id": received_by.pk if received_by is not None else None,
            "current_unit_id": where.pk,
            "current_role": Role.DESK_OFFICER,
            "channel": channel,
            "applicant_name": applicant.name,
            "applicant_id_number": applicant.id_number,
            "applicant_phone": applicant.phone,
            "applicant_email": applicant.email,
            "applicant_address": applicant.address,
            "applicant_kind": applicant.kind,
            "applicant_code": applicant.code,
            # NoiNopHoSo: where the dossier was handed in (the receiving centre or desk).
            "filing_place": where.name[:255],
            # Only a door that checked the applicant's VNeID account may say so.
            "vneid_verified": vneid_verified,
            "summary": summary.strip(),
            "submitted_at": at,
            "budget_seconds": procedure.time_limit_seconds,
            "fee_amount": sum(procedure.fees.values_list("amount", flat=True)),
            "result_delivery": result_delivery,
            **_digitization_facts(components),
        },
        details=details,
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
    missing_components_reason: str = "",
    at: datetime | None = None,
    processing_unit: Unit | None = None,
    result_delivery: str = "",
) -> Dossier:
    """The desk of `unit` receives a dossier handed in directly or by post: code, promised date,
    receipt. A centre receiving for another agency (a procedure its province lets citizens file
    anywhere) names the `processing_unit` the dossier is filed with. Without a required component
    it refuses (`component_required`) unless the officer gives `missing_components_reason`,
    recorded with the missing components in the received event."""
    at = event_moment(at)
    _require_role(actor, (Role.DESK_OFFICER,), unit, lifecycle.action_get("received"))
    if channel == Channel.ONLINE:
        raise ValidationFailed(
            "Hồ sơ trực tuyến được tiếp nhận qua chức năng duyệt hồ sơ trực tuyến.",
            code="channel_invalid",
        )
    received_by = None
    if processing_unit is not None and processing_unit.pk != unit.pk:
        unit, received_by = processing_unit, unit
    elif not procedure_is_handled_by(procedure=procedure, unit=unit) and procedure_is_received_by(
        procedure=procedure, unit=unit, on=timeutil.local_date(at)
    ):
        raise ValidationFailed(
            f"Thủ tục “{procedure.name}” được tiếp nhận tại đây cho cơ quan khác: hãy chọn cơ "
            "quan giải quyết.",
            code="processing_unit_required",
        )
    dossier, state, change = _new_dossier(
        unit=unit,
        received_by=received_by,
        procedure=procedure,
        channel=channel,
        applicant=applicant,
        summary=summary,
        at=at,
        components=components or [],
        missing_components_reason=missing_components_reason,
        result_delivery=result_delivery,
    )
    desk = received_by or unit
    calendar = calendar_get(unit=unit)
    _start_clock(change, state=state, procedure=procedure, unit=desk, at=at, calendar=calendar)
    _commit(
        dossier=dossier,
        state=state,
        kind="received",
        actor=actor,
        actor_unit=desk,
        at=at,
        from_state=None,
        to_state=State.RECEIVED,
        change=change,
        attach=_attach_documents(components, at, actor),
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
    result_delivery: str = "",
    vneid_verified: bool = False,
) -> Dossier:
    """A citizen files online; the dossier waits (state 1) until the desk accepts it. Every
    required component must be attached: online there is no officer to vouch for a gap.
    `vneid_verified`: only when the citizen signed in with an account verified with VNeID."""
    at = event_moment(at)
    if procedure.online_level == "none":
        raise ValidationFailed(
            "Thủ tục này chưa cung cấp dịch vụ công trực tuyến.", code="procedure_not_online"
        )
    desk = unit_intake_desk(unit=unit)  # where it waits for acceptance, with desk officers
    dossier, state, change = _new_dossier(
        unit=unit,
        received_by=desk if desk.pk != unit.pk else None,
        procedure=procedure,
        channel=Channel.ONLINE,
        applicant=applicant,
        summary=summary,
        at=at,
        components=components or [],
        result_delivery=result_delivery,
        vneid_verified=vneid_verified,
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


# Every action is one transaction, whoever calls it: joined when the caller has one (no savepoint),
# begun here otherwise — the row lock (`_load`) needs it (a service without its own decorator,
# called from a command or the demo, failed on PostgreSQL).
@transaction.atomic(savepoint=False)
def _act(
    *,
    dossier: Dossier | int,
    actor,
    kind: str,
    at: datetime | None,
    expected_version: int | None,
    build,
    by_applicant: bool = True,
    already_done=None,
    attach=None,
    role_checked: bool = False,
) -> Dossier:
    """The common frame of every action: lock, check version, role, state and whether the action is
    still possible (all from `lifecycle`); build the change; commit. `build` returning None means
    nothing to do. `already_done(locked)` true: the same action arrived again (a payment callback
    delivered twice) and is accepted without a second event. With no actor, the call is the
    applicant's own where the lifecycle allows it and `by_applicant` says so. `role_checked`: the
    service has applied a rule spanning two units itself (the hand-over)."""
    action = lifecycle.action_get(kind)
    at = event_moment(at)
    locked, state = _load(dossier, expected_version=expected_version, at=at)
    if already_done is not None and already_done(locked):
        return locked
    unit = lifecycle.action_unit(action, locked)
    if role_checked:
        pass
    elif not (actor is None and action.applicant_allowed and by_applicant):
        _require_role(actor, action.roles_for(locked), unit, action)
    from_state = locked.state
    to_state = _require_state(from_state, action)
    refusal = action.refusal(state.fields)
    if refusal is not None:
        code, message = refusal
        raise InvalidTransition(message, code=code, details={"action": kind})
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
            change,
            state=state,
            procedure=d.procedure,
            unit=d.receiving_unit,  # the first step is the desk's, where it was handed in
            at=at,
            calendar=calendar,
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
            _require_current(to_unit, on=timeutil.local_date(at))
            target_unit = to_unit
        elif nxt is not None:
            target_unit = _unit_of(nxt["unit_id"], d.unit)
            day = timeutil.local_date(at)
            if not unit_is_current(unit=target_unit, on=day) and unit_is_current(
                unit=d.current_unit, on=day
            ):
                # The template names a unit a reorganisation ended: its work is where the
                # hand-over put the dossier.
                target_unit = d.current_unit
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
    to_unit: Unit | None,
    to_role: str = Role.PROCESSOR,
    working_hours: Decimal | int | None = None,
    note: str = "",
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Liên thông: hand the dossier to another unit or agency, which then holds it."""
    if to_unit is None:
        raise ValidationFailed(
            "Chưa chọn đơn vị nhận hồ sơ liên thông.", code="transfer_unit_required"
        )
    if to_role not in Role.values:
        raise ValidationFailed("Vai trò nhận hồ sơ không hợp lệ.", code="role_invalid")

    def build(d: Dossier, state: DossierState, at: datetime, calendar) -> _Change:
        if to_unit.pk == d.current_unit_id:
            raise ValidationFailed(
                "Đơn vị nhận liên thông phải khác đơn vị đang xử lý.", code="transfer_same_unit"
            )
        _require_current(to_unit, on=timeutil.local_date(at))
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


def _require_current(unit: Unit, *, on: date) -> None:
    """A dossier is handed only to a unit that exists that day (not one a reorganisation ended,
    nor one not yet in force): forwarding to a named unit, transferring, handing over."""
    if not unit_is_current(unit=unit, on=on):
        raise ValidationFailed(
            f"{unit.name} không có hiệu lực vào ngày {on:%d/%m/%Y}.", code="unit_not_current"
        )


# --- reorganisation: open dossiers of an ended unit pass to the unit that took over ----------------

OPEN_STATES = lifecycle.BY_KIND["handed_over"].from_states


def _held_by_q(unit: Unit) -> Q:
    """Open dossiers whose work sits in `unit` itself — the step is there, or the desk work (an
    online dossier to accept, papers to receive, the result to return) is. Not its subtree: an old
    district's communes are under it, and each ended unit has its own successor, so each is
    handed over on its own."""
    return Q(state__in=OPEN_STATES) & (
        Q(current_unit=unit) | Q(received_by=unit) | Q(received_by__isnull=True, unit=unit)
    )


def _hand_over_target(*, from_unit: Unit, to_unit: Unit | None, on) -> Unit:
    if unit_is_current(unit=from_unit, on=on):
        raise ValidationFailed(
            f"{from_unit.name} vẫn còn hiệu lực ngày {on:%d/%m/%Y}: chỉ bàn giao hồ sơ của đơn vị "
            "đã kết thúc hoạt động do sắp xếp.",
            code="hand_over_unit_current",
        )
    if to_unit is None:
        successors = unit_successors(unit=from_unit)
        if len(successors) != 1:
            raise ValidationFailed(
                f"{from_unit.name} không có một đơn vị kế thừa duy nhất: cần chỉ rõ đơn vị nhận "
                "bàn giao.",
                code="hand_over_target_required",
            )
        to_unit = successors[0]
    _require_current(to_unit, on=on)
    if to_unit.path.startswith(from_unit.path):
        raise ValidationFailed(
            "Đơn vị nhận bàn giao phải nằm ngoài đơn vị đã kết thúc.", code="transfer_same_unit"
        )
    return to_unit


def _require_hand_over(*, actor, from_unit: Unit, to_unit: Unit) -> None:
    if not user_may_hand_over(user=actor, from_unit=from_unit, to_unit=to_unit):
        raise PermissionDenied(
            f"Bạn không có quyền bàn giao hồ sơ của {from_unit.name} cho {to_unit.name}: cần vai "
            "trò quản trị tại đơn vị nhận, có đơn vị đã kết thúc trong lịch sử đơn vị mình quản lý.",
            code="permission_denied",
            details={"action": "handed_over", "unit": to_unit.code},
        )


def dossier_hand_over(
    *,
    actor,
    dossier: Dossier | int,
    from_unit: Unit,
    to_unit: Unit,
    decision: str = "",
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Hand one open dossier of the ended `from_unit` to `to_unit`: its
    open step continues there with the same role and the same due time (the reorganisation is
    not the applicant's delay, nor a new step of the process), and its desk work passes to the
    desk serving `to_unit`. The processing agency (`unit`) stays: the figures of the time it was
    filed stay with it, and show under the successor through the unit's history."""
    _require_hand_over(actor=actor, from_unit=from_unit, to_unit=to_unit)
    return _hand_over_one(
        actor=actor,
        dossier=dossier,
        from_unit=from_unit,
        to_unit=to_unit,
        decision=decision,
        at=at,
        expected_version=expected_version,
    )


def _hand_over_one(
    *,
    actor,
    dossier: Dossier | int,
    from_unit: Unit,
    to_unit: Unit,
    decision: str,
    at: datetime | None,
    expected_version: int | None = None,
) -> Dossier:
    """The hand-over's event, its permission already checked (once for a whole unit's run: the
    check walks the unit history)."""

    def build(d: Dossier, state: DossierState, at: datetime, calendar) -> _Change | None:
        change = _Change(details={"from_unit": from_unit.code, "to_unit": to_unit.code})
        if decision.strip():
            change.details["decision"] = decision.strip()
        current = state.open_step()
        if d.current_unit_id == from_unit.pk:
            if current is not None:
                change.step_close = _close(current, at=at, actor=actor)
                step = _step(
                    state=state,
                    at=at,
                    calendar=calendar,
                    name=current["name"],
                    unit_id=to_unit.pk,
                    role=current["role"],
                    seconds=None,
                    position=current["position"],
                )
                step.update(due_at=current["due_at"], allotted_seconds=current["allotted_seconds"])
                _hand_to(change, step)
            else:
                change.set["current_unit_id"] = to_unit.pk
        if d.receiving_unit.pk == from_unit.pk:
            desk = unit_intake_desk(unit=to_unit)
            change.set["received_by_id"] = None if desk.pk == d.unit_id else desk.pk
        if not change.set and change.step_open is None:
            return None
        return change

    return _act(
        dossier=dossier,
        actor=actor,
        kind="handed_over",
        at=at,
        expected_version=expected_version,
        build=build,
        role_checked=True,
    )


@dataclass
class HandOverResult:
    applied: bool
    to_unit: Unit
    lines: list[str] = field(default_factory=list)
    count: int = 0


def dossiers_hand_over(
    *,
    actor,
    from_unit: Unit,
    to_unit: Unit | None = None,
    decision: str = "",
    apply: bool = False,
    at: datetime | None = None,
) -> HandOverResult:
    """Hand every open dossier of the ended `from_unit` to `to_unit` (by default its one
    successor): all or none. Without `apply` the same checks and writes run and are rolled back,
    so a dry run says exactly what applying would do."""
    at = event_moment(at)
    # The stored validity decides, not a caller's copy read before the reorganisation.
    from_unit = Unit.objects.get(pk=from_unit.pk)
    to_unit = Unit.objects.get(pk=to_unit.pk) if to_unit is not None else None
    to_unit = _hand_over_target(from_unit=from_unit, to_unit=to_unit, on=timeutil.local_date(at))
    _require_hand_over(actor=actor, from_unit=from_unit, to_unit=to_unit)
    result = HandOverResult(applied=apply, to_unit=to_unit)
    with transaction.atomic():
        for dossier in (
            Dossier.objects.filter(_held_by_q(from_unit))
            .select_related("current_unit", "received_by", "unit")
            .order_by("received_at", "code")
        ):
            held_by = dossier.current_unit or dossier.receiving_unit
            handed = _hand_over_one(
                actor=actor,
                dossier=dossier.pk,
                from_unit=from_unit,
                to_unit=to_unit,
                decision=decision,
                at=at,
            )
            result.count += 1
            result.lines.append(
                f"Bàn giao hồ sơ {handed.code} ({State(handed.state).label}): "
                f"{held_by.name} → {to_unit.name}"
            )
        if not apply:
            transaction.set_rollback(True)
    return result


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
            unit_id=d.receiving_unit.pk,  # the papers come back to the desk
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

    at = event_moment(at)
    return _act(
        dossier=dossier,
        actor=actor,
        kind="supplement_received",
        at=at,
        expected_version=expected_version,
        build=build,
        attach=_attach_documents(components, at, actor),
    )


@transaction.atomic
def dossier_request_financial_obligation(
    *,
    actor,
    dossier: Dossier | int,
    content: str,
    amount: int | None = 0,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Notify the applicant of taxes or charges to pay; the clock stops while they do."""
    content = _required_text(
        content, what="nội dung nghĩa vụ tài chính", code="obligation_content_required"
    )
    amount = amount or 0
    if amount < 0:
        raise ValidationFailed("Số tiền không được âm.", code="amount_invalid")

    def build(d: Dossier, state: DossierState, at: datetime, calendar) -> _Change:
        change = _Change(details={"content": content, "amount": amount})
        if amount:
            change.set["obligation_amount"] = state.fields["obligation_amount"] + amount
        _pause(
            change,
            state,
            at=at,
            actor=actor,
            calendar=calendar,
            waiting_name="Chờ thực hiện nghĩa vụ tài chính",
            unit_id=d.receiving_unit.pk,
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
    )


@transaction.atomic
def dossier_apologise(
    *,
    actor,
    dossier: Dossier | int,
    new_due_at: datetime | None,
    reason: str,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Phiếu xin lỗi và hẹn lại ngày trả: once per dossier (lifecycle), to a later working moment."""
    if new_due_at is None:
        raise ValidationFailed("Chưa nhập ngày hẹn trả mới.", code="new_due_required")
    reason = _required_text(reason, what="lý do chậm trễ", code="reason_required")
    new_due_at = timeutil.to_local(new_due_at)

    def build(d: Dossier, state: DossierState, at: datetime, calendar) -> _Change:
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


APPLICANT_FIELDS = {
    "name": "applicant_name",
    "id_number": "applicant_id_number",
    "phone": "applicant_phone",
    "email": "applicant_email",
    "address": "applicant_address",
}


@transaction.atomic
def dossier_correct_applicant(
    *,
    actor,
    dossier: Dossier | int,
    changes: dict[str, str],
    reason: str,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Correct the applicant's details (a data subject's request, Law 91/2025): the same rules as
    at intake; the event names the corrected fields and the reason (the new values are the
    projection's, the old ones stay in the earlier events)."""
    unknown = set(changes) - set(APPLICANT_FIELDS)
    if unknown:
        raise ValidationFailed(
            "Không sửa được trường: " + ", ".join(sorted(unknown)) + ".",
            code="correction_field_invalid",
        )
    reason = _required_text(reason, what="lý do chỉnh sửa", code="reason_required")

    def build(locked, state, at, calendar):
        current = {key: getattr(locked, column) for key, column in APPLICANT_FIELDS.items()}
        corrected = Applicant(**{**current, **changes}).cleaned()
        new = {APPLICANT_FIELDS[k]: getattr(corrected, k) for k in APPLICANT_FIELDS}
        changed = {c: v for c, v in new.items() if getattr(locked, c) != v}
        if not changed:
            raise ValidationFailed(
                "Thông tin mới giống thông tin đang lưu: không có gì để sửa.",
                code="correction_unchanged",
            )
        return _Change(set=changed, details={"corrected": sorted(changed), "reason": reason})

    return _act(
        dossier=dossier,
        actor=actor,
        kind="applicant_corrected",
        at=at,
        expected_version=expected_version,
        build=build,
        by_applicant=False,
    )


# What erasure blanks: the applicant's identity and contact details, and the summary they wrote.
ERASED_FIELDS = {
    "applicant_name": ERASED,
    "applicant_id_number": "",
    "applicant_phone": "",
    "applicant_email": "",
    "applicant_address": "",
    "applicant_code": "",
    "summary": "",
}


@transaction.atomic
def dossier_erase_personal_data(
    *, actor, dossier: Dossier | int, reason: str, request_id: int | None = None
) -> Dossier:
    """Erase the applicant's personal data from a dossier the administration never received
    (refused at acceptance or withdrawn before it: no administrative record to keep). One
    `personal_data_erased` event — the erasure record: who, when, why, which request, which events
    — blanks the projection's identity and contact fields; then the personal values of the events
    it lists are erased inside the log (dossiers.erasure: the chain still verifies) and the
    uploaded files deleted. Events sealed before erasure existed (scheme 1) keep their values and
    are listed as `kept_events` (docs/privacy.md). Whether erasure is allowed is
    privacy.selectors.deletion_refusal's rule; the lifecycle allows it only after the end."""
    from motcua.dossiers.erasure import erasable_events, events_personal_erase

    reason = _required_text(reason, what="lý do xóa", code="reason_required")

    def build(locked, state, at, calendar):
        if locked.received_at is not None:
            raise ValidationFailed(
                "Hồ sơ đã được tiếp nhận: dữ liệu cá nhân được lưu trữ cùng hồ sơ, không xóa.",
                code="erasure_not_allowed",
            )
        documents = list(DossierDocument.objects.filter(dossier=locked))
        removed = len(documents)
        files = [d.file for d in documents if d.file]
        DossierDocument.objects.filter(dossier=locked).delete()
        # The files go once the erasure is committed: a rolled-back request keeps them.
        transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files])
        erasable, kept = erasable_events(dossier_id=locked.pk)
        return _Change(
            set=dict(ERASED_FIELDS),
            details={
                "reason": reason,
                "request": request_id,
                "documents_removed": removed,
                "erased_events": erasable,
                "kept_events": kept,
            },
        )

    locked = _act(
        dossier=dossier,
        actor=actor,
        kind="personal_data_erased",
        at=None,
        expected_version=None,
        build=build,
        by_applicant=False,
    )
    record = DossierEvent.objects.get(dossier=locked, seq=locked.last_event_seq)
    events_personal_erase(erasure=record)
    return locked


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
        unit_id=d.receiving_unit.pk,  # the result goes back where the dossier was handed in
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
    result_draft_id: int | None = None,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """The leader approves and signs the result (state 9); the desk then returns it.
    `result_draft_id`: the drafted result the signed file was made from (recorded in the event)."""
    result_summary = _required_text(
        result_summary, what="nội dung kết quả", code="result_required", limit=1000
    )

    def build(d: Dossier, state: DossierState, at: datetime, calendar) -> _Change:
        change = _Change(details={"result": result_summary, "electronic": electronic})
        if result_draft_id is not None:
            change.details["result_draft_document_id"] = result_draft_id
        _end(change, state, at=at, actor=actor, calendar=calendar, outcome=Outcome.GRANTED)
        change.set.update(
            result_summary=result_summary,
            result_electronic=bool(electronic),
            has_result_file=result_file is not None or bool(electronic),
        )
        _hand_to(change, _return_step(d, state, at=at, calendar=calendar))
        return change

    at = event_moment(at)

    def attach(d: Dossier) -> dict:
        if result_file is None:
            return {}
        result_file.seek(0)
        content = result_file.read()
        result_file.seek(0)
        document = DossierDocument(
            dossier=d,
            kind=DossierDocument.Kind.RESULT,
            name=result_summary[:500],
            digitized=True,
            digitized_by=actor,
            digitized_at=at,
            sha256=hashlib.sha256(content).hexdigest(),
            page_count=_pdf_pages(content),
            added_at=at,
        )
        document.file.save(getattr(result_file, "name", "ket-qua"), result_file, save=False)
        document.save()
        return {
            "result_file": document.file.name,
            "result_document_id": document.pk,
            "result_document_code": result_document_code(dossier_code=d.code),
            "result_sha256": document.sha256,
        }

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
def dossier_attach_result_draft(
    *,
    actor,
    dossier: Dossier | int,
    draft,
    name: str = "",
    generated: bool = False,
    result_summary: str = "",
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """The processing officer attaches the drafted result while the dossier is being processed:
    a PDF, through the one scan check (digitization.scans) and stored under its SHA-256, or one
    generated from the default template (`generated`, with the `result_summary` it states —
    digitization.results renders it). A later draft replaces it; the leader's approval signs the
    last one (`digitization.results.dossier_result_issue`). From every door: the dossier page's
    form and the API's upload."""
    from motcua.digitization.scans import scan_check, scan_store

    filename = str(name or getattr(draft, "name", "") or "").replace("\\", "/").split("/")[-1]
    filename = filename.strip()[:200]
    checked: dict[str, Any] = {}

    def build(d: Dossier, state: DossierState, at: datetime, calendar) -> _Change:
        # After the role and state checks: a stranger learns nothing about the file.
        facts = scan_check(upload=draft, name=filename)
        if facts.kind != "pdf":
            raise ValidationFailed(
                f"Tệp “{filename[:80]}”: dự thảo kết quả phải là tệp PDF.",
                code="result_draft_not_pdf",
                details={"file": filename},
            )
        checked["facts"] = facts
        details: dict[str, Any] = {
            "draft_name": "Dự thảo theo mẫu mặc định" if generated else filename or "Dự thảo",
            "generated": generated,
        }
        if generated and result_summary:
            details["result"] = result_summary[:1000]
        return _Change(details=details)

    at = event_moment(at)

    def attach(d: Dossier) -> dict:
        facts = checked["facts"]
        storage = DossierDocument._meta.get_field("file").storage
        title = "Dự thảo kết quả" + (f" ({filename})" if filename and not generated else "")
        document = DossierDocument(
            dossier=d,
            kind=DossierDocument.Kind.RESULT_DRAFT,
            name=title[:500],
            digitized=True,
            digitized_by=actor,
            digitized_at=at,
            page_count=facts.page_count,
            sha256=facts.sha256,
            added_at=at,
        )
        document.file.name = scan_store(facts=facts, storage=storage)
        document.save()
        return {
            "draft_document_id": document.pk,
            "draft_file": document.file.name,
            "draft_sha256": document.sha256,
            "draft_page_count": document.page_count,
        }

    return _act(
        dossier=dossier,
        actor=actor,
        kind="result_drafted",
        at=at,
        expected_version=expected_version,
        build=build,
        attach=attach,
    )


def result_document_code(*, dossier_code: str) -> str:
    """`MaGiayToKetQua` of the dossier's result document (one result per dossier)."""
    return f"KQ.{dossier_code}"


def _pdf_pages(content: bytes) -> int | None:
    """Pages of a result PDF, None for another kind of file (read by the scans' own check)."""
    from motcua.digitization.scans import pdf_page_count

    return pdf_page_count(content)


@transaction.atomic
def dossier_return_result(
    *,
    actor,
    dossier: Dossier | int,
    tracking_number: str = "",
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """The desk records the hand-over, the way the applicant chose at filing: at the desk; by
    post (BCCI) with the item's tracking number; online — the signed result is downloaded from
    the tracking page, so there must be one."""

    def build(d: Dossier, state: DossierState, at: datetime, calendar) -> _Change:
        delivery = d.result_delivery or ResultDelivery.DESK
        number = "".join((tracking_number or "").split()).upper()  # "ee 1234 vn" → "EE1234VN"
        if delivery == ResultDelivery.POST:
            if not number:
                raise ValidationFailed(
                    "Chủ hồ sơ chọn nhận kết quả qua bưu chính công ích: hãy nhập số hiệu bưu gửi.",
                    code="result_tracking_number_required",
                )
            if len(number) > 64 or not re.fullmatch(r"[A-Z0-9-]+", number):
                raise ValidationFailed(
                    "Số hiệu bưu gửi chỉ gồm chữ cái, chữ số và dấu '-' (tối đa 64 ký tự).",
                    code="result_tracking_number_invalid",
                )
        elif number:
            raise ValidationFailed(
                "Chỉ nhập số hiệu bưu gửi khi trả kết quả qua bưu chính công ích.",
                code="result_tracking_number_unexpected",
            )
        if delivery == ResultDelivery.ONLINE and not d.has_result_file:
            raise ValidationFailed(
                "Hồ sơ chưa có tệp kết quả điện tử để trả trực tuyến.",
                code="result_file_missing",
            )
        change = _Change(details={"delivery": delivery})
        change.step_close = _close(state.open_step(), at=at, actor=actor)
        change.set["returned_at"] = at
        if number:
            change.set["result_tracking_number"] = number
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
    amount: int | None,
    online: bool = False,
    reference: str = "",
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Record a fee payment: at the desk by an officer, or online (no officer: the provider's
    confirmed payment). A reference already recorded is accepted again without a second event (a
    payment callback arriving twice)."""
    if amount is None or amount <= 0:
        raise ValidationFailed("Số tiền nộp phải lớn hơn 0.", code="amount_invalid")

    def already_recorded(d: Dossier) -> bool:
        # Checked under the row lock, so two deliveries of one callback cannot both count.
        return bool(reference) and any(
            e.get("reference") == reference
            for e in d.events.filter(kind="payment_recorded").values_list("payload", flat=True)
        )

    def build(d: Dossier, state: DossierState, at: datetime, calendar) -> _Change:
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
        by_applicant=online,
        already_done=already_recorded,
    )


@transaction.atomic
def dossier_refund_payment(
    *,
    dossier: Dossier | int,
    amount: int,
    reference: str,
    online: bool = True,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """The provider returned `amount` of what was recorded as paid, of a payment made `online` or
    not (no officer: the payments app records what the provider reports). `reference` names the
    refund; the same one again adds nothing. The dossier stays paid online only while an online
    payment is left after it."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationFailed("Số tiền hoàn trả phải lớn hơn 0.", code="amount_invalid")
    if not reference:
        raise ValidationFailed("Phải ghi mã giao dịch hoàn tiền.", code="refund_reference_required")
    online_refund = online

    def already_refunded(d: Dossier) -> bool:
        return any(
            e.get("reference") == reference
            for e in d.events.filter(kind="payment_refunded").values_list("payload", flat=True)
        )

    def build(d: Dossier, state: DossierState, at: datetime, calendar) -> _Change:
        paid = state.fields["fee_paid_amount"]
        if amount > paid:
            raise ValidationFailed(
                f"Số tiền hoàn trả ({amount} đồng) lớn hơn số đã nộp ({paid} đồng).",
                code="refund_exceeds_paid",
            )
        online_paid = 0
        for kind, payload in d.events.filter(
            kind__in=("payment_recorded", "payment_refunded")
        ).values_list("kind", "payload"):
            if payload.get("online"):
                online_paid += payload.get("amount", 0) * (1 if kind == "payment_recorded" else -1)
        left_online = online_paid - (amount if online_refund else 0)
        change = _Change(
            details={"amount": amount, "online": online_refund, "reference": reference}
        )
        change.set.update(
            fee_paid_amount=paid - amount,
            paid_online=state.fields["paid_online"] and left_online > 0,
        )
        return change

    return _act(
        dossier=dossier,
        actor=None,
        kind="payment_refunded",
        at=at,
        expected_version=expected_version,
        build=build,
        already_done=already_refunded,
    )


@transaction.atomic  # the lock of `_act` needs a transaction (PostgreSQL refuses it outside one)
def dossier_mark_synced(
    *, dossier: Dossier | int, at: datetime | None = None, receipt: str = ""
) -> Dossier:
    """The national portal confirmed it added the dossier: one `portal_synced` event sets
    `synced_to_portal` (indicator 1.4 counts it). A confirmation that arrives again adds nothing."""

    def build(d: Dossier, state: DossierState, at: datetime, calendar) -> _Change:
        change = _Change(details={"receipt": receipt[:200]} if receipt else {})
        change.set["synced_to_portal"] = True
        return change

    return _act(
        dossier=dossier,
        actor=None,
        kind="portal_synced",
        at=at,
        expected_version=None,
        build=build,
        already_done=lambda locked: locked.synced_to_portal,
    )


def dossier_mark_result_synced(*, dossier: Dossier | int, at: datetime | None = None) -> Dossier:
    """The national portal confirmed a payload carrying the link of the dossier's electronic
    result (`DanhSachGiayToKetQua[].DuongDanTepTinKetQua`): one `result_link_synced` event sets
    `result_store_synced_at` (indicator 4.4 counts it). Recorded once."""

    def build(d: Dossier, state: DossierState, at: datetime, calendar) -> _Change:
        change = _Change()
        change.set["result_store_synced_at"] = at
        return change

    return _act(
        dossier=dossier,
        actor=None,
        kind="result_link_synced",
        at=at,
        expected_version=None,
        build=build,
        already_done=lambda locked: locked.result_store_synced_at is not None,
    )


# --- one door for every action ---------------------------------------------------------------------


def _desk_payment(
    *,
    actor,
    dossier: Dossier | int,
    expected_version: int | None,
    method: str,
    amount: int | None,
    reference: str,
) -> Dossier:
    """The lifecycle's door to a desk payment (officer pages, API) is the payments app's service:
    the same one its desk page calls, which records the payment (dossier_record_payment) and
    issues the receipt. Imported here, not at the top: payments builds on this module."""
    from motcua.payments.models import PaymentMethod
    from motcua.payments.services import payment_desk_record

    pk = dossier.pk if isinstance(dossier, Dossier) else dossier
    payment_desk_record(
        actor=actor,
        dossier=Dossier.objects.get(pk=pk),
        method=method or PaymentMethod.CASH,
        amount=amount,
        reference=reference,
        expected_version=expected_version,
    )
    return Dossier.objects.get(pk=pk)


def _resolve_from_door(**inputs) -> Dossier:
    """The doors' approval (officer pages, API): an electronic result is rendered and signed with
    the approving unit's certificate, then stored by `dossier_resolve` (digitization.results).
    Imported here, not at the top: digitization builds on this module."""
    from motcua.digitization.results import dossier_result_issue

    return dossier_result_issue(**inputs)


# The service of each action that has a door (lifecycle.DOOR_ACTIONS).
PERFORMERS = {
    "accepted": dossier_accept,
    "not_accepted": dossier_not_accept,
    "forwarded": dossier_forward,
    "transferred": dossier_transfer,
    "supplement_requested": dossier_request_supplement,
    "supplement_received": dossier_receive_supplement,
    "financial_obligation_requested": dossier_request_financial_obligation,
    "financial_obligation_fulfilled": dossier_fulfil_financial_obligation,
    "apologised": dossier_apologise,
    "resolved": _resolve_from_door,
    "result_returned": dossier_return_result,
    "payment_recorded": _desk_payment,
    "stopped": dossier_stop,
    "rejected": dossier_reject,
    "withdrawn": dossier_withdraw,
}

# What an input is when a door leaves it out; the service then says what is missing.
_INPUT_DEFAULTS = {"electronic": False, "new_due_at": None, "to_unit": None, "amount": None}


def dossier_perform(
    *,
    actor,
    dossier: Dossier | int,
    slug: str,
    expected_version: int | None,
    inputs: dict[str, Any],
) -> Dossier:
    """Take the action the lifecycle names `slug` with the inputs its row lists — the pages and
    the API both come through here. `to_unit` may be given as a unit code."""
    action = lifecycle.BY_SLUG.get(slug)
    if action is None:
        raise NotFound(f"Không có thao tác “{slug}”.", code="action_unknown")
    values = {}
    for name in action.inputs:
        value = inputs.get(name)
        values[name] = _INPUT_DEFAULTS.get(name, "") if value is None else value
    if isinstance(values.get("to_unit"), str):
        code = values["to_unit"].strip()
        unit = unit_get_by_code(code=code) if code else None
        if code and unit is None:
            raise NotFound(f"Không tìm thấy đơn vị mã {code}.", code="unit_not_found")
        values["to_unit"] = unit
    return PERFORMERS[action.kind](
        actor=actor, dossier=dossier, expected_version=expected_version, **values
    )


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


def import_fields_changed(*, current: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """The imported fields whose values differ from the dossier's (datetimes as instants)."""
    return {
        name: value
        for name, value in fields.items()
        if comparable(current.get(name)) != comparable(value)
    }


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
    at = event_moment(at)
    existing = Dossier.objects.select_for_update().filter(code=fields["code"]).first()
    if existing is None:
        dossier, state = Dossier(), DossierState()
        fields = {"current_unit_id": fields["unit_id"], **fields}
        from_state = None
    else:
        dossier = existing
        state = state_from_rows(existing, list(DossierStep.objects.filter(dossier=existing)))
        from_state = existing.state
    changes = import_fields_changed(current=state.fields, fields=fields)
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
