"""Units with real certificates (self-signed, made for each test), a real result PDF rendered by
WeasyPrint with Vietnamese text and the visible signature block, and a certificate authority for
the CA-bundle case."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    pkcs12,
)
from cryptography.x509.oid import NameOID
from django.template.loader import render_to_string
from weasyprint import HTML

from motcua.digitization.services import signing_certificate_self_signed_create

PASSPHRASE_ENV = "MOTCUA_TEST_SIGNING_PASSPHRASE_298"
PASSPHRASE = "mật-khẩu-khóa-ký"

RESULT_HTML = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<style>body {{ font-family: "Liberation Serif", "Noto Serif", serif; font-size: 13pt; }}</style>
</head><body>
<p style="text-align:center"><strong>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</strong><br>
Độc lập - Tự do - Hạnh phúc</p>
<h1 style="text-align:center; font-size: 15pt">GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN</h1>
<p>Ông/bà: Nguyễn Thị Hoa, sinh ngày 12/03/1990, cư trú tại xã Tiên Động, huyện Tứ Kỳ.</p>
<p>Tình trạng hôn nhân: chưa đăng ký kết hôn với ai.</p>
{block}
</body></html>"""


def render_result_pdf(*, signature: dict | None = None) -> bytes:
    block = (
        render_to_string("digitization/_signature_block.html", {"signature": signature})
        if signature
        else ""
    )
    return HTML(string=RESULT_HTML.format(block=block)).write_pdf()


@pytest.fixture(scope="session")
def plain_pdf() -> bytes:
    return render_result_pdf()


def write_config(path: Path, document: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def signing(settings, tmp_path, monkeypatch):
    """Two units: the district (RSA, PKCS#12 under a passphrase from the environment, the default)
    and a commune (ECDSA); the configuration file is the one settings point to."""
    folder = tmp_path / "signing"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "298.p12").write_bytes(
        signing_certificate_self_signed_create(
            unit_code="298",
            unit_name="UBND huyện Tứ Kỳ",
            passphrase=PASSPHRASE.encode(),
            rsa_key=True,
        )
    )
    (folder / "11143.p12").write_bytes(
        signing_certificate_self_signed_create(
            unit_code="11143", unit_name="UBND xã Tiên Động", passphrase=b"xa-tien-dong"
        )
    )
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    monkeypatch.setenv("MOTCUA_TEST_SIGNING_PASSPHRASE_11143", "xa-tien-dong")
    document = {
        "default_unit": "298",
        "units": {
            "298": {"pkcs12": "298.p12", "passphrase_env": PASSPHRASE_ENV},
            "11143": {
                "pkcs12": str(folder / "11143.p12"),
                "passphrase_env": "MOTCUA_TEST_SIGNING_PASSPHRASE_11143",
            },
        },
    }
    path = write_config(Path(settings.MOTCUA_SIGNING_CERTIFICATES), document)
    return SimpleNamespace(path=path, folder=folder, document=document)


def make_ca_and_leaf(*, unit_name: str, leaf_days: int = 365) -> tuple[x509.Certificate, bytes]:
    """A certificate authority and a unit certificate it issued (PKCS#12, no passphrase)."""
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA thử nghiệm Một Cửa")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, unit_name),
                    x509.NameAttribute(NameOID.COMMON_NAME, unit_name),
                ]
            )
        )
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=leaf_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    p12 = pkcs12.serialize_key_and_certificates(
        name=b"unit",
        key=key,
        cert=leaf,
        cas=[ca],
        encryption_algorithm=BestAvailableEncryption(b"x"),
    )
    return ca, p12


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(Encoding.PEM)
