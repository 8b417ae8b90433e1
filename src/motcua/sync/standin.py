"""The stand-in national portal: a small local HTTP server that receives dossier syncs the way the
portal's endpoints do (add, update, processing trail), so the sync worker can be exercised without
the real portal. It is a stand-in, not an integration: it keeps what it receives in memory.

Faults, each for the next N requests (`StandinBehaviour`, set at start or by
`POST /_standin/behaviour`): `fail` answers HTTP 500; `timeout` waits `delay` seconds before
answering (past the client's timeout) and keeps nothing; `error_code` answers `{"error_code": X}`
(3 and −3 are the portal's refusals) and keeps nothing; `twice` keeps the request but loses the
answer (the connection closes), so the client sends it again and the stand-in answers the second
delivery — a dossier or trail entry received twice is kept once.

Control: `GET /_standin/dossiers` (what it holds), `GET /_standin/requests`, `POST /_standin/behaviour`."""

import json
import threading
import time
from dataclasses import asdict, dataclass, fields
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from motcua.sync.protocol import PATHS

OPERATIONS = {path: operation for operation, path in PATHS.items()}


@dataclass
class StandinBehaviour:
    fail: int = 0
    timeout: int = 0
    delay: float = 3.0
    error_code: int = 3
    error_count: int = 0
    twice: int = 0

    def update(self, values: dict) -> None:
        known = {f.name for f in fields(self)}
        for key, value in values.items():
            if key not in known:
                raise ValueError(f"unknown behaviour {key}")
            setattr(self, key, value)


def _trail_key(entry: dict) -> tuple:
    return (
        entry.get("MaHoSo"),
        entry.get("ThoiDiemXuLy"),
        entry.get("TrangThai"),
        entry.get("NoiDungXuLy"),
    )


class StandinPortal:
    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = "",
        behaviour: StandinBehaviour | None = None,
    ):
        self.token = token
        self.behaviour = behaviour or StandinBehaviour()
        self.dossiers: dict[str, dict] = {}
        self.trails: dict[str, list[dict]] = {}
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer((host, port), _handler(self))
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "StandinPortal":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _take(self, name: str) -> bool:
        """Use one of the next-N faults `name`, if any is left."""
        with self.lock:
            left = getattr(self.behaviour, name)
            if left > 0:
                setattr(self.behaviour, name, left - 1)
                return True
            return False

    def keep(self, operation: str, body: dict) -> str:
        with self.lock:
            code = str(body.get("MaHoSo") or "")
            if operation == "trail":
                held = self.trails.setdefault(code, [])
                seen = {_trail_key(e) for e in held}
                for entry in body.get("QuaTrinhXuLy") or []:
                    if _trail_key(entry) not in seen:
                        held.append(entry)
                        seen.add(_trail_key(entry))
                return "đã nhận quá trình xử lý"
            if operation == "update" and code not in self.dossiers:
                return "not_found"
            again = code in self.dossiers and operation == "add"
            self.dossiers[code] = body
            return "hồ sơ đã có" if again else "đã nhận hồ sơ"


def _handler(standin: StandinPortal):
    class Handler(BaseHTTPRequestHandler):
        server_version = "motcua-portal-standin"

        def log_message(self, format, *args):  # keep test output quiet
            pass

        def _json(self, status: int, data) -> None:
            body = json.dumps(data, ensure_ascii=False, default=str).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path == "/_standin/dossiers":
                with standin.lock:
                    return self._json(200, {"dossiers": standin.dossiers, "trails": standin.trails})
            if self.path == "/_standin/requests":
                with standin.lock:
                    return self._json(200, standin.requests)
            return self._json(404, {"error_code": -1, "message": "not found"})

        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path == "/_standin/behaviour":
                try:
                    standin.behaviour.update(json.loads(raw or b"{}"))
                except (ValueError, TypeError) as error:
                    return self._json(400, {"error": str(error)})
                return self._json(200, asdict(standin.behaviour))
            operation = OPERATIONS.get(self.path)
            if operation is None:
                return self._json(404, {"error_code": -1, "message": "not found"})
            if standin.token and self.headers.get("Authorization") != f"Bearer {standin.token}":
                return self._json(401, {"error_code": -1, "message": "unauthorised"})
            try:
                body = json.loads(raw)
            except ValueError:
                return self._json(400, {"error_code": -1, "message": "bad json"})
            with standin.lock:
                standin.requests.append({"operation": operation, "body": body})
            if standin._take("fail"):
                return self._json(500, {"error_code": -1, "message": "server error"})
            if standin._take("timeout"):
                time.sleep(standin.behaviour.delay)
                return self._json(200, {"error_code": 0, "message": "late"})
            if standin._take("error_count"):
                code = standin.behaviour.error_code
                return self._json(200, {"error_code": code, "message": f"lỗi {code}"})
            message = standin.keep(operation, body)
            if message == "not_found":
                return self._json(200, {"error_code": 3, "message": "hồ sơ chưa có"})
            if standin._take("twice"):
                self.close_connection = True  # kept, but the answer is lost
                self.connection.close()
                return None
            return self._json(200, {"error_code": 0, "message": message})

    return Handler
