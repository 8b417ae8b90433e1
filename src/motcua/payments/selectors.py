"""Reads: what a dossier owes, its orders, the export's payment flag."""

from collections.abc import Iterable, Mapping

from django.db.models import Sum

from motcua.core.timeutil import to_local
from motcua.dossiers.lifecycle import amount_owed
from motcua.dossiers.models import Dossier
from motcua.payments.models import (
    FeeLine,
    OrderStatus,
    PaymentOrder,
    PaymentTransaction,
    Provider,
    Receipt,
)

# DuocThanhToanTrucTuyen: "1" paid on the national portal's platform, "2" through the province's
# own gateway, "3" a fee is owed and not paid, "0" nothing paid online (no fee, or paid at the desk).
PROVIDER_FLAGS = {Provider.NATIONAL: "1", Provider.PROVINCE: "2"}
FLAG_UNPAID = "3"
FLAG_NONE = "0"


def fee_lines(*, dossier: Dossier) -> list[FeeLine]:
    return list(FeeLine.objects.filter(dossier=dossier).order_by("position", "pk"))


def dossier_fee_total(*, dossier: Dossier) -> int:
    """The sum of the dossier's fee lines; before any line exists (an imported dossier), the fee the
    dossier recorded at receipt."""
    total = FeeLine.objects.filter(dossier=dossier).aggregate(total=Sum("amount"))["total"]
    return dossier.fee_amount if total is None else int(total)


def dossier_amount_owed(*, dossier: Dossier) -> int:
    """What is left to pay. Every door's payments count: the dossier's fee_paid_amount is the one
    total of payments recorded (desk intake, this app, an import)."""
    return amount_owed(dossier)


def payment_reference(*, provider: str, transaction_id: str) -> str:
    """The reference an online payment carries on the dossier's event (dossier_record_payment
    refuses to count one twice)."""
    return f"{provider}:{transaction_id}"


def payment_provider_of_reference(reference: str) -> str | None:
    """The provider of an online payment, read from the reference this app gives
    dossier_record_payment (payment_reference); None for
    one recorded elsewhere (an import, an older record)."""
    prefix, _, rest = (reference or "").partition(":")
    return prefix if rest and prefix in PROVIDER_FLAGS else None


def online_payment_flag(*, paid_online: bool, owed: int, provider: str | None) -> str:
    """DuocThanhToanTrucTuyen from a dossier's facts — the one statement of the flag, for the export
    and for this app. "1"/"2" exactly when the counting rule counts the dossier paid online
    (indicators.rules.is_paid_online), so an export read back counts the same; the provider of
    the last online payment picks which, the national platform when it is not known."""
    if paid_online:
        return PROVIDER_FLAGS.get(provider, PROVIDER_FLAGS[Provider.NATIONAL])
    return FLAG_UNPAID if owed > 0 else FLAG_NONE


def online_payment_provider(*, events: Iterable[Mapping]) -> str | None:
    """The provider of the last online payment among a dossier's events (kind, payload), in order."""
    provider = None
    for event in events:
        payload = event.get("payload") or {}
        if event.get("kind") == "payment_recorded" and payload.get("online"):
            provider = payment_provider_of_reference(payload.get("reference") or "")
    return provider


def dossier_online_payment_flag(*, dossier: Dossier) -> str:
    events = (
        dossier.events.filter(kind="payment_recorded").order_by("seq").values("kind", "payload")
    )
    return online_payment_flag(
        paid_online=dossier.paid_online,
        owed=amount_owed(dossier),
        provider=online_payment_provider(events=events),
    )


def payment_order_get(*, order_id: str) -> PaymentOrder | None:
    return (
        PaymentOrder.objects.select_related("dossier", "dossier__procedure")
        .filter(order_id=order_id)
        .first()
    )


def payment_order_open_get(*, dossier: Dossier) -> PaymentOrder | None:
    return (
        PaymentOrder.objects.filter(dossier=dossier, status=OrderStatus.PENDING)
        .order_by("-created_at", "-pk")
        .first()
    )


def payment_order_view(*, order: PaymentOrder) -> dict:
    """The JSON shape of `motcua payments show` (a contract: docs/payments.md)."""
    return {
        "order_id": order.order_id,
        "dossier": order.dossier.code,
        "status": order.status,
        "amount": order.amount,
        "paid_amount": order.paid_amount,
        "transactions": [
            {
                "transaction_id": t.transaction_id,
                "status": t.status,
                "amount": t.amount,
                "occurred_at": to_local(t.occurred_at).isoformat(),
            }
            for t in order.transactions.order_by("occurred_at", "pk")
        ],
    }


def dossier_receipts(*, dossier: Dossier) -> list[Receipt]:
    return list(Receipt.objects.filter(dossier=dossier).order_by("issued_at", "pk"))


def receipt_get(*, number: str) -> Receipt | None:
    return (
        Receipt.objects.select_related(
            "dossier", "dossier__procedure", "dossier__unit", "transaction"
        )
        .filter(number=number)
        .first()
    )


def refunds_due() -> list[PaymentTransaction]:
    """Captured money we must return (second captures, captures the dossier could not take)."""
    return list(
        PaymentTransaction.objects.filter(refund_due=True)
        .select_related("order", "order__dossier")
        .order_by("occurred_at", "pk")
    )


def order_receipt(*, order: PaymentOrder) -> Receipt | None:
    return Receipt.objects.filter(transaction__order=order, transaction__recorded=True).first()
