"""Reads for electronic results: the verification link a result's QR code carries, and what the
public may learn about a dossier from its code alone."""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from cryptography.x509.oid import NameOID
from django.core.signing import BadSignature, Signer
from django.urls import reverse

from motcua.core import timeutil
from motcua.digitization.certificates import DEMO_NOTICE, signing_config_get
from motcua.dossiers.models import Dossier, Outcome, State

# The query parameter of the verification page that carries the dossier code.
CODE_PARAM = "ma"
MAX_CODE_LENGTH = 64


KEY_PARAM = "k"
_SALT = "motcua.digitization.result-qr"


def result_check_key(*, dossier_code: str) -> str:
    """A keyed check value (HMAC of the code under the site's secret key) printed with the code:
    the page tells what it knows of a dossier only to a link carrying it, so walking through
    dossier codes learns nothing. Rotating MOTCUA_SECRET_KEY voids printed links unless the old
    key stays in SECRET_KEY_FALLBACKS."""
    return Signer(salt=_SALT).signature(dossier_code)


def result_check_key_valid(*, dossier_code: str, key: str) -> bool:
    try:
        Signer(salt=_SALT).unsign(f"{dossier_code}{Signer().sep}{key}")
    except BadSignature:
        return False
    return True


def result_verification_url(*, dossier_code: str, base_url: str = "") -> str:
    """The link a result's QR code carries: the public verification page for this dossier code
    with its check key. `base_url` ("https://dichvucong.example.gov.vn") makes it absolute, as a
    printed QR needs."""
    query = urlencode(
        {CODE_PARAM: dossier_code, KEY_PARAM: result_check_key(dossier_code=dossier_code)}
    )
    path = f"{reverse('result_verify')}?{query}"
    return f"{base_url.rstrip('/')}{path}" if base_url else path


def result_qr_payload(*, dossier_code: str, base_url: str) -> str:
    """What the QR printed on a result encodes: the absolute verification link (a phone's camera
    opens it directly; the dossier code is in it)."""
    return result_verification_url(dossier_code=dossier_code, base_url=base_url)


@dataclass(frozen=True)
class DossierResultFacts:
    """Only what a printed result already shows to whoever holds it: never the applicant."""

    code: str
    procedure: str
    unit: str
    state: str
    has_result: bool
    granted: bool
    ended_at: datetime | None
    returned_at: datetime | None


def dossier_result_facts(*, code: str) -> DossierResultFacts | None:
    code = (code or "").strip()
    if not code or len(code) > MAX_CODE_LENGTH:
        return None
    dossier = (
        Dossier.objects.select_related("procedure", "unit")
        .filter(code__in={code, code.upper()})
        .only(
            "code",
            "state",
            "outcome",
            "ended_at",
            "returned_at",
            "procedure__name",
            "unit__name",
        )
        .first()
    )
    if dossier is None:
        return None
    has_result = dossier.state in (State.RESOLVED, State.RETURNED)
    return DossierResultFacts(
        code=dossier.code,
        procedure=dossier.procedure.name,
        unit=dossier.unit.name,
        state=str(State(dossier.state).label),
        has_result=has_result,
        granted=has_result and dossier.outcome == Outcome.GRANTED,
        ended_at=dossier.ended_at if has_result else None,
        returned_at=dossier.returned_at,
    )


def signature_block_context(
    *, unit_code: str | None, signer_name: str | None = None, at: datetime | None = None
) -> dict:
    """What `digitization/_signature_block.html` shows: the signer (default: the certificate's
    common name), the unit as its certificate names it, the time (default now) and, for the demo's
    certificates, that they have no legal value. Raises the configuration's DomainErrors."""
    config = signing_config_get()
    entry = config.unit(unit_code)
    _key, cert, _chain = entry.key_and_certificate()

    def subject(oid) -> str | None:
        values = cert.subject.get_attributes_for_oid(oid)
        return str(values[0].value) if values else None

    unit = subject(NameOID.ORGANIZATION_NAME) or subject(NameOID.COMMON_NAME) or entry.unit_code
    return {
        "signer": signer_name or subject(NameOID.COMMON_NAME) or unit,
        "unit": unit,
        "at": timeutil.to_local(at or timeutil.now()),
        "demo": entry.demo,
        "demo_notice": DEMO_NOTICE,
    }


def dossier_result_document(*, dossier: Dossier):
    """The signed result the applicant may download from the tracking page (after verifying
    themselves there), or None: once the result is approved, when they chose to receive it
    online — or, whatever they chose, once it has been handed over."""
    from motcua.dossiers.models import DossierDocument, ResultDelivery

    if dossier.state not in (State.RESOLVED, State.RETURNED) or not dossier.has_result_file:
        return None
    if dossier.result_delivery != ResultDelivery.ONLINE and dossier.state != State.RETURNED:
        return None
    return (
        DossierDocument.objects.filter(dossier=dossier, kind=DossierDocument.Kind.RESULT)
        .exclude(file="")
        .order_by("-pk")
        .first()
    )


def dossier_result_draft(*, dossier: Dossier):
    """The drafted result the leader's approval would sign: the document the dossier's last
    `result_drafted` event attached (a later draft replaces an earlier one), or None."""
    from motcua.dossiers.models import DossierDocument
    from motcua.dossiers.selectors import dossier_events

    drafted = [e for e in dossier_events(dossier=dossier) if e.kind == "result_drafted"]
    payload = drafted[-1].payload if drafted else None
    if not payload or not payload.get("draft_document_id"):
        return None
    return (
        DossierDocument.objects.filter(
            dossier=dossier,
            pk=payload["draft_document_id"],
            kind=DossierDocument.Kind.RESULT_DRAFT,
        )
        .exclude(file="")
        .first()
    )


def document_text_search(*, user, query: str, limit: int = 50) -> list:
    """Scanned documents whose recognised text contains `query`, ignoring diacritics and case
    ("giay chung sinh" finds "GIẤY CHỨNG SINH"), among the dossiers the user may see: filed with,
    handed in at or held by a unit in their remit (dossiers.selectors.dossier_can_view's units).
    Newest first; each with its dossier (`document.dossier`)."""
    from django.db.models import Q

    from motcua.core.text import fold
    from motcua.digitization.models import DocumentText, OcrStatus
    from motcua.dossiers.lifecycle import OFFICER_ROLES
    from motcua.units.models import Role
    from motcua.units.selectors import user_unit_filter

    term = fold(query)
    if len(term) < 2:
        return []
    roles = (*OFFICER_ROLES, Role.SUPERVISOR)
    remit = Q()
    for field in (
        "document__dossier__unit",
        "document__dossier__received_by",
        "document__dossier__current_unit",
    ):
        remit |= user_unit_filter(user=user, field=field, roles=roles)
    rows = (
        DocumentText.objects.filter(remit, status=OcrStatus.DONE, text_folded__contains=term)
        .select_related("document__dossier__procedure")
        .order_by("-document__added_at", "-pk")[:limit]
    )
    return [row.document for row in rows]


@dataclass(frozen=True)
class DossierResultMetadata:
    """An officer's (or a system's) view of a dossier's result: whether it is signed, by whom,
    where and when (the approval's event, which the signature was made for), how it is delivered.
    No PDF is parsed: the stored document and the event carry the facts."""

    resolved: bool
    electronic: bool
    signed: bool
    signer: str | None
    unit: object | None  # Unit
    signed_at: datetime | None
    sha256: str | None
    document_code: str | None
    delivery: str
    tracking_number: str
    returned_at: datetime | None
    document: object | None  # the DossierDocument holding the signed file


def dossier_result_metadata(*, dossier: Dossier) -> DossierResultMetadata:
    from motcua.dossiers.models import DossierDocument, DossierEvent

    resolved = dossier.state in (State.RESOLVED, State.RETURNED)
    approval = (
        DossierEvent.objects.filter(dossier=dossier, kind="resolved")
        .select_related("actor_unit")
        .order_by("-seq")
        .first()
        if resolved
        else None
    )
    document = (
        DossierDocument.objects.filter(dossier=dossier, kind=DossierDocument.Kind.RESULT)
        .exclude(file="")
        .order_by("-pk")
        .first()
        if resolved and dossier.has_result_file
        else None
    )
    payload = approval.payload if approval is not None else {}
    return DossierResultMetadata(
        resolved=resolved,
        electronic=bool(dossier.result_electronic),
        signed=document is not None,
        signer=(approval.actor_name or None) if approval is not None else None,
        unit=approval.actor_unit if approval is not None else None,
        signed_at=(document.digitized_at or approval.at) if document is not None else None,
        sha256=(document.sha256 or None) if document is not None else None,
        document_code=payload.get("result_document_code") if document is not None else None,
        delivery=dossier.result_delivery,
        tracking_number=dossier.result_tracking_number,
        returned_at=dossier.returned_at,
        document=document,
    )
