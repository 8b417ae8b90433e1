from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from motcua.core.backup import backup_create
from motcua.core.errors import DomainError


class Command(BaseCommand):
    help = "Sao lưu CSDL và các tệp đã lưu vào một tệp (docs/operations.md)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            report = backup_create(path=file)
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"Đã sao lưu {sum(report.tables.values())} dòng của {len(report.tables)} bảng, "
            f"{report.files} tệp vào {file}."
        )
