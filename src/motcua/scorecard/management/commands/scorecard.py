"""`motcua scorecard`: the Decision 766 scorecard of a unit over a period."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.catalog.models import Procedure
from motcua.core.formatting import date_vi, number_vi, percent_vi
from motcua.scorecard.definitions import DEFAULT_VERSION, scorecard_versions_list
from motcua.scorecard.management.commands._common import (
    add_period_arguments,
    domain_call,
    parse_period,
    to_json,
)
from motcua.scorecard.selectors import scorecard_compute, scorecard_report

# Indicator 2.2's rate is a mean in the procedure's time-limit unit, not a percent.
MEASURES = {"working_days": "ngày làm việc", "working_hours": "giờ làm việc"}


def _points(value, maximum) -> str:
    return f"{number_vi(value)}/{number_vi(maximum)} điểm"


def indicator_line(item: dict) -> str:
    if item["status"] == "unavailable":
        # The reason says it cannot be computed yet, and why.
        text = f"{item['reason'].rstrip('.')}; tối đa {number_vi(item['max'])} điểm"
    elif item["status"] == "no_data":
        text = f"không có dữ liệu (tính đủ điểm) — {_points(item['points'], item['max'])}"
    elif item.get("measure"):
        unit = MEASURES.get(item["measure"], item["measure"])
        text = (
            f"trung bình {number_vi(item['rate'])} {unit} ({number_vi(item['numerator'])} {unit}"
            f" / {item['denominator']} hồ sơ) — chỉ hiển thị"
        )
    else:
        text = (
            f"{percent_vi(item['rate'])} ({item['numerator']}/{item['denominator']}) — "
            f"{_points(item['points'], item['max'])}"
        )
    extras = []
    if item["threshold"] is not None:
        extras.append(f"ngưỡng {percent_vi(item['threshold'])}")
    if item["unconfirmed"]:
        extras.append("công thức chưa xác nhận")
    if item.get("points_unconfirmed"):
        extras.append("số điểm chưa xác nhận")
    suffix = f" [{'; '.join(extras)}]" if extras else ""
    return f"   • {item['id']} {item['name']}: {text}{suffix}"


def scorecard_text(card: dict) -> list[str]:
    total = card["total"]
    lines = [
        card["title"],
        f"Đơn vị: {card['unit']['name']} ({card['unit']['code']}); "
        f"kỳ {date_vi(card['start'])} – {date_vi(card['end'])}",
        f"Tổng: {_points(total['points'], total['max_available'])} tính được "
        f"({percent_vi(total['percent_of_available'])}); tối đa {number_vi(total['max'])} điểm, "
        f"{number_vi(total['unavailable_points'])} điểm chưa tính được; "
        f"{number_vi(total['no_data_points'])} điểm tính đủ do không có dữ liệu.",
    ]
    if "with_predecessors" in card:
        names = ", ".join(u["name"] for u in card["with_predecessors"]) or "không có"
        lines.insert(2, f"Gồm số liệu của các đơn vị tiền thân: {names}")
    for number, group in enumerate(card["groups"], start=1):
        lines.append("")
        unscored = (
            f"; {number_vi(group['unavailable_points'])} điểm chưa tính được"
            if group["unavailable_points"]
            else ""
        )
        lines.append(
            f"{number}. {group['name']}: {_points(group['points'], group['max_available'])}"
            f" (tối đa {number_vi(group['max'])}{unscored})"
        )
        lines.extend(indicator_line(item) for item in group["indicators"])
    return lines


def _procedure(code: str | None) -> Procedure | None:
    if code is None:
        return None
    procedure = Procedure.objects.filter(code=code.strip()).first()
    if procedure is None:
        raise CommandError(f"Không tìm thấy thủ tục có mã “{code}”.")
    return procedure


class Command(BaseCommand):
    help = (
        "Bộ chỉ số 766 của một đơn vị (gồm các đơn vị trực thuộc) trong một kỳ: tỷ lệ, điểm từng "
        "chỉ số, từng nhóm và tổng điểm."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # `--version KEY` names the scorecard version here, replacing Django's `--version` flag.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        add_period_arguments(parser)
        parser.add_argument(
            "--version",
            dest="scorecard_version",
            default=DEFAULT_VERSION,
            help=f"Phiên bản bộ chỉ số ({', '.join(scorecard_versions_list())}); "
            f"mặc định {DEFAULT_VERSION}.",
        )
        parser.add_argument(
            "--with-predecessors",
            action="store_true",
            help="Gộp số liệu của các đơn vị tiền thân (đã sáp nhập, chia tách vào đơn vị này).",
        )
        parser.add_argument(
            "--procedure",
            help="Mã thủ tục để tính chỉ số 2.2 (thời gian giải quyết trung bình); "
            "không có: chỉ số 2.2 chưa tính.",
        )

    def handle(self, *args, **options) -> None:
        unit, start, end = parse_period(options)
        arguments = {
            "unit": unit,
            "start": start,
            "end": end,
            "version": options["scorecard_version"],
            "with_predecessors": options["with_predecessors"],
            "procedure": _procedure(options.get("procedure")),
        }
        if options["json"]:
            # The contract shape (docs/scorecard.md), built by the selector the API calls too.
            self.stdout.write(to_json(domain_call(scorecard_report, **arguments)))
            return
        card = domain_call(scorecard_compute, **arguments)
        for line in scorecard_text(card):
            self.stdout.write(line)
