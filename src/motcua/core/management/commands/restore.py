from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from motcua.core.backup import restore_from
from motcua.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Phục hồi CSDL và các tệp từ một tệp sao lưu (thay thế dữ liệu hiện có), rồi kiểm tra "
        "kết quả theo bảng kê và chuỗi băm nhật ký."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--yes", action="store_true", help="Không hỏi lại (dữ liệu hiện có sẽ bị thay thế)."
        )

    def handle(self, *args, file: Path, yes: bool = False, **options):
        if (
            not yes
            and input("Dữ liệu hiện có sẽ bị thay thế. Gõ 'dong y' để tiếp tục: ") != "dong y"
        ):
            raise CommandError("Đã hủy phục hồi.")
        try:
            report = restore_from(path=file)
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"Đã phục hồi {sum(report.tables.values())} dòng của {len(report.tables)} bảng, "
            f"{report.files} tệp; đã kiểm tra khớp bảng kê và chuỗi băm nhật ký."
        )
