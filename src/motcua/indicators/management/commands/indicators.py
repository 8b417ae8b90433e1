from django.core.management.base import BaseCommand

from motcua.indicators.counters import counters_rebuild


class Command(BaseCommand):
    help = "Bộ đếm chỉ số. `indicators rebuild`: tính lại toàn bộ bộ đếm từ hồ sơ (hình chiếu của nhật ký)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rebuild", help="Tính lại toàn bộ bộ đếm.")

    def handle(self, *args, action: str, **options):
        read = counters_rebuild()
        self.stdout.write(f"Đã tính lại bộ đếm từ {read} hồ sơ.")
