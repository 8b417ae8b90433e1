"""Login, logout and login throttling."""

import logging

import pytest
from django.urls import reverse

from motcua.core import throttle as core_throttle
from tests.backoffice.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/dang-nhap/"


def attempt(client, username, password, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_page_is_vietnamese(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Tên đăng nhập" in html and "Mật khẩu" in html
    assert reverse("backoffice:login") == LOGIN


def test_login_takes_the_officer_to_the_inbox(client, staff):
    response = attempt(client, staff.desk.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:inbox")
    assert client.get("/ho-so/").status_code == 200


def test_wrong_password_is_refused_in_vietnamese(client, staff):
    response = attempt(client, staff.desk.username, "sai-mat-khau")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()


def test_five_failures_lock_the_account_from_that_address(client, staff, caplog):
    caplog.set_level(logging.DEBUG)
    for _ in range(5):
        assert "không đúng" in attempt(client, staff.desk.username, "doan-mo-123").content.decode()
    # Even the right password is refused now from that address.
    response = attempt(client, staff.desk.username, PASSWORD)
    assert response.status_code == 200
    assert "Đăng nhập sai quá nhiều lần" in response.content.decode()
    assert "15 phút" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # A colleague in the same office, behind the same router, still logs in.
    assert attempt(client, staff.processor.username, PASSWORD).status_code == 302
    client.logout()
    # Five failures are below the per-account limit: the owner logs in from elsewhere.
    assert attempt(client, staff.desk.username, PASSWORD, ip="10.0.0.2").status_code == 302
    # Passwords never reach the logs.
    assert "doan-mo-123" not in caplog.text and PASSWORD not in caplog.text


def test_a_guesser_spread_over_many_addresses_locks_the_account_everywhere(client, staff):
    for n in range(10):
        attempt(client, staff.desk.username, f"doan-{n}", ip=f"10.7.0.{n}")
    response = attempt(client, staff.desk.username, PASSWORD, ip="10.8.0.1")
    assert "Đăng nhập sai quá nhiều lần" in response.content.decode()
    assert attempt(client, staff.processor.username, PASSWORD, ip="10.8.0.1").status_code == 302


def test_a_flood_across_many_accounts_from_one_address_hits_the_address_ceiling(client, staff):
    for n in range(5):
        attempt(client, f"khong-ton-tai-{n}", "x", ip="10.9.9.9")
    # Five mistakes of five people in one office lock nobody else out.
    assert attempt(client, staff.desk.username, PASSWORD, ip="10.9.9.9").status_code == 302
    client.logout()
    for n in range(5, 50):
        attempt(client, f"khong-ton-tai-{n}", "x", ip="10.9.9.9")
    response = attempt(client, staff.processor.username, PASSWORD, ip="10.9.9.9")
    assert "Đăng nhập sai quá nhiều lần" in response.content.decode()
    assert attempt(client, staff.processor.username, PASSWORD, ip="10.9.9.8").status_code == 302


def test_lockout_ends(client, staff, settings, monkeypatch):
    settings.MOTCUA_LOGIN_LOCKOUT_SECONDS = 60
    for _ in range(5):
        attempt(client, staff.desk.username, "sai")
    assert "quá nhiều lần" in attempt(client, staff.desk.username, PASSWORD).content.decode()
    later = core_throttle._now() + 60
    monkeypatch.setattr(core_throttle, "_now", lambda: later)
    assert attempt(client, staff.desk.username, PASSWORD).status_code == 302


def test_a_successful_login_clears_the_usernames_failures(client, staff):
    for n in range(9):
        attempt(client, staff.desk.username, "sai", ip=f"10.1.0.{n}")
    assert attempt(client, staff.desk.username, PASSWORD, ip="10.2.0.1").status_code == 302
    client.logout()
    for n in range(9):
        attempt(client, staff.desk.username, "sai", ip=f"10.3.0.{n}")
    assert attempt(client, staff.desk.username, PASSWORD, ip="10.4.0.1").status_code == 302


def test_logout_needs_post(client, staff):
    client.force_login(staff.desk)
    assert client.get("/dang-xuat/").status_code == 405
    response = client.post("/dang-xuat/")
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:login")
    assert "_auth_user_id" not in client.session


def test_home_redirects(client, staff):
    assert client.get("/")["Location"] == reverse("backoffice:login")
    client.force_login(staff.desk)
    assert client.get("/")["Location"] == reverse("backoffice:inbox")


@pytest.mark.parametrize("path", ["/ho-so/", "/ho-so/11143-240304-0001/"])
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN}?next=")


def test_anonymous_action_post_is_sent_to_login(client, dossiers):
    response = client.post(
        f"/ho-so/{dossiers.soon.code}/thao-tac/chuyen-xu-ly/", {"expected_version": 1}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    dossiers.soon.refresh_from_db()
    assert dossiers.soon.last_event_seq == 1
