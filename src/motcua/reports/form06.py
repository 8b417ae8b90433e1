"""Form 06 (Biểu số 06/VPCP/KSTT, Circular 01/2020/TT-VPCP) rendered in its official layout, as an
Excel workbook (openpyxl) and as a PDF (WeasyPrint), from one `form06_report` dict."""

import io
import logging
from dataclasses import dataclass
from datetime import date

from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from motcua.core.formatting import date_vi, number_vi
from motcua.indicators.rules import count_withdrawn, form06_policy
from motcua.reports.selectors import FORM06_KEYS, FORM06_LEVELS, form06_check
from motcua.units.models import Unit

FORM_NUMBER = "Biểu số 06/VPCP/KSTT"
TITLE = (
    "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ "
    "TRỰC TIẾP GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
)
LEVEL_TITLES = {
    "province": "Cấp tỉnh",
    "department": "Cấp sở, ban, ngành, phòng chuyên môn",
    "district": "Cấp huyện",
    "commune": "Cấp xã",
    "centre": "Trung tâm Phục vụ hành chính công, Bộ phận Một cửa",
}
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")
RECEIVED, RESOLVED, IN_PROGRESS = (
    "Số hồ sơ nhận giải quyết",
    "Số hồ sơ đã giải quyết",
    "Số hồ sơ đang giải quyết",
)
# Headings of columns 3–13, in FORM06_KEYS order; 4–6 sit under "Trong đó".
SUB_HEADINGS = (
    "Tổng số",
    "Trực tuyến",
    "Trực tiếp hoặc dịch vụ bưu chính",
    "Từ kỳ trước chuyển qua",
    "Tổng số",
    "Trả trước hạn",
    "Trả đúng hạn",
    "Trả quá hạn",
    "Tổng số",
    "Trong hạn",
    "Quá hạn",
)
IN_WHICH = "Trong đó"
SIGNERS = (
    ("NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)"),
    ("THỦ TRƯỞNG ĐƠN VỊ", "(Ký tên, đóng dấu)"),
)
DATE_LINE = "……………, ngày …… tháng …… năm ………"


@dataclass(frozen=True)
class Line:
    kind: str  # "group" | "field" | "total"
    no: str
    label: str
    values: tuple[int, ...]


def form06_lines(*, report: dict) -> list[Line]:
    """The table body: per level a heading line carrying the level's subtotal, its field lines,
    and the total line last."""
    lines: list[Line] = []
    present = [level for level in FORM06_LEVELS if any(r["level"] == level for r in report["rows"])]
    present += sorted({r["level"] for r in report["rows"]} - set(present))
    for index, level in enumerate(present):
        rows = [r for r in report["rows"] if r["level"] == level]
        subtotal = {key: sum(r[key] for r in rows) for key in FORM06_KEYS}
        title = LEVEL_TITLES.get(level, level)
        form06_check(figures=subtotal, where=f"nhóm “{title}”")
        lines.append(
            Line("group", ROMAN[index], title.upper(), tuple(subtotal[k] for k in FORM06_KEYS))
        )
        lines += [
            Line("field", str(r["no"]), r["field"], tuple(r[k] for k in FORM06_KEYS)) for r in rows
        ]
    lines.append(Line("total", "", "TỔNG CỘNG", tuple(report["total"][k] for k in FORM06_KEYS)))
    return lines


def form06_policy_note() -> str:
    """The counting choices in force where they differ from the defaults (docs/reports.md,
    "Counting policies"), printed under the table so a reader knows how the figures were counted;
    empty under the defaults."""
    policy = form06_policy()
    choices = []
    if policy.supplement_waiting == "within_deadline":
        choices.append("hồ sơ chờ bổ sung tính là đang giải quyết trong hạn")
    if policy.stopped == "in_progress":
        choices.append("hồ sơ dừng xử lý tính là đang giải quyết trong hạn")
    if count_withdrawn():
        choices.append("hồ sơ công dân rút tính là đã giải quyết")
    if policy.lateness == "date":
        choices.append("đúng hạn, quá hạn so theo ngày")
    return f"Ghi chú cách tính: {'; '.join(choices)}." if choices else ""


def form06_period(*, start: date, end: date) -> str:
    return f"Kỳ báo cáo: từ ngày {date_vi(start)} đến ngày {date_vi(end)}"


# --- Excel ----------------------------------------------------------------------------------------

FONT = "Times New Roman"
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
WIDTHS = (6, 38, *(11,) * 11)
HEAD_TOP = 7  # first of the three header rows; the 1–13 row follows them


def _put(ws, cell: str, value, *, bold=False, italic=False, size=12, align=CENTRE, merge=None):
    ws[cell] = value
    ws[cell].font = Font(name=FONT, size=size, bold=bold, italic=italic)
    ws[cell].alignment = align
    if merge:
        ws.merge_cells(f"{cell}:{merge}")


def form06_xlsx(*, report: dict, unit: Unit, start: date, end: date) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Biểu 06"
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    right = Alignment(horizontal="right", vertical="center")

    _put(ws, "A1", unit.name.upper(), bold=True, merge="D1")
    _put(ws, "K1", FORM_NUMBER, bold=True, merge="M1")
    _put(ws, "A3", TITLE, bold=True, size=13, merge="M3")
    ws.row_dimensions[3].height = 36
    _put(ws, "A4", form06_period(start=start, end=end), italic=True, merge="M4")
    _put(ws, "A5", f"Đơn vị báo cáo: {unit.name}", align=left, merge="F5")
    _put(ws, "J5", "Đơn vị tính: hồ sơ", italic=True, align=right, merge="M5")

    top, mid, low, numbers = HEAD_TOP, HEAD_TOP + 1, HEAD_TOP + 2, HEAD_TOP + 3
    _put(ws, f"A{top}", "STT", bold=True, merge=f"A{low}")
    _put(ws, f"B{top}", "Lĩnh vực giải quyết", bold=True, merge=f"B{low}")
    for first, last, text in (("C", "F", RECEIVED), ("G", "J", RESOLVED), ("K", "M", IN_PROGRESS)):
        _put(ws, f"{first}{top}", text, bold=True, merge=f"{last}{top}")
    _put(ws, f"D{mid}", IN_WHICH, bold=True, merge=f"F{mid}")
    for i, heading in enumerate(SUB_HEADINGS):
        letter = get_column_letter(3 + i)
        if letter in "DEF":
            _put(ws, f"{letter}{low}", heading, bold=True)
        else:
            _put(ws, f"{letter}{mid}", heading, bold=True, merge=f"{letter}{low}")
    for col in range(1, 14):
        _put(ws, f"{get_column_letter(col)}{numbers}", col, italic=True)
    ws.row_dimensions[mid].height = 20
    ws.row_dimensions[low].height = 48

    row = numbers
    for line in form06_lines(report=report):
        row += 1
        strong = line.kind != "field"
        _put(ws, f"A{row}", line.no, bold=strong)
        _put(ws, f"B{row}", line.label, bold=strong, align=left)
        for i, value in enumerate(line.values):
            cell = f"{get_column_letter(3 + i)}{row}"
            _put(ws, cell, value, bold=strong)
            ws[cell].number_format = "#,##0"
    for line_cells in ws.iter_rows(min_row=top, max_row=row, min_col=1, max_col=13):
        for cell in line_cells:
            cell.border = BOX

    if note := form06_policy_note():
        row += 1
        _put(ws, f"A{row}", note, italic=True, align=left, merge=f"M{row}")
    row += 2
    _put(ws, f"I{row}", DATE_LINE, italic=True, merge=f"M{row}")
    row += 1
    for (title, note), (first, last) in zip(SIGNERS, (("A", "E"), ("I", "M")), strict=True):
        _put(ws, f"{first}{row}", title, bold=True, merge=f"{last}{row}")
        _put(ws, f"{first}{row + 1}", note, italic=True, merge=f"{last}{row + 1}")

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left, ws.page_margins.right = 0.6, 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.6
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = f"{top}:{numbers}"  # headers repeat on every printed page
    ws.freeze_panes = f"C{numbers + 1}"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- PDF ------------------------------------------------------------------------------------------


def form06_html(*, report: dict, unit: Unit, start: date, end: date) -> str:
    lines = [
        {
            "kind": line.kind,
            "no": line.no,
            "label": line.label,
            "cells": map(number_vi, line.values),
        }
        for line in form06_lines(report=report)
    ]
    return render_to_string(
        "reports/form06.html",
        {
            "unit": unit,
            "form_number": FORM_NUMBER,
            "title": TITLE,
            "period": form06_period(start=start, end=end),
            "received": RECEIVED,
            "resolved": RESOLVED,
            "in_progress": IN_PROGRESS,
            "in_which": IN_WHICH,
            "sub": SUB_HEADINGS,
            "numbers": range(1, 14),
            "lines": lines,
            "signers": SIGNERS,
            "date_line": DATE_LINE,
            "policy_note": form06_policy_note(),
        },
    )


def form06_pdf(*, report: dict, unit: Unit, start: date, end: date) -> bytes:
    # WeasyPrint logs every step (its import included) at INFO, drowning the command's output.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from weasyprint import HTML  # heavy import (Pango, fonts): only when a PDF is asked for

    html = form06_html(report=report, unit=unit, start=start, end=end)
    return HTML(string=html).write_pdf()
