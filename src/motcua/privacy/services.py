"""Writes of the privacy app: the access log, consents, and data subjects' requests received,
answered (seen, corrected, or deleted where the law allows) or refused with the reason."""

import logging
from datetime import datetime

from django.db import transaction

from motcua.core import timeutil
from motcua.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.dossiers.services import dossier_correct_applicant, dossier_erase_personal_data
from motcua.privacy import selectors
from motcua.privacy.models import (
    AccessAction,
    Consent,
    DataSubjectRequest,
    PersonalDataAccess,
    RequestKind,
    RequestStatus,
)
from motcua.units.models import Unit
from motcua.workcalendar.selectors import calendar_get

audit = logging.getLogger("motcua.audit")


def personal_data_access_record(
    *,
    user,
    action: str,
    dossier: Dossier | None = None,
    document: DossierDocument | None = None,
    at: datetime | None = None,
) -> PersonalDataAccess:
    """Log one look at personal data (who, which dossier and document; never the data). A
    sensitive document (an identity-document image) is logged as such."""
    sensitive = bool(document is not None and document.sensitive)
    if sensitive and action == AccessAction.VIEW_DOCUMENT:
        action = AccessAction.VIEW_SENSITIVE_DOCUMENT
    entry = PersonalDataAccess.objects.create(
        at=at or timeutil.now(),
        user=user if getattr(user, "is_authenticated", False) else None,
        dossier_code=dossier.code if dossier is not None else "",
        document_id=document.pk if document is not None else None,
        action=action,
        sensitive=sensitive,
    )
    audit.info(
        "action=%s user_id=%s dossier=%s document=%s",
        action,
        entry.user_id,
        entry.dossier_code,
        entry.document_id,
    )
    return entry


def consent_record(*, dossier: Dossier, purpose: str, at: datetime | None = None) -> Consent:
    """The consent given on a portal form, with the exact text and version shown."""
    text = selectors.consent_text_get(purpose=purpose)
    return Consent.objects.create(
        dossier=dossier,
        purpose=text.purpose,
        text_version=text.version,
        text=text.text,
        given_at=at or timeutil.now(),
    )


def _required(value: str, *, what: str, code: str, limit: int) -> str:
    value = " ".join((value or "").split()) if limit <= 255 else (value or "").strip()
    if not value:
        raise ValidationFailed(f"Chưa nhập {what}.", code=code)
    if len(value) > limit:
        raise ValidationFailed(f"{what.capitalize()} quá dài (tối đa {limit} ký tự).", code=code)
    return value


@transaction.atomic
def data_subject_request_receive(
    *,
    actor,
    unit: Unit,
    kind: str,
    subject_name: str,
    contact: str,
    content: str,
    subject_id_number: str = "",
    dossier: Dossier | None = None,
    at: datetime | None = None,
) -> DataSubjectRequest:
    """A request received (at the desk, by letter or by mail) by `unit` — the unit the dossier was
    filed with when there is one; due REQUEST_WORKING_DAYS working days later on its calendar."""
    if dossier is not None:
        unit = dossier.unit
    if not selectors.request_may_handle(user=actor, unit=unit):
        raise PermissionDenied(
            "Bạn không được giao tiếp nhận yêu cầu về dữ liệu cá nhân tại đơn vị này.",
            code="privacy_not_allowed",
        )
    if kind not in RequestKind.values:
        raise ValidationFailed("Loại yêu cầu không hợp lệ.", code="request_kind_invalid")
    if kind in (RequestKind.ACCESS, RequestKind.CORRECT) and dossier is None:
        raise ValidationFailed(
            "Yêu cầu xem hoặc chỉnh sửa phải gắn với một hồ sơ.", code="request_dossier_required"
        )
    at = timeutil.to_local(at) if at is not None else timeutil.now()
    due = calendar_get(unit=unit).add_working_days(at, selectors.REQUEST_WORKING_DAYS)
    return DataSubjectRequest.objects.create(
        unit=unit,
        dossier=dossier,
        kind=kind,
        subject_name=_required(
            subject_name, what="họ và tên chủ thể dữ liệu", code="subject_name_required", limit=255
        ),
        subject_id_number=subject_id_number.strip().replace(" ", "")[:32],
        contact=_required(contact, what="địa chỉ liên hệ", code="contact_required", limit=255),
        content=_required(content, what="nội dung yêu cầu", code="content_required", limit=4000),
        received_at=at,
        due_at=due,
        received_by=actor,
    )


@transaction.atomic
def data_subject_request_answer(
    *,
    actor,
    request: DataSubjectRequest | int,
    answer: str = "",
    corrections: dict[str, str] | None = None,
    refuse_reason: str = "",
    at: datetime | None = None,
) -> DataSubjectRequest:
    """Answer a request once. To see: the reply lists what is held (personal_data_text), with the
    officer's words. To correct: `corrections` go through dossier_correct_applicant (an event on
    the dossier). To delete: erased when deletion_refusal allows it, else refused with its reason.
    `refuse_reason`: any request refused (e.g. the requester is not the data subject)."""
    pk = request.pk if isinstance(request, DataSubjectRequest) else request
    locked = (
        DataSubjectRequest.objects.select_for_update(of=("self",))
        .select_related("dossier", "unit")
        .get(pk=pk)
    )
    if not selectors.request_may_handle(user=actor, unit=locked.unit):
        raise PermissionDenied(
            "Bạn không được giao trả lời yêu cầu về dữ liệu cá nhân tại đơn vị này.",
            code="privacy_not_allowed",
        )
    if locked.status != RequestStatus.RECEIVED:
        raise InvalidTransition("Yêu cầu này đã được trả lời.", code="request_answered")
    at = timeutil.to_local(at) if at is not None else timeutil.now()
    answer = (answer or "").strip()
    refuse_reason = (refuse_reason or "").strip()
    dossier = locked.dossier
    status = RequestStatus.ANSWERED
    if refuse_reason:
        status, reply = RequestStatus.REFUSED, refuse_reason
    elif locked.kind == RequestKind.ACCESS:
        reply = selectors.personal_data_text(dossier=dossier)
        personal_data_access_record(
            user=actor, action=AccessAction.ANSWER_REQUEST, dossier=dossier, at=at
        )
    elif locked.kind == RequestKind.CORRECT:
        if not corrections:
            raise ValidationFailed("Chưa nhập thông tin cần chỉnh sửa.", code="correction_required")
        dossier_correct_applicant(
            actor=actor,
            dossier=dossier,
            changes=corrections,
            reason=f"Yêu cầu chỉnh sửa dữ liệu cá nhân số {locked.pk}",
            at=at,
        )
        reply = "Đã chỉnh sửa: " + ", ".join(sorted(corrections)) + "."
    else:
        refusal = selectors.deletion_refusal(dossier=dossier)
        if refusal is not None:
            status, reply = RequestStatus.REFUSED, refusal
        else:
            dossier_erase_personal_data(
                actor=actor,
                dossier=dossier,
                reason=f"Yêu cầu xóa dữ liệu cá nhân số {locked.pk}",
                request_id=locked.pk,
            )
            locked.subject_id_number = ""  # nothing left to match it against
            reply = f"Đã xóa dữ liệu cá nhân trong hồ sơ {dossier.code}."
    locked.status = status
    locked.answer = f"{reply}\n\n{answer}".strip() if answer else reply
    locked.answered_at = at
    locked.answered_by = actor
    locked.save()
    return locked
