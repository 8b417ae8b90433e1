"""Writes from the public portal. Dossier changes go through dossiers.services (actor=None: the
applicant); these functions add the checks only the portal needs."""

from django.db import transaction

from motcua.catalog.models import Component, Procedure
from motcua.core.errors import InvalidTransition, ValidationFailed
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Dossier, State
from motcua.dossiers.services import Applicant, ReceivedComponent
from motcua.portal.models import Feedback, Rating
from motcua.units.models import Unit


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
    result_delivery: str = "",
) -> Dossier:
    """File a dossier online with one uploaded file per component."""
    # Whether the procedure is offered online, whether the unit receives it and whether every
    # required component is attached: the service's.
    return dossier_services.dossier_submit_online(
        unit=unit,
        procedure=procedure,
        applicant=applicant,
        summary=summary or procedure.name,
        components=_received(files),
        result_delivery=result_delivery,
    )


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


@transaction.atomic
def rating_create(*, dossier: Dossier, score: int, comment: str = "") -> Rating:
    """One rating per dossier, once the result has been returned."""
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if dossier.state != State.RETURNED:
        raise InvalidTransition(
            "Chỉ đánh giá được sau khi hồ sơ đã trả kết quả.", code="rating_not_returned"
        )
    if Rating.objects.filter(dossier=dossier).exists():
        raise InvalidTransition("Hồ sơ này đã được đánh giá.", code="rating_exists")
    if score not in range(1, 6):
        raise ValidationFailed("Mức độ hài lòng phải từ 1 đến 5.", code="rating_score_invalid")
    return Rating.objects.create(dossier=dossier, score=score, comment=comment.strip()[:2000])


def feedback_create(
    *, name: str, content: str, phone: str = "", email: str = "", unit: Unit | None = None
) -> Feedback:
    name, content = " ".join(name.split()), content.strip()
    if not name or not content:
        raise ValidationFailed(
            "Chưa nhập họ tên hoặc nội dung phản ánh.", code="feedback_incomplete"
        )
    if not phone.strip() and not email.strip():
        raise ValidationFailed(
            "Hãy để lại số điện thoại hoặc thư điện tử để cơ quan trả lời.",
            code="feedback_contact_required",
        )
    return Feedback.objects.create(
        name=name[:255], content=content, phone=phone.strip(), email=email.strip(), unit=unit
    )
