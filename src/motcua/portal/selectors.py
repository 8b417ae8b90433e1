"""Reads for the public portal: the catalogue as citizens see it, and one dossier for the person
who proved they filed it (code + phone or the last four digits of the ID number)."""

import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Field, Procedure
from motcua.catalog.selectors import procedure_list
from motcua.core import timeutil
from motcua.core.text import vi_sorted
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier, DossierEvent, Outcome, State


def dossier_tracking_url(*, code: str) -> str:
    """The portal's lookup page with the code filled in, at the public address (MOTCUA_PUBLIC_URL):
    printed on the receipt's QR code and sent in messages to the applicant."""
    base = settings.MOTCUA_PUBLIC_URL.rstrip("/")
    return f"{base}{reverse('portal:lookup')}?{urlencode({'ma': code})}"


# --- catalogue -----------------------------------------------------------------------------------


def field_list_with_counts() -> list[Field]:
    """Fields that have active procedures, with how many, in Vietnamese order (sorted in Python:
    SQLite orders by bytes, and there are a few dozen fields)."""
    return vi_sorted(
        Field.objects.annotate(
            procedure_count=Count("procedures", filter=Q(procedures__active=True))
        ).filter(procedure_count__gt=0)
    )


def procedure_get_public(*, code: str) -> Procedure | None:
    return (
        procedure_list()
        .prefetch_related("components", "fees", "units")
        .filter(code=(code or "").strip())
        .first()
    )


# --- one dossier, for its applicant --------------------------------------------------------------

_PHONE_NOISE = re.compile(r"[\s.\-()]")


def _phone_key(value: str) -> str:
    """+84 912… and 0912… are the same number."""
    digits = _PHONE_NOISE.sub("", value or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def _same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


def dossier_public_lookup(*, code: str, contact: str) -> Dossier | None:
    """The dossier when `contact` is its phone number or the last four characters of its ID
    number; None otherwise — the caller must not tell which part was wrong."""
    code = (code or "").strip()
    contact = (contact or "").strip()
    if not code or not contact or len(code) > 64:
        return None
    # Codes are upper-case; a citizen may type them in lower case.
    dossier = Dossier.objects.filter(code__in={code, code.upper()}).first()
    if dossier is None:
        return None
    id_number = dossier.applicant_id_number
    # Four characters can only be an ID tail (a phone number has at least nine digits); an ID
    # shorter than six is not secret enough to unlock anything by its tail.
    if len(contact) == 4:
        return dossier if len(id_number) >= 6 and _same(contact.upper(), id_number[-4:]) else None
    return dossier if _same(_phone_key(contact), _phone_key(dossier.applicant_phone)) else None


def dossier_public_get(*, pk: int | None = None, code: str | None = None) -> Dossier | None:
    """By id (from the session grant) or by exact code (from the URL); callers check the grant."""
    queryset = Dossier.objects.select_related("procedure", "unit", "procedure__field")
    if pk is not None:
        return queryset.filter(pk=pk).first()
    return queryset.filter(code=code).first() if code else None


PLAIN_STATES = {
    State.SUBMITTED_ONLINE: _("Đã nộp trực tuyến, đang chờ cán bộ một cửa kiểm tra và tiếp nhận."),
    State.RECEIVED: _("Đã được tiếp nhận, đang chuyển đến bộ phận giải quyết."),
    State.NOT_ACCEPTED: _("Hồ sơ không được tiếp nhận."),
    State.PROCESSING: _("Đang được giải quyết."),
    State.SUPPLEMENT_REQUESTED: _(
        "Cơ quan yêu cầu bổ sung hồ sơ. Thời hạn giải quyết tạm dừng cho đến khi nhận được phần bổ sung."
    ),
    State.FINANCIAL_OBLIGATION: _(
        "Chờ bạn thực hiện nghĩa vụ tài chính (nộp thuế, phí, lệ phí) theo thông báo của cơ quan."
    ),
    State.WITHDRAWN: _("Bạn đã rút hồ sơ."),
    State.STOPPED: _("Cơ quan đã dừng xử lý hồ sơ."),
    State.RESOLVED: _("Đã có kết quả giải quyết, chờ trả kết quả cho bạn."),
    State.RETURNED: _("Đã trả kết quả."),
}


@dataclass(frozen=True)
class PublicApology:
    """The agency apologised for the delay and set a new date (form 04): what the letter says."""

    first_due_at: datetime | None
    new_due_at: datetime | None
    reason: str


@dataclass(frozen=True)
class PublicStatus:
    text: str
    # What the agency asked for (supplement) or why it ended (refusal, stop): the latest such event.
    request: str = ""
    reason: str = ""
    apology: PublicApology | None = None


def dossier_public_status(*, dossier: Dossier) -> PublicStatus:
    text = str(PLAIN_STATES.get(dossier.state, State(dossier.state).label))
    if dossier.state == State.RESOLVED and dossier.outcome == Outcome.REJECTED:
        text = str(
            _("Hồ sơ bị từ chối giải quyết; văn bản trả lời nêu rõ lý do sẽ được trả cho bạn.")
        )
    request = ""
    if dossier.state == State.SUPPLEMENT_REQUESTED:
        request = _last_payload(dossier, kinds=("supplement_requested",)).get("content", "")
    reason = ""
    if dossier.state in (State.NOT_ACCEPTED, State.STOPPED, State.WITHDRAWN) or (
        dossier.outcome == Outcome.REJECTED
    ):
        reason = _last_payload(
            dossier, kinds=("not_accepted", "stopped", "withdrawn", "rejected")
        ).get("reason", "")
    apology = None
    if dossier.rescheduled:
        payload = _last_payload(dossier, kinds=("apologised",))
        new_due = payload.get("new_due_at")
        apology = PublicApology(
            first_due_at=dossier.first_due_at,
            new_due_at=timeutil.parse_aware(new_due) if isinstance(new_due, str) else new_due,
            reason=payload.get("reason", ""),
        )
    return PublicStatus(text=text, request=request, reason=reason, apology=apology)


@dataclass(frozen=True)
class PublicHistoryEntry:
    at: datetime
    what: str
    office: str  # the unit that acted; empty for the applicant's own steps and automatic ones


# Not shown to the applicant: technical events (an import) and internal work (the drafted
# result before the approval).
_NOT_FOR_CITIZENS = frozenset({"imported", "result_drafted"})


def dossier_public_history(*, dossier: Dossier) -> list[PublicHistoryEntry]:
    """What happened to the dossier, when, and at which office, in the lifecycle's words. Only the
    kind, the moment and the acting unit are read: never officers' names, notes or any payload
    (the applicant's personal data and internal remarks stay out)."""
    events = (
        DossierEvent.objects.filter(dossier=dossier)
        .exclude(kind__in=_NOT_FOR_CITIZENS)
        .select_related("actor_unit")
        .only("kind", "at", "seq", "actor_unit__name")
        .order_by("seq")
    )
    return [
        PublicHistoryEntry(
            at=event.at,
            what=str(lifecycle.BY_KIND[event.kind].event_label),
            office=event.actor_unit.name if event.actor_unit else "",
        )
        for event in events
        if event.kind in lifecycle.BY_KIND
    ]


def _last_payload(dossier: Dossier, *, kinds: tuple[str, ...]) -> dict:
    event = DossierEvent.objects.filter(dossier=dossier, kind__in=kinds).order_by("-seq").first()
    return (event.payload or {}) if event else {}


def dossier_public_documents(*, dossier: Dossier) -> list[str]:
    """Names of the papers filed — names only: files are not served to the public."""
    return list(
        dossier.documents.filter(kind="component")
        .order_by("added_at", "id")
        .values_list("name", flat=True)
    )


# --- the citizen's document store, online ---------------------------------------------------------


@dataclass(frozen=True)
class ContactOnRecord:
    channel: str  # notifications.MessageChannel: "sms" or "email"
    address: str


def store_contact_on_record(*, id_number: str) -> ContactOnRecord | None:
    """Where the one-time code for a person's document store goes: the phone (by text message),
    else the e-mail, of the newest dossier the desk has taken whose documents are kept for that
    personal identification number. Never a contact the citizen types now: an online dossier
    not yet accepted by the desk counts for nothing, so someone who files with another's number
    and their own phone does not receive that person's codes."""
    from motcua.digitization.models import HeldDocument
    from motcua.notifications.models import MessageChannel
    from motcua.notifications.rendering import phone_international
    from motcua.notifications.selectors import notification_channels_enabled

    number = (id_number or "").strip().upper().replace(" ", "")
    if not number:
        return None
    enabled = notification_channels_enabled()
    sources = HeldDocument.objects.filter(
        owner_id_number=number, source_document__isnull=False
    ).values("source_document__dossier_id")
    dossiers = (
        Dossier.objects.filter(pk__in=sources, applicant_id_number=number)
        .exclude(received_at__isnull=True)
        .order_by("-received_at", "-pk")
        .only("applicant_phone", "applicant_email")
    )
    for dossier in dossiers[:20]:
        if (
            MessageChannel.SMS in enabled
            and dossier.applicant_phone
            and phone_international(dossier.applicant_phone)
        ):
            return ContactOnRecord(MessageChannel.SMS, dossier.applicant_phone)
        if MessageChannel.EMAIL in enabled and dossier.applicant_email:
            return ContactOnRecord(MessageChannel.EMAIL, dossier.applicant_email)
    return None


def store_offers_newest(*, offered: dict[int, list]) -> dict[int, object]:
    """One held document per component (the newest kept), from digitization.store's offer: the
    filing page shows one box per component."""
    return {component_id: items[0] for component_id, items in offered.items() if items}
