"""Issuing an electronic result: the leader's approval renders the result document (WeasyPrint,
with the visible signature block and the QR code carrying the dossier code and its verification
link), signs it with the certificate of the unit that approves (PAdES, invisible field) and hands
the signed bytes to `dossiers.services.dossier_resolve`, which stores them as the dossier's result
document in the approval's own transaction.

Rendering and signing happen before that transaction (CPU and file work, no database lock held —
on SQLite a write transaction holds the whole database). A unit without a certificate is a
DomainError for the leader to read: an electronic result is never issued unsigned.

A drafted result (the processing officer's upload, or one generated from the default template,
`result_draft_generate`) is signed instead of a rendered one: a signature page drawn by WeasyPrint
(the QR code and the visible signature block — pyHanko's own stamp garbles Vietnamese) is added
after the draft's pages, then the whole is signed in an invisible field."""

import hashlib
from datetime import datetime
from io import BytesIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import override
from weasyprint import HTML, URLFetcher

from motcua.core import timeutil
from motcua.core.errors import PermissionDenied, ValidationFailed
from motcua.digitization.selectors import (
    dossier_result_draft,
    result_qr_payload,
    result_verification_url,
    signature_block_context,
)
from motcua.digitization.services import result_pdf_sign
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier, ResultDelivery

RESULT_TEMPLATE = "digitization/result_document.html"
SIGNATURE_PAGE_TEMPLATE = "digitization/result_signature_page.html"
# Only the QR code's data: URI is embedded; nothing in user text is ever fetched while rendering.
_FETCHER = URLFetcher(allowed_protocols=["data"])


def public_base_url() -> str:
    return str(getattr(settings, "MOTCUA_PUBLIC_URL", "")).rstrip("/")


def result_signing_unit(*, dossier: Dossier):
    """The unit whose certificate signs: the one where the leader approves (the lifecycle's unit
    of the approval — the unit holding the dossier)."""
    return lifecycle.action_unit(lifecycle.action_get("resolved"), dossier)


def _context(*, dossier: Dossier, result_summary: str, signature: dict | None) -> dict:
    from motcua.forms.services import qr_svg_data_uri  # the forms' QR drawing, one style

    base = public_base_url()
    unit = result_signing_unit(dossier=dossier)
    return {
        "dossier": dossier,
        "title": dossier.procedure.result_name or "Kết quả giải quyết thủ tục hành chính",
        "unit_name": signature["unit"] if signature else unit.name,
        "received_at": timeutil.to_local(dossier.received_at) if dossier.received_at else None,
        "result_summary": result_summary,
        "signature": signature,
        "qr_data_uri": qr_svg_data_uri(
            payload=result_qr_payload(dossier_code=dossier.code, base_url=base)
        ),
        "verification_url": result_verification_url(dossier_code=dossier.code, base_url=base),
    }


def _pdf(template: str, context: dict) -> bytes:
    with override("vi"):
        html = render_to_string(template, context)
    return HTML(string=html, url_fetcher=_FETCHER).write_pdf()


def result_document_render(
    *,
    dossier: Dossier,
    result_summary: str,
    signer_name: str | None,
    at: datetime | None = None,
) -> bytes:
    """The result document as PDF, not yet signed: title, dossier facts, the result, the QR code
    and the signature block naming the signer, the unit and the time. Without `signer_name`, the
    default template's draft: no signature block (the approval adds the signature page)."""
    signature = None
    if signer_name is not None:
        unit = result_signing_unit(dossier=dossier)
        signature = signature_block_context(unit_code=unit.code, signer_name=signer_name, at=at)
    return _pdf(
        RESULT_TEMPLATE,
        _context(dossier=dossier, result_summary=result_summary, signature=signature),
    )


def result_signature_page_render(
    *,
    dossier: Dossier,
    result_summary: str,
    signer_name: str,
    draft_pages: int | None,
    at: datetime | None = None,
) -> bytes:
    """The page added after a drafted result: the dossier it belongs to, the result, the QR code
    and the visible signature block (WeasyPrint: correctly shaped Vietnamese)."""
    unit = result_signing_unit(dossier=dossier)
    signature = signature_block_context(unit_code=unit.code, signer_name=signer_name, at=at)
    context = _context(dossier=dossier, result_summary=result_summary, signature=signature)
    context["draft_pages"] = draft_pages
    return _pdf(SIGNATURE_PAGE_TEMPLATE, context)


def result_pdf_append_pages(*, pdf: bytes, pages: bytes) -> bytes:
    """`pdf` with every page of `pages` added after its own, as one new file (pyHanko's writer;
    no further PDF library). The draft's own form fields are dropped: a signature the draft
    carried would no longer cover the file, and the result's one signature is the approval's."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    writer = copy_into_new_writer(PdfFileReader(BytesIO(pdf), strict=False))
    for key in ("/AcroForm", "/Perms"):
        if key in writer.root:
            del writer.root[key]
    added = PdfFileReader(BytesIO(pages), strict=False)
    for index in range(int(added.root["/Pages"]["/Count"])):
        page_ref, _resources = added.find_page_for_modification(index)
        page = page_ref.get_object()
        box = page["/MediaBox"]
        xobject = writer.import_page_as_xobject(added, page_ix=index)
        content = generic.StreamObject(stream_data=b"q /Trang Do Q")
        writer.insert_page(
            generic.DictionaryObject(
                {
                    generic.pdf_name("/Type"): generic.pdf_name("/Page"),
                    generic.pdf_name("/MediaBox"): generic.ArrayObject(
                        [generic.FloatObject(float(value)) for value in box]
                    ),
                    generic.pdf_name("/Resources"): generic.DictionaryObject(
                        {
                            generic.pdf_name("/XObject"): generic.DictionaryObject(
                                {generic.pdf_name("/Trang"): xobject}
                            )
                        }
                    ),
                    generic.pdf_name("/Contents"): writer.add_object(content),
                }
            )
        )
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def result_pdf_issue(
    *,
    dossier: Dossier,
    result_summary: str,
    signer_name: str,
    at: datetime | None = None,
    draft: bytes | None = None,
    draft_pages: int | None = None,
) -> ContentFile:
    """Render and sign the dossier's result — or, given the drafted result's bytes, add the
    signature page after it and sign that; the signed bytes as a file to store."""
    unit = result_signing_unit(dossier=dossier)
    if draft is None:
        pdf = result_document_render(
            dossier=dossier, result_summary=result_summary, signer_name=signer_name, at=at
        )
    else:
        page = result_signature_page_render(
            dossier=dossier,
            result_summary=result_summary,
            signer_name=signer_name,
            draft_pages=draft_pages,
            at=at,
        )
        pdf = result_pdf_append_pages(pdf=draft, pages=page)
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
    draft = dossier_result_draft(dossier=current)
    draft_bytes = None
    if draft is not None:
        with draft.file.open("rb") as handle:
            draft_bytes = handle.read()
        if hashlib.sha256(draft_bytes).hexdigest() != draft.sha256:
            raise ValidationFailed(
                "Tệp dự thảo kết quả đã lưu không còn nguyên vẹn; hãy đính kèm lại dự thảo.",
                code="result_draft_damaged",
            )
        if expected_version is None:
            # Sign exactly the draft read here: a draft replaced meanwhile refuses the approval.
            expected_version = current.last_event_seq
    result_file = result_pdf_issue(
        dossier=current,
        result_summary=summary,
        signer_name=actor_name(actor),
        at=at,
        draft=draft_bytes,
        draft_pages=draft.page_count if draft is not None else None,
    )
    return services.dossier_resolve(
        actor=actor,
        dossier=current,
        result_summary=summary,
        electronic=True,
        result_file=result_file,
        result_draft_id=draft.pk if draft is not None else None,
        at=at,
        expected_version=expected_version,
    )


def result_draft_generate(
    *,
    actor,
    dossier: Dossier | int,
    result_summary: str,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """The processing officer's draft made from the default template (the result document
    without its signature block), attached as the drafted result through the same service as an
    upload. The role and state are checked before rendering."""
    from motcua.dossiers import services
    from motcua.dossiers.selectors import dossier_action_allowed

    pk = dossier.pk if isinstance(dossier, Dossier) else dossier
    current = Dossier.objects.select_related(
        "procedure", "unit", "current_unit", "received_by"
    ).get(pk=pk)
    if not dossier_action_allowed(user=actor, dossier=current, kind="result_drafted"):
        # The service words the refusal (state, role, unit); nothing is recorded.
        with transaction.atomic():
            services.dossier_attach_result_draft(
                actor=actor,
                dossier=current,
                draft=ContentFile(b"", name="du-thao.pdf"),
                at=at,
                expected_version=expected_version,
            )
            raise PermissionDenied(
                "Bạn không có quyền đính kèm dự thảo kết quả hồ sơ này.",
                code="permission_denied",
            )
    summary = " ".join((result_summary or "").split())
    if not summary:
        raise ValidationFailed("Chưa nhập nội dung kết quả.", code="result_required")
    if len(summary) > 1000:
        raise ValidationFailed(
            "Nội dung kết quả quá dài (tối đa 1000 ký tự).", code="result_required_too_long"
        )
    pdf = result_document_render(dossier=current, result_summary=summary, signer_name=None)
    return services.dossier_attach_result_draft(
        actor=actor,
        dossier=current,
        draft=ContentFile(pdf, name=f"{current.code}-du-thao.pdf"),
        name="",
        generated=True,
        result_summary=summary,
        at=at,
        expected_version=expected_version,
    )
