"""Signing and verifying real result PDFs with real certificates (pyHanko, PAdES), read back by an
independent verifier (poppler's pdfsig) where the machine has it."""

import shutil
import subprocess
from datetime import timedelta
from io import BytesIO

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from motcua.core import timeutil
from motcua.digitization.certificates import (
    SigningConfigInvalid,
    SigningKeyUnavailable,
    SigningNotConfigured,
    SigningUnitRequired,
    SigningUnitUnknown,
    signing_config_get,
    signing_config_parse,
)
from motcua.digitization.selectors import signature_block_context
from motcua.digitization.services import (
    INFO_DOSSIER,
    ResultPdfInvalid,
    ResultSigningFailed,
    result_pdf_sign,
    result_pdf_verify,
    signing_certificate_self_signed_create,
)
from tests.digitization.conftest import (
    PASSPHRASE_ENV,
    make_ca_and_leaf,
    pem,
    render_result_pdf,
    write_config,
)

CODE = "000.00.30.H23-241001-0001"


def _pdftotext(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "result.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _signed_range_offset(pdf: bytes) -> int:
    """An offset inside the signed bytes and inside the page's content stream, not the signature."""
    start = pdf.index(b"stream\n", pdf.index(b"/Length")) + len(b"stream\n")
    assert start < pdf.index(b"/ByteRange")
    return start + 10


def test_sign_then_verify(signing, plain_pdf):
    before = timeutil.now()
    signed = result_pdf_sign(pdf=plain_pdf, unit_code="298", dossier_code=CODE)
    assert signed.startswith(plain_pdf)  # an incremental update: the original bytes untouched
    verification = result_pdf_verify(pdf=signed)
    assert verification.valid, verification
    assert verification.code == "valid"
    assert verification.unit_code == "298"
    assert verification.unit_name == "UBND huyện Tứ Kỳ"
    assert verification.signer == "UBND huyện Tứ Kỳ (thử nghiệm)"
    assert verification.dossier_code == CODE
    assert verification.signatures == 1
    assert verification.demo is False
    assert before - timedelta(seconds=5) <= verification.signed_at <= timeutil.now()
    assert verification.signed_at.utcoffset() == timedelta(hours=7)


def test_signer_name_and_default_unit(signing, plain_pdf):
    signed = result_pdf_sign(pdf=plain_pdf, unit_code=None, signer_name="Trần Văn Bình")
    verification = result_pdf_verify(pdf=signed)
    assert verification.valid
    assert verification.signer == "Trần Văn Bình"
    assert verification.unit_code == "298"  # the configured default
    assert verification.dossier_code is None


@pytest.mark.skipif(not shutil.which("pdfsig"), reason="needs poppler-utils (pdfsig)")
def test_independent_verifier_accepts_the_signature(signing, plain_pdf, tmp_path):
    path = tmp_path / "signed.pdf"
    path.write_bytes(result_pdf_sign(pdf=plain_pdf, unit_code="11143", dossier_code=CODE))
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature is Valid" in out
    assert "ETSI.CAdES.detached" in out  # PAdES, not the legacy adbe.pkcs7 sub-filter
    assert "Total document signed" in out
    assert "SHA-256" in out
    assert "UBND xã Tiên Động" in out


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (pdftotext)")
def test_visible_block_is_real_vietnamese_text(signing, tmp_path):
    block = signature_block_context(unit_code="11143", signer_name="Lê Thị Mai")
    assert block["demo"] is False
    pdf = result_pdf_sign(pdf=render_result_pdf(signature=block), unit_code="11143")
    assert result_pdf_verify(pdf=pdf).valid
    text = _pdftotext(pdf, tmp_path)
    assert "ĐÃ KÝ SỐ" in text  # upper-cased by the block's CSS
    assert "Người ký: Lê Thị Mai" in text
    assert "Đơn vị: UBND xã Tiên Động" in text
    assert "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN" in text
    assert "thử nghiệm tự ký" not in text


def test_one_changed_byte_is_rejected(signing, plain_pdf):
    signed = result_pdf_sign(pdf=plain_pdf, unit_code="298", dossier_code=CODE)
    tampered = bytearray(signed)
    tampered[_signed_range_offset(signed)] ^= 0x01
    verification = result_pdf_verify(pdf=bytes(tampered))
    assert not verification.valid
    assert verification.code == "modified"
    assert "thay đổi sau khi ký" in verification.message
    assert verification.dossier_code is None  # an unproven file's claims are not repeated


def test_changed_signature_bytes_are_rejected(signing, plain_pdf):
    signed = result_pdf_sign(pdf=plain_pdf, unit_code="298")
    contents = signed.index(b"/Contents <") + len(b"/Contents <")
    for offset in (contents + 2, contents + 200):
        tampered = bytearray(signed)
        tampered[offset] = ord("0") if tampered[offset] != ord("0") else ord("1")
        verification = result_pdf_verify(pdf=bytes(tampered))
        assert not verification.valid
        assert verification.code in {"signature_broken", "modified"}


def test_update_appended_after_signing_is_rejected(signing, plain_pdf):
    """Someone re-labels a genuine result with another dossier code in a later revision."""
    signed = result_pdf_sign(pdf=plain_pdf, unit_code="298", dossier_code=CODE)
    writer = IncrementalPdfFileWriter(BytesIO(signed))
    info = writer.trailer["/Info"].get_object()
    forged = generic.DictionaryObject(dict(info.items()))
    forged[generic.NameObject(INFO_DOSSIER)] = generic.TextStringObject("GIA-MAO-0001")
    writer.set_info(forged)
    out = BytesIO()
    writer.write(out)
    verification = result_pdf_verify(pdf=out.getvalue())
    assert verification.code == "modified_after_signing"
    assert verification.dossier_code is None


def test_other_certificate_is_reported_as_untrusted(signing, plain_pdf, tmp_path):
    """An impostor certificate naming the same unit signs correctly, but it is not the unit's."""
    impostor_dir = tmp_path / "impostor"
    impostor_dir.mkdir()
    (impostor_dir / "298.p12").write_bytes(
        signing_certificate_self_signed_create(unit_code="298", unit_name="UBND huyện Tứ Kỳ")
    )
    impostor = signing_config_parse(
        text='{"demo": true, "units": {"298": {"pkcs12": "298.p12"}}}', base=impostor_dir
    )
    signed = result_pdf_sign(pdf=plain_pdf, unit_code="298", dossier_code=CODE, config=impostor)
    verification = result_pdf_verify(pdf=signed)
    assert not verification.valid
    assert verification.code == "untrusted"
    assert "không thuộc các đơn vị được tin cậy" in verification.message
    assert verification.unit_name == "UBND huyện Tứ Kỳ"  # what the certificate claims…
    assert verification.unit_code is None  # …but it is no configured unit's certificate
    genuine = result_pdf_verify(pdf=result_pdf_sign(pdf=plain_pdf, unit_code="298"))
    assert genuine.certificate_fingerprint != verification.certificate_fingerprint
    # Trusted by the configuration that holds it.
    assert result_pdf_verify(pdf=signed, config=impostor).valid


def test_without_configuration_nothing_is_trusted(settings, plain_pdf, tmp_path, signing):
    signed = result_pdf_sign(pdf=plain_pdf, unit_code="298")
    settings.MOTCUA_SIGNING_CERTIFICATES = tmp_path / "absent.json"
    assert result_pdf_verify(pdf=signed).code == "untrusted"
    with pytest.raises(SigningNotConfigured):
        result_pdf_sign(pdf=plain_pdf, unit_code="298")


def test_unsigned_and_garbage(signing, plain_pdf):
    assert result_pdf_verify(pdf=plain_pdf).code == "unsigned"
    assert result_pdf_verify(pdf=b"").code == "not_pdf"
    assert result_pdf_verify(pdf=b"PK\x03\x04 a zip file").code == "not_pdf"
    assert result_pdf_verify(pdf=b"%PDF-1.7\n garbage \x00\xff" * 50).code == "broken"
    for verdict in (
        result_pdf_verify(pdf=plain_pdf),
        result_pdf_verify(pdf=b"%PDF-1.4 x"),
    ):
        assert not verdict.valid
        assert verdict.message  # always a Vietnamese reason
    with pytest.raises(ResultPdfInvalid):
        result_pdf_sign(pdf=b"not a pdf", unit_code="298")
    with pytest.raises(ResultPdfInvalid):
        result_pdf_sign(pdf=b"%PDF-1.7\n garbage", unit_code="298")


def test_a_second_unit_countersigns(signing, plain_pdf):
    first = result_pdf_sign(pdf=plain_pdf, unit_code="11143", dossier_code=CODE)
    both = result_pdf_sign(pdf=first, unit_code="298")
    verification = result_pdf_verify(pdf=both)
    assert verification.valid, verification
    assert verification.signatures == 2
    assert verification.unit_code == "298"  # the last signer
    assert verification.dossier_code == CODE  # kept from the first revision


def test_trust_through_the_ca_bundle(signing, plain_pdf, tmp_path, monkeypatch):
    ca, p12 = make_ca_and_leaf(unit_name="Sở Tư pháp tỉnh Hải Dương")
    folder = tmp_path / "ca"
    folder.mkdir()
    (folder / "stp.p12").write_bytes(p12)
    (folder / "ca.pem").write_bytes(pem(ca))
    signer_config = signing_config_parse(
        text='{"demo": true, "units": {"30-STP": {"pkcs12": "stp.p12", "passphrase_env": "P"}}}',
        base=folder,
    )
    monkeypatch.setenv("P", "x")
    signed = result_pdf_sign(pdf=plain_pdf, unit_code="30-STP", config=signer_config)
    assert result_pdf_verify(pdf=signed).code == "untrusted"
    document = {**signing.document, "ca_bundle": str(folder / "ca.pem")}
    write_config(signing.path, document)
    verification = result_pdf_verify(pdf=signed)
    assert verification.valid, verification
    assert verification.unit_name == "Sở Tư pháp tỉnh Hải Dương"
    assert verification.unit_code is None  # vouched for by the CA, not a configured unit


def test_previous_certificate_stays_trusted_after_renewal(signing, plain_pdf):
    old_signed = result_pdf_sign(pdf=plain_pdf, unit_code="11143")
    _key, old_cert, _ = signing_config_get().unit("11143").key_and_certificate()
    (signing.folder / "11143-old.pem").write_bytes(pem(old_cert))
    (signing.folder / "11143.p12").write_bytes(
        signing_certificate_self_signed_create(
            unit_code="11143", unit_name="UBND xã Tiên Động", passphrase=b"xa-tien-dong"
        )
    )
    assert result_pdf_verify(pdf=old_signed).code == "untrusted"
    document = signing.document
    document["units"]["11143"]["certificates"] = ["11143-old.pem"]
    write_config(signing.path, document)
    verification = result_pdf_verify(pdf=old_signed)
    assert verification.valid
    assert verification.unit_code == "11143"


def test_configuration_errors(signing, plain_pdf, monkeypatch):
    with pytest.raises(SigningUnitUnknown) as unknown:
        result_pdf_sign(pdf=plain_pdf, unit_code="99999")
    assert "99999" in unknown.value.message
    monkeypatch.delenv(PASSPHRASE_ENV)
    with pytest.raises(SigningKeyUnavailable) as missing:
        result_pdf_sign(pdf=plain_pdf, unit_code="298")
    assert PASSPHRASE_ENV in missing.value.message
    monkeypatch.setenv(PASSPHRASE_ENV, "sai mật khẩu")
    with pytest.raises(SigningKeyUnavailable) as wrong:
        result_pdf_sign(pdf=plain_pdf, unit_code="298")
    assert "sai mật khẩu" in wrong.value.message
    document = {**signing.document}
    document.pop("default_unit")
    write_config(signing.path, document)
    with pytest.raises(SigningUnitRequired):
        result_pdf_sign(pdf=plain_pdf, unit_code=None)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("{", "không phải JSON"),
        ("[]", "đối tượng JSON"),
        ('{"unit": {}}', "khóa lạ: unit"),
        ('{"units": {"298": {"pkcs12": "a.p12"}}}', "thiếu passphrase_env"),
        ('{"units": {"298": {"pkcs12": "a.p12", "passphrase": "x"}}}', "khóa lạ passphrase"),
        ('{"units": {"298": {}}}', "cần pkcs12 hoặc certificates"),
        ('{"default_unit": "1", "units": {}}', "default_unit 1 không có"),
    ],
)
def test_invalid_configuration_is_refused(text, fragment, tmp_path):
    with pytest.raises(SigningConfigInvalid) as error:
        signing_config_parse(text=text, base=tmp_path)
    assert fragment in error.value.message
    assert error.value.code == "signing_config_invalid"


def test_invalid_configuration_does_not_break_verification(signing, plain_pdf):
    signed = result_pdf_sign(pdf=plain_pdf, unit_code="298")
    signing.path.write_text("{ not json", encoding="utf-8")
    assert result_pdf_verify(pdf=signed).code == "untrusted"


def test_relative_paths_resolve_against_the_file(signing):
    config = signing_config_get()
    assert config.unit("298").pkcs12 == signing.folder / "298.p12"
    assert config.unit(None).unit_code == "298"


def test_verdict_as_dict_is_json_ready(signing, plain_pdf):
    import json

    data = result_pdf_verify(
        pdf=result_pdf_sign(pdf=plain_pdf, unit_code="298", dossier_code=CODE)
    ).as_dict()
    assert json.loads(json.dumps(data))["dossier_code"] == CODE
    assert data["code"] == "valid" and data["valid"] is True
    assert "notice" not in data  # not demo certificates


def test_certificate_not_meant_for_signing_is_refused(plain_pdf, tmp_path):
    """A key-agreement-only certificate (an encryption certificate handed over by mistake)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import NoEncryption, pkcs12
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "UBND xã Tiên Động")])
    now = timeutil.now()
    usage = dict.fromkeys(
        [
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_cert_sign",
            "crl_sign",
            "encipher_only",
            "decipher_only",
        ],
        False,
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.KeyUsage(key_agreement=True, **usage), critical=True)
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "enc.p12").write_bytes(
        pkcs12.serialize_key_and_certificates(
            name=b"x", key=key, cert=cert, cas=None, encryption_algorithm=NoEncryption()
        )
    )
    config = signing_config_parse(
        text='{"demo": true, "units": {"11143": {"pkcs12": "enc.p12"}}}', base=tmp_path
    )
    with pytest.raises(ResultSigningFailed) as error:
        result_pdf_sign(pdf=plain_pdf, unit_code="11143", config=config)
    assert "11143" in error.value.message
    assert error.value.code == "signing_failed"


def test_expired_certificate_is_named_as_such(plain_pdf, tmp_path, settings):
    (tmp_path / "old.p12").write_bytes(
        signing_certificate_self_signed_create(
            unit_code="298", unit_name="UBND huyện Tứ Kỳ", valid_days=-1
        )
    )
    write_config(
        settings.MOTCUA_SIGNING_CERTIFICATES,
        {"demo": True, "units": {"298": {"pkcs12": str(tmp_path / "old.p12")}}},
    )
    signed = result_pdf_sign(pdf=plain_pdf, unit_code="298")
    verification = result_pdf_verify(pdf=signed)
    assert verification.code == "certificate_expired"
    assert "hết hạn" in verification.message
    assert verification.unit_code == "298"


def test_expired_certificate_from_the_ca_is_named_as_such(
    signing, plain_pdf, tmp_path, monkeypatch
):
    ca, p12 = make_ca_and_leaf(unit_name="Sở Tư pháp tỉnh Hải Dương", leaf_days=-1)
    (tmp_path / "stp.p12").write_bytes(p12)
    (tmp_path / "ca.pem").write_bytes(pem(ca))
    monkeypatch.setenv("P", "x")
    signer_config = signing_config_parse(
        text='{"units": {"30-STP": {"pkcs12": "stp.p12", "passphrase_env": "P"}}}', base=tmp_path
    )
    signed = result_pdf_sign(pdf=plain_pdf, unit_code="30-STP", config=signer_config)
    write_config(signing.path, {**signing.document, "ca_bundle": str(tmp_path / "ca.pem")})
    assert result_pdf_verify(pdf=signed).code == "certificate_expired"


def test_a_trusted_countersignature_does_not_launder_an_untrusted_one(signing, plain_pdf, tmp_path):
    (tmp_path / "298.p12").write_bytes(
        signing_certificate_self_signed_create(unit_code="298", unit_name="UBND huyện Tứ Kỳ")
    )
    impostor = signing_config_parse(
        text='{"demo": true, "units": {"298": {"pkcs12": "298.p12"}}}', base=tmp_path
    )
    forged = result_pdf_sign(pdf=plain_pdf, unit_code="298", dossier_code=CODE, config=impostor)
    countersigned = result_pdf_sign(pdf=forged, unit_code="11143")
    verification = result_pdf_verify(pdf=countersigned)
    assert verification.code == "untrusted"
    assert verification.signatures == 2
    assert verification.unit_name == "UBND huyện Tứ Kỳ"  # the failing signature is the one named
    assert verification.dossier_code is None
