"""Fee lines follow the dossier's events, whichever door recorded them (desk, portal, API)."""

from django.dispatch import receiver

from motcua.dossiers.models import Dossier
from motcua.dossiers.signals import event_recorded
from motcua.payments.services import fee_line_add_for_obligation, fee_lines_create_for_dossier

RECEIPT_KINDS = frozenset({"received", "accepted"})


@receiver(event_recorded, sender=Dossier, dispatch_uid="payments.fee_lines")
def on_event_recorded(*, dossier: Dossier, event, **kwargs) -> None:
    # Inside the action's transaction: the lines exist exactly when the event does.
    if event.kind in RECEIPT_KINDS and dossier.fee_amount > 0:
        fee_lines_create_for_dossier(dossier=dossier)
    elif event.kind == "financial_obligation_requested":
        fee_line_add_for_obligation(event=event)
