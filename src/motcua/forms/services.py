"""Official forms as PDF: HTML templates rendered by WeasyPrint, text kept as real text (searchable,
copyable), the QR code of Circular 01/2023/TT-VPCP drawn as vector SVG at the top left."""

from datetime import date

import segno
from django.template.loader import render_to_string
from django.utils.translation import override
from weasyprint import HTML, URLFetcher

from motcua.dossiers.models import Dossier
from motcua.forms.selectors import (
    LOGBOOK_TEMPLATE,
    form_context,
    form_kind_get,
    logbook_context,
)
from motcua.units.models import Unit

# Templates embed only data: URIs (the QR code); anything else — a stray URL in user text — is
# never fetched while rendering.
_FETCHER = URLFetcher(allowed_protocols=["data"])


def qr_svg_data_uri(*, payload: str) -> str:
    # Level M survives a crease or a smudge on paper; border 2 plus the page margin is quiet zone.
    return segno.make(payload, error="m", micro=False).svg_data_uri(scale=4, border=2)


def _pdf(*, template: str, context: dict) -> bytes:
    with override("vi"):
        html = render_to_string(template, context)
    return HTML(string=html, url_fetcher=_FETCHER).write_pdf()


def template_render_pdf(*, template: str, context: dict) -> bytes:
    """Any template in the forms' layout as PDF (other apps' documents, e.g. the payment receipt)."""
    return _pdf(template=template, context=context)


def form_render_pdf(*, kind: str, dossier: Dossier) -> bytes:
    """One form of the dossier ("receipt", "supplement", "rejection", "apology", "stop",
    "control_slip"; the URL slugs are accepted too). ValidationFailed when it does not apply."""
    form = form_kind_get(kind=kind)
    context = form_context(kind=form.kind, dossier=dossier)
    context["qr_data_uri"] = qr_svg_data_uri(payload=context["qr_payload"])
    return _pdf(template=form.template, context=context)


def logbook_render_pdf(*, unit: Unit, start: date, end: date) -> bytes:
    """Sổ theo dõi hồ sơ: every dossier the unit received between two local dates (inclusive)."""
    return _pdf(template=LOGBOOK_TEMPLATE, context=logbook_context(unit=unit, start=start, end=end))
