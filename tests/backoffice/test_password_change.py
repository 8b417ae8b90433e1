"""An officer changes their own password: the current one first (a wrong one counts against the
login's lock), the deployment's password rules, other sessions ended, the change recorded without
the value."""

import pytest
from django.test import Client

from motcua.core.models import ChangeRecord
from tests.backoffice.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PAGE = "/tai-khoan/doi-mat-khau/"
NEW = "Mat-Khau-Moi-2026!"


def change(client, current, new, again=None, ip="10.0.0.1"):
    return client.post(
        PAGE,
        {"current_password": current, "new_password": new, "new_password_again": again or new},
        REMOTE_ADDR=ip,
    )


def test_the_page_is_linked_from_every_page_and_lists_the_rules(client, staff):
    client.force_login(staff.desk)
    assert f'href="{PAGE}"' in client.get("/ho-so/").content.decode()
    html = client.get(PAGE).content.decode()
    assert "Mật khẩu hiện tại" in html and "Nhập lại mật khẩu mới" in html
    assert "ít nhất 12 ký tự" in html  # the deployment's rule, shown before it is broken
    assert 'autocomplete="new-password"' in html
    assert client.get(PAGE).status_code == 200
    client.logout()
    assert client.get(PAGE).status_code == 302  # to the login


def test_a_changed_password_logs_in_keeps_this_session_and_ends_the_others(client, staff):
    elsewhere = Client()
    assert elsewhere.post("/dang-nhap/", {"username": staff.desk.username, "password": PASSWORD}).status_code == 302  # fmt: skip
    assert client.post("/dang-nhap/", {"username": staff.desk.username, "password": PASSWORD}).status_code == 302  # fmt: skip
    response = change(client, PASSWORD, NEW)
    assert response.status_code == 302 and response["Location"] == "/ho-so/"
    assert "Đã đổi mật khẩu." in client.get("/ho-so/").content.decode()
    assert elsewhere.get("/ho-so/").status_code == 302  # the other browser must log in again
    staff.desk.refresh_from_db()
    assert staff.desk.check_password(NEW) and not staff.desk.check_password(PASSWORD)
    record = ChangeRecord.objects.filter(
        object_type="auth.user", object_id=str(staff.desk.pk)
    ).latest("pk")
    assert record.after["password"] == "đã đổi" and record.actor == staff.desk
    assert NEW not in str(record.before) + str(record.after)
    assert "pbkdf2" not in str(record.before) + str(record.after)


@pytest.mark.parametrize(
    ("current", "new", "again", "message"),
    [
        ("sai-mat-khau", NEW, NEW, "Mật khẩu hiện tại không đúng."),
        (PASSWORD, NEW, NEW + "x", "Hai lần nhập mật khẩu mới không khớp."),
        (PASSWORD, "ngan", "ngan", "ít nhất 12 ký tự"),
        (PASSWORD, "123456789012345", "123456789012345", "mật khẩu"),
        (PASSWORD, PASSWORD, PASSWORD, "Mật khẩu mới phải khác mật khẩu hiện tại."),
        (PASSWORD, "", "", "Trường này là bắt buộc."),
        (PASSWORD, "x" * 129, "x" * 129, "129"),
    ],
)
def test_bad_input_is_refused_in_vietnamese_and_nothing_changes(
    client, staff, current, new, again, message
):
    client.force_login(staff.desk)
    before = staff.desk.password
    response = change(client, current, new, again)
    assert response.status_code == 400
    assert message in response.content.decode()
    staff.desk.refresh_from_db()
    assert staff.desk.password == before
    assert not ChangeRecord.objects.filter(object_type="auth.user").exists()


def test_guessing_the_current_password_here_locks_the_login_too(client, staff):
    client.force_login(staff.desk)
    for n in range(5):
        assert change(client, f"doan-{n}", NEW).status_code == 400
    response = change(client, PASSWORD, NEW)
    assert "Nhập sai mật khẩu quá nhiều lần" in response.content.decode()
    staff.desk.refresh_from_db()
    assert staff.desk.check_password(PASSWORD)
    # The same lock as the login's: the account cannot log in from that address either.
    login = Client().post(
        "/dang-nhap/",
        {"username": staff.desk.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
    )
    assert "Đăng nhập sai quá nhiều lần" in login.content.decode()
