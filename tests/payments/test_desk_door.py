"""One way to take a payment at the desk: the dossier page's action, the API's `record_payment`, the
payments desk page and the intake desk's "fee collected" all go through
`payments.services.payment_desk_record` — each payment one event and one receipt."""

import pytest
from django.test import Client

from motcua.desk.services import desk_intake
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant
from motcua.payments.models import Receipt
from tests.conftest import handed_in

pytestmark = pytest.mark.django_db


def desk_client(staff) -> Client:
    client = Client()
    client.force_login(staff.desk)
    return client


def paid(dossier) -> tuple[int, list[Receipt]]:
    dossier = Dossier.objects.get(pk=dossier.pk)
    return dossier.fee_paid_amount, list(Receipt.objects.filter(dossier=dossier))


def test_the_dossier_page_action_records_the_payment_with_a_receipt(staff, dossier):
    client = desk_client(staff)
    page = client.get(f"/ho-so/{dossier.code}/").content.decode()
    assert "/thao-tac/nop-phi/" in page and f"/thanh-toan/quay/{dossier.code}/" in page
    response = client.post(
        f"/ho-so/{dossier.code}/thao-tac/nop-phi/",
        {
            "expected_version": dossier.last_event_seq,
            "method": "transfer",
            "amount": 8000,
            "reference": "VCB-42",
        },
    )
    assert response.status_code == 302
    amount, receipts = paid(dossier)
    assert amount == 8000 and len(receipts) == 1
    (receipt,) = receipts
    assert (receipt.method, receipt.amount, receipt.reference) == (
        "transfer",
        8000,
        "quay:transfer:VCB-42",
    )
    assert receipt.issued_by == staff.desk
    page = client.get(f"/ho-so/{dossier.code}/").content.decode()
    assert f"/thanh-toan/bien-lai/{receipt.number}.pdf" in page


def test_the_api_action_records_the_payment_with_a_receipt(staff, dossier):
    response = desk_client(staff).post(
        f"/api/v1/dossiers/{dossier.code}/actions/record_payment",
        {"expected_version": dossier.last_event_seq, "amount": 3000, "method": "card"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    amount, receipts = paid(dossier)
    assert amount == 3000 and [(r.method, r.amount) for r in receipts] == [("card", 3000)]
    # More than is owed: refused, nothing written.
    refused = desk_client(staff).post(
        f"/api/v1/dossiers/{dossier.code}/actions/record_payment",
        {"expected_version": response.json()["version"], "amount": 9000},
        content_type="application/json",
    )
    assert refused.status_code == 400 and refused.json()["code"] == "amount_invalid"
    assert paid(dossier)[0] == 3000 and len(paid(dossier)[1]) == 1


def test_a_stale_form_is_refused(staff, dossier):
    response = desk_client(staff).post(
        f"/api/v1/dossiers/{dossier.code}/actions/record_payment",
        {"expected_version": dossier.last_event_seq - 1, "amount": 8000},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert paid(dossier) == (0, [])


def test_the_intake_desk_fee_gets_a_receipt(staff, tree, birth_registration):
    dossier = desk_intake(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        applicant=Applicant(name="Lê C"),
        components=handed_in(birth_registration),
        fee_collected=True,
    )
    amount, receipts = paid(dossier)
    assert amount == 8000 and [(r.method, r.amount) for r in receipts] == [("cash", 8000)]
    assert dossier.events.filter(kind="payment_recorded").count() == 1
