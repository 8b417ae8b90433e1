"""A desk officer receives a citizen's request to correct their name and answers it, in a real
browser: the request gets its deadline, the dossier its correction."""

import pytest

from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant
from tests.conftest import handed_in
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_desk_officer_answers_a_correction_request(
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
    page.get_by_role("link", name="Dữ liệu cá nhân").click()
    page.get_by_label("Loại yêu cầu").select_option("correct")
    page.get_by_label("Mã hồ sơ liên quan").fill(dossier.code)
    page.get_by_label("Họ và tên chủ thể dữ liệu").fill("Nguyễn Thị Hoa")
    page.get_by_label("Địa chỉ liên hệ để trả lời (điện thoại, thư điện tử, địa chỉ)").fill(
        "0912345678"
    )
    page.get_by_label("Nội dung yêu cầu").fill("Tên đúng là Nguyễn Thị Hòa")
    page.get_by_role("button", name="Tiếp nhận yêu cầu").click()
    page.wait_for_url("**/du-lieu-ca-nhan/*/")
    assert "Hạn trả lời" in page.content()
    page.get_by_label("Họ và tên (mới)").fill("Nguyễn Thị Hòa")
    screenshot(page, "privacy-request")
    page.get_by_role("button", name="Trả lời yêu cầu").click()
    page.wait_for_selector("text=Đã đáp ứng")
    assert Dossier.objects.get(pk=dossier.pk).applicant_name == "Nguyễn Thị Hòa"
