"""`motcua result sign` / `motcua result verify`: outputs and exit codes, through Django's
call_command and once through the real console script."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.digitization.certificates import DEMO_NOTICE
from motcua.digitization.services import demo_signing_certificates_ensure
from tests.digitization.conftest import write_config

CODE = "000.00.30.H23-241001-0002"


def run(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("result", *args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue()
    except CommandError as error:
        return error.returncode, str(error)
    return 0, out.getvalue()


@pytest.fixture
def unsigned(tmp_path, plain_pdf) -> Path:
    path = tmp_path / "ket-qua.pdf"
    path.write_bytes(plain_pdf)
    return path


def test_sign_then_verify(signing, unsigned, tmp_path):
    out_path = tmp_path / "da-ky.pdf"
    code, out = run(
        "sign", str(unsigned), "--out", str(out_path), "--unit", "11143", "--dossier", CODE
    )
    assert code == 0, out
    assert "Đã ký số" in out
    assert "Hợp lệ: Chữ ký số hợp lệ" in out
    assert "Đơn vị: UBND xã Tiên Động (mã đơn vị 11143)" in out
    code, out = run("verify", str(out_path))
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].startswith("Hợp lệ:")
    assert "Người ký: UBND xã Tiên Động (thử nghiệm)" in lines
    assert f"Mã hồ sơ: {CODE}" in lines
    assert any(line.startswith("Thời điểm ký: ") for line in lines)
    assert lines[-1] == "Mã kết quả: valid"
    assert DEMO_NOTICE not in out


def test_default_unit_and_json(signing, unsigned, tmp_path):
    out_path = tmp_path / "da-ky.pdf"
    assert run("sign", str(unsigned), "--out", str(out_path))[0] == 0
    code, out = run("verify", str(out_path), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["valid"] is True and data["code"] == "valid"
    assert data["unit_code"] == "298"
    assert data["signed_at"].endswith("+07:00")


def test_no_default_unit_is_a_clear_error(signing, unsigned, tmp_path):
    document = {**signing.document}
    document.pop("default_unit")
    write_config(signing.path, document)
    out_path = tmp_path / "da-ky.pdf"
    code, message = run("sign", str(unsigned), "--out", str(out_path))
    assert code == 2
    assert "Chưa chọn đơn vị ký (--unit)" in message
    assert "[signing_unit_required]" in message
    assert not out_path.exists()


def test_sign_errors_write_nothing(signing, unsigned, tmp_path):
    out_path = tmp_path / "da-ky.pdf"
    garbage = tmp_path / "rac.pdf"
    garbage.write_bytes(b"day khong phai PDF")
    for args, fragment in [
        (("sign", str(garbage), "--out", str(out_path)), "không phải PDF"),
        (("sign", str(unsigned), "--out", str(out_path), "--unit", "1"), "chưa được cấu hình"),
        (("sign", str(tmp_path / "khong-co.pdf"), "--out", str(out_path)), "Không đọc được tệp"),
    ]:
        code, message = run(*args)
        assert code == 2
        assert fragment in message
    assert not out_path.exists()
    assert list(tmp_path.glob(".da-ky.pdf.*")) == []  # no temporary left behind


def test_verify_failures_exit_1_with_the_reason(signing, unsigned, tmp_path):
    code, out = run("verify", str(unsigned))
    assert code == 1
    assert out.splitlines()[0] == "KHÔNG hợp lệ: Tệp không có chữ ký số."
    assert out.splitlines()[-1] == "Mã kết quả: unsigned"
    signed = tmp_path / "da-ky.pdf"
    assert run("sign", str(unsigned), "--out", str(signed))[0] == 0
    data = bytearray(signed.read_bytes())
    data[data.index(b"stream\n") + 20] ^= 0x20  # a page's content: covered by the signature
    tampered = tmp_path / "bi-sua.pdf"
    tampered.write_bytes(bytes(data))
    code, out = run("verify", str(tampered), "--json")
    assert code == 1
    assert json.loads(out)["code"] == "modified"
    missing = run("verify", str(tmp_path / "khong-co.pdf"))
    assert missing[0] == 2


def test_demo_certificates_say_so(settings, unsigned, tmp_path):
    demo_signing_certificates_ensure(
        units=[("298", "UBND huyện Tứ Kỳ")],
        default_unit="298",
        path=settings.MOTCUA_SIGNING_CERTIFICATES,
    )
    signed = tmp_path / "da-ky.pdf"
    code, out = run("sign", str(unsigned), "--out", str(signed))
    assert code == 0
    assert f"Lưu ý: {DEMO_NOTICE}." in out
    code, out = run("verify", str(signed), "--json")
    assert json.loads(out)["notice"] == DEMO_NOTICE


def test_console_script_exit_codes(signing, unsigned, tmp_path):
    """The real `motcua` process: what a shell script sees."""
    env = {
        **os.environ,
        "MOTCUA_SIGNING_CERTIFICATES": str(signing.path),
        "MOTCUA_VAR_DIR": str(tmp_path / "var"),
    }
    motcua = [sys.executable, "-m", "motcua"]
    signed = tmp_path / "da-ky.pdf"

    def shell(*args):
        return subprocess.run([*motcua, "result", *args], env=env, capture_output=True, text=True)

    done = shell("sign", str(unsigned), "--out", str(signed), "--dossier", CODE)
    assert done.returncode == 0, done.stderr
    assert f"Mã hồ sơ: {CODE}" in done.stdout
    refused = shell("verify", str(unsigned))
    assert refused.returncode == 1
    assert "Mã kết quả: unsigned" in refused.stdout
    env.pop("MOTCUA_SIGNING_CERTIFICATES")
    env["MOTCUA_VAR_DIR"] = str(tmp_path / "empty-var")
    unconfigured = shell("sign", str(unsigned), "--out", str(tmp_path / "x.pdf"))
    assert unconfigured.returncode == 2
    assert "Chưa cấu hình chứng thư số" in unconfigured.stderr
