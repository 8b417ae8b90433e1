"""`motcua units reorganise FILE [--apply]`: apply a reorganisation decision from a file;
`motcua units hand-over CODE [--to CODE] --actor USERNAME [--decision TEXT] [--apply]`: hand the
open dossiers of a unit the reorganisation ended to the unit that took over (docs/units.md). Both
are dry runs by default: they print what would change and change nothing."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from motcua.core.errors import DomainError
from motcua.dossiers.services import dossiers_hand_over
from motcua.units.reorganisation import reorganisation_parse
from motcua.units.selectors import unit_get_by_code
from motcua.units.services import unit_reorganise


class Command(BaseCommand):
    help = (
        "Đơn vị. `units reorganise FILE [--apply]`: áp dụng quyết định sắp xếp đơn vị hành chính; "
        "`units hand-over MÃ [--to MÃ] --actor TÊN [--apply]`: bàn giao hồ sơ đang giải quyết của "
        "đơn vị đã kết thúc."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        reorganise = sub.add_parser(
            "reorganise", help="Áp dụng quyết định sáp nhập, chia tách, thành lập đơn vị từ tệp."
        )
        reorganise.add_argument("file", help="Tệp JSON của quyết định (xem docs/units.md).")
        reorganise.add_argument(
            "--apply",
            action="store_true",
            help="Ghi thay đổi; mặc định chỉ in những gì sẽ thay đổi.",
        )

        hand_over = sub.add_parser(
            "hand-over",
            help="Bàn giao hồ sơ đang giải quyết của đơn vị đã kết thúc cho đơn vị kế thừa.",
        )
        hand_over.add_argument(
            "unit",
            help="Mã đơn vị đã kết thúc (mã dùng lại sau sắp xếp: MÃ@YYYY-MM-DD, ngày còn hiệu lực).",
        )
        hand_over.add_argument(
            "--to", dest="to_unit", default="", help="Mã đơn vị nhận; mặc định là đơn vị kế thừa."
        )
        hand_over.add_argument(
            "--actor", required=True, help="Tài khoản quản trị của đơn vị nhận thực hiện bàn giao."
        )
        hand_over.add_argument("--decision", default="", help="Số, ngày quyết định sắp xếp.")
        hand_over.add_argument(
            "--apply", action="store_true", help="Ghi thay đổi; mặc định chỉ in những gì sẽ đổi."
        )

    def handle(self, *args, action: str, apply: bool, **options):
        try:
            if action == "hand-over":
                return self._hand_over(apply=apply, **options)
            return self._reorganise(file=options["file"], apply=apply)
        except DomainError as error:
            raise CommandError(f"{error.message} [{error.code}]", returncode=2) from None

    def _hand_over(self, *, unit: str, to_unit: str, actor: str, decision: str, apply: bool, **_):
        from_unit = _unit(unit)
        target = _unit(to_unit) if to_unit else None
        user = get_user_model().objects.filter(username=actor, is_active=True).first()
        if user is None:
            raise CommandError(f"Không có tài khoản “{actor}” đang hoạt động.", returncode=2)
        result = dossiers_hand_over(
            actor=user, from_unit=from_unit, to_unit=target, decision=decision, apply=apply
        )
        self._report(
            lines=result.lines,
            applied=result.applied,
            done=f"Đã bàn giao {result.count} hồ sơ cho {result.to_unit.name}.",
            dry=f"Chạy thử: {result.count} hồ sơ sẽ được bàn giao cho {result.to_unit.name}, "
            "chưa ghi gì.",
        )

    def _reorganise(self, *, file: str, apply: bool):
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(
                f"Không đọc được tệp {file}: {error.strerror}.", returncode=2
            ) from None
        result = unit_reorganise(reorganisation=reorganisation_parse(text=text), apply=apply)
        self._report(
            lines=result.changes,
            applied=result.applied,
            done=f"Đã áp dụng {len(result.changes)} thay đổi.",
            dry=f"Chạy thử: {len(result.changes)} thay đổi, chưa ghi gì.",
        )

    def _report(self, *, lines: list[str], applied: bool, done: str, dry: str) -> None:
        """What changed (or would), then the total: both subcommands print alike."""
        for line in lines:
            self.stdout.write(line)
        self.stdout.write(done if applied else f"{dry} Thêm --apply để áp dụng.")


def _unit(code: str):
    unit = unit_get_by_code(code=code.strip())
    if unit is None:
        raise CommandError(f"Không tìm thấy đơn vị mã {code}. [unit_not_found]", returncode=2)
    return unit
