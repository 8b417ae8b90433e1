"""Reads of dossiers for officers: the inbox, one dossier with its history, what may be done next.

Every read that shows a dossier goes through the user's remit (units.selectors), so the web pages,
the API and the command line share one answer to "may this officer see this dossier?"."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from motcua.core import timeutil
from motcua.core.errors import NotFound, PermissionDenied
from motcua.dossiers import lifecycle
from motcua.dossiers.lifecycle import OFFICER_ROLES
from motcua.dossiers.models import (
    OPEN_STATES,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierStep,
    State,
)
from motcua.units.models import Role, Unit
from motcua.units.selectors import (
    user_has_role,
    user_memberships,
    user_roles_in,
    user_unit_filter,
    user_units,
)
from motcua.workcalendar.selectors import calendar_get

# Roles that work on dossiers; supervisors read, administrators manage staff.

# --- inbox ---------------------------------------------------------------------------------------


def dossier_inbox(
    *,
    user,
    state: int | None = None,
    procedure_code: str = "",
    channel: int | None = None,
    overdue_only: bool = False,
    search: str = "",
    mine: bool = False,
    field_id: int | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
    now: datetime | None = None,
) -> QuerySet[Dossier]:
    """Dossiers held now by a unit in the user's remit: running ones by due date (so overdue ones
    come first), then the ones paused with the applicant. Open states only unless `state` is given.

    The queryset is meant to be sliced (never counted): the `dossier_inbox_idx` index on
    (current_unit, state, due_at) serves the filter and the order."""
    now = now or timeutil.now()
    queryset = Dossier.objects.filter(
        user_unit_filter(user=user, field="current_unit", roles=OFFICER_ROLES)
    )
    if state is not None:
        queryset = queryset.filter(state=state)
    else:
        queryset = queryset.filter(state__in=OPEN_STATES)
    if procedure_code:
        code = procedure_code.strip()
        queryset = queryset.filter(Q(procedure__code=code) | Q(procedure__national_code=code))
    if channel is not None:
        queryset = queryset.filter(channel=channel)
    if overdue_only:
        queryset = queryset.filter(
            state__in=OPEN_STATES, clock_paused_at__isnull=True, due_at__lt=now
        )
    if search:
        queryset = queryset.filter(_search_q(search))
    if mine:
        queryset = queryset.filter(_awaiting_my_role(user))
    if field_id is not None:
        queryset = queryset.filter(procedure__field_id=field_id)
    if received_from is not None:
        queryset = queryset.filter(received_at__gte=timeutil.local_datetime(received_from))
    if received_to is not None:
        queryset = queryset.filter(
            received_at__lt=timeutil.local_datetime(received_to + timedelta(days=1))
        )
    return (
        queryset.select_related("procedure", "unit", "current_unit", "current_assignee")
        .annotate(
            paused=ExpressionWrapper(Q(clock_paused_at__isnull=False), output_field=BooleanField())
        )
        .order_by("paused", F("due_at").asc(nulls_last=True), "pk")
    )


def dossier_list_for_user(
    *,
    user,
    state: int | None = None,
    procedure_code: str = "",
    channel: int | None = None,
    unit: Unit | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
    before_id: int | None = None,
) -> QuerySet[Dossier]:
    """Every dossier the user may see in a list (filed with, handed in at or held by a unit of
    their remit, as `dossier_can_view` reads it, without the per-dossier step history), newest
    first. Paged by key (`before_id`, the last id of the previous page), never by offset: each page
    is one walk down the primary key's index, as fast on page 10,000 as on page 1."""
    units = user_units(user=user, roles=(*OFFICER_ROLES, Role.SUPERVISOR))
    if not units:
        return Dossier.objects.none()
    remit = Q()
    for top in units:
        ids = Unit.objects.filter(path__startswith=top.path).values("id")
        remit |= Q(unit_id__in=ids) | Q(current_unit_id__in=ids) | Q(received_by_id__in=ids)
    queryset = Dossier.objects.filter(remit)
    if unit is not None:
        queryset = queryset.filter(
            unit_id__in=Unit.objects.filter(path__startswith=unit.path).values("id")
        )
    if state is not None:
        queryset = queryset.filter(state=state)
    if procedure_code:
        code = procedure_code.strip()
        queryset = queryset.filter(Q(procedure__code=code) | Q(procedure__national_code=code))
    if channel is not None:
        queryset = queryset.filter(channel=channel)
    if received_from is not None:
        queryset = queryset.filter(received_at__gte=timeutil.local_datetime(received_from))
    if received_to is not None:
        queryset = queryset.filter(
            received_at__lt=timeutil.local_datetime(received_to + timedelta(days=1))
        )
    if before_id is not None:
        queryset = queryset.filter(pk__lt=before_id)
    return queryset.select_related("procedure", "unit", "current_unit").order_by("-pk")


def _awaiting_my_role(user) -> Q:
    """Dossiers whose current step waits for a role the user holds in that unit (or is assigned to
    the user by name): the inbox "by role"."""
    query = Q(current_assignee=user)
    for membership in user_memberships(user=user):
        if membership.role not in OFFICER_ROLES:
            continue
        query |= Q(
            current_unit__path__startswith=membership.unit.path, current_role=membership.role
        )
    return query


def _search_q(text: str) -> Q:
    """Code (exact or prefix, both index-friendly), ID number (exact) or applicant name (contains)."""
    term = " ".join(text.split())
    compact = term.replace(" ", "").upper()
    query = Q(code__startswith=term) | Q(applicant_name__icontains=term)
    if compact != term:
        query |= Q(code__startswith=compact)
    if compact.isalnum() and len(compact) >= 6:
        query |= Q(applicant_id_number=compact)
    return query


# --- one dossier ---------------------------------------------------------------------------------


def dossier_can_view(*, user, dossier: Dossier) -> bool:
    """Filed with, handed in at, held by or ever handled by a unit in the user's remit; or a
    supervisor above it."""
    for unit in (dossier.unit, dossier.receiving_unit, dossier.current_unit):
        if user_has_role(user=user, role=(*OFFICER_ROLES, Role.SUPERVISOR), unit=unit):
            return True
    handled_here = user_unit_filter(user=user, field="unit", roles=OFFICER_ROLES)
    return DossierStep.objects.filter(handled_here, dossier=dossier).exists()


def dossier_get_for_user(*, user, code: str) -> Dossier:
    dossier = (
        Dossier.objects.select_related(
            "procedure",
            "procedure__field",
            "unit",
            "received_by",
            "current_unit",
            "current_assignee",
        )
        .filter(code=code)
        .first()
    )
    if dossier is None:
        raise NotFound(gettext("Không tìm thấy hồ sơ có mã %(code)s.") % {"code": code})
    if not dossier_can_view(user=user, dossier=dossier):
        raise PermissionDenied(gettext("Bạn không có quyền xem hồ sơ này."))
    return dossier


def dossier_steps(*, dossier: Dossier) -> list[DossierStep]:
    return list(
        DossierStep.objects.filter(dossier=dossier)
        .select_related("unit", "assignee", "finished_by")
        .order_by("seq")
    )


# --- timeline ------------------------------------------------------------------------------------

# Payload entries worth showing, in this order. The `set` part is never shown: it copies the
# applicant's personal data (ID number, phone) into the received event.
_DETAIL_LABELS: tuple[tuple[str, Any], ...] = (
    ("content", _("Nội dung")),
    ("reason", _("Lý do")),
    ("result", _("Kết quả")),
    ("note", _("Ghi chú")),
    ("draft_name", _("Tệp dự thảo")),
    ("to_unit", _("Đơn vị nhận")),
    ("amount", _("Số tiền")),
    ("new_due_at", _("Ngày hẹn trả mới")),
    ("missing_components", _("Tiếp nhận khi còn thiếu thành phần")),
    ("missing_components_reason", _("Lý do tiếp nhận khi còn thiếu thành phần")),
)


@dataclass(frozen=True)
class TimelineEntry:
    seq: int
    at: datetime
    kind: str
    label: str
    actor_name: str
    unit_name: str
    from_state: str
    to_state: str
    details: list[tuple[str, Any]] = field(default_factory=list)
    repeated_supplement: bool = False


def _detail_value(key: str, value: Any) -> Any:
    if key == "new_due_at" and isinstance(value, str):
        return timeutil.parse_aware(value)
    if key == "missing_components" and isinstance(value, list):
        return "; ".join(str(c.get("name", "")) for c in value if isinstance(c, dict))
    if key == "amount" and isinstance(value, int):
        return f"{value:,}".replace(",", ".") + " đ"
    return value


def dossier_events(*, dossier: Dossier) -> list[DossierEvent]:
    """The dossier's events in order, read once per instance: the dossier page's timeline,
    documents, drafted result and forms each need them. Kept with the instance's version
    (`last_event_seq`), so an instance refreshed after a new event reads them again."""
    held = getattr(dossier, "_motcua_events", None)
    if held is None or held[0] != dossier.last_event_seq:
        events = list(dossier.events.select_related("actor_unit").order_by("seq"))
        held = dossier._motcua_events = (dossier.last_event_seq, events)
    return held[1]


def dossier_timeline(*, dossier: Dossier) -> list[TimelineEntry]:
    entries = []
    for event in dossier_events(dossier=dossier):
        payload = event.payload or {}
        label = (
            lifecycle.BY_KIND[event.kind].event_label
            if event.kind in lifecycle.BY_KIND
            else event.kind
        )
        entries.append(
            TimelineEntry(
                seq=event.seq,
                at=event.at,
                kind=event.kind,
                label=str(label),
                actor_name=event.actor_name,
                unit_name=event.actor_unit.name if event.actor_unit else "",
                from_state=State(event.from_state).label if event.from_state else "",
                to_state=State(event.to_state).label,
                details=[
                    (str(name), _detail_value(key, payload[key]))
                    for key, name in _DETAIL_LABELS
                    if payload.get(key) not in (None, "")
                ],
                repeated_supplement=bool(payload.get("repeated")),
            )
        )
    return entries


# --- documents -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentRow:
    document: DossierDocument
    # Came with a supplement (desk or online), not with the first filing. Read from the event that
    # attached the document: the supplement_received event lists the ids it stored.
    supplement: bool


def dossier_documents(*, dossier: Dossier) -> list[DocumentRow]:
    supplemented: set[int] = set()
    for event in dossier_events(dossier=dossier):
        if event.kind == "supplement_received":
            supplemented.update(
                item.get("document_id") for item in (event.payload or {}).get("components", [])
            )
    return [
        DocumentRow(document=document, supplement=document.pk in supplemented)
        for document in dossier.documents.order_by("added_at", "pk")
    ]


def dossier_document_get(*, dossier: Dossier, document_id: int) -> DossierDocument:
    """A document of this dossier that has a stored file; looked up by id within the dossier, so
    no path or another dossier's id can reach a file."""
    document = dossier.documents.filter(pk=document_id).exclude(file="").first()
    if document is None or not document.file.storage.exists(document.file.name):
        raise NotFound(gettext("Không tìm thấy tệp đính kèm này trong hồ sơ."))
    return document


# --- what the user may do next -------------------------------------------------------------------


def dossier_available_actions(*, user, dossier: Dossier) -> list[str]:
    """Kinds of the actions with a door (lifecycle.DOOR_ACTIONS, in its order) that the dossier's
    state, the user's roles and the actions' "still possible" rules allow — the same checks the
    services make, read from the same table."""
    roles_at = {
        lifecycle.RECEIVING_UNIT: user_roles_in(user=user, unit=dossier.receiving_unit),
        lifecycle.CURRENT_UNIT: user_roles_in(user=user, unit=dossier.current_unit),
    }
    return [action.kind for action in lifecycle.DOOR_ACTIONS if _allowed(action, dossier, roles_at)]


def _allowed(action: lifecycle.Action, dossier: Dossier, roles_at: dict) -> bool:
    return bool(
        dossier.state in action.from_states
        and roles_at[action.checked_at] & set(action.roles_for(dossier))
        and action.refusal(dossier) is None
    )


def dossier_action_allowed(*, user, dossier: Dossier, kind: str) -> bool:
    """Whether the lifecycle row `kind` allows the user the action now — the same reading as
    `dossier_available_actions`, for a row with its own door (the drafted result's upload)."""
    action = lifecycle.action_get(kind)
    unit = lifecycle.action_unit(action, dossier)
    return _allowed(action, dossier, {action.checked_at: user_roles_in(user=user, unit=unit)})


# --- the clock -----------------------------------------------------------------------------------


def dossier_time_left(
    *, dossier: Dossier, now: datetime | None = None, calendar=None
) -> int | None:
    """Working seconds until the promised date (negative: overdue by that much); None while the
    clock is paused, after the end, or before the dossier is accepted. Pass `calendar` when
    computing many rows (see `dossiers_time_left`)."""
    if not dossier.is_open or dossier.clock_paused or dossier.due_at is None:
        return None
    if calendar is None:
        calendar = calendar_get(unit=dossier.unit)
    now = now or timeutil.now()
    if now <= dossier.due_at:
        return calendar.working_seconds_between(now, dossier.due_at)
    # Past the promised moment is overdue even when no working time has passed since (evening
    # of the due day): at least one second, so the sign alone tells.
    return -max(1, calendar.working_seconds_between(dossier.due_at, now))


def dossiers_time_left(*, dossiers, now: datetime | None = None) -> dict[int, int | None]:
    """Time left for a page of dossiers, building each unit's calendar once."""
    now = now or timeutil.now()
    calendars: dict[int, Any] = {}
    result = {}
    for dossier in dossiers:
        calendar = None
        if dossier.is_open and not dossier.clock_paused and dossier.due_at is not None:
            calendar = calendars.get(dossier.unit_id)
            if calendar is None:
                calendar = calendars[dossier.unit_id] = calendar_get(unit=dossier.unit)
        result[dossier.pk] = (
            dossier_time_left(dossier=dossier, now=now, calendar=calendar) if calendar else None
        )
    return result
