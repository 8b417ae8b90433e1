"""`motcua tokens create|list|revoke`: other systems' keys to the API (docs/api.md)."""

import json

from django.core.management.base import BaseCommand, CommandError

from motcua.api.selectors import system_token_list
from motcua.api.services import system_token_create, system_token_get, system_token_revoke
from motcua.core.errors import DomainError
from motcua.core.timeutil import to_local
from motcua.units.models import Role
from motcua.units.selectors import unit_get_by_code


def _row(token) -> dict:
    return {
        "id": token.pk,
        "name": token.name,
        "unit": token.unit.code,
        "scope": token.scope,
        "roles": [r for r in token.roles.split(",") if r],
        "prefix": token.prefix,
        "created_at": to_local(token.created_at).isoformat(),
        "last_used_at": to_local(token.last_used_at).isoformat() if token.last_used_at else None,
        "revoked_at": to_local(token.revoked_at).isoformat() if token.revoked_at else None,
        "uses": getattr(token, "use_count", None),
    }


class Command(BaseCommand):
    help = "Khóa hệ thống cho REST API: `create` (tạo), `list` (liệt kê), `revoke` (thu hồi)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Tạo khóa; khóa chỉ được in ra một lần.")
        create.add_argument("--name", required=True, help="Tên hệ thống dùng khóa.")
        create.add_argument(
            "--unit", required=True, help="Mã đơn vị: khóa dùng trong cây đơn vị này."
        )
        create.add_argument("--scope", required=True, choices=["read", "write"])
        create.add_argument(
            "--role",
            action="append",
            choices=Role.values,
            dest="roles",
            help="Vai trò của khóa ghi (lặp lại được; mặc định desk_officer).",
        )
        create.add_argument("--json", action="store_true")
        listing = sub.add_parser("list", help="Liệt kê các khóa (không in khóa).")
        listing.add_argument("--json", action="store_true")
        revoke = sub.add_parser("revoke", help="Thu hồi khóa: khóa thôi có hiệu lực ngay.")
        revoke.add_argument("token", help="Số (id) hoặc tên hệ thống của khóa.")

    def handle(self, *args, **options):
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as error:
            raise CommandError(error.message, returncode=2) from error

    def _create(self, options):
        unit = unit_get_by_code(code=options["unit"])
        if unit is None:
            raise CommandError(f"Không tìm thấy đơn vị mã {options['unit']}.", returncode=2)
        token, raw = system_token_create(
            name=options["name"], unit=unit, scope=options["scope"], roles=options["roles"]
        )
        if options["json"]:
            self.stdout.write(json.dumps({**_row(token), "token": raw}, ensure_ascii=False))
            return
        self.stdout.write(
            f"Đã tạo khóa #{token.pk} cho “{token.name}” ({token.scope}, đơn vị {unit.code}, "
            f"vai trò {token.roles}).\n"
            f"Khóa (chỉ hiện một lần, hãy lưu lại): {raw}"
        )

    def _list(self, options):
        rows = [_row(t) for t in system_token_list()]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        for row in rows:
            state = f"thu hồi {row['revoked_at']}" if row["revoked_at"] else "đang dùng"
            self.stdout.write(
                f"#{row['id']}\t{row['name']}\t{row['unit']}\t{row['scope']}\t"
                f"{','.join(row['roles'])}\t{row['uses']} lần dùng\t{state}"
            )

    def _revoke(self, options):
        token = system_token_revoke(token=system_token_get(ref=options["token"]))
        self.stdout.write(f"Đã thu hồi khóa #{token.pk} của “{token.name}”.")
