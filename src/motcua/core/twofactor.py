"""Two-factor login (TOTP, RFC 6238) for administrators and leaders: after the password, a 6-digit
code from an authenticator app (no external service; pyotp computes and checks the codes).

Who must use it is stated once, here (`two_factor_required`): superusers, staff of Django's admin,
and whoever holds the administrator or leader role in any unit. A user who must and has no
confirmed authenticator enrols at the next login (QR code and secret, confirmed by a first code)
before any other page opens (`TwoFactorMiddleware`). MOTCUA_TWO_FACTOR=false turns it off (tests,
a demo on one's own machine).

Wrong codes are throttled like wrong passwords, on the login throttle's exact counters
(core.throttle, shared by every worker): MOTCUA_TWO_FACTOR_MAX_FAILURES (5) wrong codes for one
account from one client address, or MOTCUA_TWO_FACTOR_ACCOUNT_MAX_FAILURES (10) from anywhere,
within MOTCUA_TWO_FACTOR_WINDOW_SECONDS lock that counter for MOTCUA_TWO_FACTOR_LOCKOUT_SECONDS
(15 minutes each); while locked no code is even checked (`code_attempt` raises `CodeThrottled`,
carrying the seconds to wait). Without it a stolen password left a million codes to try at the
speed of the server."""

import hashlib
import logging
import time

import pyotp
import segno
from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.utils import timezone

from motcua.core.errors import DomainError
from motcua.core.models import TwoFactorDevice
from motcua.core.throttle import (
    failure_block,
    failure_blocked_seconds,
    failure_count_add,
    failure_count_clear,
)
from motcua.units.models import Role
from motcua.units.selectors import user_memberships

SESSION_PASSED = "motcua_two_factor_passed"
SESSION_PENDING = "motcua_two_factor_pending"  # user id whose password was right
ISSUER = "Một Cửa"

security = logging.getLogger("motcua.security")


def two_factor_required(user) -> bool:
    if not getattr(settings, "MOTCUA_TWO_FACTOR", True):
        return False
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    # The memberships every permission check of the request reads anyway (one query, kept).
    return any(m.role in (Role.ADMINISTRATOR, Role.LEADER) for m in user_memberships(user=user))


def device_confirmed(user) -> TwoFactorDevice | None:
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def device_enrolment(*, user) -> TwoFactorDevice:
    """The user's unconfirmed device (a new secret the first time)."""
    device, _ = TwoFactorDevice.objects.get_or_create(
        user=user, defaults={"secret": pyotp.random_base32()}
    )
    return device


def provisioning_qr_svg(device: TwoFactorDevice) -> str:
    uri = pyotp.TOTP(device.secret).provisioning_uri(
        name=device.user.get_username(), issuer_name=ISSUER
    )
    return segno.make(uri, error="m").svg_inline(scale=5)


def code_accept(*, device: TwoFactorDevice, code: str) -> bool:
    """Whether `code` is the device's code for now (or the step before or after: clocks drift) and
    newer than the last one accepted; accepting it records its step (locked: two requests with the
    same code, one wins)."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return False
    totp = pyotp.TOTP(device.secret)
    now = time.time()
    with transaction.atomic():
        locked = TwoFactorDevice.objects.select_for_update().get(pk=device.pk)
        for offset in (-1, 0, 1):
            at = now + offset * totp.interval
            step = int(at // totp.interval)
            if step > locked.last_step and totp.verify(code, for_time=at):
                locked.last_step = step
                if locked.confirmed_at is None:
                    locked.confirmed_at = timezone.now()
                locked.save(update_fields=["last_step", "confirmed_at"])
                return True
    return False


# --- wrong codes throttled -----------------------------------------------------------------------

LIMITS = {
    "ua": ("MOTCUA_TWO_FACTOR_MAX_FAILURES", 5),
    "u": ("MOTCUA_TWO_FACTOR_ACCOUNT_MAX_FAILURES", 10),
}


class CodeThrottled(DomainError):
    code = "two_factor_throttled"

    def __init__(self, *, retry_after: int):
        minutes = max(1, -(-retry_after // 60))
        super().__init__(
            f"Nhập sai mã xác thực quá nhiều lần. Vui lòng thử lại sau {minutes} phút.",
            details={"retry_after": retry_after},
        )
        self.retry_after = retry_after


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _keys(*, user, ip: str) -> list[tuple[str, int]]:
    """(counter key, its limit) for this account from this address and for the account."""
    account = hashlib.sha256(str(user.pk).encode()).hexdigest()[:16]
    address = hashlib.sha256(ip.encode()).hexdigest()[:16]
    keys = [
        (f"totp:ua:{account}@{address}", _setting(*LIMITS["ua"])),
        (f"totp:u:{account}", _setting(*LIMITS["u"])),
    ]
    return [(key, limit) for key, limit in keys if limit > 0]


def code_throttle_wait(*, user, ip: str) -> int:
    """Seconds the user must wait before a code is checked again from `ip` (0: none)."""
    keys = [key for key, _ in _keys(user=user, ip=ip)]
    return failure_blocked_seconds(keys=keys) if keys else 0


def code_attempt(*, device: TwoFactorDevice, code: str, ip: str) -> bool:
    """`code_accept` behind the throttle: refused unchecked (CodeThrottled) while a counter of the
    account is locked; a wrong code counts, a right one clears the account's counters."""
    wait = code_throttle_wait(user=device.user, ip=ip)
    if wait:
        raise CodeThrottled(retry_after=wait)
    keys = _keys(user=device.user, ip=ip)
    if code_accept(device=device, code=code):
        failure_count_clear(keys=[key for key, _ in keys])
        return True
    window = _setting("MOTCUA_TWO_FACTOR_WINDOW_SECONDS", 15 * 60)
    lockout = _setting("MOTCUA_TWO_FACTOR_LOCKOUT_SECONDS", 15 * 60)
    for key, limit in keys:
        failures = failure_count_add(key=key, window_seconds=window)
        if failures >= limit:
            failure_block(key=key, seconds=lockout)
            security.warning("two-factor locked subject=%s failures=%d", key, failures)
    return False


class TwoFactorMiddleware:
    """A user who must use two-factor and has not passed it this session sees only the enrolment
    page (and may log out)."""

    ALLOWED = ("/xac-thuc-hai-buoc/", "/dang-xuat/", "/static/", "/healthz", "/readyz", "/metrics")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.session.get(SESSION_PASSED)
            and not request.path.startswith(self.ALLOWED)
            and two_factor_required(user)
        ):
            return redirect("backoffice:two_factor_enrol")
        return self.get_response(request)
