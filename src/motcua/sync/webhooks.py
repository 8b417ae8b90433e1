"""Signed outgoing webhooks for dossier events: at least once, retried with back-off, logged.

Each event in an endpoint's unit subtree owes that endpoint one `WebhookDelivery`, written in the
event's own transaction. The body names the event, never the applicant (the receiver reads the
dossier through the API with its token when it needs more):

    {"id": 123, "dossier": "000.00.30.H23-240304-0001", "kind": "forwarded", "seq": 2,
     "at": "2024-03-04T09:00:00+07:00", "from_state": 2, "to_state": 4, "unit": "11143"}

Headers: `X-MotCua-Event: <id>` (the receiver's key to drop repeats), `X-MotCua-Signature:
t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the endpoint's secret>`. A 2xx answer
delivers; anything else, or no answer, is retried after the sync's back-off, up to the sync's
attempt limit, then the delivery is dead (`motcua webhooks replay`)."""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F

from motcua.core import timeutil
from motcua.sync.models import OutboxStatus, WebhookDelivery, WebhookEndpoint
from motcua.sync.services import retry_delay


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def webhook_signature_valid(
    *, secret: str, header: str, body: bytes, now: float, tolerance: int = 300
) -> bool:
    """What a receiver checks (also used by the tests)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    expected = webhook_signature(secret=secret, timestamp=timestamp, body=body)
    return abs(now - timestamp) <= tolerance and hmac.compare_digest(expected, header)


def webhook_deliveries_record(*, event) -> list[WebhookDelivery]:
    """The deliveries an event owes (inside the event's transaction)."""
    if event.kind in ("imported",):
        return []
    dossier = event.dossier
    paths = [dossier.unit.path]
    if dossier.current_unit_id and dossier.current_unit_id != dossier.unit_id:
        paths.append(dossier.current_unit.path)
    owed = [
        e
        for e in WebhookEndpoint.objects.filter(active=True).select_related("unit")
        if any(path.startswith(e.unit.path) for path in paths)
    ]
    now = timeutil.now()
    return [
        WebhookDelivery.objects.create(endpoint=e, event=event, next_attempt_at=now) for e in owed
    ]


def _body(delivery: WebhookDelivery) -> bytes:
    event = delivery.event
    return json.dumps(
        {
            "id": event.pk,
            "dossier": event.dossier.code,
            "kind": event.kind,
            "seq": event.seq,
            "at": timeutil.to_local(event.at).isoformat(),
            "from_state": event.from_state,
            "to_state": event.to_state,
            "unit": event.dossier.unit.code,
        },
        ensure_ascii=False,
    ).encode()


def webhook_deliver(*, delivery_id: int, now: datetime | None = None) -> str:
    """One attempt: "delivered", "retry", "dead", or "nothing" (not pending or not due)."""
    now = now or timeutil.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("endpoint", "event__dossier__unit")
            .filter(pk=delivery_id, status=OutboxStatus.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return "nothing"
        body = _body(delivery)
        timestamp = int(time.time())
        request = urllib.request.Request(
            delivery.endpoint.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-MotCua-Event": str(delivery.event_id),
                "X-MotCua-Signature": webhook_signature(
                    secret=delivery.endpoint.secret, timestamp=timestamp, body=body
                ),
            },
        )
        status, error = None, ""
        try:
            with urllib.request.urlopen(
                request, timeout=settings.MOTCUA_PORTAL_SYNC_TIMEOUT
            ) as response:
                status = response.status
        except urllib.error.HTTPError as failure:
            status, error = failure.code, f"HTTP {failure.code}"
        except (urllib.error.URLError, TimeoutError, OSError) as failure:
            error = f"không kết nối được: {getattr(failure, 'reason', failure)}"[:500]
        delivery.last_http_status = status
        if status is not None and 200 <= status < 300:
            delivery.status, delivery.delivered_at, delivery.last_error = (
                OutboxStatus.DELIVERED,
                now,
                "",
            )
            delivery.attempts = F("attempts") + 1
            delivery.save()
            return "delivered"
        delivery.attempts += 1
        delivery.last_error = error or f"HTTP {status}"
        if delivery.attempts >= settings.MOTCUA_PORTAL_SYNC_MAX_ATTEMPTS:
            delivery.status = OutboxStatus.DEAD
        else:
            delivery.next_attempt_at = now + retry_delay(attempt=delivery.attempts)
        delivery.save()
        return "dead" if delivery.status == OutboxStatus.DEAD else "retry"


def webhooks_push_due(*, now: datetime | None = None, limit: int = 1000) -> dict[str, int]:
    now = now or timeutil.now()
    ids = (
        WebhookDelivery.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    outcomes: dict[str, int] = {}
    for delivery_id in list(ids):
        outcome = webhook_deliver(delivery_id=delivery_id, now=now)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def webhooks_replay() -> int:
    return WebhookDelivery.objects.filter(status=OutboxStatus.DEAD).update(
        status=OutboxStatus.PENDING, attempts=0, next_attempt_at=timeutil.now()
    )


def webhook_endpoint_add(*, name: str, url: str, unit, secret: str) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(name=name, url=url, unit=unit, secret=secret)
