"""Dossier events become messages: a task queued with the event (the database queue) or after its
commit (other queues); the worker sends."""

import logging

from django.db import transaction
from django.dispatch import receiver

from motcua.dossiers.signals import event_committed, event_recorded
from motcua.notifications.defaults import EVENT_MESSAGES
from motcua.notifications.selectors import notification_channels_enabled, notifications_paused_now

logger = logging.getLogger("motcua.notifications")


def _wanted(kind: str) -> bool:
    return (
        kind in EVENT_MESSAGES
        and not notifications_paused_now()
        and bool(notification_channels_enabled())
    )


def _enqueue(event_id: int) -> None:
    from motcua.notifications.tasks import event_notify

    try:
        event_notify.enqueue(event_id=event_id)
    except Exception:
        # The action stands: its officer must not see an error for a message. Logged for the
        # administrator; the event stays in the log.
        logger.exception("Không đưa được thông báo của sự kiện %s vào hàng đợi", event_id)


@receiver(event_recorded, dispatch_uid="notifications_event_recorded")
def on_event_recorded(*, event, **kwargs) -> None:
    """With the database queue, the event's message task is written in the event's own
    transaction (`tasks.enqueue_with_transaction`): both commit, or neither."""
    from motcua.notifications.tasks import enqueue_with_transaction, queued_with_transaction

    if queued_with_transaction() and _wanted(event.kind):
        event_id = event.pk
        enqueue_with_transaction(lambda: _enqueue(event_id))


@receiver(event_committed, dispatch_uid="notifications_event_committed")
def on_event_committed(*, event_id: int, kind: str, **kwargs) -> None:
    """Other queues: after the commit (a crash in between loses that message; the log says so)."""
    from motcua.notifications.tasks import queued_with_transaction

    if queued_with_transaction() or not _wanted(kind):
        return
    # event_committed is already sent after commit; on_commit again keeps that true if a caller
    # ever sends it inside a transaction (then it runs when that one commits, or never).
    transaction.on_commit(lambda: _enqueue(event_id))
