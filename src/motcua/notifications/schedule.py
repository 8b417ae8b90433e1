"""Daily jobs of the background worker: each runs once a day, at MOTCUA_DAILY_JOBS_HOUR (local
time), whatever the number of workers or restarts.

The database remembers (`DailyJob`): the day each job last ran and the task queued for its next
run. `motcua worker` calls `daily_jobs_schedule()` when it starts: a job with no queued run gets
one — now, when it has not run today and the hour has passed; else at the next day's hour. The run
itself (`daily_job_run`, under the job's row lock) skips a job that already ran today (a second
worker's duplicate) and queues the next day's run, so a worker running for weeks keeps the rhythm
with no timer of its own (the task backend's `run_after`)."""

import logging
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from motcua.core import timeutil
from motcua.notifications.models import DailyJob

logger = logging.getLogger(__name__)

# name → the function it runs (keyword-free, returns a count or a short text for the record).
DAILY_JOBS: dict[str, str] = {
    # Sensitive documents of the citizens' store past their retention (docs/digitization.md).
    "held_documents_expire": "motcua.digitization.store.held_documents_expire",
    # One-time codes of the citizens' store that expired unused, with their messages' texts
    # (each new code sweeps too; this catches the quiet days).
    "store_codes_sweep": "motcua.portal.services.store_codes_sweep",
    # Messages a worker that died left "being sent" or with no task queued (each worker's start
    # does it too).
    "notifications_recover": "motcua.notifications.tasks.notifications_recover",
    # The API's kept first answers to Idempotency-Keys past MOTCUA_IDEMPOTENCY_KEEP_DAYS.
    "idempotent_requests_sweep": "motcua.api.services.idempotent_requests_sweep",
}


def daily_jobs_hour() -> int:
    return min(23, max(0, int(getattr(settings, "MOTCUA_DAILY_JOBS_HOUR", 1))))


def _due(job: DailyJob, now: datetime) -> datetime:
    """When the job should next run: today at the hour unless it ran today, else tomorrow's."""
    today = timeutil.local_date(now)
    day = today + timedelta(days=1) if job.last_run_on == today else today
    return timeutil.local_datetime(day, time(daily_jobs_hour(), 0))


# A run still "running" after this long died with its worker: it no longer holds the job back.
RUNNING_AT_MOST = timedelta(hours=12)


def _pending(job: DailyJob, now: datetime) -> bool:
    """A run is still queued (or running, lately) in the task backend."""
    from django_tasks import TaskResultStatus
    from django_tasks.exceptions import TaskResultDoesNotExist

    from motcua.notifications.tasks import daily_job

    if not job.next_task_id:
        return False
    try:
        result = daily_job.get_result(job.next_task_id)
    except (TaskResultDoesNotExist, ValueError, NotImplementedError):
        return False
    if result.status == TaskResultStatus.RUNNING:
        started = getattr(result, "started_at", None)
        return started is None or started > now - RUNNING_AT_MOST
    return result.status == TaskResultStatus.READY


def _enqueue(job: DailyJob, now: datetime) -> None:
    from motcua.notifications.tasks import daily_job

    due = _due(job, now)
    task = daily_job
    if due > now:
        if not task.get_backend().supports_defer:
            return  # an immediate backend cannot wait: the next start schedules it
        task = task.using(run_after=due)
    result = task.enqueue(name=job.name)
    job.next_task_id = str(result.id)
    job.next_run_at = max(due, now)
    job.save(update_fields=["next_task_id", "next_run_at"])


def _locked(name: str) -> DailyJob:
    DailyJob.objects.get_or_create(name=name)
    return DailyJob.objects.select_for_update().get(name=name)


def daily_jobs_schedule(*, names=None, now: datetime | None = None) -> list[str]:
    """Queue the next run of each daily job that has none queued; returns the names queued."""
    now = now or timeutil.now()
    queued = []
    for name in names or DAILY_JOBS:
        with transaction.atomic():
            job = _locked(name)
            if _pending(job, now):
                continue
            _enqueue(job, now)
            if job.next_task_id:
                queued.append(name)
    return queued


def daily_job_run(*, name: str, now: datetime | None = None) -> str:
    """Run the job unless it already ran today; record the day; queue tomorrow's run."""
    if name not in DAILY_JOBS:
        raise ValueError(f"Không có công việc hằng ngày “{name}”.")
    now = now or timeutil.now()
    today = timeutil.local_date(now)
    with transaction.atomic():
        job = _locked(name)
        if job.last_run_on == today:
            outcome = "skipped"
        else:
            outcome = str(import_string(DAILY_JOBS[name])())
            job.last_run_on, job.last_run_at, job.last_result = today, now, outcome[:200]
            logger.info("daily job %s ran: %s", name, outcome)
        job.next_task_id = ""
        job.save()
    daily_jobs_schedule(names=[name], now=now)
    return outcome
