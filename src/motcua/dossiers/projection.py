"""Folding events into the dossier projection.

An event's payload carries the state it produced (`set`: projected fields; `step_close` and
`step_open`: control-slip changes), computed by the service with the calendar of that moment. Folding
is therefore pure and deterministic: a holiday added next year does not move last year's deadlines.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from motcua.core.timeutil import to_local
from motcua.dossiers.models import Dossier, DossierEvent, DossierStep

# Projected Dossier columns, with the ones that need decoding from JSON.
PROJECTED_FIELDS = (
    "code",
    "procedure_id",
    "unit_id",
    "received_by_id",
    "current_unit_id",
    "current_role",
    "current_assignee_id",
    "channel",
    "state",
    "outcome",
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "summary",
    "submitted_at",
    "received_at",
    "due_at",
    "first_due_at",
    "ended_at",
    "returned_at",
    "rejected_at",
    "budget_seconds",
    "remaining_seconds",
    "clock_started_at",
    "clock_paused_at",
    "supplement_count",
    "apology_count",
    "fee_amount",
    "fee_paid_amount",
    "obligation_amount",
    "paid_online",
    "paid_at",
    "result_summary",
    "result_electronic",
    "has_result_file",
    "components_digitized",
    "data_reused",
    "synced_to_portal",
    "applicant_kind",
    "applicant_code",
    "filing_place",
    "vneid_verified",
    "databases_consulted",
    "result_store_synced_at",
    "result_delivery",
    "result_tracking_number",
    "last_event_seq",
)
DATETIME_FIELDS = frozenset(
    {
        "submitted_at",
        "received_at",
        "due_at",
        "first_due_at",
        "ended_at",
        "returned_at",
        "rejected_at",
        "clock_started_at",
        "clock_paused_at",
        "paid_at",
        "result_store_synced_at",
        "started_at",
        "finished_at",
    }
)
STEP_FIELDS = (
    "seq",
    "position",
    "name",
    "unit_id",
    "role",
    "assignee_id",
    "started_at",
    "due_at",
    "finished_at",
    "finished_by_id",
    "on_time",
    "allotted_seconds",
)
DEFAULTS: dict[str, Any] = {
    "current_role": "",
    "current_assignee_id": None,
    "received_by_id": None,
    "outcome": "",
    "applicant_id_number": "",
    "applicant_phone": "",
    "applicant_email": "",
    "applicant_address": "",
    "summary": "",
    "budget_seconds": 0,
    "remaining_seconds": 0,
    "supplement_count": 0,
    "apology_count": 0,
    "fee_amount": 0,
    "fee_paid_amount": 0,
    "obligation_amount": 0,
    "paid_online": False,
    "result_summary": "",
    "result_electronic": False,
    "has_result_file": False,
    "components_digitized": False,
    "data_reused": False,
    "synced_to_portal": False,
    "applicant_kind": 1,
    "applicant_code": "",
    "filing_place": "",
    "vneid_verified": False,
    "databases_consulted": "",
    "result_store_synced_at": None,
    "result_delivery": "",
    "result_tracking_number": "",
    "last_event_seq": 0,
}


def encode(value: Any) -> Any:
    # Local time (UTC+7) in the log, as officials and the national portal read it.
    if isinstance(value, datetime):
        return to_local(value).isoformat()
    return value


def decode(name: str, value: Any) -> Any:
    if name in DATETIME_FIELDS and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def encode_dict(values: dict[str, Any]) -> dict[str, Any]:
    return {key: encode(value) for key, value in values.items()}


@dataclass
class DossierState:
    fields: dict[str, Any] = field(
        default_factory=lambda: {name: DEFAULTS.get(name) for name in PROJECTED_FIELDS}
    )
    steps: dict[int, dict[str, Any]] = field(default_factory=dict)

    def open_step(self) -> dict[str, Any] | None:
        open_steps = [s for s in self.steps.values() if s["finished_at"] is None]
        return max(open_steps, key=lambda s: s["seq"]) if open_steps else None

    def next_step_seq(self) -> int:
        return max(self.steps, default=0) + 1


def apply_event(
    state: DossierState, *, seq: int, to_state: int, payload: dict[str, Any]
) -> set[str]:
    """Apply one event in place; returns the names of changed projected fields."""
    changed: set[str] = set()
    for name, value in payload.get("set", {}).items():
        state.fields[name] = decode(name, value)
        changed.add(name)
    state.fields["state"] = to_state
    state.fields["last_event_seq"] = seq
    changed |= {"state", "last_event_seq"}
    if closing := payload.get("step_close"):
        step = state.steps[closing["seq"]]
        for name in ("finished_at", "finished_by_id", "on_time"):
            step[name] = decode(name, closing.get(name))
    if opening := payload.get("step_open"):
        step = {name: decode(name, opening.get(name)) for name in STEP_FIELDS}
        step["finished_at"] = None
        step["finished_by_id"] = None
        step["on_time"] = None
        state.steps[step["seq"]] = step
    return changed


def state_fold(events: list[DossierEvent]) -> DossierState:
    state = DossierState()
    for event in events:
        apply_event(state, seq=event.seq, to_state=event.to_state, payload=event.payload)
    return state


def state_from_rows(dossier: Dossier, steps: list[DossierStep]) -> DossierState:
    state = DossierState()
    state.fields = {name: getattr(dossier, name) for name in PROJECTED_FIELDS}
    state.steps = {step.seq: {name: getattr(step, name) for name in STEP_FIELDS} for step in steps}
    return state


def comparable(value: Any) -> Any:
    # Compare datetimes as instants: the database may hand them back in another time zone.
    if isinstance(value, datetime):
        return value.timestamp()
    return value


def state_differences(expected: DossierState, actual: DossierState) -> list[str]:
    """Human-readable differences between two states (empty when they agree)."""
    out = []
    for name in PROJECTED_FIELDS:
        a, b = expected.fields.get(name), actual.fields.get(name)
        if comparable(a) != comparable(b):
            out.append(f"{name}: nhật ký={a!r} bảng={b!r}")
    for seq in sorted(set(expected.steps) | set(actual.steps)):
        a, b = expected.steps.get(seq), actual.steps.get(seq)
        if a is None or b is None:
            out.append(
                f"bước {seq}: nhật ký={'có' if a else 'không'} bảng={'có' if b else 'không'}"
            )
            continue
        for name in STEP_FIELDS:
            if comparable(a[name]) != comparable(b[name]):
                out.append(f"bước {seq}.{name}: nhật ký={a[name]!r} bảng={b[name]!r}")
    return out


def state_write(dossier: Dossier, state: DossierState, *, changed: set[str] | None = None) -> None:
    """Write a state to the dossier row (saved by the caller's save) and its step rows."""
    for name in PROJECTED_FIELDS if changed is None else changed:
        setattr(dossier, name, state.fields[name])


def steps_write(dossier: Dossier, state: DossierState, *, seqs: set[int] | None = None) -> None:
    existing = {step.seq: step for step in DossierStep.objects.filter(dossier=dossier)}
    for seq, values in state.steps.items():
        if seqs is not None and seq not in seqs:
            continue
        row = existing.get(seq)
        if row is None:
            DossierStep.objects.create(dossier=dossier, **values)
            continue
        if any(comparable(getattr(row, n)) != comparable(values[n]) for n in STEP_FIELDS):
            for name, value in values.items():
                setattr(row, name, value)
            row.save()
    if seqs is None:
        DossierStep.objects.filter(dossier=dossier).exclude(seq__in=list(state.steps)).delete()
