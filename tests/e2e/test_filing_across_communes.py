"""In a real browser, on today's two-tier tree (after the 1/7/2025 reorganisation, applied through
the reorganisation service): the desk of commune Tứ Kỳ's centre receives a dossier for a procedure
of commune Lạc Phượng — which reuses the code of the old Cộng Lạc — because the city lets citizens
file it at any centre. The dossier is filed with Lạc Phượng (the processing agency), handed over,
the hand-over is on its control slip, and Lạc Phượng's specialist finds it in their inbox."""

import shutil
import subprocess
from datetime import date

import pytest

from motcua.catalog.models import Component
from motcua.catalog.services import filing_anywhere_set
from motcua.dossiers.models import Dossier
from motcua.units.models import Role
from motcua.units.reorganisation import NewUnit, Reorganisation
from motcua.units.selectors import unit_get_by_code
from motcua.units.services import unit_reorganise
from tests.conftest import make_user
from tests.e2e.helpers import login, new_page

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live_tree(tree, birth_registration):
    unit_reorganise(
        reorganisation=Reorganisation(
            effective_on=date(2025, 7, 1),
            decision="Nghị quyết 1669/NQ-UBTVQH15",
            create=[
                NewUnit(code="31", name="UBND thành phố Hải Phòng", level="province"),
                NewUnit(
                    code="11074",
                    name="UBND xã Tứ Kỳ",
                    level="commune",
                    parent="31",
                    agency_id="001.31.00.H31",
                ),
                NewUnit(
                    code="11074-TTHCC",
                    name="Trung tâm Phục vụ hành chính công xã Tứ Kỳ",
                    level="centre",
                    parent="11074",
                    agency_id="001.31.99.H31",
                ),
                NewUnit(code="11140", name="UBND xã Lạc Phượng", level="commune", parent="31"),
            ],
            merge=[(["11140", "11143"], "11140"), (["30"], "31")],
            end=["298", "298-TP"],
        ),
        apply=True,
    )
    city = unit_get_by_code(code="31")
    filing_anywhere_set(
        province=city,
        procedure=birth_registration,
        decision_number="25/QĐ-UBND",
        decision_date=date(2025, 6, 25),
        valid_from=date(2025, 7, 1),
    )
    centre = unit_get_by_code(code="11074-TTHCC")
    lac_phuong = unit_get_by_code(code="11140")
    make_user("tiepnhan.xatuky", unit=unit_get_by_code(code="11074"), role=Role.DESK_OFFICER)
    make_user("chuyenvien.xalacphuong", unit=lac_phuong, role=Role.PROCESSOR)
    return centre, lac_phuong


def test_filing_at_one_communes_centre_for_another_communes_procedure(
    page, browser, live_server, live_tree, birth_registration, tmp_path
):
    centre, lac_phuong = live_tree
    login(page, live_server, "tiepnhan.xatuky")
    page.goto(f"{live_server.url}/tiep-nhan/?unit={centre.code}&q=dang+ky+khai+sinh")
    page.locator(".procedure-list a").first.click()
    page.wait_for_url(f"**/tiep-nhan/{centre.code}/1.001193/")
    # Lạc Phượng is offered once: the new commune, not the old Cộng Lạc that bore its code.
    options = page.get_by_label("Cơ quan giải quyết").locator("option").all_text_contents()
    assert options.count("UBND xã Lạc Phượng") == 1 and "UBND xã Cộng Lạc" not in options
    page.get_by_label("Cơ quan giải quyết").select_option(label="UBND xã Lạc Phượng")
    for component in Component.objects.filter(procedure=birth_registration):
        page.get_by_label(component.name, exact=True).check()
        page.locator(f"#id_c{component.pk}_digitized").check()
    page.get_by_label("Họ và tên chủ hồ sơ").fill("Vũ Thị Hoa")
    page.get_by_label("Số điện thoại").fill("0912 345 678")
    page.get_by_role("button", name="Tiếp nhận hồ sơ", exact=True).click()
    page.wait_for_url("**/tiep-nhan/da-tiep-nhan/*/")
    code = page.locator(".code").inner_text().strip()
    dossier = Dossier.objects.get(code=code)
    assert dossier.unit == lac_phuong and dossier.received_by == centre
    assert code.startswith("001.31.99.H31-")  # numbered by the centre that received it

    # Hand-over to the competent agency.
    page.goto(f"{live_server.url}/ho-so/{code}/")
    page.get_by_text("Chuyển bước tiếp theo", exact=True).click()
    page.get_by_role("button", name="Xác nhận: chuyển bước tiếp theo").click()
    page.wait_for_url(f"**/ho-so/{code}/")
    assert "Đã chuyển hồ sơ sang bước tiếp theo." in page.get_by_role("status").first.inner_text()

    # The control slip (form 06) shows where it was received and the hand-over between the two.
    slip = page.request.get(f"{live_server.url}/bieu-mau/{code}/phieu-kiem-soat.pdf")
    assert slip.status == 200 and slip.headers["content-type"] == "application/pdf"
    if shutil.which("pdftotext"):
        path = tmp_path / "slip.pdf"
        path.write_bytes(slip.body())
        text = " ".join(
            subprocess.run(
                ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
            ).stdout.split()
        )
        assert "Nơi tiếp nhận hồ sơ: Trung tâm Phục vụ hành chính công xã Tứ Kỳ" in text
        assert "Cơ quan (bộ phận) giải quyết hồ sơ: UBND xã Lạc Phượng" in text
        first_row = text.index("Trung tâm Phục vụ hành chính công xã Tứ Kỳ – Cán bộ tiếp nhận")
        assert text.index("UBND xã Lạc Phượng – Chuyên viên xử lý") > first_row

    commune = new_page(browser)
    login(commune, live_server, "chuyenvien.xalacphuong")
    assert code in commune.locator("#main").inner_text()
    commune.context.close()
