"""Dossier events become messages: after the action commits, a task is queued; the worker sends."""

import logging

from django.db import transaction
from django.dispatch import receiver

from motcua.dossiers.signals import event_committed
from motcua.notifications.defaults import EVENT_MESSAGES
from motcua.notifications.selectors import notification_channels_enabled, notifications_paused_now

logger = logging.getLogger("motcua.notifications")


def _enqueue(event_id: int) -> None:
    from motcua.notifications.tasks import event_notify

    try:
        event_notify.enqueue(event_id=event_id)
    except Exception:
        # The action has committed: its officer must not see an error for a message. Logged for
        # the administrator; the event stays in the log.
        logger.exception("Không đưa được thông báo của sự kiện %s vào hàng đợi", event_id)


@receiver(event_committed, dispatch_uid="notifications_event_committed")
def on_event_committed(*, event_id: int, kind: str, **kwargs) -> None:
    if (
        kind not in EVENT_MESSAGES
        or notifications_paused_now()
        or not notification_channels_enabled()
    ):
        return
    # event_committed is already sent after commit; on_commit again keeps that true if a caller
    # ever sends it inside a transaction (then it runs when that one commits, or never).
    transaction.on_commit(lambda: _enqueue(event_id))
