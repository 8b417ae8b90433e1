"""Background tasks (Django's tasks API through the django-tasks backport): run by `motcua worker`
with the database backend, or at once with the immediate backend. Their arguments are ids only, so
the queue table holds no personal data."""

from django.db import transaction
from django_tasks import task

from motcua.core import timeutil
from motcua.notifications import services
from motcua.notifications.models import AttemptOutcome


@task()
def event_notify(event_id: int) -> int:
    """Make the messages a committed dossier event calls for and queue each for sending."""
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


def notifications_enqueue(*, notification_ids: list[int]) -> None:
    for notification_id in notification_ids:
        # After commit: the worker must find the row it is told to send.
        transaction.on_commit(
            lambda notification_id=notification_id: notification_send.enqueue(
                notification_id=notification_id
            )
        )
