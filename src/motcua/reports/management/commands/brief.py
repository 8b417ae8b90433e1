"""`motcua brief`: the paragraphs a directive quotes about the rates, optionally as a .docx draft."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.reports.arguments import add_unit_period_arguments, unit_and_period
from motcua.reports.brief import brief_docx, brief_paragraphs
from motcua.reports.selectors import rates_report, units_by_code


class Command(BaseCommand):
    help = (
        "Soạn các đoạn văn về tỷ lệ hồ sơ trực tuyến, số hóa, thanh toán trực tuyến và các đơn vị "
        "chưa đạt chỉ tiêu, theo văn phong chỉ thị của UBND; --docx ghi thêm bản dự thảo Word."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_unit_period_arguments(parser)
        parser.add_argument("--docx", metavar="FILE", help="Ghi các đoạn văn ra tệp .docx.")

    def handle(self, *args, **options) -> None:
        unit, start, end = unit_and_period(options)
        report = rates_report(unit=unit, start=start, end=end)
        codes = [unit.code, *(m["unit"] for m in report["below_target"])]
        units = units_by_code(codes=codes, on=end)
        for paragraph in brief_paragraphs(report=report, units=units):
            self.stdout.write(paragraph)
            self.stdout.write("")
        if options.get("docx"):
            path = Path(options["docx"])
            try:
                path.write_bytes(brief_docx(report=report, units=units))
            except OSError as exc:
                raise CommandError(f"Không ghi được tệp “{path}”: {exc.strerror}.") from None
            self.stdout.write(f"Đã ghi bản dự thảo vào {path}.")
