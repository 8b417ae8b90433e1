"""`motcua report form06`: Biểu số 06/VPCP/KSTT as JSON, Excel or PDF."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.errors import DomainError
from motcua.reports.arguments import add_unit_period_arguments, unit_and_period
from motcua.reports.form06 import form06_pdf, form06_xlsx
from motcua.reports.selectors import form06_report

RENDERERS = {"xlsx": form06_xlsx, "pdf": form06_pdf}


class Command(BaseCommand):
    help = "Lập báo cáo. `report form06`: Biểu số 06/VPCP/KSTT (Thông tư 01/2020/TT-VPCP)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True)
        form06 = sub.add_parser(
            "form06", help="Tình hình, kết quả giải quyết TTHC theo lĩnh vực và cấp."
        )
        add_unit_period_arguments(form06)
        form06.add_argument("--format", choices=("json", "xlsx", "pdf"), default="json")
        form06.add_argument(
            "--out",
            metavar="FILE",
            help="Tệp kết quả; mặc định JSON in ra màn hình, xlsx/pdf ghi bieu-06-<mã>-<từ>-<đến>.<đuôi>.",
        )

    def handle(self, *args, **options) -> None:
        unit, start, end = unit_and_period(options)
        fmt, out = options["format"], options.get("out")
        try:
            report = form06_report(unit=unit, start=start, end=end)
            if fmt == "json":
                content = json.dumps(report, ensure_ascii=False, indent=2).encode()
                if not out:
                    self.stdout.write(content.decode())
                    return
            else:
                content = RENDERERS[fmt](report=report, unit=unit, start=start, end=end)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        path = Path(out or f"bieu-06-{unit.code}-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}")
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"Không ghi được tệp “{path}”: {exc.strerror}.") from None
        self.stdout.write(f"Đã ghi Biểu 06 ({fmt}) vào {path}.")
