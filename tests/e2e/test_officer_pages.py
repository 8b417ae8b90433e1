"""An officer logs in, finds a dossier in the inbox and forwards it, in a real browser."""

import pytest

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, State
from motcua.dossiers.services import Applicant
from tests.conftest import handed_in

pytestmark = pytest.mark.django_db(transaction=True)


def login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("mat-khau-thu-nghiem")
    page.get_by_role("button", name="Đăng nhập").click()


def test_officer_forwards_a_dossier_from_the_inbox(
    page, live_server, staff, tree, birth_registration
):
    dossier = services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="Nguyễn Thị Hoa", id_number="001199001234"),
    )
    login(page, live_server, "tiepnhan.tiendong")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.get_by_role("link", name=dossier.code).click()
    assert "Nguyễn Thị Hoa" in page.content()
    assert "001199001234" not in page.content()  # the ID number is masked
    page.get_by_text("Chuyển bước tiếp theo", exact=True).click()
    page.get_by_role("button", name="Xác nhận: chuyển bước tiếp theo").click()
    page.wait_for_url(f"**/ho-so/{dossier.code}/")
    assert Dossier.objects.get(pk=dossier.pk).state == State.PROCESSING
    page.goto(f"{live_server.url}/ho-so/")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=dossier.code))
    assert "Đang xử lý" in row.inner_text()
