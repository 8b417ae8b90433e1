"""OCR of scans with ocrmypdf (`-l vie --deskew`, Tesseract's Vietnamese model): a searchable
PDF/A and its text. An optional part: `pip install "motcua[ocr]"` brings ocrmypdf, the system
brings Tesseract and its Vietnamese data (Debian: `apt-get install ocrmypdf tesseract-ocr-vie`).
Without them the core works and `ocr_missing()` says what to install."""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings

INSTALL_HINT = (
    'cài gói tùy chọn OCR (pip install "motcua[ocr]") và Tesseract tiếng Việt '
    "(apt-get install ocrmypdf tesseract-ocr-vie)"
)


def ocr_enabled() -> bool:
    return bool(getattr(settings, "MOTCUA_OCR", True))


def _ocrmypdf() -> str | None:
    # The extra installs the command beside this interpreter; Debian's package puts it on PATH.
    beside = Path(sys.executable).with_name("ocrmypdf")
    return str(beside) if beside.exists() else shutil.which("ocrmypdf")


def ocr_missing() -> str | None:
    """None when OCR can run; else, in Vietnamese, what is missing and how to install it."""
    if _ocrmypdf() is None:
        return f"Không có lệnh ocrmypdf: {INSTALL_HINT}."
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        return f"Không có Tesseract: {INSTALL_HINT}."
    listed = subprocess.run(
        [tesseract, "--list-langs"], capture_output=True, text=True, timeout=30
    ).stdout.split()
    if "vie" not in listed:
        return f"Tesseract chưa có dữ liệu tiếng Việt (vie): {INSTALL_HINT}."
    return None


class OcrFailed(Exception):
    pass


def ocr_run(*, content: bytes, kind: str) -> tuple[bytes, str]:
    """(searchable PDF/A, text) of a scan ("pdf", "jpeg" or "png"). Pages that already carry text
    are kept as they are (--skip-text). Raises OcrFailed with ocrmypdf's message."""
    command = _ocrmypdf()
    if command is None:
        raise OcrFailed(ocr_missing() or "ocrmypdf")
    timeout = int(getattr(settings, "MOTCUA_OCR_TIMEOUT", 900))
    with tempfile.TemporaryDirectory(prefix="motcua-ocr-") as folder:
        folder = Path(folder)
        source = folder / ("in.jpg" if kind == "jpeg" else f"in.{kind}")
        source.write_bytes(content)
        target, sidecar = folder / "out.pdf", folder / "out.txt"
        arguments = [command, "-l", "vie", "--deskew", "--output-type", "pdfa", "--skip-text"]
        arguments += ["--sidecar", str(sidecar), "--quiet"]
        if kind != "pdf":
            arguments += ["--image-dpi", "300"]  # used only when the image does not say
        try:
            done = subprocess.run(
                [*arguments, str(source), str(target)],
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            raise OcrFailed(f"Quá thời gian nhận dạng ({timeout} giây).") from None
        if done.returncode != 0 or not target.exists():
            raise OcrFailed((done.stderr or f"ocrmypdf: mã lỗi {done.returncode}").strip()[-900:])
        return target.read_bytes(), sidecar.read_text(encoding="utf-8", errors="replace")
