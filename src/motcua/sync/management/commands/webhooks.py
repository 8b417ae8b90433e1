"""`motcua webhooks add|list|push|replay|log`: signed outgoing webhooks (docs/api.md)."""

import json
import secrets

from django.core.management.base import BaseCommand, CommandError

from motcua.core.timeutil import to_local
from motcua.sync import webhooks
from motcua.sync.models import WebhookDelivery, WebhookEndpoint
from motcua.units.selectors import unit_get_by_code


class Command(BaseCommand):
    help = "Webhook gửi đi (ký HMAC): `add`, `list`, `push`, `replay`, `log`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Thêm nơi nhận; in khóa ký (secret) một lần.")
        add.add_argument("--name", required=True)
        add.add_argument("--url", required=True)
        add.add_argument("--unit", required=True, help="Mã đơn vị: sự kiện của cây đơn vị này.")
        add.add_argument("--secret", help="Khóa ký; mặc định sinh ngẫu nhiên.")
        add.add_argument("--json", action="store_true")
        sub.add_parser("list").add_argument("--json", action="store_true")
        sub.add_parser("push", help="Gửi các lần gửi đến hạn.").add_argument(
            "--json", action="store_true"
        )
        sub.add_parser("replay", help="Đưa các lần gửi lỗi trở lại hàng đợi.")
        log = sub.add_parser("log", help="Nhật ký gửi gần đây.")
        log.add_argument("--limit", type=int, default=50)
        log.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        getattr(self, f"_{options['action']}")(options)

    def _print(self, options, data):
        if options.get("json"):
            self.stdout.write(json.dumps(data, ensure_ascii=False))
        else:
            for row in data if isinstance(data, list) else [data]:
                self.stdout.write("\t".join(str(v) for v in row.values()))

    def _add(self, options):
        unit = unit_get_by_code(code=options["unit"])
        if unit is None:
            raise CommandError(f"Không tìm thấy đơn vị mã {options['unit']}.", returncode=2)
        if WebhookEndpoint.objects.filter(name=options["name"]).exists():
            raise CommandError(f"Đã có nơi nhận “{options['name']}”.", returncode=2)
        secret = options["secret"] or secrets.token_urlsafe(32)
        endpoint = webhooks.webhook_endpoint_add(
            name=options["name"], url=options["url"], unit=unit, secret=secret
        )
        self._print(
            options,
            {
                "id": endpoint.pk,
                "name": endpoint.name,
                "url": endpoint.url,
                "unit": unit.code,
                "secret": secret,
            },
        )

    def _list(self, options):
        self._print(
            options,
            [
                {"id": e.pk, "name": e.name, "url": e.url, "unit": e.unit.code, "active": e.active}
                for e in WebhookEndpoint.objects.select_related("unit").order_by("name")
            ],
        )

    def _push(self, options):
        self._print(options, webhooks.webhooks_push_due())

    def _replay(self, options):
        self.stdout.write(f"Đã đưa {webhooks.webhooks_replay()} lần gửi lỗi trở lại hàng đợi.")

    def _log(self, options):
        rows = WebhookDelivery.objects.select_related("endpoint").order_by("-pk")[
            : options["limit"]
        ]
        self._print(
            options,
            [
                {
                    "endpoint": d.endpoint.name,
                    "event": d.event_id,
                    "status": d.status,
                    "attempts": d.attempts,
                    "http_status": d.last_http_status,
                    "error": d.last_error,
                    "delivered_at": to_local(d.delivered_at).isoformat()
                    if d.delivered_at
                    else None,
                }
                for d in rows
            ],
        )
