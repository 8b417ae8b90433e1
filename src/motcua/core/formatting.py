"""Vietnamese number and date style for every text, report and export (docs/domain.md §8): decimal comma,
two decimals at most, trailing zeros dropped (99,56 %; 24 %; 25,5 %), dates dd/mm/yyyy."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from motcua.core.timeutil import to_local

NO_DATA = "không có dữ liệu"


def number_vi(value: Decimal | float | int | None, *, decimals: int = 2) -> str:
    """12345.5 → "12.345,5"; None → "không có dữ liệu"."""
    if value is None:
        return NO_DATA
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    integer, _, fraction = f"{abs(rounded):f}".partition(".")
    fraction = fraction.rstrip("0")
    grouped = f"{int(integer):,}".replace(",", ".")
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def percent_vi(value: Decimal | float | int | None, *, space: bool = False) -> str:
    """99.56 → "99,56%" (or "99,56 %" with `space`); None → "không có dữ liệu"."""
    if value is None:
        return NO_DATA
    return number_vi(value) + (" %" if space else "%")


def count_vi(value: int, *, width: int = 2) -> str:
    """Counts in running text are written with a leading zero: 6 → "06" (as directives do)."""
    return f"{value:0{width}d}"


def date_vi(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.strftime("%d/%m/%Y")


def datetime_vi(value: datetime | None) -> str:
    if value is None:
        return ""
    return to_local(value).strftime("%d/%m/%Y %H:%M")


def json_plain(value):
    """`json.dumps(default=...)` for figures: whole Decimals as ints, others as floats, dates in
    ISO 8601 — the shape the commands' `--json` and the API print alike."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
