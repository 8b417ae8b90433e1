"""`motcua serve`: run the web app under gunicorn, the production WSGI server.

Static files come from WhiteNoise (settings.WHITENOISE_USE_FINDERS serves them straight from the
apps); `--collectstatic` gathers and compresses them into STATIC_ROOT first, for deployments that
prefer that."""

import logging
import os
import shutil

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

logger = logging.getLogger(__name__)


def _default_workers() -> int:
    # gunicorn's rule of thumb, capped: each sync worker holds one database connection.
    return min(2 * (os.cpu_count() or 1) + 1, 8)


def _staging_recover(*, timeout: int) -> None:
    """Uploads a killed server left in the staging folder (dossiers.documents): those a committed
    document waits for are moved into place now; the others once older than any request lives
    (another server sharing the storage may still be running one)."""
    from datetime import timedelta

    from django.db import DatabaseError

    from motcua.dossiers.documents import STAGING_GRACE, staged_files_recover

    try:
        staged_files_recover(older_than=max(STAGING_GRACE, timedelta(seconds=2 * timeout)))
    except (DatabaseError, OSError) as error:  # never keep the server from starting
        logger.warning("staging folder not cleared at start: %s", error)


class Command(BaseCommand):
    help = "Chạy ứng dụng web bằng máy chủ gunicorn."
    requires_system_checks = []  # gunicorn's workers load the app; checks run with `motcua check`

    def add_arguments(self, parser):
        parser.add_argument(
            "--host", default="127.0.0.1", help="Địa chỉ lắng nghe (mặc định 127.0.0.1)."
        )
        parser.add_argument(
            "--port", type=int, default=8000, help="Cổng lắng nghe (mặc định 8000)."
        )
        parser.add_argument(
            "--workers", type=int, default=None, help="Số tiến trình xử lý (mặc định theo số CPU)."
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=None,
            help="Số luồng mỗi tiến trình (mặc định 1; lớn hơn 1 thì dùng gthread).",
        )
        parser.add_argument(
            "--keepalive",
            type=int,
            default=2,
            help="Số giây giữ kết nối chờ yêu cầu tiếp theo (gthread; mặc định 2, 0: không giữ).",
        )
        parser.add_argument(
            "--timeout", type=int, default=60, help="Số giây tối đa cho một yêu cầu (mặc định 60)."
        )
        parser.add_argument(
            "--collectstatic",
            action="store_true",
            help="Thu thập tệp tĩnh vào STATIC_ROOT trước khi chạy.",
        )

    def handle(
        self, *args, host, port, workers, threads, keepalive, timeout, collectstatic, **options
    ):
        from gunicorn.app.base import BaseApplication

        workers = workers or _default_workers()
        threads = threads or 1
        if workers < 1:
            raise CommandError("Số tiến trình phải lớn hơn 0.")
        if threads < 1:
            raise CommandError("Số luồng phải lớn hơn 0.")
        if keepalive < 0:
            raise CommandError("Số giây giữ kết nối không được âm.")
        if not 0 < port < 65536:
            raise CommandError("Cổng không hợp lệ.")
        if collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
        _staging_recover(timeout=timeout)
        # Workers are forked from this process: none may inherit an open database connection.
        connections.close_all()
        # Each worker writes its metrics to files here and /metrics sums them (prometheus_client's
        # multiprocess mode, chosen when it is imported — in the workers, after this).
        if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            metrics_dir = settings.VAR_DIR / "metrics"
            shutil.rmtree(metrics_dir, ignore_errors=True)
            metrics_dir.mkdir(parents=True)
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        config = {
            "bind": bind,
            "workers": workers,
            # More than one thread: gunicorn's gthread worker (each thread its own connection).
            "threads": threads,
            # A kept-alive connection stays with the process that accepted it: 0 lets the kernel
            # spread every request over the processes (docs/reliability.md, "Load").
            "keepalive": keepalive,
            "timeout": timeout,
            "graceful_timeout": 30,
            "accesslog": "-",
            "errorlog": "-",
            # Paths only: the query string may carry search filters.
            "access_log_format": '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
        }

        class MotcuaApplication(BaseApplication):
            def load_config(self):
                for key, value in config.items():
                    self.cfg.set(key, value)

            def load(self):
                from motcua.config.wsgi import application

                return application

        self.stdout.write(f"Một Cửa: http://{bind}/ ({workers} tiến trình)")
        self.stdout.flush()
        MotcuaApplication().run()
