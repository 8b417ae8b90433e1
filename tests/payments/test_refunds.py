"""A counted online payment returned by the provider: the dossier's `payment_refunded` event takes
it back (what is owed, paid online, the counters), the order becomes `refunded`, replay agrees, and
a capture arriving afterwards is money to refund, never counted."""

import pytest

from motcua.core.errors import ValidationFailed
from motcua.core.timeutil import now as local_now
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.replay import dossier_projection_rebuild
from motcua.indicators.counters import counters_rebuild, counters_snapshot
from motcua.indicators.naive import naive_rates
from motcua.indicators.selectors import rates_for
from motcua.payments.models import OrderStatus
from motcua.payments.protocol import ProviderReport
from motcua.payments.selectors import dossier_online_payment_flag
from motcua.payments.services import (
    payment_order_open,
    payment_refund_record,
    payment_report_apply,
)

pytestmark = pytest.mark.django_db


def capture(order, transaction_id: str) -> str:
    return payment_report_apply(
        provider=order.provider,
        report=ProviderReport(
            order_id=order.order_id,
            transaction_id=transaction_id,
            amount=order.amount,
            currency="VND",
            status="paid",
            occurred_at=local_now(),
        ),
    )


def online_rate(tree):
    today = local_now().date()
    rate = rates_for(unit=tree.district, start=today, end=today)["online_payment"]
    naive = naive_rates(unit=tree.district, start=today, end=today)["online_payment"]
    assert (rate.numerator, rate.denominator) == naive
    return rate.numerator, rate.denominator


def test_a_counted_capture_refunded_is_taken_back_everywhere(settings, tree, dossier):
    settings.MOTCUA_PAYMENT_GATEWAY_SECRET = "bi-mat"
    order = payment_order_open(dossier=dossier)
    assert capture(order, "TX-1") == "recorded"
    assert online_rate(tree) == (1, 1)
    assert dossier_online_payment_flag(dossier=Dossier.objects.get(pk=dossier.pk)) == "2"

    payment_refund_record(provider="province", transaction_id="TX-1", reference="HT-1")
    d = Dossier.objects.get(pk=dossier.pk)
    assert (d.fee_paid_amount, d.paid_online) == (0, False)
    assert dossier_online_payment_flag(dossier=d) == "3"
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert online_rate(tree) == (0, 1)
    before = counters_snapshot()
    counters_rebuild()
    assert counters_snapshot() == before
    assert dossier_projection_rebuild(dossier=d) == []

    # A late capture of the refunded order: kept to refund, never counted.
    assert capture(order, "TX-2") == "recorded"
    assert Dossier.objects.get(pk=dossier.pk).fee_paid_amount == 0
    assert order.transactions.get(transaction_id="TX-2").refund_due


def test_a_refund_larger_than_what_was_paid_is_refused(dossier):
    with pytest.raises(ValidationFailed) as error:
        services.dossier_refund_payment(dossier=dossier, amount=1000, reference="HT-X")
    assert error.value.code == "refund_exceeds_paid"
    assert not Dossier.objects.get(pk=dossier.pk).events.filter(kind="payment_refunded").exists()
