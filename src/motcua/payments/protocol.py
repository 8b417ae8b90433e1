"""The two wire protocols, as pure functions shared by our adapters and the stand-in gateway: how a
message is signed, checked and read. No database, no HTTP here.

Generic gateway (the province's own; contract in docs/payments.md): a JSON body signed with
`X-Payment-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>` and
`X-Payment-Timestamp` (Unix seconds), refused more than 300 s away from our clock.

National payment platform style: JSON messages with Vietnamese field names, each carrying
`MaXacThuc` = hex HMAC-SHA256(secret, canonical JSON of the other fields). Only `MaThamChieu`,
`MaXacThuc`, INIT, GET_BILL and the flow are known from a provincial integration; the rest of the
format is ours (docs/payments.md says which is which)."""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from motcua.core.errors import DomainError
from motcua.core.timeutil import LOCAL_TZ, parse_aware

MAX_SKEW_SECONDS = 300
STATUSES = ("paid", "failed", "pending")


class CallbackRefused(DomainError):
    """A provider message we do not act on. `verdict` (models.Verdict) and `http_status` are the
    answer; nothing was changed."""

    code = "callback_refused"

    def __init__(self, message: str, *, verdict: str, http_status: int, details=None):
        super().__init__(message, code=verdict, details=details)
        self.verdict = verdict
        self.http_status = http_status


@dataclass(frozen=True)
class ProviderReport:
    """One transaction as a provider reports it (callback, status query, statement line)."""

    order_id: str
    transaction_id: str
    amount: int
    currency: str
    status: str  # paid | failed | pending
    occurred_at: datetime


def _invalid(message: str) -> CallbackRefused:
    return CallbackRefused(message, verdict="invalid", http_status=400)


def money(value, *, what: str) -> int:
    """Integer đồng. A float, a string or a boolean is refused, never rounded."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(f"{what} phải là số nguyên đồng (không có phần thập phân).")
    if value <= 0:
        raise _invalid(f"{what} phải lớn hơn 0.")
    return value


def _text(body: dict, key: str, *, limit: int = 64) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise _invalid(f"Thiếu hoặc sai trường {key}.")
    return value.strip()


def _json_object(raw: bytes) -> dict:
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _invalid("Nội dung không phải JSON hợp lệ.") from None
    if not isinstance(body, dict):
        raise _invalid("Nội dung phải là một đối tượng JSON.")
    return body


# --- generic gateway -----------------------------------------------------------------------------


def generic_signature(*, secret: str, timestamp: int | str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def generic_headers(*, secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Payment-Timestamp": str(timestamp),
        "X-Payment-Signature": generic_signature(secret=secret, timestamp=timestamp, body=body),
    }


def generic_verify(
    *, secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float
):
    """Raise CallbackRefused (401) unless the signature is ours and the timestamp is fresh."""
    if not timestamp or not timestamp.strip().lstrip("-").isdigit():
        raise CallbackRefused(
            "Thiếu hoặc sai X-Payment-Timestamp.", verdict="bad_signature", http_status=401
        )
    expected = generic_signature(secret=secret, timestamp=timestamp.strip(), body=body)
    if not signature or not hmac.compare_digest(expected, signature.strip()):
        raise CallbackRefused("Chữ ký không đúng.", verdict="bad_signature", http_status=401)
    if abs(now - int(timestamp)) > MAX_SKEW_SECONDS:
        raise CallbackRefused(
            f"Thời điểm gửi lệch quá {MAX_SKEW_SECONDS} giây.",
            verdict="stale_timestamp",
            http_status=401,
        )


def generic_report(*, body: dict) -> ProviderReport:
    status = body.get("status")
    if status not in STATUSES:
        raise _invalid("Trường status phải là paid, failed hoặc pending.")
    occurred = body.get("occurred_at")
    try:
        occurred_at = parse_aware(occurred) if isinstance(occurred, str) else None
    except ValueError:
        occurred_at = None
    if occurred_at is None:
        raise _invalid("Trường occurred_at phải là thời điểm ISO 8601.")
    currency = body.get("currency")
    if not isinstance(currency, str):
        raise _invalid("Thiếu trường currency.")
    return ProviderReport(
        order_id=_text(body, "order_id"),
        transaction_id=_text(body, "transaction_id"),
        amount=money(body.get("amount"), what="amount"),
        currency=currency,
        status=status,
        occurred_at=occurred_at,
    )


def generic_callback_read(*, secret: str, headers, body: bytes, now: float) -> ProviderReport:
    generic_verify(
        secret=secret,
        timestamp=headers.get("X-Payment-Timestamp"),
        signature=headers.get("X-Payment-Signature"),
        body=body,
        now=now,
    )
    return generic_report(body=_json_object(body))


def generic_pay_query(*, secret: str, params: dict[str, str | int], timestamp: int) -> str:
    """The query string of the pay URL: the order's facts, signed so the gateway can trust the
    amount the citizen is asked for."""
    fields = {k: str(v) for k, v in sorted({**params, "timestamp": timestamp}.items())}
    canonical = urlencode(fields)
    signature = generic_signature(secret=secret, timestamp=timestamp, body=canonical.encode())
    return canonical + "&" + urlencode({"signature": signature})


def generic_pay_query_verify(*, secret: str, params: dict[str, str], now: float) -> None:
    fields = {k: v for k, v in sorted(params.items()) if k != "signature"}
    generic_verify(
        secret=secret,
        timestamp=fields.get("timestamp"),
        signature=params.get("signature"),
        body=urlencode(fields).encode(),
        now=now,
    )


# --- national payment platform style -------------------------------------------------------------

NATIONAL_STATUS = {"00": "paid", "01": "failed", "02": "pending"}
NATIONAL_STATUS_CODE = {v: k for k, v in NATIONAL_STATUS.items()}
# MaLoi of our answers to the platform's callbacks.
NATIONAL_ANSWER = {
    "recorded": "00",
    "duplicate": "00",
    "bad_signature": "07",
    "stale_timestamp": "07",
    "unknown_order": "02",
    "mismatch": "03",
    "invalid": "04",
    "unconfirmed": "05",
}


def compact_time(value: datetime) -> str:
    return value.astimezone(LOCAL_TZ).strftime("%Y%m%d%H%M%S")


def _canonical(message: dict) -> bytes:
    fields = {k: v for k, v in message.items() if k != "MaXacThuc"}
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def national_checksum(*, secret: str, message: dict) -> str:
    return hmac.new(secret.encode(), _canonical(message), hashlib.sha256).hexdigest()


def national_sign(*, secret: str, message: dict) -> dict:
    return {**message, "MaXacThuc": national_checksum(secret=secret, message=message)}


def national_verify(*, secret: str, message: dict, now: datetime | None = None) -> None:
    """Raise CallbackRefused (401) unless MaXacThuc matches; with `now`, also unless ThoiGianGui is
    within 300 s of it."""
    given = message.get("MaXacThuc")
    expected = national_checksum(secret=secret, message=message)
    if not isinstance(given, str) or not hmac.compare_digest(expected, given):
        raise CallbackRefused("MaXacThuc không đúng.", verdict="bad_signature", http_status=401)
    if now is not None:
        try:
            sent = parse_aware(str(message.get("ThoiGianGui", "")))
        except ValueError:
            raise CallbackRefused(
                "Thiếu hoặc sai ThoiGianGui.", verdict="bad_signature", http_status=401
            ) from None
        if abs((now - sent).total_seconds()) > MAX_SKEW_SECONDS:
            raise CallbackRefused(
                f"Thời điểm gửi lệch quá {MAX_SKEW_SECONDS} giây.",
                verdict="stale_timestamp",
                http_status=401,
            )


def national_message_read(*, raw: bytes) -> dict:
    return _json_object(raw)


def national_report(*, message: dict) -> ProviderReport:
    status = NATIONAL_STATUS.get(message.get("TrangThai"))
    if status is None:
        raise _invalid("TrangThai phải là 00, 01 hoặc 02.")
    try:
        occurred_at = parse_aware(str(message.get("ThoiGianGD", "")))
    except ValueError:
        raise _invalid("ThoiGianGD phải có dạng yyyyMMddHHmmss.") from None
    currency = message.get("MaTienTe")
    if not isinstance(currency, str):
        raise _invalid("Thiếu trường MaTienTe.")
    return ProviderReport(
        order_id=_text(message, "MaThamChieu"),
        transaction_id=_text(message, "MaGiaoDich"),
        amount=money(message.get("SoTien"), what="SoTien"),
        currency=currency,
        status=status,
        occurred_at=occurred_at,
    )
