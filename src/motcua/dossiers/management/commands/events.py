from django.core.management.base import BaseCommand, CommandError

from motcua.core.errors import DomainError
from motcua.dossiers.replay import dossiers_projection_rebuild


class Command(BaseCommand):
    help = (
        "Nhật ký sự kiện hồ sơ. `events rebuild`: dựng lại trạng thái mọi hồ sơ từ nhật ký và báo các "
        "sai khác (thêm --fix để ghi đè bảng theo nhật ký)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser("rebuild", help="Dựng lại trạng thái hồ sơ từ nhật ký sự kiện.")
        rebuild.add_argument("--fix", action="store_true", help="Ghi đè các bảng theo nhật ký.")
        rebuild.add_argument(
            "--code", action="append", dest="codes", help="Chỉ kiểm tra hồ sơ này."
        )

    def handle(self, *args, action: str, fix: bool = False, codes=None, **options):
        try:
            report = dossiers_projection_rebuild(fix=fix, codes=codes)
        except DomainError as error:
            raise CommandError(error.message) from error
        for code, differences in report.differing.items():
            self.stdout.write(f"{code}: {len(differences)} sai khác")
            for line in differences:
                self.stdout.write(f"  - {line}")
        summary = (
            f"Đã kiểm tra {report.checked} hồ sơ; {len(report.differing)} hồ sơ sai khác với nhật ký"
            + (f"; đã sửa {report.fixed}." if fix else ".")
        )
        self.stdout.write(summary)
        if report.differing and not fix:
            raise CommandError(
                "Trạng thái hồ sơ không khớp nhật ký sự kiện (chạy lại với --fix để sửa)."
            )
