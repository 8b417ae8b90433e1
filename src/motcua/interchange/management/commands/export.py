from datetime import date

from django.core.management.base import BaseCommand, CommandError

from motcua.core.errors import DomainError
from motcua.interchange.services import interchange_export
from motcua.units.selectors import unit_get_by_code


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Ngày không hợp lệ (YYYY-MM-DD): {value!r}.") from error


class Command(BaseCommand):
    help = (
        "Xuất đơn vị, thủ tục, chỉ tiêu và hồ sơ của một đơn vị (cả các đơn vị trực thuộc) trong một "
        "kỳ ra JSON Lines, nhập lại được bằng `motcua import`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="Mã đơn vị.")
        parser.add_argument("--from", dest="start", required=True, help="Từ ngày (YYYY-MM-DD).")
        parser.add_argument("--to", dest="end", required=True, help="Đến ngày (YYYY-MM-DD).")
        parser.add_argument("--out", help="Tệp kết quả (mặc định: đầu ra chuẩn).")

    def handle(self, *args, unit: str, start: str, end: str, out: str | None = None, **options):
        root = unit_get_by_code(code=unit)
        if root is None:
            raise CommandError(f"Không tìm thấy đơn vị mã {unit!r}.")
        start_day, end_day = _day(start), _day(end)
        try:
            if out:
                with open(out, "w", encoding="utf-8") as handle:
                    report = interchange_export(unit=root, start=start_day, end=end_day, out=handle)
                self.stdout.write(report.summary())
            else:
                report = interchange_export(
                    unit=root, start=start_day, end=end_day, out=self.stdout
                )
                self.stderr.write(report.summary())  # stdout carries the data
        except DomainError as error:
            raise CommandError(error.message) from error
