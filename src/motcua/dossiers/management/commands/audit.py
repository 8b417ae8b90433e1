from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from motcua.core.errors import DomainError
from motcua.dossiers.audit import audit_checkpoint_create, audit_verify


class Command(BaseCommand):
    help = (
        "Kiểm toán nhật ký sự kiện hồ sơ. `audit verify`: kiểm tra chuỗi băm của mọi hồ sơ và các mốc "
        "đã ký; `audit checkpoint`: ký một mốc cho đầu chuỗi hiện tại (chạy hằng ngày)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Kiểm tra nhật ký có nguyên vẹn không.")
        verify.add_argument(
            "--code", action="append", dest="codes", help="Chỉ kiểm tra chuỗi của hồ sơ này."
        )
        verify.add_argument(
            "--checkpoints",
            type=Path,
            help="Tệp bản sao các mốc (do `audit checkpoint --out` ghi) để đối chiếu thêm.",
        )
        checkpoint = sub.add_parser("checkpoint", help="Ký một mốc cho đầu chuỗi hiện tại.")
        checkpoint.add_argument(
            "--out", type=Path, help="Ghi thêm mốc vào tệp này (một dòng JSON), ngoài máy CSDL."
        )

    def handle(self, *args, action: str, **options):
        try:
            if action == "checkpoint":
                self._checkpoint(out=options.get("out"))
            else:
                self._verify(codes=options.get("codes"), copies=options.get("checkpoints"))
        except DomainError as error:
            raise CommandError(error.message) from error

    def _checkpoint(self, *, out):
        checkpoint = audit_checkpoint_create(out=out)
        self.stdout.write(
            f"Đã ký mốc {checkpoint.at:%d/%m/%Y %H:%M}: {checkpoint.event_count} sự kiện, "
            f"đến sự kiện {checkpoint.last_event_id}, mã {checkpoint.digest}."
        )

    def _verify(self, *, codes, copies):
        report = audit_verify(codes=codes, copies=copies)
        for found in report.breaks[:20]:
            self.stdout.write(f"Hỏng: {found}")
        for line in report.checkpoint_breaks:
            self.stdout.write(f"Hỏng: {line}")
        self.stdout.write(
            f"Đã kiểm tra {report.dossiers} hồ sơ, {report.events} sự kiện, "
            f"{report.checkpoints} mốc đã ký."
        )
        if not report.intact:
            first = str(report.breaks[0]) if report.breaks else report.checkpoint_breaks[0]
            raise CommandError(f"Nhật ký sự kiện đã bị thay đổi; chỗ hỏng đầu tiên: {first}")
        self.stdout.write("Nhật ký nguyên vẹn.")
