"""`motcua deadline`: the due moment of a time limit counted in working days or hours."""

from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.timeutil import now, parse_aware, to_local
from motcua.workcalendar.selectors import calendar_get, calendar_overrides_in

WEEKDAY_NAMES = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


def _decimal(value: str, label: str) -> Decimal:
    try:
        result = Decimal(value.strip().replace(",", "."))
    except (InvalidOperation, AttributeError):
        raise CommandError(f"{label} “{value}” không phải là số.") from None
    if not result.is_finite() or result < 0:
        raise CommandError(f"{label} phải là số không âm (nhận được “{value}”).")
    return result


class Command(BaseCommand):
    help = (
        "Tính hạn xử lý: thời điểm bắt đầu cộng số ngày (hoặc giờ) làm việc theo lịch làm việc "
        "(trừ ngày nghỉ, ngày lễ, Tết). Các dòng giữa liệt kê ngày nghỉ / làm bù do quản trị "
        "khai báo đã áp dụng, kèm căn cứ. Dòng cuối in thời điểm hạn theo ISO 8601."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--start",
            help="Thời điểm bắt đầu: ISO 8601 (không ghi múi giờ = UTC+7) hoặc yyyyMMddHHmmss; "
            "mặc định là hiện tại.",
        )
        parser.add_argument("--working-days", help="Số ngày làm việc (cho phép số thập phân).")
        parser.add_argument("--working-hours", help="Số giờ làm việc (cho phép số thập phân).")
        parser.add_argument("--unit", help="Mã đơn vị để dùng lịch làm việc của đơn vị đó.")

    def handle(self, *args, **options) -> None:
        days, hours = options.get("working_days"), options.get("working_hours")
        if (days is None) == (hours is None):
            raise CommandError(
                "Cần đúng một trong hai tham số --working-days hoặc --working-hours."
            )

        if options.get("start"):
            try:
                start = parse_aware(options["start"])
            except ValueError:
                raise CommandError(
                    f"Thời điểm bắt đầu “{options['start']}” không hợp lệ; dùng ISO 8601 "
                    "(ví dụ 2024-02-07T10:00:00+07:00) hoặc yyyyMMddHHmmss."
                ) from None
        else:
            start = now().replace(microsecond=0)

        unit = None
        if options.get("unit"):
            from motcua.units.selectors import unit_get_by_code

            unit = unit_get_by_code(code=options["unit"], on=start.date())
            if unit is None:
                raise CommandError(f"Không tìm thấy đơn vị có mã “{options['unit']}”.")

        calendar = calendar_get(unit=unit)
        try:
            if days is not None:
                due = calendar.add_working_days(start, _decimal(days, "Số ngày làm việc"))
            else:
                due = calendar.add_working_hours(start, _decimal(hours, "Số giờ làm việc"))
        except (ValueError, OverflowError) as exc:
            raise CommandError(f"Không tính được hạn xử lý: {exc}") from None

        due = to_local(due)
        self.stdout.write(f"Hạn xử lý: {due:%d/%m/%Y %H:%M} ({WEEKDAY_NAMES[due.weekday()]})")
        # Why: the declared days off / make-up days the count went through, with their source.
        for row in calendar_overrides_in(unit=unit, start=to_local(start).date(), end=due.date()):
            where = f" [{row.unit.name}]" if row.unit_id else ""
            basis = f" — căn cứ: {row.source}" if row.source else ""
            self.stdout.write(
                f"  {row.date:%d/%m/%Y} ({WEEKDAY_NAMES[row.date.weekday()]}): "
                f"{row.get_kind_display()} — {row.name or row.get_kind_display()}{where}{basis}"
            )
        self.stdout.write(due.isoformat())
