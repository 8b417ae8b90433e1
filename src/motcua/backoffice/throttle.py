"""Login throttling, on three counters so that one person's mistakes never lock out a whole
office behind one router:

- per account and address (`ua:`): MOTCUA_LOGIN_MAX_FAILURES (5) failures for one username from one
  client address lock that username from that address;
- per account (`u:`), whatever the address: MOTCUA_LOGIN_ACCOUNT_MAX_FAILURES (10) lock the username
  from everywhere — a guesser spread over many addresses gets that many tries per window, no more;
- per address (`ip:`), over all usernames: MOTCUA_LOGIN_IP_MAX_FAILURES (50) lock the address — a
  flood across many accounts from one place; colleagues' ordinary mistakes stay far below it.

Failures and locks are counted in the project's database (core.throttle), exactly, whichever
gunicorn worker takes the attempt. The window is fixed from the first failure, which is simpler
than a sliding one and just as effective against guessing."""

import hashlib
import logging

from django.conf import settings

from motcua.core.throttle import (
    failure_block,
    failure_blocked,
    failure_count_add,
    failure_count_clear,
)

logger = logging.getLogger("motcua.security")

LIMITS = {
    "ua": ("MOTCUA_LOGIN_MAX_FAILURES", 5),
    "u": ("MOTCUA_LOGIN_ACCOUNT_MAX_FAILURES", 10),
    "ip": ("MOTCUA_LOGIN_IP_MAX_FAILURES", 50),
}


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_failures(subject: str = "ua:") -> int:
    """Failures allowed for a subject of that kind (`ua:`, `u:` or `ip:`); 0 turns that limit off."""
    return _setting(*LIMITS[subject.split(":", 1)[0]])


def window_seconds() -> int:
    return _setting("MOTCUA_LOGIN_WINDOW_SECONDS", 15 * 60)


def lockout_seconds() -> int:
    return _setting("MOTCUA_LOGIN_LOCKOUT_SECONDS", 15 * 60)


def _subjects(*, username: str, ip: str) -> list[str]:
    # Usernames hashed so keys stay short and safe whatever the user typed.
    subjects = []
    if username:
        digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
        subjects += [f"ua:{digest}@{ip}", f"u:{digest}"]
    if ip:
        subjects.append(f"ip:{ip}")
    return [s for s in subjects if max_failures(s) > 0]


def _key(subject: str) -> str:
    return f"login:{subject}"


def login_is_blocked(*, username: str, ip: str) -> bool:
    keys = [_key(s) for s in _subjects(username=username, ip=ip)]
    return bool(keys) and failure_blocked(keys=keys)


def login_failure_record(*, username: str, ip: str) -> None:
    for subject in _subjects(username=username, ip=ip):
        failures = failure_count_add(key=_key(subject), window_seconds=window_seconds())
        if failures >= max_failures(subject):
            failure_block(key=_key(subject), seconds=lockout_seconds())
            # The subject is a hash or an address: never the password, never what else was typed.
            logger.warning("login locked subject=%s failures=%d", subject, failures)


def login_success_reset(*, username: str, ip: str) -> None:
    """A correct password clears the username's failures, from this address and overall (not the
    address's: one valid account must not let a guesser go on from the same address)."""
    failure_count_clear(
        keys=[_key(s) for s in _subjects(username=username, ip=ip) if not s.startswith("ip:")]
    )


def client_ip(request) -> str:
    """The socket peer. Behind a reverse proxy every client shares the proxy's address, so a
    deployment behind one should raise MOTCUA_LOGIN_IP_MAX_FAILURES (or set it to 0), and the
    per-account-and-address limit then acts as the per-account one."""
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""
