"""A unit code reused after the reorganisation of 1/7/2025: an imported dossier is filed under the
unit that bore its `DonViXuLy` on the dossier's own day — a 2023 file re-imported today still lands
on old Cộng Lạc, not on today's Lạc Phượng that took over the code."""

import io
import json
import random
from datetime import date

import pytest

from motcua.dossiers.models import Dossier
from motcua.interchange.services import interchange_import
from motcua.units.reorganisation import NewUnit, Reorganisation
from motcua.units.selectors import unit_get_by_code
from motcua.units.services import unit_reorganise
from tests.interchange.generate import dossier_payload

pytestmark = pytest.mark.django_db


def _line(code: str, procedure_code: str, received: str) -> str:
    payload = dossier_payload(0, random.Random(3))
    payload.update(
        {
            "MaHoSo": code,
            "MaTTHC": procedure_code,
            "DonViXuLy": "11140",
            "KenhThucHien": "1",
            "NgayNopHoSo": received,
            "NgayTiepNhan": received,
            "NgayHenTra": None,
            "TrangThaiHoSo": "2",
        }
    )
    for key in ("NgayKetThucXuLy", "NgayTra", "NgayTuChoi"):
        payload.pop(key, None)
    return json.dumps(payload, ensure_ascii=False)


def test_each_line_is_filed_under_the_unit_bearing_the_code_on_its_day(tree, birth_registration):
    unit_reorganise(
        reorganisation=Reorganisation(
            effective_on=date(2025, 7, 1),
            decision="Nghị quyết 1669/NQ-UBTVQH15",
            create=[
                NewUnit(code="31", name="UBND thành phố Hải Phòng", level="province"),
                NewUnit(code="11140", name="UBND xã Lạc Phượng", level="commune", parent="31"),
            ],
            merge=[(["11140", "11143"], "11140"), (["30"], "31")],
            end=["298", "298-TP"],
        ),
        apply=True,
    )
    old = unit_get_by_code(code="11140", on=date(2023, 5, 4))
    new = unit_get_by_code(code="11140", on=date(2026, 5, 4))
    assert old != new and old.name == "UBND xã Cộng Lạc"
    stream = io.StringIO(
        "\n".join(
            [
                _line("11140-230504-000001", birth_registration.code, "20230504080000"),
                _line("11140-260504-000001", birth_registration.code, "2026-05-04T08:00:00+07:00"),
            ]
        )
    )
    report = interchange_import(stream=stream)
    assert report.rejected == 0, report.errors
    assert Dossier.objects.get(code="11140-230504-000001").unit == old
    assert Dossier.objects.get(code="11140-260504-000001").unit == new
