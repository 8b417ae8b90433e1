"""Who may see a dossier on the portal, and how often one may guess.

A successful lookup puts the dossier's id in the session with an expiry; the dossier page checks
it. The phone or ID digits never travel in a URL. Failed lookups are counted per client address
and per dossier code (fixed window), in the database so that every worker adds to the same count
(core.throttle): the per-code count stops a guesser spread over many addresses from walking through
the 10 000 possible ID tails."""

import hashlib
import logging
import time

from django.conf import settings

from motcua.core.throttle import failure_count_add, failure_counts
from motcua.dossiers.models import Dossier

logger = logging.getLogger("motcua.security")

GRANTS_KEY = "portal:dossier-grants"
MAX_GRANTS = 5  # a person tracks a handful of dossiers at once; older grants drop off


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def grant_seconds() -> int:
    return _setting("MOTCUA_PORTAL_GRANT_SECONDS", 30 * 60)


def dossier_grant(*, request, dossier: Dossier) -> None:
    grants = {k: v for k, v in request.session.get(GRANTS_KEY, {}).items() if v > time.time()}
    if not grants:
        # Access is being raised: a new session key, so a planted cookie gains nothing.
        request.session.cycle_key()
    grants[str(dossier.pk)] = time.time() + grant_seconds()
    newest = sorted(grants.items(), key=lambda item: item[1])[-MAX_GRANTS:]
    request.session[GRANTS_KEY] = dict(newest)


def dossier_granted(*, request, dossier: Dossier) -> bool:
    expires = request.session.get(GRANTS_KEY, {}).get(str(dossier.pk))
    return expires is not None and expires > time.time()


# --- throttle ------------------------------------------------------------------------------------


def max_failures() -> int:
    return _setting("MOTCUA_PORTAL_LOOKUP_MAX_FAILURES", 10)


def window_seconds() -> int:
    return _setting("MOTCUA_PORTAL_LOOKUP_WINDOW_SECONDS", 15 * 60)


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _keys(*, ip: str, code: str) -> list[str]:
    keys = [f"portal-lookup:ip:{ip}"] if ip else []
    code = (code or "").strip().upper()
    if code:
        digest = hashlib.sha256(code.encode()).hexdigest()[:32]
        keys.append(f"portal-lookup:code:{digest}")
    return keys


def lookup_blocked(*, ip: str, code: str) -> bool:
    counts = failure_counts(keys=_keys(ip=ip, code=code))
    return any(count >= max_failures() for count in counts.values())


def lookup_failure_record(*, ip: str, code: str) -> None:
    for key in _keys(ip=ip, code=code):
        failures = failure_count_add(key=key, window_seconds=window_seconds())
        if failures == max_failures():
            logger.warning("portal lookup throttled key=%s", key)


# --- the citizen's document store: who proved a number, how often one may try --------------------
#
# The filing page shows the documents held for a personal identification number only to a
# session that entered the one-time code sent to the contact on record for that number
# (portal.services.store_code_send / store_code_verify). Sends and wrong codes are counted per
# client address and per number (core.throttle), like the lookup's failures: the per-number count
# stops a guesser spread over many addresses and keeps anyone from flooding a person's phone.

STORE_PENDING_KEY = "portal:store-code"
STORE_VERIFIED_KEY = "portal:store-verified"


def store_code_seconds() -> int:
    return _setting("MOTCUA_PORTAL_STORE_CODE_SECONDS", 10 * 60)


def store_code_attempts() -> int:
    return _setting("MOTCUA_PORTAL_STORE_CODE_ATTEMPTS", 5)


def store_window_seconds() -> int:
    return _setting("MOTCUA_PORTAL_STORE_WINDOW_SECONDS", 15 * 60)


def store_max_sends() -> int:
    """Codes sent for one number (and from one client address) in a window."""
    return _setting("MOTCUA_PORTAL_STORE_MAX_SENDS", 3)


def store_max_failures() -> int:
    """Wrong codes for one number (and from one client address) in a window."""
    return _setting("MOTCUA_PORTAL_STORE_MAX_FAILURES", 10)


def store_verified_seconds() -> int:
    return grant_seconds()


def _number_digest(number: str) -> str:
    return hashlib.sha256(number.encode()).hexdigest()[:32]


def _store_keys(*, kind: str, ip: str, number: str) -> list[str]:
    keys = [f"portal-store-{kind}:ip:{ip}"] if ip else []
    if number:
        keys.append(f"portal-store-{kind}:num:{_number_digest(number)}")
    return keys


def store_send_blocked(*, ip: str, number: str) -> bool:
    """Too many codes sent, or too many wrong codes entered, for this client or this number."""
    sends = failure_counts(keys=_store_keys(kind="send", ip=ip, number=number))
    failures = failure_counts(keys=_store_keys(kind="fail", ip=ip, number=number))
    return any(c >= store_max_sends() for c in sends.values()) or any(
        c >= store_max_failures() for c in failures.values()
    )


def store_verify_blocked(*, ip: str, number: str) -> bool:
    failures = failure_counts(keys=_store_keys(kind="fail", ip=ip, number=number))
    return any(c >= store_max_failures() for c in failures.values())


def store_send_record(*, ip: str, number: str) -> None:
    for key in _store_keys(kind="send", ip=ip, number=number):
        if failure_count_add(key=key, window_seconds=store_window_seconds()) == store_max_sends():
            logger.warning("portal store code sends throttled key=%s", key)


def store_failure_record(*, ip: str, number: str) -> None:
    for key in _store_keys(kind="fail", ip=ip, number=number):
        failures = failure_count_add(key=key, window_seconds=store_window_seconds())
        if failures == store_max_failures():
            logger.warning("portal store code throttled key=%s", key)


def store_code_pending_set(*, request, code_id: int, number: str) -> None:
    request.session[STORE_PENDING_KEY] = {"id": code_id, "number": number}


def store_code_pending(*, request) -> dict | None:
    """{"id", "number"} of the code this session asked for, if any."""
    pending = request.session.get(STORE_PENDING_KEY)
    if isinstance(pending, dict) and isinstance(pending.get("id"), int):
        return pending
    return None


def store_verified_grant(*, request, number: str) -> None:
    """The session proved it reads the contact on record for `number`: a new session key (a
    planted cookie gains nothing) and, for a while, the store's offers on the filing page."""
    request.session.pop(STORE_PENDING_KEY, None)
    request.session.cycle_key()
    request.session[STORE_VERIFIED_KEY] = {
        "number": number,
        "until": time.time() + store_verified_seconds(),
    }


def store_verified_number(*, request) -> str | None:
    """The personal identification number this session verified with a one-time code, while the
    verification lasts; None otherwise."""
    verified = request.session.get(STORE_VERIFIED_KEY)
    if not isinstance(verified, dict) or verified.get("until", 0) <= time.time():
        return None
    number = verified.get("number")
    return number if isinstance(number, str) and number else None


def store_forget(*, request) -> None:
    request.session.pop(STORE_PENDING_KEY, None)
    request.session.pop(STORE_VERIFIED_KEY, None)
