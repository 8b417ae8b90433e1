"""Property: whatever the order, repetition and mix of provider reports for one order, the dossier
counts the fee exactly once when some transaction was captured, never otherwise; every further
capture is money to refund; a captured transaction never goes back."""

from datetime import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.core.timeutil import LOCAL_TZ
from motcua.dossiers.models import Dossier
from motcua.payments.models import PaymentOrder, PaymentTransaction
from motcua.payments.protocol import ProviderReport
from motcua.payments.services import payment_order_open, payment_report_apply
from tests.payments.conftest import receive

pytestmark = pytest.mark.django_db

reports = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=3), st.sampled_from(["paid", "failed", "pending"])
    ),
    max_size=12,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(stream=reports)
def test_reports_in_any_order_count_the_fee_once(staff, tree, birth_registration, stream):
    with transaction.atomic():
        dossier = receive(staff=staff, tree=tree, procedure=birth_registration)
        order = payment_order_open(dossier=dossier)
        current: dict[int, str] = {}
        captured: list[int] = []
        failed_before_capture = False
        for minute, (txn, status) in enumerate(stream):
            verdict = payment_report_apply(
                provider="province",
                report=ProviderReport(
                    order_id=order.order_id,
                    transaction_id=f"T{txn}",
                    amount=8000,
                    currency="VND",
                    status=status,
                    occurred_at=datetime(2026, 12, 2, 9, minute, tzinfo=LOCAL_TZ),
                ),
            )
            duplicate = txn in current and (current[txn] == status or current[txn] == "paid")
            assert verdict == ("duplicate" if duplicate else "recorded")
            if not duplicate:
                current[txn] = status
                if status == "paid":
                    captured.append(txn)
                if status == "failed" and not captured:
                    failed_before_capture = True

        dossier = Dossier.objects.get(pk=dossier.pk)
        order = PaymentOrder.objects.get(pk=order.pk)
        events = dossier.events.filter(kind="payment_recorded").count()
        assert dossier.fee_paid_amount == (8000 if captured else 0)
        assert events == (1 if captured else 0)
        expected = "paid" if captured else ("failed" if failed_before_capture else "pending")
        assert order.status == expected
        rows = {
            int(t.transaction_id[1:]): t for t in PaymentTransaction.objects.filter(order=order)
        }
        assert {k: t.status for k, t in rows.items()} == current
        assert [k for k, t in rows.items() if t.recorded] == captured[:1]
        assert sorted(k for k, t in rows.items() if t.refund_due) == sorted(captured[1:])
        transaction.set_rollback(True)
