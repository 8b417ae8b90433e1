"""Two-factor login (TOTP, RFC 6238) for administrators and leaders: after the password, a 6-digit
code from an authenticator app (no external service; pyotp computes and checks the codes).

Who must use it is stated once, here (`two_factor_required`): superusers, staff of Django's admin,
and whoever holds the administrator or leader role in any unit. A user who must and has no
confirmed authenticator enrols at the next login (QR code and secret, confirmed by a first code)
before any other page opens (`TwoFactorMiddleware`). MOTCUA_TWO_FACTOR=false turns it off (tests,
a demo on one's own machine)."""

import time

import pyotp
import segno
from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.utils import timezone

from motcua.core.models import TwoFactorDevice
from motcua.units.models import Membership, Role

SESSION_PASSED = "motcua_two_factor_passed"
SESSION_PENDING = "motcua_two_factor_pending"  # user id whose password was right
ISSUER = "Một Cửa"


def two_factor_required(user) -> bool:
    if not getattr(settings, "MOTCUA_TWO_FACTOR", True):
        return False
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    return Membership.objects.filter(
        user=user, active=True, role__in=[Role.ADMINISTRATOR, Role.LEADER]
    ).exists()


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
