"""The dossier page and the actions posted from it."""

import logging
import re

import pytest
from django.test import Client

from motcua.dossiers.models import Dossier, State
from tests.backoffice.factories import ID_NUMBER

pytestmark = pytest.mark.django_db


def page(code: str) -> str:
    return f"/ho-so/{code}/"


def action_url(code: str, slug: str) -> str:
    return f"/ho-so/{code}/thao-tac/{slug}/"


def messages_in(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_dossier_page_shows_header_timeline_slip_and_documents(client, staff, dossiers):
    client.force_login(staff.desk)
    response = client.get(page(dossiers.overdue.code))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert dossiers.overdue.code in html and "Đăng ký khai sinh" in html
    assert "Nguyễn Văn An" in html and "********2345" in html and ID_NUMBER not in html
    assert "05/03/2024 08:00" in html and "Quá hạn" in html
    # Timeline, control slip, documents.
    assert "Tiếp nhận hồ sơ" in html and "→ Đã tiếp nhận" in html
    assert "Phiếu kiểm soát quá trình giải quyết" in html and "Tiếp nhận, chuyển hồ sơ" in html
    assert "Tờ khai đăng ký khai sinh" in html and "đã số hóa" in html


def test_paused_dossier_shows_the_supplement_content(client, staff, dossiers):
    client.force_login(staff.processor)
    html = client.get(page(dossiers.paused.code)).content.decode()
    assert "tạm dừng chờ bổ sung" in html
    assert "Thiếu giấy chứng sinh bản chính" in html
    assert "Yêu cầu bổ sung → " not in html  # states are labels, not raw codes
    assert "Đã tiếp nhận → Yêu cầu bổ sung" in html


def test_viewing_is_audited_without_personal_data(client, staff, dossiers, caplog):
    caplog.set_level(logging.INFO, logger="motcua.audit")
    client.force_login(staff.desk)
    client.get(page(dossiers.overdue.code))
    records = [r for r in caplog.records if r.name == "motcua.audit"]
    assert len(records) == 1
    message = records[0].getMessage()
    assert "action=view" in message and f"user_id={staff.desk.pk}" in message
    assert f"dossier={dossiers.overdue.code}" in message
    assert ID_NUMBER not in caplog.text and "Nguyễn Văn An" not in caplog.text


def test_unknown_code_gives_a_friendly_404(client, staff, dossiers):
    client.force_login(staff.desk)
    response = client.get(page("11143-991231-9999"))
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Không tìm thấy hồ sơ có mã 11143-991231-9999" in html


def test_unknown_url_gives_the_same_404_page(client, staff):
    client.force_login(staff.desk)
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.content.decode()
    assert '<html lang="vi">' in response.content.decode()


def test_another_units_officer_is_refused_without_data(client, staff, dossiers, caplog):
    caplog.set_level(logging.INFO, logger="motcua.audit")
    client.force_login(staff.other_desk)
    response = client.get(page(dossiers.overdue.code))
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Bạn không có quyền xem hồ sơ này." in html
    for secret in ("Nguyễn Văn An", "2345", "Đăng ký khai sinh", "05/03/2024"):
        assert secret not in html
    assert "action=view_denied" in caplog.text


def test_posting_an_action_changes_the_state(client, staff, dossiers):
    client.force_login(staff.desk)
    soon = dossiers.soon
    html = client.get(page(soon.code)).content.decode()
    assert f'action="/ho-so/{soon.code}/thao-tac/chuyen-xu-ly/"' in html
    assert re.search(r'name="expected_version" value="1"', html)
    response = client.post(
        action_url(soon.code, "chuyen-xu-ly"),
        {"expected_version": 1, "note": "Đủ hồ sơ"},
        follow=True,
    )
    assert response.redirect_chain == [(page(soon.code), 302)]
    assert messages_in(response) == ["Đã chuyển hồ sơ sang bước tiếp theo."]
    soon.refresh_from_db()
    assert (soon.state, soon.current_role, soon.last_event_seq) == (
        State.PROCESSING,
        "processor",
        2,
    )
    html = response.content.decode()
    assert "Chuyển xử lý" in html and "Đủ hồ sơ" in html


def test_a_stale_form_changes_nothing(client, staff, dossiers):
    client.force_login(staff.desk)
    soon = dossiers.soon
    response = client.post(
        action_url(soon.code, "yeu-cau-bo-sung"),
        {"expected_version": 0, "content": "Thiếu tờ khai"},
        follow=True,
    )
    assert response.status_code == 200
    (message,) = messages_in(response)
    assert "vừa được người khác cập nhật" in message
    assert Dossier.objects.get(pk=soon.pk).last_event_seq == 1
    assert Dossier.objects.get(pk=soon.pk).state == State.RECEIVED


def test_missing_input_is_explained_not_a_500(client, staff, dossiers):
    client.force_login(staff.leader)
    response = client.post(
        action_url(dossiers.soon.code, "tu-choi"),
        {"expected_version": 1, "reason": ""},
        follow=True,
    )
    assert response.status_code == 200
    (message,) = messages_in(response)
    assert message.startswith("Lý do:")
    assert Dossier.objects.get(pk=dossiers.soon.pk).state == State.RECEIVED


def test_a_refused_action_shows_the_services_message(client, staff, dossiers):
    client.force_login(staff.processor)  # only a leader may refuse to resolve
    response = client.post(
        action_url(dossiers.soon.code, "tu-choi"),
        {"expected_version": 1, "reason": "Không đủ điều kiện"},
        follow=True,
    )
    (message,) = messages_in(response)
    assert message.startswith("Bạn không có quyền từ chối giải quyết")
    assert Dossier.objects.get(pk=dossiers.soon.pk).state == State.RECEIVED


def test_an_impossible_transition_is_explained(client, staff, dossiers):
    client.force_login(staff.desk)
    response = client.post(
        action_url(dossiers.soon.code, "tra-ket-qua"), {"expected_version": 1}, follow=True
    )
    (message,) = messages_in(response)
    assert message == "Không thể trả kết quả khi hồ sơ ở trạng thái “Đã tiếp nhận”."


def test_full_journey_through_the_pages(client, staff, dossiers):
    code = dossiers.soon.code

    def act(user, slug, **data):
        client.force_login(user)
        version = Dossier.objects.get(code=code).last_event_seq
        response = client.post(
            action_url(code, slug), {"expected_version": version, **data}, follow=True
        )
        assert not [m for m in response.context["messages"] if m.level_tag == "error"], slug
        return Dossier.objects.get(code=code)

    act(staff.desk, "yeu-cau-bo-sung", content="Thiếu giấy chứng sinh")
    assert act(staff.desk, "nhan-bo-sung", note="Đã nộp đủ").state == State.PROCESSING
    act(staff.desk, "chuyen-xu-ly")
    act(staff.processor, "chuyen-xu-ly")
    assert (
        act(staff.leader, "phe-duyet", result_summary="Giấy khai sinh số 12").state
        == State.RESOLVED
    )
    assert act(staff.desk, "tra-ket-qua").state == State.RETURNED
    html = client.get(page(code)).content.decode()
    assert "Giấy khai sinh số 12" in html and "Trả kết quả" in html
    assert "Thao tác" not in html  # nothing left to do


def test_apology_with_a_new_date(client, staff, dossiers):
    client.force_login(staff.desk)
    overdue = dossiers.overdue
    response = client.post(
        action_url(overdue.code, "xin-loi-hen-lai"),
        {"expected_version": 1, "new_due_at": "2099-03-03T09:00", "reason": "Chờ xác minh"},
        follow=True,
    )
    assert messages_in(response) == ["Đã lập phiếu xin lỗi và hẹn lại ngày trả."]
    overdue.refresh_from_db()
    assert overdue.due_at.year == 2099 and overdue.apology_count == 1


def test_unknown_action_and_get_are_refused(client, staff, dossiers):
    client.force_login(staff.desk)
    assert (
        client.post(action_url(dossiers.soon.code, "bay-len"), {"expected_version": 1}).status_code
        == 404
    )
    assert client.get(action_url(dossiers.soon.code, "chuyen-xu-ly")).status_code == 405


def test_csrf_is_enforced_on_actions(staff, dossiers):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff.desk)
    code = dossiers.soon.code
    response = client.post(action_url(code, "chuyen-xu-ly"), {"expected_version": 1})
    assert response.status_code == 403
    assert '<html lang="vi">' in response.content.decode()
    assert "Vui lòng tải lại trang" in response.content.decode()
    assert Dossier.objects.get(code=code).last_event_seq == 1
    # With the token from the page the same post goes through.
    html = client.get(page(code)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = client.post(
        action_url(code, "chuyen-xu-ly"), {"expected_version": 1, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert Dossier.objects.get(code=code).state == State.PROCESSING
