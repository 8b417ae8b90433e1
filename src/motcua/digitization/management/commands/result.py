"""`motcua result sign IN.pdf --out OUT.pdf [--unit CODE]` and `motcua result verify FILE.pdf`.

Exit codes: 0 done / authentic; 1 verified and NOT authentic (the reason code is printed);
2 cannot run (missing file, not a PDF to sign, no certificate for the unit)."""

import json
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from motcua.core.errors import DomainError
from motcua.digitization.certificates import DEMO_NOTICE
from motcua.digitization.services import result_pdf_sign, result_pdf_verify
from motcua.digitization.verdicts import Verification


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise CommandError(
            f"Không đọc được tệp {path}: {error.strerror or error}.", returncode=2
        ) from None


def _write_atomically(path: Path, data: bytes) -> None:
    """All or nothing: a half-written signed result must never sit where the full one should."""
    folder = path.resolve().parent
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def verification_lines(verification: Verification) -> list[str]:
    v = verification
    lines = [f"{'Hợp lệ' if v.valid else 'KHÔNG hợp lệ'}: {v.message}"]
    if v.signer:
        lines.append(f"Người ký: {v.signer}")
    if v.unit_name or v.unit_code:
        unit = v.unit_name or ""
        if v.unit_code:
            unit = f"{unit} (mã đơn vị {v.unit_code})" if unit else f"mã đơn vị {v.unit_code}"
        lines.append(f"Đơn vị: {unit}")
    if v.signed_at:
        lines.append(f"Thời điểm ký: {v.signed_at:%d/%m/%Y %H:%M:%S} (giờ Việt Nam)")
    if v.dossier_code:
        lines.append(f"Mã hồ sơ: {v.dossier_code}")
    if v.signatures > 1:
        lines.append(f"Số chữ ký số trong tệp: {v.signatures}")
    if v.certificate_subject:
        lines.append(f"Chứng thư số: {v.certificate_subject}")
        lines.append(f"Dấu vân tay SHA-256: {v.certificate_fingerprint}")
    if v.demo:
        lines.append(f"Lưu ý: {DEMO_NOTICE}.")
    lines.append(f"Mã kết quả: {v.code}")
    return lines


class Command(BaseCommand):
    help = "Kết quả điện tử: ký số tệp PDF kết quả bằng chứng thư số của đơn vị, xác thực chữ ký."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sign = sub.add_parser("sign", help="Ký số một tệp PDF kết quả (PAdES).")
        sign.add_argument("input", metavar="IN.pdf")
        sign.add_argument("--out", required=True, metavar="OUT.pdf", help="Tệp PDF đã ký.")
        sign.add_argument(
            "--unit", default=None, help="Mã đơn vị ký (mặc định: đơn vị mặc định đã cấu hình)."
        )
        sign.add_argument("--dossier", default=None, help="Mã hồ sơ ghi vào tệp (tùy chọn).")
        sign.add_argument("--signer", default=None, help="Tên người ký (mặc định: theo chứng thư).")
        verify = sub.add_parser("verify", help="Xác thực chữ ký số của một tệp PDF kết quả.")
        verify.add_argument("input", metavar="FILE.pdf")
        verify.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")

    def handle(self, *args, action: str, **options):
        if action == "sign":
            return self._sign(**options)
        return self._verify(**options)

    def _sign(self, *, input: str, out: str, unit, dossier, signer, **options):
        pdf = _read(input)
        try:
            signed = result_pdf_sign(
                pdf=pdf, unit_code=unit, dossier_code=dossier, signer_name=signer
            )
        except DomainError as error:
            raise CommandError(f"{error.message} [{error.code}]", returncode=2) from None
        _write_atomically(Path(out), signed)
        verification = result_pdf_verify(pdf=signed)
        self.stdout.write(f"Đã ký số {input} → {out}.")
        # The whole verdict: a file that carried an untrusted signature before is still not valid.
        for line in verification_lines(verification):
            self.stdout.write(line)

    def _verify(self, *, input: str, json: bool, **options):
        verification = result_pdf_verify(pdf=_read(input))
        if json:
            self.stdout.write(_dumps(verification.as_dict()))
        else:
            for line in verification_lines(verification):
                self.stdout.write(line)
        if not verification.valid:
            raise SystemExit(1)


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
