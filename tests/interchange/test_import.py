"""`motcua import`: every kind, both date formats, string numbers, idempotence, updates logged as
import events, bad lines with their numbers, --strict writing nothing."""

import io
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.catalog.models import Procedure
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.projection import state_differences, state_fold, state_from_rows
from motcua.indicators.models import Target
from motcua.indicators.selectors import rates_for
from motcua.interchange.services import interchange_import
from motcua.units.models import Unit
from motcua.workcalendar.selectors import calendar_get
from tests.conftest import local

SAMPLE = Path(__file__).with_name("sample.jsonl")


def run_import(*args, stdin=None):
    out, err = io.StringIO(), io.StringIO()
    options = {"stdout": out, "stderr": err}
    if stdin is not None:
        options["stdin"] = stdin
    try:
        call_command("import", *args, **options)
    except CommandError as error:
        return 1, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


def sample_lines() -> list[str]:
    return SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)


def write(tmp_path, lines) -> str:
    path = tmp_path / "in.jsonl"
    path.write_text(
        "".join(line if isinstance(line, str) else json.dumps(line) + "\n" for line in lines),
        encoding="utf-8",
    )
    return str(path)


@pytest.mark.django_db
def test_sample_imports_every_kind():
    code, out, err = run_import(str(SAMPLE))
    assert code == 0, err
    assert "Nhập mới 11, cập nhật 0, không đổi 0, bị từ chối 0" in out

    commune = Unit.objects.get(code="11143")
    assert commune.path == "/30/298/11143/"
    assert Unit.objects.get(code="11140").short_name == "Cộng Lạc"  # derived
    birth = Procedure.objects.get(code="1.001193")
    assert birth.total_fee == 8000  # "8000"
    assert Procedure.objects.get(code="2.000635").time_limit_seconds == 4 * 3600  # "4" hours
    assert Target.objects.get(metric="online_dossiers").percent == Decimal("80.50")
    assert Target.objects.get(metric="online_payment").level == "commune"

    # Found by agency_id; compact and ISO dates (with and without offset) all read as UTC+7.
    d1 = Dossier.objects.get(code="000.30.43.H23-230105-0001")
    assert d1.unit == commune and d1.channel == 2 and d1.state == 10 and d1.outcome == "granted"
    assert d1.submitted_at == local(2023, 1, 4, 20)
    assert d1.received_at == local(2023, 1, 5, 8)
    assert d1.due_at == local(2023, 1, 5, 17)
    assert d1.ended_at == local(2023, 1, 5, 15)
    assert d1.returned_at == local(2023, 1, 6, 9)
    assert (d1.fee_amount, d1.paid_online) == (8000, True)
    assert d1.components_digitized and d1.data_reused and d1.has_result_file
    assert d1.applicant_name == "Nguyễn Văn A" and d1.result_summary == "Giấy khai sinh"
    record = d1.events.get().payload["record"]
    assert record["TaiKhoanDuocXacThucVoiVNeID"] == "1" and len(record["QuaTrinhXuLy"]) == 1

    # Open, one supplement: no NgayHenTra, so receipt + 1 working day + the supplement wait.
    d2 = Dossier.objects.get(code="11140-230110-0001")
    assert (d2.state, d2.outcome, d2.ended_at, d2.supplement_count) == (4, "", None, 1)
    assert not d2.components_digitized and not d2.paid_online and d2.fee_amount == 8000
    # Tue 10/1 09:00, paused 10:00 (1 h used) → resumed Thu 12/1 08:00 + 7 h = 16:30.
    assert d2.due_at == local(2023, 1, 12, 16, 30)
    assert d2.clock_started_at == local(2023, 1, 12, 8) and d2.remaining_seconds == 7 * 3600

    # Refused after acceptance: state 9 with NgayTuChoi → rejected, ended at the refusal.
    d3 = Dossier.objects.get(code="11143-230111-0002")
    assert (d3.state, d3.outcome, d3.channel) == (9, "rejected", 3)
    assert d3.ended_at == d3.rejected_at == local(2023, 1, 11, 11)
    assert not d3.components_digitized  # no list: HoSoCoThanhPhanSoHoa "0"

    rates = rates_for(
        unit=Unit.objects.get(code="298"), start=date(2023, 1, 1), end=date(2023, 1, 31)
    )
    assert (rates["online_dossiers"].numerator, rates["online_dossiers"].denominator) == (1, 3)
    assert (rates["online_payment"].numerator, rates["online_payment"].denominator) == (1, 2)
    assert (rates["result_digitization"].numerator, rates["result_digitization"].denominator) == (
        1,
        2,
    )


@pytest.mark.django_db
def test_second_import_changes_nothing():
    run_import(str(SAMPLE))
    events = DossierEvent.objects.count()
    code, out, _ = run_import(str(SAMPLE))
    assert code == 0
    assert "Nhập mới 0, cập nhật 0, không đổi 11, bị từ chối 0" in out
    assert DossierEvent.objects.count() == events


@pytest.mark.django_db
def test_changed_record_updates_and_is_logged(tmp_path):
    run_import(str(SAMPLE))
    lines = sample_lines()
    index = next(i for i, line in enumerate(lines) if "11140-230110-0001" in line)
    payload = json.loads(lines[index])
    payload.update(
        TrangThaiHoSo="10",
        NgayKetThucXuLy="20230113090000",
        NgayTra="20230113100000",
        DanhSachGiayToKetQua=[{"TenGiayTo": "Giấy khai sinh", "DuongDanTepTinKetQua": "/kq/2.pdf"}],
    )
    lines[index] = json.dumps(payload, ensure_ascii=False) + "\n"
    code, out, _ = run_import(write(tmp_path, lines))
    assert code == 0
    assert "Nhập mới 0, cập nhật 1, không đổi 10" in out
    dossier = Dossier.objects.get(code="11140-230110-0001")
    assert (dossier.state, dossier.outcome, dossier.has_result_file) == (10, "granted", True)
    assert list(dossier.events.values_list("kind", "from_state", "to_state")) == [
        ("imported", None, 4),
        ("imported", 4, 10),
    ]
    last = dossier.events.order_by("-seq").first()
    assert last.at == local(2023, 1, 13, 10)  # the latest moment the record states
    assert last.payload["record"]["DanhSachGiayToKetQua"][0]["DuongDanTepTinKetQua"] == "/kq/2.pdf"
    folded = state_fold(list(dossier.events.order_by("seq")))
    assert state_differences(folded, state_from_rows(dossier, [])) == []
    # The counters moved with the event: resolved in January now 3 of which 2 with a file.
    rate = rates_for(unit=dossier.unit.parent, start=date(2023, 1, 1), end=date(2023, 1, 31))
    assert (rate["result_digitization"].numerator, rate["result_digitization"].denominator) == (
        2,
        3,
    )


BASE = {
    "kind": "dossier",
    "MaTTHC": "1.001193",
    "DonViXuLy": "11143",
    "KenhThucHien": 1,
    "NgayTiepNhan": "20230201080000",
    "TrangThaiHoSo": 2,
}


@pytest.mark.django_db
def test_bad_lines_are_reported_and_the_rest_imports(tmp_path):
    lines = [
        *sample_lines()[:9],  # units, procedures, targets (line 4 is blank)
        "{not json\n",  # 10
        {"kind": "office", "code": "X"},  # 11
        {**BASE, "MaHoSo": "B-1", "NgayTiepNhan": None},  # 12
        {**BASE, "MaHoSo": "B-2", "DonViXuLy": "99999"},  # 13
        {**BASE, "MaHoSo": "B-3", "MaTTHC": "9.999999"},  # 14
        {
            "kind": "unit",
            "code": "77777",
            "name": "UBND xã Mới",
            "level": "commune",
            "parent": "777",
        },
        {**BASE, "MaHoSo": "B-5", "NgayTiepNhan": "05/02/2023"},  # 16
        {**BASE, "MaHoSo": "B-6", "KenhThucHien": "hai"},  # 17
        {**BASE, "MaHoSo": "B-7", "TrangThaiHoSo": 10, "NgayKetThucXuLy": "20230131080000"},
        {**BASE, "MaHoSo": "B-8", "TrangThaiHoSo": 9},  # 19
        {**BASE, "MaHoSo": "OK-1"},  # 20
        {**BASE, "MaHoSo": "B-9", "DanhSachLePhi": [{"Gia": "tám nghìn"}]},  # 21
        {**BASE, "MaHoSo": "B-10", "KenhThucHien": 5},  # 22
        "[1, 2]\n",  # 23
        {**BASE, "MaHoSo": "OK-2", "NgayTiepNhan": "2023-02-01T09:00:00Z", "TrangThaiHoSo": "5"},
        {**BASE, "MaHoSo": "B-11", "DanhSachLePhi": [{"Gia": 10**30}]},  # 25: beyond any column
    ]
    code, out, err = run_import(write(tmp_path, lines))
    assert code == 1
    reasons = dict(line.split(": ", 1) for line in err.splitlines() if line.startswith("Dòng "))
    assert reasons.keys() == {
        f"Dòng {n}" for n in (10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23, 25)
    }
    assert reasons["Dòng 10"].startswith("Dòng không phải JSON hợp lệ")
    assert reasons["Dòng 11"].startswith("Loại bản ghi không hợp lệ: 'office'")
    assert reasons["Dòng 12"] == "Thiếu trường bắt buộc: NgayTiepNhan."
    assert "Không tìm thấy đơn vị xử lý '99999'" in reasons["Dòng 13"]
    assert reasons["Dòng 14"] == "Không tìm thấy thủ tục '9.999999'."
    assert "Không tìm thấy đơn vị cấp trên '777'" in reasons["Dòng 15"]
    assert "NgayTiepNhan không đúng định dạng ngày giờ" in reasons["Dòng 16"]
    assert reasons["Dòng 17"] == "KenhThucHien không phải số hợp lệ: 'hai'."
    assert reasons["Dòng 18"].startswith("Ngày kết thúc xử lý (NgayKetThucXuLy) sớm hơn")
    assert "thiếu NgayKetThucXuLy" in reasons["Dòng 19"]
    assert reasons["Dòng 21"] == "DanhSachLePhi[1].Gia không phải số hợp lệ: 'tám nghìn'."
    assert reasons["Dòng 22"].startswith("KenhThucHien phải là 1")
    assert reasons["Dòng 23"] == "Mỗi dòng phải là một đối tượng JSON."
    assert reasons["Dòng 25"] == "DanhSachLePhi[1].Gia quá lớn (tối đa 1.000.000.000.000.000 đồng)."
    assert "bị từ chối 14" in out
    assert "Có 14 dòng bị từ chối." in err
    assert set(Dossier.objects.values_list("code", flat=True)) == {"OK-1", "OK-2"}
    assert Dossier.objects.get(code="OK-2").received_at == local(2023, 2, 1, 16)
    assert Unit.objects.count() == 4 and Target.objects.count() == 2


@pytest.mark.django_db
def test_strict_stops_and_writes_nothing(tmp_path):
    lines = [
        *sample_lines(),
        {**BASE, "MaHoSo": "B-1", "DonViXuLy": "nowhere"},
        {**BASE, "MaHoSo": "X"},
    ]
    code, out, err = run_import(write(tmp_path, lines), "--strict")
    assert code == 1
    assert "Dòng 13: Không tìm thấy đơn vị xử lý 'nowhere'" in err
    assert "không ghi bản ghi nào" in out
    assert not Unit.objects.exists() and not Procedure.objects.exists()
    assert not Dossier.objects.exists() and not Target.objects.exists()
    # Without --strict the same file imports all but the bad line.
    code, out, _ = run_import(write(tmp_path, lines))
    assert code == 1 and Dossier.objects.count() == 4


@pytest.mark.django_db
def test_reads_stdin():
    code, _, _ = run_import("-", stdin=io.StringIO(SAMPLE.read_text(encoding="utf-8")))
    assert code == 0 and Dossier.objects.count() == 3


@pytest.mark.django_db
def test_derived_end_and_due(tree, birth_registration):
    lines = [
        # Returned, no NgayKetThucXuLy: the end is the return (the first of return and refusal).
        {**BASE, "MaHoSo": "D-1", "TrangThaiHoSo": 10, "NgayTra": "20230202090000"},
        # Stopped, only the processing trail tells when.
        {
            **BASE,
            "MaHoSo": "D-2",
            "TrangThaiHoSo": 8,
            "QuaTrinhXuLy": [
                {"ThoiDiemXuLy": "20230203080000"},
                {"ThoiDiemXuLy": "20230206100000"},
            ],
        },
        # No NgayHenTra but a supplement that moved the date: its NgayHenTraMoi is the promise.
        {
            **BASE,
            "MaHoSo": "D-3",
            "DanhSachHoSoBoSung": [
                {"NgayBoSung": "20230201090000", "NgayHenTraMoi": "2023-02-08T10:00:00+07:00"}
            ],
            "TrangThaiHoSo": 5,
        },
        # Numbers as strings with thousands separators.
        {**BASE, "MaHoSo": "D-4", "DanhSachLePhi": [{"Gia": "8.000"}, {"Gia": 2000.0}]},
    ]
    report = interchange_import(stream=(json.dumps(line) + "\n" for line in lines))
    assert report.rejected == 0, report.errors
    d1, d2, d3, d4 = (Dossier.objects.get(code=f"D-{i}") for i in range(1, 5))
    assert d1.ended_at == local(2023, 2, 2, 9) and d1.outcome == "granted"
    calendar = calendar_get(unit=tree.tien_dong)
    assert d1.due_at == calendar.add_working_seconds(local(2023, 2, 1, 8), 8 * 3600)
    assert d2.ended_at == local(2023, 2, 6, 10) and d2.outcome == "stopped"
    assert d3.due_at == local(2023, 2, 8, 10) and d3.clock_paused_at == local(2023, 2, 1, 9)
    assert d4.fee_amount == 10000


@pytest.mark.django_db
def test_imported_open_dossier_can_be_carried_on(tree, staff, birth_registration):
    report = interchange_import(stream=[json.dumps({**BASE, "MaHoSo": "C-1", "TrangThaiHoSo": 4})])
    assert report.rejected == 0, report.errors
    dossier = Dossier.objects.get(code="C-1")
    at = local(2023, 2, 1, 10)
    dossier = services.dossier_request_supplement(
        actor=staff.processor, dossier=dossier, content="Thiếu giấy chứng sinh", at=at
    )
    dossier = services.dossier_receive_supplement(
        actor=staff.desk, dossier=dossier, at=at + timedelta(days=1)
    )
    dossier = services.dossier_resolve(
        actor=staff.leader, dossier=dossier, result_summary="KQ", at=at + timedelta(days=2)
    )
    assert dossier.state == 9 and dossier.supplement_count == 1


@pytest.mark.django_db
def test_references_by_agency_id_and_national_code(tmp_path):
    """A batch's codes are looked up together; identifiers and national codes still resolve, and an
    identifier two units share is still refused at its line."""
    unit = {"kind": "unit", "level": "commune", "agency_id": "000.00.99.H23"}
    lines = [
        {**unit, "code": "A1", "name": "UBND xã A"},
        {**unit, "code": "A2", "name": "UBND xã B"},
        {**unit, "code": "A3", "name": "UBND xã C", "agency_id": "000.00.98.H23"},
        {
            "kind": "procedure",
            "code": "HD-1.001193",
            "national_code": "1.001193",
            "name": "Đăng ký khai sinh",
            "field": "Hộ tịch",
            "time_limit": {"working_days": 1},
        },
        {**BASE, "MaHoSo": "R-1", "DonViXuLy": "000.00.99.H23", "MaTTHC": "HD-1.001193"},  # 5
        {**BASE, "MaHoSo": "R-2", "DonViXuLy": "000.00.98.H23", "MaTTHC": "1.001193"},
        {**BASE, "MaHoSo": "R-3", "DonViXuLy": "A1", "MaTTHC": 1001193},  # 7: a number
    ]
    code, _, err = run_import(write(tmp_path, lines))
    assert code == 1
    assert err.strip().splitlines()[:2] == [
        "Dòng 5: Mã định danh '000.00.99.H23' ứng với nhiều đơn vị; hãy dùng mã đơn vị.",
        "Dòng 7: Không tìm thấy thủ tục '1001193'.",
    ]
    dossier = Dossier.objects.get(code="R-2")
    assert (dossier.unit.code, dossier.procedure.code) == ("A3", "HD-1.001193")


@pytest.mark.django_db
def test_payment_through_the_provinces_gateway_counts_as_online_and_round_trips(
    tree, birth_registration
):
    """DuocThanhToanTrucTuyen "2" (paid through the province's own gateway) is paid online like
    "1"; "3" (fee not paid) is not; the export keeps each record's own value."""
    from motcua.interchange.services import interchange_export

    def line(code: str, value: str) -> str:
        return json.dumps(
            {
                "kind": "dossier",
                "MaHoSo": code,
                "MaTTHC": "1.001193",
                "DonViXuLy": "11143",
                "KenhThucHien": "2",
                "NgayTiepNhan": "20260305080000",
                "TrangThaiHoSo": "4",
                "DanhSachLePhi": [{"TenPhiLePhi": "Lệ phí", "Gia": "8000"}],
                "DuocThanhToanTrucTuyen": value,
            }
        )

    codes = {"1": "11143-260305-0001", "2": "11143-260305-0002", "3": "11143-260305-0003"}
    report = interchange_import(stream=[line(code, value) + "\n" for value, code in codes.items()])
    assert report.rejected == 0, report.errors
    paid = dict(Dossier.objects.values_list("code", "paid_online"))
    assert paid == {codes["1"]: True, codes["2"]: True, codes["3"]: False}
    rate = rates_for(unit=tree.tien_dong, start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert (rate["online_payment"].numerator, rate["online_payment"].denominator) == (2, 3)
    out = io.StringIO()
    interchange_export(unit=tree.tien_dong, start=date(2026, 3, 1), end=date(2026, 3, 31), out=out)
    flags = {
        row["MaHoSo"]: row["DuocThanhToanTrucTuyen"]
        for row in map(json.loads, out.getvalue().splitlines())
        if row["kind"] == "dossier"
    }
    assert flags == {code: value for value, code in codes.items()}
