"""`motcua feedback import FILE.csv`: feedback received elsewhere (another system, the national
portal's export), one row a feedback, through the same service as every other door."""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from motcua.core.errors import DomainError
from motcua.feedback.services import feedback_import

COLUMNS = ("name", "phone", "email", "content", "unit", "dossier", "category", "sent_at")


class Command(BaseCommand):
    help = (
        "Phản ánh, kiến nghị. `feedback import TỆP.csv`: nhập phản ánh tiếp nhận ở nơi khác "
        f"(cột: {', '.join(COLUMNS)}; UTF-8), tất cả hoặc không dòng nào."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Nhập phản ánh từ tệp CSV.")
        imp.add_argument("file", help="Tệp CSV (UTF-8, dòng đầu là tên cột).")

    def handle(self, *args, action: str, file: str, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không có tệp “{file}”.", returncode=2)
        with path.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.DictReader(stream)
            unknown = set(reader.fieldnames or ()) - set(COLUMNS)
            if unknown:
                raise CommandError(
                    f"Cột không hợp lệ: {', '.join(sorted(unknown))}; có: {', '.join(COLUMNS)}.",
                    returncode=2,
                )
            try:
                made = feedback_import(rows=list(reader))
            except DomainError as error:
                raise CommandError(error.message, returncode=1) from None
        self.stdout.write(f"Đã nhập {len(made)} phản ánh, kiến nghị.")
        for item in made:
            self.stdout.write(f"  {item.reference} — {item.unit.name}")
