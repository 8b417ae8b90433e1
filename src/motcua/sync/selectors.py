"""Reads of the portal sync: the queue's figures, the dead-letter list, one dossier's sync state."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count

from motcua.sync.models import Delivery, DossierSync, OutboxEntry, OutboxStatus


def sync_counts() -> dict[str, int]:
    counts = dict(
        OutboxEntry.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return {status: counts.get(status, 0) for status in OutboxStatus.values}


def sync_dead_letters(*, limit: int = 200):
    return (
        OutboxEntry.objects.filter(status=OutboxStatus.DEAD)
        .select_related("dossier", "event")
        .order_by("dossier_id", "event__seq")[:limit]
    )


@dataclass(frozen=True)
class SyncState:
    state: str  # synced | pending | failed | not_sent
    label: str
    added: bool
    trail_sent: int
    pending: int
    dead: int
    attempts: int
    last_error: str
    next_attempt_at: datetime | None
    last_delivery_at: datetime | None


LABELS = {
    "synced": "Đã đồng bộ",
    "pending": "Đang chờ gửi",
    "failed": "Gửi lỗi — chờ quản trị gửi lại",
    "not_sent": "Chưa gửi",
}


def dossier_sync_state(*, dossier) -> SyncState:
    rows = list(
        OutboxEntry.objects.filter(dossier=dossier)
        .exclude(status=OutboxStatus.DELIVERED)
        .values("status", "attempts", "last_error", "next_attempt_at")
    )
    progress = DossierSync.objects.filter(dossier=dossier).first()
    last = Delivery.objects.filter(dossier=dossier).order_by("-at").values_list("at", flat=True)
    pending = [r for r in rows if r["status"] == OutboxStatus.PENDING]
    dead = [r for r in rows if r["status"] == OutboxStatus.DEAD]
    if dead:
        state = "failed"
    elif pending:
        state = "pending"
    elif dossier.synced_to_portal:
        state = "synced"
    else:
        state = "not_sent"
    worst = max(rows, key=lambda r: r["attempts"], default=None)
    return SyncState(
        state=state,
        label=LABELS[state],
        added=bool(progress and progress.added),
        trail_sent=progress.trail_sent if progress else 0,
        pending=len(pending),
        dead=len(dead),
        attempts=worst["attempts"] if worst else 0,
        last_error=worst["last_error"] if worst else "",
        next_attempt_at=min((r["next_attempt_at"] for r in pending), default=None),
        last_delivery_at=last.first(),
    )
