"""Argument parsing and output helpers shared by the `scorecard` and `rank` commands."""

import json
from datetime import date
from typing import Any

from django.core.management.base import CommandError, CommandParser

from motcua.core.errors import DomainError
from motcua.core.formatting import json_plain
from motcua.units.models import Unit
from motcua.units.selectors import unit_get_by_code


def add_period_arguments(parser: CommandParser) -> None:
    parser.add_argument("--unit", required=True, help="Mã đơn vị.")
    parser.add_argument("--from", dest="start", required=True, help="Ngày đầu kỳ, dạng YYYY-MM-DD.")
    parser.add_argument("--to", dest="end", required=True, help="Ngày cuối kỳ, dạng YYYY-MM-DD.")
    parser.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")


def parse_day(text: str, label: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"{label} “{text}” không hợp lệ; dùng dạng YYYY-MM-DD.") from None


def parse_period(options: dict) -> tuple[Unit, date, date]:
    start = parse_day(options["start"], "Ngày đầu kỳ")
    end = parse_day(options["end"], "Ngày cuối kỳ")
    # The unit bearing the code at the end of the period (codes are reused after 1/7/2025).
    unit = unit_get_by_code(code=options["unit"], on=end)
    if unit is None:
        raise CommandError(f"Không tìm thấy đơn vị có mã “{options['unit']}”.")
    if end < start:
        raise CommandError("Ngày cuối kỳ phải bằng hoặc sau ngày đầu kỳ.")
    return unit, start, end


def domain_call(function, **kwargs):
    """Run a selector; a domain error becomes a CommandError with its Vietnamese message."""
    try:
        return function(**kwargs)
    except DomainError as exc:
        raise CommandError(exc.message) from None


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=json_plain)
