"""The sync's background task (run by `motcua worker`): push one dossier, and come back after the
back-off when the portal did not confirm."""

from django_tasks import task

from motcua.sync import services, webhooks
from motcua.sync.models import OutboxEntry, OutboxStatus, WebhookDelivery


@task()
def portal_push(dossier_id: int) -> str:
    outcome = services.sync_push(dossier_id=dossier_id)
    if outcome == "retry":
        later = portal_push
        if later.get_backend().supports_defer:
            due = (
                OutboxEntry.objects.filter(dossier_id=dossier_id, status=OutboxStatus.PENDING)
                .order_by("next_attempt_at")
                .values_list("next_attempt_at", flat=True)
                .first()
            )
            later = later.using(run_after=due)
            later.enqueue(dossier_id=dossier_id)
        # Without deferred tasks (the immediate backend) the sweep `motcua sync push` retries.
    return outcome


@task()
def webhook_send(delivery_id: int) -> str:
    outcome = webhooks.webhook_deliver(delivery_id=delivery_id)
    if outcome == "retry" and webhook_send.get_backend().supports_defer:
        due = WebhookDelivery.objects.get(pk=delivery_id).next_attempt_at
        webhook_send.using(run_after=due).enqueue(delivery_id=delivery_id)
    return outcome
