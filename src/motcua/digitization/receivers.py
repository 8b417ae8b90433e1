"""After a dossier event that brought scans (intake, online filing, a supplement) commits, their
OCR is queued for the worker."""

import logging

from django.db import transaction
from django.dispatch import receiver

from motcua.dossiers.models import Dossier, DossierEvent
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


# Kept in the applicant's store once the desk has taken the dossier, and when the result is out.
KINDS_TO_KEEP = frozenset({"received", "accepted", "resolved"})


def _keep(event_id: int) -> None:
    from motcua.digitization.store import held_documents_keep

    try:
        dossier_id = DossierEvent.objects.values_list("dossier_id", flat=True).get(pk=event_id)
        held_documents_keep(dossier=Dossier.objects.get(pk=dossier_id))
    except Exception:
        logger.exception("Không lưu được giấy tờ của sự kiện %s vào kho dữ liệu", event_id)


@receiver(event_committed, dispatch_uid="digitization_store_event_committed")
def on_event_committed_keep(*, event_id: int, kind: str, **kwargs) -> None:
    if kind in KINDS_TO_KEEP:
        transaction.on_commit(lambda: _keep(event_id))


@receiver(event_committed, dispatch_uid="digitization_event_committed")
def on_event_committed(*, event_id: int, kind: str, **kwargs) -> None:
    if kind not in KINDS_WITH_SCANS:
        return
    from motcua.digitization.ocr import ocr_enabled

    if ocr_enabled():
        transaction.on_commit(lambda: _enqueue(event_id))
