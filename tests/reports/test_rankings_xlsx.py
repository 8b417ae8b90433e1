"""The rankings spreadsheet: numbers stay numbers with two decimals, headings readable and frozen."""

import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from motcua.reports.rankings import HEADINGS, rankings_xlsx


def test_rankings_sheet_keeps_numbers_formatted(tree):
    rows = [
        {
            "rank": 1,
            "unit": {"code": "11143", "name": "UBND xã Tiên Động"},
            "points": Decimal("43.94"),
            "max_available": Decimal("66.00"),
            "percent_of_available": Decimal("66.58"),
            "band": "Khá",
        },
        {
            "rank": 2,
            "unit": {"code": "11140", "name": "UBND xã Cộng Lạc"},
            "points": Decimal("20"),
            "max_available": Decimal("0"),
            "percent_of_available": None,
            "band": None,
        },
    ]
    content = rankings_xlsx(
        unit=tree.district, start=date(2024, 3, 1), end=date(2024, 3, 31), rows=rows
    )
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A1"].value.startswith("Xếp hạng đơn vị theo Bộ chỉ số 766 — UBND huyện Tứ Kỳ")
    assert tuple(c.value for c in sheet[2]) == HEADINGS
    assert [c.value for c in sheet[3]] == [
        1,
        "11143",
        "UBND xã Tiên Động",
        43.94,
        66.0,
        66.58,
        "Khá",
    ]
    assert [c.value for c in sheet[4]] == [2, "11140", "UBND xã Cộng Lạc", 20.0, 0.0, None, None]
    assert {sheet.cell(row=r, column=c).number_format for r in (3, 4) for c in (4, 5, 6)} == {
        "0.00"
    }
    assert sheet.column_dimensions["C"].width >= 40  # unit names are long
    assert sheet.freeze_panes == "A3"


def test_units_without_data_are_listed_apart_below_the_ranked(tree):
    row = {
        "unit": {"code": "298-TP", "name": "Phòng Tư pháp huyện Tứ Kỳ"},
        "points": Decimal("66"),
        "max_available": Decimal("66"),
        "percent_of_available": Decimal("100"),
    }
    rows = [
        {**row, "rank": None, "band": None, "no_data": True},
        {
            **row,
            "unit": {"code": "11143", "name": "UBND xã Tiên Động"},
            "rank": 1,
            "band": "Yếu",
            "points": Decimal("31.83"),
            "percent_of_available": Decimal("48.23"),
            "no_data": False,
        },
    ]
    content = rankings_xlsx(
        unit=tree.district, start=date(2024, 3, 1), end=date(2024, 3, 31), rows=rows
    )
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A3"].value == 1 and sheet["B3"].value == "11143"
    assert sheet["A4"].value.startswith("Chưa có dữ liệu (không xếp hạng)")
    assert [c.value for c in sheet[5]] == [
        None,
        "298-TP",
        "Phòng Tư pháp huyện Tứ Kỳ",
        66.0,
        66.0,
        100.0,
        "Chưa có dữ liệu",
    ]
