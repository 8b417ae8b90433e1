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
