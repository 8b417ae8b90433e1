"""The provider interface and its two adapters. Each adapter is real protocol code: it builds the
provider's messages, signs them, sends them over HTTP and checks what comes back. In tests and in
the demo the other side is the stand-in gateway (payments/standin.py).

Interface (one adapter per `models.Provider`):
- `start(order, lines, return_url, callback_url)` → (pay URL for the citizen, provider's ref);
- `callback_read(headers, body)` → the reported transaction, or CallbackRefused;
- `confirm(report)` → the report the provider stands by (the national platform is asked again);
- `status_query(order)` → every transaction the provider holds for the order;
- `receipt_fetch(order, transaction)` → the provider's electronic receipt (GET_BILL) or {};
- `answer(verdict, http_status, message)` → (HTTP status, JSON body) of our reply to a callback."""

import json
import time
import urllib.error
import urllib.request

from django.conf import settings

from motcua.core.errors import DomainError
from motcua.core.timeutil import now as local_now
from motcua.payments.models import FeeLine, PaymentOrder, PaymentTransaction, Provider
from motcua.payments.protocol import (
    NATIONAL_ANSWER,
    CallbackRefused,
    ProviderReport,
    compact_time,
    generic_callback_read,
    generic_headers,
    generic_pay_query,
    generic_report,
    generic_verify,
    national_message_read,
    national_report,
    national_sign,
    national_verify,
)

TIMEOUT_SECONDS = 10


class ProviderUnavailable(DomainError):
    code = "provider_unavailable"


def _post(url: str, *, body: bytes, headers: dict[str, str]) -> tuple[bytes, dict]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return response.read(), dict(response.headers)
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        raise ProviderUnavailable(
            "Không kết nối được với đơn vị thanh toán. Vui lòng thử lại sau.",
            details={"url": url, "error": str(error)},
        ) from None


class GenericGateway:
    """The province's own gateway, the generic protocol of docs/payments.md."""

    name = Provider.PROVINCE

    @property
    def base(self) -> str:
        return settings.MOTCUA_PAYMENT_GATEWAY_URL.rstrip("/")

    @property
    def secret(self) -> str:
        return settings.MOTCUA_PAYMENT_GATEWAY_SECRET

    def start(self, *, order: PaymentOrder, lines, return_url: str, callback_url: str):
        query = generic_pay_query(
            secret=self.secret,
            params={
                "order_id": order.order_id,
                "amount": order.amount,
                "currency": order.currency,
                "return_url": return_url,
                "callback_url": callback_url,
            },
            timestamp=int(time.time()),
        )
        return f"{self.base}/pay?{query}", ""

    def callback_read(self, *, headers, body: bytes) -> ProviderReport:
        return generic_callback_read(
            secret=self.secret, headers=headers, body=body, now=time.time()
        )

    def confirm(self, *, report: ProviderReport) -> ProviderReport:
        return report  # the signed callback is the provider's word

    def status_query(self, *, order: PaymentOrder) -> list[ProviderReport]:
        body = json.dumps({"order_id": order.order_id}).encode()
        raw, headers = _post(
            f"{self.base}/api/orders/status",
            body=body,
            headers=generic_headers(secret=self.secret, timestamp=int(time.time()), body=body),
        )
        # The answer is signed the same way: a forged answer must not confirm a payment.
        generic_verify(
            secret=self.secret,
            timestamp=headers.get("X-Payment-Timestamp"),
            signature=headers.get("X-Payment-Signature"),
            body=raw,
            now=time.time(),
        )
        answer = json.loads(raw)
        return [
            generic_report(body={"order_id": order.order_id, **t}) for t in answer["transactions"]
        ]

    def receipt_fetch(self, *, order: PaymentOrder, transaction: PaymentTransaction) -> dict:
        return {}

    def answer(self, *, verdict: str, http_status: int, message: str) -> tuple[int, dict]:
        if verdict in ("recorded", "duplicate"):
            return 200, {"result": verdict}
        return http_status, {"result": "refused", "code": verdict, "message": message}


class NationalPlatform:
    """The national payment platform's style: INIT, callback, QUERY to confirm, GET_BILL."""

    name = Provider.NATIONAL
    endpoint = "/thanhtoan/api"

    @property
    def base(self) -> str:
        return settings.MOTCUA_PAYMENT_NATIONAL_URL.rstrip("/")

    @property
    def secret(self) -> str:
        return settings.MOTCUA_PAYMENT_NATIONAL_SECRET

    def _call(self, message: dict) -> dict:
        signed = national_sign(
            secret=self.secret,
            message={
                "MaDoiTac": settings.MOTCUA_PAYMENT_NATIONAL_MERCHANT,
                "ThoiGianGui": compact_time(local_now()),
                **message,
            },
        )
        body = json.dumps(signed, ensure_ascii=False).encode()
        raw, _ = _post(
            self.base + self.endpoint, body=body, headers={"Content-Type": "application/json"}
        )
        answer = national_message_read(raw=raw)
        national_verify(secret=self.secret, message=answer)
        if answer.get("MaLoi") != "00":
            raise ProviderUnavailable(
                "Nền tảng thanh toán từ chối yêu cầu: "
                + str(answer.get("MoTaLoi", answer.get("MaLoi"))),
                details={"MaLoi": answer.get("MaLoi")},
            )
        return answer

    def start(
        self, *, order: PaymentOrder, lines: list[FeeLine], return_url: str, callback_url: str
    ):
        answer = self._call(
            {
                "LoaiBanTin": "INIT",
                "MaThamChieu": order.order_id,
                "MaHoSo": order.dossier.code,
                "SoTien": order.amount,
                "MaTienTe": order.currency,
                "NoiDung": f"Nộp phí, lệ phí hồ sơ {order.dossier.code}",
                "UrlTraVe": return_url,
                "UrlCallback": callback_url,
                "DanhSachKhoanThu": [
                    {
                        "MaKhoanThu": line.code,
                        "TenKhoanThu": line.name,
                        "LoaiPhiLePhi": line.kind,
                        "SoTien": line.amount,
                    }
                    for line in lines
                ],
            }
        )
        return answer["UrlThanhToan"], answer.get("MaGiaoDichCong", "")

    def callback_read(self, *, headers, body: bytes) -> ProviderReport:
        message = national_message_read(raw=body)
        national_verify(secret=self.secret, message=message, now=local_now())
        return national_report(message=message)

    def status_query(self, *, order: PaymentOrder) -> list[ProviderReport]:
        answer = self._call({"LoaiBanTin": "QUERY", "MaThamChieu": order.order_id})
        return [
            national_report(message={"MaThamChieu": order.order_id, **t})
            for t in answer.get("DanhSachGiaoDich", [])
        ]

    def confirm(self, *, report: ProviderReport) -> ProviderReport:
        """The callback only says "ask me": the status query's answer is what we record."""
        order = PaymentOrder(order_id=report.order_id)
        for confirmed in self.status_query(order=order):
            if confirmed.transaction_id == report.transaction_id:
                return confirmed
        raise CallbackRefused(
            "Nền tảng thanh toán không xác nhận giao dịch này.",
            verdict="unconfirmed",
            http_status=409,
        )

    def receipt_fetch(self, *, order: PaymentOrder, transaction: PaymentTransaction) -> dict:
        answer = self._call(
            {
                "LoaiBanTin": "GET_BILL",
                "MaThamChieu": order.order_id,
                "MaGiaoDich": transaction.transaction_id,
            }
        )
        return {
            key: answer[key]
            for key in ("SoBienLai", "KyHieuBienLai", "NgayBienLai", "SoTien", "UrlBienLai")
            if key in answer
        }

    def answer(self, *, verdict: str, http_status: int, message: str) -> tuple[int, dict]:
        body = {"MaLoi": NATIONAL_ANSWER.get(verdict, "99"), "MoTaLoi": message or verdict}
        return (200 if verdict in ("recorded", "duplicate") else http_status), national_sign(
            secret=self.secret, message=body
        )


ADAPTERS = {Provider.PROVINCE: GenericGateway(), Provider.NATIONAL: NationalPlatform()}


def provider_adapter(*, provider: str):
    try:
        return ADAPTERS[provider]
    except KeyError:
        raise DomainError(
            f"Không có đơn vị thanh toán “{provider}”.", code="provider_unknown"
        ) from None
