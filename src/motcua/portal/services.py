"""Writes from the public portal. Dossier changes go through dossiers.services (actor=None: the
applicant); these functions add the checks only the portal needs. Feedback and ratings go
through feedback.services."""

import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils.crypto import salted_hmac

from motcua.catalog.models import Component, Procedure
from motcua.core import timeutil
from motcua.core.errors import ValidationFailed
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import ID_NUMBER_RE, Applicant, ReceivedComponent
from motcua.portal import access
from motcua.portal.models import StoreCode
from motcua.portal.selectors import store_contact_on_record
from motcua.privacy.services import consent_record
from motcua.units.models import Unit

FILING_CONSENT = "dossier_filing"

audit = logging.getLogger("motcua.audit")


def _received(
    files: dict[Component, object], reused: dict[Component, int] | None = None
) -> list[ReceivedComponent]:
    # Uploaded files are electronic from the start: they count as digitized. A component taken
    # from the citizen's store carries the held document's id: the intake service checks it is
    # the applicant's own and for that component (digitization.store.held_document_for_reuse).
    reused = reused or {}
    return [
        ReceivedComponent(name=component.name, component=component, digitized=True, file=file)
        for component, file in files.items()
        if component not in reused
    ] + [
        ReceivedComponent(name=component.name, component=component, held_id=held_id)
        for component, held_id in reused.items()
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
    reused: dict[Component, int] | None = None,
) -> Dossier:
    """File a dossier online with one uploaded file per component, or a document from the
    citizen's store (`reused`: held document id by component, offered after the one-time code);
    the consent the form showed is recorded with it (privacy.selectors.CONSENT_TEXTS). The code
    is not VNeID: `vneid_verified` stays false."""
    # Whether the procedure is offered online, whether the unit receives it and whether every
    # required component is attached: the service's.
    dossier = dossier_services.dossier_submit_online(
        unit=unit,
        procedure=procedure,
        applicant=applicant,
        summary=summary or procedure.name,
        components=_received(files, reused),
        result_delivery=result_delivery,
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


# --- the citizen's document store: the one-time code ---------------------------------------------
#
# Not VNeID. The portal has no national identity login here; what the code proves is that the
# person filing reads the phone (or mailbox) recorded with the dossiers whose documents the store
# keeps for that number. A VNeID adapter would replace this step and set `vneid_verified`.


def _code_hash(*, salt: str, code: str) -> str:
    return salted_hmac(f"motcua.portal.store-code:{salt}", code, algorithm="sha256").hexdigest()


def _reference(row: StoreCode) -> str:
    return f"store-code:{row.pk}"


def store_id_number_cleaned(id_number: str) -> str:
    number = (id_number or "").strip().upper().replace(" ", "")
    if not ID_NUMBER_RE.match(number):
        raise ValidationFailed(
            "Số định danh cá nhân không hợp lệ: chỉ gồm chữ số, chữ cái và dấu '-', "
            "từ 6 đến 20 ký tự.",
            code="store_id_number_invalid",
        )
    return number


def _throttled() -> ValidationFailed:
    minutes = access.store_window_seconds() // 60
    return ValidationFailed(
        f"Bạn đã yêu cầu hoặc nhập sai mã xác thực quá nhiều lần. Vui lòng thử lại sau "
        f"{minutes} phút, hoặc đính kèm tệp như bình thường.",
        code="store_code_throttled",
    )


def store_codes_sweep(*, now: datetime | None = None) -> int:
    """Delete the codes that can no longer be used (expired); returns how many. Their messages
    not yet handed over are given up (notifications.services.store_code_messages_forget)."""
    from motcua.notifications.services import store_code_messages_forget

    now = now or timeutil.now()
    expired = list(StoreCode.objects.filter(expires_at__lte=now).values_list("pk", flat=True))
    if not expired:
        return 0
    store_code_messages_forget(references=[f"store-code:{pk}" for pk in expired])
    StoreCode.objects.filter(pk__in=expired).delete()
    return len(expired)


@dataclass(frozen=True)
class CodeSent:
    code_id: int
    number: str


@transaction.atomic
def store_code_send(*, id_number: str, ip: str, at: datetime | None = None) -> CodeSent:
    """Make a one-time code for `id_number` and send it to the contact on record (never one typed
    now), through the notifications app's channels. The answer is the same whether or not the
    number has documents or a contact on record (a code nobody receives is still made), so the
    page does not tell who is known. Sends are counted per client and per number."""
    from motcua.notifications.services import store_code_notify

    at = at or timeutil.now()
    number = store_id_number_cleaned(id_number)
    if access.store_send_blocked(ip=ip, number=number):
        raise _throttled()
    store_codes_sweep(now=at)
    access.store_send_record(ip=ip, number=number)
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(16)
    contact = store_contact_on_record(id_number=number)
    row = StoreCode.objects.create(
        id_number=number,
        salt=salt,
        code_hash=_code_hash(salt=salt, code=code),
        created_at=at,
        expires_at=at + timedelta(seconds=access.store_code_seconds()),
    )
    sent = None
    if contact is not None:
        sent = store_code_notify(
            reference=_reference(row),
            channel=contact.channel,
            address=contact.address,
            code=code,
            minutes=max(1, access.store_code_seconds() // 60),
        )
    if sent is not None:
        row.channel, row.address_masked = sent.channel, sent.address_masked
        row.save(update_fields=["channel", "address_masked"])
    audit.info(
        "action=store_code_send owner=%s code_id=%s sent_to=%s",
        "*" * max(0, len(number) - 4) + number[-4:],
        row.pk,
        row.address_masked or "-",
    )
    return CodeSent(code_id=row.pk, number=number)


def store_code_verify(*, code_id: int, id_number: str, code: str, ip: str) -> str:
    """Check the code this session asked for; returns the verified number. Wrong, expired or used
    up codes get one message; each wrong code counts against the client and the number, and
    against the code itself (at most MOTCUA_PORTAL_STORE_CODE_ATTEMPTS tries). A code works once."""
    number = (id_number or "").strip().upper()
    now = timeutil.now()
    wrong = ValidationFailed(
        "Mã xác thực không đúng hoặc đã hết hạn. Vui lòng kiểm tra lại, hoặc yêu cầu gửi mã mới.",
        code="store_code_invalid",
    )
    if access.store_verify_blocked(ip=ip, number=number):
        raise _throttled()
    store_codes_sweep(now=now)
    typed = "".join(ch for ch in (code or "") if not ch.isspace())
    live = StoreCode.objects.filter(
        pk=code_id, id_number=number, verified_at__isnull=True, expires_at__gt=now
    )
    # One try used, atomically: parallel guesses cannot share a count.
    if not live.filter(attempts__lt=access.store_code_attempts()).update(
        attempts=F("attempts") + 1
    ):
        access.store_failure_record(ip=ip, number=number)
        raise wrong
    row = live.first()
    matches = row is not None and hmac.compare_digest(
        row.code_hash, _code_hash(salt=row.salt, code=typed)
    )
    # Used once: of two right answers at the same moment, one wins.
    if not matches or not live.update(verified_at=now):
        access.store_failure_record(ip=ip, number=number)
        audit.info("action=store_code_wrong code_id=%s", code_id)
        raise wrong
    StoreCode.objects.filter(pk=code_id).delete()  # nothing left to keep once it has served
    audit.info(
        "action=store_code_verified owner=%s code_id=%s",
        "*" * max(0, len(number) - 4) + number[-4:],
        code_id,
    )
    return number
