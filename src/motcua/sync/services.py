"""Writes of the portal sync: the outbox row of each event, the push of a dossier, replays.

At-least-once: an outbox row is written in the event's own transaction (so no committed event is
missed, and no rolled-back one is sent), and stays pending until the portal confirms; the portal
may therefore receive a dossier or a trail chunk twice (after a lost answer), which its receiver
must absorb. A confirmed add records the `portal_synced` event once (`dossier_mark_synced`)."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from motcua.core import timeutil
from motcua.dossiers.services import dossier_mark_result_synced, dossier_mark_synced
from motcua.interchange.selectors import dossier_payload_get
from motcua.sync import protocol
from motcua.sync.models import Delivery, DossierSync, OutboxEntry, OutboxStatus

logger = logging.getLogger(__name__)

# Events the portal is not told about: an import came from elsewhere (often the portal itself), and
# the portal's own confirmation is not news to it. An import therefore writes no outbox rows.
SKIPPED_KINDS = frozenset({"imported", "portal_synced", "result_link_synced"})


def sync_enabled() -> bool:
    return bool(settings.MOTCUA_PORTAL_SYNC_URL)


def outbox_record(*, event) -> OutboxEntry | None:
    """The outbox row of a dossier event; called inside the event's transaction."""
    if not sync_enabled() or event.kind in SKIPPED_KINDS:
        return None
    return OutboxEntry.objects.create(
        dossier_id=event.dossier_id, event=event, next_attempt_at=timeutil.now()
    )


def retry_delay(*, attempt: int) -> timedelta:
    """Exponential back-off: base, 2×base, 4×base … capped (defaults 30 s … 6 h)."""
    base = settings.MOTCUA_PORTAL_SYNC_BACKOFF_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempt - 1, 0), 6 * 3600))


def _state_locked(dossier_id: int) -> DossierSync | None:
    try:
        with transaction.atomic():
            DossierSync.objects.get_or_create(dossier_id=dossier_id)
    except IntegrityError:  # another worker made it a moment ago
        pass
    # skip_locked: a dossier another worker is pushing is left to it.
    return (
        DossierSync.objects.select_for_update(skip_locked=True)
        .filter(dossier_id=dossier_id)
        .first()
    )


def _send(dossier_id: int, operation: str, body: dict) -> protocol.Answer:
    answer = protocol.send(
        base_url=settings.MOTCUA_PORTAL_SYNC_URL,
        operation=operation,
        body=body,
        token=settings.MOTCUA_PORTAL_SYNC_TOKEN,
        timeout=settings.MOTCUA_PORTAL_SYNC_TIMEOUT,
    )
    Delivery.objects.create(
        dossier_id=dossier_id,
        operation=operation,
        http_status=answer.http_status,
        error_code=answer.error_code,
        ok=answer.ok,
        message=answer.message[:500],
        duration_ms=answer.duration_ms,
    )
    return answer


def _push(state: DossierSync, payload: dict) -> protocol.Answer:
    """Add (or update, once added) the dossier, then the trail entries not yet confirmed."""
    dossier_id = state.dossier_id
    body = protocol.compact_dates(
        {k: v for k, v in payload.items() if k not in ("kind", "QuaTrinhXuLy")}
    )
    answer = _send(dossier_id, "update" if state.added else "add", body)
    if not answer.ok:
        return answer
    if not state.added:
        state.added = True
        state.save(update_fields=["added"])
        dossier_mark_synced(dossier=dossier_id, receipt=answer.message)
    if any(r.get("DuongDanTepTinKetQua") for r in payload.get("DanhSachGiayToKetQua") or []):
        # The portal holds the result's link in the applicant's catalogue now (indicator 4.4).
        dossier_mark_result_synced(dossier=dossier_id)
    trail = protocol.compact_dates(payload.get("QuaTrinhXuLy") or [])
    for chunk in protocol.trail_chunks(payload["MaHoSo"], trail[state.trail_sent :]):
        answer = _send(dossier_id, "trail", {"MaHoSo": payload["MaHoSo"], "QuaTrinhXuLy": chunk})
        if not answer.ok:
            return answer
        state.trail_sent += len(chunk)
        state.save(update_fields=["trail_sent"])  # a later failure resumes after this chunk
    return answer


def sync_push(*, dossier_id: int, now: datetime | None = None) -> str:
    """Push one dossier if it has due outbox rows: "delivered", "retry" (at next_attempt_at),
    "dead" (attempts used up: on the dead-letter list), "nothing" or "busy" (another worker)."""
    now = now or timeutil.now()
    with transaction.atomic():
        state = _state_locked(dossier_id)
        if state is None:
            return "busy"
        due = OutboxEntry.objects.filter(
            dossier_id=dossier_id, status=OutboxStatus.PENDING, next_attempt_at__lte=now
        )
        ids = list(due.values_list("pk", flat=True))
        if not ids:
            return "nothing"
        payload = dossier_payload_get(dossier=dossier_id, for_portal=True)
        answer = _push(state, payload) if payload else protocol.Answer(True)
        state.last_pushed_at = now
        state.save(update_fields=["last_pushed_at"])
        rows = OutboxEntry.objects.filter(pk__in=ids)
        if answer.ok:
            rows.update(status=OutboxStatus.DELIVERED, delivered_at=now, last_error="")
            return "delivered"
        rows.update(attempts=F("attempts") + 1, last_error=answer.message[:500])
        outcome = "retry"
        for entry in OutboxEntry.objects.filter(pk__in=ids):
            if entry.attempts >= settings.MOTCUA_PORTAL_SYNC_MAX_ATTEMPTS:
                entry.status = OutboxStatus.DEAD
                outcome = "dead"
            else:
                entry.next_attempt_at = now + retry_delay(attempt=entry.attempts)
            entry.save(update_fields=["status", "next_attempt_at"])
        logger.warning("portal sync of dossier %s failed: %s", dossier_id, answer.message)
        return outcome


def sync_push_due(*, now: datetime | None = None, limit: int = 1000) -> dict[str, int]:
    """Push every dossier with due outbox rows (the worker's sweep, `motcua sync push`)."""
    now = now or timeutil.now()
    dossier_ids = (
        OutboxEntry.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
        .order_by("dossier_id")
        .values_list("dossier_id", flat=True)
        .distinct()[:limit]
    )
    outcomes: dict[str, int] = {}
    for dossier_id in list(dossier_ids):
        outcome = sync_push(dossier_id=dossier_id, now=now)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def sync_replay(*, dossier_id: int | None = None) -> list[int]:
    """Put dead-letter rows (of one dossier, or all) back in the queue, due now; returns the
    dossiers to push."""
    rows = OutboxEntry.objects.filter(status=OutboxStatus.DEAD)
    if dossier_id is not None:
        rows = rows.filter(dossier_id=dossier_id)
    dossiers = sorted(set(rows.values_list("dossier_id", flat=True)))
    rows.update(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=timeutil.now())
    return dossiers
