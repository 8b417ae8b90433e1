"""`motcua demo`: migrate, then load the demo district, catalogue, staff and a year of dossiers."""

from datetime import date

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.demo.services import DEFAULT_DOSSIERS, demo_load


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Ngày “{text}” không hợp lệ (định dạng YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = (
        "Tạo dữ liệu mẫu: huyện Tứ Kỳ (tỉnh Hải Dương) với các xã, thủ tục hành chính, cán bộ "
        "và một năm hồ sơ. Chạy lại không tạo trùng."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dossiers", type=int, default=DEFAULT_DOSSIERS, help="Số hồ sơ mẫu cần tạo."
        )
        parser.add_argument("--seed", type=int, default=2024, help="Hạt giống ngẫu nhiên.")
        parser.add_argument("--no-dossiers", action="store_true", help="Không tạo hồ sơ mẫu.")
        parser.add_argument(
            "--today", type=_day, default=None, help="Ngày cuối của năm dữ liệu (YYYY-MM-DD)."
        )

    def handle(self, *args, dossiers: int, seed: int, no_dossiers: bool, today, **options):
        if dossiers < 0:
            raise CommandError("Số hồ sơ không được âm.")
        call_command("migrate", interactive=False, verbosity=0)
        result = demo_load(
            dossiers=0 if no_dossiers else dossiers, seed=seed, today=today, stdout=self.stdout
        )
        if result["errors"]:
            raise CommandError(f"{len(result['errors'])} hồ sơ mẫu gặp lỗi khi tạo.")
