"""Callbacks racing for one order on a real PostgreSQL, as parallel HTTP requests to the live
server: one payment recorded, every other capture kept to refund, nothing counted twice."""

import json
import threading
import time
import urllib.error
import urllib.request

import pytest

from motcua.dossiers.models import Dossier
from motcua.payments.models import PaymentTransaction, Receipt
from motcua.payments.protocol import generic_headers
from motcua.payments.services import payment_order_open
from tests.conftest import is_postgres
from tests.payments.conftest import GATEWAY_SECRET

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if not is_postgres():
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://…)")


def post_all(url: str, bodies: list[bytes]) -> list[int]:
    barrier = threading.Barrier(len(bodies))
    results: list = [None] * len(bodies)

    def send(i: int) -> None:
        headers = generic_headers(secret=GATEWAY_SECRET, timestamp=int(time.time()), body=bodies[i])
        request = urllib.request.Request(url, data=bodies[i], headers=headers, method="POST")
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                results[i] = (response.status, json.loads(response.read())["result"])
        except urllib.error.HTTPError as error:
            results[i] = (error.code, error.read().decode())

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def body(order, transaction_id: str) -> bytes:
    return json.dumps(
        {
            "order_id": order.order_id,
            "transaction_id": transaction_id,
            "amount": order.amount,
            "currency": "VND",
            "status": "paid",
            "occurred_at": "2026-12-02T10:00:00+07:00",
        }
    ).encode()


def test_racing_callbacks_record_one_payment(secrets_set, live_server, dossier):
    order = payment_order_open(dossier=dossier)
    url = f"{live_server.url}/thanh-toan/cong/callback"
    # Six deliveries of one capture and three distinct captures, all at once.
    bodies = [body(order, "TX-A")] * 6 + [body(order, f"TX-{c}") for c in "BCD"]

    results = post_all(url, bodies)

    assert all(status == 200 for status, _ in results), results
    assert sorted(r for _, r in results[:6]).count("recorded") == 1
    assert all(r == "recorded" for _, r in results[6:])
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.fee_paid_amount == 8000
    assert dossier.events.filter(kind="payment_recorded").count() == 1
    txns = PaymentTransaction.objects.filter(order=order)
    assert txns.count() == 4
    assert txns.filter(recorded=True).count() == 1
    assert txns.filter(refund_due=True).count() == 3
    assert Receipt.objects.filter(dossier=dossier).count() == 1
