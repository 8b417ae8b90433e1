"""Security headers on every page, strong password rules in Vietnamese, and `motcua check --deploy`
clean with production settings (secrets from the environment) and loud without them."""

import os
import subprocess
import sys

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError


def test_pages_carry_the_security_headers(client, db):
    response = client.get("/cong-dich-vu/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response  # plain HTTP here


def test_hsts_over_https_behind_the_proxy(client, db, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/cong-dich-vu/", HTTP_X_FORWARDED_PROTO="https")
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("ngan1A!", "quá ngắn"),
        ("123456789012345", "hoàn toàn là số"),
        ("matkhaurattdai", "ít nhất 3 trong 4 loại ký tự"),
    ],
)
def test_weak_passwords_are_refused_in_vietnamese(password, expected):
    with pytest.raises(ValidationError) as error:
        validate_password(password)
    assert any(expected in message for message in error.value.messages), error.value.messages


def test_a_strong_password_passes():
    validate_password("Một-Cửa-Hải-Dương-2026")


def _check_deploy(env: dict) -> subprocess.CompletedProcess:
    # The e2e tests' DJANGO_ALLOW_ASYNC_UNSAFE is no part of a deployment's environment.
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MOTCUA_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(
        [sys.executable, "-m", "motcua.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    production = {
        "MOTCUA_VAR_DIR": str(tmp_path),
        "MOTCUA_SECRET_KEY": "k7Q-" + "x9Zp!Lm2" * 8,
        "MOTCUA_HTTPS": "true",
        "MOTCUA_ALLOWED_HOSTS": "dichvucong.haiduong.gov.vn",
        "MOTCUA_AUDIT_KEY": "khoa-kiem-toan-dai-va-ngau-nhien",
        "MOTCUA_PAYMENT_GATEWAY_SECRET": "bi-mat-cong-thanh-toan",
        "MOTCUA_PAYMENT_NATIONAL_SECRET": "bi-mat-thanh-toan-quoc-gia",
    }
    result = _check_deploy(production)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    demo = _check_deploy({"MOTCUA_VAR_DIR": str(tmp_path)})
    assert demo.returncode != 0
    assert "motcua.E001" in demo.stderr and "security.W004" in demo.stderr
