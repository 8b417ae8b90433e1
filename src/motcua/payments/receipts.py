"""The receipt (biên lai) as PDF, in the official forms' layout and with their QR code: the forms
app renders it (WeasyPrint, segno); this module only says what the receipt contains."""

import json

from motcua.forms.selectors import (
    moment_vi,
    money_vi,
    place_date_vi,
    unit_issuer_lines,
    unit_place_name,
)
from motcua.forms.services import qr_svg_data_uri, template_render_pdf
from motcua.payments.models import Receipt
from motcua.payments.selectors import fee_lines


def receipt_qr_payload(*, receipt: Receipt) -> str:
    """Compact JSON: receipt number, dossier code, amount — enough to check a receipt against our
    records; no personal data."""
    return json.dumps(
        {"SoBienLai": receipt.number, "MaHoSo": receipt.dossier.code, "SoTien": receipt.amount},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def receipt_context(*, receipt: Receipt) -> dict:
    dossier = receipt.dossier
    governing, issuing = unit_issuer_lines(unit=dossier.unit, desk=True)
    txn = receipt.transaction
    return {
        "title": "Biên lai thu phí, lệ phí",
        "receipt": receipt,
        "dossier": dossier,
        "governing": governing,
        "issuing": issuing,
        "place_date": place_date_vi(
            place=unit_place_name(unit=dossier.unit), day=receipt.issued_at
        ),
        "issued_moment": moment_vi(receipt.issued_at),
        "amount": money_vi(receipt.amount),
        "lines": [
            {
                "name": line.name,
                "code": line.code,
                "kind": line.get_kind_display(),
                "amount": money_vi(line.amount),
            }
            for line in fee_lines(dossier=dossier)
        ],
        "method": receipt.get_method_display(),
        "provider": txn.get_provider_display() if txn else "",
        "transaction_id": txn.transaction_id if txn else "",
        "bill": receipt.provider_bill,
        "officer_name": (receipt.issued_by.get_full_name() or receipt.issued_by.get_username())
        if receipt.issued_by
        else "",
        "qr_data_uri": qr_svg_data_uri(payload=receipt_qr_payload(receipt=receipt)),
    }


def receipt_render_pdf(*, receipt: Receipt) -> bytes:
    return template_render_pdf(
        template="payments/receipt.html", context=receipt_context(receipt=receipt)
    )
