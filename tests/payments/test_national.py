"""The national payment platform's style against the stand-in: INIT with MaThamChieu and
MaXacThuc, the citizen sent to the platform, callback, status query to confirm, GET_BILL."""

import json
import urllib.error
import urllib.request

import pytest

from motcua.core.timeutil import now as local_now
from motcua.dossiers.models import Dossier
from motcua.payments.models import OrderStatus, PaymentTransaction, Receipt, ReceivedCallback
from motcua.payments.protocol import compact_time, national_sign
from motcua.payments.selectors import dossier_online_payment_flag
from motcua.payments.services import payment_order_open
from tests.payments.conftest import NATIONAL_SECRET

pytestmark = pytest.mark.django_db(transaction=True)


def test_init_sends_the_bill_lines_and_a_checksum(standin, dossier):
    order = payment_order_open(dossier=dossier, provider="national")

    registered = standin.orders[order.order_id]
    assert registered["amount"] == 8000
    assert registered["lines"] == [
        {
            "MaKhoanThu": "",
            "TenKhoanThu": "Lệ phí đăng ký khai sinh",
            "LoaiPhiLePhi": "le_phi",
            "SoTien": 8000,
        }
    ]
    assert order.provider_ref == registered["platform_ref"]
    assert order.pay_url == f"{standin.url}/dvcqg/pay?ma={order.provider_ref}"
    with urllib.request.urlopen(order.pay_url, timeout=10) as response:
        assert "stand-in" in response.read().decode()


def test_a_confirmed_callback_records_the_payment_and_fetches_the_bill(standin, dossier):
    order = payment_order_open(dossier=dossier, provider="national")

    answers = standin.complete(order_id=order.order_id, outcome="paid")

    assert [(a["http_status"], a["body"]["MaLoi"]) for a in answers] == [(200, "00")]
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.fee_paid_amount == 8000 and dossier.paid_online
    assert dossier_online_payment_flag(dossier=dossier) == "1"
    receipt = Receipt.objects.get(dossier=dossier)
    assert receipt.provider_bill["KyHieuBienLai"] == "BL-STANDIN"
    assert receipt.provider_bill["SoTien"] == 8000


def test_duplicates_and_a_stale_pending_count_once(standin, dossier):
    order = payment_order_open(dossier=dossier, provider="national")
    standin.behaviour.update({"duplicates": 2, "out_of_order": True})

    answers = standin.complete(order_id=order.order_id, outcome="paid")

    assert [a["http_status"] for a in answers] == [200] * 6
    assert Dossier.objects.get(pk=dossier.pk).fee_paid_amount == 8000
    assert dossier.events.filter(kind="payment_recorded").count() == 1


def test_a_tampered_checksum_is_refused(standin, dossier):
    order = payment_order_open(dossier=dossier, provider="national")
    standin.behaviour.bad_signature = True
    [answer] = standin.complete(order_id=order.order_id, outcome="paid")
    assert answer["http_status"] == 401 and answer["body"]["MaLoi"] == "07"
    assert Dossier.objects.get(pk=dossier.pk).fee_paid_amount == 0
    assert ReceivedCallback.objects.get().verdict == "bad_signature"


def test_a_callback_the_platform_does_not_confirm_is_refused(standin, live_server, dossier):
    """A correctly signed callback for a transaction the platform's own query does not list (a
    leaked key, a replay against another order) records nothing."""
    order = payment_order_open(dossier=dossier, provider="national")
    message = national_sign(
        secret=NATIONAL_SECRET,
        message={
            "LoaiBanTin": "KET_QUA",
            "MaThamChieu": order.order_id,
            "MaGiaoDich": "GDGIA",
            "SoTien": 8000,
            "MaTienTe": "VND",
            "TrangThai": "00",
            "ThoiGianGD": compact_time(local_now()),
            "ThoiGianGui": compact_time(local_now()),
        },
    )
    request = urllib.request.Request(
        f"{live_server.url}/thanh-toan/dvcqg/callback",
        data=json.dumps(message).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 409
    assert json.loads(refused.value.read())["MaLoi"] == "05"
    assert not PaymentTransaction.objects.exists()
    assert Dossier.objects.get(pk=dossier.pk).fee_paid_amount == 0


def test_the_platform_out_of_reach_is_a_clear_error(secrets_set, dossier):
    from motcua.payments.providers import ProviderUnavailable

    secrets_set.MOTCUA_PAYMENT_NATIONAL_URL = "http://127.0.0.1:9"  # nothing listens there
    with pytest.raises(ProviderUnavailable) as error:
        payment_order_open(dossier=dossier, provider="national")
    assert "Không kết nối được" in error.value.message
    # The order the platform never started is closed, and a later try makes a new one.
    assert list(dossier.payment_orders.values_list("status", flat=True)) == ["expired"]


def test_a_callback_for_an_unknown_order_is_404_without_asking_the_platform(standin, live_server):
    message = national_sign(
        secret=NATIONAL_SECRET,
        message={
            "LoaiBanTin": "KET_QUA",
            "MaThamChieu": "DHKHONGCO",
            "MaGiaoDich": "GD1",
            "SoTien": 8000,
            "MaTienTe": "VND",
            "TrangThai": "00",
            "ThoiGianGD": compact_time(local_now()),
            "ThoiGianGui": compact_time(local_now()),
        },
    )
    request = urllib.request.Request(
        f"{live_server.url}/thanh-toan/dvcqg/callback",
        data=json.dumps(message).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 404
    assert json.loads(refused.value.read())["MaLoi"] == "02"
    assert ReceivedCallback.objects.get().verdict == "unknown_order"
