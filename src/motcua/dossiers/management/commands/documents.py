from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from motcua.dossiers.documents import (
    document_files_orphaned,
    document_files_orphaned_delete,
    staged_files_recover,
)


class Command(BaseCommand):
    help = (
        "Tệp thành phần hồ sơ. `documents sweep`: xóa các tệp đã lưu mà không hồ sơ nào dùng "
        "(để lại khi một thao tác bị hủy giữa chừng) và dọn thư mục tệp chờ (staging). "
        "`documents expire`: xóa giấy tờ nhạy cảm trong kho dữ liệu của công dân đã quá thời hạn lưu."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sweep = sub.add_parser("sweep", help="Xóa tệp không thuộc hồ sơ nào.")
        sweep.add_argument(
            "--older-than-hours",
            type=int,
            default=24,
            help="Chỉ xóa tệp cũ hơn số giờ này (mặc định 24): tệp mới hơn có thể thuộc một thao "
            "tác đang chạy.",
        )
        sweep.add_argument("--dry-run", action="store_true", help="Chỉ liệt kê, không xóa.")
        expire = sub.add_parser(
            "expire",
            help="Xóa giấy tờ nhạy cảm trong kho dữ liệu đã quá thời hạn lưu "
            "(MOTCUA_STORE_SENSITIVE_RETENTION_DAYS).",
        )
        expire.add_argument("--dry-run", action="store_true", help="Chỉ đếm, không xóa.")

    def handle(self, *args, action: str, dry_run: bool, **options):
        if action == "expire":
            return self._expire(dry_run=dry_run)
        older_than_hours = options["older_than_hours"]
        if older_than_hours < 1:
            raise CommandError("--older-than-hours phải từ 1 trở lên.")
        older_than = timedelta(hours=older_than_hours)
        if dry_run:
            names = document_files_orphaned(older_than=older_than)
            for name in names:
                self.stdout.write(name)
            self.stdout.write(
                f"{len(names)} tệp không thuộc hồ sơ nào, cũ hơn {older_than_hours} giờ "
                "(chưa xóa: --dry-run)."
            )
            return
        staged = staged_files_recover()
        self.stdout.write(
            f"Tệp chờ: đưa vào chỗ {len(staged['moved'])} tệp của hồ sơ đã ghi, xóa "
            f"{len(staged['deleted'])} tệp của thao tác không hoàn tất."
        )
        names = document_files_orphaned_delete(older_than=older_than)
        self.stdout.write(
            f"Đã xóa {len(names)} tệp không thuộc hồ sơ nào, cũ hơn {older_than_hours} giờ."
        )

    def _expire(self, *, dry_run: bool) -> None:
        # The citizens' store is digitization's; this command is only its door.
        from motcua.digitization.store import (
            held_documents_expire,
            held_documents_expiring,
            retention_days,
        )

        days = retention_days()
        if dry_run:
            count = held_documents_expiring().count()
            self.stdout.write(
                f"{count} giấy tờ nhạy cảm trong kho dữ liệu đã lưu quá {days} ngày "
                "(chưa xóa: --dry-run)."
            )
            return
        count = held_documents_expire()
        self.stdout.write(
            f"Đã xóa {count} giấy tờ nhạy cảm trong kho dữ liệu đã lưu quá {days} ngày."
        )
