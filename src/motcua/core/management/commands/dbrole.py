import os

from django.core.management.base import BaseCommand, CommandError

from motcua.core.dbrole import dbrole_check, dbrole_grant
from motcua.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Vai trò CSDL của ứng dụng (PostgreSQL). `dbrole grant ROLE`: chủ các bảng cấp quyền đọc, "
        "ghi cho vai trò ứng dụng; `dbrole check`: kiểm tra kết nối hiện tại không tắt được trigger, "
        "không TRUNCATE được, không phải superuser."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        grant = sub.add_parser("grant", help="Cấp quyền cho vai trò ứng dụng (chạy bằng chủ bảng).")
        grant.add_argument("role")
        grant.add_argument("--create", action="store_true", help="Tạo vai trò trước (LOGIN).")
        grant.add_argument(
            "--password-env",
            help="Tên biến môi trường chứa mật khẩu của vai trò mới (không gõ mật khẩu vào lệnh).",
        )
        sub.add_parser("check", help="Kiểm tra quyền của vai trò đang kết nối.")

    def handle(self, *args, action: str, **options):
        try:
            if action == "grant":
                password = None
                if options.get("password_env"):
                    password = os.environ.get(options["password_env"])
                    if not password:
                        raise CommandError(f"Biến môi trường {options['password_env']} trống.")
                for statement in dbrole_grant(
                    role=options["role"], create=options["create"], password=password
                ):
                    self.stdout.write(statement)
                self.stdout.write(f"Đã cấp quyền cho vai trò {options['role']}.")
                return
            checks = dbrole_check()
        except DomainError as error:
            raise CommandError(error.message) from error
        for check in checks:
            mark = "đạt" if check.ok else "KHÔNG ĐẠT"
            self.stdout.write(
                f"[{mark}] {check.name}" + (f" ({check.detail})" if check.detail else "")
            )
        failed = [check for check in checks if not check.ok]
        if failed:
            raise CommandError(
                f"Vai trò CSDL có {len(failed)} quyền vượt mức cho ứng dụng (docs/operations.md)."
            )
        self.stdout.write("Vai trò CSDL của ứng dụng đạt yêu cầu.")
