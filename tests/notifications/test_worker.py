"""The database task backend and `motcua worker`: the officer's request only queues; the worker
sends, once, retrying on the queue with back-off."""

import dataclasses
import os
import subprocess
import sys

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult

from motcua.notifications.models import Notification, NotificationAttempt, NotificationStatus
from tests.conftest import is_postgres
from tests.notifications.helpers import APPLICANT, receive

pytestmark = pytest.mark.django_db(transaction=True)

# Without the daily jobs: these tests count the tasks the queue holds.
WORKER = [
    "worker",
    "--batch",
    "--no-startup-delay",
    "--interval",
    "0",
    "--verbosity",
    "0",
    "--no-daily-jobs",
]


def test_the_worker_sends_what_the_queue_holds_once(
    database_tasks, staff, tree, birth_registration
):
    dossier = receive(staff, tree, birth_registration)
    assert mail.outbox == []
    assert DBTaskResult.objects.count() == 1
    call_command(*WORKER)
    assert [m.subject for m in mail.outbox] == [f"Hồ sơ {dossier.code} đã được tiếp nhận"]
    assert dossier.notification_attempts.filter(outcome="sent").count() == 2
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert DBTaskResult.objects.count() == 3  # the event's task and one per message
    call_command(*WORKER)
    assert len(mail.outbox) == 1
    assert NotificationAttempt.objects.count() == 2


def test_the_worker_retries_through_the_queue(
    database_tasks, standin_gateway, staff, tree, birth_registration
):
    standin_gateway.fail_next = 2
    dossier = receive(
        staff, tree, birth_registration, applicant=dataclasses.replace(APPLICANT, email="")
    )
    call_command(*WORKER)
    attempts = list(
        dossier.notification_attempts.order_by("number").values_list("outcome", flat=True)
    )
    assert attempts == ["retry", "retry", "sent"]
    assert len(standin_gateway.delivered) == 1
    assert Notification.objects.get().status == NotificationStatus.SENT
    # The event's task, the first send and its two retries.
    assert DBTaskResult.objects.filter(task_path__endswith="notification_send").count() == 3


def test_a_retry_waits_for_its_delay(
    database_tasks, settings, standin_gateway, staff, tree, birth_registration
):
    settings.MOTCUA_NOTIFY_RETRY_SECONDS = 3600
    standin_gateway.fail_next = 1
    dossier = receive(
        staff, tree, birth_registration, applicant=dataclasses.replace(APPLICANT, email="")
    )
    call_command(*WORKER)
    assert list(dossier.notification_attempts.values_list("outcome", flat=True)) == ["retry"]
    waiting = DBTaskResult.objects.get(status="READY")
    assert waiting.run_after > waiting.enqueued_at
    assert Notification.objects.get().status == NotificationStatus.PENDING


def test_the_worker_needs_the_database_backend(immediate_tasks):
    with pytest.raises(CommandError, match="MOTCUA_TASKS_BACKEND=database"):
        call_command(*WORKER)


@pytest.mark.postgres
def test_motcua_worker_as_its_own_process(
    database_tasks, standin_gateway, staff, tree, birth_registration
):
    """The command as operators run it: another process with its own connection, sending the
    text message to the stand-in gateway."""
    if not is_postgres():
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://…)")
    dossier = receive(staff, tree, birth_registration)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "MOTCUA_TASKS_BACKEND": "database",
        "MOTCUA_NOTIFY_CHANNELS": "sms",
        "MOTCUA_SMS_BACKEND": "http",
        "MOTCUA_SMS_GATEWAY_URL": standin_gateway.url,
        "MOTCUA_SMS_GATEWAY_KEY": standin_gateway.api_key,
    }
    done = subprocess.run(
        [sys.executable, "-m", "motcua", *WORKER],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    [message] = standin_gateway.delivered.values()
    assert dossier.code in message["text"]
    assert list(dossier.notification_attempts.values_list("outcome", flat=True)) == ["sent"]
