"""In a real browser: the provincial centre receives a dossier for a commune's procedure that the
province lets citizens file anywhere, names the commune as the processing agency, hands it over,
and the commune's specialist finds it in their inbox."""

from datetime import date

import pytest

from motcua.catalog.models import Component
from motcua.catalog.services import filing_anywhere_set
from motcua.dossiers.models import Dossier
from motcua.units.models import Role
from motcua.units.services import unit_upsert
from tests.conftest import make_user
from tests.e2e.helpers import login, new_page

pytestmark = pytest.mark.django_db(transaction=True)


def test_filing_at_a_centre_for_another_communes_procedure(
    page, browser, live_server, staff, tree, birth_registration
):
    centre, _ = unit_upsert(
        code="30-TTHCC",
        name="Trung tâm Phục vụ hành chính công tỉnh",
        level="centre",
        parent=tree.province,
        agency_id="000.00.99.H23",
    )
    make_user("tiepnhan.trungtam", unit=centre, role=Role.DESK_OFFICER)
    filing_anywhere_set(
        province=tree.province,
        procedure=birth_registration,
        decision_number="12/QĐ-UBND",
        decision_date=date(2025, 6, 20),
        valid_from=date(2025, 7, 1),
    )

    login(page, live_server, "tiepnhan.trungtam")
    page.goto(f"{live_server.url}/tiep-nhan/?unit={centre.code}&q=dang+ky+khai+sinh")
    page.locator(".procedure-list a").first.click()
    page.wait_for_url(f"**/tiep-nhan/{centre.code}/1.001193/")
    page.get_by_label("Cơ quan giải quyết").select_option(label="UBND xã Tiên Động")
    for component in Component.objects.filter(procedure=birth_registration):
        page.get_by_label(component.name, exact=True).check()
        page.locator(f"#id_c{component.pk}_digitized").check()
    page.get_by_label("Họ và tên chủ hồ sơ").fill("Đinh Thị Lan")
    page.get_by_label("Số điện thoại").fill("0977 222 333")
    page.get_by_role("button", name="Tiếp nhận hồ sơ", exact=True).click()
    page.wait_for_url("**/tiep-nhan/da-tiep-nhan/*/")
    code = page.locator(".code").inner_text().strip()
    dossier = Dossier.objects.get(code=code)
    assert dossier.unit == tree.tien_dong and dossier.received_by == centre
    assert code.startswith("000.00.99.H23-")

    # The centre's desk hands it over to the commune.
    page.goto(f"{live_server.url}/ho-so/{code}/")
    assert "Nơi tiếp nhận" in page.locator("#main").inner_text()
    page.get_by_text("Chuyển bước tiếp theo", exact=True).click()
    page.get_by_role("button", name="Xác nhận: chuyển bước tiếp theo").click()
    page.wait_for_url(f"**/ho-so/{code}/")
    assert "Đã chuyển hồ sơ sang bước tiếp theo." in page.get_by_role("status").first.inner_text()

    commune = new_page(browser)
    login(commune, live_server, "chuyenvien.tiendong")
    assert code in commune.locator("#main").inner_text()
    commune.context.close()
