"""`motcua units reorganise FILE [--apply]`: apply a reorganisation decision from a file
(docs/units.md). A dry run by default: it prints what would change and changes nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from motcua.core.errors import DomainError
from motcua.units.reorganisation import reorganisation_parse
from motcua.units.services import unit_reorganise


class Command(BaseCommand):
    help = (
        "Đơn vị. `units reorganise FILE [--apply]`: áp dụng quyết định sắp xếp đơn vị hành chính."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        reorganise = sub.add_parser(
            "reorganise", help="Áp dụng quyết định sáp nhập, chia tách, thành lập đơn vị từ tệp."
        )
        reorganise.add_argument("file", help="Tệp JSON của quyết định (xem docs/units.md).")
        reorganise.add_argument(
            "--apply",
            action="store_true",
            help="Ghi thay đổi; mặc định chỉ in những gì sẽ thay đổi.",
        )

    def handle(self, *args, action: str, file: str, apply: bool, **options):
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(
                f"Không đọc được tệp {file}: {error.strerror}.", returncode=2
            ) from None
        try:
            result = unit_reorganise(reorganisation=reorganisation_parse(text=text), apply=apply)
        except DomainError as error:
            raise CommandError(f"{error.message} [{error.code}]", returncode=2) from None
        for line in result.changes:
            self.stdout.write(line)
        if result.applied:
            self.stdout.write(f"Đã áp dụng {len(result.changes)} thay đổi.")
        else:
            self.stdout.write(
                f"Chạy thử: {len(result.changes)} thay đổi, chưa ghi gì. Thêm --apply để áp dụng."
            )
