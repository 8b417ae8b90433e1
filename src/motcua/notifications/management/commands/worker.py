"""`motcua worker`: the background task worker (notifications to applicants, OCR, the daily jobs).

A thin wrapper of the `db_worker` command of django-tasks-db (the database backend of the
django-tasks backport): same options; Vietnamese help and errors; the process's signal handlers put
back when it returns (`--batch`, `--max-tasks`), so it can also run inside another program.
Starting, it queues the daily jobs that have no run queued (notifications.schedule)."""

import logging
import signal
from argparse import ArgumentTypeError

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import valid_backend_name

logger = logging.getLogger(__name__)

_SIGNALS = [s for s in ("SIGINT", "SIGTERM", "SIGQUIT") if hasattr(signal, s)]


def _backend(value: str) -> str:
    try:
        return valid_backend_name(value)
    except ArgumentTypeError as exc:
        raise ArgumentTypeError(
            f"Hàng đợi tác vụ '{value}' không dùng cơ sở dữ liệu: đặt "
            "MOTCUA_TASKS_BACKEND=database để chạy tiến trình nền."
        ) from exc


class Command(DbWorkerCommand):
    help = (
        "Chạy tiến trình nền: lấy các tác vụ trong hàng đợi (gửi thông báo cho người nộp hồ sơ, "
        "…) và thực hiện. --batch: làm hết các tác vụ đang chờ rồi dừng."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        for action in parser._actions:
            if action.dest == "backend_name":
                action.type = _backend
        parser.add_argument(
            "--no-daily-jobs",
            action="store_false",
            dest="daily_jobs",
            help="Không xếp lịch các công việc hằng ngày (xóa giấy tờ hết hạn lưu, …) khi khởi động.",
        )

    def handle(self, *args, daily_jobs: bool = True, **options):
        from motcua.notifications.tasks import notifications_recover

        try:
            notifications_recover()  # what a worker that died (kill -9) left behind
        except Exception:
            logger.exception("Không xếp lại được các thông báo dở dang")
        if daily_jobs:
            from motcua.notifications.schedule import daily_jobs_schedule

            try:
                queued = daily_jobs_schedule()
            except Exception:
                # The queue must still run: the next start tries again.
                logger.exception("Không xếp lịch được các công việc hằng ngày")
            else:
                if queued:
                    logger.info("Đã xếp lịch công việc hằng ngày: %s", ", ".join(queued))
        previous = {name: signal.getsignal(getattr(signal, name)) for name in _SIGNALS}
        try:
            super().handle(*args, **options)
        finally:
            for name, handler in previous.items():
                signal.signal(getattr(signal, name), handler)
