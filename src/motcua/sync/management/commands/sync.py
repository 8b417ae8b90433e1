"""`motcua sync status|push|replay|standin`: the national-portal sync (docs/sync.md)."""

import json
import signal
import threading
from dataclasses import asdict, fields

from django.core.management.base import BaseCommand, CommandError

from motcua.core.timeutil import to_local
from motcua.dossiers.models import Dossier
from motcua.sync import services
from motcua.sync.selectors import dossier_sync_state, sync_counts, sync_dead_letters
from motcua.sync.standin import StandinBehaviour, StandinPortal


def _dossier(code: str) -> Dossier:
    dossier = Dossier.objects.filter(code=code).first()
    if dossier is None:
        raise CommandError(f"Không tìm thấy hồ sơ mã {code}.", returncode=2)
    return dossier


def _when(value) -> str | None:
    return to_local(value).isoformat() if value else None


class Command(BaseCommand):
    help = (
        "Đồng bộ hồ sơ lên Cổng Dịch vụ công quốc gia: `status` (hàng đợi, danh sách lỗi), "
        "`push` (gửi các hồ sơ đến hạn), `replay` (gửi lại hồ sơ lỗi), `standin` (cổng mô phỏng)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        status = sub.add_parser("status", help="Số dòng chờ gửi / đã gửi / lỗi; danh sách lỗi.")
        status.add_argument("--dossier", help="Trạng thái đồng bộ của một hồ sơ.")
        status.add_argument("--json", action="store_true")
        push = sub.add_parser("push", help="Gửi ngay các hồ sơ có dòng đến hạn.")
        push.add_argument("--json", action="store_true")
        replay = sub.add_parser("replay", help="Đưa các dòng lỗi trở lại hàng đợi và gửi ngay.")
        which = replay.add_mutually_exclusive_group(required=True)
        which.add_argument("--dossier", help="Mã hồ sơ.")
        which.add_argument("--all", action="store_true", help="Mọi hồ sơ trong danh sách lỗi.")
        replay.add_argument("--json", action="store_true")
        standin = sub.add_parser("standin", help="Cổng quốc gia mô phỏng (stand-in), chỉ để thử.")
        standin.add_argument("--host", default="127.0.0.1")
        standin.add_argument("--port", type=int, default=8766)
        standin.add_argument("--token", default="", help="Khóa Bearer mà stand-in đòi hỏi.")
        for f in fields(StandinBehaviour):
            standin.add_argument(
                "--" + f.name.replace("_", "-"),
                type=float if f.name == "delay" else int,
                default=f.default,
                dest=f"b_{f.name}",
            )

    def handle(self, *args, **options):
        getattr(self, f"_{options['action']}")(options)

    def _out(self, options, data, text: str) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False) if options.get("json") else text)

    def _status(self, options):
        if options["dossier"]:
            dossier = _dossier(options["dossier"])
            state = dossier_sync_state(dossier=dossier)
            data = {
                "dossier": dossier.code,
                **asdict(state),
                "next_attempt_at": _when(state.next_attempt_at),
                "last_delivery_at": _when(state.last_delivery_at),
            }
            text = f"{dossier.code}: {state.label} (lần thử {state.attempts}) {state.last_error}"
            return self._out(options, data, text.strip())
        counts = sync_counts()
        dead = [
            {
                "dossier": e.dossier.code,
                "event": e.event.seq,
                "kind": e.event.kind,
                "attempts": e.attempts,
                "error": e.last_error,
            }
            for e in sync_dead_letters()
        ]
        data = {"enabled": services.sync_enabled(), "counts": counts, "dead": dead}
        lines = [
            f"Đồng bộ: {'bật' if data['enabled'] else 'tắt (MOTCUA_PORTAL_SYNC_URL trống)'}",
            f"Chờ gửi {counts['pending']}, đã gửi {counts['delivered']}, lỗi {counts['dead']}.",
            *(f"  {d['dossier']} #{d['event']} {d['kind']}: {d['error']}" for d in dead),
        ]
        self._out(options, data, "\n".join(lines))

    def _push(self, options):
        outcomes = services.sync_push_due()
        self._out(options, outcomes, f"Kết quả: {outcomes or 'không có hồ sơ đến hạn'}")

    def _replay(self, options):
        dossier_id = _dossier(options["dossier"]).pk if options["dossier"] else None
        dossier_ids = services.sync_replay(dossier_id=dossier_id)
        outcomes = {
            code: services.sync_push(dossier_id=pk)
            for pk, code in Dossier.objects.filter(pk__in=dossier_ids).values_list("pk", "code")
        }
        self._out(
            options,
            outcomes,
            "\n".join(f"{code}: {outcome}" for code, outcome in outcomes.items())
            or "Danh sách lỗi trống.",
        )
        if any(outcome != "delivered" for outcome in outcomes.values()):
            raise CommandError("Còn hồ sơ chưa gửi được.", returncode=1)

    def _standin(self, options):
        behaviour = StandinBehaviour(
            **{f.name: options[f"b_{f.name}"] for f in fields(StandinBehaviour)}
        )
        portal = StandinPortal(
            host=options["host"], port=options["port"], token=options["token"], behaviour=behaviour
        ).start()
        self.stdout.write(f"Cổng quốc gia mô phỏng: {portal.url} (MOTCUA_PORTAL_SYNC_URL)")
        stop = threading.Event()
        previous = signal.signal(signal.SIGTERM, lambda *a: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            portal.stop()
