"""Electronic results: sign a result PDF with its unit's certificate (PAdES baseline B-B, an
invisible signature field — the visible block is drawn in the document's own HTML, see
`templates/digitization/_signature_block.html`), verify one, and make the demo's certificates.

The dossier code and the unit are written into the PDF's Info dictionary in the same revision as
the signature, so the signature covers them: a verified file's dossier code is the signer's word."""

import asyncio
import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, pkcs12
from cryptography.x509.oid import NameOID
from django.utils.translation import gettext as _
from pyhanko.keys.internal import translate_pyca_cryptography_key_to_asn1
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from motcua.core import timeutil
from motcua.core.errors import DomainError
from motcua.digitization.certificates import (
    SigningConfig,
    SigningConfigInvalid,
    TrustRoots,
    config_path,
    fingerprint,
    signing_config_get,
)
from motcua.digitization.models import DocumentText, OcrStatus
from motcua.digitization.verdicts import (
    BROKEN,
    CERTIFICATE_EXPIRED,
    MODIFIED,
    MODIFIED_AFTER_SIGNING,
    NOT_PDF,
    SIGNATURE_BROKEN,
    UNSIGNED,
    UNTRUSTED,
    VALID,
    Verification,
    messages,
)

log = logging.getLogger(__name__)

# Info dictionary keys (second-class names, PDF 32000-1 §14.3.3, carry the application's prefix).
INFO_DOSSIER = "/MotcuaMaHoSo"
INFO_UNIT = "/MotcuaMaDonVi"
FIELD_PREFIX = "MotcuaKetQua"
# A unit certificate may carry either usage: Vietnamese CAs issue both on organisation certificates.
KEY_USAGE = KeyUsageConstraints(
    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
)


class ResultPdfInvalid(DomainError):
    code = "pdf_invalid"


class ResultSigningFailed(DomainError):
    code = "signing_failed"


# --- signing -------------------------------------------------------------------------------------


def looks_like_pdf(pdf: bytes) -> bool:
    # Readers accept the header anywhere in the first KiB (PDF 32000-1, implementation note).
    return b"%PDF-" in pdf[:1024]


def _subject(cert: x509.Certificate, oid) -> str | None:
    values = cert.subject.get_attributes_for_oid(oid)
    return str(values[0].value) if values else None


def result_pdf_sign(
    *,
    pdf: bytes,
    unit_code: str | None,
    dossier_code: str | None = None,
    signer_name: str | None = None,
    config: SigningConfig | None = None,
) -> bytes:
    """The PDF with one more signature: the unit's (None: the configured default unit), PAdES
    B-B, SHA-256, claimed signing time now, signer's name (default: the certificate's common
    name), the unit and the dossier code in the signed revision. Earlier signatures stay valid."""
    config = config or signing_config_get()
    entry = config.unit(unit_code)
    key, cert, chain = entry.key_and_certificate()
    if not looks_like_pdf(pdf):
        raise ResultPdfInvalid(_("Tệp không phải PDF."))
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
        writer.root  # noqa: B018 — a file without a readable catalogue cannot be signed
    except Exception as error:  # the parser raises many kinds on garbage
        log.info("unreadable PDF: %r", error)
        raise ResultPdfInvalid(_("Tệp PDF bị hỏng, không đọc được.")) from None
    if writer.security_handler is not None:
        raise ResultPdfInvalid(_("Tệp PDF được mã hóa: cần bản không đặt mật khẩu để ký."))
    if not _meant_for_signing(cert):
        raise ResultSigningFailed(
            _(
                "Chứng thư số của đơn vị %(unit)s không dùng để ký (thiếu mục đích "
                "digitalSignature/nonRepudiation): có thể đã cấu hình nhầm chứng thư mã hóa."
            )
            % {"unit": entry.unit_code}
        )
    unit_name = _subject(cert, NameOID.ORGANIZATION_NAME) or _subject(cert, NameOID.COMMON_NAME)
    name = signer_name or _subject(cert, NameOID.COMMON_NAME) or unit_name

    info = writer.trailer["/Info"].get_object() if "/Info" in writer.trailer else None
    new_info = generic.DictionaryObject(dict(info.items()) if info is not None else {})
    new_info[generic.NameObject(INFO_UNIT)] = generic.TextStringObject(entry.unit_code)
    if dossier_code:
        new_info[generic.NameObject(INFO_DOSSIER)] = generic.TextStringObject(dossier_code)
    writer.set_info(new_info)

    existing = {field for field, _value, _ref in fields.enumerate_sig_fields(writer)}
    number = 1
    while f"{FIELD_PREFIX}{number}" in existing:
        number += 1
    field_name = f"{FIELD_PREFIX}{number}"
    reason = _("Ký số kết quả giải quyết thủ tục hành chính")
    if dossier_code:
        reason = _("%(reason)s, hồ sơ %(code)s") % {"reason": reason, "code": dossier_code}

    store = SimpleCertificateStore()
    store.register_multiple(_asn1(c) for c in chain)
    signer = signers.SimpleSigner(
        signing_key=translate_pyca_cryptography_key_to_asn1(key),
        signing_cert=_asn1(cert),
        cert_registry=store,
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        name=name,
        location=unit_name,
        reason=reason,
        signer_key_usage={"digital_signature", "non_repudiation"},
    )
    out = BytesIO()
    # No box: the widget has a zero rectangle, the signature is invisible on every page.
    pdf_signer = signers.PdfSigner(
        meta, signer=signer, new_field_spec=fields.SigFieldSpec(sig_field_name=field_name)
    )
    try:
        _outside_event_loop(pdf_signer.sign_pdf, writer, output=out)
    except SigningError as error:  # e.g. a certificate not meant for signing
        raise ResultSigningFailed(
            _("Không ký được bằng chứng thư số của đơn vị %(unit)s: %(error)s")
            % {"unit": entry.unit_code, "error": error}
        ) from None
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as error:
        log.info("PDF cannot take a signature: %r", error)
        raise ResultPdfInvalid(
            _("Không ký được tệp PDF này: cấu trúc tệp không chuẩn, hãy xuất lại tệp.")
        ) from None
    return out.getvalue()


def _meant_for_signing(cert: x509.Certificate) -> bool:
    """The same rule verification applies (KEY_USAGE): either usage, or no key-usage extension."""
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return usage.digital_signature or usage.content_commitment


def _outside_event_loop(function, *args, **kwargs):
    """pyHanko's synchronous calls run their own asyncio loop, which cannot start inside a running
    one (an async view, a Playwright test): then they run in a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))


# --- verification --------------------------------------------------------------------------------


def _verdict(code: str, **facts) -> Verification:
    return Verification(valid=code == VALID, code=code, message=messages()[code], **facts)


def _text(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def result_pdf_verify(*, pdf: bytes, config: SigningConfig | None = None) -> Verification:
    """Is this result authentic? Every signature must be intact and made with a trusted
    certificate (a configured unit's, or one the CA bundle vouches for); the last must cover the
    whole file, earlier ones may be followed only by further signatures. Never raises on bad
    input: the answer says what is wrong."""
    if not looks_like_pdf(pdf):
        return _verdict(NOT_PDF)
    # pyHanko raises many kinds of exception on garbage; none may become a 500.
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        reader.root  # noqa: B018 — a file without a readable catalogue is no PDF to judge
    except Exception as error:
        log.info("unreadable PDF: %r", error)
        return _verdict(BROKEN)
    try:
        signatures = reader.embedded_signatures
    except Exception as error:  # the file reads, its signature data does not
        log.info("unreadable signature: %r", error)
        return _verdict(SIGNATURE_BROKEN)
    if not signatures:
        # A signature dictionary the reader could not reach (a cut-off file) is damage, not
        # the absence of a signature.
        return _verdict(BROKEN if b"/ByteRange" in pdf else UNSIGNED)
    if config is None:
        try:
            config = signing_config_get(required=False)
        except SigningConfigInvalid:
            log.exception("signing configuration %s unreadable", config_path())
            config = SigningConfig(path=None)
    trust = config.trust
    # Never None: that would fall back on the operating system's list of web CAs.
    context = _context(trust.asn1())
    last = len(signatures) - 1
    facts: dict = {"signatures": len(signatures)}
    outcome = VALID
    for index, signature in enumerate(signatures):
        code, facts_one = _verify_one(
            signature=signature, context=context, trust=trust, last=index == last
        )
        if index == last or code != VALID:
            facts.update(facts_one)
        if code != VALID:
            outcome = code
            break
    if outcome == VALID:
        info = reader.trailer["/Info"].get_object() if "/Info" in reader.trailer else {}
        facts["dossier_code"] = _text(info.get(INFO_DOSSIER)) if info else None
    return _verdict(outcome, **facts)


def _context(roots: list) -> ValidationContext:
    # Nothing is fetched (no network); a self-signed or CRL-less certificate is judged on trust.
    return ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")


def _validate(signature, context):
    return _outside_event_loop(
        validate_pdf_signature,
        signature,
        signer_validation_context=context,
        key_usage_settings=KEY_USAGE,
    )


OUT_OF_VALIDITY = {"EXPIRED", "NOT_YET_VALID", "OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED"}


def _valid_now(cert) -> bool:
    validity = cert["tbs_certificate"]["validity"]
    now = datetime.now(UTC)
    return validity["not_before"].native <= now <= validity["not_after"].native


def _verify_one(*, signature, context, trust: TrustRoots, last: bool) -> tuple[str, dict]:
    facts: dict = {}
    try:
        cert = signature.signer_cert
        der = cert.dump()
        facts["certificate_subject"] = x509.load_der_x509_certificate(der).subject.rfc4514_string()
        facts["certificate_fingerprint"] = fingerprint(der=der)
        subject = cert.subject.native
        facts["signer"] = _text(signature.sig_object.get("/Name")) or subject.get("common_name")
        facts["unit_name"] = subject.get("organization_name") or subject.get("common_name")
        facts["signed_at"] = signature.self_reported_timestamp
    except Exception as error:
        log.info("unreadable signature: %r", error)
        return SIGNATURE_BROKEN, facts
    if cert.issuer == cert.subject and not trust.contains(der=der):
        # A self-signed certificate is trusted only by being a root itself. Path building would
        # otherwise try a root of the same name (an impostor copying a unit's name) as its issuer.
        context = _context([])
    try:
        status = _validate(signature, context)
    except Exception as error:
        log.info("signature validation failed: %r", error, exc_info=True)
        # Tell a broken signature from a chain that could not be built: check without trust.
        try:
            status = _validate(signature, _context([]))
        except Exception:
            return SIGNATURE_BROKEN, facts
    if status.signer_reported_dt is not None:
        facts["signed_at"] = status.signer_reported_dt
    if facts.get("signed_at") is not None:
        facts["signed_at"] = timeutil.to_local(facts["signed_at"])
    unit_code = trust.unit_of(der=der)
    facts["unit_code"] = unit_code
    facts["demo"] = trust.demo and status.trusted
    if not status.intact:
        return MODIFIED, facts
    if not status.valid:
        return SIGNATURE_BROKEN, facts
    if last and status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return MODIFIED_AFTER_SIGNING, facts
    level = status.modification_level
    if not last and (
        level is None or level > ModificationLevel.FORM_FILLING or status.docmdp_ok is False
    ):
        return MODIFIED_AFTER_SIGNING, facts
    # Path validation does not date-check a trust anchor itself (RFC 5280 §6.1), and a unit's own
    # certificate is one: check its dates here. A known certificate out of its validity period is
    # not a stranger's, so the answer names it.
    root_out_of_date = trust.contains(der=der) and not _valid_now(cert)
    if root_out_of_date or (
        not status.trusted and getattr(status.trust_problem_indic, "name", "") in OUT_OF_VALIDITY
    ):
        return CERTIFICATE_EXPIRED, facts
    if not status.trusted:
        return UNTRUSTED, facts
    return VALID, facts


# --- certificates for the demo -------------------------------------------------------------------


def signing_certificate_self_signed_create(
    *,
    unit_code: str,
    unit_name: str,
    valid_days: int = 3650,
    passphrase: bytes | None = None,
    rsa_key: bool = False,
) -> bytes:
    """A self-signed certificate and key for a unit (ECDSA P-256, instant to make; RSA-2048 with
    `rsa_key`, as licensed CAs issue), as PKCS#12 — for the demo and the tests only: a real
    unit's certificate comes from a licensed CA. The common name says it is a demo certificate,
    so no viewer can take it for a real one."""
    key = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if rsa_key
        else ec.generate_private_key(ec.SECP256R1())
    )
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, unit_name),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"Mã đơn vị {unit_code}"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{unit_name} (thử nghiệm)"),
        ]
    )
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    encryption = (
        pkcs12.serialization.BestAvailableEncryption(passphrase) if passphrase else NoEncryption()
    )
    return pkcs12.serialize_key_and_certificates(
        name=unit_code.encode(), key=key, cert=cert, cas=None, encryption_algorithm=encryption
    )


def demo_signing_certificates_ensure(
    *, units: list[tuple[str, str]], default_unit: str, path: Path | None = None
) -> dict:
    """Give each (unit code, unit name) a demo certificate under the configuration's folder and
    list it there. Kept across runs (results signed yesterday must still verify); a configuration
    that is not the demo's own is never touched. Returns {"path", "created", "units", "skipped"}."""
    path = path or config_path()
    existing: dict = {}
    if path.exists():
        try:
            existing = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            existing = {}
        if existing.get("demo") is not True:
            return {"path": path, "created": 0, "units": [], "skipped": True}
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    entries = dict(existing.get("units", {}))
    created = 0
    for code, name in units:
        file_name = f"{code}.p12"
        if code in entries and (folder / file_name).exists():
            continue
        data = signing_certificate_self_signed_create(unit_code=code, unit_name=name)
        target = folder / file_name
        # The key file is readable by its owner only, even for a demo.
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        entries[code] = {"pkcs12": file_name}
        created += 1
    document = {
        "demo": True,
        "default_unit": existing.get("default_unit") or default_unit,
        "units": entries,
    }
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    temporary.replace(path)
    return {"path": path, "created": created, "units": sorted(entries), "skipped": False}


# --- OCR of scans ----------------------------------------------------------------------------------


def document_ocr(*, document_id: int) -> DocumentText:
    """Recognise the text of one stored scan (the worker's task): the searchable PDF/A is stored
    beside the original, the text and its folded form kept for officers' search. Tools missing or
    a failing scan are recorded on the row (status and message), never raised: the dossier's
    action committed long ago."""
    from django.core.files.base import ContentFile

    from motcua.core.text import fold
    from motcua.digitization.ocr import OcrFailed, ocr_missing, ocr_run
    from motcua.digitization.scans import scan_kind
    from motcua.dossiers.models import DossierDocument

    document = DossierDocument.objects.get(pk=document_id)
    row, _created = DocumentText.objects.get_or_create(document=document)
    if not document.file:
        return row
    missing = ocr_missing()
    if missing:
        row.status, row.error = OcrStatus.UNAVAILABLE, missing[:1000]
        row.save()
        log.warning("OCR không chạy được cho giấy tờ %s: %s", document_id, missing)
        return row
    with document.file.open("rb") as handle:
        content = handle.read()
    found = scan_kind(content[:8])
    if found is None:
        row.status, row.error = OcrStatus.FAILED, "Không phải bản quét PDF, JPEG hoặc PNG."
        row.save()
        return row
    try:
        pdf, text = ocr_run(content=content, kind=found[0])
    except OcrFailed as failure:
        row.status, row.error = OcrStatus.FAILED, str(failure)[:1000]
        row.save()
        log.warning("OCR lỗi cho giấy tờ %s: %s", document_id, failure)
        return row
    # Form feeds separate pages in the sidecar; the text is kept as recognised.
    text = text.replace("\f", "\n").strip()
    name = f"{document.sha256 or document.pk}.pdf"
    if row.searchable_pdf:
        row.searchable_pdf.delete(save=False)
    row.searchable_pdf.save(name, ContentFile(pdf), save=False)
    row.text, row.text_folded = text, fold(text)
    row.status, row.error = OcrStatus.DONE, ""
    row.save()
    return row


def documents_ocr_enqueue(*, document_ids: list[int]) -> int:
    """Queue OCR of these documents for the worker (`motcua worker`); returns how many. Nothing
    is queued when OCR is switched off (MOTCUA_OCR=0)."""
    from motcua.digitization.ocr import ocr_enabled
    from motcua.digitization.tasks import document_ocr_task

    if not ocr_enabled():
        return 0
    for document_id in document_ids:
        DocumentText.objects.get_or_create(document_id=document_id)
        document_ocr_task.enqueue(document_id=document_id)
    return len(document_ids)
