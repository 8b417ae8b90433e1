"""The generic gateway's callbacks, sent by the stand-in over real HTTP to the live server: every
misbehaviour of a provider, with nothing lost and nothing counted twice (the dossier's events and
fee_paid_amount are the judge)."""

import json
import time
import urllib.error
import urllib.request
from datetime import timedelta

import pytest

from motcua.core.timeutil import now as local_now
from motcua.dossiers.models import Dossier
from motcua.payments.models import (
    OrderStatus,
    PaymentOrder,
    PaymentTransaction,
    Receipt,
    ReceivedCallback,
)
from motcua.payments.protocol import generic_headers
from motcua.payments.selectors import dossier_online_payment_flag, payment_order_view
from motcua.payments.services import payment_order_open
from tests.payments.conftest import GATEWAY_SECRET, visit_pay_url

pytestmark = pytest.mark.django_db(transaction=True)


def payments_of(dossier) -> list[dict]:
    return [
        e.payload for e in Dossier.objects.get(pk=dossier.pk).events.filter(kind="payment_recorded")
    ]


def paid_amount(dossier) -> int:
    return Dossier.objects.get(pk=dossier.pk).fee_paid_amount


def open_and_visit(dossier, **kwargs) -> PaymentOrder:
    order = payment_order_open(dossier=dossier, **kwargs)
    visit_pay_url(order)
    return order


def statuses(answers) -> list[tuple[int, str]]:
    return [(a["http_status"], a["body"].get("result") or a["body"].get("MaLoi")) for a in answers]


def test_a_paid_callback_records_one_payment_event_and_a_receipt(standin, dossier):
    order = open_and_visit(dossier)
    assert order.amount == 8000 and order.currency == "VND" and order.status == "pending"

    answers = standin.complete(order_id=order.order_id, outcome="paid")

    assert statuses(answers) == [(200, "recorded")]
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.paid_amount == 8000
    [event] = payments_of(dossier)
    assert event["amount"] == 8000 and event["online"] is True
    assert event["reference"] == f"province:{answers[0]['transaction_id']}"
    assert paid_amount(dossier) == 8000
    assert Receipt.objects.filter(dossier=dossier, amount=8000, method="online").count() == 1
    assert dossier_online_payment_flag(dossier=Dossier.objects.get(pk=dossier.pk)) == "2"
    view = payment_order_view(order=order)
    assert view["transactions"][0]["status"] == "paid"
    assert view["transactions"][0]["amount"] == 8000


def test_duplicate_callbacks_are_answered_duplicate_and_counted_once(standin, dossier):
    order = open_and_visit(dossier)
    standin.behaviour.duplicates = 3

    answers = standin.complete(order_id=order.order_id, outcome="paid")

    assert statuses(answers) == [(200, "recorded")] + [(200, "duplicate")] * 3
    assert len(payments_of(dossier)) == 1
    assert paid_amount(dossier) == 8000
    verdicts = list(ReceivedCallback.objects.values_list("verdict", flat=True))
    assert sorted(verdicts) == ["duplicate"] * 3 + ["recorded"]


def test_a_pending_after_paid_changes_nothing(standin, dossier):
    order = open_and_visit(dossier)
    standin.behaviour.out_of_order = True

    answers = standin.complete(order_id=order.order_id, outcome="paid")

    # The stale "pending" of the captured transaction is nothing new.
    assert statuses(answers) == [(200, "recorded"), (200, "duplicate")]
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert PaymentTransaction.objects.get(order=order).status == "paid"
    assert len(payments_of(dossier)) == 1


def test_a_late_success_after_failure_is_accepted(standin, dossier):
    """Open Forms lost real payments by treating "failed" as final: the provider's truth wins."""
    order = open_and_visit(dossier)
    standin.behaviour.fail_then_succeed = True
    standin.behaviour.late_seconds = 0.2

    answers = standin.complete(order_id=order.order_id, outcome="paid")

    assert statuses(answers) == [(200, "recorded"), (200, "recorded")]
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert paid_amount(dossier) == 8000 and len(payments_of(dossier)) == 1
    assert sorted(order.transactions.values_list("status", flat=True)) == ["failed", "paid"]


def test_a_failure_alone_leaves_the_fee_owed(standin, dossier):
    order = open_and_visit(dossier)
    answers = standin.complete(order_id=order.order_id, outcome="failed")
    assert statuses(answers) == [(200, "recorded")]
    order.refresh_from_db()
    assert order.status == OrderStatus.FAILED
    assert paid_amount(dossier) == 0 and payments_of(dossier) == []
    assert dossier_online_payment_flag(dossier=Dossier.objects.get(pk=dossier.pk)) == "3"


def test_a_late_capture_on_an_expired_order_is_accepted(standin, dossier):
    order = open_and_visit(dossier)
    PaymentOrder.objects.filter(pk=order.pk).update(
        status=OrderStatus.EXPIRED, expires_at=local_now() - timedelta(minutes=1)
    )
    answers = standin.complete(order_id=order.order_id, outcome="paid")
    assert statuses(answers) == [(200, "recorded")]
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and paid_amount(dossier) == 8000


def test_a_second_distinct_capture_is_kept_to_refund_never_counted(standin, dossier):
    order = open_and_visit(dossier)
    standin.behaviour.second_capture = True

    answers = standin.complete(order_id=order.order_id, outcome="paid")

    assert statuses(answers) == [(200, "recorded"), (200, "recorded")]
    assert paid_amount(dossier) == 8000 and len(payments_of(dossier)) == 1
    refund = PaymentTransaction.objects.get(order=order, refund_due=True)
    assert refund.transaction_id == answers[1]["transaction_id"]
    assert refund.recorded is False
    assert Receipt.objects.filter(dossier=dossier).count() == 1


def test_a_capture_after_the_desk_took_the_money_is_kept_to_refund(standin, dossier, staff):
    from motcua.payments.services import payment_desk_record

    order = open_and_visit(dossier)
    payment_desk_record(actor=staff.desk, dossier=dossier, method="cash", reference="PT-01")
    answers = standin.complete(order_id=order.order_id, outcome="paid")
    assert statuses(answers) == [(200, "recorded")]
    assert paid_amount(dossier) == 8000
    assert PaymentTransaction.objects.get(order=order).refund_due is True
    assert dossier_online_payment_flag(dossier=Dossier.objects.get(pk=dossier.pk)) == "0"


@pytest.mark.parametrize(
    ("behaviour", "http_status", "verdict"),
    [
        ({"bad_signature": True}, 401, "bad_signature"),
        ({"stale_timestamp": True}, 401, "stale_timestamp"),
        ({"amount_delta": -1000}, 409, "mismatch"),
    ],
)
def test_refused_callbacks_change_nothing_and_are_logged(
    standin, dossier, behaviour, http_status, verdict
):
    order = open_and_visit(dossier)
    standin.behaviour.update(behaviour)

    answers = standin.complete(order_id=order.order_id, outcome="paid")

    assert [a["http_status"] for a in answers] == [http_status]
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert not PaymentTransaction.objects.exists()
    assert paid_amount(dossier) == 0 and payments_of(dossier) == []
    logged = ReceivedCallback.objects.get()
    assert (logged.verdict, logged.http_status) == (verdict, http_status)
    assert logged.reason  # the reason is kept, in Vietnamese
    # The provider retries, correctly this time: the payment is recorded then.
    standin.behaviour.update({k: type(v)() for k, v in behaviour.items()})
    retry = standin.complete(order_id=order.order_id, outcome="paid")
    assert statuses(retry) == [(200, "recorded")]
    assert paid_amount(dossier) == 8000


def _post(live_server, body: dict, *, secret: str = GATEWAY_SECRET, raw: bytes | None = None):
    raw = raw if raw is not None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{live_server.url}/thanh-toan/cong/callback",
        data=raw,
        headers=generic_headers(secret=secret, timestamp=int(time.time()), body=raw),
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _body(order, **changes) -> dict:
    return {
        "order_id": order.order_id,
        "transaction_id": "TX-THU-1",
        "amount": order.amount,
        "currency": "VND",
        "status": "paid",
        "occurred_at": "2026-12-02T10:00:00+07:00",
        **changes,
    }


def test_unknown_order_is_404(standin, live_server, dossier):
    order = payment_order_open(dossier=dossier)
    status, body = _post(live_server, _body(order, order_id="DHKHONGCO"))
    assert status == 404 and body["code"] == "unknown_order"
    assert ReceivedCallback.objects.get().verdict == "unknown_order"


def test_currency_and_transaction_of_another_order_are_409(
    standin, live_server, dossier, staff, tree, birth_registration
):
    from tests.payments.conftest import receive

    order = payment_order_open(dossier=dossier)
    assert _post(live_server, _body(order, currency="USD"))[0] == 409
    assert _post(live_server, _body(order))[0] == 200
    other = payment_order_open(
        dossier=receive(staff=staff, tree=tree, procedure=birth_registration, name="Trần B")
    )
    status, body = _post(live_server, _body(other))  # same transaction id, another order
    assert status == 409 and body["code"] == "mismatch"
    assert paid_amount(other.dossier) == 0


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        json.dumps({"order_id": "x"}).encode(),
        # Money is never a float: 8000.0 is refused, not rounded.
        None,
    ],
)
def test_malformed_bodies_are_400(standin, live_server, dossier, raw):
    order = payment_order_open(dossier=dossier)
    if raw is None:
        raw = json.dumps(_body(order, amount=8000.0)).encode()
    status, body = _post(live_server, {}, raw=raw)
    assert status == 400 and body["code"] == "invalid"
    assert paid_amount(dossier) == 0


def test_a_signature_made_with_another_secret_is_401(standin, live_server, dossier):
    order = payment_order_open(dossier=dossier)
    status, _ = _post(live_server, _body(order), secret="bi-mat-khac")
    assert status == 401 and paid_amount(dossier) == 0


def test_status_query_reads_the_gateways_records(standin, dossier):
    from motcua.payments.providers import GenericGateway

    order = open_and_visit(dossier)
    standin.behaviour.drop = True  # the callback never comes
    standin.complete(order_id=order.order_id, outcome="paid")
    [report] = GenericGateway().status_query(order=order)
    assert report.order_id == order.order_id and report.status == "paid"
    assert report.amount == 8000
