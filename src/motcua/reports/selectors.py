"""Report data as plain JSON-ready dicts: what the commands print and what the API and the dashboard
serve. Shapes are contracts, documented in docs/reports.md."""

import unicodedata
from collections.abc import Iterable
from datetime import date

from motcua.catalog.models import Field
from motcua.core.errors import DomainError
from motcua.core.replica import figures_read
from motcua.indicators.selectors import (
    RATE_COLUMNS,
    Rate,
    below_target,
    form06_figures,
    rates_with_children,
)
from motcua.units.models import Unit, UnitLevel
from motcua.units.selectors import unit_get_by_code, unit_predecessors

# Form 06 groups its rows by level, department → district → commune (docs/domain.md §9); the province and
# the service centres rarely file dossiers themselves but must not vanish when they do.
FORM06_LEVELS: tuple[str, ...] = (
    UnitLevel.PROVINCE,
    UnitLevel.DEPARTMENT,
    UnitLevel.DISTRICT,
    UnitLevel.COMMUNE,
    UnitLevel.CENTRE,
)
FORM06_KEYS: tuple[str, ...] = (
    "received_total",
    "received_online",
    "received_direct_or_postal",
    "carried_over",
    "resolved_total",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "in_progress_total",
    "in_progress_within_deadline",
    "in_progress_overdue",
)


# Vietnamese dictionary order: letters with breve, circumflex, horn and đ are letters of their own;
# tones only break ties, in the order none, huyền, hỏi, ngã, sắc, nặng.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def vietnamese_sort_key(text: str) -> tuple:
    """Sort key putting "Đất đai" after "Chứng thực" and before "Hộ tịch" (code points would put
    it after "Z")."""
    letters, tones = [], []
    for char in unicodedata.normalize("NFC", text.lower()):
        parts = unicodedata.normalize("NFD", char)
        tone = next((_TONES[p] for p in parts if p in _TONES), 0)
        letter = unicodedata.normalize("NFC", "".join(p for p in parts if p not in _TONES))
        rank = _ALPHABET.find(letter)
        letters.append((0, rank) if rank >= 0 else (1, ord(letter[0]) if letter else 0))
        tones.append(tone)
    return (tuple(letters), tuple(tones))


class Form06Inconsistent(DomainError):
    """The counters broke a form-06 identity: a bug upstream, never something to print as is."""

    code = "form06_inconsistent"


def _unit_dict(unit: Unit) -> dict:
    return {"code": unit.code, "name": unit.name}


def _rates_dict(rates: dict[str, Rate]) -> dict:
    return {str(metric): rates[metric].as_dict() for metric in RATE_COLUMNS}


@figures_read
def rates_report(*, unit: Unit, start: date, end: date, with_predecessors: bool = False) -> dict:
    """The four rates of the unit and of each direct child, and every unit missing its target.
    `with_predecessors`: each unit with the history of the units it succeeded (docs/units.md)."""
    data = rates_with_children(unit=unit, start=start, end=end, with_predecessors=with_predecessors)
    misses = below_target(unit=unit, start=start, end=end, flows=data["flows"])
    return {
        "unit": _unit_dict(unit),
        "from": start.isoformat(),
        "to": end.isoformat(),
        **(
            {"with_predecessors": [_unit_dict(u) for u in unit_predecessors(unit=unit)]}
            if with_predecessors
            else {}
        ),
        "rates": _rates_dict(data["rates"]),
        "children": [
            {"unit": _unit_dict(child["unit"]), "rates": _rates_dict(child["rates"])}
            for child in data["children"]
        ],
        "below_target": [
            {
                "unit": miss["unit"].code,
                "name": miss["unit"].name,
                "metric": str(miss["metric"]),
                "percent": float(miss["percent"]),
                "target": float(miss["target"]),
            }
            for miss in misses
        ],
    }


def units_by_code(*, codes: Iterable[str], on: date) -> dict[str, Unit]:
    """The unit each code names on `on` (a report's last day): codes are reused after 1/7/2025,
    so "11074" is the old town before and the new commune after (`unit_get_by_code`'s rule)."""
    found = {}
    for code in set(codes):
        unit = unit_get_by_code(code=code, on=on)
        if unit is not None:
            found[code] = unit
    return found


def form06_check(*, figures: dict, where: str) -> None:
    """Raise unless the four identities of form 06 hold (col 3 = 4+5+6 = 7+11; 7 = 8+9+10;
    11 = 12+13) and no cell is negative."""
    f = figures
    broken = []
    if (
        f["received_total"]
        != f["received_online"] + f["received_direct_or_postal"] + f["carried_over"]
    ):
        broken.append("(3) = (4) + (5) + (6)")
    if f["received_total"] != f["resolved_total"] + f["in_progress_total"]:
        broken.append("(3) = (7) + (11)")
    if f["resolved_total"] != f["resolved_early"] + f["resolved_on_time"] + f["resolved_late"]:
        broken.append("(7) = (8) + (9) + (10)")
    if f["in_progress_total"] != f["in_progress_within_deadline"] + f["in_progress_overdue"]:
        broken.append("(11) = (12) + (13)")
    if any(f[key] < 0 for key in FORM06_KEYS):
        broken.append("không có ô âm")
    if broken:
        raise Form06Inconsistent(
            f"Số liệu Biểu 06 không khớp ở {where}: sai {', '.join(broken)}. "
            "Cần chạy `motcua indicators rebuild` rồi lập lại báo cáo.",
            details={"where": where, "broken": broken, "figures": dict(f)},
        )


@figures_read
def form06_report(*, unit: Unit, start: date, end: date) -> dict:
    """Form 06 (Biểu số 06/VPCP/KSTT) for the unit's subtree: one row per (level, field), levels in
    FORM06_LEVELS order, fields in Vietnamese alphabetical order, numbered from 1 within each level; plus the total."""
    figures = form06_figures(
        unit=unit, start=start, end=end, group_by=("unit__level", "procedure__field_id")
    )
    fields = Field.objects.in_bulk({field_id for _, field_id in figures})
    level_rank = {level: i for i, level in enumerate(FORM06_LEVELS)}
    keys = sorted(
        figures,
        key=lambda k: (
            level_rank.get(k[0], len(level_rank)),
            k[0],
            vietnamese_sort_key(fields[k[1]].name),
            k[1],
        ),
    )
    rows: list[dict] = []
    total = dict.fromkeys(FORM06_KEYS, 0)
    number, previous_level = 0, None
    for level, field_id in keys:
        number = number + 1 if level == previous_level else 1
        previous_level = level
        values = figures[(level, field_id)].as_dict()
        field_name = fields[field_id].name
        form06_check(figures=values, where=f"dòng “{field_name}” ({level})")
        rows.append({"level": level, "field": field_name, "no": number, **values})
        for key in FORM06_KEYS:
            total[key] += values[key]
    form06_check(figures=total, where="dòng tổng cộng")
    return {"rows": rows, "total": total}
