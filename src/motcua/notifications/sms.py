"""Text messages (SMS, or Zalo with SMS as fallback) through an adapter chosen by settings.

- `LoggingSmsBackend` (`MOTCUA_SMS_BACKEND=log`, the default): writes the message to the
  `motcua.notifications.sms` log with the number masked; nothing leaves the machine.
- `HttpSmsBackend` (`MOTCUA_SMS_BACKEND=http`): our generic JSON-over-HTTPS gateway protocol,
  described in docs/notifications.md. A provider that speaks another protocol gets an adapter of
  its own (a class with `send`), named by its dotted path in `MOTCUA_SMS_BACKEND`.
"""

import json
import logging
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from motcua.notifications.rendering import phone_mask

logger = logging.getLogger("motcua.notifications.sms")

PROTOCOL_VERSION = "1"


@dataclass(frozen=True)
class TextMessage:
    to: str  # 84xxxxxxxxx
    text: str
    key: str  # unique per message: the gateway's idempotency key


class SendFailed(Exception):
    """The message was not accepted. `temporary` failures are tried again later."""

    def __init__(self, message: str, *, temporary: bool):
        super().__init__(message)
        self.temporary = temporary


class SmsBackend:
    def send(self, message: TextMessage) -> str:
        """Hand the message over; return the provider's id for it or raise SendFailed."""
        raise NotImplementedError


class LoggingSmsBackend(SmsBackend):
    def send(self, message: TextMessage) -> str:
        logger.info("SMS tới %s: %s", phone_mask(message.to), message.text)
        return f"log-{message.key}"


_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class HttpSmsBackend(SmsBackend):
    def __init__(
        self,
        *,
        url: str,
        api_key: str,
        sender: str = "",
        routes: tuple[str, ...] = ("sms",),
        timeout: float = 10.0,
        ascii_only: bool = False,
    ):
        parts = urlsplit(url)
        # The API key travels in a header: only over TLS, or to this machine (a stand-in).
        if not (
            parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK)
        ):
            raise ImproperlyConfigured(
                "MOTCUA_SMS_GATEWAY_URL phải là địa chỉ https:// (http:// chỉ cho 127.0.0.1)."
            )
        if not api_key:
            raise ImproperlyConfigured("Chưa đặt MOTCUA_SMS_GATEWAY_KEY cho cổng tin nhắn.")
        self.url = url
        self.api_key = api_key
        self.sender = sender
        self.routes = routes
        self.timeout = timeout
        self.ascii_only = ascii_only

    @classmethod
    def from_settings(cls) -> "HttpSmsBackend":
        return cls(
            url=settings.MOTCUA_SMS_GATEWAY_URL,
            api_key=settings.MOTCUA_SMS_GATEWAY_KEY,
            sender=settings.MOTCUA_SMS_SENDER,
            routes=tuple(settings.MOTCUA_SMS_ROUTES),
            timeout=settings.MOTCUA_SMS_TIMEOUT,
            ascii_only=settings.MOTCUA_SMS_ASCII,
        )

    def _text(self, text: str) -> str:
        if not self.ascii_only:
            return text
        return unaccent(text)

    def send(self, message: TextMessage) -> str:
        body = {
            "to": message.to,
            "text": self._text(message.text),
            "sender": self.sender,
            "routes": list(self.routes),
            "reference": message.key,
        }
        request = urllib.request.Request(
            self.url,
            data=json.dumps(body, ensure_ascii=False).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "X-Api-Key": self.api_key,
                "Idempotency-Key": message.key,
                "X-Protocol-Version": PROTOCOL_VERSION,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise _http_failure(exc) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SendFailed(f"Không kết nối được cổng tin nhắn: {reason}", temporary=True) from exc
        try:
            answer = json.loads(raw)
            provider_id = str(answer["id"])
        except (ValueError, KeyError, TypeError) as exc:
            # Accepted or not is unknown: try again; the idempotency key prevents a second SMS.
            raise SendFailed("Cổng tin nhắn trả lời không đúng giao thức.", temporary=True) from exc
        return provider_id


def unaccent(text: str) -> str:
    """Vietnamese without diacritics, case kept: an unaccented SMS segment holds 160 characters,
    an accented (UCS-2) one 70."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(
        ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn"
    )


def _http_failure(exc: urllib.error.HTTPError) -> SendFailed:
    try:
        error = json.loads(exc.read() or b"{}").get("error", {})
    except (ValueError, AttributeError):
        error = {}
    code = error.get("code", "") if isinstance(error, dict) else ""
    detail = f" ({code})" if code else ""
    temporary = exc.code in {408, 429} or exc.code >= 500
    return SendFailed(f"Cổng tin nhắn từ chối: HTTP {exc.code}{detail}", temporary=temporary)


def sms_backend() -> SmsBackend:
    name = settings.MOTCUA_SMS_BACKEND
    if name == "log":
        return LoggingSmsBackend()
    if name == "http":
        return HttpSmsBackend.from_settings()
    return import_string(name)()
