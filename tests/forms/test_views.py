"""The PDF downloads: who may print what, and what they get."""

import logging

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db


def url(code: str, slug: str) -> str:
    return f"/bieu-mau/{code}/{slug}.pdf"


def test_officer_of_the_unit_gets_the_pdf_and_the_print_is_audited(client, staff, shapes, caplog):
    client.force_login(staff.desk)
    with caplog.at_level(logging.INFO, logger="motcua.audit"):
        response = client.get(url(shapes.received.code, "giay-tiep-nhan"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert f"giay-tiep-nhan-{shapes.received.code}.pdf" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    audit = [r.getMessage() for r in caplog.records if r.name == "motcua.audit"]
    assert any("action=form_pdf" in m and shapes.received.code in m for m in audit)
    assert not any(shapes.received.applicant_id_number in m for m in audit)


@pytest.mark.parametrize(
    "slug",
    ["phieu-yeu-cau-bo-sung", "phieu-xin-loi", "phieu-kiem-soat"],
)
def test_every_form_has_its_url(client, staff, shapes, slug):
    client.force_login(staff.processor)
    response = client.get(url(shapes.full.code, slug))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_supervisor_above_may_print(client, staff, shapes):
    client.force_login(staff.supervisor)
    assert client.get(url(shapes.stopped.code, "thong-bao-dung-xu-ly")).status_code == 200


def test_other_communes_officer_is_refused_in_vietnamese(client, staff, shapes, caplog):
    client.force_login(staff.other_desk)
    with caplog.at_level(logging.INFO, logger="motcua.audit"):
        response = client.get(url(shapes.received.code, "giay-tiep-nhan"))
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="vi">' in html and "Bạn không có quyền xem hồ sơ này." in html
    assert "Nguyễn Văn An" not in html
    assert any("action=form_denied" in r.getMessage() for r in caplog.records)


def test_anonymous_is_sent_to_the_login_page(client, shapes):
    response = client.get(url(shapes.received.code, "giay-tiep-nhan"))
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/?next=")


def test_unknown_dossier_and_unknown_form_are_404(client, staff, shapes):
    client.force_login(staff.desk)
    assert client.get(url("11143-240304-9999", "giay-tiep-nhan")).status_code == 404
    assert client.get(url(shapes.received.code, "giay-khai-sinh")).status_code == 404


def test_form_that_does_not_apply_goes_back_to_the_dossier_with_the_reason(client, staff, shapes):
    client.force_login(staff.desk)
    response = client.get(url(shapes.received.code, "phieu-xin-loi"), follow=True)
    assert response.redirect_chain[-1][0] == f"/ho-so/{shapes.received.code}/"
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        "Hồ sơ chưa được xin lỗi và hẹn lại ngày trả kết quả nên không có phiếu này."
    ]


# --- log book ------------------------------------------------------------------------------------

LOGBOOK = "/bieu-mau/so-theo-doi.pdf"


def test_logbook_pdf_for_the_officers_unit(client, staff, shapes):
    client.force_login(staff.desk)
    response = client.get(LOGBOOK, {"unit": "11143", "from": "2024-03-01", "to": "31/03/2024"})
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].endswith('so-theo-doi-11143-20240301-20240331.pdf"')


def test_logbook_of_another_unit_is_refused(client, staff, shapes):
    client.force_login(staff.other_desk)
    response = client.get(LOGBOOK, {"unit": "11143", "from": "2024-03-01", "to": "2024-03-31"})
    assert response.status_code == 403
    assert "Bạn không có quyền in sổ theo dõi hồ sơ của đơn vị này." in response.content.decode()


def test_logbook_without_a_role_or_login(client, db):
    assert client.get(LOGBOOK).status_code == 302
    client.force_login(get_user_model().objects.create_user("khongvaitro"))
    assert client.get(LOGBOOK, {"unit": "11143"}).status_code == 403
    assert client.get("/bieu-mau/so-theo-doi/").status_code == 403


def test_logbook_bad_input_shows_the_form_with_vietnamese_errors(client, staff, shapes):
    client.force_login(staff.desk)
    page = client.get("/bieu-mau/so-theo-doi/")
    assert page.status_code == 200 and "In sổ theo dõi hồ sơ" in page.content.decode()
    response = client.get(LOGBOOK, {"unit": "11143", "from": "2024-03-31", "to": "2024-03-01"})
    assert response.status_code == 400
    assert "Ngày kết thúc phải bằng hoặc sau ngày bắt đầu." in response.content.decode()
    response = client.get(LOGBOOK, {"unit": "11143", "from": "hôm qua"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Ngày không hợp lệ." in html and "Chưa chọn ngày kết thúc." in html


def test_stop_notice_has_its_url(client, staff, shapes):
    client.force_login(staff.processor)
    response = client.get(url(shapes.stopped.code, "thong-bao-dung-xu-ly"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "thong-bao-dung-xu-ly-" in response["Content-Disposition"]


def test_dossier_page_of_a_stopped_dossier_links_the_stop_notice(client, staff, shapes):
    client.force_login(staff.processor)
    stopped = client.get(reverse("backoffice:dossier", kwargs={"code": shapes.stopped.code}))
    assert stopped.status_code == 200
    page = stopped.content.decode()
    assert shapes.stopped.state == 8
    assert url(shapes.stopped.code, "thong-bao-dung-xu-ly") in page
    assert "Mẫu số 05: Thông báo dừng giải quyết hồ sơ" in page
    assert "Mẫu số 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in page

    received = client.get(reverse("backoffice:dossier", kwargs={"code": shapes.received.code}))
    assert "thong-bao-dung-xu-ly" not in received.content.decode()
