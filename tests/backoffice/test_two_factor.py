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
