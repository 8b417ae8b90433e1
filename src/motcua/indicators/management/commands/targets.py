"""`motcua targets plan --unit CODE --by DATE [--json]`: what each unit below a target needs."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from motcua.core.formatting import number_vi, percent_vi
from motcua.indicators.models import Metric
from motcua.indicators.planner import NUMERATOR_TEXT, targets_plan
from motcua.units.models import Unit
from motcua.units.selectors import unit_get_by_code


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _fail(f"{name} “{text}” không hợp lệ (định dạng YYYY-MM-DD).") from None


def _percent(value) -> str:
    return percent_vi(value, space=True)


class Command(BaseCommand):
    help = (
        "Chỉ tiêu. `targets plan`: với mỗi đơn vị chưa đạt chỉ tiêu, cần thêm bao nhiêu hồ sơ "
        "(thanh toán trực tuyến, …) đến một ngày, theo số lượng và xu hướng đến nay."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        plan = sub.add_parser("plan", help="Kế hoạch đạt chỉ tiêu của các đơn vị trực thuộc.")
        plan.add_argument("--unit", required=True, help="Mã đơn vị (cả cây đơn vị bên dưới).")
        plan.add_argument("--by", required=True, help="Ngày cần đạt chỉ tiêu (YYYY-MM-DD).")
        plan.add_argument(
            "--as-of", default=None, help="Tính đến ngày (YYYY-MM-DD); mặc định hôm nay."
        )
        plan.add_argument("--json", action="store_true")

    def handle(self, *args, action: str, unit: str, by: str, as_of, **options):
        root = unit_get_by_code(code=unit)
        if root is None:
            raise _fail(f"Không tìm thấy đơn vị mã {unit}.")
        goal = _day(by, "Ngày --by")
        plans = targets_plan(
            unit=root, by=goal, as_of=_day(as_of, "Ngày --as-of") if as_of else None
        )
        if options["json"]:
            self._json({"unit": root.code, "by": goal.isoformat(), "plans": plans})
            return
        self._text(root, goal, plans)

    def _json(self, data: dict) -> None:
        data["plans"] = [p.as_dict() for p in data["plans"]]
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))

    def _text(self, root: Unit, goal: date, plans) -> None:
        self.stdout.write(f"Kế hoạch đạt chỉ tiêu của {root.name} đến ngày {goal:%d/%m/%Y}")
        if not plans:
            self.stdout.write("Không có đơn vị nào chưa đạt chỉ tiêu.")
            return
        for p in plans:
            what = NUMERATOR_TEXT.get(p.metric, "hồ sơ")
            self.stdout.write("")
            self.stdout.write(
                f"{p.unit.name} — {Metric(p.metric).label}: {_percent(p.so_far.percent)} "
                f"({p.so_far.numerator}/{p.so_far.denominator}), chỉ tiêu {_percent(p.target)}"
            )
            self.stdout.write(
                f"  Cần thêm {p.needed} {what} đến {p.by:%d/%m/%Y} "
                f"(dự kiến {p.expected_denominator} hồ sơ, cần {p.required_numerator}; "
                f"còn {p.remaining_working_days} ngày làm việc"
                + (f", khoảng {p.per_working_day} mỗi ngày" if p.per_working_day else "")
                + ")."
            )
            self.stdout.write(
                f"  Theo xu hướng 4 tuần gần nhất: thêm khoảng {p.expected_at_trend}, "
                f"đạt {_percent(p.projected.percent)}; còn thiếu {p.shortfall}."
            )
            for g in p.procedures:
                amount = f", {number_vi(g.amount)} đồng" if g.amount else ""
                self.stdout.write(f"  - {g.code} {g.name}: {g.dossiers} hồ sơ{amount}")
