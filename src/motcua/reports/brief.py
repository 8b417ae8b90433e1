"""The narrative brief: the paragraphs a People's Committee directive quotes about the four rates
(the seed directive's register), drafted from a `rates_report` dict, and the same as a .docx draft."""

import io
import re
from collections import Counter
from collections.abc import Mapping
from datetime import date

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from motcua.core.formatting import count_vi, percent_vi
from motcua.indicators.selectors import RATE_COLUMNS
from motcua.reports.selectors import units_by_code
from motcua.units.models import Unit, UnitLevel

# How a directive names each rate in running text.
METRIC_PHRASES: dict[str, str] = {
    "online_dossiers": "tỷ lệ hồ sơ trực tuyến",
    "full_digitization": "tỷ lệ số hóa đầy đủ thành phần hồ sơ",
    "result_digitization": "tỷ lệ số hóa kết quả giải quyết",
    "online_payment": "tỷ lệ thanh toán trực tuyến",
}
# What the closing sentence asks of the units that miss a target, per metric.
METRIC_REMEDIES: dict[str, str] = {
    "online_dossiers": "tăng cường hướng dẫn, hỗ trợ tổ chức, cá nhân nộp hồ sơ trực tuyến",
    "full_digitization": "thực hiện số hóa đầy đủ thành phần hồ sơ ngay khi tiếp nhận",
    "result_digitization": "số hóa đầy đủ kết quả giải quyết thủ tục hành chính",
    "online_payment": "đẩy mạnh hướng dẫn tổ chức, cá nhân thanh toán phí, lệ phí trực tuyến",
}
NO_DATA = "chưa có dữ liệu"

_COMMUNE_KINDS = ("xã", "phường", "thị trấn", "đặc khu")
_DISTRICT_KINDS = ("huyện", "quận", "thị xã", "thành phố")
_PEOPLES_COMMITTEE = re.compile(r"^\s*(ubnd|ủy ban nhân dân|uỷ ban nhân dân)\s+", re.IGNORECASE)


def date_directive(day: date) -> str:
    """Dates as directives write them (Decree 30/2020): a leading zero only for days below 10 and
    for months 1 and 2 — "01/01/2023", "29/9/2023"."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{day.day:02d}/{month}/{day.year}"


def _bare_name(unit: Unit) -> str:
    """The name without "UBND"/"Ủy ban nhân dân": "xã Cộng Lạc"."""
    return _PEOPLES_COMMITTEE.sub("", unit.name)


def unit_kind(unit: Unit) -> str:
    """The kind word a directive uses for the unit: xã, phường, thị trấn, huyện, tỉnh, đơn vị…"""
    bare = _bare_name(unit).lower()
    if unit.level == UnitLevel.COMMUNE:
        choices, default = _COMMUNE_KINDS, "xã"
    elif unit.level == UnitLevel.DISTRICT:
        choices, default = _DISTRICT_KINDS, "huyện"
    elif unit.level == UnitLevel.PROVINCE:
        choices, default = ("thành phố",), "tỉnh"
    else:
        return "đơn vị"
    # Longest first, so "thị xã" is not read as "thị".
    for kind in sorted(choices, key=len, reverse=True):
        if bare.startswith(kind + " "):
            return kind
    return default


def unit_short(unit: Unit) -> str:
    """The short name ("Cộng Lạc"): the recorded one, else the name without "UBND xã"."""
    if unit.short_name:
        return unit.short_name
    bare = _bare_name(unit)
    kind = unit_kind(unit)
    if kind != "đơn vị" and bare.lower().startswith(kind + " "):
        return bare[len(kind) + 1 :].strip()
    return unit.name


def kinds_word(units: list[Unit]) -> str:
    """One word for a group: "xã"; mixed communes "xã, thị trấn"; anything else "đơn vị"."""
    kinds = {unit_kind(u) for u in units}
    if len(kinds) == 1:
        return kinds.pop()
    if kinds <= set(_COMMUNE_KINDS):
        return ", ".join(k for k in _COMMUNE_KINDS if k in kinds)
    return "đơn vị"


def _achieved(percent: float | None) -> str:
    return NO_DATA if percent is None else f"đạt {percent_vi(percent)}"


def _overview(report: Mapping, unit: Unit) -> str:
    start = date.fromisoformat(report["from"])
    end = date.fromisoformat(report["to"])
    parts = []
    for i, metric in enumerate(RATE_COLUMNS):
        phrase = METRIC_PHRASES[metric]
        if i == 0:
            phrase += f" của {unit_kind(unit)}"
        parts.append(f"{phrase} {_achieved(report['rates'][metric]['percent'])}")
    return (
        f"Từ ngày {date_directive(start)} đến ngày {date_directive(end)}, " + "; ".join(parts) + "."
    )


def _misses_by_metric(report: Mapping) -> dict[tuple[str, float], list[dict]]:
    """below_target grouped by (metric, target), metrics in the report's order, rates ascending."""
    order = {metric: i for i, metric in enumerate(RATE_COLUMNS)}
    groups: dict[tuple[str, float], list[dict]] = {}
    for miss in sorted(
        report["below_target"],
        key=lambda m: (order.get(m["metric"], len(order)), m["target"], m["percent"]),
    ):
        groups.setdefault((miss["metric"], miss["target"]), []).append(miss)
    return groups


def _listing(misses: list[dict], units: Mapping[str, Unit]) -> str:
    """ "Dân Chủ 19,44%; Cộng Lạc 24%"; in a mixed group the odd ones carry their kind word
    ("…; thị trấn Tứ Kỳ 25%")."""
    counts = Counter(unit_kind(units[m["unit"]]) for m in misses)
    usual = max(counts, key=lambda kind: (counts[kind], kind == "xã"))  # a tie goes to "xã"
    parts = []
    for miss in misses:
        unit = units[miss["unit"]]
        kind = unit_kind(unit)
        name = unit_short(unit) if kind in (usual, "đơn vị") else f"{kind} {unit_short(unit)}"
        parts.append(f"{name} {percent_vi(miss['percent'])}")
    return "; ".join(parts)


def _closing(misses: list[dict], units: Mapping[str, Unit]) -> str:
    missing = list({m["unit"]: units[m["unit"]] for m in misses}.values())
    if len(missing) == 1:
        who = missing[0].name
    else:
        word = kinds_word(missing)
        who = "các đơn vị nêu trên" if word == "đơn vị" else f"UBND các {word} nêu trên"
    metrics = [metric for metric in RATE_COLUMNS if any(m["metric"] == metric for m in misses)]
    remedies = "; ".join(METRIC_REMEDIES[metric] for metric in metrics)
    return (
        f"Đề nghị {who} nghiêm túc rút kinh nghiệm, làm rõ nguyên nhân và có giải pháp khắc phục "
        f"ngay; {remedies}; phấn đấu hoàn thành chỉ tiêu được giao trong thời gian tới."
    )


def brief_paragraphs(*, report: Mapping, units: Mapping[str, Unit] | None = None) -> list[str]:
    """The brief as paragraphs: the overall rates, one paragraph per metric (and target) that units
    miss, and what is asked of those units. `units` (code → Unit) saves the look-up of kinds and
    short names when the caller has them."""
    if units is None:
        codes = [report["unit"]["code"], *(m["unit"] for m in report["below_target"])]
        units = units_by_code(codes=codes, on=date.fromisoformat(report["to"]))
    paragraphs = [_overview(report, units[report["unit"]["code"]])]
    groups = _misses_by_metric(report)
    for (metric, target), misses in groups.items():
        bound = [units[m["unit"]] for m in misses]
        listing = _listing(misses, units)
        paragraphs.append(
            f"{METRIC_PHRASES[metric].capitalize()} ở {count_vi(len(misses))} {kinds_word(bound)} "
            f"đạt tỷ lệ thấp, chưa đạt chỉ tiêu {percent_vi(target)} ({listing})."
        )
    if groups:
        paragraphs.append(_closing(report["below_target"], units))
    return paragraphs


def brief_docx(*, report: Mapping, units: Mapping[str, Unit] | None = None) -> bytes:
    """The paragraphs as a .docx draft in the administrative-document style of Decree 30/2020:
    A4, margins 2/2/3/2 cm, Times New Roman 14 pt, justified, first line indented."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(14)
    # Word picks the font per script; set every slot so no run falls back to Calibri.
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), "Times New Roman")
    layout = normal.paragraph_format
    layout.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    layout.first_line_indent = Cm(1.27)
    layout.space_before, layout.space_after = Pt(0), Pt(6)
    layout.line_spacing = 1.15
    for text in brief_paragraphs(report=report, units=units):
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
