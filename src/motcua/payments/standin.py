"""The stand-in gateway: a small local HTTP server that speaks both payment protocols — the
province's generic gateway and the national payment platform's style — so the adapters, the
callbacks and the citizen's pages can be exercised without any real provider. It is a stand-in,
not an integration: it holds its orders in memory and moves no money.

Behaviour is switchable (`StandinBehaviour`, set at start or by `POST /_standin/behaviour`):
delays, duplicate callbacks, out-of-order callbacks, failure then late success, a second capture,
bad signatures, stale timestamps, mismatched amounts, dropped callbacks (for reconciliation).

Endpoints:
- generic: `GET /pay?…` (signed pay URL) → the stand-in's pay page; `POST /api/orders/status`;
- national: `POST /thanhtoan/api` (INIT, QUERY, GET_BILL), `GET /dvcqg/pay?ma=…` → the pay page;
- both: `POST /pay/complete` (the pay page's buttons);
- control: `POST /_standin/behaviour`, `POST /_standin/complete` {order_id, outcome, wait},
  `GET /_standin/orders`, `GET /_standin/statement.csv?protocol=province|national`."""

import csv
import html
import io
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from motcua.core.timeutil import LOCAL_TZ
from motcua.payments.protocol import (
    NATIONAL_STATUS_CODE,
    CallbackRefused,
    compact_time,
    generic_headers,
    generic_pay_query_verify,
    generic_verify,
    national_sign,
    national_verify,
)

GENERIC, NATIONAL = "province", "national"


@dataclass
class StandinBehaviour:
    delay: float = 0.0  # seconds before the first callback
    late_seconds: float = 0.0  # between the failure and the late success
    duplicates: int = 0  # extra deliveries of every callback
    out_of_order: bool = False  # a stale "pending" delivered after the "paid"
    fail_then_succeed: bool = False  # a failed transaction first, then a paid one
    second_capture: bool = False  # a second, distinct paid transaction for the order
    bad_signature: bool = False
    stale_timestamp: bool = False
    amount_delta: int = 0
    drop: bool = False  # record the transactions, send no callback

    def update(self, values: dict) -> None:
        known = {f.name: f.type for f in fields(self)}
        for key, value in values.items():
            if key not in known:
                raise ValueError(f"unknown behaviour {key}")
            setattr(self, key, value)


def _now() -> datetime:
    return datetime.now(tz=LOCAL_TZ)


class StandinGateway:
    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        gateway_secret: str,
        national_secret: str,
        behaviour: StandinBehaviour | None = None,
    ):
        self.gateway_secret = gateway_secret
        self.national_secret = national_secret
        self.behaviour = behaviour or StandinBehaviour()
        self.orders: dict[str, dict] = {}
        self.deliveries: list[dict] = []
        self.lock = threading.Lock()
        self._workers: list[threading.Thread] = []
        self.server = ThreadingHTTPServer((host, port), _handler(self))
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "StandinGateway":
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.wait_idle()
        self.server.shutdown()
        self.server.server_close()

    def wait_idle(self, timeout: float = 30) -> None:
        """Wait for callbacks sent in the background (the pay page's) to be delivered."""
        deadline = time.monotonic() + timeout
        for worker in list(self._workers):
            worker.join(max(0.0, deadline - time.monotonic()))

    # --- orders --------------------------------------------------------------------------------

    def _register(self, *, order_id: str, protocol: str, **facts) -> dict:
        with self.lock:
            order = self.orders.get(order_id)
            if order is None:
                order = self.orders[order_id] = {
                    "order_id": order_id,
                    "protocol": protocol,
                    "transactions": [],
                    **facts,
                }
            return order

    def _transaction(self, order: dict, status: str) -> dict:
        txn = {
            "transaction_id": ("GD" if order["protocol"] == NATIONAL else "TX")
            + secrets.token_hex(6).upper(),
            "status": status,
            "amount": order["amount"],
            "occurred_at": _now().replace(microsecond=0),
        }
        with self.lock:
            order["transactions"].append(txn)
        return txn

    def complete(self, *, order_id: str, outcome: str, wait: bool = True) -> list[dict]:
        """The citizen finished on the pay page with `outcome` (paid | failed). Records the
        transactions and sends the callbacks the behaviour asks for."""
        order = self.orders.get(order_id)
        if order is None:
            raise KeyError(order_id)
        b = StandinBehaviour(**asdict(self.behaviour))
        plan: list[tuple[float, dict, str]] = []  # (sleep before, transaction, status to report)
        if outcome == "paid" and b.fail_then_succeed:
            failed = self._transaction(order, "failed")
            plan.append((b.delay, failed, "failed"))
            paid = self._transaction(order, "paid")
            plan.append((b.late_seconds, paid, "paid"))
        elif outcome == "paid":
            paid = self._transaction(order, "paid")
            plan.append((b.delay, paid, "paid"))
        else:
            paid = None
            plan.append((b.delay, self._transaction(order, "failed"), "failed"))
        if paid is not None and b.out_of_order:
            plan.append((0.0, paid, "pending"))
        if paid is not None and b.second_capture:
            plan.append((0.0, self._transaction(order, "paid"), "paid"))
        if b.drop:
            plan = []

        def run() -> list[dict]:
            answers = []
            for sleep, txn, status in plan:
                if sleep:
                    time.sleep(sleep)
                for _ in range(1 + b.duplicates):
                    answers.append(self._deliver(order, txn, status, b))
            return answers

        if wait:
            return run()
        worker = threading.Thread(target=run, daemon=True)
        self._workers.append(worker)
        worker.start()
        return []

    # --- callbacks -----------------------------------------------------------------------------

    def _deliver(self, order: dict, txn: dict, status: str, b: StandinBehaviour) -> dict:
        amount = txn["amount"] + b.amount_delta
        if order["protocol"] == GENERIC:
            body = json.dumps(
                {
                    "order_id": order["order_id"],
                    "transaction_id": txn["transaction_id"],
                    "amount": amount,
                    "currency": order["currency"],
                    "status": status,
                    "occurred_at": txn["occurred_at"].isoformat(),
                }
            ).encode()
            timestamp = int(time.time()) - (600 if b.stale_timestamp else 0)
            headers = generic_headers(secret=self.gateway_secret, timestamp=timestamp, body=body)
            if b.bad_signature:
                headers["X-Payment-Signature"] = "sha256=" + "0" * 64
        else:
            sent = _now()
            if b.stale_timestamp:
                sent = sent.fromtimestamp(sent.timestamp() - 600, tz=LOCAL_TZ)
            message = national_sign(
                secret=self.national_secret,
                message={
                    "LoaiBanTin": "KET_QUA",
                    "MaThamChieu": order["order_id"],
                    "MaGiaoDich": txn["transaction_id"],
                    "SoTien": amount,
                    "MaTienTe": order["currency"],
                    "TrangThai": NATIONAL_STATUS_CODE[status],
                    "ThoiGianGD": compact_time(txn["occurred_at"]),
                    "ThoiGianGui": compact_time(sent),
                },
            )
            if b.bad_signature:
                message["MaXacThuc"] = "0" * 64
            body = json.dumps(message, ensure_ascii=False).encode()
            headers = {"Content-Type": "application/json"}
        request = urllib.request.Request(
            order["callback_url"], data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                answer = {"http_status": response.status, "body": json.loads(response.read())}
        except urllib.error.HTTPError as error:
            answer = {"http_status": error.code, "body": json.loads(error.read() or b"{}")}
        except (urllib.error.URLError, OSError) as error:
            answer = {"http_status": 0, "body": {"error": str(error)}}
        answer.update(transaction_id=txn["transaction_id"], status=status)
        with self.lock:
            self.deliveries.append(answer)
        return answer

    # --- views of the stand-in's records -------------------------------------------------------

    def statement(self, *, protocol: str = GENERIC) -> str:
        """The provider's statement: order_id, transaction_id, amount, status, date."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["order_id", "transaction_id", "amount", "status", "date"])
        with self.lock:
            for order in self.orders.values():
                if order["protocol"] != protocol:
                    continue
                for txn in order["transactions"]:
                    writer.writerow(
                        [
                            order["order_id"],
                            txn["transaction_id"],
                            txn["amount"],
                            txn["status"],
                            txn["occurred_at"].isoformat(),
                        ]
                    )
        return out.getvalue()

    def national_transactions(self, order_id: str) -> list[dict]:
        order = self.orders.get(order_id) or {"transactions": [], "currency": "VND"}
        return [
            {
                "MaGiaoDich": t["transaction_id"],
                "SoTien": t["amount"],
                "MaTienTe": order["currency"],
                "TrangThai": NATIONAL_STATUS_CODE[t["status"]],
                "ThoiGianGD": compact_time(t["occurred_at"]),
            }
            for t in order["transactions"]
        ]

    def generic_transactions(self, order_id: str) -> list[dict]:
        order = self.orders.get(order_id) or {"transactions": [], "currency": "VND"}
        return [
            {
                "transaction_id": t["transaction_id"],
                "amount": t["amount"],
                "currency": order["currency"],
                "status": t["status"],
                "occurred_at": t["occurred_at"].isoformat(),
            }
            for t in order["transactions"]
        ]


PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>Cổng thanh toán mô phỏng (stand-in)</title></head><body>
<p><strong>Cổng thanh toán mô phỏng (stand-in) — không phải cổng thanh toán thật, không trừ tiền.</strong></p>
<h1>Thanh toán đơn {order_id}</h1>
<p>Số tiền: <span id="amount">{amount}</span> {currency}</p>
<form method="post" action="/pay/complete">
<input type="hidden" name="order_id" value="{order_id}">
<button type="submit" name="outcome" value="paid">Xác nhận thanh toán</button>
<button type="submit" name="outcome" value="failed">Hủy giao dịch</button>
</form></body></html>"""


def _handler(standin: StandinGateway):
    class Handler(BaseHTTPRequestHandler):
        server_version = "motcua-payment-standin"

        def log_message(self, format, *args):  # keep test output quiet
            pass

        def _send(self, status: int, body: bytes, content_type: str, headers=None):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, data, *, headers=None):
            body = json.dumps(data, ensure_ascii=False, default=str).encode()
            self._send(status, body, "application/json", headers)

        def _html(self, page: str, status: int = 200):
            self._send(status, page.encode(), "text/html; charset=utf-8")

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def do_GET(self):
            parts = urlsplit(self.path)
            params = dict(parse_qsl(parts.query))
            if parts.path == "/pay":
                try:
                    generic_pay_query_verify(
                        secret=standin.gateway_secret, params=params, now=time.time()
                    )
                except CallbackRefused as refusal:
                    return self._html(
                        f"<p>Liên kết thanh toán không hợp lệ: {refusal.message}</p>", 400
                    )
                order = standin._register(
                    order_id=params["order_id"],
                    protocol=GENERIC,
                    amount=int(params["amount"]),
                    currency=params["currency"],
                    return_url=params["return_url"],
                    callback_url=params["callback_url"],
                )
                return self._page(order)
            if parts.path == "/dvcqg/pay":
                order = next(
                    (
                        o
                        for o in standin.orders.values()
                        if o.get("platform_ref") == params.get("ma")
                    ),
                    None,
                )
                if order is None:
                    return self._html("<p>Không có giao dịch này.</p>", 404)
                return self._page(order)
            if parts.path == "/_standin/orders":
                return self._json(200, standin.orders)
            if parts.path == "/_standin/statement.csv":
                text = standin.statement(protocol=params.get("protocol", GENERIC))
                return self._send(200, text.encode(), "text/csv; charset=utf-8")
            return self._json(404, {"error": "not found"})

        def _page(self, order: dict):
            page = PAGE.format(
                order_id=html.escape(order["order_id"]),
                amount=order["amount"],
                currency=html.escape(order["currency"]),
            )
            return self._html(page)

        def do_POST(self):
            path = urlsplit(self.path).path
            raw = self._body()
            if path == "/pay/complete":
                form = dict(parse_qsl(raw.decode()))
                order = standin.orders.get(form.get("order_id", ""))
                if order is None or form.get("outcome") not in ("paid", "failed"):
                    return self._html("<p>Yêu cầu không hợp lệ.</p>", 400)
                # The callback goes in the background, as a real gateway's does: the citizen's
                # browser usually arrives on the return page first.
                standin.complete(order_id=order["order_id"], outcome=form["outcome"], wait=False)
                self.send_response(303)
                self.send_header("Location", order["return_url"])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            if path == "/api/orders/status":
                return self._generic_status(raw)
            if path == "/thanhtoan/api":
                return self._national(raw)
            if path == "/_standin/behaviour":
                try:
                    standin.behaviour.update(json.loads(raw or b"{}"))
                except (ValueError, TypeError) as error:
                    return self._json(400, {"error": str(error)})
                return self._json(200, asdict(standin.behaviour))
            if path == "/_standin/complete":
                data = json.loads(raw or b"{}")
                try:
                    answers = standin.complete(
                        order_id=data["order_id"],
                        outcome=data.get("outcome", "paid"),
                        wait=data.get("wait", True),
                    )
                except KeyError:
                    return self._json(404, {"error": "unknown order"})
                return self._json(200, {"deliveries": answers})
            return self._json(404, {"error": "not found"})

        def _generic_status(self, raw: bytes):
            try:
                generic_verify(
                    secret=standin.gateway_secret,
                    timestamp=self.headers.get("X-Payment-Timestamp"),
                    signature=self.headers.get("X-Payment-Signature"),
                    body=raw,
                    now=time.time(),
                )
            except CallbackRefused as refusal:
                return self._json(401, {"error": refusal.message})
            order_id = json.loads(raw).get("order_id", "")
            body = json.dumps(
                {"order_id": order_id, "transactions": standin.generic_transactions(order_id)}
            ).encode()
            headers = generic_headers(
                secret=standin.gateway_secret, timestamp=int(time.time()), body=body
            )
            return self._send(
                200,
                body,
                "application/json",
                {
                    "X-Payment-Timestamp": headers["X-Payment-Timestamp"],
                    "X-Payment-Signature": headers["X-Payment-Signature"],
                },
            )

        def _national(self, raw: bytes):
            def answer(message: dict):
                return self._json(
                    200, national_sign(secret=standin.national_secret, message=message)
                )

            try:
                message = json.loads(raw)
                national_verify(secret=standin.national_secret, message=message, now=_now())
            except (ValueError, CallbackRefused) as error:
                return answer({"MaLoi": "07", "MoTaLoi": str(error)})
            kind = message.get("LoaiBanTin")
            order_id = message.get("MaThamChieu", "")
            if kind == "INIT":
                lines = message.get("DanhSachKhoanThu") or []
                if sum(int(line.get("SoTien", 0)) for line in lines) != message.get("SoTien"):
                    return answer({"MaLoi": "04", "MoTaLoi": "Tổng các khoản thu khác SoTien."})
                ref = "PG" + secrets.token_hex(6).upper()
                standin._register(
                    order_id=order_id,
                    protocol=NATIONAL,
                    amount=message["SoTien"],
                    currency=message["MaTienTe"],
                    return_url=message["UrlTraVe"],
                    callback_url=message["UrlCallback"],
                    platform_ref=ref,
                    lines=lines,
                )
                return answer(
                    {
                        "MaLoi": "00",
                        "MaThamChieu": order_id,
                        "MaGiaoDichCong": ref,
                        "UrlThanhToan": f"{standin.url}/dvcqg/pay?ma={ref}",
                    }
                )
            if kind == "QUERY":
                return answer(
                    {
                        "MaLoi": "00",
                        "MaThamChieu": order_id,
                        "DanhSachGiaoDich": standin.national_transactions(order_id),
                    }
                )
            if kind == "GET_BILL":
                txn = next(
                    (
                        t
                        for t in standin.national_transactions(order_id)
                        if t["MaGiaoDich"] == message.get("MaGiaoDich") and t["TrangThai"] == "00"
                    ),
                    None,
                )
                if txn is None:
                    return answer({"MaLoi": "03", "MoTaLoi": "Không có giao dịch thành công."})
                return answer(
                    {
                        "MaLoi": "00",
                        "MaThamChieu": order_id,
                        "MaGiaoDich": txn["MaGiaoDich"],
                        "KyHieuBienLai": "BL-STANDIN",
                        "SoBienLai": txn["MaGiaoDich"][-6:],
                        "NgayBienLai": txn["ThoiGianGD"][:8],
                        "SoTien": txn["SoTien"],
                        "UrlBienLai": f"{standin.url}/dvcqg/bien-lai/{txn['MaGiaoDich']}",
                    }
                )
            return answer({"MaLoi": "04", "MoTaLoi": "LoaiBanTin không hợp lệ."})

    return Handler
