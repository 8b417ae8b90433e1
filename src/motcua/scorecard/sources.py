"""Every fact the Decision 766 indicators (`qd766`) read from other apps, in one adapter.

The formulas in `qd766.py` see only what this module hands them: dossiers of a scope, the
catalogue, publications, the supplement history, the payment flag, the calendar and — when the
`feedback` app is installed — its indicator sets. A change in another app's model is answered here,
once, not in each formula."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from django.apps import apps
from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from motcua.catalog.models import Fee, OnlineLevel, Procedure, Publication, ResultKind
from motcua.core.errors import ValidationFailed
from motcua.dossiers.models import ApplicantKind, Dossier, DossierDocument, DossierEvent, State
from motcua.indicators.rules import NEVER_COUNTED_STATES, period_bounds
from motcua.payments.selectors import FLAG_NONE, PROVIDER_FLAGS, online_payment_flag
from motcua.units.models import Unit
from motcua.units.selectors import unit_history_roots, unit_scope_q
from motcua.workcalendar.selectors import calendar_get

FEEDBACK_APP = "motcua.feedback"
FEEDBACK_MISSING = "Chưa cài đặt phân hệ phản ánh, kiến nghị (motcua.feedback): chưa tính được."
# `DSKetNoiCSDL[].MaCSDL` codes that mean the national population database. The portal's code list
# was not found: a setting, the default a guess (docs/scorecard.md).
DEFAULT_POPULATION_DATABASE_CODES = ("CSDLQGDC",)
# 3.6: "paid online" is `DuocThanhToanTrucTuyen` 1 (national platform) or 2 (province's gateway).
PAID_ONLINE_FLAGS = frozenset(PROVIDER_FLAGS.values())


# --- units ---------------------------------------------------------------------------------------


def scope_units(unit: Unit, *, with_predecessors: bool = False) -> QuerySet[Unit]:
    """The processing agency and every unit below it (and its predecessors' subtrees)."""
    query = Q(pk__in=[])
    for root in unit_history_roots(unit=unit, with_predecessors=with_predecessors):
        query |= Q(path__startswith=root.path)
    return Unit.objects.filter(query)


# --- dossiers ------------------------------------------------------------------------------------


def dossiers_766(unit: Unit, *, with_predecessors: bool = False) -> QuerySet[Dossier]:
    """Dossiers the 766 indicators count for `unit`: accepted ones whose processing agency
    (`Dossier.unit`, the payload's `DonViXuLy`) is the unit or below it — not the centre that took
    them in. Withdrawn dossiers are counted whatever form 06's policy (`MOTCUA_COUNT_WITHDRAWN`)
    says: the portal counts them as received and ended."""
    return (
        Dossier.objects.filter(received_at__isnull=False)
        .filter(unit_scope_q(unit=unit, with_predecessors=with_predecessors))
        .exclude(state__in=NEVER_COUNTED_STATES)
    )


def end_of_processing():
    """The moment processing ended, by the portal's precedence: resolved (`ended_at`, the
    projection's NgayKetThucXuLy) before returned (`returned_at`), then refusal (`rejected_at`).
    Stopped and withdrawn dossiers carry their end in `ended_at`."""
    return Coalesce(F("ended_at"), F("returned_at"), F("rejected_at"))


def received_in_q(start: date, end: date) -> Q:
    begin, after = period_bounds(start=start, end=end)
    return Q(received_at__gte=begin, received_at__lt=after)


def open_at_q(moment: datetime) -> Q:
    """Received before `moment`, processing not ended by then (needs `end_766` annotated)."""
    return Q(received_at__lt=moment) & (Q(end_766__isnull=True) | Q(end_766__gte=moment))


def with_end(queryset: QuerySet[Dossier]) -> QuerySet[Dossier]:
    return queryset.annotate(end_766=end_of_processing())


def online_q() -> Q:
    # Channel 2 is `KenhThucHien` 2; an import without the field records channel 1 (direct).
    return Q(channel=2)


def electronic_result_q() -> Q:
    """An electronic result was issued: result code and file link (`result_electronic` and a result
    file)."""
    return Q(result_electronic=True, has_result_file=True)


def paper_result_q() -> Q:
    return Q(procedure__result_kind=ResultKind.PAPER)


def ended_with_result_q() -> Q:
    return Q(state__in=(State.RESOLVED, State.RETURNED))


def paid_online_q() -> Q:
    """`DuocThanhToanTrucTuyen` 1 or 2. `payments.selectors.online_payment_flag` gives 1 or 2
    exactly when the dossier's `paid_online` fact is set (whatever it owes and whichever provider),
    so the flag's rule reads as this filter; `paid_online_flag_counts` states it per dossier."""
    return Q(paid_online=True)


def paid_online_flag_counts(*, paid_online: bool, owed: int, provider: str | None) -> bool:
    """The per-dossier statement of 3.6's numerator, through the one flag rule."""
    flag = online_payment_flag(paid_online=paid_online, owed=owed, provider=provider)
    return flag in PAID_ONLINE_FLAGS and flag != FLAG_NONE


def procedures_with_fee() -> QuerySet[Procedure]:
    return Procedure.objects.filter(
        Exists(Fee.objects.filter(procedure=OuterRef("pk"), amount__gt=0))
    )


def component_from_national_store_q() -> Q:
    return Q(
        Exists(
            DossierDocument.objects.filter(
                dossier=OuterRef("pk"),
                kind=DossierDocument.Kind.COMPONENT,
                from_national_store=True,
            )
        )
    )


def result_link_synced_q() -> Q:
    """The national portal confirmed it holds the link of the dossier's electronic result in the
    applicant's catalogue (`result_store_synced_at`, set by the sync or the import)."""
    return Q(result_store_synced_at__isnull=False)


def population_database_codes() -> tuple[str, ...]:
    return tuple(
        getattr(settings, "MOTCUA_POPULATION_DATABASE_CODES", DEFAULT_POPULATION_DATABASE_CODES)
    )


def population_data_q() -> Q:
    """Authenticated by VNeID, or the population database among the databases consulted
    (`databases_consulted` holds the `MaCSDL` codes, comma-separated)."""
    query = Q(vneid_verified=True)
    for code in population_database_codes():
        query |= (
            Q(databases_consulted=code)
            | Q(databases_consulted__startswith=f"{code},")
            | Q(databases_consulted__endswith=f",{code}")
            | Q(databases_consulted__contains=f",{code},")
        )
    return query


def citizen_q() -> Q:
    return Q(applicant_kind=ApplicantKind.CITIZEN)


def any_synced() -> bool:
    """Whether any dossier was ever synced to the national portal (the sync sets the fact)."""
    return Dossier.objects.filter(synced_to_portal=True).exists()


def supplement_history(dossier_ids: Iterable[int]) -> dict[int, list[dict]]:
    """Per dossier, its supplement requests in order: {"requested": at, "received": at | None,
    "due_before": the promised moment in force while it waited (None: not recorded)}."""
    out: dict[int, list[dict]] = defaultdict(list)
    events = (
        DossierEvent.objects.filter(
            dossier_id__in=list(dossier_ids),
            kind__in=("supplement_requested", "supplement_received"),
        )
        .order_by("dossier_id", "seq")
        .values("dossier_id", "kind", "at", "payload")
    )
    for event in events:
        history = out[event["dossier_id"]]
        if event["kind"] == "supplement_requested":
            history.append({"requested": event["at"], "received": None, "due_before": None})
        elif history and history[-1]["received"] is None:
            history[-1]["received"] = event["at"]
            previous = (event["payload"] or {}).get("previous_due_at")
            history[-1]["due_before"] = datetime.fromisoformat(previous) if previous else None
    return out


def supplement_waits(dossier_ids: Iterable[int]) -> dict[int, list[dict]]:
    """Per dossier, every supplement wait {"requested", "received" | None}: those the dossier's
    last import stated (`DanhSachHoSoBoSung` NgayBoSung → NgayTiepNhanBoSung, kept in the
    `imported` event's record), then those its own events recorded after it."""
    from motcua.interchange.payload import moment

    ids = list(dossier_ids)
    out: dict[int, list[dict]] = defaultdict(list)
    imported: dict[int, tuple[int, list]] = {}
    for event in (
        DossierEvent.objects.filter(dossier_id__in=ids, kind="imported")
        .order_by("dossier_id", "seq")
        .values("dossier_id", "seq", "payload")
    ):
        record = (event["payload"] or {}).get("record") or {}
        imported[event["dossier_id"]] = (event["seq"], record.get("DanhSachHoSoBoSung") or [])
    for dossier_id, (_seq, items) in imported.items():
        for item in items:
            if not isinstance(item, dict):
                continue
            try:
                requested = moment(item, "NgayBoSung")
                received = moment(item, "NgayTiepNhanBoSung")
            except ValidationFailed:  # checked at import; an unreadable date counts no wait
                continue
            if requested is not None:
                out[dossier_id].append({"requested": requested, "received": received})
    events = DossierEvent.objects.filter(
        dossier_id__in=ids, kind__in=("supplement_requested", "supplement_received")
    ).order_by("dossier_id", "seq")
    for event in events.values("dossier_id", "seq", "kind", "at"):
        after = imported.get(event["dossier_id"], (0, []))[0]
        if event["seq"] < after:
            continue  # folded into the import that followed it
        waits = out[event["dossier_id"]]
        if event["kind"] == "supplement_requested":
            waits.append({"requested": event["at"], "received": None})
        elif waits and waits[-1]["received"] is None:
            waits[-1]["received"] = event["at"]
    return out


def calendar():
    return calendar_get()


# --- catalogue -----------------------------------------------------------------------------------


def procedures_in_remit(unit: Unit) -> QuerySet[Procedure]:
    """Active procedures the unit's subtree resolves (the scorecard's one rule:
    `scorecard.formulas.procedure_offered`)."""
    from motcua.scorecard.selectors import procedures_offered

    return procedures_offered(unit=unit)


def online_levels() -> tuple[str, str]:
    return (OnlineLevel.FULL, OnlineLevel.PARTIAL)


def publications() -> QuerySet[Publication]:
    return Publication.objects.all()


# --- feedback (built in its own app; optional) -----------------------------------------------------


def feedback_installed() -> bool:
    return apps.is_installed(FEEDBACK_APP)


def feedback_indicator_sets(
    *, unit: Unit, start: date, end: date, with_predecessors: bool = False
) -> dict[str, tuple]:
    """{"5.1" | "5.2" | "5.3": (numerator, denominator)} querysets of feedback, from the feedback
    app. Only called when `feedback_installed()`."""
    from motcua.feedback.selectors import feedback_indicator_sets as sets

    return sets(units=scope_units(unit, with_predecessors=with_predecessors), start=start, end=end)


def dossiers_with_feedback_or_dislike_q() -> Q:
    """Dossiers someone gave feedback about or disliked (5.4), from the feedback app."""
    from motcua.feedback.selectors import dossiers_with_feedback_or_dislike_q as q

    return q()
