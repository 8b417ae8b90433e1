"""The units' ranking as a spreadsheet, ready to print or paste: numbers as numbers with two
decimals (shown with the reader's decimal comma), readable column widths, the heading frozen."""

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from motcua.core.formatting import date_vi
from motcua.scorecard.rankings import NO_DATA_LABEL
from motcua.units.models import Unit

HEADINGS = ("Hạng", "Mã", "Đơn vị", "Điểm", "Điểm tối đa có dữ liệu", "Tỷ lệ (%)", "Xếp loại")
WIDTHS = (7, 12, 42, 10, 14, 11, 14)
TWO_DECIMALS = "0.00"


def _line(row: dict, *, rank, band) -> list:
    percent = row["percent_of_available"]
    return [
        rank,
        row["unit"]["code"],
        row["unit"]["name"],
        float(row["points"]),
        float(row["max_available"]),
        float(percent) if percent is not None else None,
        band,
    ]


def rankings_xlsx(*, unit: Unit, start: date, end: date, rows: list[dict]) -> bytes:
    """`rows`: scorecard.rankings.units_rank's result for `unit` and the period."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Xếp hạng"
    sheet.append(
        [f"Xếp hạng đơn vị theo Bộ chỉ số 766 — {unit.name}, {date_vi(start)} – {date_vi(end)}"]
    )
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(list(HEADINGS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    ranked = [row for row in rows if not row.get("no_data")]
    unranked = [row for row in rows if row.get("no_data")]
    for row in ranked:
        sheet.append(_line(row, rank=row["rank"], band=row["band"]))
    if unranked:
        # Units without dossiers in the period are listed apart, never above the ranked ones.
        sheet.append([f"{NO_DATA_LABEL} (không xếp hạng): không có hồ sơ trong kỳ"])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        for row in unranked:
            sheet.append(_line(row, rank=None, band=NO_DATA_LABEL))
    for line in sheet.iter_rows(min_row=3, min_col=4, max_col=6):
        for cell in line:
            cell.number_format = TWO_DECIMALS
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[chr(ord("A") + index - 1)].width = width
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
