"""Reconciliation: a provider's statement against our records, every difference listed; with
`apply`, the captures we missed are recorded the way a callback records them (one event on the
dossier each, idempotent), so running it twice changes nothing more."""

import csv
from dataclasses import dataclass, field
from datetime import date, timedelta

from motcua.core.errors import ValidationFailed
from motcua.core.timeutil import local_date, local_datetime, parse_aware
from motcua.payments.models import PaymentOrder, PaymentTransaction, TransactionStatus
from motcua.payments.protocol import STATUSES, CallbackRefused, ProviderReport
from motcua.payments.services import payment_report_apply

COLUMNS = ("order_id", "transaction_id", "amount", "status", "date")


@dataclass(frozen=True)
class StatementLine:
    line: int
    order_id: str
    transaction_id: str
    amount: int
    status: str
    occurred_at: object


@dataclass
class Difference:
    kind: str  # missing_here | missing_there | amount_differs | status_differs | unknown_order
    order_id: str
    transaction_id: str
    ours: dict | None
    theirs: dict | None
    applied: str | None = None
    error: str | None = None

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "order_id": self.order_id,
            "transaction_id": self.transaction_id,
            "ours": self.ours,
            "theirs": self.theirs,
            "applied": self.applied,
            "error": self.error,
        }


@dataclass
class ReconcileReport:
    provider: str
    checked: int = 0
    differences: list[Difference] = field(default_factory=list)

    @property
    def unresolved(self) -> list[Difference]:
        return [d for d in self.differences if d.applied is None]

    def as_dict(self) -> dict:
        return {
            "provider": self.provider,
            "checked": self.checked,
            "differences": [d.as_dict() for d in self.differences],
            "applied": sum(1 for d in self.differences if d.applied),
            "unresolved": len(self.unresolved),
        }


def statement_read(*, text: str) -> list[StatementLine]:
    """Parse the statement (CSV with a header line); any bad line fails the whole file, naming it."""
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationFailed(
            "Bảng kê thiếu cột: " + ", ".join(missing) + ".", code="statement_columns_missing"
        )
    lines = []
    for number, row in enumerate(reader, start=2):
        amount_text = (row["amount"] or "").strip()
        if not amount_text.isdigit():
            raise ValidationFailed(
                f"Dòng {number}: số tiền “{amount_text}” phải là số nguyên đồng.",
                code="statement_amount_invalid",
            )
        status = (row["status"] or "").strip()
        if status not in STATUSES:
            raise ValidationFailed(
                f"Dòng {number}: trạng thái “{status}” phải là paid, failed hoặc pending.",
                code="statement_status_invalid",
            )
        try:
            occurred_at = parse_aware(row["date"] or "")
        except ValueError:
            raise ValidationFailed(
                f"Dòng {number}: ngày “{row['date']}” không đúng dạng ISO 8601.",
                code="statement_date_invalid",
            ) from None
        order_id, transaction_id = (
            (row["order_id"] or "").strip(),
            (row["transaction_id"] or "").strip(),
        )
        if not order_id or not transaction_id:
            raise ValidationFailed(
                f"Dòng {number}: thiếu order_id hoặc transaction_id.", code="statement_line_invalid"
            )
        lines.append(
            StatementLine(number, order_id, transaction_id, int(amount_text), status, occurred_at)
        )
    return lines


def _ours(txn: PaymentTransaction) -> dict:
    return {
        "amount": txn.amount,
        "status": txn.status,
        "recorded": txn.recorded,
        "refund_due": txn.refund_due,
    }


def _theirs(line: StatementLine) -> dict:
    return {"amount": line.amount, "status": line.status, "date": line.occurred_at.isoformat()}


def payments_reconcile(
    *, provider: str, lines: list[StatementLine], apply: bool = False
) -> ReconcileReport:
    report = ReconcileReport(provider=provider, checked=len(lines))
    known = {
        t.transaction_id: t
        for t in PaymentTransaction.objects.filter(
            provider=provider, transaction_id__in=[line.transaction_id for line in lines]
        ).select_related("order")
    }
    orders = {
        o.order_id: o
        for o in PaymentOrder.objects.filter(order_id__in={line.order_id for line in lines})
    }
    for line in lines:
        txn = known.get(line.transaction_id)
        if line.order_id not in orders or (txn is not None and txn.order.order_id != line.order_id):
            report.differences.append(
                Difference(
                    "unknown_order",
                    line.order_id,
                    line.transaction_id,
                    _ours(txn) if txn else None,
                    _theirs(line),
                )
            )
            continue
        if txn is None:
            diff = Difference(
                "missing_here", line.order_id, line.transaction_id, None, _theirs(line)
            )
        elif txn.amount != line.amount:
            diff = Difference(
                "amount_differs", line.order_id, line.transaction_id, _ours(txn), _theirs(line)
            )
        elif txn.status != line.status:
            diff = Difference(
                "status_differs", line.order_id, line.transaction_id, _ours(txn), _theirs(line)
            )
        else:
            continue
        report.differences.append(diff)
        if apply and diff.kind in ("missing_here", "status_differs"):
            _apply(diff, line=line, order=orders[line.order_id], provider=provider)
    _missing_there(report, provider=provider, lines=lines)
    return report


def _apply(diff: Difference, *, line: StatementLine, order: PaymentOrder, provider: str) -> None:
    if diff.ours is not None and diff.ours["status"] == TransactionStatus.PAID:
        diff.error = "Ta đã ghi nhận đã trừ tiền; không hạ trạng thái theo bảng kê."
        return
    try:
        diff.applied = payment_report_apply(
            provider=provider,
            report=ProviderReport(
                order_id=line.order_id,
                transaction_id=line.transaction_id,
                amount=line.amount,
                currency=order.currency,
                status=line.status,
                occurred_at=line.occurred_at,
            ),
        )
    except CallbackRefused as refusal:
        diff.error = refusal.message


def _missing_there(report: ReconcileReport, *, provider: str, lines: list[StatementLine]) -> None:
    """Our transactions of the statement's days that the statement does not list."""
    if not lines:
        return
    days: set[date] = {local_date(line.occurred_at) for line in lines}
    listed = {line.transaction_id for line in lines}
    first, last = min(days), max(days)
    ours = PaymentTransaction.objects.filter(
        provider=provider,
        occurred_at__gte=local_datetime(first),
        occurred_at__lt=local_datetime(last + timedelta(days=1)),
    ).select_related("order")
    for txn in ours.order_by("occurred_at", "pk"):
        if txn.transaction_id in listed:
            continue
        report.differences.append(
            Difference("missing_there", txn.order.order_id, txn.transaction_id, _ours(txn), None)
        )
