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


def test_messages_a_dead_worker_left_are_queued_again_and_sent_once(
    database_tasks, staff, tree, birth_registration
):
    from datetime import timedelta

    from django.utils import timezone

    from motcua.core import timeutil
    from motcua.notifications.tasks import notifications_recover

    dossier = receive(staff, tree, birth_registration)
    call_command(*WORKER, "--max-tasks", "1")  # the event's task: the messages made and queued
    email, sms = sorted(dossier.notifications.all(), key=lambda n: n.channel)
    assert {email.status, sms.status} == {NotificationStatus.PENDING}
    sends = DBTaskResult.objects.filter(task_path__endswith="notification_send")
    assert sends.count() == 2
    # kill -9: one taken and being sent when its worker died; the other's task lost with it.
    Notification.objects.filter(pk=email.pk).update(
        status=NotificationStatus.SENDING, claimed_at=timezone.now()
    )
    for task in sends:
        if task.args_kwargs["kwargs"]["notification_id"] == email.pk:
            DBTaskResult.objects.filter(pk=task.pk).update(
                status="RUNNING", started_at=timezone.now() - timedelta(hours=1)
            )
        else:
            task.delete()
    # Soon after, nothing looks stuck yet: a send may take a while.
    assert notifications_recover() == 0
    assert Notification.objects.get(pk=email.pk).status == NotificationStatus.SENDING
    later = timeutil.now() + timedelta(minutes=20)
    assert notifications_recover(now=later) == 2
    assert set(dossier.notifications.values_list("status", flat=True)) == {"pending"}
    assert notifications_recover(now=later) == 0  # queued now: not twice
    call_command(*WORKER)
    assert [m.subject for m in mail.outbox] == [f"Hồ sơ {dossier.code} đã được tiếp nhận"]
    assert set(dossier.notifications.values_list("status", flat=True)) == {"sent"}
    assert dossier.notification_attempts.filter(outcome="sent").count() == 2


def test_a_starting_worker_recovers_what_the_last_one_left(
    database_tasks, staff, tree, birth_registration, monkeypatch
):
    from motcua.notifications import tasks

    calls = []
    monkeypatch.setattr(tasks, "notifications_recover", lambda **kw: calls.append(kw) or 0)
    call_command(*WORKER)
    assert calls == [{}]
