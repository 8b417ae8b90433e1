"""Issuing an electronic result: the leader's approval renders the result document (WeasyPrint,
with the visible signature block and the QR code carrying the dossier code and its verification
link), signs it with the certificate of the unit that approves (PAdES, invisible field) and hands
the signed bytes to `dossiers.services.dossier_resolve`, which stores them as the dossier's result
document in the approval's own transaction.

Rendering and signing happen before that transaction (CPU and file work, no database lock held —
on SQLite a write transaction holds the whole database). A unit without a certificate is a
DomainError for the leader to read: an electronic result is never issued unsigned."""

from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import override
from weasyprint import HTML, URLFetcher

from motcua.core import timeutil
from motcua.core.errors import PermissionDenied, ValidationFailed
from motcua.digitization.selectors import (
    result_qr_payload,
    result_verification_url,
    signature_block_context,
)
from motcua.digitization.services import result_pdf_sign
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier, ResultDelivery

RESULT_TEMPLATE = "digitization/result_document.html"
# Only the QR code's data: URI is embedded; nothing in user text is ever fetched while rendering.
_FETCHER = URLFetcher(allowed_protocols=["data"])


def public_base_url() -> str:
    return str(getattr(settings, "MOTCUA_PUBLIC_URL", "")).rstrip("/")


def result_signing_unit(*, dossier: Dossier):
    """The unit whose certificate signs: the one where the leader approves (the lifecycle's unit
    of the approval — the unit holding the dossier)."""
    return lifecycle.action_unit(lifecycle.action_get("resolved"), dossier)


def result_document_render(
    *, dossier: Dossier, result_summary: str, signer_name: str, at: datetime | None = None
) -> bytes:
    """The result document as PDF, not yet signed: title, dossier facts, the result, the QR code
    and the signature block naming the signer, the unit and the time."""
    from motcua.forms.services import qr_svg_data_uri  # the forms' QR drawing, one style

    unit = result_signing_unit(dossier=dossier)
    signature = signature_block_context(unit_code=unit.code, signer_name=signer_name, at=at)
    base = public_base_url()
    context = {
        "dossier": dossier,
        "title": dossier.procedure.result_name or "Kết quả giải quyết thủ tục hành chính",
        "unit_name": signature["unit"],
        "received_at": timeutil.to_local(dossier.received_at) if dossier.received_at else None,
        "result_summary": result_summary,
        "signature": signature,
        "qr_data_uri": qr_svg_data_uri(
            payload=result_qr_payload(dossier_code=dossier.code, base_url=base)
        ),
        "verification_url": result_verification_url(dossier_code=dossier.code, base_url=base),
    }
    with override("vi"):
        html = render_to_string(RESULT_TEMPLATE, context)
    return HTML(string=html, url_fetcher=_FETCHER).write_pdf()


def result_pdf_issue(
    *, dossier: Dossier, result_summary: str, signer_name: str, at: datetime | None = None
) -> ContentFile:
    """Render and sign the dossier's result; the signed bytes as a file to store."""
    unit = result_signing_unit(dossier=dossier)
    pdf = result_document_render(
        dossier=dossier, result_summary=result_summary, signer_name=signer_name, at=at
    )
    signed = result_pdf_sign(
        pdf=pdf, unit_code=unit.code, dossier_code=dossier.code, signer_name=signer_name
    )
    return ContentFile(signed, name=f"{dossier.code}-ket-qua.pdf")


def dossier_result_issue(
    *,
    actor,
    dossier: Dossier | int,
    result_summary: str,
    electronic: bool = False,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """The approval from every door (officer pages, API): with `electronic`, the result is
    rendered, signed with the approving unit's certificate and stored with the dossier; without,
    a paper result is recorded. The approval's own checks (role, state, version) are
    `dossier_resolve`'s; the role is checked before signing too, so a refusal names the missing
    role rather than a certificate."""
    from motcua.dossiers import services  # dossiers' door table imports this module lazily
    from motcua.dossiers.selectors import dossier_available_actions
    from motcua.dossiers.services import actor_name

    if not electronic:
        pk = dossier.pk if isinstance(dossier, Dossier) else dossier
        chosen = Dossier.objects.filter(pk=pk).values_list("result_delivery", flat=True).first()
        if chosen == ResultDelivery.ONLINE:
            # The applicant will download it: there must be a signed file to download.
            raise ValidationFailed(
                "Chủ hồ sơ chọn nhận kết quả trực tuyến: hãy phê duyệt kết quả là văn bản điện "
                "tử (có chữ ký số).",
                code="result_electronic_required",
            )
        return services.dossier_resolve(
            actor=actor,
            dossier=dossier,
            result_summary=result_summary,
            at=at,
            expected_version=expected_version,
        )
    pk = dossier.pk if isinstance(dossier, Dossier) else dossier
    current = Dossier.objects.select_related(
        "procedure", "unit", "current_unit", "received_by"
    ).get(pk=pk)
    if "resolved" not in dossier_available_actions(user=actor, dossier=current):
        # The service words the refusal (state, role, unit) exactly as for any other action; the
        # savepoint guarantees nothing is recorded should it, against the table, accept.
        with transaction.atomic():
            services.dossier_resolve(
                actor=actor,
                dossier=current,
                result_summary=result_summary or "-",
                at=at,
                expected_version=expected_version,
            )
            raise PermissionDenied(
                "Bạn không có quyền phê duyệt kết quả hồ sơ này.", code="permission_denied"
            )
    summary = " ".join((result_summary or "").split())
    if not summary:
        # Same refusal as the service's, before any rendering.
        services.dossier_resolve(actor=actor, dossier=current, result_summary="", at=at)
    result_file = result_pdf_issue(
        dossier=current, result_summary=summary, signer_name=actor_name(actor), at=at
    )
    return services.dossier_resolve(
        actor=actor,
        dossier=current,
        result_summary=summary,
        electronic=True,
        result_file=result_file,
        at=at,
        expected_version=expected_version,
    )
