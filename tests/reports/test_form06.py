"""Form 06: JSON values on hand-computed data, the Excel and PDF layouts, and the four identities
over random counter data."""

import io
import json
import shutil
import subprocess
from collections import Counter, defaultdict
from datetime import date, timedelta

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.dossiers import services
from motcua.indicators.contributions import contribution
from motcua.indicators.counters import counters_add
from motcua.indicators.selectors import form06_figures
from motcua.reports.form06 import form06_pdf, form06_xlsx
from motcua.reports.selectors import (
    FORM06_KEYS,
    Form06Inconsistent,
    form06_check,
    form06_report,
    vietnamese_sort_key,
)
from tests.conftest import handed_in, local
from tests.reports.conftest import receive, resolve

pytestmark = pytest.mark.django_db

MARCH = {"start": date(2024, 3, 1), "end": date(2024, 3, 31)}


def figures(*values: int) -> dict[str, int]:
    return dict(zip(FORM06_KEYS, values, strict=True))


#        3  4  5  6  7  8  9 10 11 12 13
TOTAL = figures(7, 1, 5, 1, 4, 2, 1, 1, 3, 2, 1)
EXPECTED_ROWS = [
    {
        "level": "department",
        "field": "Hộ tịch",
        "no": 1,
        **figures(1, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0),
    },
    {"level": "district", "field": "Đất đai", "no": 1, **figures(1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0)},
    {
        "level": "commune",
        "field": "Chứng thực",
        "no": 1,
        **figures(1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0),
    },
    {"level": "commune", "field": "Hộ tịch", "no": 2, **figures(4, 1, 2, 1, 3, 1, 1, 1, 1, 0, 1)},
]


@pytest.fixture
def march(tree, crew, procedures):
    """Working day 08:00–17:00 with a lunch break; a one-day procedure received at 08:00 is due
    at 08:00 the next working day."""
    birth = procedures.birth
    # Tiên Động, Hộ tịch. A: received 29/2, open on 1/3 (carried over), resolved late 4/3.
    a = receive(crew, tree.tien_dong, birth, local(2024, 2, 29, 8, 0))
    resolve(crew, a, local(2024, 3, 4, 9, 0))
    # B: online, accepted 4/3 (due 5/3 08:00), still open on 31/3: overdue.
    receive(crew, tree.tien_dong, birth, local(2024, 3, 4, 8, 0), online=True)
    # C: received 5/3, resolved the same day: early.
    c = receive(crew, tree.tien_dong, birth, local(2024, 3, 5, 8, 0))
    resolve(crew, c, local(2024, 3, 5, 10, 0))
    # D (Cộng Lạc): received 6/3, resolved 7/3 07:45, before the 08:00 due moment: on time.
    d = receive(crew, tree.cong_lac, birth, local(2024, 3, 6, 8, 0))
    resolve(crew, d, local(2024, 3, 7, 7, 45))
    # E (Cộng Lạc, Chứng thực): received Friday 29/3 14:00, due Monday 1/4: within deadline.
    receive(crew, tree.cong_lac, procedures.certification, local(2024, 3, 29, 14, 0))
    # F (Phòng Tư pháp, Hộ tịch): received 11/3, resolved that afternoon: early.
    f = receive(crew, tree.justice, procedures.extract, local(2024, 3, 11, 8, 0))
    resolve(crew, f, local(2024, 3, 11, 15, 0))
    # G (UBND huyện, Đất đai, 30 days): received 20/3, open and within deadline.
    receive(crew, tree.district, procedures.land, local(2024, 3, 20, 8, 0))
    # Counting nowhere: withdrawn, never accepted, ended before the period, received after it.
    h = receive(crew, tree.tien_dong, birth, local(2024, 3, 6, 8, 0))
    services.dossier_withdraw(actor=crew.desk, dossier=h, reason="Rút", at=local(2024, 3, 6, 10))
    services.dossier_submit_online(
        unit=tree.cong_lac,
        procedure=birth,
        components=handed_in(birth),
        applicant=services.Applicant(name="Chờ duyệt"),
        at=local(2024, 3, 8, 9, 0),
    )
    k = receive(crew, tree.tien_dong, birth, local(2024, 2, 26, 8, 0))
    resolve(crew, k, local(2024, 2, 26, 10, 0))
    receive(crew, tree.cong_lac, birth, local(2024, 4, 1, 8, 0))
    return tree


def test_form06_json_values(march):
    report = form06_report(unit=march.district, **MARCH)
    assert set(report) == {"rows", "total"}
    assert report["rows"] == EXPECTED_ROWS
    assert report["total"] == TOTAL
    # The same as the ungrouped figures, and a commune's own report is its rows only.
    assert form06_figures(unit=march.district, **MARCH)[()].as_dict() == TOTAL
    own = form06_report(unit=march.cong_lac, **MARCH)
    assert [(r["field"], r["received_total"]) for r in own["rows"]] == [
        ("Chứng thực", 1),
        ("Hộ tịch", 1),
    ]


def test_form06_command_json(march, tmp_path):
    out = io.StringIO()
    args = ["form06", "--unit", "298", "--from", "2024-03-01", "--to", "2024-03-31"]
    call_command("report", *args, "--format", "json", stdout=out)
    assert json.loads(out.getvalue()) == {"rows": EXPECTED_ROWS, "total": TOTAL}
    path = tmp_path / "b06.json"
    call_command("report", *args, "--out", str(path), stdout=io.StringIO())
    assert json.loads(path.read_text())["total"] == TOTAL
    with pytest.raises(CommandError, match="Không tìm thấy đơn vị"):
        call_command(
            "report", "form06", "--unit", "x", "--from", "2024-03-01", "--to", "2024-03-31"
        )


def test_form06_empty_period(tree):
    report = form06_report(unit=tree.district, start=date(2020, 1, 1), end=date(2020, 1, 31))
    assert report == {"rows": [], "total": dict.fromkeys(FORM06_KEYS, 0)}
    form06_xlsx(report=report, unit=tree.district, start=date(2020, 1, 1), end=date(2020, 1, 31))


def test_form06_check_raises_on_a_broken_identity():
    good = figures(7, 1, 5, 1, 4, 2, 1, 1, 3, 2, 1)
    form06_check(figures=good, where="thử")
    for key, broken in [
        ("received_online", "(3) = (4) + (5) + (6)"),
        ("in_progress_total", "(3) = (7) + (11)"),
        ("resolved_late", "(7) = (8) + (9) + (10)"),
        ("in_progress_overdue", "(11) = (12) + (13)"),
    ]:
        with pytest.raises(Form06Inconsistent) as caught:
            form06_check(figures={**good, key: good[key] + 1}, where="thử")
        assert broken in caught.value.details["broken"]


def test_fields_sort_in_vietnamese_order():
    names = ["Hộ tịch", "Đất đai", "Chứng thực", "Ăn uống", "An ninh", "Bảo trợ xã hội"]
    assert sorted(names, key=vietnamese_sort_key) == [
        "An ninh",
        "Ăn uống",
        "Bảo trợ xã hội",
        "Chứng thực",
        "Đất đai",
        "Hộ tịch",
    ]


def test_form06_xlsx_layout(march):
    report = form06_report(unit=march.district, **MARCH)
    content = form06_xlsx(report=report, unit=march.district, **MARCH)
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {
        "A7:A9",
        "B7:B9",
        "C7:F7",
        "G7:J7",
        "K7:M7",
        "C8:C9",
        "D8:F8",
        "G8:G9",
        "M8:M9",
    } <= merged
    assert ws["C7"].value == "Số hồ sơ nhận giải quyết"
    assert ws["G7"].value == "Số hồ sơ đã giải quyết"
    assert ws["K7"].value == "Số hồ sơ đang giải quyết"
    assert [ws["D9"].value, ws["E9"].value, ws["F9"].value] == [
        "Trực tuyến",
        "Trực tiếp hoặc dịch vụ bưu chính",
        "Từ kỳ trước chuyển qua",
    ]
    assert [c.value for c in ws[10]][:13] == list(range(1, 14))
    assert ws["K1"].value == "Biểu số 06/VPCP/KSTT"
    assert ws["A4"].value == "Kỳ báo cáo: từ ngày 01/03/2024 đến ngày 31/03/2024"
    body = {
        ws.cell(row, 2).value: (
            ws.cell(row, 1).value,
            [ws.cell(row, c).value for c in range(3, 14)],
        )
        for row in range(11, ws.max_row + 1)
        if ws.cell(row, 2).value
    }
    assert body["CẤP SỞ, BAN, NGÀNH, PHÒNG CHUYÊN MÔN"][0] == "I"
    assert body["CẤP HUYỆN"][0] == "II"
    assert body["CẤP XÃ"] == ("III", [5, 1, 3, 1, 3, 1, 1, 1, 2, 1, 1])
    assert body["TỔNG CỘNG"][1] == [TOTAL[k] for k in FORM06_KEYS]
    texts = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert {"NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ"} <= texts
    assert any("ngày" in t and "tháng" in t and "năm" in t for t in texts)
    assert ws["C7"].font.name == "Times New Roman"
    assert ws["C11"].border.left.style == "thin"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.column_dimensions["B"].width > ws.column_dimensions["C"].width
    # How LibreOffice reads and prints the workbook: test_libreoffice.py.


def test_form06_xlsx_command_writes_a_file(march, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    call_command(
        "report", "form06", "--unit", "298", "--from", "2024-03-01", "--to", "2024-03-31",
        "--format", "xlsx", stdout=out,
    )  # fmt: skip
    path = tmp_path / "bieu-06-298-20240301-20240331.xlsx"
    assert str(path.name) in out.getvalue()
    assert openpyxl.load_workbook(path).active["A4"].value.startswith("Kỳ báo cáo")


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext (poppler-utils)")
def test_form06_pdf_text(march, tmp_path):
    report = form06_report(unit=march.district, **MARCH)
    path = tmp_path / "b06.pdf"
    call_command(
        "report", "form06", "--unit", "298", "--from", "2024-03-01", "--to", "2024-03-31",
        "--format", "pdf", "--out", str(path), stdout=io.StringIO(),
    )  # fmt: skip
    assert path.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    flat = " ".join(text.split())
    assert "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" in flat
    assert "Biểu số 06/VPCP/KSTT" in flat
    assert "Kỳ báo cáo: từ ngày 01/03/2024 đến ngày 31/03/2024" in flat
    assert "UBND HUYỆN TỨ KỲ" in flat
    assert "Số hồ sơ đang giải quyết" in flat
    assert "NGƯỜI LẬP BIỂU" in flat and "THỦ TRƯỞNG ĐƠN VỊ" in flat
    total_line = next(line for line in text.splitlines() if "TỔNG CỘNG" in line)
    assert total_line.split()[2:] == [str(report["total"][k]) for k in FORM06_KEYS]
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
        # Every glyph from the serif faces asked for: no fallback font patched in for a diacritic.
        names = [line.split()[0] for line in fonts.splitlines()[2:]]
        assert names
        assert all("Liberation-Serif" in n or "NotoSerif" in n for n in names), names


def test_form06_pdf_numbers_use_vietnamese_grouping(tree):
    report = {"rows": [], "total": figures(12345, 12000, 345, 0, 12345, 12345, 0, 0, 0, 0, 0)}
    pdf = form06_pdf(report=report, unit=tree.district, **MARCH)
    if not shutil.which("pdftotext"):
        pytest.skip("needs pdftotext (poppler-utils)")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, check=True, capture_output=True
    ).stdout.decode()
    assert "12.345" in text and "12.000" in text


# --- the four identities over random counter data -------------------------------------------------

# One dossier's life, relative to 1/3/2024: receipt day, online?, end (days after receipt) or
# None (still open), due (days after receipt), more than one supplement request?
lives = st.lists(
    st.tuples(
        st.sampled_from(["tien_dong", "cong_lac", "justice", "district"]),
        st.sampled_from(["birth", "certification", "land"]),
        st.integers(0, 40),
        st.booleans(),
        st.one_of(st.none(), st.integers(0, 20)),
        st.integers(0, 15),
        st.booleans(),
    ),
    max_size=25,
)


def counters_from(tree, procedures, plans) -> None:
    """Counter rows from the real counting rules (contributions.py), so the stock differences are
    consistent, without the cost of driving services."""
    total: dict = defaultdict(Counter)
    base = local(2024, 3, 1, 9, 0)
    for unit_name, procedure_name, received, online, ended, due, resupplied in plans:
        received_at = base + timedelta(days=received)
        facts = {
            "unit_id": getattr(tree, unit_name).pk,
            "procedure_id": getattr(procedures, procedure_name).pk,
            "state": 4 if ended is None else 10,
            "channel": 2 if online else 1,
            "received_at": received_at,
            "ended_at": None if ended is None else received_at + timedelta(days=ended, hours=2),
            "due_at": received_at + timedelta(days=due),
            "supplement_count": 2 if resupplied else 0,
            "fee_amount": 0,
            "paid_online": False,
            "components_digitized": False,
            "data_reused": False,
            "synced_to_portal": False,
            "has_result_file": False,
        }
        for key, counts in contribution(facts).items():
            total[key].update(counts)
    counters_add(dict(total))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plans=lives, period=st.tuples(st.integers(0, 45), st.integers(0, 45)))
def test_form06_identities_hold_on_random_counters(tree, procedures, plans, period):
    with transaction.atomic():
        counters_from(tree, procedures, plans)
        start = date(2024, 3, 1) + timedelta(days=min(period))
        end = date(2024, 3, 1) + timedelta(days=max(period))
        for unit in (tree.province, tree.district, tree.tien_dong, tree.justice):
            report = form06_report(unit=unit, start=start, end=end)  # raises when broken
            for row in [*report["rows"], report["total"]]:
                assert row["received_total"] == (
                    row["received_online"] + row["received_direct_or_postal"] + row["carried_over"]
                )
                assert row["received_total"] == row["resolved_total"] + row["in_progress_total"]
                assert row["resolved_total"] == (
                    row["resolved_early"] + row["resolved_on_time"] + row["resolved_late"]
                )
                assert row["in_progress_total"] == (
                    row["in_progress_within_deadline"] + row["in_progress_overdue"]
                )
                assert min(row[k] for k in FORM06_KEYS) >= 0
            for key in FORM06_KEYS:
                assert report["total"][key] == sum(r[key] for r in report["rows"])
            whole = form06_figures(unit=unit, start=start, end=end).get(())
            assert report["total"] == (whole.as_dict() if whole else dict.fromkeys(FORM06_KEYS, 0))
        transaction.set_rollback(True)
