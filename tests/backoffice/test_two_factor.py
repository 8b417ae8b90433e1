"""TOTP two-factor login for administrators and leaders: enrolment at the first login, the code
after the password from then on, a code used once only, others untouched."""

import time

import pyotp
import pytest

from motcua.core.models import TwoFactorDevice
from motcua.core.twofactor import two_factor_required

pytestmark = pytest.mark.django_db
PASSWORD = "mat-khau-thu-nghiem"


@pytest.fixture(autouse=True)
def _on(settings):
    settings.MOTCUA_TWO_FACTOR = True


def password_login(client, username):
    return client.post("/dang-nhap/", {"username": username, "password": PASSWORD})


def test_who_must_use_it(staff):
    assert two_factor_required(staff.leader)
    assert not two_factor_required(staff.desk) and not two_factor_required(staff.processor)


def test_first_login_enrols_then_the_code_is_asked_after_the_password(client, staff):
    assert password_login(client, staff.leader.username).status_code == 302
    # Every page leads to the enrolment until a first code confirms the authenticator.
    assert client.get("/ho-so/")["Location"] == "/xac-thuc-hai-buoc/"
    page = client.get("/xac-thuc-hai-buoc/").content.decode()
    device = TwoFactorDevice.objects.get(user=staff.leader)
    assert device.secret in page and "<svg" in page and device.confirmed_at is None
    totp = pyotp.TOTP(device.secret)
    wrong = client.post(
        "/xac-thuc-hai-buoc/", {"code": "000000" if totp.now() != "000000" else "1"}
    )
    assert wrong.status_code == 400 and "Mã xác thực không đúng" in wrong.content.decode()
    assert client.post("/xac-thuc-hai-buoc/", {"code": totp.now()})["Location"] == "/ho-so/"
    assert client.get("/ho-so/").status_code == 200

    client.post("/dang-xuat/")
    answer = password_login(client, staff.leader.username)
    assert answer["Location"] == "/dang-nhap/ma-xac-thuc/"
    assert client.get("/ho-so/").status_code == 302  # not logged in yet
    # The code just used is refused a second time; the next step's is accepted (clock drift).
    assert client.post("/dang-nhap/ma-xac-thuc/", {"code": totp.now()}).status_code == 400
    later = totp.at(time.time() + totp.interval)
    assert client.post("/dang-nhap/ma-xac-thuc/", {"code": later})["Location"] == "/ho-so/"
    assert client.get("/ho-so/").status_code == 200


def test_a_desk_officer_logs_in_with_the_password_alone(client, staff):
    assert password_login(client, staff.desk.username)["Location"] == "/ho-so/"
    assert client.get("/ho-so/").status_code == 200
    assert not TwoFactorDevice.objects.exists()


def _confirmed(user) -> pyotp.TOTP:
    from django.utils import timezone

    device = TwoFactorDevice.objects.create(
        user=user, secret=pyotp.random_base32(), confirmed_at=timezone.now()
    )
    return pyotp.TOTP(device.secret)


def _wrong(totp: pyotp.TOTP) -> str:
    valid = {totp.at(time.time() + k * totp.interval) for k in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


def _at_code_page(client, user):
    assert password_login(client, user.username)["Location"] == "/dang-nhap/ma-xac-thuc/"


def test_wrong_codes_are_throttled_with_retry_after(client, staff, settings):
    settings.MOTCUA_TWO_FACTOR_MAX_FAILURES = 3
    settings.MOTCUA_TWO_FACTOR_ACCOUNT_MAX_FAILURES = 0
    totp = _confirmed(staff.leader)
    _at_code_page(client, staff.leader)
    for _ in range(3):
        answer = client.post("/dang-nhap/ma-xac-thuc/", {"code": _wrong(totp)})
        assert answer.status_code == 400
    # Locked: even the right code is not checked, and the page says how long to wait.
    locked = client.post("/dang-nhap/ma-xac-thuc/", {"code": totp.now()})
    assert locked.status_code == 429
    assert "quá nhiều lần" in locked.content.decode()
    assert 0 < int(locked["Retry-After"]) <= settings.MOTCUA_TWO_FACTOR_LOCKOUT_SECONDS
    assert not TwoFactorDevice.objects.get(user=staff.leader).last_step
    assert client.get("/ho-so/").status_code == 302

    # From another address the account's own counter of that address is fresh.
    other = type(client)(REMOTE_ADDR="10.0.0.9")
    _at_code_page(other, staff.leader)
    assert other.post("/dang-nhap/ma-xac-thuc/", {"code": totp.now()})["Location"] == "/ho-so/"


def test_the_account_counter_spans_addresses(staff, settings):
    from django.test import Client

    settings.MOTCUA_TWO_FACTOR_MAX_FAILURES = 0
    settings.MOTCUA_TWO_FACTOR_ACCOUNT_MAX_FAILURES = 4
    totp = _confirmed(staff.leader)
    for n in range(4):
        client = Client(REMOTE_ADDR=f"10.0.1.{n}")
        _at_code_page(client, staff.leader)
        assert client.post("/dang-nhap/ma-xac-thuc/", {"code": _wrong(totp)}).status_code == 400
    elsewhere = Client(REMOTE_ADDR="10.0.2.1")
    _at_code_page(elsewhere, staff.leader)
    assert elsewhere.post("/dang-nhap/ma-xac-thuc/", {"code": totp.now()}).status_code == 429
    # Another account is not touched by this one's lock.
    assert not TwoFactorDevice.objects.filter(user=staff.desk).exists()


def test_a_right_code_clears_the_count(client, staff, settings):
    settings.MOTCUA_TWO_FACTOR_MAX_FAILURES = 3
    totp = _confirmed(staff.leader)
    _at_code_page(client, staff.leader)
    for _ in range(2):
        client.post("/dang-nhap/ma-xac-thuc/", {"code": _wrong(totp)})
    assert client.post("/dang-nhap/ma-xac-thuc/", {"code": totp.now()})["Location"] == "/ho-so/"
    client.post("/dang-xuat/")
    _at_code_page(client, staff.leader)
    for _ in range(2):
        assert client.post("/dang-nhap/ma-xac-thuc/", {"code": _wrong(totp)}).status_code == 400
    later = totp.at(time.time() + totp.interval)
    assert client.post("/dang-nhap/ma-xac-thuc/", {"code": later})["Location"] == "/ho-so/"


def test_enrolment_codes_count_too(client, staff, settings):
    settings.MOTCUA_TWO_FACTOR_MAX_FAILURES = 2
    assert password_login(client, staff.leader.username).status_code == 302
    client.get("/xac-thuc-hai-buoc/")
    totp = pyotp.TOTP(TwoFactorDevice.objects.get(user=staff.leader).secret)
    for _ in range(2):
        assert client.post("/xac-thuc-hai-buoc/", {"code": _wrong(totp)}).status_code == 400
    locked = client.post("/xac-thuc-hai-buoc/", {"code": totp.now()})
    assert locked.status_code == 429 and "Retry-After" in locked
    assert TwoFactorDevice.objects.get(user=staff.leader).confirmed_at is None
