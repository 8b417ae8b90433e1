"""`rates_report`, `motcua rates` and the brief on a small hand-computed data set (March 2024)."""

import io
import json
from datetime import date, timedelta
from decimal import Decimal

import docx
import pytest
from django.core.management import CommandError, call_command
from docx.shared import Pt

from motcua.indicators.models import Target
from motcua.reports.brief import brief_docx, brief_paragraphs
from motcua.reports.selectors import rates_report
from tests.conftest import local
from tests.reports.conftest import pay_online, receive

pytestmark = pytest.mark.django_db

MARCH = {"start": date(2024, 3, 1), "end": date(2024, 3, 31)}
# commune → (fee dossiers received in March, of which paid online); every dossier carries the fee.
PAYMENTS = {
    "tien_dong": (2, 2),  # 100 %, meets the target
    "cong_lac": (4, 1),  # 25 %
    "dan_chu": (1, 0),  # 0 %
    "ha_ky": (7, 2),  # 28,57 %
    "tay_ky": (3, 0),  # 0 %
    "van_to": (6, 1),  # 16,67 %
    "minh_duc": (1, 0),  # 0 %
}


@pytest.fixture
def march(tree, communes, crew, procedures):
    """24 dossiers: 2 online (Tiên Động), 6 digitized (Tiên Động, Cộng Lạc), 6 paid online; none
    resolved, so result digitization has no data. Targets: online payment ≥ 30 % for communes (six
    miss it), result digitization ≥ 90 % (no data is no miss), and a 2023 target outside the period."""
    for name, (count, paid) in PAYMENTS.items():
        unit = getattr(communes, name)
        for i in range(count):
            at = local(2024, 3, 4 + i, 8, 0)
            dossier = receive(
                crew,
                unit,
                procedures.birth,
                at,
                online=name == "tien_dong",
                digitized=name in ("tien_dong", "cong_lac"),
            )
            if i < paid:
                pay_online(dossier, at + timedelta(minutes=5))
    # Outside the period, both sides: must not count.
    receive(crew, communes.dan_chu, procedures.birth, local(2024, 2, 29, 16, 0))
    receive(crew, communes.dan_chu, procedures.birth, local(2024, 4, 1, 8, 0))
    year = {"valid_from": date(2024, 1, 1), "valid_to": date(2024, 12, 31)}
    Target.objects.create(
        metric="online_payment", percent=30, unit=tree.district, level="commune", **year
    )
    Target.objects.create(
        metric="result_digitization", percent=90, unit=tree.district, level="commune", **year
    )
    Target.objects.create(
        metric="online_dossiers",
        percent=99,
        unit=tree.district,
        level="commune",
        valid_from=date(2023, 1, 1),
        valid_to=date(2023, 12, 31),
    )
    return communes


def rate(numerator, denominator, percent):
    return {"numerator": numerator, "denominator": denominator, "percent": percent}


def test_rates_report_shape_and_values(tree, march):
    report = rates_report(unit=tree.district, **MARCH)
    assert set(report) == {"unit", "from", "to", "rates", "children", "below_target"}
    assert report["unit"] == {"code": "298", "name": "UBND huyện Tứ Kỳ"}
    assert (report["from"], report["to"]) == ("2024-03-01", "2024-03-31")
    assert report["rates"] == {
        "online_dossiers": rate(2, 24, 8.33),
        "full_digitization": rate(6, 24, 25.0),
        "result_digitization": rate(0, 0, None),
        "online_payment": rate(6, 24, 25.0),
    }
    children = {child["unit"]["code"]: child for child in report["children"]}
    assert list(children) == [
        "11107",
        "11110",
        "11128",
        "11131",
        "11140",
        "11143",
        "11149",
        "298-TP",
    ]
    assert children["11140"]["unit"] == {"code": "11140", "name": "UBND xã Cộng Lạc"}
    assert children["11140"]["rates"]["online_payment"] == rate(1, 4, 25.0)
    assert children["11149"]["rates"]["online_payment"] == rate(2, 7, 28.57)
    assert children["11143"]["rates"]["online_dossiers"] == rate(2, 2, 100.0)
    # A unit with nothing counted: every rate is "no data", never 0 %.
    assert all(r["percent"] is None for r in children["298-TP"]["rates"].values())
    assert report["below_target"] == [
        {
            "unit": code,
            "name": name,
            "metric": "online_payment",
            "percent": percent,
            "target": 30.0,
        }
        for code, name, percent in [
            ("11107", "UBND xã Tây Kỳ", 0.0),
            ("11110", "UBND xã Dân Chủ", 0.0),
            ("11128", "UBND xã Minh Đức", 0.0),
            ("11131", "UBND xã Văn Tố", 16.67),
            ("11140", "UBND xã Cộng Lạc", 25.0),
            ("11149", "UBND xã Hà Kỳ", 28.57),
        ]
    ]
    # A commune's own report: its rates, no children, and its own miss.
    own = rates_report(unit=march.cong_lac, **MARCH)
    assert own["children"] == []
    assert [m["unit"] for m in own["below_target"]] == ["11140"]


def test_rates_command_json_equals_selector(tree, march):
    out = io.StringIO()
    call_command(
        "rates", "--unit", "298", "--from", "2024-03-01", "--to", "2024-03-31", "--json", stdout=out
    )
    assert json.loads(out.getvalue()) == rates_report(unit=tree.district, **MARCH)


def test_rates_command_table_in_vietnamese(march):
    out = io.StringIO()
    call_command("rates", "--unit", "298", "--from", "2024-03-01", "--to", "2024-03-31", stdout=out)
    text = out.getvalue()
    assert "Từ ngày 01/03/2024 đến ngày 31/03/2024" in text
    assert "8,33% (2/24)" in text
    assert "chưa có dữ liệu" in text
    assert "UBND xã Hà Kỳ (11149): tỷ lệ thanh toán trực tuyến 28,57%, chỉ tiêu 30%" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--unit", "999", "--from", "2024-03-01", "--to", "2024-03-31"], "Không tìm thấy đơn vị"),
        (["--unit", "298", "--from", "01/03/2024", "--to", "2024-03-31"], "không hợp lệ"),
        (["--unit", "298", "--from", "2024-02-30", "--to", "2024-03-31"], "không hợp lệ"),
        (["--unit", "298", "--from", "2024-04-01", "--to", "2024-03-31"], "sau ngày kết thúc"),
    ],
)
@pytest.mark.parametrize("command", ["rates", "brief"])
def test_bad_arguments_are_vietnamese_errors(tree, command, args, message):
    with pytest.raises(CommandError, match=message):
        call_command(command, *args, stdout=io.StringIO())


def test_brief_from_the_data(tree, march):
    paragraphs = brief_paragraphs(report=rates_report(unit=tree.district, **MARCH))
    assert paragraphs[0] == (
        "Từ ngày 01/3/2024 đến ngày 31/3/2024, tỷ lệ hồ sơ trực tuyến của huyện đạt 8,33%; "
        "tỷ lệ số hóa đầy đủ thành phần hồ sơ đạt 25%; "
        "tỷ lệ số hóa kết quả giải quyết chưa có dữ liệu; "
        "tỷ lệ thanh toán trực tuyến đạt 25%."
    )
    assert paragraphs[1] == (
        "Tỷ lệ thanh toán trực tuyến ở 06 xã đạt tỷ lệ thấp, chưa đạt chỉ tiêu 30% "
        "(Tây Kỳ 0%; Dân Chủ 0%; Minh Đức 0%; Văn Tố 16,67%; Cộng Lạc 25%; Hà Kỳ 28,57%)."
    )
    assert paragraphs[2].startswith("Đề nghị UBND các xã nêu trên")
    assert "khắc phục" in paragraphs[2]
    assert "thanh toán phí, lệ phí trực tuyến" in paragraphs[2]
    assert len(paragraphs) == 3


def _seed_report(units) -> dict:
    """The seed directive's figures (1/1–29/9/2023) as a rates_report dict."""

    def r(percent):
        return {"numerator": 0, "denominator": 1, "percent": percent}

    misses = [("11140", 24.0), ("11110", 19.44), ("11107", 25.5), ("11128", 10.0), ("11131", 29.99)]
    misses.append(("11149", 0.0))
    return {
        "unit": {"code": "298", "name": "UBND huyện Tứ Kỳ"},
        "from": "2023-01-01",
        "to": "2023-09-29",
        "rates": {
            "online_dossiers": r(99.56),
            "full_digitization": r(96.49),
            "result_digitization": r(97.19),
            "online_payment": r(53.93),
        },
        "children": [],
        "below_target": [
            {
                "unit": code,
                "name": units[code].name,
                "metric": "online_payment",
                "percent": percent,
                "target": 30.0,
            }
            for code, percent in misses
        ],
    }


def test_brief_reproduces_the_seed_sentences(tree, communes):
    units = {u.code: u for u in [tree.district, *vars(communes).values()]}
    paragraphs = brief_paragraphs(report=_seed_report(units))
    assert paragraphs[0] == (
        "Từ ngày 01/01/2023 đến ngày 29/9/2023, tỷ lệ hồ sơ trực tuyến của huyện đạt 99,56%; "
        "tỷ lệ số hóa đầy đủ thành phần hồ sơ đạt 96,49%; tỷ lệ số hóa kết quả giải quyết đạt "
        "97,19%; tỷ lệ thanh toán trực tuyến đạt 53,93%."
    )
    # Sorted ascending by rate, whatever order the report lists them in.
    assert paragraphs[1] == (
        "Tỷ lệ thanh toán trực tuyến ở 06 xã đạt tỷ lệ thấp, chưa đạt chỉ tiêu 30% "
        "(Hà Kỳ 0%; Minh Đức 10%; Dân Chủ 19,44%; Cộng Lạc 24%; Tây Kỳ 25,5%; Văn Tố 29,99%)."
    )


def test_brief_kind_words(tree, communes):
    from motcua.units.services import unit_upsert

    town, _ = unit_upsert(
        code="11074", name="UBND thị trấn Tứ Kỳ", level="commune", parent=tree.district
    )
    ward, _ = unit_upsert(
        code="9001", name="UBND phường Lê Lợi", level="commune", parent=tree.district
    )
    report = _seed_report({u.code: u for u in vars(communes).values()})
    report["below_target"] = [
        {
            "unit": "11074",
            "name": town.name,
            "metric": "online_payment",
            "percent": 12.5,
            "target": 30.0,
        },
        {"unit": "11140", "name": "", "metric": "online_payment", "percent": 20.0, "target": 30.0},
        {"unit": "11110", "name": "", "metric": "online_dossiers", "percent": 50.0, "target": 80.0},
    ]
    paragraphs = brief_paragraphs(report=report)
    assert paragraphs[1] == (
        "Tỷ lệ hồ sơ trực tuyến ở 01 xã đạt tỷ lệ thấp, chưa đạt chỉ tiêu 80% (Dân Chủ 50%)."
    )
    assert paragraphs[2] == (
        "Tỷ lệ thanh toán trực tuyến ở 02 xã, thị trấn đạt tỷ lệ thấp, chưa đạt chỉ tiêu 30% "
        "(thị trấn Tứ Kỳ 12,5%; Cộng Lạc 20%)."
    )
    assert paragraphs[3].startswith("Đề nghị UBND các xã, thị trấn nêu trên")
    # The remedies follow the metrics missed, in the report's order.
    assert paragraphs[3].index("nộp hồ sơ trực tuyến") < paragraphs[3].index("thanh toán phí")

    report["below_target"] = [
        {
            "unit": "9001",
            "name": ward.name,
            "metric": "online_payment",
            "percent": 1.0,
            "target": 30.0,
        }
    ]
    paragraphs = brief_paragraphs(report=report)
    assert "ở 01 phường" in paragraphs[1] and "(Lê Lợi 1%)" in paragraphs[1]
    assert paragraphs[2].startswith("Đề nghị UBND phường Lê Lợi ")

    report["below_target"].append(
        {"unit": "298-TP", "name": "", "metric": "online_payment", "percent": 2.0, "target": 30.0}
    )
    paragraphs = brief_paragraphs(report=report)
    assert "ở 02 đơn vị" in paragraphs[1]
    assert "Phòng Tư pháp huyện Tứ Kỳ 2%" in paragraphs[1]
    assert paragraphs[2].startswith("Đề nghị các đơn vị nêu trên")


def test_brief_without_misses_is_one_paragraph(tree, communes):
    report = _seed_report({u.code: u for u in vars(communes).values()})
    report["below_target"] = []
    report["rates"]["online_payment"]["percent"] = None
    assert brief_paragraphs(report=report) == [
        "Từ ngày 01/01/2023 đến ngày 29/9/2023, tỷ lệ hồ sơ trực tuyến của huyện đạt 99,56%; "
        "tỷ lệ số hóa đầy đủ thành phần hồ sơ đạt 96,49%; tỷ lệ số hóa kết quả giải quyết đạt "
        "97,19%; tỷ lệ thanh toán trực tuyến chưa có dữ liệu."
    ]


def test_brief_docx(tree, march, tmp_path):
    report = rates_report(unit=tree.district, **MARCH)
    document = docx.Document(io.BytesIO(brief_docx(report=report)))
    texts = [p.text for p in document.paragraphs]
    assert texts == brief_paragraphs(report=report)
    section = document.sections[0]
    # Stored in twentieths of a point: compare in centimetres to 0.01.
    sizes = [section.page_width, section.page_height, section.top_margin, section.bottom_margin]
    assert [round(x.cm, 2) for x in sizes] == [21, 29.7, 2, 2]
    assert round(section.left_margin.cm, 2) == 3
    assert 1.5 <= round(section.right_margin.cm, 2) <= 2
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size == Pt(14)
    assert normal.paragraph_format.alignment == 3  # WD_ALIGN_PARAGRAPH.JUSTIFY

    path = tmp_path / "chi-thi.docx"
    out = io.StringIO()
    call_command(
        "brief", "--unit", "298", "--from", "2024-03-01", "--to", "2024-03-31", "--docx", str(path),
        stdout=out,
    )  # fmt: skip
    assert "Tỷ lệ thanh toán trực tuyến ở 06 xã" in out.getvalue()
    assert [p.text for p in docx.Document(str(path)).paragraphs] == texts


def test_target_percent_is_compared_exactly(tree, march):
    # 28,57 % misses 28,58 % but meets 28,57 %: the comparison uses the rounded rate.
    Target.objects.filter(metric="online_payment").update(percent=Decimal("28.57"))
    report = rates_report(unit=tree.district, **MARCH)
    assert "11149" not in [m["unit"] for m in report["below_target"]]


def test_the_brief_names_each_code_as_it_was_in_the_reports_period(tree, communes):
    """Codes are reused after 1/7/2025: "11074" is the old town up to 30/6/2025 and a new commune
    after; the brief of a 2026 period must speak of the commune, of a 2025 one of the town."""
    from motcua.units.services import unit_upsert

    unit_upsert(
        code="11074",
        name="UBND thị trấn Tứ Kỳ",
        level="commune",
        parent=tree.district,
        valid_to=date(2025, 6, 30),
    )
    city, _ = unit_upsert(code="31", name="UBND thành phố Hải Phòng", level="province")
    unit_upsert(
        code="11074",
        name="UBND xã Tứ Kỳ",
        level="commune",
        parent=city,
        valid_from=date(2025, 7, 1),
    )
    report = _seed_report({u.code: u for u in vars(communes).values()})
    miss = {"unit": "11074", "name": "", "metric": "online_payment", "percent": 12.5}
    report["below_target"] = [{**miss, "target": 30.0}]
    for start, end, words in [
        ("2026-01-01", "2026-06-30", "ở 01 xã đạt tỷ lệ thấp, chưa đạt chỉ tiêu 30% (Tứ Kỳ 12,5%)"),
        ("2025-01-01", "2025-06-30", "ở 01 thị trấn đạt tỷ lệ thấp, chưa đạt chỉ tiêu 30% (Tứ Kỳ 12,5%)"),
    ]:  # fmt: skip
        report.update({"from": start, "to": end})
        assert words in brief_paragraphs(report=report)[1]
