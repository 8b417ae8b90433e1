"""`motcua rates`: the four rates of a unit, its direct children, and the units below target."""

import json

from django.core.management.base import BaseCommand, CommandParser

from motcua.core.formatting import date_vi, number_vi, percent_vi
from motcua.reports.arguments import add_unit_period_arguments, unit_and_period
from motcua.reports.brief import METRIC_PHRASES
from motcua.reports.selectors import rates_report

HEADINGS = {
    "online_dossiers": "Hồ sơ trực tuyến",
    "full_digitization": "Số hóa thành phần",
    "result_digitization": "Số hóa kết quả",
    "online_payment": "Thanh toán trực tuyến",
}


def _cell(rate: dict) -> str:
    if rate["percent"] is None:
        return "chưa có dữ liệu"
    return (
        f"{percent_vi(rate['percent'])} "
        f"({number_vi(rate['numerator'])}/{number_vi(rate['denominator'])})"
    )


def rates_table(report: dict) -> list[str]:
    rows = [["Đơn vị", *HEADINGS.values()]]
    for prefix, item in [("", report), *(("  ", child) for child in report["children"])]:
        rows.append([prefix + item["unit"]["name"], *(_cell(item["rates"][m]) for m in HEADINGS)])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        " | ".join(text.ljust(width) for text, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return lines


class Command(BaseCommand):
    help = (
        "Bốn tỷ lệ (hồ sơ trực tuyến, số hóa thành phần, số hóa kết quả, thanh toán trực tuyến) của "
        "đơn vị và từng đơn vị trực thuộc trong kỳ, kèm các đơn vị chưa đạt chỉ tiêu."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_unit_period_arguments(parser)
        parser.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")
        parser.add_argument(
            "--with-predecessors",
            action="store_true",
            help="Gộp số liệu của các đơn vị tiền thân (đã sáp nhập, chia tách vào đơn vị này).",
        )

    def handle(self, *args, **options) -> None:
        unit, start, end = unit_and_period(options)
        report = rates_report(
            unit=unit, start=start, end=end, with_predecessors=options["with_predecessors"]
        )
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"Tỷ lệ giải quyết hồ sơ của {unit.name} (mã {unit.code})")
        self.stdout.write(f"Từ ngày {date_vi(start)} đến ngày {date_vi(end)}")
        if "with_predecessors" in report:
            names = ", ".join(u["name"] for u in report["with_predecessors"]) or "không có"
            self.stdout.write(f"Gồm số liệu của các đơn vị tiền thân: {names}")
        self.stdout.write("")
        for line in rates_table(report):
            self.stdout.write(line.rstrip())
        self.stdout.write("")
        if not report["below_target"]:
            self.stdout.write("Không có đơn vị nào chưa đạt chỉ tiêu được giao.")
            return
        self.stdout.write("Đơn vị chưa đạt chỉ tiêu:")
        for miss in report["below_target"]:
            self.stdout.write(
                f"- {miss['name']} ({miss['unit']}): {METRIC_PHRASES[miss['metric']]} "
                f"{percent_vi(miss['percent'])}, chỉ tiêu {percent_vi(miss['target'])}"
            )
