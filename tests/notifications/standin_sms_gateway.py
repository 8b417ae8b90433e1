"""A stand-in SMS gateway: a local HTTP server that speaks our generic text-message gateway
protocol (docs/notifications.md) so the HTTP adapter is tested end to end. It is not a provider's
gateway and delivers nothing: it records what it accepted.

Scripted behaviour: `fail_next` answers that many requests with 503 first; `lose_answer_next`
accepts that many messages and then answers 503 as if the answer were lost; `reject_with` answers
every request with that status and an error body."""

import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class StandinSmsGateway:
    api_key: str = "khoa-thu-nghiem-standin"
    fail_next: int = 0
    lose_answer_next: int = 0
    reject_with: int | None = None
    requests: list[dict] = field(default_factory=list)  # every request: headers and body
    delivered: dict[str, dict] = field(default_factory=dict)  # idempotency key → message
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1/messages"

    def start(self) -> "StandinSmsGateway":
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                status, answer = gateway._answer(self.path, dict(self.headers), raw)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        # Port 0: the system picks a free port on the loopback address.
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _answer(self, path: str, headers: dict, raw: bytes) -> tuple[int, dict]:
        with self._lock:
            headers = {k.lower(): v for k, v in headers.items()}
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            self.requests.append({"path": path, "headers": headers, "body": body})
            if path != "/v1/messages":
                return 404, {"error": {"code": "not_found", "message": "no such endpoint"}}
            if headers.get("x-api-key") != self.api_key:
                return 401, {"error": {"code": "unauthorized", "message": "bad API key"}}
            if self.reject_with is not None:
                return self.reject_with, {"error": {"code": "rejected", "message": "scripted"}}
            if self.fail_next > 0:
                self.fail_next -= 1
                return 503, {"error": {"code": "unavailable", "message": "scripted outage"}}
            if not isinstance(body, dict) or not body.get("to") or not body.get("text"):
                return 400, {"error": {"code": "invalid_message", "message": "to and text"}}
            key = headers.get("idempotency-key", "")
            if key in self.delivered:
                # A repeat of an accepted message: the same answer, nothing sent again.
                return 200, {"id": self.delivered[key]["id"], "status": "accepted"}
            message = {"id": f"standin-{uuid.uuid4().hex[:12]}", **body}
            self.delivered[key] = message
            if self.lose_answer_next > 0:
                self.lose_answer_next -= 1
                return 503, {"error": {"code": "unavailable", "message": "answer lost"}}
            return 202, {"id": message["id"], "status": "accepted"}
