"""Background tasks (Django's tasks API through the django-tasks backport): run by `motcua worker`
with the database backend, or at once with the immediate backend. Their arguments are ids only, so
the queue table holds no personal data."""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django_tasks import TaskResultStatus, task
from django_tasks_db import DatabaseBackend

from motcua.core import timeutil
from motcua.notifications import services
from motcua.notifications.models import AttemptOutcome, Notification, NotificationStatus

logger = logging.getLogger(__name__)


@task()
def event_notify(event_id: int) -> int:
    """Make the messages a committed dossier event calls for and queue each for sending, in one
    transaction (making them again finds them made: nothing twice)."""
    with transaction.atomic():
        made = services.notifications_for_event(event_id=event_id)
        notifications_enqueue(notification_ids=[n.pk for n in made])
    return len(made)


@task()
def notification_send(notification_id: int) -> str:
    """One attempt; a temporary failure queues the next one after the back-off delay."""
    attempt = services.notification_send(notification_id=notification_id)
    if attempt is None:
        return "skipped"
    if attempt.outcome == AttemptOutcome.RETRY:
        later = notification_send
        if later.get_backend().supports_defer:
            later = later.using(
                run_after=timeutil.now() + services.retry_delay(attempt=attempt.number)
            )
        later.enqueue(notification_id=notification_id)
    return attempt.outcome


def queued_with_transaction() -> bool:
    """Whether a task queued now is written in the caller's transaction: the database backend's
    queue is a table of the same database, so the queued task commits with the event or
    notification it is about — or neither does, and no crash in between can lose a message. Other
    backends (the immediate one runs the task at once) are queued after the commit instead."""
    return isinstance(notification_send.get_backend(), DatabaseBackend)


def enqueue_with_transaction(enqueue: Callable[[], object]) -> None:
    """Queue a task so that it exists exactly when the current transaction commits."""
    if queued_with_transaction() and transaction.get_connection().in_atomic_block:
        with transaction.atomic():  # a savepoint: a failed insert must not poison the caller's
            enqueue()
    else:
        # After commit: the worker must find the row it is told to act on.
        transaction.on_commit(enqueue)


def notifications_enqueue(*, notification_ids: list[int]) -> None:
    for notification_id in notification_ids:
        enqueue_with_transaction(
            lambda notification_id=notification_id: notification_send.enqueue(
                notification_id=notification_id
            )
        )


@task()
def daily_job(name: str) -> str:
    """One run of a daily job (notifications.schedule): at most once a day, then the next queued."""
    from motcua.notifications.schedule import daily_job_run

    return daily_job_run(name=name)


# A message "being sent" for longer than this, or waiting this long with no task queued for it,
# was left by a worker that died (kill -9, a lost machine) between taking and recording it.
STUCK_AFTER = timedelta(minutes=15)


def notifications_recover(*, now: datetime | None = None) -> int:
    """Queue again every message a dead worker left behind; returns how many. Run when a worker
    starts and once a day (notifications.schedule). Sending twice is guarded where it always was:
    a send first claims the message (waiting → being sent), so a task queued twice sends once."""
    if not queued_with_transaction():
        return 0  # other backends hold no queue to lose a task from
    from django_tasks_db.models import DBTaskResult

    now = now or timeutil.now()
    cutoff = now - STUCK_AFTER
    with transaction.atomic():
        # Taken by a worker that died: waiting again (rows from before claimed_at by their age).
        Notification.objects.filter(status=NotificationStatus.SENDING).filter(
            Q(claimed_at__lt=cutoff) | Q(claimed_at__isnull=True, created_at__lt=cutoff)
        ).update(status=NotificationStatus.PENDING, claimed_at=None)
        live = set()
        for arguments in (
            DBTaskResult.objects.filter(task_path=notification_send.module_path)
            .filter(
                Q(status=TaskResultStatus.READY)
                | Q(status=TaskResultStatus.RUNNING, started_at__gte=cutoff)
            )
            .values_list("args_kwargs", flat=True)
        ):
            live.add((arguments or {}).get("kwargs", {}).get("notification_id"))
        orphans = [
            pk
            for pk in Notification.objects.filter(
                status=NotificationStatus.PENDING, created_at__lt=cutoff
            ).values_list("pk", flat=True)
            if pk not in live
        ]
        notifications_enqueue(notification_ids=orphans)
    if orphans:
        logger.warning("queued again %d notifications left by a stopped worker", len(orphans))
    return len(orphans)
