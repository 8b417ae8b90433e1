"""Security headers Django 5.2 does not set itself, strong passwords, and the deployment checks that
`motcua check --deploy` adds to Django's own.

Content-Security-Policy: the pages load scripts, styles, images and fonts from this site only and
run no inline script (the templates have none; Swagger UI's settings are a JSON block), so an
injected `<script>` does not run. Inline styles are allowed: the printed forms use style
attributes. No `form-action`: the portal hands the citizen to the payment provider's page by a
redirect after a form post, which that directive would block in Chromium."""

import os
import string

from django.conf import settings
from django.contrib.auth import password_validation
from django.core import checks
from django.core.exceptions import ValidationError

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "geolocation=(), microphone=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    """Adds CSP and Permissions-Policy to every response that has none (Django's
    SecurityMiddleware sets HSTS, nosniff, Referrer-Policy and COOP; XFrameOptionsMiddleware the
    frame options)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with its message in Vietnamese (Django's own Vietnamese catalogue lacks it)."""

    def get_error_message(self):
        return f"Mật khẩu quá ngắn: cần ít nhất {self.min_length} ký tự."

    def get_help_text(self):
        return f"Mật khẩu phải có ít nhất {self.min_length} ký tự."


class CharacterClassesValidator:
    """A password mixes at least three of: lower-case letters, upper-case letters, digits, other
    characters (Vietnamese letters with diacritics count as letters)."""

    def __init__(self, classes: int = 3):
        self.classes = classes

    def validate(self, password, user=None):
        found = sum(
            [
                any(c.islower() for c in password),
                any(c.isupper() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() or c in string.punctuation for c in password),
            ]
        )
        if found < self.classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return (
            f"Mật khẩu phải có ít nhất {self.classes} trong 4 loại ký tự: chữ thường, chữ hoa, "
            "chữ số, ký tự đặc biệt."
        )


# Values in settings.py that only suit the demo and this machine's stand-ins.
_DEMO_SECRETS = {
    "MOTCUA_SECRET_KEY": "SECRET_KEY",
    "MOTCUA_PAYMENT_GATEWAY_SECRET": "MOTCUA_PAYMENT_GATEWAY_SECRET",
    "MOTCUA_PAYMENT_NATIONAL_SECRET": "MOTCUA_PAYMENT_NATIONAL_SECRET",
}


@checks.register(checks.Tags.security, deploy=True)
def secrets_from_environment(app_configs=None, **kwargs):
    """Every secret comes from the environment in production, none from the code's defaults."""
    errors = []
    for variable, setting in _DEMO_SECRETS.items():
        if not os.environ.get(variable):
            errors.append(
                checks.Error(
                    f"{setting} đang dùng giá trị mẫu trong mã nguồn.",
                    hint=f"Đặt biến môi trường {variable} (một giá trị ngẫu nhiên dài).",
                    id="motcua.E001",
                )
            )
    if not settings.MOTCUA_AUDIT_KEY:
        errors.append(
            checks.Warning(
                "Chưa đặt khóa ký mốc kiểm toán nhật ký: không làm được `motcua audit checkpoint`.",
                hint="Đặt MOTCUA_AUDIT_KEY (giữ ngoài máy chủ CSDL), docs/operations.md.",
                id="motcua.W002",
            )
        )
    return errors
