import io
import sys

from django.core.management.base import BaseCommand, CommandError

from motcua.interchange.services import interchange_import
from motcua.interchange.writer import WriterCrashed


class Command(BaseCommand):
    help = (
        "Nhập tệp JSON Lines (đơn vị, thủ tục, chỉ tiêu, hồ sơ) theo docs/interchange.md. Dòng lỗi "
        "được báo kèm số dòng, các dòng khác vẫn được nhập; --strict: dừng ở dòng lỗi đầu tiên và "
        "không ghi gì."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("file", help="Đường dẫn tệp .jsonl, hoặc - để đọc từ đầu vào chuẩn.")
        parser.add_argument(
            "--strict", action="store_true", help="Gặp dòng lỗi thì dừng và không ghi gì."
        )

    def handle(self, *args, file: str, strict: bool = False, **options):
        def on_error(number: int, reason: str) -> None:
            self.stderr.write(f"Dòng {number}: {reason}")

        try:
            report = self._import(file, strict=strict, on_error=on_error, options=options)
        except WriterCrashed as error:
            raise CommandError(
                "Tiến trình ghi hồ sơ dừng bất thường: các lô đã ghi được giữ nguyên, lô đang ghi "
                "có thể chưa được ghi. Chạy lại lệnh nhập để tiếp tục (hồ sơ đã có không bị ghi "
                f"lại).\n{error}"
            ) from error
        self.stdout.write(report.summary())
        if report.rejected:
            raise CommandError(f"Có {report.rejected} dòng bị từ chối.")

    def _import(self, file: str, *, strict: bool, on_error, options: dict):
        if file == "-":
            stdin = options.get("stdin") or io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig")
            return interchange_import(stream=stdin, strict=strict, on_error=on_error)
        try:
            handle = open(file, encoding="utf-8-sig")  # noqa: SIM115 (closed below)
        except OSError as error:
            raise CommandError(f"Không mở được tệp {file}: {error.strerror}.") from error
        with handle:
            try:
                return interchange_import(stream=handle, strict=strict, on_error=on_error)
            except UnicodeDecodeError as error:
                raise CommandError(f"Tệp không phải UTF-8: {error}.") from error
