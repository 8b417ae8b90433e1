"""The exports open in LibreOffice: form 06 (.xlsx, read back as CSV and printed to PDF) and the brief
(.docx, read back as text), each made by the commands from a small real data set, then opened in
headless LibreOffice (`soffice`, tests/conftest.py) and compared with what the code meant to write.
Skipped without `soffice`; CI installs it (.ci/run)."""

import csv
import io
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from motcua.indicators.models import Target
from motcua.reports.brief import brief_paragraphs
from motcua.reports.form06 import FORM_NUMBER, TITLE, form06_lines, form06_period
from motcua.reports.selectors import FORM06_KEYS, form06_report, rates_report
from tests.conftest import local, needs_soffice
from tests.reports.conftest import pay_online, receive, resolve

pytestmark = [pytest.mark.django_db, needs_soffice]

MARCH = {"start": date(2024, 3, 1), "end": date(2024, 3, 31)}
EMPTY = {"start": date(2020, 1, 1), "end": date(2020, 1, 31)}
# The CSV export filter: comma, double quote, UTF-8 (LibreOffice's encoding number 76).
CSV_UTF8 = "csv:Text - txt - csv (StarCalc):44,34,76"  # no shell here: no quotes
TXT_UTF8 = "txt:Text (encoded):UTF8"


@pytest.fixture
def march(tree, communes, crew, procedures):
    """Dossiers in every level and three fields, some resolved (early, late), some open, one carried
    over from February; one fee paid online, in Tiên Động: Cộng Lạc and Hà Kỳ miss a 30 % target."""
    birth = procedures.birth
    a = receive(crew, tree.tien_dong, birth, local(2024, 3, 4, 8, 0), online=True)
    resolve(crew, a, local(2024, 3, 4, 10, 0))
    b = receive(crew, tree.tien_dong, birth, local(2024, 3, 5, 8, 0), digitized=True)
    pay_online(b, local(2024, 3, 5, 8, 5))
    receive(crew, tree.cong_lac, birth, local(2024, 3, 6, 8, 0))
    receive(crew, tree.cong_lac, procedures.certification, local(2024, 3, 29, 14, 0))
    receive(crew, communes.ha_ky, birth, local(2024, 3, 12, 8, 0))
    c = receive(crew, communes.ha_ky, birth, local(2024, 2, 29, 8, 0))
    resolve(crew, c, local(2024, 3, 5, 9, 0))
    d = receive(crew, tree.justice, procedures.extract, local(2024, 3, 11, 8, 0))
    resolve(crew, d, local(2024, 3, 11, 15, 0))
    receive(crew, tree.district, procedures.land, local(2024, 3, 20, 8, 0))
    Target.objects.create(
        metric="online_payment",
        percent=30,
        unit=tree.district,
        level="commune",
        valid_from=date(2024, 1, 1),
        valid_to=date(2024, 12, 31),
    )
    return tree


def form06_file(tmp_path: Path, unit_code: str, period: dict, fmt: str = "xlsx") -> Path:
    path = tmp_path / f"bieu-06-{unit_code}-{period['start']:%Y%m%d}.{fmt}"
    call_command(
        "report", "form06", "--unit", unit_code,
        "--from", period["start"].isoformat(), "--to", period["end"].isoformat(),
        "--format", fmt, "--out", str(path), stdout=io.StringIO(),
    )  # fmt: skip
    return path


def poppler(*args) -> str:
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True).stdout


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def cells(rows: list[list[str]], row: int, first: str, last: str) -> list[str]:
    """Cells first..last (column letters) of a 1-based sheet row, blank past the end of the line."""
    line = rows[row - 1] if row <= len(rows) else []
    line = line + [""] * (26 - len(line))
    return line[ord(first) - ord("A") : ord(last) - ord("A") + 1]


def test_form06_xlsx_reads_back_in_libreoffice(march, soffice, tmp_path):
    """Three workbooks in one LibreOffice start: the district, a commune, and an empty period."""
    cases = [(march.district, MARCH), (march.cong_lac, MARCH), (march.district, EMPTY)]
    paths = [form06_file(tmp_path, unit.code, period) for unit, period in cases]
    sheets = [read_csv(path) for path in soffice(paths, to=CSV_UTF8)]

    for (unit, period), rows in zip(cases, sheets, strict=True):
        report = form06_report(unit=unit, **period)
        # The heading block, diacritics intact (merged cells keep their text in the first cell).
        assert cells(rows, 1, "A", "A") == [unit.name.upper()]
        assert cells(rows, 1, "K", "K") == [FORM_NUMBER]
        assert cells(rows, 3, "A", "A") == [TITLE]
        assert cells(rows, 4, "A", "A") == [form06_period(**period)]
        assert cells(rows, 5, "A", "A") == [f"Đơn vị báo cáo: {unit.name}"]
        assert cells(rows, 5, "J", "J") == ["Đơn vị tính: hồ sơ"]
        assert cells(rows, 7, "A", "M") == [
            "STT", "Lĩnh vực giải quyết",
            "Số hồ sơ nhận giải quyết", "", "", "",
            "Số hồ sơ đã giải quyết", "", "", "",
            "Số hồ sơ đang giải quyết", "", "",
        ]  # fmt: skip
        assert cells(rows, 9, "D", "F") == [
            "Trực tuyến",
            "Trực tiếp hoặc dịch vụ bưu chính",
            "Từ kỳ trước chuyển qua",
        ]
        assert cells(rows, 10, "A", "M") == [str(n) for n in range(1, 14)]
        # The body, line by line, as form06_lines meant it: numbers read back as the same numbers.
        lines = form06_lines(report=report)
        body = [cells(rows, 11 + i, "A", "M") for i in range(len(lines))]
        assert body == [[line.no, line.label, *map(str, line.values)] for line in lines]
        total = next(r for r in rows if len(r) > 1 and r[1] == "TỔNG CỘNG")
        assert [int(v) for v in total[2:13]] == [report["total"][k] for k in FORM06_KEYS]
        flat = {value for row in rows for value in row}
        assert {"NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ", "(Ký tên, đóng dấu)"} <= flat

    # The data set is not trivial: three levels in the district's report, a carried-over dossier,
    # and the empty period prints the total line alone.
    district = form06_report(unit=march.district, **MARCH)
    assert {r["level"] for r in district["rows"]} == {"department", "district", "commune"}
    assert district["total"]["carried_over"] == 1
    assert sheets[2][10][:3] == ["", "TỔNG CỘNG", "0"] and sheets[2][11] == [""] * 13


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext (poppler-utils)")
def test_form06_xlsx_prints_in_libreoffice(march, soffice, tmp_path):
    """LibreOffice honours the workbook's print setup (landscape A4, one page wide) and prints the
    text with its diacritics in one font family, no fallback font patched in."""
    (pdf,) = soffice([form06_file(tmp_path, "298", MARCH)], to="pdf")
    info = poppler("pdfinfo", pdf)
    assert "Pages:           1" in info
    size = info.split("Page size:")[1].split()
    assert (round(float(size[0])), round(float(size[2]))) == (842, 595)  # A4 landscape, points
    text = poppler("pdftotext", "-layout", pdf, "-")
    flat = " ".join(text.split())
    for expected in (
        "UBND HUYỆN TỨ KỲ",
        FORM_NUMBER,
        TITLE,
        form06_period(**MARCH),
        "Đơn vị báo cáo: UBND huyện Tứ Kỳ",
        "Đơn vị tính: hồ sơ",
        "Số hồ sơ nhận giải quyết",
        "Số hồ sơ đang giải quyết",
        "CẤP SỞ, BAN, NGÀNH, PHÒNG CHUYÊN",  # "MÔN" wraps onto the next line
        "CẤP HUYỆN",
        "Đất đai",
        "CẤP XÃ",
        "Chứng thực",
        "Hộ tịch",
        "NGƯỜI LẬP BIỂU",
        "THỦ TRƯỞNG ĐƠN VỊ",
    ):
        assert expected in flat, expected
    report = form06_report(unit=march.district, **MARCH)
    total_line = next(line for line in text.splitlines() if "TỔNG CỘNG" in line)
    assert total_line.split()[2:] == [str(report["total"][k]) for k in FORM06_KEYS]
    if shutil.which("pdffonts"):
        fonts = poppler("pdffonts", pdf).splitlines()[2:]
        # "BAAAAA+LiberationSerif-Bold" → "LiberationSerif": Times New Roman or its stand-in.
        families = {line.split()[0].split("+")[-1].split("-")[0] for line in fonts}
        assert len(families) == 1, families


def test_brief_docx_reads_back_in_libreoffice(march, soffice, tmp_path):
    """The brief with misses (three paragraphs) and one of a period without data (one paragraph)."""
    cases = [MARCH, EMPTY]
    paths = []
    for period in cases:
        path = tmp_path / f"bao-cao-tom-tat-{period['start']:%Y%m%d}.docx"
        call_command(
            "brief", "--unit", "298",
            "--from", period["start"].isoformat(), "--to", period["end"].isoformat(),
            "--docx", str(path), stdout=io.StringIO(),
        )  # fmt: skip
        paths.append(path)
    texts = [path.read_text(encoding="utf-8-sig") for path in soffice(paths, to=TXT_UTF8)]

    for period, text in zip(cases, texts, strict=True):
        expected = brief_paragraphs(report=rates_report(unit=march.district, **period))
        assert [p for p in text.splitlines() if p.strip()] == expected
    misses = brief_paragraphs(report=rates_report(unit=march.district, **MARCH))
    assert len(misses) == 3
    assert "ở 02 xã đạt tỷ lệ thấp, chưa đạt chỉ tiêu 30% (Cộng Lạc 0%; Hà Kỳ 0%)" in misses[1]
