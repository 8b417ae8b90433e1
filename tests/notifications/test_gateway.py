"""The HTTP text-message adapter against the stand-in SMS gateway (a local server speaking our
generic gateway protocol): headers, body, retries with one delivery, permanent refusals."""

import dataclasses

import pytest
from django.core.exceptions import ImproperlyConfigured

from motcua.notifications.models import Notification, NotificationAttempt, NotificationStatus
from motcua.notifications.sms import HttpSmsBackend, SendFailed, TextMessage
from tests.notifications.helpers import APPLICANT, ID_NUMBER, receive

pytestmark = pytest.mark.django_db(transaction=True)

NO_EMAIL = dataclasses.replace(APPLICANT, email="")


def _sms_attempts(dossier):
    return list(
        NotificationAttempt.objects.filter(dossier=dossier, notification__channel="sms")
        .order_by("number")
        .values_list("number", "outcome")
    )


def test_the_adapter_speaks_the_protocol(
    immediate_tasks, standin_gateway, staff, tree, birth_registration
):
    dossier = receive(staff, tree, birth_registration, applicant=NO_EMAIL)
    [request] = standin_gateway.requests
    notification = Notification.objects.get()
    assert request["path"] == "/v1/messages"
    headers = request["headers"]
    assert headers["x-api-key"] == standin_gateway.api_key
    assert headers["content-type"] == "application/json; charset=utf-8"
    assert headers["idempotency-key"] == str(notification.key)
    assert headers["x-protocol-version"] == "1"
    body = request["body"]
    assert body["to"] == "84912345678"
    assert body["sender"] == "UBND-TIENDONG"
    assert body["routes"] == ["zalo", "sms"]
    assert body["reference"] == str(notification.key)
    assert body["text"].startswith(f"UBND xã Tiên Động đã tiếp nhận hồ sơ {dossier.code}.")
    assert ID_NUMBER not in body["text"]
    [delivered] = standin_gateway.delivered.values()
    assert NotificationAttempt.objects.get().provider_id == delivered["id"]


def test_two_failures_then_success_three_attempts_one_delivery(
    immediate_tasks, standin_gateway, staff, tree, birth_registration
):
    standin_gateway.fail_next = 2
    dossier = receive(staff, tree, birth_registration, applicant=NO_EMAIL)
    assert _sms_attempts(dossier) == [(1, "retry"), (2, "retry"), (3, "sent")]
    errors = list(NotificationAttempt.objects.order_by("number").values_list("error", flat=True))
    assert errors[:2] == ["Cổng tin nhắn từ chối: HTTP 503 (unavailable)"] * 2
    assert len(standin_gateway.requests) == 3
    assert len(standin_gateway.delivered) == 1
    notification = Notification.objects.get()
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 3)


def test_a_lost_answer_is_retried_without_a_second_sms(
    immediate_tasks, standin_gateway, staff, tree, birth_registration
):
    standin_gateway.lose_answer_next = 1
    dossier = receive(staff, tree, birth_registration, applicant=NO_EMAIL)
    assert _sms_attempts(dossier) == [(1, "retry"), (2, "sent")]
    keys = {r["headers"]["idempotency-key"] for r in standin_gateway.requests}
    assert len(keys) == 1 and len(standin_gateway.delivered) == 1


@pytest.mark.parametrize("status", [400, 422])
def test_a_refused_message_is_not_retried(
    immediate_tasks, standin_gateway, status, staff, tree, birth_registration
):
    standin_gateway.reject_with = status
    dossier = receive(staff, tree, birth_registration, applicant=NO_EMAIL)
    assert _sms_attempts(dossier) == [(1, "failed")]
    assert Notification.objects.get().status == NotificationStatus.FAILED


def test_a_wrong_key_is_a_permanent_failure(
    immediate_tasks, settings, standin_gateway, staff, tree, birth_registration
):
    settings.MOTCUA_SMS_GATEWAY_KEY = "khoa-sai"
    dossier = receive(staff, tree, birth_registration, applicant=NO_EMAIL)
    assert _sms_attempts(dossier) == [(1, "failed")]
    assert "HTTP 401 (unauthorized)" in NotificationAttempt.objects.get().error
    assert standin_gateway.delivered == {}


def test_an_unreachable_gateway_is_retried_up_to_the_limit(
    immediate_tasks, settings, standin_gateway, staff, tree, birth_registration
):
    settings.MOTCUA_NOTIFY_MAX_ATTEMPTS = 3
    standin_gateway.stop()  # nothing listens on that port any more
    dossier = receive(staff, tree, birth_registration, applicant=NO_EMAIL)
    assert _sms_attempts(dossier) == [(1, "retry"), (2, "retry"), (3, "failed")]
    assert "Không kết nối được cổng tin nhắn" in NotificationAttempt.objects.first().error


def test_a_foreign_phone_number_is_recorded_not_sent(
    immediate_tasks, standin_gateway, staff, tree, birth_registration
):
    dossier = receive(
        staff,
        tree,
        birth_registration,
        applicant=dataclasses.replace(NO_EMAIL, phone="+33612345678"),
    )
    assert _sms_attempts(dossier) == [(1, "failed")]
    assert standin_gateway.requests == []


def test_ascii_mode_drops_the_diacritics(settings, standin_gateway):
    backend = HttpSmsBackend(
        url=standin_gateway.url, api_key=standin_gateway.api_key, ascii_only=True
    )
    backend.send(TextMessage(to="84912345678", text="Hồ sơ đã có kết quả", key="k-1"))
    assert standin_gateway.requests[0]["body"]["text"] == "Ho so da co ket qua"


def test_the_key_goes_only_over_tls_or_to_this_machine(standin_gateway):
    with pytest.raises(ImproperlyConfigured):
        HttpSmsBackend(url="http://sms.example.vn/v1/messages", api_key="k")
    with pytest.raises(ImproperlyConfigured):
        HttpSmsBackend(url=standin_gateway.url, api_key="")
    assert HttpSmsBackend(url="https://sms.example.vn/v1/messages", api_key="k").url


def test_an_answer_outside_the_protocol_is_temporary(standin_gateway):
    backend = HttpSmsBackend(url=standin_gateway.url.replace("/v1/messages", "/khac"), api_key="k")
    with pytest.raises(SendFailed) as failure:
        backend.send(TextMessage(to="84912345678", text="x", key="k-2"))
    # 404 from the stand-in: the URL is wrong, trying again will not help.
    assert failure.value.temporary is False
