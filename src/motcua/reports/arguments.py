"""Arguments every report command shares: --unit CODE --from YYYY-MM-DD --to YYYY-MM-DD."""

from datetime import date, datetime

from django.core.management.base import CommandError, CommandParser

from motcua.core.formatting import date_vi
from motcua.units.models import Unit
from motcua.units.selectors import unit_get_by_code


def add_unit_period_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--unit", required=True, help="Mã đơn vị (báo cáo gồm cả các đơn vị cấp dưới)."
    )
    parser.add_argument("--from", dest="start", required=True, help="Từ ngày, dạng YYYY-MM-DD.")
    parser.add_argument(
        "--to", dest="end", required=True, help="Đến ngày (tính cả ngày này), YYYY-MM-DD."
    )


def _day(value: str, label: str) -> date:
    try:
        # strptime, not fromisoformat: the latter also takes "20240101" and week dates.
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise CommandError(
            f"{label} “{value}” không hợp lệ; dùng dạng YYYY-MM-DD, ví dụ 2023-09-29."
        ) from None


def unit_and_period(options: dict) -> tuple[Unit, date, date]:
    start = _day(options["start"], "Ngày bắt đầu (--from)")
    end = _day(options["end"], "Ngày kết thúc (--to)")
    if start > end:
        raise CommandError(
            f"Ngày bắt đầu {date_vi(start)} sau ngày kết thúc {date_vi(end)}; kiểm tra lại --from và --to."
        )
    # The unit bearing the code at the end of the period (codes are reused after 1/7/2025).
    unit = unit_get_by_code(code=options["unit"], on=end)
    if unit is None:
        raise CommandError(f"Không tìm thấy đơn vị có mã “{options['unit']}”.")
    return unit, start, end
