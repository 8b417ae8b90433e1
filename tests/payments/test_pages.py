"""Citizen and desk pages: fees and the pay button on the tracking page, the return page that waits
for the provider's callback, the receipt PDF and who may download it, the desk's payment form."""

import json
import time

import pytest

from motcua.dossiers.models import Dossier
from motcua.payments.models import PaymentOrder, Receipt
from motcua.payments.protocol import generic_headers
from tests.conftest import make_user
from tests.forms.test_pdfs import needs_pdftotext, pdf_text, qr_decoded
from tests.payments.conftest import GATEWAY_SECRET
from tests.portal.conftest import look_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen(client, dossier):
    assert look_up(client, dossier).status_code == 302
    return client


def callback(client, order, *, status="paid", transaction_id="TX-WEB-1"):
    raw = json.dumps(
        {
            "order_id": order.order_id,
            "transaction_id": transaction_id,
            "amount": order.amount,
            "currency": "VND",
            "status": status,
            "occurred_at": "2026-12-02T10:00:00+07:00",
        }
    ).encode()
    headers = generic_headers(secret=GATEWAY_SECRET, timestamp=int(time.time()), body=raw)
    return client.post(
        "/thanh-toan/cong/callback",
        data=raw,
        content_type="application/json",
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )


def test_tracking_page_shows_the_fees_and_the_button(citizen, dossier):
    page = citizen.get(f"/cong-dich-vu/ho-so/{dossier.code}/").content.decode()
    assert "Lệ phí đăng ký khai sinh" in page
    assert "8.000 đồng" in page
    assert "Thanh toán trực tuyến" in page
    assert f"/thanh-toan/ho-so/{dossier.code}/" in page


def test_starting_needs_the_tracking_proof(client, dossier):
    response = client.post(f"/thanh-toan/ho-so/{dossier.code}/")
    assert response.status_code == 302 and "/cong-dich-vu/tra-cuu/" in response["Location"]
    assert not PaymentOrder.objects.exists()


def test_the_return_page_waits_for_the_callback_then_offers_the_receipt(
    citizen, dossier, secrets_set, tmp_path
):
    response = citizen.post(f"/thanh-toan/ho-so/{dossier.code}/", {"provider": "province"})
    order = PaymentOrder.objects.get(dossier=dossier)
    assert response.status_code == 302 and response["Location"] == order.pay_url

    # The browser comes back before the provider's callback: not paid yet, whatever the URL says.
    waiting = citizen.get(f"/thanh-toan/tra-ve/{order.order_id}/?status=paid").content.decode()
    assert "Đang chờ xác nhận" in waiting and "Đã thanh toán" not in waiting
    assert Dossier.objects.get(pk=dossier.pk).fee_paid_amount == 0

    assert callback(citizen, order).json() == {"result": "recorded"}
    done = citizen.get(f"/thanh-toan/tra-ve/{order.order_id}/").content.decode()
    assert "Đã thanh toán" in done
    receipt = Receipt.objects.get(dossier=dossier)
    assert f"/thanh-toan/bien-lai/{receipt.number}.pdf" in done

    pdf = citizen.get(f"/thanh-toan/bien-lai/{receipt.number}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    page = citizen.get(f"/cong-dich-vu/ho-so/{dossier.code}/").content.decode()
    assert "Đã nộp đủ phí, lệ phí" in page and receipt.number in page


@needs_pdftotext
def test_the_receipt_pdf_says_what_was_paid_and_its_qr_names_it(staff, dossier, client, tmp_path):
    import shutil

    from motcua.payments.services import payment_desk_record

    receipt = payment_desk_record(
        actor=staff.desk, dossier=dossier, method="transfer", reference="VCB-778899"
    )
    client.force_login(staff.desk)
    pdf = client.get(f"/thanh-toan/bien-lai/{receipt.number}.pdf").content
    text = pdf_text(pdf)
    for snippet in (
        "BIÊN LAI THU PHÍ, LỆ PHÍ",
        receipt.number,
        dossier.code,
        "Nguyễn Thị Hoa",
        "Lệ phí đăng ký khai sinh",
        "8.000 đồng",
        "Chuyển khoản",
    ):
        assert snippet in text, snippet
    if shutil.which("zbarimg") and shutil.which("pdftoppm"):
        assert json.loads(qr_decoded(pdf, tmp_path)) == {
            "SoBienLai": receipt.number,
            "MaHoSo": dossier.code,
            "SoTien": 8000,
        }


def test_receipts_are_refused_to_strangers_and_other_units(staff, dossier, client):
    from motcua.payments.services import payment_desk_record

    receipt = payment_desk_record(actor=staff.desk, dossier=dossier, method="cash")
    url = f"/thanh-toan/bien-lai/{receipt.number}.pdf"
    stranger = client.get(url)
    assert stranger.status_code == 302 and "/cong-dich-vu/tra-cuu/" in stranger["Location"]
    client.force_login(staff.other_desk)
    assert client.get(url).status_code == 403
    client.force_login(staff.supervisor)  # the district's supervisor sees the commune's dossiers
    assert client.get(url).status_code == 200
    assert client.get("/thanh-toan/bien-lai/2026/9999999.pdf").status_code == 404


def test_the_desk_form_records_a_payment_with_its_receipt(staff, dossier, client):
    client.force_login(staff.desk)
    page = client.get(f"/thanh-toan/quay/{dossier.code}/").content.decode()
    assert "Lệ phí đăng ký khai sinh" in page and "8.000 đồng" in page
    response = client.post(
        f"/thanh-toan/quay/{dossier.code}/",
        {"method": "card", "amount": "8000", "reference": "POS-1"},
    )
    assert response.status_code == 302
    receipt = Receipt.objects.get(dossier=dossier)
    assert (receipt.method, receipt.amount, receipt.issued_by) == ("card", 8000, staff.desk)
    assert Dossier.objects.get(pk=dossier.pk).fee_paid_amount == 8000


def test_the_desk_form_refuses_decimals_and_non_desk_officers(staff, tree, dossier, client):
    client.force_login(staff.desk)
    page = client.post(
        f"/thanh-toan/quay/{dossier.code}/", {"method": "cash", "amount": "8000.5"}
    ).content.decode()
    assert "Số tiền phải là số nguyên đồng" in page
    processor = make_user("chuyenvien2", unit=tree.tien_dong, role="processor")
    client.force_login(processor)
    page = client.post(
        f"/thanh-toan/quay/{dossier.code}/", {"method": "cash", "amount": "8000"}
    ).content.decode()
    assert "không có quyền" in page.lower()
    assert Dossier.objects.get(pk=dossier.pk).fee_paid_amount == 0


def test_the_admin_shows_callbacks_and_refunds_read_only(client, citizen, dossier, secrets_set):
    from django.contrib.auth import get_user_model

    citizen.post(f"/thanh-toan/ho-so/{dossier.code}/")
    order = PaymentOrder.objects.get(dossier=dossier)
    callback(citizen, order)
    callback(citizen, order, transaction_id="TX-WEB-2")  # a second capture: to refund
    admin = get_user_model().objects.create_superuser("quantri", password="mat-khau-thu-nghiem")
    client.force_login(admin)
    page = client.get("/admin/payments/receivedcallback/").content.decode()
    assert page.count(order.order_id) == 2  # both callbacks, each with its verdict
    assert page.count("Đã ghi nhận") == 3  # two rows and the verdict filter
    listing = client.get("/admin/payments/paymenttransaction/?refund_due__exact=1").content.decode()
    assert "TX-WEB-2" in listing and "TX-WEB-1" not in listing
    assert client.get("/admin/payments/paymentorder/add/").status_code == 403
