"""Writes: fee lines, orders, the provider's reports (callbacks, status answers, statement lines),
desk payments and receipts.

Locks are always taken in one order — the dossier row, then the order row — so a callback, a new
order and a desk payment for one dossier queue instead of deadlocking. Every payment counted on a
dossier is one call of `dossiers.services.dossier_record_payment` (the dossier's event), with the
provider's transaction as its reference, which that service refuses to count twice."""

import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from motcua.catalog.models import Fee
from motcua.core.errors import DomainError, InvalidTransition, ValidationFailed
from motcua.core.text import fold
from motcua.core.timeutil import now as local_now
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import dossier_record_payment, dossier_refund_payment
from motcua.payments.models import (
    FeeKind,
    FeeLine,
    FeeSource,
    OrderStatus,
    PaymentMethod,
    PaymentOrder,
    PaymentTransaction,
    Provider,
    Receipt,
    ReceivedCallback,
    TransactionStatus,
    Verdict,
)
from motcua.payments.protocol import CallbackRefused, ProviderReport
from motcua.payments.providers import provider_adapter
from motcua.payments.selectors import dossier_amount_owed, fee_lines, payment_reference

logger = logging.getLogger("motcua.payments")

NAME_LIMIT = FeeLine._meta.get_field("name").max_length


# --- fee lines -----------------------------------------------------------------------------------


def fee_kind_of(*, name: str) -> str:
    """The catalogue's fee has no kind of its own: its name says it ("Lệ phí …", "Phí …");
    anything else is taken for a charge (lệ phí), the usual case of one-stop procedures."""
    folded = fold(name).strip()
    if folded.startswith("phi "):
        return FeeKind.FEE
    return FeeKind.CHARGE


@transaction.atomic
def fee_lines_create_for_dossier(*, dossier: Dossier) -> list[FeeLine]:
    """Copy the procedure's fee schedule to the dossier, once (later calls change nothing). When the
    schedule no longer adds up to the fee the dossier recorded at receipt (edited since, or an
    imported dossier), one line of the recorded fee stands for it: the dossier's figure wins."""
    if FeeLine.objects.filter(dossier=dossier, source=FeeSource.SCHEDULE).exists():
        return fee_lines(dossier=dossier)
    schedule: list[Fee] = list(Fee.objects.filter(procedure_id=dossier.procedure_id).order_by("pk"))
    if sum(f.amount for f in schedule) == dossier.fee_amount:
        lines = [
            FeeLine(
                dossier=dossier,
                source=FeeSource.SCHEDULE,
                fee=f,
                code=f.code,
                name=f.name,
                amount=f.amount,
                kind=fee_kind_of(name=f.name),
                position=i,
            )
            for i, f in enumerate(schedule)
            if f.amount > 0
        ]
    else:
        lines = [
            FeeLine(
                dossier=dossier,
                source=FeeSource.SCHEDULE,
                name="Phí, lệ phí theo hồ sơ",
                amount=dossier.fee_amount,
                kind=FeeKind.CHARGE,
            )
        ]
    lines = [line for line in lines if line.amount > 0]
    try:
        with transaction.atomic():
            FeeLine.objects.bulk_create(lines)
    except IntegrityError:
        pass  # another door made them at the same moment: theirs stand
    return fee_lines(dossier=dossier)


@transaction.atomic
def fee_line_add_for_obligation(
    *, event: DossierEvent, kind: str = FeeKind.FEE, code: str = ""
) -> FeeLine | None:
    """The amount of a financial obligation request (state 6) as a line the citizen pays."""
    amount = int((event.payload or {}).get("amount") or 0)
    if event.kind != "financial_obligation_requested" or amount <= 0:
        return None
    existing = FeeLine.objects.filter(event=event).first()
    if existing is not None:
        return existing
    content = str(event.payload.get("content") or "Nghĩa vụ tài chính")
    return FeeLine.objects.create(
        dossier_id=event.dossier_id,
        source=FeeSource.OBLIGATION,
        event=event,
        code=code,
        name=content[:NAME_LIMIT],
        amount=amount,
        kind=kind,
        position=1000 + event.seq,
    )


# --- orders --------------------------------------------------------------------------------------

PAYABLE_STATES = lifecycle.BY_KIND["payment_recorded"].from_states


def _order_id() -> str:
    return "DH" + secrets.token_hex(8).upper()


def _lock_dossier(dossier_id: int) -> Dossier:
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure")
        .get(pk=dossier_id)
    )


def _public_url(path: str) -> str:
    return settings.MOTCUA_PUBLIC_URL.rstrip("/") + path


def payment_order_open(
    *, dossier: Dossier, provider: str = Provider.PROVINCE, at: datetime | None = None
) -> PaymentOrder:
    """The open order for what the dossier owes: the one already open when it is still for that
    amount and provider, else a new one (older open orders expire; a late capture on them is still
    accepted, see payment_report_apply).

    The provider is asked to start the order after the dossier's row lock is released: a slow
    provider must not hold up the officers working on the dossier. An order the provider refused
    to start is expired at once."""
    adapter = provider_adapter(provider=provider)
    order, lines = _order_reserve(dossier=dossier, provider=provider, at=at or local_now())
    if order.pay_url:
        return order
    try:
        order.pay_url, order.provider_ref = adapter.start(
            order=order,
            lines=lines,
            return_url=_public_url(reverse("payments:return", args=[order.order_id])),
            callback_url=_public_url(reverse(f"payments:callback_{provider}")),
        )
    except DomainError:
        PaymentOrder.objects.filter(pk=order.pk).update(status=OrderStatus.EXPIRED)
        raise
    PaymentOrder.objects.filter(pk=order.pk).update(
        pay_url=order.pay_url, provider_ref=order.provider_ref
    )
    return order


def payment_order_record(*, dossier: Dossier, provider: str, at: datetime) -> PaymentOrder:
    """An order for what the dossier owes that no provider is asked to start (no pay URL): the
    demo's generated orders, paid through payment_report_apply like any other."""
    order, _lines = _order_reserve(dossier=dossier, provider=provider, at=at)
    return order


@transaction.atomic
def _order_reserve(*, dossier: Dossier, provider: str, at: datetime):
    locked = _lock_dossier(dossier.pk)
    if locked.state not in PAYABLE_STATES:
        raise InvalidTransition(
            "Hồ sơ ở trạng thái này không nhận nộp phí, lệ phí.",
            code="payment_not_allowed",
            details={"state": locked.state},
        )
    lines = fee_lines_create_for_dossier(dossier=locked)
    owed = dossier_amount_owed(dossier=locked)
    if owed == 0:
        raise ValidationFailed(
            f"Hồ sơ {locked.code} không còn khoản phí, lệ phí nào phải nộp.", code="nothing_to_pay"
        )
    open_orders = list(
        PaymentOrder.objects.select_for_update().filter(dossier=locked, status=OrderStatus.PENDING)
    )
    for order in open_orders:
        # One still being started elsewhere (no pay URL yet) is not handed out half-made.
        if (
            order.amount == owed
            and order.provider == provider
            and order.expires_at > at
            and order.pay_url
        ):
            return order, lines
    for order in open_orders:
        order.status = OrderStatus.EXPIRED
        order.save(update_fields=["status", "updated_at"])
    order = PaymentOrder.objects.create(
        order_id=_order_id(),
        dossier=locked,
        provider=provider,
        amount=owed,
        created_at=at,
        expires_at=at + timedelta(minutes=settings.MOTCUA_PAYMENT_ORDER_MINUTES),
    )
    return order, lines


# --- the provider's reports ----------------------------------------------------------------------


def _refuse(message: str, *, verdict: str, http_status: int) -> CallbackRefused:
    return CallbackRefused(message, verdict=verdict, http_status=http_status)


@transaction.atomic
def payment_report_apply(
    *, provider: str, report: ProviderReport, at: datetime | None = None
) -> str:
    """Apply one transaction as the provider reports it; returns "recorded" or "duplicate", or raises
    CallbackRefused having changed nothing.

    The provider's truth wins: a capture after "failed" or "expired" is accepted; a transaction
    already reported with that status, or already captured, is a duplicate; a "pending" changes no
    order. A capture the dossier cannot take — the order already paid by another transaction, or
    nothing left owing — is kept as money to refund, never counted twice. `at`: when the capture is
    recorded on the dossier (now; the demo's generated history gives its own)."""
    found = PaymentOrder.objects.filter(order_id=report.order_id).values("pk", "dossier_id").first()
    if found is None:
        raise _refuse(
            f"Không có đơn thanh toán {report.order_id}.",
            verdict=Verdict.UNKNOWN_ORDER,
            http_status=404,
        )
    dossier = _lock_dossier(found["dossier_id"])
    order = PaymentOrder.objects.select_for_update().get(pk=found["pk"])
    if order.provider != provider:
        raise _refuse(
            "Đơn thanh toán thuộc đơn vị thanh toán khác.",
            verdict=Verdict.MISMATCH,
            http_status=409,
        )
    if report.currency != order.currency:
        raise _refuse(
            f"Đơn vị tiền {report.currency} không khớp đơn thanh toán ({order.currency}).",
            verdict=Verdict.MISMATCH,
            http_status=409,
        )
    if report.amount != order.amount:
        raise _refuse(
            f"Số tiền {report.amount} không khớp đơn thanh toán ({order.amount}).",
            verdict=Verdict.MISMATCH,
            http_status=409,
        )
    txn = PaymentTransaction.objects.filter(
        provider=provider, transaction_id=report.transaction_id
    ).first()
    if txn is not None and txn.order_id != order.pk:
        raise _refuse(
            "Mã giao dịch đã thuộc một đơn thanh toán khác.",
            verdict=Verdict.MISMATCH,
            http_status=409,
        )
    if txn is not None and (txn.status == report.status or txn.status == TransactionStatus.PAID):
        return Verdict.DUPLICATE
    if txn is None:
        txn = PaymentTransaction(
            order=order, provider=provider, transaction_id=report.transaction_id
        )
    txn.status = report.status
    txn.amount = report.amount
    txn.occurred_at = report.occurred_at
    txn.save()
    if report.status == TransactionStatus.PAID:
        _capture(dossier=dossier, order=order, txn=txn, at=at)
    elif report.status == TransactionStatus.FAILED and order.status == OrderStatus.PENDING:
        order.status = OrderStatus.FAILED
        order.save(update_fields=["status", "updated_at"])
    return Verdict.RECORDED


def _capture(
    *, dossier: Dossier, order: PaymentOrder, txn: PaymentTransaction, at: datetime | None = None
) -> None:
    if order.status in (OrderStatus.PAID, OrderStatus.REFUNDED):
        _refund_due(txn, "Đơn đã được thanh toán bằng giao dịch khác: số tiền này phải hoàn trả.")
        return
    if dossier_amount_owed(dossier=dossier) < txn.amount:
        _refund_due(txn, "Hồ sơ không còn nợ số tiền này (đã nộp theo cách khác): phải hoàn trả.")
        return
    reference = payment_reference(provider=order.provider, transaction_id=txn.transaction_id)
    try:
        with transaction.atomic():
            dossier_record_payment(
                actor=None,
                dossier=dossier.pk,
                amount=txn.amount,
                online=True,
                reference=reference,
                at=at,
            )
    except DomainError as error:
        # The money is captured but the dossier cannot take it (withdrawn, stopped, returned).
        _refund_due(txn, f"Hồ sơ không nhận được khoản nộp: {error.message} Phải hoàn trả.")
        return
    txn.recorded = True
    txn.save(update_fields=["recorded", "updated_at"])
    order.status = OrderStatus.PAID
    order.paid_amount = txn.amount
    order.paid_at = at or local_now()
    order.save(update_fields=["status", "paid_amount", "paid_at", "updated_at"])
    _receipt_create(
        dossier=dossier,
        method=PaymentMethod.ONLINE,
        amount=txn.amount,
        reference=reference,
        transaction_=txn,
        issued_by=None,
        at=at,
    )


def _refund_due(txn: PaymentTransaction, note: str) -> None:
    txn.refund_due = True
    txn.note = note[:500]
    txn.save(update_fields=["refund_due", "note", "updated_at"])
    logger.warning(
        "payment refund due order=%s transaction=%s: %s",
        txn.order.order_id,
        txn.transaction_id,
        note,
    )


@transaction.atomic
def payment_refund_record(
    *, provider: str, transaction_id: str, reference: str, at: datetime | None = None
) -> PaymentTransaction:
    """The provider returned a capture: one kept to refund (a second capture, one the dossier could
    not take), which the dossier never counted; or the capture counted on the dossier (a dossier
    not accepted, withdrawn or stopped after paying), which takes it back with the dossier's event
    (`dossier_refund_payment`) and turns the order `refunded`. Again with the same transaction:
    nothing changes."""
    reference = reference.strip()
    if not reference:
        raise ValidationFailed("Phải ghi mã giao dịch hoàn tiền.", code="refund_reference_required")
    found = (
        PaymentTransaction.objects.filter(provider=provider, transaction_id=transaction_id)
        .values("pk", "order__dossier_id")
        .first()
    )
    if found is None:
        raise ValidationFailed(f"Không có giao dịch {transaction_id}.", code="transaction_unknown")
    _lock_dossier(found["order__dossier_id"])  # the dossier row first, as everywhere
    txn = PaymentTransaction.objects.select_for_update().select_related("order").get(pk=found["pk"])
    if txn.refunded_at is not None:
        return txn
    if not (txn.refund_due or txn.recorded):
        raise ValidationFailed(
            "Giao dịch này không thuộc diện phải hoàn trả.", code="refund_not_due"
        )
    at = at or local_now()
    if txn.recorded:
        order = PaymentOrder.objects.select_for_update().get(pk=txn.order_id)
        dossier_refund_payment(
            dossier=order.dossier_id,
            amount=txn.amount,
            online=True,
            reference=f"hoan:{payment_reference(provider=provider, transaction_id=transaction_id)}",
            at=at,
        )
        order.status = OrderStatus.REFUNDED
        order.paid_amount = 0
        order.save(update_fields=["status", "paid_amount", "updated_at"])
    txn.refund_due = False
    txn.refunded_at = at
    txn.refund_reference = reference[:64]
    txn.save(update_fields=["refund_due", "refunded_at", "refund_reference", "updated_at"])
    return txn


# --- receipts and the desk -----------------------------------------------------------------------


def _receipt_create(
    *,
    dossier: Dossier,
    method: str,
    amount: int,
    reference: str,
    transaction_,
    issued_by,
    at: datetime | None = None,
) -> Receipt:
    at = at or local_now()
    receipt = Receipt.objects.create(
        number=f"tmp-{secrets.token_hex(8)}",
        dossier=dossier,
        transaction=transaction_,
        method=method,
        amount=amount,
        reference=reference,
        issued_at=at,
        issued_by=issued_by,
    )
    # The receipt's number follows the table's own sequence, per year of issue.
    receipt.number = f"{at:%Y}/{receipt.pk:07d}"
    receipt.save(update_fields=["number"])
    return receipt


DESK_METHODS = (PaymentMethod.CASH, PaymentMethod.CARD, PaymentMethod.TRANSFER)


@transaction.atomic
def payment_desk_record(
    *,
    actor,
    dossier: Dossier,
    method: str,
    amount: int | None = None,
    reference: str = "",
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Receipt:
    """A payment taken at the desk (cash, card terminal, bank transfer with its reference), recorded
    by the desk officer, with its receipt. The same reference again returns the same receipt. Every
    door takes desk payments here: this app's desk page, the dossier page's action and the API
    (dossiers.services.dossier_perform), the intake desk's "fee collected"."""
    if method not in DESK_METHODS:
        raise ValidationFailed(
            "Hình thức nộp tại quầy không hợp lệ.", code="payment_method_invalid"
        )
    reference = reference.strip()
    if method == PaymentMethod.TRANSFER and not reference:
        raise ValidationFailed(
            "Nộp bằng chuyển khoản phải ghi mã giao dịch của ngân hàng.",
            code="transfer_reference_required",
        )
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int)):
        raise ValidationFailed("Số tiền phải là số nguyên đồng.", code="amount_invalid")
    locked = _lock_dossier(dossier.pk)
    full_reference = f"quay:{method}:{reference or secrets.token_hex(8)}"
    existing = Receipt.objects.filter(reference=full_reference).first()
    if existing is not None:
        return existing
    fee_lines_create_for_dossier(dossier=locked)
    # Pay only what is owed: the lifecycle row's own rule, refused as every door refuses it.
    refusal = lifecycle.BY_KIND["payment_recorded"].refusal(locked)
    if refusal is not None:
        code, message = refusal
        raise InvalidTransition(message, code=code, details={"action": "payment_recorded"})
    owed = dossier_amount_owed(dossier=locked)
    amount = owed if amount is None else amount
    if not 0 < amount <= owed:
        raise ValidationFailed(
            f"Số tiền nộp phải từ 1 đến {owed} đồng (số còn phải nộp).", code="amount_invalid"
        )
    dossier_record_payment(
        actor=actor,
        dossier=locked.pk,
        amount=amount,
        online=False,
        reference=full_reference,
        at=at,
        expected_version=expected_version,
    )
    return _receipt_create(
        dossier=locked,
        method=method,
        amount=amount,
        reference=full_reference,
        transaction_=None,
        issued_by=actor,
        at=at,
    )


def receipt_provider_bill_fetch(*, receipt: Receipt) -> Receipt:
    """Ask the provider for its electronic receipt (GET_BILL) and keep it; a provider without one,
    or one out of reach, leaves the receipt as it is (asked again next time)."""
    txn = receipt.transaction
    if txn is None or receipt.provider_bill:
        return receipt
    try:
        bill = provider_adapter(provider=txn.provider).receipt_fetch(
            order=txn.order, transaction=txn
        )
    except DomainError as error:
        logger.warning("receipt bill fetch failed receipt=%s: %s", receipt.number, error.message)
        return receipt
    if bill:
        receipt.provider_bill = bill
        receipt.save(update_fields=["provider_bill"])
    return receipt


# --- callbacks -----------------------------------------------------------------------------------


def payment_callback_handle(
    *, provider: str, headers, body: bytes, remote_addr: str = ""
) -> tuple[int, dict]:
    """One callback from a provider, end to end: check its signature and freshness, confirm it
    where the protocol asks to, apply it, log it with its verdict, and build the answer. A refused
    callback changes nothing but its log line."""
    adapter = provider_adapter(provider=provider)
    report = None
    try:
        report = adapter.callback_read(headers=headers, body=body)
        if not PaymentOrder.objects.filter(order_id=report.order_id).exists():
            raise _refuse(
                f"Không có đơn thanh toán {report.order_id}.",
                verdict=Verdict.UNKNOWN_ORDER,
                http_status=404,
            )
        confirmed = adapter.confirm(report=report)
        verdict = payment_report_apply(provider=provider, report=confirmed)
        status, reason = 200, ""
    except CallbackRefused as refusal:
        verdict, status, reason = refusal.verdict, refusal.http_status, refusal.message
    except DomainError as error:  # the provider could not be asked to confirm: it will retry
        verdict, status, reason = Verdict.UNCONFIRMED, 503, error.message
    ReceivedCallback.objects.create(
        provider=provider,
        order_id=(report.order_id if report else "")[:64],
        transaction_id=(report.transaction_id if report else "")[:64],
        verdict=verdict,
        http_status=status,
        reason=reason[:500],
        remote_addr=remote_addr[:64],
        body=body[:10000].decode("utf-8", errors="replace"),
    )
    if status != 200:
        logger.warning(
            "payment callback refused provider=%s order=%s verdict=%s: %s",
            provider,
            report.order_id if report else "",
            verdict,
            reason,
        )
    elif verdict == Verdict.RECORDED and report is not None:
        _receipt_bill_after_capture(provider=provider, transaction_id=report.transaction_id)
    return adapter.answer(verdict=verdict, http_status=status, message=reason)


def _receipt_bill_after_capture(*, provider: str, transaction_id: str) -> None:
    receipt = (
        Receipt.objects.select_related("transaction__order")
        .filter(transaction__provider=provider, transaction__transaction_id=transaction_id)
        .first()
    )
    if receipt is not None:
        receipt_provider_bill_fetch(receipt=receipt)
