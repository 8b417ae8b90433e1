import contextlib
import json
import signal
import sys
import threading
from dataclasses import fields
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from motcua.core.errors import DomainError
from motcua.core.timeutil import to_local
from motcua.dossiers.models import Dossier
from motcua.payments.models import Provider
from motcua.payments.reconcile import payments_reconcile, statement_read
from motcua.payments.selectors import payment_order_get, payment_order_view, refunds_due
from motcua.payments.services import payment_order_open, payment_refund_record
from motcua.payments.standin import StandinBehaviour, StandinGateway

KIND_TEXT = {
    "missing_here": "có ở bảng kê, chưa có ở hệ thống",
    "missing_there": "có ở hệ thống, không có ở bảng kê",
    "amount_differs": "số tiền khác nhau",
    "status_differs": "trạng thái khác nhau",
    "unknown_order": "đơn thanh toán không có ở hệ thống",
}


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = (
        "Thanh toán phí, lệ phí: `order` (tạo hoặc lấy đơn thanh toán), `show` (xem đơn), "
        "`reconcile` (đối soát bảng kê), `standin` (chạy cổng thanh toán mô phỏng — stand-in)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        order = sub.add_parser("order", help="Tạo, hoặc lấy đơn đang mở, cho số phí còn phải nộp.")
        order.add_argument("--dossier", required=True, help="Mã hồ sơ.")
        order.add_argument(
            "--provider", choices=[p.value for p in Provider], default=Provider.PROVINCE
        )
        order.add_argument("--json", action="store_true")

        show = sub.add_parser("show", help="Xem một đơn thanh toán và các giao dịch của nó.")
        show.add_argument("--order", required=True, help="Mã đơn thanh toán (order_id).")
        show.add_argument("--json", action="store_true")

        rec = sub.add_parser("reconcile", help="Đối soát bảng kê của đơn vị thanh toán (CSV).")
        rec.add_argument("statement", help="Tệp CSV: order_id,transaction_id,amount,status,date.")
        rec.add_argument(
            "--provider", choices=[p.value for p in Provider], default=Provider.PROVINCE
        )
        rec.add_argument(
            "--apply", action="store_true", help="Ghi nhận các khoản đã thu mà ta thiếu."
        )
        rec.add_argument("--json", action="store_true")

        refunds = sub.add_parser("refunds", help="Liệt kê các khoản đã thu phải hoàn trả.")
        refunds.add_argument("--json", action="store_true")
        refunded = sub.add_parser("refunded", help="Ghi nhận đã hoàn trả một khoản.")
        refunded.add_argument("--transaction", required=True, help="Mã giao dịch phải hoàn trả.")
        refunded.add_argument(
            "--provider", choices=[p.value for p in Provider], default=Provider.PROVINCE
        )
        refunded.add_argument("--reference", required=True, help="Mã giao dịch hoàn tiền.")

        standin = sub.add_parser(
            "standin", help="Cổng thanh toán mô phỏng (stand-in) nói cả hai giao thức, chỉ để thử."
        )
        standin.add_argument("--port", type=int, default=8765)
        standin.add_argument("--host", default="127.0.0.1")
        for f in fields(StandinBehaviour):
            flag = "--" + f.name.replace("_", "-")
            if f.type in (bool, "bool"):
                standin.add_argument(flag, action="store_true", dest=f"b_{f.name}")
            else:
                kind = int if f.type in (int, "int") else float
                standin.add_argument(flag, type=kind, default=f.default, dest=f"b_{f.name}")

    def handle(self, *args, action: str, **options):
        getattr(self, f"_{action}")(**options)

    def _print(self, data, *, as_json: bool, text: str):
        self.stdout.write(json.dumps(data, ensure_ascii=False) if as_json else text)

    def _order(self, *, dossier: str, provider: str, json: bool, **options):
        found = Dossier.objects.filter(code=dossier).first()
        if found is None:
            raise _fail(f"Không tìm thấy hồ sơ có mã {dossier}.")
        try:
            order = payment_order_open(dossier=found, provider=provider)
        except DomainError as error:
            raise _fail(f"{error.message} [{error.code}]") from None
        data = {
            "order_id": order.order_id,
            "dossier": found.code,
            "amount": order.amount,
            "currency": order.currency,
            "status": order.status,
            "pay_url": order.pay_url,
        }
        self._print(
            data,
            as_json=json,
            text=f"Đơn {order.order_id}: {order.amount} {order.currency} ({order.status}). "
            f"Thanh toán tại: {order.pay_url}",
        )

    def _show(self, *, order: str, json: bool, **options):
        found = payment_order_get(order_id=order)
        if found is None:
            raise _fail(f"Không có đơn thanh toán {order}.")
        data = payment_order_view(order=found)
        lines = [
            f"Đơn {data['order_id']} — hồ sơ {data['dossier']}: {data['status']}, "
            f"{data['paid_amount']}/{data['amount']} đồng"
        ]
        lines += [
            f"  {t['transaction_id']}: {t['status']} {t['amount']} đồng lúc {t['occurred_at']}"
            for t in data["transactions"]
        ]
        self._print(data, as_json=json, text="\n".join(lines))

    def _reconcile(self, *, statement: str, provider: str, apply: bool, json: bool, **options):
        path = Path(statement)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise _fail(f"Không đọc được tệp {statement}: {error}") from None
        try:
            report = payments_reconcile(
                provider=provider, lines=statement_read(text=text), apply=apply
            )
        except DomainError as error:
            raise _fail(f"{error.message} [{error.code}]") from None
        lines = [
            f"{d.order_id} {d.transaction_id}: {KIND_TEXT[d.kind]}"
            + (f" — đã ghi nhận ({d.applied})" if d.applied else "")
            + (f" — không ghi nhận được: {d.error}" if d.error else "")
            for d in report.differences
        ]
        lines.append(
            f"Đã đối soát {report.checked} dòng: {len(report.differences)} khác biệt, "
            f"{len(report.unresolved)} chưa xử lý."
        )
        self._print(report.as_dict(), as_json=json, text="\n".join(lines))
        if report.unresolved:
            sys.exit(1)

    def _refunds(self, *, json: bool, **options):
        data = [
            {
                "order_id": t.order.order_id,
                "dossier": t.order.dossier.code,
                "provider": t.provider,
                "transaction_id": t.transaction_id,
                "amount": t.amount,
                "occurred_at": to_local(t.occurred_at).isoformat(),
                "reason": t.note,
            }
            for t in refunds_due()
        ]
        lines = [
            f"{d['transaction_id']} ({d['provider']}, đơn {d['order_id']}, hồ sơ {d['dossier']}): "
            f"{d['amount']} đồng — {d['reason']}"
            for d in data
        ]
        lines.append(f"{len(data)} khoản phải hoàn trả.")
        self._print(data, as_json=json, text="\n".join(lines))

    def _refunded(self, *, transaction: str, provider: str, reference: str, **options):
        try:
            txn = payment_refund_record(
                provider=provider, transaction_id=transaction, reference=reference
            )
        except DomainError as error:
            raise _fail(f"{error.message} [{error.code}]") from None
        self.stdout.write(
            f"Đã ghi nhận hoàn trả giao dịch {txn.transaction_id} ({txn.amount} đồng)."
        )

    def _standin(self, *, host: str, port: int, **options):
        behaviour = StandinBehaviour(
            **{f.name: options[f"b_{f.name}"] for f in fields(StandinBehaviour)}
        )
        standin = StandinGateway(
            host=host,
            port=port,
            gateway_secret=settings.MOTCUA_PAYMENT_GATEWAY_SECRET,
            national_secret=settings.MOTCUA_PAYMENT_NATIONAL_SECRET,
            behaviour=behaviour,
        ).start()
        self.stdout.write(
            f"Cổng thanh toán mô phỏng (stand-in) đang chạy tại {standin.url} — không phải cổng "
            "thật, không trừ tiền. Ctrl+C để dừng."
        )
        self.stdout.flush()
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
        standin.stop()
