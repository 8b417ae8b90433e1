"""`{% payment_fees dossier %}`: the fees box of the portal's tracking page."""

from django import template

from motcua.payments.selectors import dossier_amount_owed, dossier_receipts, fee_lines
from motcua.payments.services import PAYABLE_STATES

register = template.Library()


@register.inclusion_tag("payments/_fees.html", takes_context=True)
def payment_fees(context, dossier):
    owed = dossier_amount_owed(dossier=dossier)
    return {
        "csrf_token": context.get("csrf_token"),
        "fees": {
            "dossier": dossier,
            "lines": fee_lines(dossier=dossier),
            "owed": owed,
            "payable": owed > 0 and dossier.state in PAYABLE_STATES,
            "receipts": dossier_receipts(dossier=dossier),
        },
    }


@register.inclusion_tag("payments/_desk_fees.html")
def payment_desk_fees(dossier):
    """The officer's dossier page: fee lines, what is owed, the receipts and the desk page's link."""
    return {
        "dossier": dossier,
        "lines": fee_lines(dossier=dossier),
        "owed": dossier_amount_owed(dossier=dossier),
        "receipts": dossier_receipts(dossier=dossier),
    }
