"""The dashboard's rankings spreadsheet (reports.rankings, downloaded from the dashboard) opens in
LibreOffice and reads back as the ranking it was made from. Form 06 and the brief come from
motcua.reports: tests/reports/test_libreoffice.py. Skipped without `soffice`; CI installs it."""

import csv
from datetime import date

import pytest
from django.test import Client

from motcua.core.formatting import date_vi
from motcua.dossiers import services
from motcua.dossiers.services import Applicant
from motcua.scorecard.rankings import units_rank
from tests.conftest import handed_in, local, needs_soffice

pytestmark = [pytest.mark.django_db, needs_soffice]

MARCH = {"start": date(2024, 3, 1), "end": date(2024, 3, 31)}
CSV_UTF8 = "csv:Text - txt - csv (StarCalc):44,34,76"  # comma, double quote, UTF-8


@pytest.fixture
def march(staff, tree, birth_registration):
    """Tiên Động: two dossiers, one resolved early, one paid online. Cộng Lạc: one, paid at the desk
    and still open — so the two communes score differently."""
    at = local(2024, 3, 4, 8)
    first, second = (
        services.dossier_receive(
            actor=staff.desk,
            unit=tree.tien_dong,
            procedure=birth_registration,
            components=handed_in(birth_registration),
            applicant=Applicant(name=name),
            at=at,
        )
        for name in ("Nguyễn Văn A", "Trần Thị B")
    )
    first = services.dossier_forward(actor=staff.desk, dossier=first, at=at)
    first = services.dossier_forward(actor=staff.processor, dossier=first, at=at)
    services.dossier_resolve(
        actor=staff.leader, dossier=first, result_summary="KQ", at=local(2024, 3, 4, 10)
    )
    services.dossier_record_payment(
        actor=None, dossier=second, amount=8000, online=True, reference="TT-1", at=at
    )
    third = services.dossier_receive(
        actor=staff.other_desk,
        unit=tree.cong_lac,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="Lê Văn C"),
        at=local(2024, 3, 6, 8),
    )
    services.dossier_record_payment(
        actor=staff.other_desk, dossier=third, amount=8000, online=False, at=local(2024, 3, 6, 9)
    )
    return tree


def test_rankings_xlsx_reads_back_in_libreoffice(staff, march, soffice, tmp_path):
    client = Client()
    client.force_login(staff.supervisor)
    response = client.get("/giam-sat/tai-ve/xep-hang.xlsx?unit=298&from=2024-03-01&to=2024-03-31")
    assert response.status_code == 200
    path = tmp_path / "xep-hang-298-20240301-20240331.xlsx"
    path.write_bytes(response.content)

    (converted,) = soffice([path], to=CSV_UTF8)
    with converted.open(encoding="utf-8-sig", newline="") as handle:
        title, heading, *body = csv.reader(handle)

    period = f"{date_vi(MARCH['start'])} – {date_vi(MARCH['end'])}"
    assert title[0] == f"Xếp hạng đơn vị theo Bộ chỉ số 766 — UBND huyện Tứ Kỳ, {period}"
    assert heading == [
        "Hạng", "Mã", "Đơn vị", "Điểm", "Điểm tối đa có dữ liệu", "Tỷ lệ (%)", "Xếp loại",
    ]  # fmt: skip
    ranking = units_rank(parent=march.district, **MARCH)
    assert len(ranking) == 3  # the department and both communes
    assert len({row["points"] for row in ranking}) > 1
    ranked = [row for row in ranking if not row["no_data"]]
    unranked = [row for row in ranking if row["no_data"]]
    assert unranked and ranked  # the department has no dossiers: listed apart, after the others
    cut = next(i for i, line in enumerate(body) if line[0].startswith("Chưa có dữ liệu"))
    assert [(line[1], line[0], line[6]) for line in body[cut + 1 :]] == [
        (row["unit"]["code"], "", "Chưa có dữ liệu") for row in unranked
    ]
    body = body[:cut]
    read = [
        (
            int(rank),
            code,
            name,
            float(points),
            float(most),
            float(percent) if percent else None,
            band,
        )
        for rank, code, name, points, most, percent, band in body
    ]
    assert read == [
        (
            row["rank"],
            row["unit"]["code"],
            row["unit"]["name"],
            pytest.approx(float(row["points"])),
            pytest.approx(float(row["max_available"])),
            None
            if row["percent_of_available"] is None
            else pytest.approx(float(row["percent_of_available"])),
            row["band"] or "",
        )
        for row in ranked
    ]
