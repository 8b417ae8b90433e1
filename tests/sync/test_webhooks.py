"""Signed outgoing webhooks: one delivery per event and endpoint in the event's transaction, an
HMAC signature the receiver can check, retried with back-off until a 2xx, a delivery log."""

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import call_command

from motcua.core import timeutil
from motcua.dossiers import services
from motcua.dossiers.services import Applicant
from motcua.sync.models import OutboxStatus, WebhookDelivery
from motcua.sync.webhooks import (
    webhook_endpoint_add,
    webhook_signature_valid,
    webhooks_push_due,
)
from tests.conftest import handed_in, local

SECRET = "bi-mat-webhook"


class Receiver:
    """A stand-in receiver: answers 500 for the first `fail` requests, keeps what it got."""

    def __init__(self, fail: int = 0):
        self.fail = fail
        self.received: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((self.headers, body))
                status = 500 if receiver.fail > 0 else 204
                receiver.fail -= 1
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.MOTCUA_PORTAL_SYNC_MAX_ATTEMPTS = 3
    made = Receiver()
    yield made
    made.stop()


def receive(staff, tree, procedure):
    return services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=procedure,
        components=handed_in(procedure),
        applicant=Applicant(name="Ngô Văn K", id_number="001099012345"),
        at=local(2024, 3, 4, 8),
    )


def test_events_in_the_subtree_are_delivered_signed(receiver, staff, tree, birth_registration):
    webhook_endpoint_add(name="Huyện", url=receiver.url, unit=tree.district, secret=SECRET)
    webhook_endpoint_add(name="Xã bên", url=receiver.url, unit=tree.cong_lac, secret="khac")
    dossier = receive(staff, tree, birth_registration)
    services.dossier_forward(actor=staff.desk, dossier=dossier)
    assert WebhookDelivery.objects.count() == 2  # the neighbour's endpoint owes nothing
    assert webhooks_push_due() == {"delivered": 2}
    kinds = []
    for headers, body in receiver.received:
        assert webhook_signature_valid(
            secret=SECRET, header=headers["X-MotCua-Signature"], body=body, now=time.time()
        )
        assert not webhook_signature_valid(
            secret="sai", header=headers["X-MotCua-Signature"], body=body, now=time.time()
        )
        payload = json.loads(body)
        assert payload["dossier"] == dossier.code and "Ngô" not in body.decode()
        assert headers["X-MotCua-Event"] == str(payload["id"])
        kinds.append(payload["kind"])
    assert kinds == ["received", "forwarded"]


def test_failures_are_retried_with_backoff_then_dead_then_replayed(
    receiver, staff, tree, birth_registration
):
    receiver.fail = 10
    webhook_endpoint_add(name="Huyện", url=receiver.url, unit=tree.district, secret=SECRET)
    receive(staff, tree, birth_registration)
    assert webhooks_push_due() == {"retry": 1}
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 1 and delivery.last_http_status == 500
    assert delivery.next_attempt_at > timeutil.now() + timedelta(seconds=25)
    assert webhooks_push_due() == {}
    now = timeutil.now()
    webhooks_push_due(now=now + timedelta(minutes=5))
    webhooks_push_due(now=now + timedelta(hours=1))
    assert WebhookDelivery.objects.get().status == OutboxStatus.DEAD
    receiver.fail = 0
    call_command("webhooks", "replay", stdout=StringIO())
    assert webhooks_push_due() == {"delivered": 1}
    out = StringIO()
    call_command("webhooks", "log", "--json", stdout=out)
    log = json.loads(out.getvalue())
    assert log[0]["status"] == "delivered" and log[0]["http_status"] == 204
    assert len(receiver.received) == 4  # at least once: every attempt reached the receiver
