"""After a dossier event that brought scans (intake, online filing, a supplement) commits, their
OCR is queued for the worker."""

import logging

from django.db import transaction
from django.dispatch import receiver

from motcua.dossiers.models import DossierEvent
from motcua.dossiers.signals import event_committed

logger = logging.getLogger(__name__)

KINDS_WITH_SCANS = frozenset({"received", "submitted_online", "supplement_received"})


def _enqueue(event_id: int) -> None:
    from motcua.digitization.services import documents_ocr_enqueue

    try:
        payload = DossierEvent.objects.values_list("payload", flat=True).get(pk=event_id)
        ids = [c["document_id"] for c in payload.get("components", []) if c.get("file")]
        if ids:
            documents_ocr_enqueue(document_ids=ids)
    except Exception:
        # The action has committed: its officer must not see an error for OCR.
        logger.exception("Không đưa được OCR của sự kiện %s vào hàng đợi", event_id)


@receiver(event_committed, dispatch_uid="digitization_event_committed")
def on_event_committed(*, event_id: int, kind: str, **kwargs) -> None:
    if kind not in KINDS_WITH_SCANS:
        return
    from motcua.digitization.ocr import ocr_enabled

    if ocr_enabled():
        transaction.on_commit(lambda: _enqueue(event_id))
