"""The demo's fee payments, generated but real: an online payment is a payment order of the
national platform or the province's gateway, captured through `payments.services.
payment_report_apply` — the rules every callback goes through — with a transaction id that says it
was generated (`DEMO-…`); a desk payment is `payment_desk_record` (cash, card or transfer). So each
has its order, transaction and receipt, and the export writes DuocThanhToanTrucTuyen "1" or "2".

Live payments in the demo go through the stand-in gateway (`motcua payments standin`, which
`./dev demo` starts beside the server) with the installation's secrets, which the demo prints."""

import random
from datetime import datetime

from django.conf import settings

from motcua.dossiers.models import Dossier
from motcua.payments.models import PaymentMethod, Provider
from motcua.payments.protocol import ProviderReport
from motcua.payments.services import (
    payment_desk_record,
    payment_order_record,
    payment_report_apply,
)

NATIONAL_SHARE = 0.6  # most online payments in the province go through the national platform
DESK_METHODS = (
    (PaymentMethod.CASH, 0.7),
    (PaymentMethod.CARD, 0.15),
    (PaymentMethod.TRANSFER, 0.15),
)


def demo_payment(*, dossier: Dossier, actor, online: bool, at: datetime) -> Dossier:
    """Pay everything the dossier owes at `at`: online (no officer) or at the desk by `actor`. The
    choices are drawn from the dossier's code, not the demo's generator, so adding payments does
    not change the rest of the generated year."""
    rng = random.Random(f"payment:{dossier.code}")
    if online:
        provider = Provider.NATIONAL if rng.random() < NATIONAL_SHARE else Provider.PROVINCE
        order = payment_order_record(dossier=dossier, provider=provider, at=at)
        payment_report_apply(
            provider=provider,
            report=ProviderReport(
                order_id=order.order_id,
                transaction_id=f"DEMO-{order.order_id}",
                amount=order.amount,
                currency=order.currency,
                status="paid",
                occurred_at=at,
            ),
            at=at,
        )
    else:
        roll, method = rng.random(), PaymentMethod.CASH
        for candidate, share in DESK_METHODS:
            if roll < share:
                method = candidate
                break
            roll -= share
        payment_desk_record(
            actor=actor,
            dossier=dossier,
            method=method,
            reference=f"DEMO-{dossier.code}" if method != PaymentMethod.CASH else "",
            at=at,
        )
    return Dossier.objects.get(pk=dossier.pk)


def demo_payment_lines() -> list[str]:
    """What the demo prints about paying online: the stand-in and the secrets it shares."""
    return [
        "- Thanh toán trực tuyến: cổng mô phỏng (stand-in, không chuyển tiền thật) tại "
        f"{settings.MOTCUA_PAYMENT_GATEWAY_URL} — `./dev demo` tự chạy; nếu chạy riêng: "
        "motcua payments standin --port 8765.",
        f"  MOTCUA_PAYMENT_GATEWAY_SECRET={settings.MOTCUA_PAYMENT_GATEWAY_SECRET}",
        f"  MOTCUA_PAYMENT_NATIONAL_SECRET={settings.MOTCUA_PAYMENT_NATIONAL_SECRET}",
    ]
