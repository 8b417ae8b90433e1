"""`/metrics` in Prometheus' text format: requests by route pattern (never the raw path), latency,
database figures; only for the allowed addresses or the bearer token. And the JSON log lines."""

import json
import logging

from motcua.core.logs import JSONFormatter


def _sample(text: str, name: str, **labels) -> float:
    for line in text.splitlines():
        if line.startswith((name + "{", name + " ")) and all(
            f'{key}="{value}"' in line for key, value in labels.items()
        ):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_by_route(client, db):
    before = _sample(
        client.get("/metrics").content.decode(),
        "motcua_http_requests_total",
        route="/healthz",
        status="200",
    )
    client.get("/healthz")
    client.get("/healthz")
    text = client.get("/metrics").content.decode()
    assert _sample(text, "motcua_http_requests_total", route="/healthz", status="200") == before + 2
    assert "motcua_http_request_duration_seconds_bucket" in text
    assert _sample(text, "motcua_database_up") == 1
    assert _sample(text, "motcua_audit_checkpoint_age_seconds") == -1
    client.get("/cong-dich-vu/thu-tuc/khong-co-ma-nay/")
    # A dossier or procedure code is in the pattern, not in a label of its own.
    assert "khong-co-ma-nay" not in client.get("/metrics").content.decode()


def test_metrics_refused_from_elsewhere_without_the_token(client, db, settings):
    settings.MOTCUA_METRICS_ALLOWED_IPS = ["10.0.0.9"]
    settings.MOTCUA_METRICS_TOKEN = "ma-giam-sat"
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer sai").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ma-giam-sat").status_code == 200


def test_json_log_lines_carry_extra_fields():
    record = logging.makeLogRecord(
        {
            "name": "motcua.audit",
            "levelname": "INFO",
            "msg": "mở hồ sơ %s",
            "args": ("X-1",),
            "user": "tiepnhan",
            "dossier": "X-1",
        }
    )
    line = json.loads(JSONFormatter().format(record))
    assert line["message"] == "mở hồ sơ X-1" and line["logger"] == "motcua.audit"
    assert (
        line["user"] == "tiepnhan" and line["dossier"] == "X-1" and line["time"].endswith("+00:00")
    )
