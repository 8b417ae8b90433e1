"""The sync listens to the dossier events: the outbox row inside the event's transaction, the
push after it committed."""

from django.db import transaction
from django.dispatch import receiver

from motcua.dossiers.signals import event_committed, event_recorded
from motcua.sync import services, webhooks


@receiver(event_recorded, dispatch_uid="sync_event_recorded")
def on_event_recorded(*, event, **kwargs) -> None:
    services.outbox_record(event=event)
    deliveries = webhooks.webhook_deliveries_record(event=event)
    if deliveries:
        from motcua.sync.tasks import webhook_send

        ids = [d.pk for d in deliveries]
        transaction.on_commit(lambda: [webhook_send.enqueue(delivery_id=i) for i in ids])


@receiver(event_committed, dispatch_uid="sync_event_committed")
def on_event_committed(*, dossier_id: int, kind: str, **kwargs) -> None:
    if not services.sync_enabled() or kind in services.SKIPPED_KINDS:
        return
    from motcua.sync.tasks import portal_push

    transaction.on_commit(lambda: portal_push.enqueue(dossier_id=dossier_id))
