"""The intake desk's one write: receive a dossier and, when the fee was taken at the counter,
record the payment with its receipt — together, so a refused payment leaves no dossier behind."""

from datetime import datetime

from django.db import transaction

from motcua.catalog.models import Procedure
from motcua.dossiers.lifecycle import amount_owed
from motcua.dossiers.models import Channel, Dossier
from motcua.dossiers.services import (
    Applicant,
    ReceivedComponent,
    dossier_receive,
)
from motcua.payments.models import PaymentMethod
from motcua.payments.services import payment_desk_record
from motcua.units.models import Unit


@transaction.atomic
def desk_intake(
    *,
    actor,
    unit: Unit,
    procedure: Procedure,
    applicant: Applicant,
    channel: int = Channel.DIRECT,
    summary: str = "",
    components: list[ReceivedComponent],
    fee_collected: bool = False,
    missing_components_reason: str = "",
    at: datetime | None = None,
    processing_unit: Unit | None = None,
    result_delivery: str = "",
) -> Dossier:
    dossier = dossier_receive(
        actor=actor,
        unit=unit,
        processing_unit=processing_unit,
        procedure=procedure,
        applicant=applicant,
        channel=channel,
        summary=summary,
        components=components,
        missing_components_reason=missing_components_reason,
        at=at,
        result_delivery=result_delivery,
    )
    if fee_collected and amount_owed(dossier) > 0:
        # The desk's one way to take a payment: recorded with its receipt (payments app).
        payment_desk_record(
            actor=actor,
            dossier=dossier,
            method=PaymentMethod.CASH,
            # One counter payment per dossier: a resubmitted form cannot record it twice.
            reference=f"tai-quay-{dossier.code}",
            at=at,
        )
        dossier = Dossier.objects.get(pk=dossier.pk)
    return dossier
