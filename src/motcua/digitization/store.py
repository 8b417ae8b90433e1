"""The citizen's document store (kho dữ liệu): what the state already holds for a person must not
be asked for again (Decree 45/2020).

- Kept: each digitized component with a file, once the desk has taken the dossier (received at
  the desk, or an online dossier accepted), and each signed electronic result — for the applicant
  with a personal identification number. The same content for the same component is kept once.
- Offered: at intake (desk officer; online, the citizen's own filing) the documents held for the
  applicant's number that match the procedure's components and are valid on the day.
- Reused: a component handed in from the store points at the same stored content, and is recorded
  as reused (`DossierDocument.reused`, source `reused`): the facts behind `DuocTaiSuDung` and
  indicator 4.3.
- Guarded: identity-document images are sensitive (Law 91/2025); every offer and reuse is logged
  with who and for which dossier (HeldDocumentAccess and the `motcua.audit` log); numbers are
  shown masked; sensitive documents are deleted after MOTCUA_STORE_SENSITIVE_RETENTION_DAYS."""

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from motcua.core import timeutil
from motcua.core.errors import ValidationFailed
from motcua.digitization.models import HeldDocument, HeldDocumentAccess
from motcua.dossiers.models import Dossier, DossierDocument

audit = logging.getLogger("motcua.audit")


def retention_days() -> int:
    return int(getattr(settings, "MOTCUA_STORE_SENSITIVE_RETENTION_DAYS", 5 * 365))


def _keep(*, dossier: Dossier, document: DossierDocument, kind: str, at: datetime) -> bool:
    if not dossier.applicant_id_number or not document.file or not document.sha256:
        return False
    code = document.component.code if document.component_id else ""
    _held, created = HeldDocument.objects.get_or_create(
        owner_id_number=dossier.applicant_id_number,
        component_code=code,
        sha256=document.sha256,
        defaults={
            "kind": kind,
            "name": document.name,
            "file": document.file.name,  # the same content address: stored once
            "page_count": document.page_count,
            "sensitive": document.sensitive,
            "valid_from": timeutil.local_date(at),
            "source_document": document,
            "added_at": at,
        },
    )
    return created


def held_documents_keep(*, dossier: Dossier, at: datetime | None = None) -> int:
    """Keep the dossier's digitized components and its signed result in its applicant's store;
    returns how many were new. Called after the intake or acceptance, and after the result."""
    at = at or timeutil.now()
    kept = 0
    for document in dossier.documents.select_related("component").exclude(file=""):
        if document.kind == DossierDocument.Kind.COMPONENT and document.digitized:
            kept += _keep(
                dossier=dossier, document=document, kind=HeldDocument.Kind.COMPONENT, at=at
            )
        elif document.kind == DossierDocument.Kind.RESULT:
            kept += _keep(dossier=dossier, document=document, kind=HeldDocument.Kind.RESULT, at=at)
    return kept


def held_documents_offered(
    *, actor, id_number: str, procedure, on: date | None = None, dossier_code: str = ""
) -> dict[int, list[HeldDocument]]:
    """The documents held for `id_number` that match the procedure's components and are valid
    on the day, by component id. Each offer is an access to personal data: logged."""
    number = (id_number or "").strip().upper().replace(" ", "")
    if not number:
        return {}
    on = on or timeutil.local_date(timeutil.now())
    components = {c.code: c.pk for c in procedure.components.all()}
    rows = (
        HeldDocument.objects.filter(owner_id_number=number, component_code__in=components)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .order_by("-added_at", "-pk")
    )
    offered: dict[int, list[HeldDocument]] = {}
    for held in rows:
        offered.setdefault(components[held.component_code], []).append(held)
    if offered:
        HeldDocumentAccess.objects.bulk_create(
            HeldDocumentAccess(
                held=held,
                owner_id_number=number,
                action=HeldDocumentAccess.Action.OFFERED,
                user=actor if getattr(actor, "pk", None) else None,
                dossier_code=dossier_code,
            )
            for items in offered.values()
            for held in items
        )
        audit.info(
            "action=store_offer user_id=%s owner=%s documents=%s",
            getattr(actor, "pk", None),
            "*" * max(0, len(number) - 4) + number[-4:],
            sum(len(items) for items in offered.values()),
        )
    return offered


def held_document_for_reuse(*, held_id: int, id_number: str, component) -> HeldDocument:
    """The held document an intake reuses, refused unless it is the applicant's own and serves
    that component (a form could post any id)."""
    held = HeldDocument.objects.filter(pk=held_id).first()
    number = (id_number or "").strip().upper().replace(" ", "")
    if (
        held is None
        or not number
        or held.owner_id_number != number
        or component is None
        or held.component_code != component.code
    ):
        raise ValidationFailed(
            "Giấy tờ trong kho dữ liệu không thuộc chủ hồ sơ hoặc không đúng thành phần.",
            code="held_document_invalid",
        )
    return held


def held_document_reused(*, held: HeldDocument, actor, dossier: Dossier) -> None:
    HeldDocumentAccess.objects.create(
        held=held,
        owner_id_number=held.owner_id_number,
        action=HeldDocumentAccess.Action.REUSED,
        user=actor if getattr(actor, "pk", None) else None,
        dossier_code=dossier.code,
    )
    audit.info(
        "action=store_reuse user_id=%s dossier=%s held=%s",
        getattr(actor, "pk", None),
        dossier.code,
        held.pk,
    )


def held_documents_expiring(*, now: datetime | None = None):
    """Sensitive documents kept longer than the retention period, on `now`: what
    `held_documents_expire` deletes (`motcua documents expire --dry-run` counts them)."""
    now = now or timeutil.now()
    return HeldDocument.objects.filter(
        sensitive=True, added_at__lt=now - timedelta(days=retention_days())
    )


@transaction.atomic
def held_documents_expire(*, now: datetime | None = None) -> int:
    """Delete sensitive documents kept longer than the retention period (the stored content stays
    while a dossier still refers to it); returns how many. Each deletion is recorded
    (HeldDocumentAccess, the audit log with the number masked); files go once the rows are gone
    for good (after the commit). Run daily by the worker (`notifications.schedule`) and by
    `motcua documents expire`."""
    storage = HeldDocument._meta.get_field("file").storage
    count = 0
    for held in held_documents_expiring(now=now).select_for_update():
        HeldDocumentAccess.objects.create(
            held=None,
            owner_id_number=held.owner_id_number,
            action=HeldDocumentAccess.Action.DELETED,
        )
        audit.info(
            "action=store_expire owner=%s held_id=%s added_at=%s",
            held.masked_owner,
            held.pk,
            held.added_at.isoformat(),
        )
        name = held.file.name
        held.delete()
        still_used = (
            DossierDocument.objects.filter(file=name).exists()
            or HeldDocument.objects.filter(file=name).exists()
        )
        if not still_used:
            transaction.on_commit(lambda name=name: storage.delete(name))
        count += 1
    return count
