"""Writes from the public portal. Dossier changes go through dossiers.services (actor=None: the
applicant); these functions add the checks only the portal needs. Feedback and ratings go
through feedback.services."""

from django.db import transaction

from motcua.catalog.models import Component, Procedure
from motcua.core.errors import ValidationFailed
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant, ReceivedComponent
from motcua.privacy.services import consent_record
from motcua.units.models import Unit

FILING_CONSENT = "dossier_filing"


def _received(files: dict[Component, object]) -> list[ReceivedComponent]:
    # Uploaded files are electronic from the start: they count as digitized.
    return [
        ReceivedComponent(name=component.name, component=component, digitized=True, file=file)
        for component, file in files.items()
    ]


@transaction.atomic
def portal_dossier_submit(
    *,
    procedure: Procedure,
    unit: Unit,
    applicant: Applicant,
    summary: str,
    files: dict[Component, object],
) -> Dossier:
    """File a dossier online with one uploaded file per component; the consent the form showed
    is recorded with it (privacy.selectors.CONSENT_TEXTS)."""
    # Whether the procedure is offered online, whether the unit receives it and whether every
    # required component is attached: the service's.
    dossier = dossier_services.dossier_submit_online(
        unit=unit,
        procedure=procedure,
        applicant=applicant,
        summary=summary or procedure.name,
        components=_received(files),
    )
    consent_record(dossier=dossier, purpose=FILING_CONSENT, at=dossier.submitted_at)
    return dossier


@transaction.atomic
def portal_supplement_submit(
    *, dossier: Dossier, note: str, files: dict[Component, object]
) -> Dossier:
    """The applicant sends the supplement online: the clock runs again."""
    if not note.strip() and not files:
        raise ValidationFailed(
            "Hãy đính kèm giấy tờ bổ sung hoặc ghi nội dung bổ sung.",
            code="supplement_empty",
        )
    return dossier_services.dossier_receive_supplement(
        actor=None, dossier=dossier, note=note, components=_received(files)
    )


@transaction.atomic
def portal_dossier_withdraw(*, dossier: Dossier, reason: str) -> Dossier:
    return dossier_services.dossier_withdraw(actor=None, dossier=dossier, reason=reason)
