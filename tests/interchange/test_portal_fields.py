"""The portal's payload fields beyond the first list (docs/interchange.md § Portal fields): each one
read into its fact or kept verbatim, and written back exactly — for imported dossiers, for
dossiers made here, and over random combinations (hypothesis)."""

import io
import itertools
import json
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant, ReceivedComponent
from motcua.interchange import payload as p
from motcua.interchange.selectors import dossier_payload_get
from motcua.interchange.services import interchange_export, interchange_import
from motcua.units.models import Unit
from tests.conftest import local

NEW_KEYS = (
    "LoaiDoiTuong",
    "MaDoiTuong",
    "NoiNopHoSo",
    "HinhThuc",
    "ThongTinTra",
    "DinhDanhCHS",
    "DSKetNoiCSDL",
    "DanhSachTepDinhKemKhac",
    "TaiKhoanDuocXacThucVoiVNeID",
    "TaiLieuNop",
    "DanhSachHoSoBoSung",
    "DuocThanhToanTrucTuyen",
)

FULL = {
    "kind": "dossier",
    "MaHoSo": "11143-230301-0001",
    "MaTTHC": "1.001193",
    "DonViXuLy": "11143",
    "KenhThucHien": "2",
    "NgayTiepNhan": "20230301080000",
    "NgayHenTra": "20230303080000",
    "NgayKetThucXuLy": "20230302150000",
    "TrangThaiHoSo": "9",
    "ChuHoSo": "Công ty TNHH A",
    "SoGiayToChuHoSo": "030090001234",
    "LoaiDoiTuong": "2",
    "MaDoiTuong": "0101234567",
    "NoiNopHoSo": "Trung tâm Phục vụ hành chính công tỉnh",
    "HinhThuc": "1",
    "ThongTinTra": "Số 1 đường A, xã Tiên Động",
    "DinhDanhCHS": [{"LoaiDinhDanh": "1", "SoDinhDanh": "030090001234"}],
    "DSKetNoiCSDL": [{"MaCSDL": "7"}, {"MaCSDL": "2"}],
    "DanhSachTepDinhKemKhac": [{"TenGiayTo": "Giấy ủy quyền", "SoLuong": 1, "LoaiGiayTo": 1}],
    "TaiKhoanDuocXacThucVoiVNeID": "1",
    "DuocThanhToanTrucTuyen": "2",
    "DanhSachLePhi": [{"TenPhiLePhi": "Lệ phí", "Gia": "8000"}],
    "TaiLieuNop": [
        {
            "TepDinhKemId": "abc-1",
            "TenTepDinhKem": "tk.pdf",
            "IsDeleted": "0",
            "MaThanhPhanHoSo": "TP1",
            "DuongDanTaiTepTin": "/f/1.pdf",
            "DuocSoHoa": "1",
            "DuocTaiSuDung": "2",
            "DuocLayTuKhoDMQG": "1",
            "MaKetQuaThayThe": "KQ-9",
        }
    ],
    "DanhSachHoSoBoSung": [
        {
            "NgayBoSung": "20230301090000",
            "NgayTiepNhanBoSung": "20230301140000",
            "NoiDungBoSung": "Thiếu tờ khai",
            "NguoiYeuCauBoSung": "Trần Thị B",
            "TrangThaiBoSung": True,
        }
    ],
}


def import_lines(*lines) -> None:
    report = interchange_import(stream=[json.dumps(line) + "\n" for line in lines], strict=True)
    assert report.rejected == 0, report.errors


def exported(unit: str = "11143") -> list[dict]:
    out = io.StringIO()
    interchange_export(
        unit=Unit.objects.get(code=unit), start=date(2023, 1, 1), end=date(2023, 12, 31), out=out
    )
    return [
        line for line in map(json.loads, out.getvalue().splitlines()) if line["kind"] == "dossier"
    ]


@pytest.mark.django_db
def test_every_new_field_is_read_into_its_fact(tree, birth_registration):
    import_lines(FULL)
    d = Dossier.objects.get(code=FULL["MaHoSo"])
    assert d.applicant_kind == 2 and d.applicant_code == "0101234567"
    assert d.filing_place == "Trung tâm Phục vụ hành chính công tỉnh"
    assert d.vneid_verified is True
    assert d.databases_consulted == "7,2"
    assert d.data_reused is True  # DuocTaiSuDung "2": reused in place of a result
    assert d.paid_online is True  # "2": the province's own gateway counts as paid online
    assert d.result_delivery == "desk"  # HinhThuc "1" (codes unconfirmed: docs/interchange.md)
    record = d.events.get().payload["record"]
    for key in ("HinhThuc", "ThongTinTra", "DinhDanhCHS", "DanhSachTepDinhKemKhac"):
        assert record[key] == FULL[key]


@pytest.mark.django_db
def test_an_untouched_import_exports_every_new_field_as_imported(tree, birth_registration):
    import_lines(FULL)
    (line,) = exported()
    for key in NEW_KEYS:
        assert line[key] == FULL[key], key


@pytest.mark.django_db
def test_missing_channel_is_direct_and_absent_fields_stay_absent(tree, birth_registration):
    bare = {k: v for k, v in FULL.items() if k not in (*NEW_KEYS, "KenhThucHien", "DanhSachLePhi")}
    bare["TrangThaiHoSo"] = 9
    import_lines(bare)
    d = Dossier.objects.get(code=FULL["MaHoSo"])
    assert d.channel == 1 and d.applicant_kind == 1 and not d.vneid_verified
    assert d.databases_consulted == "" and d.applicant_code == "" and d.filing_place == ""
    (line,) = exported()
    assert line["KenhThucHien"] == 1
    for key in NEW_KEYS:
        assert key not in line, key


@pytest.mark.django_db
def test_portal_sub_state_zero_is_processing_and_comes_back_as_zero(tree, birth_registration):
    line = {k: v for k, v in FULL.items() if k not in ("NgayKetThucXuLy", "DanhSachHoSoBoSung")}
    line["TrangThaiHoSo"] = "0"
    import_lines(line)
    d = Dossier.objects.get(code=FULL["MaHoSo"])
    assert d.state == 4 and d.ended_at is None
    assert exported()[0]["TrangThaiHoSo"] == "0"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"LoaiDoiTuong": "5"}, "applicant_kind_invalid"),
        ({"TrangThaiHoSo": "11"}, "state_invalid"),
        ({"DSKetNoiCSDL": [{"MaCSDL": ""}]}, "field_required"),
        ({"DSKetNoiCSDL": [{"MaCSDL": "1,2"}]}, "text_invalid"),
        ({"DSKetNoiCSDL": "7"}, "list_invalid"),
        ({"DinhDanhCHS": {"SoDinhDanh": "1"}}, "list_invalid"),
        ({"DanhSachTepDinhKemKhac": ["x"]}, "list_invalid"),
        ({"MaDoiTuong": "x" * 65}, "text_too_long"),
    ],
)
def test_bad_new_fields_are_refused_with_a_code(tree, birth_registration, changes, code):
    from motcua.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        p.dossier_fields(
            {**FULL, **changes},
            code=FULL["MaHoSo"],
            unit=Unit.objects.get(code="11143"),
            procedure=birth_registration,
            calendar=lambda: None,
        )
    assert caught.value.code == code


@pytest.mark.django_db
def test_a_corrected_id_number_replaces_the_kept_identifier(tree, birth_registration):
    import_lines(FULL)
    Dossier.objects.filter(code=FULL["MaHoSo"]).update(applicant_id_number="030090009999")
    (line,) = exported()
    assert line["DinhDanhCHS"] == [{"LoaiDinhDanh": "1", "SoDinhDanh": "030090009999"}]


@pytest.mark.django_db
def test_a_dossier_made_here_carries_the_facts_its_doors_set(staff, tree, birth_registration):
    d = services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        applicant=Applicant(name="Công ty B", id_number="030090001234", kind=2, code="0109"),
        components=[
            ReceivedComponent(name=c.name, component=c, digitized=True, from_national_store=i == 0)
            for i, c in enumerate(birth_registration.components.all())
        ],
        at=local(2023, 3, 1, 9),
    )
    d = services.dossier_request_supplement(
        actor=staff.desk, dossier=d, content="Thiếu", at=local(2023, 3, 1, 10)
    )
    d.refresh_from_db()
    assert (d.applicant_kind, d.applicant_code, d.vneid_verified) == (2, "0109", False)
    assert d.filing_place == tree.tien_dong.name
    line = dossier_payload_get(dossier=d)
    assert line["LoaiDoiTuong"] == "2" and line["MaDoiTuong"] == "0109"
    assert line["NoiNopHoSo"] == tree.tien_dong.name
    assert line["TaiKhoanDuocXacThucVoiVNeID"] == "0"
    assert line["DinhDanhCHS"] == [{"LoaiDinhDanh": "1", "SoDinhDanh": "030090001234"}]
    stores = [doc["DuocLayTuKhoDMQG"] for doc in line["TaiLieuNop"]]
    assert stores[0] == "1" and set(stores[1:]) <= {"0"}
    assert all(doc["TepDinhKemId"] for doc in line["TaiLieuNop"])
    (supplement,) = line["DanhSachHoSoBoSung"]
    assert supplement["NguoiYeuCauBoSung"] == services.actor_name(staff.desk)
    assert supplement["TrangThaiBoSung"] is False
    services.dossier_receive_supplement(actor=staff.desk, dossier=d, at=local(2023, 3, 2, 9))
    assert dossier_payload_get(dossier=d)["DanhSachHoSoBoSung"][0]["TrangThaiBoSung"] is True


@pytest.mark.django_db
def test_the_portal_payload_leaves_out_our_extensions(staff, tree, birth_registration):
    import_lines(
        {
            **FULL,
            "DongBoCongDVCQG": "1",
            "DiaChiChuHoSo": "Số 1",
            "NgayDongBoKetQuaKhoDMQG": "20230302160000",
        }
    )
    d = Dossier.objects.get(code=FULL["MaHoSo"])
    ours = dossier_payload_get(dossier=d)
    theirs = dossier_payload_get(dossier=d, for_portal=True)
    assert ours["DongBoCongDVCQG"] == "1" and ours["DiaChiChuHoSo"] == "Số 1"
    assert set(ours) - set(theirs) == set(p.EXTENSION_KEYS)


# --- any combination -----------------------------------------------------------------------------

codes = itertools.count(1)
short = st.text(alphabet="abcĐđêơ0123456789 -", min_size=1, max_size=12).map(str.strip).filter(bool)
document = st.fixed_dictionaries(
    {"TenTepDinhKem": short, "DuocSoHoa": st.sampled_from(["0", "1"])},
    optional={
        "TepDinhKemId": short,
        "IsDeleted": st.sampled_from(["0", "1"]),
        "DuocTaiSuDung": st.sampled_from(["0", "1", "2"]),
        "DuocLayTuKhoDMQG": st.sampled_from(["0", "1"]),
        "MaKetQuaThayThe": short,
    },
)
supplement = st.fixed_dictionaries(
    {"NgayBoSung": st.just("20230301090000"), "NgayTiepNhanBoSung": st.just("20230301140000")},
    optional={"NguoiYeuCauBoSung": short, "TrangThaiBoSung": st.booleans()},
)
extras = st.fixed_dictionaries(
    {},
    optional={
        "KenhThucHien": st.sampled_from([1, 2, 3, "1", "2", "3"]),
        "LoaiDoiTuong": st.sampled_from([1, 2, 3, 4, "1", "2", "3", "4"]),
        "MaDoiTuong": short,
        "NoiNopHoSo": short,
        "HinhThuc": st.sampled_from(["1", "2", "3", 1, 2, 3]),
        "NgayDongBoKetQuaKhoDMQG": st.sampled_from(["20230302160000", "2023-03-05T10:00:00+07:00"]),
        "ThongTinTra": short,
        "DinhDanhCHS": st.lists(
            st.fixed_dictionaries(
                {"LoaiDinhDanh": st.sampled_from(["1", "2"]), "SoDinhDanh": short}
            ),
            min_size=1,
            max_size=2,
        ),
        "DSKetNoiCSDL": st.lists(
            st.fixed_dictionaries({"MaCSDL": st.sampled_from(["1", "2", "7", "DC"])}),
            min_size=1,
            max_size=3,
            unique_by=lambda d: d["MaCSDL"],
        ),
        "DanhSachTepDinhKemKhac": st.lists(
            st.fixed_dictionaries({"TenGiayTo": short, "SoLuong": st.integers(1, 3)}),
            min_size=1,
            max_size=2,
        ),
        "TaiKhoanDuocXacThucVoiVNeID": st.sampled_from(["0", "1"]),
        "TaiLieuNop": st.lists(document, min_size=1, max_size=3),
        "DanhSachHoSoBoSung": st.lists(supplement, min_size=1, max_size=1),
    },
)
states = st.sampled_from([("0", False), ("4", False), ("9", True), ("10", True)])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(extra=extras, state=states)
@pytest.mark.django_db
def test_any_combination_exports_as_imported_and_round_trips(
    tree, birth_registration, extra, state
):
    value, ended = state
    line = {
        "kind": "dossier",
        "MaHoSo": f"11143-230301-{next(codes):04d}",
        "MaTTHC": "1.001193",
        "DonViXuLy": "11143",
        "NgayTiepNhan": "20230301080000",
        "NgayHenTra": "20230303080000",
        "TrangThaiHoSo": value,
        **({"NgayKetThucXuLy": "20230302150000"} if ended else {}),
        **extra,
    }
    import_lines(line)
    first = dossier_payload_get(dossier=Dossier.objects.get(code=line["MaHoSo"]))
    for key in NEW_KEYS:
        assert first.get(key) == line.get(key), key
    if "NgayDongBoKetQuaKhoDMQG" in line:  # the same moment, written as ISO
        assert p.moment(first, "NgayDongBoKetQuaKhoDMQG") == p.moment(
            line, "NgayDongBoKetQuaKhoDMQG"
        )
    assert first["TrangThaiHoSo"] == ("0" if value == "0" else int(value))
    # The export imported again (an update of the same dossier) exports the same.
    import_lines(first)
    assert dossier_payload_get(dossier=Dossier.objects.get(code=line["MaHoSo"])) == first


@pytest.mark.django_db
def test_the_portal_payload_writes_every_date_compact(staff, tree, birth_registration):
    d = services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        applicant=Applicant(name="A"),
        components=[
            ReceivedComponent(name=c.name, component=c) for c in birth_registration.components.all()
        ],
        at=local(2023, 3, 1, 9, 5),
    )
    services.dossier_request_supplement(
        actor=staff.desk, dossier=d, content="Thiếu", at=local(2023, 3, 1, 10)
    )
    theirs = dossier_payload_get(dossier=d, for_portal=True)
    assert theirs["NgayTiepNhan"] == "20230301090500"
    assert theirs["DanhSachHoSoBoSung"][0]["NgayBoSung"] == "20230301100000"
    assert all(len(e["ThoiDiemXuLy"]) == 14 for e in theirs["QuaTrinhXuLy"])
    # Our files keep ISO dates: the same moments.
    ours = dossier_payload_get(dossier=d)
    assert p.moment(ours, "NgayTiepNhan") == p.moment(theirs, "NgayTiepNhan")
