"""The national portal's dossier-sync protocol: three endpoints (add a dossier, update it, push its
processing trail `QuaTrinhXuLy` in chunks of 10 entries, each carrying `MaHoSo`), JSON bodies with
dates as `yyyyMMddHHmmss` (local time, UTC+7), answers carrying `error_code` (0 success; anything
else, e.g. 3 or −3, a refusal)."""

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime

from motcua.core.timeutil import LOCAL_TZ

PATHS = {"add": "/hoso/them", "update": "/hoso/capnhat", "trail": "/hoso/quatrinhxuly"}
TRAIL_CHUNK = 10
DATE_PREFIXES = ("Ngay", "ThoiDiem")


def compact_moment(value: str) -> str:
    """An ISO 8601 moment or date as the portal writes it: local yyyyMMddHHmmss (the payload's
    portal variant is compact already; this keeps any ISO value that slips through compact too)."""
    if len(value) == 14 and value.isdigit():
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(LOCAL_TZ)
    return moment.strftime("%Y%m%d%H%M%S")


def compact_dates(value):
    """The payload with every date field (`Ngay…`, `ThoiDiem…`) in the portal's compact form."""
    if isinstance(value, list):
        return [compact_dates(item) for item in value]
    if isinstance(value, dict):
        return {
            key: (
                compact_moment(item)
                if isinstance(item, str) and key.startswith(DATE_PREFIXES)
                else compact_dates(item)
            )
            for key, item in value.items()
        }
    return value


def trail_chunks(code: str, entries: list[dict]) -> list[list[dict]]:
    entries = [{"MaHoSo": code, **entry} for entry in entries]
    return [entries[i : i + TRAIL_CHUNK] for i in range(0, len(entries), TRAIL_CHUNK)]


@dataclass
class Answer:
    ok: bool
    http_status: int | None = None
    error_code: int | None = None
    message: str = ""
    duration_ms: int = 0


def send(*, base_url: str, operation: str, body: dict, token: str = "", timeout: float) -> Answer:
    """One POST; never raises: a timeout, a refused connection, an HTTP error, an unreadable answer
    and an `error_code` other than 0 are all an unsuccessful Answer (the caller retries)."""
    data = json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(
        base_url.rstrip("/") + PATHS[operation],
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"}
        | ({"Authorization": f"Bearer {token}"} if token else {}),
    )
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read(1_000_000)
    except urllib.error.HTTPError as error:
        return Answer(False, error.code, None, f"HTTP {error.code}", took())
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        return Answer(False, None, None, f"không kết nối được: {reason}"[:500], took())
    try:
        reply = json.loads(raw)
        code = int(reply.get("error_code"))
    except (ValueError, TypeError, AttributeError):
        return Answer(False, status, None, "trả lời không đọc được", took())
    message = str(reply.get("message") or reply.get("error_message") or "")[:500]
    return Answer(code == 0, status, code, message or f"error_code {code}", took())
