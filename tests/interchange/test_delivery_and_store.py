"""HinhThuc ↔ `result_delivery` and the result link synced to the citizen's store
(`result_store_synced_at`, our extension `NgayDongBoKetQuaKhoDMQG`): read on import, written on
export, exactly round-tripped through an empty database; an unknown HinhThuc is refused with a
message naming the field and nothing of that line is written."""

import io
import json
from datetime import date

import pytest

from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant
from motcua.interchange import payload as p
from motcua.interchange.services import interchange_export, interchange_import
from motcua.scorecard.selectors import scorecard_report
from motcua.units.models import Unit
from tests.conftest import handed_in, local
from tests.interchange.test_roundtrip import empty_database, parsed

MARCH = (date(2023, 3, 1), date(2023, 3, 31))


def line(code: str, **extra) -> dict:
    return {
        "kind": "dossier",
        "MaHoSo": code,
        "MaTTHC": "1.001193",
        "DonViXuLy": "11143",
        "NgayTiepNhan": "20230301080000",
        "NgayHenTra": "20230303080000",
        "TrangThaiHoSo": "4",
        **extra,
    }


def export_text(unit_code: str = "11143") -> str:
    out = io.StringIO()
    interchange_export(unit=Unit.objects.get(code=unit_code), start=MARCH[0], end=MARCH[1], out=out)
    return out.getvalue()


def dossier_lines(text: str) -> dict[str, dict]:
    return {d["MaHoSo"]: d for d in parsed(text) if d["kind"] == "dossier"}


def store_figure() -> tuple:
    report = scorecard_report(unit=Unit.objects.get(code="11143"), start=MARCH[0], end=MARCH[1])
    row = next(i for g in report["groups"] for i in g["indicators"] if i["id"] == "4.4")
    return row["numerator"], row["denominator"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value, delivery", [("1", "desk"), ("2", "online"), ("3", "post"), (3, "post"), ("", "")]
)
def test_hinh_thuc_is_read_into_result_delivery_and_written_back_as_given(
    tree, birth_registration, value, delivery
):
    report = interchange_import(
        stream=[json.dumps(line("11143-230301-0001", HinhThuc=value)) + "\n"], strict=True
    )
    assert report.rejected == 0, report.errors
    assert Dossier.objects.get().result_delivery == delivery
    exported = dossier_lines(export_text())["11143-230301-0001"]
    assert exported.get("HinhThuc", "") == value


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["0", "4", 7, "hai"])
def test_an_unknown_hinh_thuc_is_refused_naming_the_field_and_nothing_is_written(
    tree, birth_registration, value
):
    good = line("11143-230301-0001", HinhThuc="2")
    bad = line("11143-230301-0002", HinhThuc=value)
    report = interchange_import(stream=[json.dumps(good) + "\n", json.dumps(bad) + "\n"])
    assert report.rejected == 1
    ((number, message),) = report.errors
    assert number == 2 and "HinhThuc" in message
    assert list(Dossier.objects.values_list("code", flat=True)) == ["11143-230301-0001"]
    # Strict: the whole file is refused, the good line with it.
    other = line("11143-230301-0003", HinhThuc="1")
    report = interchange_import(
        stream=[json.dumps(other) + "\n", json.dumps(bad) + "\n"], strict=True
    )
    assert report.rejected == 1
    assert list(Dossier.objects.values_list("code", flat=True)) == ["11143-230301-0001"]


def test_the_delivery_codes_are_one_table_both_ways():
    for code, delivery in p.DELIVERY_CODES.items():
        assert p.delivery_read({"HinhThuc": str(code)}) == delivery
        assert p._delivery_out({}, delivery) == str(code)
    assert p._delivery_out({}, "") is None
    # A record whose code no longer says the dossier's delivery gives way to the fact.
    assert p._delivery_out({"HinhThuc": "1"}, "post") == "3"


@pytest.mark.django_db
def test_made_here_delivery_and_synced_result_link_round_trip_through_an_empty_database(
    staff, tree, birth_registration
):
    made = {}
    for n, delivery in enumerate(("post", "online", "desk", ""), start=1):
        made[delivery] = services.dossier_receive(
            actor=staff.desk,
            unit=tree.tien_dong,
            procedure=birth_registration,
            applicant=Applicant(name=f"Người {n}", phone="0912345678"),
            components=handed_in(birth_registration),
            result_delivery=delivery,
            at=local(2023, 3, n + 1, 9),
        )
    services.dossier_mark_result_synced(dossier=made["online"], at=local(2023, 3, 20, 10))
    before = store_figure()
    assert before == (1, 4)  # the synced result link counts in 4.4 (no component from the store)
    text = export_text()
    lines = dossier_lines(text)
    codes = {d: made[d].code for d in made}
    assert lines[codes["post"]]["HinhThuc"] == "3" and lines[codes["online"]]["HinhThuc"] == "2"
    assert lines[codes["desk"]]["HinhThuc"] == "1" and "HinhThuc" not in lines[codes[""]]
    synced = lines[codes["online"]]["NgayDongBoKetQuaKhoDMQG"]
    assert p.moment({"v": synced}, "v") == local(2023, 3, 20, 10)
    assert all("NgayDongBoKetQuaKhoDMQG" not in lines[codes[d]] for d in ("post", "desk", ""))
    facts = {
        code: (d.result_delivery, d.result_store_synced_at)
        for code, d in ((d.code, Dossier.objects.get(pk=d.pk)) for d in made.values())
    }

    empty_database()
    report = interchange_import(stream=io.StringIO(text), strict=True)
    assert report.rejected == 0, report.errors
    assert {
        d.code: (d.result_delivery, d.result_store_synced_at) for d in Dossier.objects.all()
    } == facts
    assert store_figure() == before
    assert parsed(export_text()) == parsed(text)
