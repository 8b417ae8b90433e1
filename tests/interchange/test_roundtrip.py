"""Export a district's period, empty the database, import the file: every rate and form-06 figure of
the period (and of periods and units inside it) comes out the same."""

import io
import json
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection

from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant, ReceivedComponent
from motcua.indicators.selectors import form06_figures, rates_for
from motcua.interchange.services import interchange_export, interchange_import
from motcua.units.models import Unit
from tests.conftest import handed_in, local

UNITS = ("30", "298", "298-TP", "11143", "11140")
PERIODS = (
    (date(2023, 3, 1), date(2023, 3, 31)),
    (date(2023, 3, 1), date(2023, 3, 10)),
    (date(2023, 3, 6), date(2023, 3, 20)),
    (date(2023, 3, 15), date(2023, 3, 31)),
)


def figures() -> dict:
    out = {}
    for code in UNITS:
        unit = Unit.objects.get(code=code)
        for start, end in PERIODS:
            rates = rates_for(unit=unit, start=start, end=end)
            form06 = form06_figures(
                unit=unit, start=start, end=end, group_by=("unit__code", "procedure__code")
            )
            out[(code, start, end)] = (
                {m: (r.numerator, r.denominator) for m, r in rates.items()},
                {key: f.as_dict() for key, f in form06.items()},
            )
    return out


def digitized(*names):
    return [ReceivedComponent(name=n, digitized=True, reused=i == 0) for i, n in enumerate(names)]


def required(procedure, *, digitized: bool = True, reused_first: bool = False):
    """Every catalogue component: a dossier must carry the required ones."""
    return [
        ReceivedComponent(
            name=c.name, component=c, digitized=digitized, reused=reused_first and i == 0
        )
        for i, c in enumerate(procedure.components.all())
    ]


def build_live(staff, tree, procedure):
    desk, processor, leader = staff.desk, staff.processor, staff.leader

    def receive(at, **kwargs):
        return services.dossier_receive(
            actor=kwargs.pop("actor", desk),
            unit=kwargs.pop("unit", tree.tien_dong),
            procedure=procedure,
            applicant=Applicant(name="Nguyễn Văn A", id_number="030090001234"),
            at=at,
            **{"components": required(procedure, digitized=False), **kwargs},
        )

    def through(dossier, at):
        dossier = services.dossier_forward(actor=desk, dossier=dossier, at=at)
        return services.dossier_forward(
            actor=processor, dossier=dossier, at=at + timedelta(hours=1)
        )

    # Carried over: received in February, resolved early March with an uploaded result, returned.
    d = through(
        receive(local(2023, 2, 27, 9), components=required(procedure, reused_first=True)),
        local(2023, 2, 27, 10),
    )
    d = services.dossier_resolve(
        actor=leader,
        dossier=d,
        result_summary="Giấy khai sinh",
        result_file=ContentFile(b"%PDF", name="kq.pdf"),
        at=local(2023, 3, 2, 9),
    )
    services.dossier_return_result(actor=desk, dossier=d, at=local(2023, 3, 2, 10))
    # Carried over and still open (overdue) at the end of March.
    through(receive(local(2023, 2, 28, 9)), local(2023, 2, 28, 10))
    # Ended in February: outside every period (not exported, not needed).
    d = through(receive(local(2023, 2, 1, 9)), local(2023, 2, 1, 10))
    services.dossier_resolve(actor=leader, dossier=d, result_summary="KQ", at=local(2023, 2, 2, 9))
    # Online, accepted, paid online, supplemented twice (late by the national rule), electronic result.
    d = services.dossier_submit_online(
        unit=tree.tien_dong,
        procedure=procedure,
        applicant=Applicant(name="Trần Thị B"),
        components=required(procedure),
        at=local(2023, 3, 5, 20),
    )
    d = services.dossier_accept(actor=desk, dossier=d, at=local(2023, 3, 6, 8))
    services.dossier_record_payment(
        actor=None,
        dossier=d,
        amount=8000,
        online=True,
        reference="VNPAY-1",
        at=local(2023, 3, 6, 8, 5),
    )
    for day in (6, 8):
        d = services.dossier_request_supplement(
            actor=desk, dossier=d, content="Thiếu giấy", at=local(2023, 3, day, 9)
        )
        d = services.dossier_receive_supplement(
            actor=desk,
            dossier=d,
            components=digitized("GCS"),
            at=local(2023, 3, day + 1, 9),
        )
    d = through(d, local(2023, 3, 9, 10))
    services.dossier_resolve(
        actor=leader, dossier=d, result_summary="KQ", electronic=True, at=local(2023, 3, 10, 9)
    )
    # Rejected after acceptance, then the refusal returned.
    d = through(receive(local(2023, 3, 13, 9)), local(2023, 3, 13, 10))
    d = services.dossier_reject(
        actor=leader, dossier=d, reason="Không đủ điều kiện", at=local(2023, 3, 14, 9)
    )
    services.dossier_return_result(actor=desk, dossier=d, at=local(2023, 3, 14, 10))
    # Apology with a new date, resolved late on paper; paid at the desk.
    d = through(receive(local(2023, 3, 15, 9)), local(2023, 3, 15, 10))
    services.dossier_record_payment(
        actor=desk, dossier=d, amount=8000, online=False, at=local(2023, 3, 15, 11)
    )
    d = services.dossier_apologise(
        actor=leader,
        dossier=d,
        new_due_at=local(2023, 3, 21, 10),
        reason="Chờ xác minh",
        at=local(2023, 3, 16, 9),
    )
    services.dossier_resolve(actor=leader, dossier=d, result_summary="KQ", at=local(2023, 3, 22, 9))
    # Cộng Lạc: stopped after an unanswered supplement; withdrawn; open within deadline.
    other = {"actor": staff.other_desk, "unit": tree.cong_lac}
    d = receive(local(2023, 3, 20, 9), **other)
    d = services.dossier_request_supplement(
        actor=staff.other_desk, dossier=d, content="Thiếu", at=local(2023, 3, 20, 10)
    )
    services.dossier_stop(
        actor=staff.other_processor, dossier=d, reason="Quá hạn bổ sung", at=local(2023, 3, 24, 9)
    )
    d = receive(local(2023, 3, 21, 9), **other)
    services.dossier_withdraw(
        actor=staff.other_desk, dossier=d, reason="Rút", at=local(2023, 3, 21, 10)
    )
    receive(local(2023, 3, 31, 16), channel=3, **other)
    # Received in April: outside.
    receive(local(2023, 4, 3, 9))
    # Submitted online and never accepted: counts nowhere, not exported.
    services.dossier_submit_online(
        unit=tree.tien_dong,
        procedure=procedure,
        applicant=Applicant(name="C"),
        components=required(procedure, digitized=False),
        at=local(2023, 3, 7, 8),
    )


IMPORTED = [
    {  # compact dates, string numbers, carried over from February, returned in March
        "kind": "dossier",
        "MaHoSo": "11143-230224-0099",
        "MaTTHC": "1.001193",
        "DonViXuLy": "11143",
        "KenhThucHien": "2",
        "NgayTiepNhan": "20230224080000",
        "NgayHenTra": "20230227080000",
        "NgayKetThucXuLy": "20230303150000",
        "NgayTra": "20230306090000",
        "TrangThaiHoSo": "10",
        "DuocThanhToanTrucTuyen": "1",
        "DanhSachLePhi": [{"TenPhiLePhi": "Lệ phí", "Gia": "8000"}],
        "TaiLieuNop": [{"TenTepDinhKem": "tk.pdf", "DuocSoHoa": "1", "DuocTaiSuDung": "1"}],
        "DanhSachGiayToKetQua": [{"TenGiayTo": "GKS", "DuongDanTepTinKetQua": "/kq/99.pdf"}],
        "DongBoCongDVCQG": "1",
    },
    {  # no NgayHenTra (derived), no list: digitized by the flag; open at the end
        "kind": "dossier",
        "MaHoSo": "000.00.30.H23-230317-0001",
        "MaTTHC": "1.001193",
        "DonViXuLy": "000.00.30.H23",
        "KenhThucHien": 1,
        "NgayTiepNhan": "2023-03-17T15:30:00",
        "TrangThaiHoSo": 4,
        "HoSoCoThanhPhanSoHoa": "1",
    },
    {  # justice office, resolved without result file, one supplement
        "kind": "dossier",
        "MaHoSo": "298-TP-230308-0001",
        "MaTTHC": "1.001193",
        "DonViXuLy": "298-TP",
        "KenhThucHien": 3,
        "NgayTiepNhan": "2023-03-08T08:00:00+07:00",
        "NgayHenTra": "2023-03-10T08:00:00+07:00",
        "NgayKetThucXuLy": "2023-03-09T09:00:00+07:00",
        "TrangThaiHoSo": 9,
        "DanhSachHoSoBoSung": [
            {"NgayBoSung": "20230308090000", "NgayTiepNhanBoSung": "20230308140000"}
        ],
        "DanhSachGiayToKetQua": [{"TenGiayTo": "Văn bản", "DuongDanTepTinKetQua": ""}],
    },
]


def parsed(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def empty_database():
    if connection.vendor == "postgresql":
        # TRUNCATE refuses tables with deferred foreign-key checks pending in this transaction.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    assert not Unit.objects.exists() and not Dossier.objects.exists()


@pytest.mark.django_db
def test_export_then_import_into_empty_database_gives_identical_figures(
    staff, tree, birth_registration
):
    build_live(staff, tree, birth_registration)
    report = interchange_import(stream=[json.dumps(line) + "\n" for line in IMPORTED])
    assert report.rejected == 0, report.errors
    before = figures()
    # Received in March with a fee (withdrawn ones drop out): 5, of which the online one paid online.
    assert before[("298", date(2023, 3, 1), date(2023, 3, 31))][0]["online_payment"] == (1, 5)

    out = io.StringIO()
    exported = interchange_export(
        unit=tree.district, start=date(2023, 3, 1), end=date(2023, 3, 31), out=out
    )
    assert exported.dossiers == 11  # 8 of 11 live (2 outside the period, 1 never received) + 3
    text = out.getvalue()

    empty_database()
    report = interchange_import(stream=io.StringIO(text), strict=True)
    assert report.rejected == 0, report.errors
    assert report.counts["dossier"]["created"] == 11
    assert figures() == before

    # Exporting the imported data gives the same lines, and importing them again changes nothing.
    again = io.StringIO()
    interchange_export(
        unit=Unit.objects.get(code="298"), start=date(2023, 3, 1), end=date(2023, 3, 31), out=again
    )
    # Same content; PostgreSQL's jsonb does not keep key order inside the stored records.
    assert parsed(again.getvalue()) == parsed(text)
    report = interchange_import(stream=io.StringIO(text))
    assert report.created == report.updated == report.rejected == 0


@pytest.mark.django_db
def test_export_command_writes_the_file(tmp_path, staff, tree, birth_registration):
    build_live(staff, tree, birth_registration)
    path = tmp_path / "out.jsonl"
    stdout = io.StringIO()
    call_command(
        "export",
        "--unit",
        "11140",
        "--from",
        "2023-03-01",
        "--to",
        "2023-03-31",
        "--out",
        str(path),
        stdout=stdout,
    )
    assert "3 hồ sơ" in stdout.getvalue()
    kinds = [json.loads(line)["kind"] for line in path.read_text(encoding="utf-8").splitlines()]
    assert kinds == ["unit", "unit", "unit", "procedure", "dossier", "dossier", "dossier"]
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command(
        "export",
        "--unit",
        "11140",
        "--from",
        "2023-03-01",
        "--to",
        "2023-03-31",
        stdout=stdout,
        stderr=stderr,
    )
    assert stdout.getvalue() == path.read_text(encoding="utf-8")
    assert "Đã xuất 3 đơn vị, 1 thủ tục, 0 chỉ tiêu, 3 hồ sơ." in stderr.getvalue()


@pytest.mark.django_db
def test_supplemented_components_digitization_round_trips(staff, tree, birth_registration):
    # Received without components, supplemented with digitized ones: digitized (docs/domain.md §8) on
    # both sides of the round trip.
    d = services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="A"),
        at=local(2023, 3, 1, 9),
    )
    d = services.dossier_request_supplement(
        actor=staff.desk, dossier=d, content="Thiếu", at=local(2023, 3, 1, 10)
    )
    d = services.dossier_receive_supplement(
        actor=staff.desk, dossier=d, components=digitized("GCS"), at=local(2023, 3, 2, 9)
    )
    out = io.StringIO()
    interchange_export(unit=tree.tien_dong, start=date(2023, 3, 1), end=date(2023, 3, 31), out=out)
    empty_database()
    interchange_import(stream=io.StringIO(out.getvalue()))
    assert Dossier.objects.get(code=d.code).components_digitized == d.components_digitized
