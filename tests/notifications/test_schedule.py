"""The worker's daily jobs: queued when the worker starts, run once a day whatever the restarts
and duplicates (the day is remembered in the database), the next day's run queued by the run
itself; the first job expires the citizens' store's sensitive documents on schedule."""

from datetime import time, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from motcua.core import timeutil
from motcua.digitization.models import HeldDocument, HeldDocumentAccess
from motcua.notifications.models import DailyJob
from motcua.notifications.schedule import DAILY_JOBS, daily_job_run, daily_jobs_schedule

pytestmark = pytest.mark.django_db(transaction=True)

WORKER = ["worker", "--batch", "--no-startup-delay", "--interval", "0", "--verbosity", "0"]
JOB = "held_documents_expire"


def held(*, days_ago: int, sensitive: bool = True, number: str = "001099012345") -> HeldDocument:
    document = HeldDocument(
        owner_id_number=number,
        component_code="TP2",
        name="Căn cước công dân (ảnh)",
        sha256=f"{days_ago:064d}",
        sensitive=sensitive,
        added_at=timeutil.now() - timedelta(days=days_ago),
    )
    document.file.save(f"cccd-{days_ago}.pdf", ContentFile(b"%PDF-1.4 cccd"), save=False)
    document.save()
    return document


@pytest.fixture
def store(database_tasks, settings):
    settings.MOTCUA_STORE_SENSITIVE_RETENTION_DAYS = 30
    settings.MOTCUA_DAILY_JOBS_HOUR = 0  # due as soon as the day begins: now, in the tests
    old, recent, plain = held(days_ago=40), held(days_ago=10), held(days_ago=400, sensitive=False)
    return old, recent, plain


def test_the_worker_expires_held_documents_once_a_day(store):
    old, recent, plain = store
    storage = old.file.storage
    call_command(*WORKER)
    left = set(HeldDocument.objects.values_list("pk", flat=True))
    assert left == {recent.pk, plain.pk}
    assert not storage.exists(old.file.name) and storage.exists(recent.file.name)
    assert HeldDocumentAccess.objects.filter(action="deleted").count() == 1
    job = DailyJob.objects.get(name=JOB)
    assert job.last_run_on == timeutil.local_date(timeutil.now()) and job.last_result == "1"
    # The next run is queued for tomorrow at the hour, not before (one per job).
    assert DBTaskResult.objects.filter(status="READY").count() == len(DAILY_JOBS)
    pending = DBTaskResult.objects.get(pk=job.next_task_id)
    tomorrow = timeutil.local_date(timeutil.now()) + timedelta(days=1)
    assert pending.run_after == timeutil.local_datetime(tomorrow, time(0, 0))
    assert str(pending.id) == job.next_task_id

    # A restart the same day: nothing runs again, nothing more is queued.
    older = held(days_ago=50, number="001088000111")
    call_command(*WORKER)
    assert HeldDocument.objects.filter(pk=older.pk).exists()
    assert DBTaskResult.objects.filter(status="READY").count() == len(DAILY_JOBS)


@pytest.mark.usefixtures("store")
def test_a_duplicate_run_the_same_day_is_skipped_and_the_next_day_runs():
    now = timeutil.now()
    assert daily_job_run(name=JOB, now=now) == "1"
    held(days_ago=45, number="001088000111")
    assert daily_job_run(name=JOB, now=now) == "skipped"
    assert HeldDocument.objects.filter(owner_id_number="001088000111").exists()
    assert daily_job_run(name=JOB, now=now + timedelta(days=1)) == "1"
    assert not HeldDocument.objects.filter(owner_id_number="001088000111").exists()


def test_before_the_hour_the_run_waits(database_tasks, settings):
    settings.MOTCUA_DAILY_JOBS_HOUR = 23
    today = timeutil.local_date(timeutil.now())
    morning = timeutil.local_datetime(today, time(6, 0))
    assert daily_jobs_schedule(names=[JOB], now=morning) == [JOB]
    pending = DBTaskResult.objects.get(status="READY")
    assert pending.run_after == timeutil.local_datetime(today, time(23, 0))
    # Scheduling again (another worker starting) queues nothing more.
    assert daily_jobs_schedule(names=[JOB], now=morning) == []
    assert DBTaskResult.objects.count() == 1


def test_a_lost_queued_run_is_queued_again(database_tasks, settings):
    settings.MOTCUA_DAILY_JOBS_HOUR = 23
    assert daily_jobs_schedule(names=[JOB]) == [JOB]
    DBTaskResult.objects.all().delete()  # e.g. the queue table pruned
    assert daily_jobs_schedule(names=[JOB]) == [JOB]


def test_without_daily_jobs_the_worker_queues_none(database_tasks):
    call_command(*WORKER, "--no-daily-jobs")
    assert not DailyJob.objects.exists() and not DBTaskResult.objects.exists()


def test_a_run_that_died_with_its_worker_does_not_hold_the_job_back(database_tasks, settings):
    from django.utils import timezone

    settings.MOTCUA_DAILY_JOBS_HOUR = 23
    assert daily_jobs_schedule(names=[JOB]) == [JOB]
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now())
    assert daily_jobs_schedule(names=[JOB]) == []  # running now: not queued twice
    DBTaskResult.objects.update(started_at=timezone.now() - timedelta(hours=13))
    assert daily_jobs_schedule(names=[JOB]) == [JOB]


def test_expired_one_time_codes_of_the_store_are_swept_daily(database_tasks, settings):
    from motcua.portal.models import StoreCode

    settings.MOTCUA_DAILY_JOBS_HOUR = 0
    now = timeutil.now()

    def code(*, expires_in: timedelta) -> StoreCode:
        return StoreCode.objects.create(
            id_number="001099012345",
            salt="s",
            code_hash="h",
            created_at=now - timedelta(minutes=10),
            expires_at=now + expires_in,
        )

    expired, live = code(expires_in=-timedelta(minutes=1)), code(expires_in=timedelta(minutes=5))
    assert "store_codes_sweep" in daily_jobs_schedule(names=["store_codes_sweep"], now=now)
    assert daily_job_run(name="store_codes_sweep", now=now) == "1"
    assert list(StoreCode.objects.values_list("pk", flat=True)) == [live.pk]
    assert not StoreCode.objects.filter(pk=expired.pk).exists()
