"""`motcua report form06`: Biểu số 06/VPCP/KSTT as JSON, Excel or PDF.
`motcua report review`: the procedure review (time against the legal limit, where it goes)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.errors import DomainError
from motcua.core.formatting import date_vi, number_vi, percent_vi
from motcua.reports.arguments import add_unit_period_arguments, unit_and_period
from motcua.reports.form06 import form06_pdf, form06_xlsx
from motcua.reports.review import procedure_review
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

        review = sub.add_parser(
            "review", help="Rà soát thủ tục: thời gian thực tế so với quy định, bước chậm."
        )
        add_unit_period_arguments(review)
        review.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")

    def handle(self, *args, **options) -> None:
        unit, start, end = unit_and_period(options)
        if options["kind"] == "review":
            self._review(unit=unit, start=start, end=end, as_json=options["json"])
            return
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

    def _review(self, *, unit, start, end, as_json: bool) -> None:
        rows = procedure_review(unit=unit, start=start, end=end)
        if as_json:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"Rà soát thủ tục — {unit.name}, {date_vi(start)} – {date_vi(end)}")
        if not rows:
            self.stdout.write("Không có hồ sơ kết thúc xử lý trong kỳ.")
        for row in rows:
            self.stdout.write(
                f"- {row['procedure']['code']} {row['procedure']['name']}: {row['dossiers']} hồ sơ; "
                f"bình quân {number_vi(row['average_hours'])} giờ làm việc "
                f"({percent_vi(row['percent_of_limit'])} thời hạn {number_vi(row['legal_limit_hours'])} giờ); "
                f"trễ hạn {percent_vi(row['late_percent'])}; yêu cầu bổ sung {percent_vi(row['supplement_percent'])}; "
                f"bước chậm nhất: {row['slowest_step'] or '—'}."
            )
