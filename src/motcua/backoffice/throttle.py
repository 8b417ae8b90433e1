"""Login throttling: after too many failures for one username or one client address, refuse
further attempts for a while.

Counters live in Django's cache, shared by every gunicorn worker: a table of the project's database
by default, Redis with MOTCUA_CACHE_URL (docs/configuration.md). The database cache's increment is
not atomic, so two workers failing at the same instant may count once; Redis counts exactly. The window is fixed from the first failure, which is simpler than a
sliding one and just as effective against guessing."""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger("motcua.security")


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_failures(subject: str = "u:") -> int:
    """Failures allowed per username, or per address (0 turns the address limit off)."""
    if subject.startswith("ip:"):
        return _setting("MOTCUA_LOGIN_IP_MAX_FAILURES", 5)
    return _setting("MOTCUA_LOGIN_MAX_FAILURES", 5)


def window_seconds() -> int:
    return _setting("MOTCUA_LOGIN_WINDOW_SECONDS", 15 * 60)


def lockout_seconds() -> int:
    return _setting("MOTCUA_LOGIN_LOCKOUT_SECONDS", 15 * 60)


def _subjects(*, username: str, ip: str) -> list[str]:
    # Hashed so cache keys stay short and safe whatever the user typed.
    subjects = []
    if username:
        digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
        subjects.append(f"u:{digest}")
    if ip and max_failures("ip:") > 0:
        subjects.append(f"ip:{ip}")
    return subjects


def login_is_blocked(*, username: str, ip: str) -> bool:
    keys = [f"motcua:login-block:{s}" for s in _subjects(username=username, ip=ip)]
    return bool(keys) and bool(cache.get_many(keys))


def login_failure_record(*, username: str, ip: str) -> None:
    for subject in _subjects(username=username, ip=ip):
        key = f"motcua:login-fail:{subject}"
        cache.add(key, 0, timeout=window_seconds())
        try:
            failures = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window_seconds())
            failures = 1
        if failures >= max_failures(subject):
            cache.set(f"motcua:login-block:{subject}", True, timeout=lockout_seconds())
            cache.delete(key)
            # The subject is a hash or an address: never the password, never what else was typed.
            logger.warning("login locked subject=%s failures=%d", subject, failures)


def login_success_reset(*, username: str) -> None:
    """A correct password clears the username's failures (not the address's: one valid account
    must not let a guesser go on from the same address)."""
    for subject in _subjects(username=username, ip=""):
        cache.delete(f"motcua:login-fail:{subject}")


def client_ip(request) -> str:
    """The socket peer. Behind a reverse proxy every client shares the proxy's address, so a
    deployment behind one should raise MOTCUA_LOGIN_IP_MAX_FAILURES (or set it to 0) and rely on
    the username limit."""
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""
