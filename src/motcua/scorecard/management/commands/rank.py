"""`motcua rank units|officials`: units ranked by their scorecard, officials by their control slips."""

from django.core.management.base import BaseCommand, CommandParser

from motcua.core.formatting import date_vi, number_vi, percent_vi
from motcua.scorecard.definitions import DEFAULT_VERSION
from motcua.scorecard.management.commands._common import (
    add_period_arguments,
    domain_call,
    parse_period,
    to_json,
)
from motcua.scorecard.rankings import NO_DATA_LABEL, officials_rank, ranking_bands, units_rank


class Command(BaseCommand):
    help = (
        "Xếp hạng. `rank units`: các đơn vị trực thuộc theo điểm Bộ chỉ số 766; "
        "`rank officials`: cán bộ theo tỷ lệ bước xử lý đúng hạn trên phiếu kiểm soát."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        units = sub.add_parser("units", help="Xếp hạng các đơn vị trực thuộc.")
        add_period_arguments(units)
        units.add_argument("--level", help="Chỉ xếp các đơn vị của cấp này trong cây đơn vị.")
        units.add_argument(
            "--by", default="total", help="total (tổng điểm) hoặc khóa một nhóm chỉ số."
        )
        units.add_argument(
            "--version",
            dest="scorecard_version",
            default=DEFAULT_VERSION,
            help=f"Phiên bản bộ chỉ số; mặc định {DEFAULT_VERSION}.",
        )
        officials = sub.add_parser("officials", help="Xếp hạng cán bộ.")
        add_period_arguments(officials)

    def handle(self, *args, what: str, **options) -> None:
        unit, start, end = parse_period(options)
        if what == "units":
            rows = domain_call(
                units_rank,
                parent=unit,
                start=start,
                end=end,
                level=options.get("level"),
                version=options["scorecard_version"],
                by=options["by"],
            )
        else:
            rows = domain_call(officials_rank, unit=unit, start=start, end=end)
        if options["json"]:
            data = {
                "kind": what,
                "unit": {"code": unit.code, "name": unit.name},
                "start": start,
                "end": end,
                "bands": [[label, minimum] for label, minimum in ranking_bands()],
                "rows": rows,
            }
            if what == "units":
                data.update(version=options["scorecard_version"], by=options["by"])
            self.stdout.write(to_json(data))
            return
        heading = "Xếp hạng đơn vị" if what == "units" else "Xếp hạng cán bộ"
        self.stdout.write(
            f"{heading} thuộc {unit.name} ({unit.code}), kỳ {date_vi(start)} – {date_vi(end)}"
        )
        if not rows:
            self.stdout.write("Không có dữ liệu để xếp hạng.")
        line = _unit_line if what == "units" else _official_line
        for row in rows:
            if not row["no_data"]:
                self.stdout.write(line(row))
        unranked = [row for row in rows if row["no_data"]]
        if unranked:
            # Listed apart: full points for zero denominators are not a performance.
            self.stdout.write(f"{NO_DATA_LABEL} (không xếp hạng):")
            for row in unranked:
                self.stdout.write(f"  - {_who(row)}")


def _who(row: dict) -> str:
    if "unit" in row:
        return f"{row['unit']['name']} ({row['unit']['code']}): không có hồ sơ trong kỳ"
    return (
        f"{row['user']['name']} ({row['user']['username']}): "
        f"{row['finished']} bước đã xong, không bước nào có thời hạn"
    )


def _unit_line(row: dict) -> str:
    no_data = (
        f"; {number_vi(row['no_data_points'])} điểm do không có dữ liệu"
        if row["no_data_points"]
        else ""
    )
    return (
        f"{row['rank']:>3}. {row['unit']['name']} ({row['unit']['code']}): "
        f"{number_vi(row['points'])}/{number_vi(row['max_available'])} điểm tính được "
        f"({percent_vi(row['percent_of_available'])}{no_data}) — "
        f"{row['band'] or 'chưa xếp loại'}"
    )


def _official_line(row: dict) -> str:
    return (
        f"{row['rank']:>3}. {row['user']['name']} ({row['user']['username']}): "
        f"{percent_vi(row['rate'])} đúng hạn ({row['on_time']}/{row['timed']} bước có hạn; "
        f"{row['finished']} bước đã xong) — {row['band'] or 'chưa xếp loại'}"
    )
